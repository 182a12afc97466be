package policy

import (
	"fmt"
	"net/netip"
	"strings"
)

// Grantees lists whom the Allow statements of a policy let in, and the
// network origins their conditions name. Lists keep the order of first
// appearance, without duplicates.
type Grantees struct {
	Everyone           bool     // an Allow names "*" (in any form) or uses NotPrincipal
	AWS                []string // account ids, ARNs, unique ids
	Service            []string
	Federated          []string
	CanonicalUser      []string
	SourceIPs          []string // values of aws:SourceIp under IpAddress
	SourceVPCs         []string // values of aws:SourceVpc under StringEquals, StringLike and their forms
	SourceVPCEndpoints []string // values of aws:SourceVpce, likewise
}

// Grantees collects the principals and network origins of the Allow
// statements. Values given with a wildcard are listed as written, and
// wildcard principals also set Everyone.
func (d *Document) Grantees() Grantees {
	var g Grantees
	for i := range d.Statements {
		st := &d.Statements[i]
		if st.Effect != Allow {
			continue
		}
		if _, open := st.openPrincipal(); open {
			g.Everyone = true
		}
		if p := st.Principal; p != nil {
			g.AWS = appendUnique(g.AWS, p.AWS...)
			g.Service = appendUnique(g.Service, p.Service...)
			g.Federated = appendUnique(g.Federated, p.Federated...)
			g.CanonicalUser = appendUnique(g.CanonicalUser, p.CanonicalUser...)
		}
		for k := range st.Conditions {
			c := &st.Conditions[k]
			switch {
			case c.CanonicalKey == "aws:sourceip" && c.Test == "IpAddress":
				g.SourceIPs = appendUnique(g.SourceIPs, c.Values...)
			case c.CanonicalKey == "aws:sourcevpc" && positiveString(c.Test):
				g.SourceVPCs = appendUnique(g.SourceVPCs, c.Values...)
			case c.CanonicalKey == "aws:sourcevpce" && positiveString(c.Test):
				g.SourceVPCEndpoints = appendUnique(g.SourceVPCEndpoints, c.Values...)
			}
		}
	}
	return g
}

func positiveString(test string) bool {
	switch test {
	case "StringEquals", "StringEqualsIgnoreCase", "StringLike":
		return true
	}
	return false
}

// A GranteeAllowlist holds the parameters of the managed rule
// s3-bucket-policy-grantee-check, each a comma-separated list in Config.
type GranteeAllowlist struct {
	AWSPrincipals     []string // account ids or principal ARNs; '*' matches partially ("arn:aws:iam::111122223333:role/*")
	ServicePrincipals []string // "cloudtrail.amazonaws.com"
	FederatedUsers    []string // "cognito-identity.amazonaws.com", SAML provider ARNs
	IPAddresses       []string // addresses or CIDR ranges ("10.0.0.1", "192.168.1.0/24", "2001:db8::/32")
	VPCIDs            []string // "vpc-1234abc0"
}

// GranteesOutside returns the Allow statements whose access is not restricted
// by the allowlist, following s3-bucket-policy-grantee-check: each statement
// is judged on its own, and passes when every principal it names is in the
// allowlist, or when a condition restricts it to allowed IP addresses
// (IpAddress on aws:SourceIp, every range inside an allowed range) or to
// allowed VPCs (StringEquals on aws:SourceVpc, every value allowed).
//
// An account id in AWSPrincipals stands for the account principal itself
// ("111122223333" or "arn:aws:iam::111122223333:root"), not for every role
// and user in it: the managed rule asks for exact matches or explicit
// partial matches. A principal of "*", NotPrincipal and canonical user ids
// are never in the allowlist. Statements without a principal (identity
// policies) are skipped. An IP address or range that does not parse is an
// error naming it.
func (d *Document) GranteesOutside(allow GranteeAllowlist) ([]Finding, error) {
	nets := make([]netip.Prefix, 0, len(allow.IPAddresses))
	for _, v := range allow.IPAddresses {
		p, ok := parseRange(v)
		if !ok {
			return nil, fmt.Errorf("ipAddresses: %q is not an IP address or CIDR range", v)
		}
		nets = append(nets, p)
	}
	var out []Finding
	for i := range d.Statements {
		st := &d.Statements[i]
		if st.Effect != Allow || (st.Principal == nil && st.NotPrincipal == nil) {
			continue
		}
		who, listed := st.unlistedPrincipal(&allow)
		if listed || st.restrictedToIPs(nets) || st.restrictedToVPCs(allow.VPCIDs) {
			continue
		}
		out = append(out, Finding{
			Statement: i,
			Sid:       st.Sid,
			Actions:   st.actionList(),
			Reason:    fmt.Sprintf("grants access to %s, which is not among the allowed principals, and no condition restricts it to the allowed IP addresses or VPCs", who),
		})
	}
	return out, nil
}

func (s *Statement) actionList() []string {
	if s.NotAction != nil {
		return s.NotAction
	}
	return s.Action
}

// unlistedPrincipal returns the first principal of the statement that the
// allowlist does not hold, or listed = true when it holds them all.
func (s *Statement) unlistedPrincipal(allow *GranteeAllowlist) (who string, listed bool) {
	if s.NotPrincipal != nil {
		return "everyone (NotPrincipal)", false
	}
	p := s.Principal
	if how, open := s.openPrincipal(); open && s.Effect == Allow {
		return "everyone (" + how + ")", false
	}
	for _, v := range p.AWS {
		if !awsPrincipalListed(v, allow.AWSPrincipals) {
			return fmt.Sprintf("{%q: %q}", "AWS", v), false
		}
	}
	for _, v := range p.Service {
		if !containsFold(allow.ServicePrincipals, v) {
			return fmt.Sprintf("{%q: %q}", "Service", v), false
		}
	}
	for _, v := range p.Federated {
		if !containsFold(allow.FederatedUsers, v) {
			return fmt.Sprintf("{%q: %q}", "Federated", v), false
		}
	}
	if len(p.CanonicalUser) > 0 {
		return fmt.Sprintf("{%q: %q}", "CanonicalUser", p.CanonicalUser[0]), false
	}
	return "", true
}

// accountPrincipal returns the account id an AWS principal stands for when it
// is an account ("111122223333" or "arn:<partition>:iam::111122223333:root").
func accountPrincipal(v string) (string, bool) {
	if isAccountID(v) {
		return v, true
	}
	if rest, ok := strings.CutPrefix(v, "arn:"); ok {
		parts := strings.Split(rest, ":")
		if len(parts) == 5 && parts[1] == "iam" && parts[2] == "" && isAccountID(parts[3]) && parts[4] == "root" {
			return parts[3], true
		}
	}
	return "", false
}

func awsPrincipalListed(v string, allowed []string) bool {
	account, isAccount := accountPrincipal(v)
	for _, a := range allowed {
		a = strings.TrimSpace(a)
		if isAccountID(a) {
			if isAccount && account == a {
				return true
			}
			continue
		}
		if matchGlob(a, v, false) {
			return true
		}
		if isAccount && matchGlob(a, "arn:aws:iam::"+account+":root", false) {
			return true
		}
	}
	return false
}

// parseRange reads an address (as a single-address range) or a CIDR range.
func parseRange(v string) (netip.Prefix, bool) {
	v = strings.TrimSpace(v)
	if strings.ContainsRune(v, '/') {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// within reports whether the range v lies inside one of nets.
func within(v string, nets []netip.Prefix) bool {
	p, ok := parseRange(v)
	if !ok {
		return false
	}
	for _, n := range nets {
		if n.Addr().Is4() == p.Addr().Is4() && n.Bits() <= p.Bits() && n.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

func (s *Statement) restrictedToIPs(nets []netip.Prefix) bool {
	if len(nets) == 0 {
		return false
	}
	for k := range s.Conditions {
		c := &s.Conditions[k]
		if c.CanonicalKey != "aws:sourceip" || c.Test != "IpAddress" || c.IfExists || c.Qualifier == "ForAllValues" {
			continue
		}
		all := true
		for _, v := range c.Values {
			if !within(v, nets) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

func (s *Statement) restrictedToVPCs(vpcs []string) bool {
	if len(vpcs) == 0 {
		return false
	}
	for k := range s.Conditions {
		c := &s.Conditions[k]
		if c.CanonicalKey != "aws:sourcevpc" || !positiveString(c.Test) || c.IfExists || c.Qualifier == "ForAllValues" {
			continue
		}
		all := true
		for _, v := range c.Values {
			if hasWildcard(v) && c.Test == "StringLike" || !containsFold(vpcs, v) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}
