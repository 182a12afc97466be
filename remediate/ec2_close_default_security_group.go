package remediate

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

func ec2CloseDefaultSecurityGroup() *Remediation {
	return &Remediation{
		ID:            "ec2-close-default-security-group",
		Summary:       "Revokes every ingress and egress rule of a VPC's default security group (the group itself stays); refuses any other group.",
		ResourceTypes: []string{securityGroupType},
		Fixes:         []string{"vpc-default-security-group-closed"},
		APIs:          []string{"ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules", "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"},
		run:           runEC2CloseDefaultSecurityGroup,
	}
}

func runEC2CloseDefaultSecurityGroup(r *run) error {
	g, arn, err := r.securityGroup()
	if err != nil {
		return err
	}
	if name := aws.ToString(g.GroupName); name != "default" {
		return fmt.Errorf("remediation ec2-close-default-security-group: %s is %q, not a default security group; refusing to close it", arn, name)
	}
	rules, err := r.securityGroupRules(arn)
	if err != nil {
		return err
	}
	var ingress, egress, ingressText, egressText []string
	for _, rule := range rules {
		if aws.ToBool(rule.IsEgress) {
			egress = append(egress, aws.ToString(rule.SecurityGroupRuleId))
			egressText = append(egressText, describeRule(rule))
		} else {
			ingress = append(ingress, aws.ToString(rule.SecurityGroupRuleId))
			ingressText = append(ingressText, describeRule(rule))
		}
	}
	if len(ingress) == 0 {
		r.skip("ec2:RevokeSecurityGroupIngress", arn, "the default security group has no ingress rule")
	} else if err := r.write("ec2:RevokeSecurityGroupIngress", arn, "revoke "+strings.Join(ingressText, "; "), func(ctx context.Context) error {
		out, err := r.clients.EC2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(r.id), SecurityGroupRuleIds: ingress})
		if err == nil && out.Return != nil && !*out.Return {
			err = fmt.Errorf("the call returned false")
		}
		return err
	}); err != nil {
		return err
	}
	if len(egress) == 0 {
		r.skip("ec2:RevokeSecurityGroupEgress", arn, "the default security group has no egress rule")
		return nil
	}
	return r.write("ec2:RevokeSecurityGroupEgress", arn, "revoke "+strings.Join(egressText, "; "), func(ctx context.Context) error {
		out, err := r.clients.EC2.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(r.id), SecurityGroupRuleIds: egress})
		if err == nil && out.Return != nil && !*out.Return {
			err = fmt.Errorf("the call returned false")
		}
		return err
	})
}
