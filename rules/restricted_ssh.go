package rules

import (
	"context"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/policy"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// sshPort is what restricted-ssh guards.
var sshPort = policy.Ports(22)

// RestrictedSSH checks that no inbound rule of a security group lets a /0
// range (0.0.0.0/0, ::/0, or any other /0) reach TCP port 22. A rule for
// all traffic (-1) or a TCP range that includes 22 counts; rules that name
// security groups or prefix lists do not.
func RestrictedSSH() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "restricted-ssh",
		Summary:       "Security groups do not allow SSH (TCP 22) from 0.0.0.0/0 or ::/0.",
		Rationale:     "SSH open to the internet invites brute-force attacks and exploits of the SSH server; administrative access should come from known ranges only.",
		ResourceTypes: []string{resource.SecurityGroupType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange, evaluate.Periodic},
		Parameters:    []evaluate.Parameter{},
		Severity:      evaluate.High,
		ManagedRule:   "INCOMING_SSH_DISABLED",
		Controls:      []string{"SecurityHub:EC2.13", "CIS-AWS-1.2:4.1", "CIS-AWS-1.4:5.2"},
		Remediations:  []string{"ec2-revoke-world-open-ingress"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/restricted-ssh.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			return worldOpenPorts(in, sshPort, "SSH (TCP 22)")
		}), nil
	})
}

// worldOpenPorts is restricted-ssh and restricted-common-ports: no /0 range
// may reach the ports over TCP.
func worldOpenPorts(in *evaluate.Input, ports policy.PortList, what string) (evaluate.Result, error) {
	sg, err := sgViews.Of(in)
	if err != nil {
		return evaluate.Result{}, err
	}
	exps, err := policy.WorldOpen(sg.Ingress, policy.TCP, ports)
	if err != nil {
		return evaluate.Result{}, sgPermissionError(err, "configuration.ipPermissions", sg.ingressIndex)
	}
	switch {
	case len(exps) > 0:
		return evaluate.NonCompliantf("Security group %s allows %s.", sg.ID, describeExposures(exps, policy.TCP)), nil
	case sg.unknownIngress != "":
		return evaluate.InsufficientDataf("Security group %s: %s is not known until deployment, so %s may be open.", sg.ID, sg.unknownIngress, what), nil
	}
	return evaluate.Compliantf("Security group %s allows %s from no /0 range.", sg.ID, what), nil
}
