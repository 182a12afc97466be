package watch

import (
	"fmt"
	"strings"
)

const ec2Source = "ec2.amazonaws.com"

func ec2Detections() []Detection {
	return []Detection{
		securityGroupDetection(),
		{
			ID:           "ec2-imdsv1-allowed",
			Summary:      "Instance metadata options set with HttpTokens optional: IMDSv1 answers without a session token, which SSRF flaws in the instance's software can reach.",
			Severity:     Medium,
			EventSource:  ec2Source,
			EventNames:   []string{"ModifyInstanceMetadataOptions"},
			Rules:        []string{"ec2-imdsv2-check"},
			Remediations: []string{"ec2-require-imdsv2"},
			judge:        judgeMetadataOptions,
		},
		{
			ID:           "ec2-ebs-default-encryption-disabled",
			Summary:      "EBS encryption by default turned off for the region: new volumes are created unencrypted unless asked.",
			Severity:     Medium,
			EventSource:  ec2Source,
			EventNames:   []string{"DisableEbsEncryptionByDefault"},
			Rules:        []string{"ec2-ebs-encryption-by-default"},
			Remediations: []string{"ec2-enable-ebs-encryption-by-default"},
			judge: func(c *call) (*verdict, error) {
				return &verdict{
					severity:     Medium,
					summary:      fmt.Sprintf("EBS encryption by default turned off in account %s, region %s.", c.account(), c.rec.AWSRegion),
					rules:        []string{"ec2-ebs-encryption-by-default"},
					remediations: []string{"ec2-enable-ebs-encryption-by-default"},
					resources:    []string{c.accountARN("ec2", c.rec.AWSRegion)},
					target:       c.accountTarget(),
				}, nil
			},
		},
		{
			ID:           "vpc-flow-logs-deleted",
			Summary:      "VPC flow logs deleted: network traffic of the VPC, subnet or interface is no longer logged.",
			Severity:     Medium,
			EventSource:  ec2Source,
			EventNames:   []string{"DeleteFlowLogs"},
			Rules:        []string{"vpc-flow-logs-enabled"},
			Remediations: []string{"vpc-enable-flow-logs"},
			judge:        judgeFlowLogsDeleted,
		},
		{
			ID:          "ec2-snapshot-made-public",
			Summary:     "An EBS snapshot's create-volume permission given to group \"all\": anyone can create a volume from it and read the data.",
			Severity:    High,
			EventSource: ec2Source,
			EventNames:  []string{"ModifySnapshotAttribute"},
			Rules:       []string{"ebs-snapshot-public-restorable-check"},
			judge:       judgeSnapshotPublic,
		},
	}
}

// ec2Request returns the parameters of a newer EC2 API, which CloudTrail
// wraps as {"<Name>Request": {...}} with PascalCase keys, or the
// parameters themselves in the older flat shape.
func (c *call) ec2Request() value {
	if r := c.params.get(c.rec.EventName + "Request"); !r.null() {
		return r
	}
	return c.params
}

// ec2Text reads a value that the wrapped shape writes as {"content": ...,
// "tag": N} and the flat one as a string.
func ec2Text(v value) (string, error) {
	if c := v.get("content"); c.present() {
		return c.str()
	}
	return v.str()
}

func judgeMetadataOptions(c *call) (*verdict, error) {
	req := c.ec2Request()
	if err := req.object(); err != nil {
		return nil, err
	}
	tokens, err := ec2Text(req.getFold("HttpTokens"))
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(tokens, "optional") {
		return nil, nil
	}
	id, err := ec2Text(req.getFold("InstanceId"))
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, req.getFold("InstanceId").errorf("missing: the instance is not named")
	}
	return &verdict{
		severity:     Medium,
		summary:      fmt.Sprintf("Instance %s allows IMDSv1: HttpTokens set to optional.", id),
		rules:        []string{"ec2-imdsv2-check"},
		remediations: []string{"ec2-require-imdsv2"},
		resources:    []string{c.arn("ec2", "instance/"+id)},
		target:       &Target{ResourceType: instanceType, ResourceID: id},
	}, nil
}

func judgeFlowLogsDeleted(c *call) (*verdict, error) {
	req := c.ec2Request()
	if err := req.object(); err != nil {
		return nil, err
	}
	var ids []string
	if v := req.getFold("FlowLogId"); !v.null() {
		for _, e := range v.list() {
			id, err := ec2Text(e)
			if err != nil {
				return nil, err
			}
			ids = appendNew(ids, id)
		}
	}
	if v := req.getFold("flowLogIds"); !v.null() {
		items, err := v.items()
		if err != nil {
			return nil, err
		}
		for _, e := range items {
			id := e
			if e.kind() == '{' {
				id = e.get("flowLogId")
			}
			s, err := id.str()
			if err != nil {
				return nil, err
			}
			ids = appendNew(ids, s)
		}
	}
	if len(ids) == 0 {
		return nil, req.errorf("names no flow log (FlowLogId)")
	}
	v := &verdict{
		severity:     Medium,
		summary:      fmt.Sprintf("Flow logs %s deleted.", strings.Join(ids, ", ")),
		rules:        []string{"vpc-flow-logs-enabled"},
		remediations: []string{"vpc-enable-flow-logs"},
		noTarget:     "the record names the flow logs, not the VPC they logged",
	}
	for _, id := range ids {
		v.resources = append(v.resources, c.arn("ec2", "vpc-flow-log/"+id))
	}
	return v, nil
}

func judgeSnapshotPublic(c *call) (*verdict, error) {
	if err := c.params.object(); err != nil {
		return nil, err
	}
	add := c.params.get("createVolumePermission").get("add")
	items, err := add.items()
	if err != nil {
		return nil, err
	}
	public := false
	for _, it := range items {
		if err := it.object(); err != nil {
			return nil, err
		}
		g, err := it.get("group").str()
		if err != nil {
			return nil, err
		}
		if g == "all" {
			public = true
		}
	}
	if !public {
		return nil, nil
	}
	id, err := requiredStr(c.params.get("snapshotId"))
	if err != nil {
		return nil, err
	}
	return &verdict{
		severity:  High,
		summary:   fmt.Sprintf("EBS snapshot %s made public: anyone can create a volume from it.", id),
		rules:     []string{"ebs-snapshot-public-restorable-check"},
		resources: []string{fmt.Sprintf("arn:%s:ec2:%s::snapshot/%s", c.partition(), c.rec.AWSRegion, id)},
	}, nil
}
