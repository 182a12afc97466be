package rules

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
	"github.com/guardrails-go/guardrails/rules/policy"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// ec2Rules is the EC2 and VPC family.
func ec2Rules() []evaluate.Rule {
	return []evaluate.Rule{
		RestrictedSSH(),
		RestrictedCommonPorts(),
		VPCSGOpenOnlyToAuthorizedPorts(),
		VPCDefaultSecurityGroupClosed(),
		EC2InstanceNoPublicIP(),
		EC2IMDSv2Check(),
		EncryptedVolumes(),
		VPCFlowLogsEnabled(),
		EC2EBSEncryptionByDefault(),
		EC2InstanceProfileAttached(),
		EC2InstanceManagedBySystemsManager(),
		NACLNoUnrestrictedSSHRDP(),
		EBSSnapshotPublicRestorableCheck(),
	}
}

// The account facts of the family: files in -facts DIR holding what the
// AWS CLI prints.
const (
	// factEBSEncryptionByDefault is `aws ec2 get-ebs-encryption-by-default`.
	factEBSEncryptionByDefault = "ec2-get-ebs-encryption-by-default.json"
	// factDescribeFlowLogs is `aws ec2 describe-flow-logs`.
	factDescribeFlowLogs = "ec2-describe-flow-logs.json"
	// factPublicSnapshots is `aws ec2 describe-snapshots --owner-ids self
	// --restorable-by-user-ids all`.
	factPublicSnapshots = facts.PublicSnapshotsFile
)

// sgView is a security group with its permissions in the form the
// port analyser reads. Permissions whose protocol, ports or ranges are not
// known yet (infrastructure as code before deployment) are left out of
// Ingress and Egress and listed in the unknown fields.
type sgView struct {
	*resource.SecurityGroup
	Ingress, Egress []policy.IPPermission
	// ingressIndex and egressIndex map a position in Ingress or Egress to
	// the permission's position in the item.
	ingressIndex, egressIndex []int
	// unknownIngress and unknownEgress name the first permission path that
	// is not known; "" when all are.
	unknownIngress, unknownEgress string
}

// sgViews decodes each item once for all the family's security
// group rules, permissions included.
var sgViews = evaluate.NewModel(resource.SecurityGroupType, decodeSGView)

func decodeSGView(ci *evaluate.ConfigurationItem) (*sgView, error) {
	sg, err := resource.DecodeSecurityGroup(ci)
	if err != nil {
		return nil, err
	}
	out := &sgView{SecurityGroup: sg}
	out.Ingress, out.ingressIndex, out.unknownIngress, err = sgPermissions(ci, "configuration.ipPermissions", sg.Ingress)
	if err != nil {
		return nil, err
	}
	out.Egress, out.egressIndex, out.unknownEgress, err = sgPermissions(ci, "configuration.ipPermissionsEgress", sg.Egress)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// permissions converts recorded permissions for the port analyser,
// leaving out those with unknown parts other than descriptions.
func sgPermissions(ci *evaluate.ConfigurationItem, field string, recorded []resource.IPPermission) ([]policy.IPPermission, []int, string, error) {
	var unknown map[int]string
	unknownAll := ci.UnknownAt(field)
	for _, u := range ci.Unknown {
		switch {
		case strings.HasPrefix(u, field+"["):
			rest := u[len(field)+1:]
			n, err := strconv.Atoi(rest[:max(strings.IndexByte(rest, ']'), 0)])
			if err != nil || strings.HasSuffix(rest, ".description") {
				continue
			}
			if unknown == nil {
				unknown = map[int]string{}
			}
			if _, seen := unknown[n]; !seen {
				unknown[n] = u
			}
		}
	}
	out := make([]policy.IPPermission, 0, len(recorded))
	index := make([]int, 0, len(recorded))
	first := unknownAll
	for i := range recorded {
		if u, ok := unknown[i]; ok {
			if first == "" {
				first = u
			}
			continue
		}
		p, err := sgPermission(&recorded[i])
		if err != nil {
			return nil, nil, "", fmt.Errorf("%s[%d].%v", field, i, err)
		}
		out = append(out, p)
		index = append(index, i)
	}
	return out, index, first, nil
}

// firstUnknownPath returns the first of the item's unknown paths that is one
// of paths, lies under one, or holds one; "" when all are known.
func firstUnknownPath(ci *evaluate.ConfigurationItem, paths ...string) string {
	for _, p := range paths {
		if u := ci.UnknownUnder(p); u != "" {
			return u
		}
	}
	return ""
}

func sgPermission(r *resource.IPPermission) (policy.IPPermission, error) {
	p := policy.IPPermission{Protocol: string(r.IPProtocol), IPv4: r.IPv4(), IPv6: r.IPv6Ranges}
	var err error
	if p.FromPort, err = recordedPort(r.FromPort); err != nil {
		return p, fmt.Errorf("fromPort: %v", err)
	}
	if p.ToPort, err = recordedPort(r.ToPort); err != nil {
		return p, fmt.Errorf("toPort: %v", err)
	}
	for _, pl := range r.PrefixListIDs {
		p.PrefixLists = append(p.PrefixLists, pl.ID)
	}
	for _, g := range r.GroupPairs {
		p.Groups = append(p.Groups, policy.GroupPair{GroupID: g.GroupID, GroupName: g.GroupName, UserID: g.UserID, VpcID: g.VpcID, PeeringConnectionID: g.VpcPeeringConnectionID})
	}
	return p, nil
}

// recordedPort reads a recorded port: nil when absent or null.
func recordedPort(t resource.Text) (*int, error) {
	if t == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(t)))
	if err != nil {
		return nil, fmt.Errorf("want a port number, got %q", string(t))
	}
	return &n, nil
}

// sgPermissionError names the recorded permission an analyser error is
// about.
func sgPermissionError(err error, field string, index []int) error {
	var pe *policy.IPPermissionError
	if errors.As(err, &pe) && pe.Index < len(index) {
		return fmt.Errorf("%s[%d]: %v", field, index[pe.Index], pe.Err)
	}
	return err
}

// describeExposures writes exposures for an annotation: "0.0.0.0/0 on TCP
// 22; ::/0 on all traffic, which includes TCP 22". Annotations are cut at
// 256 bytes, so at most three are written.
func describeExposures(exps []policy.PortExposure, asked policy.IPProtocol) string {
	const most = 3
	var parts []string
	for i, e := range exps {
		if i == most {
			parts = append(parts, fmt.Sprintf("and %d more", len(exps)-most))
			break
		}
		s := e.String()
		switch {
		case len(e.Matched) == 0:
		case e.Protocol == policy.AllProtocols:
			s += ", which includes " + asked.String() + " " + e.Matched.String()
		case len(e.Matched) != 1 || e.Matched[0] != e.Ports:
			s += ", which includes " + e.Matched.String()
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// instanceGone reports whether an instance is terminated or on its way
// there: nothing of it is left to judge.
func instanceGone(inst *resource.EC2Instance) (evaluate.Result, bool) {
	switch inst.State {
	case "terminated", "shutting-down":
		return evaluate.NotApplicablef("Instance %s is %s.", inst.ID, inst.State), true
	}
	return evaluate.Result{}, false
}
