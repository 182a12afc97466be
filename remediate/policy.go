package remediate

import (
	"slices"
)

// Policy is an IAM policy document.
type Policy struct {
	Version   string            `json:"Version" yaml:"Version"`
	Statement []PolicyStatement `json:"Statement" yaml:"Statement"`
}

// PolicyStatement is one statement of a [Policy].
type PolicyStatement struct {
	Sid       string                       `json:"Sid" yaml:"Sid"`
	Effect    string                       `json:"Effect" yaml:"Effect"`
	Action    []string                     `json:"Action" yaml:"Action"`
	Resource  string                       `json:"Resource" yaml:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty" yaml:"Condition,omitempty"`
}

// PolicyFor returns the least-privilege IAM policy that lets the given
// remediations run: exactly the union of their declared actions, and
// iam:PassRole only towards the services they pass a role to. The
// resources are "*" because the targets are known only when Config calls.
func PolicyFor(rems ...*Remediation) Policy {
	var actions, passTo []string
	for _, r := range rems {
		for _, a := range iamActions(r.APIs, r.extraActions) {
			if a != "iam:PassRole" {
				actions = append(actions, a)
			}
		}
		passTo = append(passTo, r.passRoleTo...)
	}
	slices.Sort(actions)
	actions = slices.Compact(actions)
	slices.Sort(passTo)
	passTo = slices.Compact(passTo)

	p := Policy{Version: "2012-10-17", Statement: []PolicyStatement{}}
	if len(actions) > 0 {
		p.Statement = append(p.Statement, PolicyStatement{Sid: "Remediate", Effect: "Allow", Action: actions, Resource: "*"})
	}
	for _, svc := range passTo {
		p.Statement = append(p.Statement, PolicyStatement{
			Sid: "PassRoleTo" + sidPart(svc), Effect: "Allow", Action: []string{"iam:PassRole"}, Resource: "*",
			Condition: map[string]map[string]string{"StringEquals": {"iam:PassedToService": svc}},
		})
	}
	return p
}

// sidPart keeps the letters and digits of s, as a Sid allows only those.
func sidPart(s string) string {
	out := make([]rune, 0, len(s))
	upper := true
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z':
			if upper {
				c -= 'a' - 'A'
			}
			out, upper = append(out, c), false
		case c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
			out, upper = append(out, c), false
		default:
			upper = true
		}
	}
	return string(out)
}
