package rules

import (
	"context"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// EC2InstanceNoPublicIP checks that an instance has no public IPv4
// address: neither publicIpAddress nor a public IP associated with one of
// its network interfaces. IPv6 addresses are not judged, as for the
// managed rule. Terminated instances are NOT_APPLICABLE.
func EC2InstanceNoPublicIP() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "ec2-instance-no-public-ip",
		Summary:       "EC2 instances have no public IPv4 address.",
		Rationale:     "An instance with a public address is reachable from the internet whenever a security group or ACL slips; private instances behind load balancers or NAT are not.",
		ResourceTypes: []string{resource.EC2InstanceType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters:    []evaluate.Parameter{},
		Severity:      evaluate.High,
		ManagedRule:   "EC2_INSTANCE_NO_PUBLIC_IP",
		Controls:      []string{"SecurityHub:EC2.9"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/ec2-instance-no-public-ip.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			inst, err := resource.EC2InstanceOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if res, gone := instanceGone(inst); gone {
				return res, nil
			}
			if len(inst.PublicIPs) > 0 {
				return evaluate.NonCompliantf("Instance %s has public IPv4 address %s.", inst.ID, strings.Join(inst.PublicIPs, ", ")), nil
			}
			if u := firstUnknownPath(in.Item, "configuration.publicIpAddress", "configuration.networkInterfaces"); u != "" {
				return evaluate.InsufficientDataf("Instance %s: %s is not known until deployment.", inst.ID, u), nil
			}
			return evaluate.Compliantf("Instance %s has no public IPv4 address.", inst.ID), nil
		}), nil
	})
}
