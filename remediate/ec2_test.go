package remediate

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	sgID  = "sg-0123456789abcdef0"
	sgARN = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0"
)

// checkForm compares a query-protocol request's parameters.
func checkForm(t *testing.T, c call, want url.Values) {
	t.Helper()
	if diff := cmp.Diff(want, c.Params()); diff != "" {
		t.Errorf("%s parameters (-want +got):\n%s", c.API, diff)
	}
}

func TestEC2RevokeWorldOpenIngress(t *testing.T) {
	rules := []fakeRule{
		{id: "sgr-01", proto: "tcp", from: 22, to: 22, cidr4: "0.0.0.0/0"},
		{id: "sgr-02", proto: "tcp", from: 22, to: 22, cidr4: "10.0.0.0/8"}, // same permission, another range: kept
		{id: "sgr-03", proto: "tcp", from: 443, to: 443, cidr4: "0.0.0.0/0"},
		{id: "sgr-04", proto: "tcp", from: 3389, to: 3389, cidr6: "::/0"},
		{id: "sgr-05", proto: "udp", from: 22, to: 22, cidr4: "0.0.0.0/0"}, // UDP does not count
		{id: "sgr-06", proto: "-1", from: -1, to: -1, cidr4: "0.0.0.0/0"},
		{id: "sgr-07", proto: "tcp", from: 0, to: 65535, peerGroup: "sg-0fedcba9876543210"},
		{id: "sgr-08", proto: "tcp", from: 3000, to: 3400, cidr4: "0.0.0.0/0"}, // covers 3306 and 3389
		{id: "sgr-09", egress: true, proto: "-1", from: -1, to: -1, cidr4: "0.0.0.0/0"},
		{id: "sgr-10", proto: "tcp", from: 8080, to: 8080, cidr4: "0.0.0.0/0"},
	}
	tests := []struct {
		reason   string
		params   map[string]string
		rules    []fakeRule
		revoked  []string
		wantLeft []string
		detail   string
	}{
		{
			reason:   "default ports: only the world-open TCP or all-protocol rules on them go",
			rules:    rules,
			revoked:  []string{"sgr-01", "sgr-04", "sgr-06", "sgr-08"},
			wantLeft: []string{"sgr-02", "sgr-03", "sgr-05", "sgr-07", "sgr-09", "sgr-10"},
			detail:   "revoke sgr-01 tcp 22 from 0.0.0.0/0; sgr-04 tcp 3389 from ::/0; sgr-06 all protocols from 0.0.0.0/0; sgr-08 tcp 3000-3400 from 0.0.0.0/0",
		},
		{
			reason:   "a port range parameter",
			params:   map[string]string{"ports": "8000-8100, 9000"},
			rules:    rules,
			revoked:  []string{"sgr-06", "sgr-10"},
			wantLeft: []string{"sgr-01", "sgr-02", "sgr-03", "sgr-04", "sgr-05", "sgr-07", "sgr-08", "sgr-09"},
			detail:   "revoke sgr-06 all protocols from 0.0.0.0/0; sgr-10 tcp 8080 from 0.0.0.0/0",
		},
		{
			reason:   "nothing world-open on the ports: nothing to do",
			rules:    []fakeRule{rules[1], rules[2], rules[4]},
			wantLeft: []string{"sgr-02", "sgr-03", "sgr-05"},
			detail:   "no ingress rule opens ports 20,21,22,3306,3389,4333 to a /0 range",
		},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			var g *fakeSecurityGroup
			sc := scenario{
				rem:         "ec2-revoke-world-open-ingress",
				target:      Target{ResourceID: sgID, Parameters: tt.params},
				setup:       func(f *fakeAWS) { g = f.securityGroup(sgID, "web", tt.rules) },
				wantWrites:  []string{},
				wantActions: []Action{{API: "ec2:RevokeSecurityGroupIngress", Resource: sgARN, Detail: tt.detail}},
			}
			if len(tt.revoked) > 0 {
				sc.wantWrites = []string{"ec2:RevokeSecurityGroupIngress"}
				sc.wantActions[0].Needed, sc.wantActions[0].Applied = true, true
				sc.checkWrites = func(t *testing.T, w []call) {
					want := url.Values{"GroupId": {sgID}}
					for i, id := range tt.revoked {
						want.Set(fmt.Sprintf("SecurityGroupRuleId.%d", i+1), id)
					}
					checkForm(t, w[0], want)
				}
			}
			runScenario(t, sc)
			if diff := cmp.Diff(tt.wantLeft, g.ruleIDs()); diff != "" {
				t.Errorf("rules left (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEC2CloseDefaultSecurityGroup(t *testing.T) {
	open := []fakeRule{
		{id: "sgr-a1", proto: "-1", from: -1, to: -1, peerGroup: sgID},
		{id: "sgr-e1", egress: true, proto: "-1", from: -1, to: -1, cidr4: "0.0.0.0/0"},
		{id: "sgr-e2", egress: true, proto: "-1", from: -1, to: -1, cidr6: "::/0"},
		{id: "sgr-a2", proto: "tcp", from: 22, to: 22, cidr4: "192.0.2.0/24"},
	}
	t.Run("ingress and egress rules are revoked, the group stays", func(t *testing.T) {
		var g *fakeSecurityGroup
		runScenario(t, scenario{
			rem:        "ec2-close-default-security-group",
			target:     Target{ResourceID: sgID},
			setup:      func(f *fakeAWS) { g = f.securityGroup(sgID, "default", open) },
			wantWrites: []string{"ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"},
			checkWrites: func(t *testing.T, w []call) {
				checkForm(t, w[0], url.Values{"GroupId": {sgID}, "SecurityGroupRuleId.1": {"sgr-a1"}, "SecurityGroupRuleId.2": {"sgr-a2"}})
				checkForm(t, w[1], url.Values{"GroupId": {sgID}, "SecurityGroupRuleId.1": {"sgr-e1"}, "SecurityGroupRuleId.2": {"sgr-e2"}})
			},
			wantActions: []Action{
				{API: "ec2:RevokeSecurityGroupIngress", Resource: sgARN, Needed: true, Applied: true,
					Detail: "revoke sgr-a1 all protocols from " + sgID + "; sgr-a2 tcp 22 from 192.0.2.0/24"},
				{API: "ec2:RevokeSecurityGroupEgress", Resource: sgARN, Needed: true, Applied: true,
					Detail: "revoke sgr-e1 all protocols to 0.0.0.0/0; sgr-e2 all protocols to ::/0"},
			},
		})
		if left := g.ruleIDs(); len(left) > 0 {
			t.Errorf("rules left: %v", left)
		}
	})
	t.Run("already closed: nothing to do", func(t *testing.T) {
		runScenario(t, scenario{
			rem:        "ec2-close-default-security-group",
			target:     Target{ResourceID: sgID},
			setup:      func(f *fakeAWS) { f.securityGroup(sgID, "default", nil) },
			wantWrites: []string{},
			wantActions: []Action{
				{API: "ec2:RevokeSecurityGroupIngress", Resource: sgARN, Detail: "the default security group has no ingress rule"},
				{API: "ec2:RevokeSecurityGroupEgress", Resource: sgARN, Detail: "the default security group has no egress rule"},
			},
		})
	})
}

func TestEC2RequireIMDSv2(t *testing.T) {
	const id = "i-0123456789abcdef0"
	const arn = "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"
	for _, tt := range []struct {
		reason, tokens string
		wantModify     bool
		detail         string
	}{
		{reason: "optional tokens: required", tokens: "optional", wantModify: true, detail: `HttpTokens is "optional"; set it to required`},
		{reason: "required already", tokens: "required", detail: "IMDSv2 is already required (HttpTokens required)"},
	} {
		t.Run(tt.reason, func(t *testing.T) {
			sc := scenario{
				rem:    "ec2-require-imdsv2",
				target: Target{ResourceID: id},
				setup: func(f *fakeAWS) {
					tokens := tt.tokens
					f.on("ec2:DescribeInstances", func(c call) reply {
						if c.Form.Get("InstanceId.1") != id {
							return f.errorReply("ec2:DescribeInstances", 400, "InvalidInstanceID.NotFound", "no such instance")
						}
						return ok200(fmt.Sprintf(`<DescribeInstancesResponse %s><requestId>r</requestId><reservationSet><item><reservationId>r-1</reservationId><ownerId>123456789012</ownerId><instancesSet><item><instanceId>%s</instanceId><metadataOptions><state>applied</state><httpTokens>%s</httpTokens><httpPutResponseHopLimit>2</httpPutResponseHopLimit><httpEndpoint>enabled</httpEndpoint></metadataOptions></item></instancesSet></item></reservationSet></DescribeInstancesResponse>`, ec2NS, id, tokens))
					})
					f.on("ec2:ModifyInstanceMetadataOptions", func(c call) reply {
						tokens = c.Form.Get("HttpTokens")
						return ok200(fmt.Sprintf(`<ModifyInstanceMetadataOptionsResponse %s><instanceId>%s</instanceId><instanceMetadataOptions><state>pending</state><httpTokens>%s</httpTokens></instanceMetadataOptions></ModifyInstanceMetadataOptionsResponse>`, ec2NS, id, tokens))
					})
				},
				wantWrites:  []string{},
				wantActions: []Action{{API: "ec2:ModifyInstanceMetadataOptions", Resource: arn, Detail: tt.detail}},
			}
			if tt.wantModify {
				sc.wantWrites = []string{"ec2:ModifyInstanceMetadataOptions"}
				sc.wantActions[0].Needed, sc.wantActions[0].Applied = true, true
				sc.checkWrites = func(t *testing.T, w []call) {
					checkForm(t, w[0], url.Values{"InstanceId": {id}, "HttpTokens": {"required"}})
				}
			}
			runScenario(t, sc)
		})
	}
}

func TestEC2EnableEBSEncryptionByDefault(t *testing.T) {
	const arn = "arn:aws:ec2:us-east-1:123456789012:account"
	tests := []struct {
		reason     string
		params     map[string]string
		enabled    bool
		key        string // the current default key
		wantWrites []string
		wantForms  []url.Values
		actions    []Action
	}{
		{
			reason: "off, no key asked: turned on", key: "alias/aws/ebs",
			wantWrites: []string{"ec2:EnableEbsEncryptionByDefault"},
			wantForms:  []url.Values{{}},
			actions:    []Action{{API: "ec2:EnableEbsEncryptionByDefault", Resource: arn, Needed: true, Applied: true, Detail: "EBS encryption by default is off; turn it on"}},
		},
		{
			reason: "on, no key asked: nothing to do", enabled: true, key: "alias/aws/ebs",
			actions: []Action{{API: "ec2:EnableEbsEncryptionByDefault", Resource: arn, Detail: "EBS encryption by default is already on"}},
		},
		{
			reason: "off with the AWS managed key: the key is set first, then encryption", key: "alias/aws/ebs",
			params:     map[string]string{"kmsKeyId": keyAAlias},
			wantWrites: []string{"ec2:ModifyEbsDefaultKmsKeyId", "ec2:EnableEbsEncryptionByDefault"},
			wantForms:  []url.Values{{"KmsKeyId": {keyAAlias}}, {}},
			actions: []Action{
				{API: "ec2:ModifyEbsDefaultKmsKeyId", Resource: arn, Needed: true, Applied: true, Detail: "the default key is the AWS managed key alias/aws/ebs; set alias/data"},
				{API: "ec2:EnableEbsEncryptionByDefault", Resource: arn, Needed: true, Applied: true, Detail: "EBS encryption by default is off; turn it on"},
			},
		},
		{
			reason: "on with another customer key: the key is not replaced", enabled: true, key: keyB,
			params: map[string]string{"kmsKeyId": keyAAlias},
			actions: []Action{
				{API: "ec2:ModifyEbsDefaultKmsKeyId", Resource: arn, Detail: "the default key is the customer managed key " + keyB + "; not replaced by alias/data"},
				{API: "ec2:EnableEbsEncryptionByDefault", Resource: arn, Detail: "EBS encryption by default is already on"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			runScenario(t, scenario{
				rem:    "ec2-enable-ebs-encryption-by-default",
				target: Target{ResourceID: testAccount, Parameters: tt.params},
				setup: func(f *fakeAWS) {
					enabled, key := tt.enabled, tt.key
					f.keys(testKeys)
					f.on("ec2:GetEbsEncryptionByDefault", func(call) reply {
						return ok200(fmt.Sprintf(`<GetEbsEncryptionByDefaultResponse %s><requestId>r</requestId><ebsEncryptionByDefault>%t</ebsEncryptionByDefault><sseType>sse-ebs</sseType></GetEbsEncryptionByDefaultResponse>`, ec2NS, enabled))
					})
					f.on("ec2:EnableEbsEncryptionByDefault", func(call) reply {
						enabled = true
						return ok200(fmt.Sprintf(`<EnableEbsEncryptionByDefaultResponse %s><ebsEncryptionByDefault>true</ebsEncryptionByDefault></EnableEbsEncryptionByDefaultResponse>`, ec2NS))
					})
					f.on("ec2:GetEbsDefaultKmsKeyId", func(call) reply {
						return ok200(fmt.Sprintf(`<GetEbsDefaultKmsKeyIdResponse %s><kmsKeyId>%s</kmsKeyId></GetEbsDefaultKmsKeyIdResponse>`, ec2NS, key))
					})
					f.on("ec2:ModifyEbsDefaultKmsKeyId", func(c call) reply {
						key = keyA // EC2 answers with the key's ARN
						return ok200(fmt.Sprintf(`<ModifyEbsDefaultKmsKeyIdResponse %s><kmsKeyId>%s</kmsKeyId></ModifyEbsDefaultKmsKeyIdResponse>`, ec2NS, key))
					})
				},
				wantWrites: orEmpty(tt.wantWrites),
				checkWrites: func(t *testing.T, w []call) {
					for i := range w {
						checkForm(t, w[i], tt.wantForms[i])
					}
				},
				wantActions: tt.actions,
			})
		})
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func TestVPCEnableFlowLogs(t *testing.T) {
	const vpc = "vpc-0a1b2c3d4e5f60718"
	const arn = "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0a1b2c3d4e5f60718"
	const role = "arn:aws:iam::123456789012:role/flow-logs"
	flowLog := func(id, traffic, dest string) string {
		return fmt.Sprintf(`<item><flowLogId>%s</flowLogId><resourceId>%s</resourceId><trafficType>%s</trafficType><logDestinationType>s3</logDestinationType><logDestination>%s</logDestination><flowLogStatus>ACTIVE</flowLogStatus></item>`, id, vpc, traffic, dest)
	}
	tests := []struct {
		reason   string
		params   map[string]string
		existing []string
		wantForm url.Values
		detail   string
	}{
		{
			reason: "none: created to a CloudWatch Logs group by name",
			params: map[string]string{"destination": "/vpc/flow-logs", "deliverLogsPermissionArn": role},
			wantForm: url.Values{"ResourceId.1": {vpc}, "ResourceType": {"VPC"}, "TrafficType": {"ALL"},
				"LogDestinationType": {"cloud-watch-logs"}, "LogGroupName": {"/vpc/flow-logs"}, "DeliverLogsPermissionArn": {role}},
			detail: "no flow log captures ALL traffic; create one to cloud-watch-logs /vpc/flow-logs",
		},
		{
			reason:   "only REJECT logged, ALL wanted: created to S3 from a bucket name with a prefix",
			params:   map[string]string{"destinationType": "s3", "destination": "central-flow-logs/vpc/"},
			existing: []string{flowLog("fl-1", "REJECT", "arn:aws:s3:::old")},
			wantForm: url.Values{"ResourceId.1": {vpc}, "ResourceType": {"VPC"}, "TrafficType": {"ALL"},
				"LogDestinationType": {"s3"}, "LogDestination": {"arn:aws:s3:::central-flow-logs/vpc/"}},
			detail: "no flow log captures ALL traffic; create one to s3 arn:aws:s3:::central-flow-logs/vpc/",
		},
		{
			reason:   "an ALL flow log to any destination: nothing to do",
			params:   map[string]string{"destination": "/vpc/flow-logs", "deliverLogsPermissionArn": role, "trafficType": "REJECT"},
			existing: []string{flowLog("fl-2", "ALL", "arn:aws:s3:::elsewhere")},
			detail:   "flow log fl-2 already captures ALL traffic to arn:aws:s3:::elsewhere",
		},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			sc := scenario{
				rem:    "vpc-enable-flow-logs",
				target: Target{ResourceID: vpc, Parameters: tt.params},
				setup: func(f *fakeAWS) {
					existing := tt.existing
					f.on("ec2:DescribeVpcs", func(c call) reply {
						return ok200(fmt.Sprintf(`<DescribeVpcsResponse %s><vpcSet><item><vpcId>%s</vpcId><ownerId>123456789012</ownerId><state>available</state></item></vpcSet></DescribeVpcsResponse>`, ec2NS, c.Form.Get("VpcId.1")))
					})
					f.on("ec2:DescribeFlowLogs", func(c call) reply {
						if c.Form.Get("Filter.1.Name") != "resource-id" || c.Form.Get("Filter.1.Value.1") != vpc {
							return f.errorReply("ec2:DescribeFlowLogs", 400, "InvalidParameterValue", "want a resource-id filter")
						}
						var items string
						for _, e := range existing {
							items += e
						}
						return ok200(fmt.Sprintf(`<DescribeFlowLogsResponse %s><flowLogSet>%s</flowLogSet></DescribeFlowLogsResponse>`, ec2NS, items))
					})
					f.on("ec2:CreateFlowLogs", func(c call) reply {
						existing = append(existing, flowLog("fl-new", c.Form.Get("TrafficType"), "x"))
						return ok200(fmt.Sprintf(`<CreateFlowLogsResponse %s><clientToken>%s</clientToken><flowLogIdSet><item>fl-new</item></flowLogIdSet><unsuccessful/></CreateFlowLogsResponse>`, ec2NS, c.Form.Get("ClientToken")))
					})
				},
				wantWrites:  []string{},
				wantActions: []Action{{API: "ec2:CreateFlowLogs", Resource: arn, Detail: tt.detail}},
			}
			if tt.wantForm != nil {
				sc.wantWrites = []string{"ec2:CreateFlowLogs"}
				sc.wantActions[0].Needed, sc.wantActions[0].Applied = true, true
				sc.checkWrites = func(t *testing.T, w []call) {
					got := w[0].Params()
					got.Del("ClientToken") // the SDK's idempotency token
					if diff := cmp.Diff(tt.wantForm, got); diff != "" {
						t.Errorf("CreateFlowLogs parameters (-want +got):\n%s", diff)
					}
				}
			}
			runScenario(t, sc)
		})
	}
}
