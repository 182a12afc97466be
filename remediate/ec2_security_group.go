package remediate

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// securityGroup reads the target group and its ARN.
func (r *run) securityGroup() (*ec2types.SecurityGroup, string, error) {
	sg := r.id
	unknownARN := r.ec2ARN("", "security-group", sg)
	out, err := r.clients.EC2.DescribeSecurityGroups(r.ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{sg}})
	if err != nil {
		return nil, "", apiError("ec2:DescribeSecurityGroups", unknownARN, err)
	}
	for i := range out.SecurityGroups {
		if g := &out.SecurityGroups[i]; aws.ToString(g.GroupId) == sg {
			return g, r.ec2ARN(aws.ToString(g.OwnerId), "security-group", sg), nil
		}
	}
	return nil, "", fmt.Errorf("ec2:DescribeSecurityGroups %s: the security group was not in the answer", unknownARN)
}

// securityGroupRules lists every rule of the target group, ingress and
// egress, one per CIDR, prefix list or referenced group.
func (r *run) securityGroupRules(arn string) ([]ec2types.SecurityGroupRule, error) {
	var rules []ec2types.SecurityGroupRule
	p := ec2.NewDescribeSecurityGroupRulesPaginator(r.clients.EC2, &ec2.DescribeSecurityGroupRulesInput{
		Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: []string{r.id}}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(r.ctx)
		if err != nil {
			return nil, apiError("ec2:DescribeSecurityGroupRules", arn, err)
		}
		for _, rule := range page.SecurityGroupRules {
			if aws.ToString(rule.GroupId) == r.id {
				rules = append(rules, rule)
			}
		}
	}
	return rules, nil
}

// describeRule is a rule in words: "sgr-1 tcp 22 from 0.0.0.0/0".
func describeRule(rule ec2types.SecurityGroupRule) string {
	proto := aws.ToString(rule.IpProtocol)
	ports := ""
	if proto != "-1" {
		from, to := aws.ToInt32(rule.FromPort), aws.ToInt32(rule.ToPort)
		switch {
		case from == -1 || (from == 0 && to == 65535 && (proto == "tcp" || proto == "udp")):
			ports = " all ports"
		case from == to:
			ports = fmt.Sprintf(" %d", from)
		default:
			ports = fmt.Sprintf(" %d-%d", from, to)
		}
	} else {
		proto = "all protocols"
	}
	peer := "?"
	switch {
	case rule.CidrIpv4 != nil:
		peer = *rule.CidrIpv4
	case rule.CidrIpv6 != nil:
		peer = *rule.CidrIpv6
	case rule.PrefixListId != nil:
		peer = *rule.PrefixListId
	case rule.ReferencedGroupInfo != nil:
		peer = aws.ToString(rule.ReferencedGroupInfo.GroupId)
	}
	dir := "from"
	if aws.ToBool(rule.IsEgress) {
		dir = "to"
	}
	return fmt.Sprintf("%s %s%s %s %s", aws.ToString(rule.SecurityGroupRuleId), proto, ports, dir, peer)
}
