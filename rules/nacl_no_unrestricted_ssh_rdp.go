package rules

import (
	"context"
	"fmt"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/policy"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// sshRDPPorts are the ports nacl-no-unrestricted-ssh-rdp guards.
var sshRDPPorts = policy.Ports(22, 3389)

// NACLNoUnrestrictedSSHRDP checks that no inbound entry of a network ACL
// lets a /0 range (0.0.0.0/0, ::/0) reach port 22 or 3389 over TCP or
// UDP; an entry for all protocols (-1) counts. Entries are taken in rule
// number order, as the ACL applies them: an allow that a lower-numbered
// deny of the whole address family shadows for a port opens nothing
// there, while denies of narrower ranges leave the rest of the world
// open. The default ACL, which allows all inbound traffic, is
// NON_COMPLIANT.
func NACLNoUnrestrictedSSHRDP() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "nacl-no-unrestricted-ssh-rdp",
		Summary:       "Network ACLs do not allow inbound SSH (22) or RDP (3389) from 0.0.0.0/0 or ::/0.",
		Rationale:     "Remote administration ports open at the subnet boundary leave every instance in the subnet one security group mistake away from the internet.",
		ResourceTypes: []string{resource.NetworkACLType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters:    []evaluate.Parameter{},
		Severity:      evaluate.Medium,
		ManagedRule:   "NACL_NO_UNRESTRICTED_SSH_RDP",
		Controls:      []string{"SecurityHub:EC2.21", "CIS-AWS-1.4:5.1"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/nacl-no-unrestricted-ssh-rdp.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			acl, err := resource.NetworkACLOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if u := firstUnknownPath(in.Item, "configuration.entries"); u != "" {
				return evaluate.InsufficientDataf("Network ACL %s: %s is not known until deployment.", acl.ID, u), nil
			}
			entries, index, err := inboundEntries(acl)
			if err != nil {
				return evaluate.Result{}, err
			}
			var found []string
			type entryRange struct {
				index int
				cidr  string
			}
			seen := map[entryRange]bool{} // an all-traffic entry opens both protocols: say it once
			for _, proto := range []policy.IPProtocol{policy.TCP, policy.UDP} {
				exps, err := policy.NetworkACLWorldOpen(entries, proto, sshRDPPorts)
				if err != nil {
					return evaluate.Result{}, sgPermissionError(err, "configuration.entries", index)
				}
				for _, e := range exps {
					if e.Protocol == policy.AllProtocols {
						key := entryRange{e.Index, e.CIDR}
						if seen[key] {
							continue
						}
						seen[key] = true
						found = append(found, fmt.Sprintf("rule %d allows %s, which includes ports %s", entries[e.Index].RuleNumber, e, e.Matched))
						continue
					}
					found = append(found, fmt.Sprintf("rule %d allows %s", entries[e.Index].RuleNumber, describeExposures([]policy.PortExposure{e}, proto)))
				}
			}
			if len(found) > 0 {
				if len(found) > 3 {
					found = append(found[:3], fmt.Sprintf("and %d more", len(found)-3))
				}
				return evaluate.NonCompliantf("Network ACL %s: %s.", acl.ID, strings.Join(found, "; ")), nil
			}
			return evaluate.Compliantf("Network ACL %s lets no /0 range reach TCP or UDP 22 or 3389 inbound.", acl.ID), nil
		}), nil
	})
}

// inboundEntries converts the ACL's inbound entries for the analyser, with
// their positions in the item.
func inboundEntries(acl *resource.NetworkACL) ([]policy.NetworkACLEntry, []int, error) {
	var out []policy.NetworkACLEntry
	var index []int
	for i, e := range acl.Entries {
		field := fmt.Sprintf("configuration.entries[%d]", i)
		if !e.Egress.Set {
			return nil, nil, fmt.Errorf("%s.egress: not recorded", field)
		}
		if e.Egress.Value {
			continue
		}
		n, err := recordedPort(e.RuleNumber)
		if err != nil || n == nil {
			return nil, nil, fmt.Errorf("%s.ruleNumber: want a number, got %q", field, string(e.RuleNumber))
		}
		entry := policy.NetworkACLEntry{RuleNumber: *n, IPPermission: policy.IPPermission{Protocol: string(e.Protocol)}}
		switch strings.ToLower(e.RuleAction) {
		case "allow":
			entry.Allow = true
		case "deny":
		default:
			return nil, nil, &unexpectedValueError{Field: field + ".ruleAction", Value: e.RuleAction}
		}
		if e.CIDRBlock != "" {
			entry.IPv4 = []string{e.CIDRBlock}
		}
		if e.IPv6CIDRBlock != "" {
			entry.IPv6 = []string{e.IPv6CIDRBlock}
		}
		if e.PortRange != nil {
			if entry.FromPort, err = recordedPort(e.PortRange.From); err != nil {
				return nil, nil, fmt.Errorf("%s.portRange.from: %v", field, err)
			}
			if entry.ToPort, err = recordedPort(e.PortRange.To); err != nil {
				return nil, nil, fmt.Errorf("%s.portRange.to: %v", field, err)
			}
		}
		out = append(out, entry)
		index = append(index, i)
	}
	return out, index, nil
}
