package resource

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/internal/sharedtest"
)

func item(t *testing.T, resourceType, configuration string) *evaluate.ConfigurationItem {
	t.Helper()
	return &evaluate.ConfigurationItem{ResourceType: resourceType, ResourceID: "id-1", ResourceName: "name-1",
		AccountID: "111122223333", Region: "global", ARN: "arn:aws:iam::111122223333:thing/name-1",
		Status: evaluate.StatusOK, Configuration: json.RawMessage(configuration)}
}

func TestDecodeIAMUser(t *testing.T) {
	cases := []struct {
		reason  string
		conf    string
		want    *IAMUser
		wantErr string
	}{
		{
			reason: "URL-encoded inline policy, managed policies and groups, as AWS records them",
			conf: `{"userName": "bob", "userId": "AIDAIOSFODNN7EXAMPLE", "arn": "arn:aws:iam::111122223333:user/bob", "path": "/",
				"userPolicyList": [{"policyName": "read", "policyDocument": "%7B%22Version%22%3A%222012-10-17%22%7D"}],
				"attachedManagedPolicies": [{"policyName": "ReadOnlyAccess", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
				"groupList": ["developers"], "permissionsBoundary": {"permissionsBoundaryArn": "arn:aws:iam::111122223333:policy/boundary", "permissionsBoundaryType": "Policy"}}`,
			want: &IAMUser{Name: "bob", ID: "AIDAIOSFODNN7EXAMPLE", ARN: "arn:aws:iam::111122223333:user/bob", Path: "/", AccountID: "111122223333",
				Policies: IAMPolicies{
					Inline: []IAMInlinePolicy{{Name: "read", Document: "%7B%22Version%22%3A%222012-10-17%22%7D"}}, InlineRecorded: true,
					Managed: []IAMAttachedPolicy{{Name: "ReadOnlyAccess", ARN: "arn:aws:iam::aws:policy/ReadOnlyAccess"}}, ManagedRecorded: true,
				},
				Groups: []string{"developers"}, PermissionsBoundaryARN: "arn:aws:iam::111122223333:policy/boundary"},
		},
		{
			reason: "lists not recorded stay unknown; names come from the item",
			conf:   `{"path": "/"}`,
			want:   &IAMUser{Name: "name-1", ID: "id-1", ARN: "arn:aws:iam::111122223333:thing/name-1", Path: "/", AccountID: "111122223333"},
		},
		{
			reason: "empty lists are recorded as none",
			conf:   `{"userName": "ivan", "userPolicyList": [], "attachedManagedPolicies": []}`,
			want: &IAMUser{Name: "ivan", ID: "id-1", ARN: "arn:aws:iam::111122223333:thing/name-1", AccountID: "111122223333",
				Policies: IAMPolicies{InlineRecorded: true, ManagedRecorded: true}},
		},
		{reason: "a document that is a number", conf: `{"userPolicyList": [{"policyName": "x", "policyDocument": 7}]}`, wantErr: "configuration.userPolicyList[0].policyDocument: want a policy document"},
		{reason: "an array of two documents", conf: `{"userPolicyList": [{"policyName": "x", "policyDocument": [{}, {}]}]}`, wantErr: "want one document, got an array of 2"},
		{reason: "groupList not a list", conf: `{"groupList": "developers"}`, wantErr: "configuration.groupList"},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			got, err := DecodeIAMUser(item(t, IAMUserType, c.conf))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeIAMPolicyRDKExample(t *testing.T) {
	data, err := os.ReadFile(sharedtest.Path("realdata", "aws-config-rdk", "example_ci", "AWS_IAM_Policy.json"))
	if err != nil {
		t.Skip("the shared real data is not here:", err)
	}
	var ci evaluate.ConfigurationItem
	if err := json.Unmarshal(data, &ci); err != nil {
		t.Fatal(err)
	}
	p, err := DecodeIAMPolicy(&ci)
	if err != nil {
		t.Fatal(err)
	}
	v := p.DefaultVersion()
	if v == nil || v.VersionID != "v1" || !strings.Contains(v.Document, `"elasticloadbalancing:Describe*"`) || !strings.HasPrefix(v.Document, "{") {
		t.Errorf("default version %+v: want v1 with its document unwrapped from the array", v)
	}
	if p.AttachmentCount != 4 || p.PermissionsBoundaryUsageCount != -1 || p.AWSManaged() {
		t.Errorf("attachments %d, boundary uses %d, AWS managed %v; want 4, -1 (not recorded), false", p.AttachmentCount, p.PermissionsBoundaryUsageCount, p.AWSManaged())
	}
}

func TestDecodeIAMPolicyCounts(t *testing.T) {
	cases := []struct {
		reason      string
		conf        string
		attachments int
		wantErr     string
	}{
		{"an integer", `{"attachmentCount": 3}`, 3, ""},
		{"a float, as SelectResourceConfig writes numbers", `{"attachmentCount": 3.0}`, 3, ""},
		{"a string", `{"attachmentCount": "3"}`, 3, ""},
		{"null", `{"attachmentCount": null}`, -1, ""},
		{"a fraction", `{"attachmentCount": 2.5}`, 0, "want a count"},
		{"negative", `{"attachmentCount": -1}`, 0, "want a count"},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			p, err := DecodeIAMPolicy(item(t, IAMPolicyType, c.conf))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.AttachmentCount != c.attachments {
				t.Errorf("AttachmentCount %d, want %d", p.AttachmentCount, c.attachments)
			}
		})
	}
	// The default version is the one marked default, else the one named.
	p, err := DecodeIAMPolicy(item(t, IAMPolicyType, `{"defaultVersionId": "v2", "policyVersionList": [{"versionId": "v1", "document": "{}"}, {"versionId": "v2", "document": "%7B%7D"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if v := p.DefaultVersion(); v == nil || v.VersionID != "v2" {
		t.Errorf("default version %+v, want v2", v)
	}
}

func TestDecodeIAMRoleTrustPolicy(t *testing.T) {
	r, err := DecodeIAMRole(item(t, IAMRoleType, `{"roleName": "ops", "assumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}, "rolePolicyList": []}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.AssumeRolePolicy != `{"Version": "2012-10-17", "Statement": []}` || !r.Policies.InlineRecorded || r.Policies.ManagedRecorded {
		t.Errorf("role %+v", r)
	}
	g, err := DecodeIAMGroup(item(t, IAMGroupType, `{"groupName": "admins", "groupPolicyList": [{"policyName": "all", "policyDocument": "%7B%7D"}], "attachedManagedPolicies": []}`))
	if err != nil {
		t.Fatal(err)
	}
	if g.Name != "admins" || len(g.Policies.Inline) != 1 || !g.Policies.ManagedRecorded {
		t.Errorf("group %+v", g)
	}
}

func TestDecodeCloudTrailTrail(t *testing.T) {
	ci := item(t, CloudTrailTrailType, `{"name": "org", "trailARN": "arn:aws:cloudtrail:us-east-1:111122223333:trail/org", "homeRegion": "us-east-1",
		"s3BucketName": "logs", "isMultiRegionTrail": "true", "logFileValidationEnabled": false, "kmsKeyId": "arn:aws:kms:us-east-1:111122223333:key/k",
		"cloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:111122223333:log-group:ct:*", "hasCustomEventSelectors": true}`)
	ci.Region = "eu-west-1"
	got, err := DecodeCloudTrailTrail(ci)
	if err != nil {
		t.Fatal(err)
	}
	want := &CloudTrailTrail{Name: "org", ARN: "arn:aws:cloudtrail:us-east-1:111122223333:trail/org", AccountID: "111122223333",
		Region: "eu-west-1", HomeRegion: "us-east-1", S3BucketName: "logs", KMSKeyID: "arn:aws:kms:us-east-1:111122223333:key/k",
		CloudWatchLogsLogGroupARN: "arn:aws:logs:us-east-1:111122223333:log-group:ct:*",
		IsMultiRegionTrail:        Bool{Set: true, Value: true}, LogFileValidationEnabled: Bool{Set: true}, HasCustomEventSelectors: Bool{Set: true, Value: true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, c := range []struct {
		multi  bool
		region string
		want   bool
	}{{true, "ap-south-1", true}, {false, "us-east-1", true}, {false, "eu-west-1", false}, {false, "", true}} {
		tr := &CloudTrailTrail{HomeRegion: "us-east-1", IsMultiRegionTrail: Bool{Set: true, Value: c.multi}}
		if got := tr.CoversRegion(c.region); got != c.want {
			t.Errorf("multi-region %v, home us-east-1: CoversRegion(%q) = %v, want %v", c.multi, c.region, got, c.want)
		}
	}
	// The home region falls back to the item's region; the name to its id.
	got, err = DecodeCloudTrailTrail(&evaluate.ConfigurationItem{ResourceType: CloudTrailTrailType, ResourceID: "t", Region: "sa-east-1", Configuration: json.RawMessage(`{}`)})
	if err != nil || got.HomeRegion != "sa-east-1" || got.Name != "t" {
		t.Errorf("got %+v, %v; want home region sa-east-1 and name t", got, err)
	}
	if _, err := DecodeCloudTrailTrail(item(t, CloudTrailTrailType, `{"s3BucketName": ["a"]}`)); err == nil || !strings.Contains(err.Error(), "configuration.s3BucketName") {
		t.Errorf("error %v, want one naming configuration.s3BucketName", err)
	}
}
