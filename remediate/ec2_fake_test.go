package remediate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

const ec2NS = `xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"`

// fakeRule is one security group rule as EC2 keeps it.
type fakeRule struct {
	id        string
	egress    bool
	proto     string
	from, to  int // -1 for none
	cidr4     string
	cidr6     string
	peerGroup string
}

func (r fakeRule) xml(group string) string {
	s := fmt.Sprintf(`<item><securityGroupRuleId>%s</securityGroupRuleId><groupId>%s</groupId><groupOwnerId>123456789012</groupOwnerId><isEgress>%t</isEgress><ipProtocol>%s</ipProtocol><fromPort>%d</fromPort><toPort>%d</toPort>`,
		r.id, group, r.egress, r.proto, r.from, r.to)
	switch {
	case r.cidr4 != "":
		s += "<cidrIpv4>" + r.cidr4 + "</cidrIpv4>"
	case r.cidr6 != "":
		s += "<cidrIpv6>" + r.cidr6 + "</cidrIpv6>"
	case r.peerGroup != "":
		s += "<referencedGroupInfo><groupId>" + r.peerGroup + "</groupId><userId>123456789012</userId></referencedGroupInfo>"
	}
	return s + "</item>"
}

// fakeSecurityGroup is a group whose rules the fake keeps and revokes.
type fakeSecurityGroup struct {
	mu    sync.Mutex
	id    string
	name  string
	rules []fakeRule
}

// rulePageSize makes DescribeSecurityGroupRules answer in pages, so the
// paginator is exercised.
const rulePageSize = 3

func (f *fakeAWS) securityGroup(id, name string, rules []fakeRule) *fakeSecurityGroup {
	g := &fakeSecurityGroup{id: id, name: name, rules: slices.Clone(rules)}
	f.on("ec2:DescribeSecurityGroups", func(c call) reply {
		if c.Form.Get("GroupId.1") != id {
			return f.errorReply("ec2:DescribeSecurityGroups", 400, "InvalidGroup.NotFound", fmt.Sprintf("The security group '%s' does not exist", c.Form.Get("GroupId.1")))
		}
		return ok200(fmt.Sprintf(`<DescribeSecurityGroupsResponse %s><requestId>r</requestId><securityGroupInfo><item><ownerId>123456789012</ownerId><groupId>%s</groupId><groupName>%s</groupName><groupDescription>d</groupDescription><vpcId>vpc-0a1b2c3d4e5f60718</vpcId></item></securityGroupInfo></DescribeSecurityGroupsResponse>`, ec2NS, id, name))
	})
	f.on("ec2:DescribeSecurityGroupRules", func(c call) reply {
		if c.Form.Get("Filter.1.Name") != "group-id" || c.Form.Get("Filter.1.Value.1") != id {
			return f.errorReply("ec2:DescribeSecurityGroupRules", 400, "InvalidParameterValue", "want a group-id filter for "+id)
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		start, _ := strconv.Atoi(c.Form.Get("NextToken"))
		end := min(start+rulePageSize, len(g.rules))
		var items strings.Builder
		for _, r := range g.rules[start:end] {
			items.WriteString(r.xml(id))
		}
		next := ""
		if end < len(g.rules) {
			next = fmt.Sprintf("<nextToken>%d</nextToken>", end)
		}
		return ok200(fmt.Sprintf(`<DescribeSecurityGroupRulesResponse %s><requestId>r</requestId><securityGroupRuleSet>%s</securityGroupRuleSet>%s</DescribeSecurityGroupRulesResponse>`, ec2NS, items.String(), next))
	})
	revoke := func(api string, egress bool) handler {
		return func(c call) reply {
			if c.Form.Get("GroupId") != id {
				return f.errorReply(api, 400, "InvalidGroup.NotFound", "no such group")
			}
			g.mu.Lock()
			defer g.mu.Unlock()
			for i := 1; ; i++ {
				rid := c.Form.Get(fmt.Sprintf("SecurityGroupRuleId.%d", i))
				if rid == "" {
					break
				}
				at := slices.IndexFunc(g.rules, func(r fakeRule) bool { return r.id == rid && r.egress == egress })
				if at < 0 {
					return f.errorReply(api, 400, "InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '"+rid+"' does not exist")
				}
				g.rules = slices.Delete(g.rules, at, at+1)
			}
			name := strings.TrimPrefix(api, "ec2:")
			return ok200(fmt.Sprintf(`<%sResponse %s><requestId>r</requestId><return>true</return></%sResponse>`, name, ec2NS, name))
		}
	}
	f.on("ec2:RevokeSecurityGroupIngress", revoke("ec2:RevokeSecurityGroupIngress", false))
	f.on("ec2:RevokeSecurityGroupEgress", revoke("ec2:RevokeSecurityGroupEgress", true))
	return g
}

func (g *fakeSecurityGroup) ruleIDs() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var ids []string
	for _, r := range g.rules {
		ids = append(ids, r.id)
	}
	return ids
}
