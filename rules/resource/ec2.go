package resource

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/guardrails-go/guardrails/evaluate"
)

// The Config resource types of EC2 and VPC.
const (
	SecurityGroupType = "AWS::EC2::SecurityGroup"
	EC2InstanceType   = "AWS::EC2::Instance"
	EC2VolumeType     = "AWS::EC2::Volume"
	VPCType           = "AWS::EC2::VPC"
	FlowLogType       = "AWS::EC2::FlowLog"
	NetworkACLType    = "AWS::EC2::NetworkAcl"
)

// SecurityGroup is the view of an AWS::EC2::SecurityGroup item.
type SecurityGroup struct {
	ID      string
	Name    string
	VpcID   string
	OwnerID string
	// Ingress and Egress are the inbound and outbound permissions, as
	// recorded (ipPermissions and ipPermissionsEgress).
	Ingress []IPPermission
	Egress  []IPPermission
}

// IPPermission is one permission of a security group as Config records it.
// Ports are Text: Config writes numbers, and null or nothing for all
// traffic.
type IPPermission struct {
	IPProtocol Text
	FromPort   Text
	ToPort     Text
	// IPRanges is the legacy list of IPv4 CIDRs (strings); IPv4Ranges the
	// current one ({cidrIp}). Items since late 2017 carry both.
	IPRanges      CIDRs
	IPv4Ranges    CIDRs
	IPv6Ranges    CIDRs
	PrefixListIDs []PrefixListID
	GroupPairs    []UserGroupPair
}

// IPv4 returns the permission's IPv4 CIDRs from both lists, without
// repeats.
func (p *IPPermission) IPv4() []string {
	if len(p.IPRanges) == 0 {
		return p.IPv4Ranges
	}
	if len(p.IPv4Ranges) == 0 {
		return p.IPRanges
	}
	if sameCIDRLists(p.IPRanges, p.IPv4Ranges) {
		return p.IPv4Ranges // items since late 2017 repeat one list in the other
	}
	out := append([]string(nil), p.IPv4Ranges...)
	for _, c := range p.IPRanges {
		seen := false
		for _, d := range p.IPv4Ranges {
			if c == d {
				seen = true
				break
			}
		}
		if !seen {
			out = append(out, c)
		}
	}
	return out
}

func sameCIDRLists(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// CIDRs is a list of CIDR blocks. Config writes them as strings
// ("0.0.0.0/0") or as objects ({"cidrIp": ...} or {"cidrIpv6": ...}).
type CIDRs []string

// decodeCIDRs reads either form; errors name the range's path.
func decodeCIDRs(path string, raw []json.RawMessage) (CIDRs, error) {
	if raw == nil {
		return nil, nil
	}
	out := make(CIDRs, 0, len(raw))
	for i, r := range raw {
		at := fmt.Sprintf("%s[%d]", path, i)
		if len(r) > 0 && r[0] == '"' {
			var s string
			if err := decodeField(at, r, &s); err != nil {
				return nil, err
			}
			out = append(out, s)
			continue
		}
		var o struct {
			CidrIP   *string `json:"cidrIp"`
			CidrIPv6 *string `json:"cidrIpv6"`
		}
		if err := decodeField(at, r, &o); err != nil {
			return nil, fmt.Errorf("%s: want a CIDR string or an object with cidrIp or cidrIpv6, got %s", at, truncate(string(r)))
		}
		switch {
		case o.CidrIP != nil:
			out = append(out, *o.CidrIP)
		case o.CidrIPv6 != nil:
			out = append(out, *o.CidrIPv6)
		default:
			return nil, fmt.Errorf("%s: no cidrIp or cidrIpv6 in %s", at, truncate(string(r)))
		}
	}
	return out, nil
}

// wirePermission is a permission as recorded, ranges still raw.
type wirePermission struct {
	IPProtocol    Text              `json:"ipProtocol"`
	FromPort      Text              `json:"fromPort"`
	ToPort        Text              `json:"toPort"`
	IPRanges      []json.RawMessage `json:"ipRanges"`
	IPv4Ranges    []json.RawMessage `json:"ipv4Ranges"`
	IPv6Ranges    []json.RawMessage `json:"ipv6Ranges"`
	PrefixListIDs []PrefixListID    `json:"prefixListIds"`
	GroupPairs    []UserGroupPair   `json:"userIdGroupPairs"`
}

func decodePermissions(field string, wire []wirePermission) ([]IPPermission, error) {
	if wire == nil {
		return nil, nil
	}
	out := make([]IPPermission, len(wire))
	for i, w := range wire {
		at := fmt.Sprintf("%s[%d]", field, i)
		p := IPPermission{IPProtocol: w.IPProtocol, FromPort: w.FromPort, ToPort: w.ToPort, PrefixListIDs: w.PrefixListIDs, GroupPairs: w.GroupPairs}
		var err error
		if p.IPRanges, err = decodeCIDRs(at+".ipRanges", w.IPRanges); err != nil {
			return nil, err
		}
		if p.IPv4Ranges, err = decodeCIDRs(at+".ipv4Ranges", w.IPv4Ranges); err != nil {
			return nil, err
		}
		if p.IPv6Ranges, err = decodeCIDRs(at+".ipv6Ranges", w.IPv6Ranges); err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// PrefixListID names a managed prefix list.
type PrefixListID struct {
	ID string `json:"prefixListId"`
}

// UserGroupPair names a security group a permission refers to.
type UserGroupPair struct {
	GroupID                string `json:"groupId"`
	GroupName              string `json:"groupName"`
	UserID                 string `json:"userId"`
	VpcID                  string `json:"vpcId"`
	VpcPeeringConnectionID string `json:"vpcPeeringConnectionId"`
}

var securityGroups = evaluate.NewModel(SecurityGroupType, DecodeSecurityGroup)

// SecurityGroupOf returns the view of the input's security group, decoded
// once per item.
func SecurityGroupOf(in *evaluate.Input) (*SecurityGroup, error) { return securityGroups.Of(in) }

// DecodeSecurityGroup decodes an AWS::EC2::SecurityGroup item.
func DecodeSecurityGroup(ci *evaluate.ConfigurationItem) (*SecurityGroup, error) {
	// Config writes ipRanges as strings and ipv4Ranges and ipv6Ranges as
	// objects: decode that shape in one pass, and read other shapes (and
	// say where they are wrong) only when it fails.
	var conf struct {
		GroupID   string               `json:"groupId"`
		GroupName string               `json:"groupName"`
		VpcID     string               `json:"vpcId"`
		OwnerID   string               `json:"ownerId"`
		Ingress   []recordedPermission `json:"ipPermissions"`
		Egress    []recordedPermission `json:"ipPermissionsEgress"`
	}
	sg := &SecurityGroup{}
	var okIn, okOut bool
	if err := decodeConfiguration(ci, &conf); err == nil {
		sg.Ingress, okIn = recordedPermissions(conf.Ingress)
		sg.Egress, okOut = recordedPermissions(conf.Egress)
	}
	if !okIn || !okOut {
		var wire struct {
			GroupID   string           `json:"groupId"`
			GroupName string           `json:"groupName"`
			VpcID     string           `json:"vpcId"`
			OwnerID   string           `json:"ownerId"`
			Ingress   []wirePermission `json:"ipPermissions"`
			Egress    []wirePermission `json:"ipPermissionsEgress"`
		}
		err := decodeConfiguration(ci, &wire)
		if err != nil {
			return nil, err
		}
		conf.GroupID, conf.GroupName, conf.VpcID, conf.OwnerID = wire.GroupID, wire.GroupName, wire.VpcID, wire.OwnerID
		if sg.Ingress, err = decodePermissions("configuration.ipPermissions", wire.Ingress); err != nil {
			return nil, err
		}
		if sg.Egress, err = decodePermissions("configuration.ipPermissionsEgress", wire.Egress); err != nil {
			return nil, err
		}
	}
	sg.ID, sg.Name, sg.VpcID, sg.OwnerID = conf.GroupID, conf.GroupName, conf.VpcID, conf.OwnerID
	if sg.ID == "" {
		sg.ID = ci.ResourceID
	}
	if sg.Name == "" {
		sg.Name = ci.ResourceName
	}
	return sg, nil
}

// recordedPermission is a permission in the shape Config records.
type recordedPermission struct {
	IPProtocol Text     `json:"ipProtocol"`
	FromPort   Text     `json:"fromPort"`
	ToPort     Text     `json:"toPort"`
	IPRanges   []string `json:"ipRanges"`
	IPv4Ranges []struct {
		CidrIP string `json:"cidrIp"`
	} `json:"ipv4Ranges"`
	IPv6Ranges []struct {
		CidrIPv6 string `json:"cidrIpv6"`
	} `json:"ipv6Ranges"`
	PrefixListIDs []PrefixListID  `json:"prefixListIds"`
	GroupPairs    []UserGroupPair `json:"userIdGroupPairs"`
}

// recordedPermissions converts; ok is false when a range object holds no
// CIDR, so that the flexible decoding can say what is wrong.
func recordedPermissions(rec []recordedPermission) (_ []IPPermission, ok bool) {
	if rec == nil {
		return nil, true
	}
	out := make([]IPPermission, len(rec))
	for i, r := range rec {
		p := IPPermission{IPProtocol: r.IPProtocol, FromPort: r.FromPort, ToPort: r.ToPort, IPRanges: r.IPRanges, PrefixListIDs: r.PrefixListIDs, GroupPairs: r.GroupPairs}
		if r.IPv4Ranges != nil {
			p.IPv4Ranges = make(CIDRs, len(r.IPv4Ranges))
			for k, c := range r.IPv4Ranges {
				if c.CidrIP == "" {
					return nil, false
				}
				p.IPv4Ranges[k] = c.CidrIP
			}
		}
		if r.IPv6Ranges != nil {
			p.IPv6Ranges = make(CIDRs, len(r.IPv6Ranges))
			for k, c := range r.IPv6Ranges {
				if c.CidrIPv6 == "" {
					return nil, false
				}
				p.IPv6Ranges[k] = c.CidrIPv6
			}
		}
		out[i] = p
	}
	return out, true
}

// EC2Instance is the view of an AWS::EC2::Instance item.
type EC2Instance struct {
	ID string
	// State is state.name: pending, running, stopping, stopped,
	// shutting-down or terminated; "" when not recorded.
	State string
	// PublicIPs are publicIpAddress and the public IPv4 addresses of the
	// network interfaces, without repeats.
	PublicIPs []string
	// MetadataOptions is nil when Config recorded none.
	MetadataOptions *MetadataOptions
	// InstanceProfileARN is the attached IAM instance profile; "" for none.
	InstanceProfileARN string
}

// MetadataOptions are an instance's instance metadata service settings.
type MetadataOptions struct {
	// HTTPTokens is "required" (IMDSv2 only) or "optional" (IMDSv1 too).
	HTTPTokens string `json:"httpTokens"`
	// HTTPEndpoint is "enabled" or "disabled".
	HTTPEndpoint string `json:"httpEndpoint"`
	// State is "pending" or "applied".
	State string `json:"state"`
}

var ec2Instances = evaluate.NewModel(EC2InstanceType, DecodeEC2Instance)

// EC2InstanceOf returns the view of the input's instance, decoded once per
// item.
func EC2InstanceOf(in *evaluate.Input) (*EC2Instance, error) { return ec2Instances.Of(in) }

type publicIPAssociation struct {
	PublicIP string `json:"publicIp"`
}

// DecodeEC2Instance decodes an AWS::EC2::Instance item.
func DecodeEC2Instance(ci *evaluate.ConfigurationItem) (*EC2Instance, error) {
	var conf struct {
		InstanceID string `json:"instanceId"`
		State      *struct {
			Name string `json:"name"`
		} `json:"state"`
		PublicIPAddress    string           `json:"publicIpAddress"`
		MetadataOptions    *MetadataOptions `json:"metadataOptions"`
		IAMInstanceProfile *struct {
			ARN string `json:"arn"`
		} `json:"iamInstanceProfile"`
		NetworkInterfaces []struct {
			Association        *publicIPAssociation `json:"association"`
			PrivateIPAddresses []struct {
				Association *publicIPAssociation `json:"association"`
			} `json:"privateIpAddresses"`
		} `json:"networkInterfaces"`
	}
	if err := decodeConfiguration(ci, &conf); err != nil {
		return nil, err
	}
	inst := &EC2Instance{ID: conf.InstanceID, MetadataOptions: conf.MetadataOptions}
	if inst.ID == "" {
		inst.ID = ci.ResourceID
	}
	if conf.State != nil {
		inst.State = conf.State.Name
	}
	if conf.IAMInstanceProfile != nil {
		inst.InstanceProfileARN = conf.IAMInstanceProfile.ARN
	}
	addIP := func(ip string) {
		if ip == "" {
			return
		}
		for _, have := range inst.PublicIPs {
			if have == ip {
				return
			}
		}
		inst.PublicIPs = append(inst.PublicIPs, ip)
	}
	addIP(conf.PublicIPAddress)
	for _, ni := range conf.NetworkInterfaces {
		if ni.Association != nil {
			addIP(ni.Association.PublicIP)
		}
		for _, pa := range ni.PrivateIPAddresses {
			if pa.Association != nil {
				addIP(pa.Association.PublicIP)
			}
		}
	}
	return inst, nil
}

// EC2Volume is the view of an AWS::EC2::Volume item.
type EC2Volume struct {
	ID string
	// State is "creating", "available", "in-use", "deleting", "deleted" or
	// "error".
	State string
	// Encrypted is unset when Config recorded no encrypted flag.
	Encrypted Bool
	// KMSKeyID is the key's ARN (or id, in some sources); "" for none.
	KMSKeyID    string
	Attachments []VolumeAttachment
}

// VolumeAttachment is one attachment of a volume to an instance.
type VolumeAttachment struct {
	InstanceID string `json:"instanceId"`
	// State is "attaching", "attached", "detaching", "detached" or "busy".
	State string `json:"state"`
}

// Attached reports whether the volume is attached to an instance: an
// attachment that is not detached, or the volume's in-use state.
func (v *EC2Volume) Attached() bool {
	for _, a := range v.Attachments {
		if a.State != "detached" {
			return true
		}
	}
	return v.State == "in-use"
}

var ec2Volumes = evaluate.NewModel(EC2VolumeType, DecodeEC2Volume)

// EC2VolumeOf returns the view of the input's volume, decoded once per
// item.
func EC2VolumeOf(in *evaluate.Input) (*EC2Volume, error) { return ec2Volumes.Of(in) }

// DecodeEC2Volume decodes an AWS::EC2::Volume item.
func DecodeEC2Volume(ci *evaluate.ConfigurationItem) (*EC2Volume, error) {
	var conf struct {
		VolumeID    string             `json:"volumeId"`
		State       volumeState        `json:"state"`
		Encrypted   Bool               `json:"encrypted"`
		KMSKeyID    string             `json:"kmsKeyId"`
		Attachments []VolumeAttachment `json:"attachments"`
	}
	if err := decodeConfiguration(ci, &conf); err != nil {
		return nil, err
	}
	v := &EC2Volume{ID: conf.VolumeID, State: string(conf.State), Encrypted: conf.Encrypted, KMSKeyID: conf.KMSKeyID, Attachments: conf.Attachments}
	if v.ID == "" {
		v.ID = ci.ResourceID
	}
	return v, nil
}

// volumeState is a state Config writes as a string ("in-use") or, in newer
// items, as an object ({"value": "in-use"}).
type volumeState string

// UnmarshalJSON accepts a string, an object with a value or name, or null.
func (s *volumeState) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '{' {
		var o struct {
			Value string `json:"value"`
			Name  string `json:"name"`
		}
		if err := json.Unmarshal(data, &o); err != nil {
			return err
		}
		*s = volumeState(o.Value)
		if o.Value == "" {
			*s = volumeState(o.Name)
		}
		return nil
	}
	var t Text
	if err := t.UnmarshalJSON(data); err != nil {
		return err
	}
	*s = volumeState(t)
	return nil
}

// VPC is the view of an AWS::EC2::VPC item.
type VPC struct {
	ID        string
	IsDefault Bool
}

var vpcs = evaluate.NewModel(VPCType, DecodeVPC)

// VPCOf returns the view of the input's VPC, decoded once per item.
func VPCOf(in *evaluate.Input) (*VPC, error) { return vpcs.Of(in) }

// DecodeVPC decodes an AWS::EC2::VPC item.
func DecodeVPC(ci *evaluate.ConfigurationItem) (*VPC, error) {
	var conf struct {
		VpcID     string `json:"vpcId"`
		IsDefault Bool   `json:"isDefault"`
	}
	if err := decodeConfiguration(ci, &conf); err != nil {
		return nil, err
	}
	v := &VPC{ID: conf.VpcID, IsDefault: conf.IsDefault}
	if v.ID == "" {
		v.ID = ci.ResourceID
	}
	return v, nil
}

// FlowLog is the view of an AWS::EC2::FlowLog item, or of one flow log of
// `aws ec2 describe-flow-logs`.
type FlowLog struct {
	ID string `json:"flowLogId"`
	// ResourceID is the VPC, subnet or network interface logged.
	ResourceID string `json:"resourceId"`
	// TrafficType is ACCEPT, REJECT or ALL.
	TrafficType string `json:"trafficType"`
	// Status is the flow log's status: ACTIVE when it logs.
	Status string `json:"flowLogStatus"`
	// DeliverStatus is SUCCESS or FAILED.
	DeliverStatus string `json:"deliverLogsStatus"`
}

// DecodeFlowLog decodes an AWS::EC2::FlowLog item.
func DecodeFlowLog(ci *evaluate.ConfigurationItem) (*FlowLog, error) {
	if ci.ResourceType != FlowLogType {
		return nil, fmt.Errorf("item of type %s decoded as %s", ci.ResourceType, FlowLogType)
	}
	var fl FlowLog
	if err := decodeConfiguration(ci, &fl); err != nil {
		return nil, err
	}
	if fl.ID == "" {
		fl.ID = ci.ResourceID
	}
	return &fl, nil
}

// NetworkACL is the view of an AWS::EC2::NetworkAcl item.
type NetworkACL struct {
	ID        string
	VpcID     string
	IsDefault Bool
	Entries   []NetworkACLEntry
}

// NetworkACLEntry is one entry of a network ACL as Config records it.
type NetworkACLEntry struct {
	RuleNumber Text `json:"ruleNumber"`
	// Protocol is a protocol number as text ("6"), or "-1" for all.
	Protocol Text `json:"protocol"`
	// RuleAction is "allow" or "deny".
	RuleAction    string `json:"ruleAction"`
	Egress        Bool   `json:"egress"`
	CIDRBlock     string `json:"cidrBlock"`
	IPv6CIDRBlock string `json:"ipv6CidrBlock"`
	// PortRange is nil when not recorded (all ports).
	PortRange *struct {
		From Text `json:"from"`
		To   Text `json:"to"`
	} `json:"portRange"`
}

var networkACLs = evaluate.NewModel(NetworkACLType, DecodeNetworkACL)

// NetworkACLOf returns the view of the input's network ACL, decoded once
// per item.
func NetworkACLOf(in *evaluate.Input) (*NetworkACL, error) { return networkACLs.Of(in) }

// DecodeNetworkACL decodes an AWS::EC2::NetworkAcl item.
func DecodeNetworkACL(ci *evaluate.ConfigurationItem) (*NetworkACL, error) {
	var conf struct {
		NetworkACLID string            `json:"networkAclId"`
		VpcID        string            `json:"vpcId"`
		IsDefault    Bool              `json:"isDefault"`
		Entries      []NetworkACLEntry `json:"entries"`
	}
	if err := decodeConfiguration(ci, &conf); err != nil {
		return nil, err
	}
	acl := &NetworkACL{ID: conf.NetworkACLID, VpcID: conf.VpcID, IsDefault: conf.IsDefault, Entries: conf.Entries}
	if acl.ID == "" {
		acl.ID = ci.ResourceID
	}
	return acl, nil
}
