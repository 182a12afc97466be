package policy

import (
	"fmt"
	"strings"
)

// AdminAccess returns the Allow statements that grant every action on every
// resource, as the managed rule iam-policy-no-statements-with-admin-access
// defines them: an Action pattern that matches all actions ("*", "*:*") over
// a Resource pattern that matches all resources ("*"). The managed rule's
// page counts only this form; Allow statements with NotAction are reported by
// [Document.NotActionAllows] for rules that want the stricter reading.
func (d *Document) AdminAccess() []Finding {
	var out []Finding
	for i := range d.Statements {
		st := &d.Statements[i]
		if st.Effect != Allow || st.Action == nil {
			continue
		}
		var all []string
		for _, a := range st.Action {
			if globCovers(a, "*:*", true) {
				all = append(all, a)
			}
		}
		if len(all) == 0 || !anyCovers(st.Resource, "*", false) {
			continue
		}
		out = append(out, Finding{
			Statement: i,
			Sid:       st.Sid,
			Actions:   all,
			Reason:    fmt.Sprintf("allows %s on resource *", strings.Join(all, ", ")),
		})
	}
	return out
}

// NotActionAllows returns the Allow statements that use NotAction, which
// grant every action of every service except the ones listed, on the
// statement's resources. AWS's managed rules for admin and full access do not
// document this form; a rule may count it as admin access (when its resource
// is "*") or as full access.
func (d *Document) NotActionAllows() []Finding {
	var out []Finding
	for i := range d.Statements {
		st := &d.Statements[i]
		if st.Effect != Allow || st.NotAction == nil {
			continue
		}
		res := "its resources"
		if st.Resource != nil {
			res = strings.Join(st.Resource, ", ")
		} else if st.NotResource != nil {
			res = "every resource except " + strings.Join(st.NotResource, ", ")
		}
		out = append(out, Finding{
			Statement: i,
			Sid:       st.Sid,
			Actions:   st.NotAction,
			Reason:    fmt.Sprintf("allows every action except %s on %s", strings.Join(st.NotAction, ", "), res),
		})
	}
	return out
}

// FullAccess returns the Allow statements that grant every action of at least
// one service, as the managed rule iam-policy-no-statements-with-full-access
// defines them: an unrestricted service wildcard such as "ec2:*" (or "*",
// every service), on any resource. A wildcard after a prefix, such as
// "ec2:Describe*", is not full access. Actions lists the offending patterns.
// (The managed rule's only parameter is excludePermissionBoundaryPolicy,
// which concerns how a policy is attached, not its text.)
func (d *Document) FullAccess() []Finding {
	var out []Finding
	for i := range d.Statements {
		st := &d.Statements[i]
		if st.Effect != Allow || st.Action == nil {
			continue
		}
		var full []string
		for _, a := range st.Action {
			if fullServiceWildcard(a) {
				full = append(full, a)
			}
		}
		if len(full) == 0 {
			continue
		}
		out = append(out, Finding{
			Statement: i,
			Sid:       st.Sid,
			Actions:   full,
			Reason:    fmt.Sprintf("allows full access (%s)", strings.Join(full, ", ")),
		})
	}
	return out
}

// fullServiceWildcard reports whether an action pattern grants every action
// of a service: "<service>:*", or a pattern made only of '*'.
func fullServiceWildcard(a string) bool {
	service, action, found := strings.Cut(a, ":")
	if !found {
		return onlyStars(a)
	}
	// A wildcard in the service part ("ec2*:*") widens the grant further.
	return service != "" && onlyStars(action)
}

func onlyStars(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '*' {
			return false
		}
	}
	return true
}
