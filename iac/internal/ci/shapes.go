package ci

import (
	"github.com/guardrails-go/guardrails/iac/internal/value"
)

// Ref returns the Config value of an id field that may reference another
// resource of the same file: an unknown physical id of such a resource is
// replaced by that resource's item id (its logical id or address), so that
// lookups between items (a flow log's resourceId and its VPC, a security
// group's vpcId) work. Other values are returned as they are.
func Ref(v any) any {
	if u, ok := v.(value.Unknown); ok && u.Resource != "" {
		return u.Resource
	}
	return v
}

// RefList applies Ref to each element of a list value.
func RefList(v any) any {
	l, ok := v.([]any)
	if !ok {
		return v
	}
	out := make([]any, len(l))
	for i, e := range l {
		out[i] = Ref(e)
	}
	return out
}

// RefID returns the item id a value references, if any.
func RefID(v any) (string, bool) {
	switch x := v.(type) {
	case value.Unknown:
		return x.Resource, x.Resource != ""
	}
	return "", false
}

// OrNil returns v, or nil when v is absent (so the key is written as null).
func OrNil(v any, ok bool) any {
	if !ok {
		return nil
	}
	return v
}

// KeyValueTags turns tags into the [{key, value}] list that EC2 and other
// configurations carry.
func KeyValueTags(tags map[string]any) []any {
	out := make([]any, 0, len(tags))
	for _, k := range sortedKeys(tags) {
		out = append(out, map[string]any{"key": k, "value": tags[k]})
	}
	return out
}

// IPPermission is one entry of a security group's ipPermissions or
// ipPermissionsEgress. Config records IPv4 ranges twice: the legacy
// ipRanges list of strings and ipv4Ranges of objects.
type IPPermission struct {
	Protocol   any // "tcp", "udp", "icmp", "-1" ...
	FromPort   any // json.Number, value.Unknown or nil
	ToPort     any
	IPv4       []any // CIDR strings or Unknowns
	IPv6       []any
	Groups     []any // group ids
	PrefixList []any
	// Descriptions of the single range, if any.
	Description any
}

// Render returns the Config shape of the permission.
func (p IPPermission) Render() map[string]any {
	m := map[string]any{
		"ipProtocol":       normalizeProtocol(p.Protocol),
		"ipRanges":         []any{},
		"ipv4Ranges":       []any{},
		"ipv6Ranges":       []any{},
		"userIdGroupPairs": []any{},
		"prefixListIds":    []any{},
	}
	// All protocols (-1) carry no ports in Config.
	if m["ipProtocol"] != "-1" {
		if p.FromPort != nil {
			m["fromPort"] = p.FromPort
		}
		if p.ToPort != nil {
			m["toPort"] = p.ToPort
		}
	}
	withDesc := func(k string, v any) map[string]any {
		e := map[string]any{k: v}
		if p.Description != nil {
			e["description"] = p.Description
		}
		return e
	}
	for _, c := range p.IPv4 {
		m["ipRanges"] = append(m["ipRanges"].([]any), c)
		m["ipv4Ranges"] = append(m["ipv4Ranges"].([]any), withDesc("cidrIp", c))
	}
	for _, c := range p.IPv6 {
		m["ipv6Ranges"] = append(m["ipv6Ranges"].([]any), withDesc("cidrIpv6", c))
	}
	for _, g := range p.Groups {
		m["userIdGroupPairs"] = append(m["userIdGroupPairs"].([]any), withDesc("groupId", Ref(g)))
	}
	for _, pl := range p.PrefixList {
		m["prefixListIds"] = append(m["prefixListIds"].([]any), withDesc("prefixListId", pl))
	}
	return m
}

// normalizeProtocol writes protocols as EC2 returns them: names for
// tcp/udp/icmp/icmpv6, "-1" for all, other numbers as text.
func normalizeProtocol(p any) any {
	s, ok := p.(string)
	if !ok {
		if n, isNum := value.AsString(p); isNum {
			if str, isStr := n.(string); isStr {
				s = str
			} else {
				return p
			}
		} else {
			return p
		}
	}
	switch s {
	case "6", "tcp", "TCP":
		return "tcp"
	case "17", "udp", "UDP":
		return "udp"
	case "1", "icmp", "ICMP":
		return "icmp"
	case "58", "icmpv6", "ICMPV6":
		return "icmpv6"
	case "-1", "all", "ALL":
		return "-1"
	}
	return s
}

// DefaultEgress is the egress rule EC2 adds to a new VPC security group.
func DefaultEgress() map[string]any {
	return IPPermission{Protocol: "-1", IPv4: []any{"0.0.0.0/0"}}.Render()
}

// MergePermissions renders permissions the way EC2 reports them: rules of
// the same protocol and port range are one permission with several ranges.
// Permissions with unknown protocol or ports are kept apart.
func MergePermissions(perms []IPPermission) []any {
	type key struct{ proto, from, to string }
	keyOf := func(p IPPermission) (key, bool) {
		var k key
		for i, v := range []any{normalizeProtocol(p.Protocol), p.FromPort, p.ToPort} {
			var s string
			switch x := v.(type) {
			case nil:
			case string:
				s = x
			case interface{ String() string }:
				s = x.String()
			default:
				return k, false
			}
			switch i {
			case 0:
				k.proto = s
			case 1:
				k.from = s
			case 2:
				k.to = s
			}
		}
		if k.proto == "-1" {
			k.from, k.to = "", ""
		}
		return k, true
	}
	out := make([]any, 0, len(perms))
	index := map[key]map[string]any{}
	for _, p := range perms {
		r := p.Render()
		k, ok := keyOf(p)
		if !ok {
			out = append(out, r)
			continue
		}
		if prev, seen := index[k]; seen {
			for _, f := range []string{"ipRanges", "ipv4Ranges", "ipv6Ranges", "userIdGroupPairs", "prefixListIds"} {
				prev[f] = append(prev[f].([]any), r[f].([]any)...)
			}
			continue
		}
		index[k] = r
		out = append(out, r)
	}
	return out
}

// NetworkACLDefaultEntries are the deny-all entries every network ACL ends with.
func NetworkACLDefaultEntries() []any {
	var out []any
	for _, egress := range []bool{true, false} {
		out = append(out, map[string]any{
			"ruleNumber": json32767, "protocol": "-1", "ruleAction": "deny",
			"egress": egress, "cidrBlock": "0.0.0.0/0",
		})
	}
	return out
}

// Quantity is CloudFront's list shape {"quantity": n, "items": [...]};
// extra key/value pairs are added to it. An empty list has no items.
func Quantity(items []any, extra ...any) map[string]any {
	m := map[string]any{"quantity": Int(len(items))}
	if len(items) > 0 {
		m["items"] = items
	}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i].(string)] = extra[i+1]
	}
	return m
}
