package watch

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/guardrails-go/guardrails/rules/policy"
)

// restrictedPorts are the ports a world-open ingress must not reach: those
// of the remediation ec2-revoke-world-open-ingress by default. Port 22
// breaks restricted-ssh, the others restricted-common-ports.
var restrictedPorts = mustPorts("20,21,22,3306,3389,4333")

func mustPorts(s string) policy.PortList {
	l, err := policy.ParsePortList(s)
	if err != nil {
		panic(err)
	}
	return l
}

func securityGroupDetection() Detection {
	return Detection{
		ID:           "ec2-security-group-opened-to-world",
		Summary:      "A security group ingress rule that lets a /0 range (IPv4 or IPv6) reach a restricted port (20, 21, 22, 3306, 3389, 4333) over TCP or all protocols.",
		Severity:     High,
		EventSource:  ec2Source,
		EventNames:   []string{"AuthorizeSecurityGroupIngress"},
		Rules:        []string{"restricted-ssh", "restricted-common-ports"},
		Remediations: []string{"ec2-revoke-world-open-ingress"},
		judge:        judgeIngress,
	}
}

// ingressPermissions turns an AuthorizeSecurityGroupIngress request into
// the permissions it adds, in both shapes CloudTrail records: the nested
// ipPermissions.items, and the flat parameters (cidrIp, fromPort, ...).
// paths[i] names permission i in errors.
func ingressPermissions(p value) (perms []policy.IPPermission, paths []string, err error) {
	items, err := p.get("ipPermissions").items()
	if err != nil {
		return nil, nil, err
	}
	for _, it := range items {
		if err := it.object(); err != nil {
			return nil, nil, err
		}
		perm, err := permission(it)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range [...]struct {
			list, key string
			dst       *[]string
		}{{"ipRanges", "cidrIp", &perm.IPv4}, {"ipv6Ranges", "cidrIpv6", &perm.IPv6}, {"prefixListIds", "prefixListId", &perm.PrefixLists}} {
			ranges, err := it.get(r.list).items()
			if err != nil {
				return nil, nil, err
			}
			for _, rg := range ranges {
				s, err := rg.get(r.key).str()
				if err != nil {
					return nil, nil, err
				}
				if s != "" {
					*r.dst = append(*r.dst, s)
				}
			}
		}
		groups, err := it.get("groups").items()
		if err != nil {
			return nil, nil, err
		}
		for _, g := range groups {
			id, err := g.get("groupId").str()
			if err != nil {
				return nil, nil, err
			}
			name, err := g.get("groupName").str()
			if err != nil {
				return nil, nil, err
			}
			perm.Groups = append(perm.Groups, policy.GroupPair{GroupID: id, GroupName: name})
		}
		perms = append(perms, perm)
		paths = append(paths, it.path)
	}
	// The flat shape: one permission in the top-level parameters.
	if proto := p.get("ipProtocol"); proto.present() {
		perm, err := permission(p)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range [...]struct {
			key string
			dst *[]string
		}{{"cidrIp", &perm.IPv4}, {"cidrIpv6", &perm.IPv6}} {
			s, err := p.get(r.key).str()
			if err != nil {
				return nil, nil, err
			}
			if s != "" {
				*r.dst = append(*r.dst, s)
			}
		}
		group, err := p.get("sourceSecurityGroupName").str()
		if err != nil {
			return nil, nil, err
		}
		if group != "" {
			perm.Groups = append(perm.Groups, policy.GroupPair{GroupName: group})
		}
		perms = append(perms, perm)
		paths = append(paths, p.path)
	}
	return perms, paths, nil
}

// permission reads the protocol and ports of a permission.
func permission(v value) (policy.IPPermission, error) {
	var perm policy.IPPermission
	proto := v.get("ipProtocol")
	switch k := proto.kind(); {
	case k == '"':
		perm.Protocol, _ = proto.str()
	case k == '-' || k >= '0' && k <= '9':
		perm.Protocol = string(proto.raw())
	default:
		return perm, proto.errorf("want a protocol, found %s", proto.describe())
	}
	for _, f := range [...]struct {
		key string
		dst **int
	}{{"fromPort", &perm.FromPort}, {"toPort", &perm.ToPort}} {
		n, set, err := v.get(f.key).integer()
		if err != nil {
			return perm, err
		}
		if set {
			*f.dst = &n
		}
	}
	return perm, nil
}

func judgeIngress(c *call) (*verdict, error) {
	if err := c.params.object(); err != nil {
		return nil, err
	}
	perms, paths, err := ingressPermissions(c.params)
	if err != nil {
		return nil, err
	}
	if len(perms) == 0 {
		return nil, c.params.errorf("no permission in the request (neither ipPermissions.items nor ipProtocol)")
	}
	open, err := policy.WorldOpen(perms, policy.TCP, restrictedPorts)
	if err != nil {
		var pe *policy.IPPermissionError
		if errors.As(err, &pe) && pe.Index < len(paths) {
			return nil, fmt.Errorf("%s: %v", paths[pe.Index], pe.Err)
		}
		return nil, err
	}
	if len(open) == 0 {
		return nil, nil
	}
	group, err := c.params.get("groupId").str()
	if err != nil {
		return nil, err
	}
	name, err := c.params.get("groupName").str()
	if err != nil {
		return nil, err
	}
	v := &verdict{severity: High, remediations: []string{"ec2-revoke-world-open-ingress"}}
	var what []string
	for _, e := range open {
		if e.Matched.Contains(22) {
			v.rules = appendNew(v.rules, "restricted-ssh")
		}
		for _, r := range e.Matched {
			if r.From != 22 || r.To != 22 {
				v.rules = appendNew(v.rules, "restricted-common-ports")
			}
		}
		what = append(what, e.String()+" (reaching "+portsText(e.Matched)+")")
	}
	switch {
	case group != "":
		v.resources = []string{c.arn("ec2", "security-group/"+group)}
		v.target = &Target{ResourceType: securityGroupType, ResourceID: group}
	case name != "":
		group = name
		v.noTarget = "the record names the group by name (" + name + "), not by its id"
	default:
		return nil, c.params.errorf("names no groupId or groupName")
	}
	v.summary = fmt.Sprintf("Security group %s opened to the world on restricted ports: %s.", group, strings.Join(what, "; "))
	return v, nil
}

// portsText writes "22" or "3306 and 3389".
func portsText(l policy.PortList) string {
	var ports []string
	for _, r := range l {
		for p := r.From; p <= r.To && len(ports) < 8; p++ {
			ports = append(ports, strconv.Itoa(p))
		}
	}
	return joinAnd(ports)
}
