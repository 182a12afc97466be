package policy

import (
	"fmt"
	"strings"
)

// BlacklistedActions returns the Allow statements that let a principal from
// outside accountID (the bucket owner's account) perform an action matching
// one of patterns, for the managed rule s3-bucket-blacklisted-actions-prohibited
// (parameter blacklistedActionPattern, e.g. "s3:GetBucket*,s3:DeleteObject",
// split by the caller). As the managed rule documents, only the Principal
// element is considered, not conditions.
//
// Outside the account means: "*" in any form, NotPrincipal, an AWS principal
// of another account, an AWS principal whose account cannot be read from it
// (a unique id such as AIDA...), a service principal (a service acts for any
// account unless conditions say otherwise, and conditions are not
// considered), a federated principal and a canonical user. Actions lists, for
// each finding, the blacklisted patterns the statement allows.
//
// accountID must be a 12-digit account id and every pattern non-empty.
func (d *Document) BlacklistedActions(accountID string, patterns []string) ([]Finding, error) {
	if !isAccountID(accountID) {
		return nil, fmt.Errorf("account id %q: must be 12 digits", accountID)
	}
	for i, p := range patterns {
		if strings.TrimSpace(p) == "" {
			return nil, fmt.Errorf("blacklistedActionPattern: pattern %d is empty", i+1)
		}
	}
	var out []Finding
	for i := range d.Statements {
		st := &d.Statements[i]
		if st.Effect != Allow {
			continue
		}
		who, outsider := st.outsidePrincipal(accountID)
		if !outsider {
			continue
		}
		var hit []string
		for _, p := range patterns {
			p = strings.TrimSpace(p)
			if st.AppliesToAny(p) {
				hit = append(hit, p)
			}
		}
		if len(hit) == 0 {
			continue
		}
		out = append(out, Finding{
			Statement: i,
			Sid:       st.Sid,
			Actions:   hit,
			Reason:    fmt.Sprintf("allows actions matching %s to %s, outside account %s", strings.Join(hit, ", "), who, accountID),
		})
	}
	return out, nil
}

// outsidePrincipal returns the first principal of the statement outside the
// account.
func (s *Statement) outsidePrincipal(account string) (string, bool) {
	if s.NotPrincipal != nil {
		return "everyone (NotPrincipal)", true
	}
	p := s.Principal
	if p == nil {
		return "", false
	}
	if how, open := s.openPrincipal(); open {
		return "everyone (" + how + ")", true
	}
	for _, v := range p.AWS {
		if principalAccount(v) != account {
			return fmt.Sprintf("{%q: %q}", "AWS", v), true
		}
	}
	for _, e := range [...]struct {
		name string
		list []string
	}{{"Service", p.Service}, {"Federated", p.Federated}, {"CanonicalUser", p.CanonicalUser}} {
		if len(e.list) > 0 {
			return fmt.Sprintf("{%q: %q}", e.name, e.list[0]), true
		}
	}
	return "", false
}

// principalAccount returns the account of an AWS principal given as an
// account id or an IAM or STS ARN, or "" when it cannot be told.
func principalAccount(v string) string {
	if isAccountID(v) {
		return v
	}
	rest, ok := strings.CutPrefix(v, "arn:")
	if !ok {
		return ""
	}
	parts := strings.SplitN(rest, ":", 5)
	if len(parts) == 5 && (parts[1] == "iam" || parts[1] == "sts") && isAccountID(parts[3]) {
		return parts[3]
	}
	return ""
}
