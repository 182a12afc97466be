package rules

import (
	"context"
	"fmt"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/policy"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// RestrictedCommonPorts checks that no inbound rule of a security group
// lets a /0 range reach the blocked TCP ports: blockedPort1 to
// blockedPort5 (by default 20, 21, 3389, 3306 and 4333, as the managed
// rule) and the ports of blockedPorts. A rule for all traffic (-1) or a
// TCP range that includes a blocked port counts; UDP rules do not, since
// the managed rule is about TCP.
func RestrictedCommonPorts() evaluate.Rule {
	params := []evaluate.Parameter{
		{Name: "blockedPort1", Type: evaluate.Int, Default: "20", Description: "Blocked TCP port; the default 20 is FTP data transfer."},
		{Name: "blockedPort2", Type: evaluate.Int, Default: "21", Description: "Blocked TCP port; the default 21 is FTP command control."},
		{Name: "blockedPort3", Type: evaluate.Int, Default: "3389", Description: "Blocked TCP port; the default 3389 is the Remote Desktop Protocol."},
		{Name: "blockedPort4", Type: evaluate.Int, Default: "3306", Description: "Blocked TCP port; the default 3306 is MySQL."},
		{Name: "blockedPort5", Type: evaluate.Int, Default: "4333", Description: "Blocked TCP port; the default 4333 is mSQL, or any port of your environment."},
		{Name: "blockedPorts", Type: evaluate.CSV, Description: "More blocked TCP ports, comma-separated (for example 20,21,3306,3389); ranges such as 5432-5433 are accepted."},
	}
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "restricted-common-ports",
		Summary:       "Security groups do not allow the blocked TCP ports (by default 20, 21, 3389, 3306, 4333) from 0.0.0.0/0 or ::/0.",
		Rationale:     "File transfer, remote desktop and database ports open to the internet are scanned and attacked constantly; they should be reachable from known ranges only.",
		ResourceTypes: []string{resource.SecurityGroupType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange, evaluate.Periodic},
		Parameters:    params,
		Severity:      evaluate.High,
		ManagedRule:   "RESTRICTED_INCOMING_TRAFFIC",
		Controls:      []string{"SecurityHub:EC2.19", "CIS-AWS-1.2:4.2", "CIS-AWS-1.4:5.2"},
		Remediations:  []string{"ec2-revoke-world-open-ingress"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/restricted-common-ports.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		var blocked policy.PortList
		for i := 1; i <= 5; i++ {
			name := fmt.Sprintf("blockedPort%d", i)
			if !p.Has(name) {
				continue
			}
			port := p.Int(name)
			if port < 0 || port > policy.MaxPort {
				return nil, &evaluate.ParamError{Name: name, Value: p.Raw(name), Err: fmt.Errorf("not a port (0-%d)", policy.MaxPort)}
			}
			blocked = blocked.Union(policy.Ports(port))
		}
		if p.Has("blockedPorts") {
			more, err := policy.ParsePortList(p.Raw("blockedPorts"))
			if err != nil {
				return nil, &evaluate.ParamError{Name: "blockedPorts", Value: p.Raw("blockedPorts"), Err: err}
			}
			blocked = blocked.Union(more)
		}
		what := "the blocked TCP ports " + blocked.String()
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			return worldOpenPorts(in, blocked, what)
		}), nil
	})
}
