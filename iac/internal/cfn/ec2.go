package cfn

import (
	"strings"

	"github.com/guardrails-go/guardrails/iac/internal/ci"
	"github.com/guardrails-go/guardrails/iac/internal/value"
)

func init() {
	mappings["AWS::EC2::SecurityGroup"] = mapping{"AWS::EC2::SecurityGroup", ec2SecurityGroup}
	mappings["AWS::EC2::Instance"] = mapping{"AWS::EC2::Instance", ec2Instance}
	mappings["AWS::EC2::Volume"] = mapping{"AWS::EC2::Volume", ec2Volume}
	mappings["AWS::EC2::VPC"] = mapping{"AWS::EC2::VPC", ec2VPC}
	mappings["AWS::EC2::FlowLog"] = mapping{"AWS::EC2::FlowLog", ec2FlowLog}
	mappings["AWS::EC2::NetworkAcl"] = mapping{"AWS::EC2::NetworkAcl", ec2NetworkACL}
	companions["AWS::EC2::SecurityGroupIngress"] = ec2SecurityGroupRule(false)
	companions["AWS::EC2::SecurityGroupEgress"] = ec2SecurityGroupRule(true)
	companions["AWS::EC2::NetworkAclEntry"] = ec2NetworkACLEntry
	companions["AWS::EC2::SubnetNetworkAclAssociation"] = ec2SubnetNetworkACLAssociation
	companions["AWS::EC2::VolumeAttachment"] = ec2VolumeAttachment
}

// ec2Tags sets the item's tags and the configuration's [{key, value}] list.
func ec2Tags(r *res, b *ci.Builder) {
	tags(r, b)
	b.Config["tags"] = ci.KeyValueTags(b.Tags)
}

// permission reads one CloudFormation security group rule.
func permission(o *value.Obj, egress bool) ci.IPPermission {
	p := ci.IPPermission{Protocol: o.StringOr("IpProtocol", nil)}
	p.FromPort, _ = o.Int("FromPort")
	p.ToPort, _ = o.Int("ToPort")
	if v, ok := o.String("CidrIp"); ok {
		p.IPv4 = []any{v}
	}
	if v, ok := o.String("CidrIpv6"); ok {
		p.IPv6 = []any{v}
	}
	groupKey, prefixKey := "SourceSecurityGroupId", "SourcePrefixListId"
	if egress {
		groupKey, prefixKey = "DestinationSecurityGroupId", "DestinationPrefixListId"
	}
	if v, ok := o.String(groupKey); ok {
		p.Groups = []any{v}
	} else if v, ok := o.String("SourceSecurityGroupName"); ok && !egress {
		p.Groups = []any{v}
	}
	if v, ok := o.String(prefixKey); ok {
		p.PrefixList = []any{v}
	}
	p.Description, _ = o.String("Description")
	if p.Protocol == nil {
		o.Fail("IpProtocol", "is required")
	}
	return p
}

// sgRules keeps the rules of a group until the companions are merged.
type sgRules struct {
	ingress, egress []ci.IPPermission
	// defaultEgress: the allow-all egress rule EC2 adds to a new group,
	// until a template rule replaces it.
	defaultEgress bool
}

func (c *conv) sg(id string) *sgRules {
	r, _ := c.builders[id].State.(*sgRules)
	return r
}

func ec2SecurityGroup(c *conv, r *res) *ci.Builder {
	p := r.props
	b := ci.NewBuilder("", "")
	b.AZ = "Not Applicable"
	name, ok := p.String("GroupName")
	if !ok {
		name = value.ResourceID(r.LogicalID, "name CloudFormation gives "+r.LogicalID)
	}
	c.nameIs("AWS::EC2::SecurityGroup", name, r.LogicalID)
	b.Config["groupName"] = name
	b.Config["groupId"] = r.LogicalID
	b.Config["description"] = p.StringOr("GroupDescription", nil)
	b.Config["ownerId"] = c.account()
	vpc, ok := p.String("VpcId")
	if !ok {
		vpc = value.NewUnknown("default VPC")
	}
	b.Config["vpcId"] = ci.Ref(vpc)
	if id, ok := ci.RefID(vpc); ok {
		b.Relate("AWS::EC2::VPC", id, "Is contained in Vpc")
	}
	rules := &sgRules{}
	if list, ok := p.Objs("SecurityGroupIngress"); ok {
		for _, o := range list {
			rules.ingress = append(rules.ingress, permission(o, false))
		}
	}
	if list, ok := p.Objs("SecurityGroupEgress"); ok {
		for _, o := range list {
			rules.egress = append(rules.egress, permission(o, true))
		}
	} else {
		rules.defaultEgress = true
	}
	b.State = rules
	b.ARN = c.t.arn("ec2", true, "security-group/", value.ResourceID(r.LogicalID, r.LogicalID))
	ec2Tags(r, b)
	b.Finish = func() {
		egress := rules.egress
		if rules.defaultEgress {
			egress = append([]ci.IPPermission{{Protocol: "-1", IPv4: []any{"0.0.0.0/0"}}}, egress...)
		}
		b.Config["ipPermissions"] = ci.MergePermissions(rules.ingress)
		b.Config["ipPermissionsEgress"] = ci.MergePermissions(egress)
		b.State = nil
	}
	return b
}

// ec2SecurityGroupRule merges AWS::EC2::SecurityGroupIngress/Egress into
// its group.
func ec2SecurityGroupRule(egress bool) companion {
	return func(c *conv, r *res) error {
		var id string
		var err error
		if r.props.Has("GroupId") || egress {
			id, _, err = c.target(r, "GroupId", "AWS::EC2::SecurityGroup", nil)
		} else {
			id, _, err = c.target(r, "GroupName", "AWS::EC2::SecurityGroup", nil)
		}
		if err != nil {
			return err
		}
		rules := c.sg(id)
		p := permission(r.props, egress)
		if r.errs.Err() != nil {
			return nil
		}
		if egress {
			rules.defaultEgress = false
			rules.egress = append(rules.egress, p)
		} else {
			rules.ingress = append(rules.ingress, p)
		}
		return nil
	}
}

// launchTemplateData returns the LaunchTemplateData of the launch template
// an instance uses, when it is in the template.
func (c *conv) launchTemplateData(p *value.Obj) (*value.Obj, bool) {
	lt, ok := p.Obj("LaunchTemplate")
	if !ok {
		return nil, false
	}
	var ref any
	if v, ok := lt.Raw("LaunchTemplateId"); ok {
		ref = v
	} else if v, ok := lt.Raw("LaunchTemplateName"); ok {
		ref = v
	}
	id, ok := ci.RefID(ref)
	if !ok {
		return nil, false
	}
	r := c.t.resources[id]
	if r == nil || r.Type != "AWS::EC2::LaunchTemplate" {
		return nil, false
	}
	data, err := c.t.Property(r, "LaunchTemplateData")
	m, isMap := data.(map[string]any)
	if err != nil || !isMap {
		return nil, false
	}
	return value.NewObj(m, "LaunchTemplate("+id+").LaunchTemplateData", p.Errors()), true
}

func ec2Instance(c *conv, r *res) *ci.Builder {
	p := r.props
	b := ci.NewBuilder("", "")
	b.Config["instanceId"] = r.LogicalID
	b.Config["imageId"] = p.StringOr("ImageId", nil)
	b.Config["instanceType"] = p.StringOr("InstanceType", "m1.small")
	b.Config["keyName"] = p.StringOr("KeyName", nil)
	b.Config["state"] = map[string]any{"code": ci.Int(16), "name": "running"}
	b.Config["ebsOptimized"] = p.BoolOr("EbsOptimized", false)
	monitoring := "disabled"
	if p.BoolOr("Monitoring", false) == true {
		monitoring = "enabled"
	}
	b.Config["monitoring"] = map[string]any{"state": monitoring}
	az, hasAZ := p.String("AvailabilityZone")
	if !hasAZ {
		az = value.NewUnknown("availability zone of the subnet")
	}
	b.Config["placement"] = map[string]any{"availabilityZone": az, "tenancy": p.StringOr("Tenancy", "default")}
	if s, ok := az.(string); ok {
		b.AZ = s
	}

	ltData, hasLT := c.launchTemplateData(p)

	// Network: the first interface, or the instance's own subnet.
	subnet, hasSubnet := p.String("SubnetId")
	var public any = value.NewUnknown("public IP depends on the subnet's MapPublicIpOnLaunch")
	var groups []any
	if nics, ok := p.Objs("NetworkInterfaces"); ok {
		for _, nic := range nics {
			if idx := nic.StringOr("DeviceIndex", "0"); idx != "0" {
				continue
			}
			if v, ok := nic.String("SubnetId"); ok {
				subnet, hasSubnet = v, true
			}
			if v, ok := nic.Bool("AssociatePublicIpAddress"); ok {
				public = v
			}
			if v, ok := nic.Strings("GroupSet"); ok {
				if l, isList := v.([]any); isList {
					groups = append(groups, l...)
				}
			}
		}
	}
	if hasSubnet {
		b.Config["subnetId"] = ci.Ref(subnet)
		if id, ok := ci.RefID(subnet); ok {
			b.Relate("AWS::EC2::Subnet", id, "Is contained in Subnet")
		}
	} else {
		subnet = value.NewUnknown("default subnet")
		b.Config["subnetId"] = subnet
	}
	b.Config["vpcId"] = c.subnetVPC(subnet)
	if _, decided := public.(bool); !decided {
		if v, ok := c.subnetMapsPublicIP(subnet); ok {
			public = v
		}
	}
	nic := map[string]any{"subnetId": b.Config["subnetId"], "vpcId": b.Config["vpcId"]}
	switch public {
	case true:
		ip := value.NewUnknown(r.LogicalID + ".PublicIp")
		b.Config["publicIpAddress"] = ip
		nic["association"] = map[string]any{"publicIp": ip}
	case false:
	default:
		b.Config["publicIpAddress"] = public
		nic["association"] = map[string]any{"publicIp": public}
	}
	b.Config["networkInterfaces"] = []any{nic}

	for _, key := range []string{"SecurityGroupIds", "SecurityGroups"} {
		if v, ok := p.Strings(key); ok {
			if l, isList := v.([]any); isList {
				groups = append(groups, l...)
			} else {
				groups = append(groups, v)
			}
		}
	}
	sgs := make([]any, 0, len(groups))
	for _, g := range groups {
		entry := map[string]any{"groupId": ci.Ref(g)}
		if id, ok := ci.RefID(g); ok {
			b.Relate("AWS::EC2::SecurityGroup", id, "Is associated with SecurityGroup")
		}
		sgs = append(sgs, entry)
	}
	b.Config["securityGroups"] = sgs

	if v, ok := p.String("IamInstanceProfile"); ok {
		b.Config["iamInstanceProfile"] = map[string]any{
			"arn": value.Concat("arn:", c.partition(), ":iam::", c.account(), ":instance-profile/", v),
			"id":  value.NewUnknown(r.LogicalID + " instance profile id"),
		}
	} else if hasLT {
		if ip, ok := ltData.Obj("IamInstanceProfile"); ok {
			b.Config["iamInstanceProfile"] = map[string]any{"arn": ip.StringOr("Arn", value.NewUnknown("instance profile of the launch template")), "id": nil}
		}
	}

	// Instance metadata options come from the launch template; what is not
	// set there follows the AMI and the account's IMDS defaults.
	imdsDefault := value.NewUnknown("instance metadata defaults of the AMI and account")
	meta := map[string]any{"httpTokens": imdsDefault, "httpEndpoint": imdsDefault, "state": "applied"}
	if hasLT {
		if mo, ok := ltData.Obj("MetadataOptions"); ok {
			meta["httpTokens"] = mo.StringOr("HttpTokens", imdsDefault)
			meta["httpEndpoint"] = mo.StringOr("HttpEndpoint", imdsDefault)
			if v, ok := mo.Int("HttpPutResponseHopLimit"); ok {
				meta["httpPutResponseHopLimit"] = v
			}
		}
	}
	b.Config["metadataOptions"] = meta
	if mappings, ok := p.Objs("BlockDeviceMappings"); ok {
		var out []any
		for _, m := range mappings {
			e := map[string]any{"deviceName": m.StringOr("DeviceName", nil)}
			if ebs, ok := m.Obj("Ebs"); ok {
				e["ebs"] = map[string]any{"deleteOnTermination": ebs.BoolOr("DeleteOnTermination", true)}
			}
			out = append(out, e)
		}
		b.Config["blockDeviceMappings"] = out
	}
	b.ARN = c.t.arn("ec2", true, "instance/", value.ResourceID(r.LogicalID, r.LogicalID))
	ec2Tags(r, b)
	return b
}

// subnetVPC returns the VPC of a subnet of the template, as an item id.
func (c *conv) subnetVPC(subnet any) any {
	id, ok := ci.RefID(subnet)
	if !ok {
		return value.NewUnknown("VPC of the subnet")
	}
	r := c.t.resources[id]
	if r == nil || r.Type != "AWS::EC2::Subnet" {
		return value.NewUnknown("VPC of the subnet")
	}
	v, err := c.t.Property(r, "VpcId")
	if err != nil || v == nil {
		return value.NewUnknown("VPC of the subnet")
	}
	return ci.Ref(v)
}

// subnetMapsPublicIP tells whether instances in a subnet of the template
// get a public IP (MapPublicIpOnLaunch, false by default).
func (c *conv) subnetMapsPublicIP(subnet any) (any, bool) {
	id, ok := ci.RefID(subnet)
	if !ok {
		return nil, false
	}
	r := c.t.resources[id]
	if r == nil || r.Type != "AWS::EC2::Subnet" {
		return nil, false
	}
	v, err := c.t.Property(r, "MapPublicIpOnLaunch")
	if err != nil {
		return nil, false
	}
	if v == nil {
		return false, true
	}
	b, ok := value.AsBool(v)
	return b, ok
}

func ec2Volume(c *conv, r *res) *ci.Builder {
	p := r.props
	b := ci.NewBuilder("", "")
	b.Config["volumeId"] = r.LogicalID
	az, hasAZ := p.String("AvailabilityZone")
	b.Config["availabilityZone"] = ci.OrNil(az, hasAZ)
	if s, ok := az.(string); ok {
		b.AZ = s
	}
	b.Config["size"] = p.IntOr("Size", nil)
	b.Config["volumeType"] = p.StringOr("VolumeType", "gp2")
	if v, ok := p.Int("Iops"); ok {
		b.Config["iops"] = v
	}
	if v, ok := p.Int("Throughput"); ok {
		b.Config["throughput"] = v
	}
	b.Config["snapshotId"] = p.StringOr("SnapshotId", nil)
	b.Config["multiAttachEnabled"] = p.BoolOr("MultiAttachEnabled", false)
	b.Config["state"] = "available"
	b.Config["attachments"] = []any{}
	b.Config["encrypted"] = ci.VolumeEncrypted(c.t.opts.EBSEncryptionByDefault, p.BoolOr("Encrypted", nil), p.Has("SnapshotId"))
	b.Config["kmsKeyId"] = p.StringOr("KmsKeyId", nil)
	b.ARN = c.t.arn("ec2", true, "volume/", value.ResourceID(r.LogicalID, r.LogicalID))
	ec2Tags(r, b)
	return b
}

func ec2VolumeAttachment(c *conv, r *res) error {
	id, b, err := c.target(r, "VolumeId", "AWS::EC2::Volume", nil)
	if err != nil {
		return err
	}
	inst, _ := r.props.String("InstanceId")
	b.Config["attachments"] = append(b.Config["attachments"].([]any), map[string]any{
		"volumeId":   id,
		"instanceId": ci.Ref(inst),
		"device":     r.props.StringOr("Device", nil),
		"state":      "attached",
	})
	b.Config["state"] = "in-use"
	if iid, ok := ci.RefID(inst); ok {
		b.Relate("AWS::EC2::Instance", iid, "Is attached to Instance")
	}
	return nil
}

func ec2VPC(c *conv, r *res) *ci.Builder {
	p := r.props
	b := ci.NewBuilder("", "")
	b.AZ = "Multiple Availability Zones"
	b.Config["vpcId"] = r.LogicalID
	cidr, ok := p.String("CidrBlock")
	if !ok {
		cidr = value.NewUnknown("CIDR block allocated from IPAM")
	}
	b.Config["cidrBlock"] = cidr
	b.Config["cidrBlockAssociationSet"] = []any{map[string]any{"cidrBlock": cidr, "cidrBlockState": map[string]any{"state": "associated"}}}
	b.Config["ipv6CidrBlockAssociationSet"] = []any{}
	b.Config["instanceTenancy"] = p.StringOr("InstanceTenancy", "default")
	b.Config["isDefault"] = false
	b.Config["state"] = "available"
	b.Config["ownerId"] = c.account()
	b.ARN = c.t.arn("ec2", true, "vpc/", value.ResourceID(r.LogicalID, r.LogicalID))
	ec2Tags(r, b)
	return b
}

// defaultFlowLogFormat is the format of flow logs created without LogFormat.
const defaultFlowLogFormat = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"

func ec2FlowLog(c *conv, r *res) *ci.Builder {
	p := r.props
	b := ci.NewBuilder("", "")
	b.AZ = "Not Applicable"
	b.Config["flowLogId"] = r.LogicalID
	target, _ := p.String("ResourceId")
	// resourceId is the VPC (subnet, interface) it watches: for a resource
	// of the template, that resource's item id, so the VPC's rule finds it.
	b.Config["resourceId"] = ci.Ref(target)
	b.Config["trafficType"] = p.StringOr("TrafficType", nil)
	destType := p.StringOr("LogDestinationType", "cloud-watch-logs")
	b.Config["logDestinationType"] = destType
	b.Config["logDestination"] = p.StringOr("LogDestination", nil)
	b.Config["logGroupName"] = p.StringOr("LogGroupName", nil)
	b.Config["deliverLogsPermissionArn"] = p.StringOr("DeliverLogsPermissionArn", nil)
	b.Config["logFormat"] = p.StringOr("LogFormat", defaultFlowLogFormat)
	b.Config["maxAggregationInterval"] = p.IntOr("MaxAggregationInterval", ci.Int(600))
	b.Config["flowLogStatus"] = "ACTIVE"
	if d, ok := p.Obj("DestinationOptions"); ok {
		b.Config["destinationOptions"] = map[string]any{
			"fileFormat":               d.StringOr("FileFormat", "plain-text"),
			"hiveCompatiblePartitions": d.BoolOr("HiveCompatiblePartitions", false),
			"perHourPartition":         d.BoolOr("PerHourPartition", false),
		}
	}
	if p.StringOr("ResourceType", "") == "" {
		p.Fail("ResourceType", "is required")
	}
	b.ARN = c.t.arn("ec2", true, "vpc-flow-log/", value.ResourceID(r.LogicalID, r.LogicalID))
	ec2Tags(r, b)
	return b
}

func ec2NetworkACL(c *conv, r *res) *ci.Builder {
	p := r.props
	b := ci.NewBuilder("", "")
	b.AZ = "Multiple Availability Zones"
	b.Config["networkAclId"] = r.LogicalID
	vpc, _ := p.String("VpcId")
	b.Config["vpcId"] = ci.Ref(vpc)
	if id, ok := ci.RefID(vpc); ok {
		b.Relate("AWS::EC2::VPC", id, "Is contained in Vpc")
	}
	b.Config["isDefault"] = false
	b.Config["entries"] = ci.NetworkACLDefaultEntries()
	b.Config["associations"] = []any{}
	b.Config["ownerId"] = c.account()
	b.ARN = c.t.arn("ec2", true, "network-acl/", value.ResourceID(r.LogicalID, r.LogicalID))
	ec2Tags(r, b)
	return b
}

// ec2NetworkACLEntry merges AWS::EC2::NetworkAclEntry into its ACL.
func ec2NetworkACLEntry(c *conv, r *res) error {
	_, b, err := c.target(r, "NetworkAclId", "AWS::EC2::NetworkAcl", nil)
	if err != nil {
		return err
	}
	p := r.props
	e := map[string]any{
		"ruleNumber": p.IntOr("RuleNumber", nil),
		"protocol":   ci.ACLProtocol(p.StringOr("Protocol", nil)),
		"ruleAction": lower(p.StringOr("RuleAction", nil)),
		"egress":     p.BoolOr("Egress", false),
	}
	if v, ok := p.String("CidrBlock"); ok {
		e["cidrBlock"] = v
	}
	if v, ok := p.String("Ipv6CidrBlock"); ok {
		e["ipv6CidrBlock"] = v
	}
	if pr, ok := p.Obj("PortRange"); ok {
		e["portRange"] = map[string]any{"from": pr.IntOr("From", nil), "to": pr.IntOr("To", nil)}
	}
	if ic, ok := p.Obj("Icmp"); ok {
		e["icmpTypeCode"] = map[string]any{"code": ic.IntOr("Code", nil), "type": ic.IntOr("Type", nil)}
	}
	entries := b.Config["entries"].([]any)
	// Keep the deny-all entries last, as EC2 lists them by rule number.
	n := len(entries)
	b.Config["entries"] = append(append(append([]any{}, entries[:n-2]...), e), entries[n-2:]...)
	return nil
}

func ec2SubnetNetworkACLAssociation(c *conv, r *res) error {
	id, b, err := c.target(r, "NetworkAclId", "AWS::EC2::NetworkAcl", nil)
	if err != nil {
		return err
	}
	subnet, _ := r.props.String("SubnetId")
	b.Config["associations"] = append(b.Config["associations"].([]any), map[string]any{
		"networkAclAssociationId": r.LogicalID,
		"networkAclId":            id,
		"subnetId":                ci.Ref(subnet),
	})
	if sid, ok := ci.RefID(subnet); ok {
		b.Relate("AWS::EC2::Subnet", sid, "Is attached to Subnet")
	}
	return nil
}

func lower(v any) any {
	if s, ok := v.(string); ok {
		return strings.ToLower(s)
	}
	return v
}
