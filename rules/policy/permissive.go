package policy

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// NotMorePermissive compares a bucket policy with a control policy, for the
// managed rule s3-bucket-policy-not-more-permissive (parameter
// controlPolicy): every Allow statement of d must be covered by one Allow
// statement of control, and each Allow statement that is not is returned.
//
// A control statement covers a statement when it covers
//
//   - its principals: "*" in the control covers anything; otherwise each
//     principal must be matched, type by type, by a control value ('*'
//     matches partially; an account id and its :root ARN are the same
//     principal); a statement for everyone (or with NotPrincipal) is covered
//     only by "*";
//   - its actions: each pattern must be covered by a control pattern
//     ("s3:Get*" covers "s3:GetObject", "s3:*" covers "s3:Get*"); a NotAction
//     statement is covered only by a control that allows every action, or
//     whose own NotAction list is covered by the statement's;
//   - its resources, likewise (case-sensitive);
//   - its conditions: every condition of the control must appear in the
//     statement, with the same operator and key, and values at least as
//     strict (a subset for StringEquals and IpAddress, patterns covered for
//     StringLike, a superset for the negated operators, the same values for
//     the others). Extra conditions in the statement only narrow it.
//
// Deny statements of either policy are not compared: a Deny never widens a
// policy. The comparison is made on every Allow statement, including grants
// within the bucket owner's account, since a policy alone does not say which
// account owns the bucket.
func (d *Document) NotMorePermissive(control *Document) []Finding {
	var out []Finding
	for i := range d.Statements {
		st := &d.Statements[i]
		if st.Effect != Allow {
			continue
		}
		best, bestIdx, bestMiss := -1, -1, ""
		covered := false
		for j := range control.Statements {
			c := &control.Statements[j]
			if c.Effect != Allow {
				continue
			}
			score, miss := c.coverage(st)
			if miss == "" {
				covered = true
				break
			}
			if score > best {
				best, bestIdx, bestMiss = score, j, miss
			}
		}
		if covered {
			continue
		}
		reason := "no Allow statement of the control policy covers it"
		if bestIdx >= 0 {
			reason = fmt.Sprintf("is not covered by the control policy: its closest statement, Statement[%d], does not cover its %s", bestIdx, bestMiss)
		}
		out = append(out, Finding{Statement: i, Sid: st.Sid, Actions: st.actionList(), Reason: reason})
	}
	return out
}

// coverage checks whether control statement c covers s, dimension by
// dimension; it returns how many dimensions passed and the first that did
// not ("" when all pass).
func (c *Statement) coverage(s *Statement) (int, string) {
	checks := []struct {
		name string
		ok   func() bool
	}{
		{"principals", func() bool { return c.coversPrincipals(s) }},
		{"actions", func() bool {
			return coversList(c.Action, c.NotAction, s.Action, s.NotAction, "*", true)
		}},
		{"resources", func() bool {
			return coversList(c.Resource, c.NotResource, s.Resource, s.NotResource, "*", false)
		}},
		{"conditions", func() bool { return c.coversConditions(s) }},
	}
	for k, ch := range checks {
		if !ch.ok() {
			return k, ch.name
		}
	}
	return len(checks), ""
}

// coversList decides whether the control list (list or notList) covers the
// statement's (sList or sNotList). A statement with neither list applies to
// everything, as does a control with neither.
func coversList(list, notList, sList, sNotList []string, all string, fold bool) bool {
	switch {
	case list == nil && notList == nil:
		return true
	case sList == nil && sNotList == nil:
		return anyCovers(list, all, fold)
	case sNotList != nil:
		// The statement applies to everything outside sNotList.
		if list != nil {
			return anyCovers(list, all, fold)
		}
		// Control applies outside notList: need notList ⊆ sNotList.
		for _, n := range notList {
			if !anyCovers(sNotList, n, fold) {
				return false
			}
		}
		return true
	case list != nil:
		for _, v := range sList {
			if !anyCovers(list, v, fold) {
				return false
			}
		}
		return true
	default:
		for _, v := range sList {
			for _, n := range notList {
				if globsIntersect(n, v, fold) {
					return false
				}
			}
		}
		return true
	}
}

func anyCovers(patterns []string, v string, fold bool) bool {
	for _, p := range patterns {
		if globCovers(p, v, fold) {
			return true
		}
	}
	return false
}

func (c *Statement) coversPrincipals(s *Statement) bool {
	if c.NotPrincipal == nil && c.Principal == nil {
		return s.NotPrincipal == nil && s.Principal == nil
	}
	// Only a plain "*" in the control stands for everyone here: a partial
	// wildcard ("arn:aws:iam::444455556666:role/*") covers what it matches.
	if c.Principal != nil && c.Principal.literalEveryone() {
		return true
	}
	if s.NotPrincipal != nil || s.Principal == nil || s.Principal.Everyone() {
		return false
	}
	sp := s.Principal
	if c.NotPrincipal != nil {
		np := c.NotPrincipal
		return !anyPrincipalMatches(np.AWS, sp.AWS, true) &&
			!anyPrincipalMatches(np.Service, sp.Service, false) &&
			!anyPrincipalMatches(np.Federated, sp.Federated, false) &&
			!anyPrincipalMatches(np.CanonicalUser, sp.CanonicalUser, false)
	}
	cp := c.Principal
	return allPrincipalsCovered(cp.AWS, sp.AWS, true) &&
		allPrincipalsCovered(cp.Service, sp.Service, false) &&
		allPrincipalsCovered(cp.Federated, sp.Federated, false) &&
		allPrincipalsCovered(cp.CanonicalUser, sp.CanonicalUser, false)
}

// literalEveryone reports whether the principal is "*" or lists "*" itself.
func (p *Principal) literalEveryone() bool {
	if p.Wildcard {
		return true
	}
	for _, list := range [...][]string{p.AWS, p.Service, p.Federated, p.CanonicalUser} {
		for _, v := range list {
			if v == "*" {
				return true
			}
		}
	}
	return false
}

// principalForms returns the spellings of one principal: an account id and
// its root ARN are the same principal.
func principalForms(v string, aws bool) []string {
	if aws {
		if id, ok := accountPrincipal(v); ok {
			if id == v {
				return []string{v, "arn:aws:iam::" + id + ":root"}
			}
			return []string{v, id}
		}
	}
	return []string{v}
}

func allPrincipalsCovered(control, values []string, aws bool) bool {
	for _, v := range values {
		ok := false
		for _, form := range principalForms(v, aws) {
			for _, c := range control {
				for _, cf := range principalForms(c, aws) {
					if globCovers(cf, form, !aws) {
						ok = true
					}
				}
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func anyPrincipalMatches(excluded, values []string, aws bool) bool {
	for _, v := range values {
		for _, form := range principalForms(v, aws) {
			for _, e := range excluded {
				for _, ef := range principalForms(e, aws) {
					if globsIntersect(ef, form, !aws) {
						return true
					}
				}
			}
		}
	}
	return false
}

func (c *Statement) coversConditions(s *Statement) bool {
	for k := range c.Conditions {
		cc := &c.Conditions[k]
		found := false
		for m := range s.Conditions {
			sc := &s.Conditions[m]
			if sc.CanonicalKey == cc.CanonicalKey && sc.Test == cc.Test && sc.Qualifier == cc.Qualifier &&
				(!sc.IfExists || cc.IfExists) && conditionValuesAtLeastAsStrict(cc, sc) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// conditionValuesAtLeastAsStrict reports whether the statement's values (s)
// admit no request that the control's values (c) do not.
func conditionValuesAtLeastAsStrict(c, s *Condition) bool {
	switch c.Test {
	case "StringEquals", "ArnEquals", "BinaryEquals":
		return subset(s.Values, c.Values, func(a, b string) bool { return a == b })
	case "StringEqualsIgnoreCase":
		return subset(s.Values, c.Values, strings.EqualFold)
	case "StringLike", "ArnLike":
		return subset(s.Values, c.Values, func(v, p string) bool { return globCovers(p, v, false) })
	case "IpAddress":
		return subset(s.Values, c.Values, rangeWithin)
	case "StringNotEquals", "ArnNotEquals":
		return subset(c.Values, s.Values, func(a, b string) bool { return a == b })
	case "StringNotEqualsIgnoreCase":
		return subset(c.Values, s.Values, strings.EqualFold)
	case "StringNotLike", "ArnNotLike":
		return subset(c.Values, s.Values, func(v, p string) bool { return globCovers(p, v, false) })
	case "NotIpAddress":
		return subset(c.Values, s.Values, rangeWithin)
	default:
		return subset(s.Values, c.Values, strings.EqualFold) && subset(c.Values, s.Values, strings.EqualFold)
	}
}

// subset reports whether every value of small has a partner in big.
func subset(small, big []string, match func(v, in string) bool) bool {
	for _, v := range small {
		if !slices.ContainsFunc(big, func(b string) bool { return match(v, b) }) {
			return false
		}
	}
	return true
}

// rangeWithin reports whether the address or range v lies inside the range n.
func rangeWithin(v, n string) bool {
	p, ok := parseRange(n)
	if !ok {
		return false
	}
	return within(v, []netip.Prefix{p})
}
