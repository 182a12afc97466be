package policy

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// A Finding names one statement that made a decision, and why.
type Finding struct {
	Statement int      // index in Document.Statements
	Sid       string   // the statement's Sid, "" when it has none
	Actions   []string // the action patterns involved, as written
	Reason    string   // one sentence, fit for an annotation
}

// String renders the finding for an annotation:
// `Statement[1] (Sid "PublicRead"): allows s3:GetObject to everyone`.
func (f Finding) String() string {
	return statementLabel(f.Statement, f.Sid) + ": " + f.Reason
}

func statementLabel(i int, sid string) string {
	label := "Statement[" + strconv.Itoa(i) + "]"
	if sid != "" {
		label += " (Sid " + strconv.Quote(sid) + ")"
	}
	return label
}

// A Grant is an Allow statement that grants access to anyone.
type Grant struct {
	Finding
	Principal string // how the statement opens up: `Principal "*"`, `Principal {"AWS": "*"}`, `NotPrincipal`
	NotAction bool   // Actions are the NotAction list: everything else is granted
	Read      bool   // grants at least one action of ReadActions
	Write     bool   // grants at least one action of WriteActions
}

// Public returns the statements that grant access to anyone, following S3's
// definition of a public policy (The meaning of "public", S3 User Guide). A
// statement is public when it is an Allow whose Principal is "*", {"AWS": "*"}
// or a list holding "*" (for any principal type), or which uses NotPrincipal,
// unless one of its conditions pins the caller or the request origin to fixed
// values; see the package documentation for the keys and operators that pin.
// Deny statements never make a policy public, and are not taken to offset a
// public Allow. The order is the order of the statements.
func (d *Document) Public() []Grant {
	var out []Grant
	for i := range d.Statements {
		st := &d.Statements[i]
		how, open := st.openPrincipal()
		if !open || st.pinned() {
			continue
		}
		g := Grant{
			Finding:   Finding{Statement: i, Sid: st.Sid},
			Principal: how,
			Read:      st.appliesToAnyOf(ReadActions),
			Write:     st.appliesToAnyOf(WriteActions),
		}
		verb := "allows"
		if st.NotAction != nil {
			g.Actions, g.NotAction = st.NotAction, true
			verb = "allows every action except"
		} else {
			g.Actions = st.Action
		}
		g.Reason = fmt.Sprintf("%s %s to everyone (%s, no condition restricting it to fixed accounts, networks or sources)", verb, strings.Join(g.Actions, ", "), how)
		out = append(out, g)
	}
	return out
}

// openPrincipal reports whether an Allow statement names every caller.
func (s *Statement) openPrincipal() (string, bool) {
	if s.Effect != Allow {
		return "", false
	}
	if s.NotPrincipal != nil {
		return "NotPrincipal", true
	}
	p := s.Principal
	if p == nil {
		return "", false
	}
	if p.Wildcard {
		return `Principal "*"`, true
	}
	for _, e := range [...]struct {
		name string
		list []string
	}{{"AWS", p.AWS}, {"Service", p.Service}, {"Federated", p.Federated}, {"CanonicalUser", p.CanonicalUser}} {
		for _, v := range e.list {
			if strings.ContainsRune(v, '*') {
				return fmt.Sprintf("Principal {%q: %q}", e.name, v), true
			}
		}
	}
	return "", false
}

// pinned reports whether one of the statement's conditions restricts it to
// fixed values (conditions are ANDed, so one is enough).
func (s *Statement) pinned() bool {
	for i := range s.Conditions {
		if s.Conditions[i].pins() {
			return true
		}
	}
	return false
}

// pinningKeys are the condition keys that make a statement non-public when
// given fixed values (S3 User Guide, The meaning of "public"), plus
// aws:PrincipalArn and aws:PrincipalOrgPaths, which fix the caller as
// aws:PrincipalOrgID does, and kms:CallerAccount, which fixes the caller's
// account in key policies (every AWS managed key policy uses it).
var pinningKeys = map[string]bool{
	"aws:sourceip":              true,
	"aws:sourcevpce":            true,
	"aws:sourcevpc":             true,
	"aws:principalorgid":        true,
	"aws:principalorgpaths":     true,
	"aws:principalaccount":      true,
	"aws:principalarn":          true,
	"aws:sourceaccount":         true,
	"aws:sourcearn":             true,
	"aws:sourceowner":           true,
	"aws:userid":                true,
	"s3:dataaccesspointarn":     true,
	"s3:dataaccesspointaccount": true,
	"kms:calleraccount":         true,
}

// pins reports whether the condition restricts a statement to fixed values.
// IfExists variants do not (a request without the key passes), nor do
// ForAllValues (true when the key is absent), nor negated operators.
func (c *Condition) pins() bool {
	if !pinningKeys[c.CanonicalKey] || c.IfExists || c.Qualifier == "ForAllValues" {
		return false
	}
	if c.CanonicalKey == "aws:sourceip" {
		if c.Test != "IpAddress" {
			return false
		}
		for _, v := range c.Values {
			if !narrowRange(v) {
				return false
			}
		}
		return true
	}
	switch c.Test {
	case "StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike":
	default:
		return false
	}
	for _, v := range c.Values {
		if !fixedValue(c.CanonicalKey, v) {
			return false
		}
	}
	return true
}

// narrowRange reports whether v is an IP address or a CIDR range that does
// not span the whole address space. Any /0 counts as open, whatever its
// address bits (192.168.1.0/0 is everything); an unparsable value is open.
func narrowRange(v string) bool {
	if strings.ContainsRune(v, '/') {
		p, err := netip.ParsePrefix(strings.TrimSpace(v))
		return err == nil && p.Bits() > 0
	}
	_, err := netip.ParseAddr(strings.TrimSpace(v))
	return err == nil
}

// fixedValue reports whether a condition value names fixed values: no
// wildcard and no policy variable. Two keys admit a wildcard by nature:
// s3:DataAccessPointArn in the access point name when the account is fixed
// (as S3 documents), and aws:PrincipalOrgPaths after a fixed organization id.
func fixedValue(key, v string) bool {
	if v == "" || strings.Contains(v, "${") {
		return false
	}
	if !hasWildcard(v) {
		return true
	}
	switch key {
	case "s3:dataaccesspointarn":
		// arn:partition:s3:region:account:accesspoint/name
		parts := strings.SplitN(v, ":", 6)
		if len(parts) != 6 || hasWildcard(strings.Join(parts[:5], ":")) || !isAccountID(parts[4]) {
			return false
		}
		_, ok := strings.CutPrefix(parts[5], "accesspoint/")
		return ok
	case "aws:principalorgpaths":
		org, _, found := strings.Cut(v, "/")
		return found && strings.HasPrefix(org, "o-") && !hasWildcard(org)
	}
	return false
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
