package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// ec2EvaluateOne runs one rule on one item with the given lookup.
func ec2EvaluateOne(t *testing.T, ruleID string, params map[string]string, lookup evaluate.Lookup, ci *evaluate.ConfigurationItem) evaluate.Evaluation {
	t.Helper()
	rule, ok := ByID(ruleID)
	if !ok {
		t.Fatalf("no rule %s", ruleID)
	}
	engine, err := evaluate.NewEngine([]evaluate.Rule{rule},
		evaluate.WithParameters(map[string]map[string]string{ruleID: params}),
		evaluate.WithLookup(lookup),
		evaluate.WithClock(func() time.Time { return fixtureClock }))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := engine.Evaluate(context.Background(), ci)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 {
		t.Fatalf("%d evaluations, want 1", len(evs))
	}
	return evs[0]
}

func sgItem(t *testing.T, name string, ingress, egress string, unknown ...string) *evaluate.ConfigurationItem {
	t.Helper()
	conf := fmt.Sprintf(`{"groupId":"sg-0iac","groupName":%q,"vpcId":"vpc-1","ipPermissions":%s,"ipPermissionsEgress":%s}`, name, ingress, egress)
	if !json.Valid([]byte(conf)) {
		t.Fatalf("bad test configuration %s", conf)
	}
	return &evaluate.ConfigurationItem{
		ResourceType: resource.SecurityGroupType, ResourceID: "sg-0iac", AccountID: "111122223333", Region: "eu-west-1",
		Status: evaluate.StatusOK, Configuration: json.RawMessage(conf), Unknown: unknown,
	}
}

func instanceItem(conf string, unknown ...string) *evaluate.ConfigurationItem {
	return &evaluate.ConfigurationItem{
		ResourceType: resource.EC2InstanceType, ResourceID: "i-0iac", AccountID: "111122223333", Region: "eu-west-1",
		Status: evaluate.StatusOK, Configuration: json.RawMessage(conf), Unknown: unknown,
	}
}

// TestUnknownValues covers items from infrastructure as code, whose
// values may be known only after deployment: the rules say so instead of
// guessing, unless a known value already decides.
func TestUnknownValues(t *testing.T) {
	const open22 = `{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipv4Ranges":[{"cidrIp":"0.0.0.0/0"}]}`
	const closed22 = `{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipv4Ranges":[{"cidrIp":"10.0.0.0/8"}]}`
	cases := []struct {
		reason string
		rule   string
		params map[string]string
		item   *evaluate.ConfigurationItem
		want   evaluate.Compliance
		note   string
	}{
		{
			reason: "an unknown CIDR may open 22",
			rule:   "restricted-ssh",
			item:   sgItem(t, "app", "["+closed22+`,{"ipProtocol":"tcp","fromPort":22,"toPort":22}]`, "[]", "configuration.ipPermissions[1].ipv4Ranges[0].cidrIp"),
			want:   evaluate.InsufficientData, note: "configuration.ipPermissions[1].ipv4Ranges[0].cidrIp is not known until deployment",
		},
		{
			reason: "a known open rule decides whatever is unknown",
			rule:   "restricted-ssh",
			item:   sgItem(t, "app", "["+open22+`,{"ipProtocol":"tcp"}]`, "[]", "configuration.ipPermissions[1].fromPort"),
			want:   evaluate.NonCompliant, note: "allows 0.0.0.0/0 on TCP 22",
		},
		{
			reason: "an unknown description does not matter",
			rule:   "restricted-ssh",
			item:   sgItem(t, "app", "["+closed22+"]", "[]", "configuration.ipPermissions[0].ipv4Ranges[0].description"),
			want:   evaluate.Compliant,
		},
		{
			reason: "the whole list unknown",
			rule:   "restricted-common-ports",
			item:   sgItem(t, "app", "[]", "[]", "configuration.ipPermissions"),
			want:   evaluate.InsufficientData,
		},
		{
			reason: "unknown egress does not matter to an ingress rule",
			rule:   "vpc-sg-open-only-to-authorized-ports",
			params: map[string]string{"authorizedTcpPorts": "443"},
			item:   sgItem(t, "app", `[{"ipProtocol":"tcp","fromPort":443,"toPort":443,"ipv6Ranges":[{"cidrIpv6":"::/0"}]}]`, "[]", "configuration.ipPermissionsEgress"),
			want:   evaluate.Compliant,
		},
		{
			reason: "a default group whose egress is unknown",
			rule:   "vpc-default-security-group-closed",
			item:   sgItem(t, "default", "[]", "[]", "configuration.ipPermissionsEgress"),
			want:   evaluate.InsufficientData, note: "configuration.ipPermissionsEgress",
		},
		{
			reason: "metadata options known only after apply",
			rule:   "ec2-imdsv2-check",
			item:   instanceItem(`{"instanceId":"i-0iac"}`, "configuration.metadataOptions"),
			want:   evaluate.InsufficientData, note: "configuration.metadataOptions is not known until deployment",
		},
		{
			reason: "a known required token is not undone by an unknown hop limit",
			rule:   "ec2-imdsv2-check",
			item:   instanceItem(`{"instanceId":"i-0iac","metadataOptions":{"httpTokens":"required"}}`, "configuration.metadataOptions.httpPutResponseHopLimit"),
			want:   evaluate.Compliant,
		},
		{
			reason: "a public IP known only after apply",
			rule:   "ec2-instance-no-public-ip",
			item:   instanceItem(`{"instanceId":"i-0iac"}`, "configuration.publicIpAddress"),
			want:   evaluate.InsufficientData,
		},
		{
			reason: "attachments known only after apply",
			rule:   "encrypted-volumes",
			item: &evaluate.ConfigurationItem{ResourceType: resource.EC2VolumeType, ResourceID: "vol-0iac", Status: evaluate.StatusOK,
				Configuration: json.RawMessage(`{"volumeId":"vol-0iac","encrypted":false}`), Unknown: []string{"configuration.attachments"}},
			want: evaluate.InsufficientData, note: "configuration.attachments",
		},
		{
			reason: "an unattached volume with everything known",
			rule:   "encrypted-volumes",
			item: &evaluate.ConfigurationItem{ResourceType: resource.EC2VolumeType, ResourceID: "vol-0iac", Status: evaluate.StatusOK,
				Configuration: json.RawMessage(`{"volumeId":"vol-0iac","encrypted":false,"state":"available"}`), Unknown: []string{"configuration.kmsKeyId"}},
			want: evaluate.NotApplicable,
		},
		{
			reason: "an instance profile known only after apply",
			rule:   "ec2-instance-profile-attached",
			item:   instanceItem(`{"instanceId":"i-0iac"}`, "configuration.iamInstanceProfile.arn"),
			want:   evaluate.InsufficientData,
		},
	}
	for _, c := range cases {
		got := ec2EvaluateOne(t, c.rule, c.params, evaluate.NewInventory(nil), c.item)
		if got.Compliance != c.want || !strings.Contains(got.Annotation, c.note) {
			t.Errorf("%s: %s gave %s (%q), want %s with %q", c.reason, c.rule, got.Compliance, got.Annotation, c.want, c.note)
		}
	}
}

// ec2APILookup answers like a lookup over the AWS APIs: it cannot fetch one
// resource by id, but lists a type (package awslookup's resolvers), and
// knows the facts it is given.
type ec2APILookup struct {
	items map[string][]*evaluate.ConfigurationItem
	facts map[string]error
}

func (l ec2APILookup) Resource(_ context.Context, typ, id string) (*evaluate.ConfigurationItem, error) {
	return nil, fmt.Errorf("%w: %s %s is not fetched by id", evaluate.ErrUnknown, typ, id)
}

func (l ec2APILookup) Resources(_ context.Context, q evaluate.Query) ([]*evaluate.ConfigurationItem, error) {
	items, ok := l.items[q.ResourceType]
	if !ok {
		return nil, fmt.Errorf("%w: no resolver for %s", evaluate.ErrUnknown, q.ResourceType)
	}
	return items, nil
}

func (l ec2APILookup) Fact(_ context.Context, _, _, name string) ([]byte, error) {
	if err, ok := l.facts[name]; ok {
		return nil, err
	}
	return nil, fmt.Errorf("%w: no fact %s", evaluate.ErrUnknown, name)
}

func TestLookupsThroughAPIs(t *testing.T) {
	running := instanceItem(`{"instanceId":"i-0iac","state":{"code":16,"name":"running"}}`)
	inventory := func(id, ping string) *evaluate.ConfigurationItem {
		return &evaluate.ConfigurationItem{
			ResourceType: resource.ManagedInstanceInventoryType, ResourceID: id, AccountID: "111122223333", Region: "eu-west-1", Status: evaluate.StatusOK,
			Configuration: json.RawMessage(fmt.Sprintf(`{"AWS:InstanceInformation":{"SchemaVersion":"1.0","Content":{%q:{"InstanceId":%q,"PingStatus":%q,"AgentVersion":"3.3.987.0"}}}}`, id, id, ping)),
		}
	}
	vpc := &evaluate.ConfigurationItem{ResourceType: resource.VPCType, ResourceID: "vpc-1", AccountID: "111122223333", Region: "eu-west-1",
		Status: evaluate.StatusOK, Configuration: json.RawMessage(`{"vpcId":"vpc-1"}`)}
	cases := []struct {
		reason string
		rule   string
		lookup ec2APILookup
		item   *evaluate.ConfigurationItem
		want   evaluate.Compliance
		note   string
	}{
		{
			reason: "the instance is among the listed managed instances",
			rule:   "ec2-instance-managed-by-systems-manager",
			lookup: ec2APILookup{items: map[string][]*evaluate.ConfigurationItem{resource.ManagedInstanceInventoryType: {inventory("i-0other", "Online"), inventory("i-0iac", "Online")}}},
			item:   running, want: evaluate.Compliant, note: "SSM Agent 3.3.987.0",
		},
		{
			reason: "the listed managed instances do not include it",
			rule:   "ec2-instance-managed-by-systems-manager",
			lookup: ec2APILookup{items: map[string][]*evaluate.ConfigurationItem{resource.ManagedInstanceInventoryType: {inventory("i-0other", "Online")}}},
			item:   running, want: evaluate.NonCompliant,
		},
		{
			reason: "no inventory source at all",
			rule:   "ec2-instance-managed-by-systems-manager",
			lookup: ec2APILookup{},
			item:   running, want: evaluate.InsufficientData, note: "no resolver for AWS::SSM::ManagedInstanceInventory",
		},
		{
			reason: "the flow log fact says there are none",
			rule:   "vpc-flow-logs-enabled",
			lookup: ec2APILookup{facts: map[string]error{factDescribeFlowLogs: fmt.Errorf("%w: no flow logs", evaluate.ErrNotFound)}},
			item:   vpc, want: evaluate.NonCompliant,
		},
		{
			reason: "an error of the lookup is the rule's error, not a verdict",
			rule:   "ec2-ebs-encryption-by-default",
			lookup: ec2APILookup{facts: map[string]error{factEBSEncryptionByDefault: fmt.Errorf("ec2: GetEbsEncryptionByDefault: AccessDenied")}},
			item:   evaluate.AccountItem("111122223333", "eu-west-1"),
		},
		{
			reason: "a snapshot list the lookup could not read (AccessDenied, not unknown) is an error, not a verdict",
			rule:   "ebs-snapshot-public-restorable-check",
			lookup: ec2APILookup{facts: map[string]error{factPublicSnapshots: fmt.Errorf("ec2: DescribeSnapshots: AccessDenied")}},
			item:   evaluate.AccountItem("111122223333", "eu-west-1"),
		},
		{
			reason: "a snapshot list the lookup does not know is insufficient data, naming the file",
			rule:   "ebs-snapshot-public-restorable-check",
			lookup: ec2APILookup{facts: map[string]error{factPublicSnapshots: fmt.Errorf("%w: ec2:DescribeSnapshots: UnauthorizedOperation", evaluate.ErrUnknown)}},
			item:   evaluate.AccountItem("111122223333", "eu-west-1"),
			want:   evaluate.InsufficientData, note: "No ec2-describe-snapshots-public.json for account 111122223333 in eu-west-1",
		},
	}
	for _, c := range cases {
		rule, _ := ByID(c.rule)
		engine, err := evaluate.NewEngine([]evaluate.Rule{rule}, evaluate.WithLookup(c.lookup))
		if err != nil {
			t.Fatal(err)
		}
		evs, err := engine.Evaluate(context.Background(), c.item)
		if c.want == "" {
			if err == nil || !strings.Contains(err.Error(), "AccessDenied") {
				t.Errorf("%s: evaluations %v, error %v; want the lookup's error", c.reason, evs, err)
			}
			continue
		}
		if err != nil || len(evs) != 1 {
			t.Errorf("%s: %v, %v", c.reason, evs, err)
			continue
		}
		if evs[0].Compliance != c.want || !strings.Contains(evs[0].Annotation, c.note) {
			t.Errorf("%s: got %s (%q), want %s with %q", c.reason, evs[0].Compliance, evs[0].Annotation, c.want, c.note)
		}
	}
}

// TestEC2Metadata checks what users and the lead's catalog rely on: the
// managed rules' names, identifiers and parameters, and remediations from
// the contract's table.
func TestEC2Metadata(t *testing.T) {
	type param struct{ Name, Type, Default string }
	want := map[string]struct {
		managed string
		params  []param
	}{
		"restricted-ssh": {managed: "INCOMING_SSH_DISABLED"},
		"restricted-common-ports": {managed: "RESTRICTED_INCOMING_TRAFFIC", params: []param{
			{"blockedPort1", "int", "20"}, {"blockedPort2", "int", "21"}, {"blockedPort3", "int", "3389"},
			{"blockedPort4", "int", "3306"}, {"blockedPort5", "int", "4333"}, {"blockedPorts", "csv", ""}}},
		"vpc-sg-open-only-to-authorized-ports": {managed: "VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS", params: []param{
			{"authorizedTcpPorts", "string", ""}, {"authorizedUdpPorts", "string", ""}}},
		"vpc-default-security-group-closed":       {managed: "VPC_DEFAULT_SECURITY_GROUP_CLOSED"},
		"ec2-instance-no-public-ip":               {managed: "EC2_INSTANCE_NO_PUBLIC_IP"},
		"ec2-imdsv2-check":                        {managed: "EC2_IMDSV2_CHECK"},
		"encrypted-volumes":                       {managed: "ENCRYPTED_VOLUMES", params: []param{{"kmsId", "string", ""}}},
		"vpc-flow-logs-enabled":                   {managed: "VPC_FLOW_LOGS_ENABLED", params: []param{{"trafficType", "string", ""}}},
		"ec2-ebs-encryption-by-default":           {managed: "EC2_EBS_ENCRYPTION_BY_DEFAULT"},
		"ec2-instance-profile-attached":           {managed: "EC2_INSTANCE_PROFILE_ATTACHED", params: []param{{"IamInstanceProfileArnList", "csv", ""}}},
		"ec2-instance-managed-by-systems-manager": {managed: "EC2_INSTANCE_MANAGED_BY_SSM"},
		"nacl-no-unrestricted-ssh-rdp":            {managed: "NACL_NO_UNRESTRICTED_SSH_RDP"},
		"ebs-snapshot-public-restorable-check":    {managed: "EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK"},
	}
	contractRemediations := map[string]bool{
		"ec2-revoke-world-open-ingress": true, "ec2-close-default-security-group": true, "ec2-require-imdsv2": true,
		"ec2-enable-ebs-encryption-by-default": true, "vpc-enable-flow-logs": true,
	}
	got := map[string]bool{}
	for _, r := range ec2Rules() {
		m := r.Metadata()
		got[m.ID] = true
		w, ok := want[m.ID]
		if !ok {
			t.Errorf("unexpected rule %s in the family", m.ID)
			continue
		}
		if m.ManagedRule != w.managed {
			t.Errorf("%s: ManagedRule %q, want %q", m.ID, m.ManagedRule, w.managed)
		}
		var params []param
		for _, p := range m.Parameters {
			params = append(params, param{p.Name, string(p.Type), p.Default})
		}
		if diff := cmp.Diff(w.params, params); diff != "" {
			t.Errorf("%s: parameters (-want +got):\n%s", m.ID, diff)
		}
		for _, id := range m.Remediations {
			if !contractRemediations[id] {
				t.Errorf("%s: remediation %q is not in the contract's table", m.ID, id)
			}
		}
		if !strings.HasSuffix(m.URL, "/"+m.ID+".html") {
			t.Errorf("%s: URL %q is not the managed rule's page", m.ID, m.URL)
		}
		for _, c := range m.Controls {
			if !strings.HasPrefix(c, "SecurityHub:") && !strings.HasPrefix(c, "CIS-AWS-") {
				t.Errorf("%s: control %q", m.ID, c)
			}
		}
	}
	for id := range want {
		if !got[id] {
			t.Errorf("rule %s missing from the family", id)
		}
	}
}
