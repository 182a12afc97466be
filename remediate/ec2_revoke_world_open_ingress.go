package remediate

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func ec2RevokeWorldOpenIngress() *Remediation {
	return &Remediation{
		ID:            "ec2-revoke-world-open-ingress",
		Summary:       "Revokes the ingress rules that open the given ports (TCP or all protocols) to a /0 range, IPv4 or IPv6; every other rule stays.",
		ResourceTypes: []string{securityGroupType},
		Fixes:         []string{"restricted-ssh", "restricted-common-ports"},
		Parameters: []Parameter{
			{Name: "ports", Type: PortRangesParameter, Default: "20,21,22,3306,3389,4333",
				Description: "Comma-separated ports and ranges (\"22,8000-8100\") that must not be open to the world."},
		},
		APIs: []string{"ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules", "ec2:RevokeSecurityGroupIngress"},
		run:  runEC2RevokeWorldOpenIngress,
	}
}

func runEC2RevokeWorldOpenIngress(r *run) error {
	_, arn, err := r.securityGroup()
	if err != nil {
		return err
	}
	rules, err := r.securityGroupRules(arn)
	if err != nil {
		return err
	}
	blocked := r.values.ports("ports")
	var ids, described []string
	for _, rule := range rules {
		if aws.ToBool(rule.IsEgress) || !worldOpen(rule) || !opensBlockedPort(rule, blocked) {
			continue
		}
		ids = append(ids, aws.ToString(rule.SecurityGroupRuleId))
		described = append(described, describeRule(rule))
	}
	if len(ids) == 0 {
		r.skip("ec2:RevokeSecurityGroupIngress", arn, fmt.Sprintf("no ingress rule opens ports %s to a /0 range", r.values.str("ports")))
		return nil
	}
	return r.write("ec2:RevokeSecurityGroupIngress", arn, "revoke "+strings.Join(described, "; "), func(ctx context.Context) error {
		out, err := r.clients.EC2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{
			GroupId:              aws.String(r.id),
			SecurityGroupRuleIds: ids,
		})
		if err == nil && out.Return != nil && !*out.Return {
			err = fmt.Errorf("the call returned false")
		}
		return err
	})
}

// worldOpen reports whether a rule's peer is a /0 range (0.0.0.0/0, ::/0
// or any other /0).
func worldOpen(rule ec2types.SecurityGroupRule) bool {
	for _, cidr := range []*string{rule.CidrIpv4, rule.CidrIpv6} {
		if cidr == nil {
			continue
		}
		if p, err := netip.ParsePrefix(*cidr); err == nil && p.Bits() == 0 {
			return true
		}
	}
	return false
}

// opensBlockedPort reports whether a TCP or all-protocols rule covers one
// of the blocked ports. UDP and other protocols do not count.
func opensBlockedPort(rule ec2types.SecurityGroupRule, blocked []portRange) bool {
	from, to := int32(0), int32(65535)
	switch aws.ToString(rule.IpProtocol) {
	case "-1":
	case "tcp", "6":
		if f := aws.ToInt32(rule.FromPort); f != -1 && rule.FromPort != nil {
			from, to = f, aws.ToInt32(rule.ToPort)
		}
	default:
		return false
	}
	for _, b := range blocked {
		if b.from <= to && from <= b.to {
			return true
		}
	}
	return false
}
