package tfplan

import (
	"github.com/guardrails-go/guardrails/iac/internal/ci"
	"github.com/guardrails-go/guardrails/iac/internal/value"
)

func init() {
	mappings["aws_security_group"] = mapping{"AWS::EC2::SecurityGroup", ec2SecurityGroup(false)}
	mappings["aws_default_security_group"] = mapping{"AWS::EC2::SecurityGroup", ec2SecurityGroup(true)}
	mappings["aws_instance"] = mapping{"AWS::EC2::Instance", ec2Instance}
	mappings["aws_ebs_volume"] = mapping{"AWS::EC2::Volume", ec2Volume}
	mappings["aws_vpc"] = mapping{"AWS::EC2::VPC", ec2VPC(false)}
	mappings["aws_default_vpc"] = mapping{"AWS::EC2::VPC", ec2VPC(true)}
	mappings["aws_flow_log"] = mapping{"AWS::EC2::FlowLog", ec2FlowLog}
	mappings["aws_network_acl"] = mapping{"AWS::EC2::NetworkAcl", ec2NetworkACL(false)}
	mappings["aws_default_network_acl"] = mapping{"AWS::EC2::NetworkAcl", ec2NetworkACL(true)}
	companions["aws_security_group_rule"] = ec2SecurityGroupRule
	companions["aws_vpc_security_group_ingress_rule"] = ec2VPCSecurityGroupRule(false)
	companions["aws_vpc_security_group_egress_rule"] = ec2VPCSecurityGroupRule(true)
	companions["aws_network_acl_rule"] = ec2NetworkACLRule
	companions["aws_network_acl_association"] = ec2NetworkACLAssociation
	companions["aws_volume_attachment"] = ec2VolumeAttachment
}

func ec2Tags(r *res, b *ci.Builder) {
	tags(r, b)
	b.Config["tags"] = ci.KeyValueTags(b.Tags)
}

type sgRules struct{ ingress, egress []ci.IPPermission }

// sgPermission reads an inline ingress/egress block or an
// aws_security_group_rule.
func (c *conv) sgPermission(r *res, o *value.Obj, self string) ci.IPPermission {
	p := ci.IPPermission{Protocol: o.StringOr("protocol", nil)}
	p.FromPort, _ = o.Int("from_port")
	p.ToPort, _ = o.Int("to_port")
	if l, ok := o.Strings("cidr_blocks"); ok {
		p.IPv4 = listOf(l)
	}
	if l, ok := o.Strings("ipv6_cidr_blocks"); ok {
		p.IPv6 = listOf(l)
	}
	if l, ok := o.Strings("prefix_list_ids"); ok {
		p.PrefixList = listOf(l)
	}
	if o.Has("security_groups") {
		p.Groups = c.refList(r, o, "security_groups")
	}
	if o == r.v && o.Has("source_security_group_id") {
		g := c.ref(r, "source_security_group_id")
		if t := c.refInstance(r.Instance, "source_security_group_id", ""); t != nil {
			g = t.Address
		}
		p.Groups = append(p.Groups, g)
	}
	if o.BoolOr("self", false) == true && self != "" {
		p.Groups = append(p.Groups, self)
	}
	if d := o.StringOr("description", ""); d != "" {
		p.Description = d
	}
	return p
}

func listOf(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func ec2SecurityGroup(isDefault bool) func(c *conv, r *res) *ci.Builder {
	return func(c *conv, r *res) *ci.Builder {
		v := r.v
		b := ci.NewBuilder("", "")
		b.AZ = "Not Applicable"
		name := v.StringOr("name", value.NewUnknown(r.Address+".name"))
		if isDefault {
			name = "default"
		}
		b.Config["groupName"] = name
		b.Config["groupId"] = r.Address
		if isDefault {
			b.Config["description"] = "default VPC security group"
		} else {
			b.Config["description"] = v.StringOr("description", "Managed by Terraform")
		}
		b.Config["ownerId"] = c.account()
		vpc := c.ref(r, "vpc_id")
		if vpc == nil {
			vpc = value.NewUnknown("default VPC")
		}
		if u, ok := vpc.(value.Unknown); ok {
			if t, found := c.p.Resolve(r.Instance, c.p.References(r.Instance, "vpc_id")); found {
				vpc = t.Address
			} else {
				vpc = u
			}
		}
		b.Config["vpcId"] = vpc
		if s, ok := vpc.(string); ok && c.p.byAddress[s] != nil {
			b.Relate("AWS::EC2::VPC", s, "Is contained in Vpc")
		}
		rules := &sgRules{}
		// Terraform manages the inline rules: a group that configures none
		// has none (it removes the default egress rule AWS adds; for the
		// default group it removes every rule).
		for _, dir := range []struct {
			attr string
			list *[]ci.IPPermission
		}{{"ingress", &rules.ingress}, {"egress", &rules.egress}} {
			raw, set := c.computed(r, dir.attr, nil)
			if !set {
				continue
			}
			if u, unknown := raw.(value.Unknown); unknown {
				*dir.list = append(*dir.list, ci.IPPermission{Protocol: u, FromPort: u.Typed(), ToPort: u.Typed(), IPv4: []any{u}})
				continue
			}
			blocks, _ := v.Objs(dir.attr)
			for _, o := range blocks {
				*dir.list = append(*dir.list, c.sgPermission(r, o, r.Address))
			}
		}
		b.State = rules
		b.ARN = value.Concat("arn:", c.partition(), ":ec2:", c.regionOf(r), ":", c.account(), ":security-group/", value.NewUnknown(r.Address+".id"))
		ec2Tags(r, b)
		b.Finish = func() {
			b.Config["ipPermissions"] = ci.MergePermissions(rules.ingress)
			b.Config["ipPermissionsEgress"] = ci.MergePermissions(rules.egress)
			b.State = nil
		}
		return b
	}
}

// ec2SecurityGroupRule merges aws_security_group_rule into its group.
func ec2SecurityGroupRule(c *conv, r *res) error {
	t, b, err := c.target(r, "security_group_id", "aws_security_group", "id")
	if err != nil {
		return err
	}
	rules := b.State.(*sgRules)
	p := c.sgPermission(r, r.v, t.Address)
	if r.errs.Err() != nil {
		return nil
	}
	switch r.v.StringOr("type", nil) {
	case "ingress":
		rules.ingress = append(rules.ingress, p)
	case "egress":
		rules.egress = append(rules.egress, p)
	default:
		r.v.Fail("type", "want ingress or egress")
	}
	return nil
}

// ec2VPCSecurityGroupRule merges aws_vpc_security_group_ingress_rule and
// _egress_rule (one CIDR, prefix list or group each) into their group.
func ec2VPCSecurityGroupRule(egress bool) companion {
	return func(c *conv, r *res) error {
		_, b, err := c.target(r, "security_group_id", "aws_security_group", "id")
		if err != nil {
			return err
		}
		v := r.v
		p := ci.IPPermission{Protocol: v.StringOr("ip_protocol", nil)}
		p.FromPort, _ = v.Int("from_port")
		p.ToPort, _ = v.Int("to_port")
		if s, ok := v.String("cidr_ipv4"); ok {
			p.IPv4 = []any{s}
		}
		if s, ok := v.String("cidr_ipv6"); ok {
			p.IPv6 = []any{s}
		}
		if s, ok := v.String("prefix_list_id"); ok {
			p.PrefixList = []any{s}
		}
		if v.Has("referenced_security_group_id") {
			p.Groups = []any{c.ref(r, "referenced_security_group_id")}
		}
		if d := v.StringOr("description", ""); d != "" {
			p.Description = d
		}
		rules := b.State.(*sgRules)
		if r.errs.Err() != nil {
			return nil
		}
		if egress {
			rules.egress = append(rules.egress, p)
		} else {
			rules.ingress = append(rules.ingress, p)
		}
		return nil
	}
}

func ec2Instance(c *conv, r *res) *ci.Builder {
	v := r.v
	b := ci.NewBuilder("", "")
	b.Config["instanceId"] = r.Address
	b.Config["imageId"] = v.StringOr("ami", nil)
	b.Config["instanceType"] = v.StringOr("instance_type", nil)
	b.Config["keyName"] = v.StringOr("key_name", nil)
	b.Config["state"] = map[string]any{"code": ci.Int(16), "name": "running"}
	b.Config["ebsOptimized"] = v.BoolOr("ebs_optimized", false)
	monitoring := "disabled"
	if v.BoolOr("monitoring", false) == true {
		monitoring = "enabled"
	}
	b.Config["monitoring"] = map[string]any{"state": monitoring}
	az, _ := v.String("availability_zone")
	if az == nil {
		az = value.NewUnknown("availability zone AWS picks")
	}
	b.Config["placement"] = map[string]any{"availabilityZone": az, "tenancy": v.StringOr("tenancy", "default")}
	if s, ok := az.(string); ok {
		b.AZ = s
	}
	subnet := c.ref(r, "subnet_id")
	subnetInstance := c.refInstance(r.Instance, "subnet_id", "aws_subnet")
	if subnetInstance != nil {
		subnet = subnetInstance.Address
	}
	if subnet == nil {
		subnet = value.NewUnknown("default subnet")
	}
	b.Config["subnetId"] = subnet
	vpc := any(value.NewUnknown("VPC of the subnet"))
	if subnetInstance != nil {
		if t := c.refInstance(subnetInstance, "vpc_id", "aws_vpc"); t != nil {
			vpc = t.Address
		} else if s, ok := subnetInstance.Values["vpc_id"].(string); ok {
			vpc = s
		}
	}
	b.Config["vpcId"] = vpc
	public, configured := c.computed(r, "associate_public_ip_address", nil)
	if !configured || public == nil {
		public = value.NewUnknown("public IP depends on the subnet's MapPublicIpOnLaunch")
		if subnetInstance != nil {
			switch m := subnetInstance.Values["map_public_ip_on_launch"].(type) {
			case bool:
				public = m
			}
		}
	}
	nic := map[string]any{"subnetId": subnet, "vpcId": vpc}
	switch public {
	case true:
		ip := value.NewUnknown(r.Address + ".public_ip")
		b.Config["publicIpAddress"] = ip
		nic["association"] = map[string]any{"publicIp": ip}
	case false:
	default:
		b.Config["publicIpAddress"] = public
		nic["association"] = map[string]any{"publicIp": public}
	}
	b.Config["networkInterfaces"] = []any{nic}
	groups := c.refList(r, v, "vpc_security_group_ids")
	if l, ok := v.Strings("security_groups"); ok {
		groups = append(groups, listOf(l)...)
	}
	sgs := make([]any, 0, len(groups))
	for _, g := range groups {
		sgs = append(sgs, map[string]any{"groupId": g})
		if s, ok := g.(string); ok && c.p.byAddress[s] != nil {
			b.Relate("AWS::EC2::SecurityGroup", s, "Is associated with SecurityGroup")
		}
	}
	b.Config["securityGroups"] = sgs
	if p, ok := v.String("iam_instance_profile"); ok && p != "" {
		b.Config["iamInstanceProfile"] = map[string]any{
			"arn": value.Concat("arn:", c.partition(), ":iam::", c.account(), ":instance-profile/", p),
			"id":  value.NewUnknown(r.Address + " instance profile id"),
		}
	}
	imdsDefault := value.NewUnknown("instance metadata defaults of the AMI and account")
	meta := map[string]any{"httpTokens": imdsDefault, "httpEndpoint": imdsDefault, "state": "applied"}
	raw, set := v.Raw("metadata_options")
	if set {
		if mo, ok := blockOf(v, "metadata_options", raw); ok {
			if _, whole := mo.Unknown(); !whole {
				meta["httpTokens"] = mo.StringOr("http_tokens", imdsDefault)
				meta["httpEndpoint"] = mo.StringOr("http_endpoint", imdsDefault)
				if n, ok := mo.Int("http_put_response_hop_limit"); ok {
					meta["httpPutResponseHopLimit"] = n
				}
			}
		}
	}
	b.Config["metadataOptions"] = meta
	b.ARN = value.Concat("arn:", c.partition(), ":ec2:", c.regionOf(r), ":", c.account(), ":instance/", value.NewUnknown(r.Address+".id"))
	ec2Tags(r, b)
	return b
}

// refInstance returns the instance of type typ that r's attribute references.
func (c *conv) refInstance(in *Instance, attr, typ string) *Instance {
	t, ok := c.p.Resolve(in, c.p.References(in, attr))
	if !ok || (typ != "" && t.Type != typ) {
		return nil
	}
	return t
}

func ec2Volume(c *conv, r *res) *ci.Builder {
	v := r.v
	b := ci.NewBuilder("", "")
	b.Config["volumeId"] = r.Address
	az, _ := v.String("availability_zone")
	b.Config["availabilityZone"] = az
	if s, ok := az.(string); ok {
		b.AZ = s
	}
	b.Config["size"] = v.IntOr("size", nil)
	typ, _ := c.computed(r, "type", "gp2")
	b.Config["volumeType"] = typ
	b.Config["snapshotId"] = emptyAsNil(v.StringOr("snapshot_id", nil))
	b.Config["multiAttachEnabled"] = v.BoolOr("multi_attach_enabled", false)
	b.Config["state"] = "available"
	b.Config["attachments"] = []any{}
	asked, set := c.computed(r, "encrypted", nil)
	if !set {
		asked = nil
	}
	if s, isStr := b.Config["snapshotId"].(string); isStr && s != "" && asked == nil {
		b.Config["encrypted"] = ci.VolumeEncrypted(c.p.opts.EBSEncryptionByDefault, nil, true)
	} else {
		b.Config["encrypted"] = ci.VolumeEncrypted(c.p.opts.EBSEncryptionByDefault, asked, false)
	}
	key, _ := c.computed(r, "kms_key_id", nil)
	b.Config["kmsKeyId"] = emptyAsNil(key)
	b.ARN = value.Concat("arn:", c.partition(), ":ec2:", c.regionOf(r), ":", c.account(), ":volume/", value.NewUnknown(r.Address+".id"))
	ec2Tags(r, b)
	return b
}

func ec2VolumeAttachment(c *conv, r *res) error {
	t, b, err := c.target(r, "volume_id", "aws_ebs_volume", "id")
	if err != nil {
		return err
	}
	inst := c.ref(r, "instance_id")
	if ti := c.refInstance(r.Instance, "instance_id", "aws_instance"); ti != nil {
		inst = ti.Address
		b.Relate("AWS::EC2::Instance", ti.Address, "Is attached to Instance")
	}
	b.Config["attachments"] = append(b.Config["attachments"].([]any), map[string]any{
		"volumeId":   t.Address,
		"instanceId": inst,
		"device":     r.v.StringOr("device_name", nil),
		"state":      "attached",
	})
	b.Config["state"] = "in-use"
	return nil
}

func ec2VPC(isDefault bool) func(c *conv, r *res) *ci.Builder {
	return func(c *conv, r *res) *ci.Builder {
		v := r.v
		b := ci.NewBuilder("", "")
		b.AZ = "Multiple Availability Zones"
		b.Config["vpcId"] = r.Address
		cidr := v.StringOr("cidr_block", value.NewUnknown(r.Address+".cidr_block"))
		b.Config["cidrBlock"] = cidr
		b.Config["cidrBlockAssociationSet"] = []any{map[string]any{"cidrBlock": cidr, "cidrBlockState": map[string]any{"state": "associated"}}}
		b.Config["ipv6CidrBlockAssociationSet"] = []any{}
		tenancy, _ := c.computed(r, "instance_tenancy", "default")
		b.Config["instanceTenancy"] = tenancy
		b.Config["isDefault"] = isDefault
		b.Config["state"] = "available"
		b.Config["ownerId"] = c.account()
		b.ARN = value.Concat("arn:", c.partition(), ":ec2:", c.regionOf(r), ":", c.account(), ":vpc/", value.NewUnknown(r.Address+".id"))
		ec2Tags(r, b)
		return b
	}
}

const defaultFlowLogFormat = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"

func ec2FlowLog(c *conv, r *res) *ci.Builder {
	v := r.v
	b := ci.NewBuilder("", "")
	b.AZ = "Not Applicable"
	b.Config["flowLogId"] = r.Address
	// resourceId is what the flow log watches; for a resource of the plan,
	// its address, so that the VPC's item finds its flow logs.
	var target any
	for _, attr := range []string{"vpc_id", "subnet_id", "eni_id", "transit_gateway_id", "transit_gateway_attachment_id"} {
		if !v.Has(attr) {
			continue
		}
		target = c.ref(r, attr)
		if t, ok := c.p.Resolve(r.Instance, c.p.References(r.Instance, attr)); ok {
			target = t.Address
		}
		break
	}
	if target == nil {
		v.Fail("vpc_id", "one of vpc_id, subnet_id, eni_id or transit_gateway_id is required")
	}
	b.Config["resourceId"] = target
	b.Config["trafficType"] = v.StringOr("traffic_type", nil)
	destType, _ := c.computed(r, "log_destination_type", "cloud-watch-logs")
	b.Config["logDestinationType"] = destType
	dest, _ := c.computed(r, "log_destination", nil)
	b.Config["logDestination"] = dest
	group, _ := c.computed(r, "log_group_name", nil)
	b.Config["logGroupName"] = emptyAsNil(group)
	b.Config["deliverLogsPermissionArn"] = emptyAsNil(v.StringOr("iam_role_arn", nil))
	format, _ := c.computed(r, "log_format", defaultFlowLogFormat)
	b.Config["logFormat"] = format
	b.Config["maxAggregationInterval"] = v.IntOr("max_aggregation_interval", ci.Int(600))
	b.Config["flowLogStatus"] = "ACTIVE"
	if d, ok := v.Block("destination_options"); ok {
		b.Config["destinationOptions"] = map[string]any{
			"fileFormat":               d.StringOr("file_format", "plain-text"),
			"hiveCompatiblePartitions": d.BoolOr("hive_compatible_partitions", false),
			"perHourPartition":         d.BoolOr("per_hour_partition", false),
		}
	}
	b.ARN = value.Concat("arn:", c.partition(), ":ec2:", c.regionOf(r), ":", c.account(), ":vpc-flow-log/", value.NewUnknown(r.Address+".id"))
	ec2Tags(r, b)
	return b
}

func aclEntry(o *value.Obj, egress any, numberKey, actionKey string) map[string]any {
	e := map[string]any{
		"ruleNumber": o.IntOr(numberKey, nil),
		"protocol":   ci.ACLProtocol(o.StringOr("protocol", nil)),
		"ruleAction": lowerValue(o.StringOr(actionKey, nil)),
		"egress":     egress,
	}
	if s := o.StringOr("cidr_block", ""); s != "" {
		e["cidrBlock"] = s
	}
	if s := o.StringOr("ipv6_cidr_block", ""); s != "" {
		e["ipv6CidrBlock"] = s
	}
	if e["protocol"] == "6" || e["protocol"] == "17" {
		e["portRange"] = map[string]any{"from": o.IntOr("from_port", nil), "to": o.IntOr("to_port", nil)}
	}
	if e["protocol"] == "1" || e["protocol"] == "58" {
		e["icmpTypeCode"] = map[string]any{"type": o.IntOr("icmp_type", nil), "code": o.IntOr("icmp_code", nil)}
	}
	return e
}

func ec2NetworkACL(isDefault bool) func(c *conv, r *res) *ci.Builder {
	return func(c *conv, r *res) *ci.Builder {
		v := r.v
		b := ci.NewBuilder("", "")
		b.AZ = "Multiple Availability Zones"
		b.Config["networkAclId"] = r.Address
		vpc := c.ref(r, "vpc_id")
		if t := c.refInstance(r.Instance, "vpc_id", "aws_vpc"); t != nil {
			vpc = t.Address
			b.Relate("AWS::EC2::VPC", t.Address, "Is contained in Vpc")
		}
		b.Config["vpcId"] = vpc
		b.Config["isDefault"] = isDefault
		b.Config["ownerId"] = c.account()
		var entries []any
		// Terraform manages the inline rules; the default ACL it adopts
		// keeps only the rules configured.
		for _, dir := range []struct {
			attr   string
			egress bool
		}{{"egress", true}, {"ingress", false}} {
			raw, set := c.computed(r, dir.attr, nil)
			if !set {
				continue
			}
			if u, unknown := raw.(value.Unknown); unknown {
				entries = append(entries, map[string]any{"ruleNumber": u.Typed(), "protocol": u, "ruleAction": u, "egress": dir.egress, "cidrBlock": u})
				continue
			}
			blocks, _ := v.Objs(dir.attr)
			for _, o := range blocks {
				entries = append(entries, aclEntry(o, dir.egress, "rule_no", "action"))
			}
		}
		b.State = &entries
		assoc := []any{}
		if l, ok := v.Strings("subnet_ids"); ok {
			for _, s := range listOf(l) {
				assoc = append(assoc, map[string]any{"networkAclId": r.Address, "subnetId": ci.Ref(s)})
			}
		}
		b.Config["associations"] = assoc
		b.ARN = value.Concat("arn:", c.partition(), ":ec2:", c.regionOf(r), ":", c.account(), ":network-acl/", value.NewUnknown(r.Address+".id"))
		ec2Tags(r, b)
		b.Finish = func() {
			b.Config["entries"] = append(entries, ci.NetworkACLDefaultEntries()...)
			b.State = nil
		}
		return b
	}
}

func ec2NetworkACLRule(c *conv, r *res) error {
	_, b, err := c.target(r, "network_acl_id", "aws_network_acl", "id")
	if err != nil {
		return err
	}
	entries := b.State.(*[]any)
	e := aclEntry(r.v, r.v.BoolOr("egress", false), "rule_number", "rule_action")
	if r.errs.Err() != nil {
		return nil
	}
	*entries = append(*entries, e)
	return nil
}

func ec2NetworkACLAssociation(c *conv, r *res) error {
	t, b, err := c.target(r, "network_acl_id", "aws_network_acl", "id")
	if err != nil {
		return err
	}
	subnet := c.ref(r, "subnet_id")
	if s := c.refInstance(r.Instance, "subnet_id", "aws_subnet"); s != nil {
		subnet = s.Address
	}
	b.Config["associations"] = append(b.Config["associations"].([]any), map[string]any{
		"networkAclAssociationId": r.Address, "networkAclId": t.Address, "subnetId": subnet,
	})
	return nil
}

func lowerValue(v any) any {
	if s, ok := v.(string); ok {
		out := []byte(s)
		for i, ch := range out {
			if 'A' <= ch && ch <= 'Z' {
				out[i] = ch + 32
			}
		}
		return string(out)
	}
	return v
}
