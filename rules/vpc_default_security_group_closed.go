package rules

import (
	"context"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// VPCDefaultSecurityGroupClosed checks that the default security group of
// a VPC (the group named "default") has no inbound and no outbound rule.
// Other groups, and EC2-Classic's default groups (no vpcId), are
// NOT_APPLICABLE. Any rule counts, even one that only refers to the group
// itself or allows only egress.
func VPCDefaultSecurityGroupClosed() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "vpc-default-security-group-closed",
		Summary:       "The default security group of each VPC allows no inbound or outbound traffic.",
		Rationale:     "Resources launched without a chosen group land in the default one; keeping it closed stops them from being reachable or reaching out by accident.",
		ResourceTypes: []string{resource.SecurityGroupType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters:    []evaluate.Parameter{},
		Severity:      evaluate.Medium,
		ManagedRule:   "VPC_DEFAULT_SECURITY_GROUP_CLOSED",
		Controls:      []string{"SecurityHub:EC2.2", "CIS-AWS-1.2:4.3", "CIS-AWS-1.4:5.3"},
		Remediations:  []string{"ec2-close-default-security-group"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/vpc-default-security-group-closed.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			sg, err := sgViews.Of(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			switch {
			case sg.Name != "default":
				return evaluate.NotApplicablef("Security group %s (%s) is not a default security group.", sg.ID, sg.Name), nil
			case sg.VpcID == "" && firstUnknownPath(in.Item, "configuration.vpcId") == "":
				return evaluate.NotApplicablef("Security group %s is the default group of EC2-Classic, not of a VPC.", sg.ID), nil
			}
			nIn, nOut := len(sg.SecurityGroup.Ingress), len(sg.SecurityGroup.Egress)
			switch {
			case nIn+nOut > 0:
				return evaluate.NonCompliantf("Default security group %s of VPC %s has rules (%d inbound, %d outbound).", sg.ID, sg.VpcID, nIn, nOut), nil
			case sg.unknownIngress != "":
				return evaluate.InsufficientDataf("Default security group %s: %s is not known until deployment.", sg.ID, sg.unknownIngress), nil
			case sg.unknownEgress != "":
				return evaluate.InsufficientDataf("Default security group %s: %s is not known until deployment.", sg.ID, sg.unknownEgress), nil
			}
			return evaluate.Compliantf("Default security group %s of VPC %s has no inbound or outbound rules.", sg.ID, sg.VpcID), nil
		}), nil
	})
}
