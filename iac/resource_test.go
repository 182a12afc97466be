package iac_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/iac"
)

func readResource(t *testing.T, typ, id, props string) []iac.Standalone {
	t.Helper()
	list, err := iac.ReadResource(typ, id, json.RawMessage(props), iac.WithAccount("111122223333"), iac.WithRegion("eu-west-1"))
	if err != nil {
		t.Fatalf("ReadResource(%s): %v", typ, err)
	}
	return list
}

func configOf(t *testing.T, it *evaluate.ConfigurationItem) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(it.Configuration, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestReadResourceOwnProperties: a resource read alone gets the item a
// template would give it, and what other resources of a stack would add is
// unknown.
func TestReadResourceOwnProperties(t *testing.T) {
	tests := []struct {
		reason       string
		typ, props   string
		wantUnknown  []string // must be listed
		wantType, id string
	}{
		{
			reason:      "a bucket's policy is another resource",
			typ:         "AWS::S3::Bucket",
			props:       `{"BucketName": "logs", "VersioningConfiguration": {"Status": "Enabled"}}`,
			wantUnknown: []string{"supplementaryConfiguration.BucketPolicy"},
			wantType:    "AWS::S3::Bucket",
		},
		{
			reason:      "a group's rules may come from SecurityGroupIngress resources",
			typ:         "AWS::EC2::SecurityGroup",
			props:       `{"GroupDescription": "web", "VpcId": "vpc-1", "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": "443", "ToPort": "443", "CidrIp": "0.0.0.0/0"}]}`,
			wantUnknown: []string{"configuration.ipPermissions", "configuration.ipPermissionsEgress"},
			wantType:    "AWS::EC2::SecurityGroup",
		},
		{
			reason:      "a role's policies may be attached by other resources",
			typ:         "AWS::IAM::Role",
			props:       `{"RoleName": "app", "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}}`,
			wantUnknown: []string{"configuration.attachedManagedPolicies", "configuration.rolePolicyList"},
			wantType:    "AWS::IAM::Role",
		},
		{
			reason:      "a managed policy's items have the Config type AWS::IAM::Policy",
			typ:         "AWS::IAM::ManagedPolicy",
			props:       `{"PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}`,
			wantUnknown: []string{"configuration.attachmentCount"},
			wantType:    "AWS::IAM::Policy",
		},
	}
	for _, tc := range tests {
		t.Run(tc.reason, func(t *testing.T) {
			list := readResource(t, tc.typ, "Thing", tc.props)
			if len(list) != 1 || list[0].Without != nil {
				t.Fatalf("got %d items (Without %v), want one item of its own", len(list), list[0].Without)
			}
			it := list[0].Item
			if it.ResourceType != tc.wantType || it.ResourceID != "Thing" || it.AccountID != "111122223333" || it.Location != nil {
				t.Errorf("item %s %s account %s location %v", it.ResourceType, it.ResourceID, it.AccountID, it.Location)
			}
			for _, p := range tc.wantUnknown {
				if !slices.Contains(it.Unknown, p) {
					t.Errorf("unknown paths %v lack %s", it.Unknown, p)
				}
			}
		})
	}
}

// TestReadResourceStringValues: hooks may pass booleans and numbers as
// strings; the item is the same as with JSON types.
func TestReadResourceStringValues(t *testing.T) {
	typed := readResource(t, "AWS::EC2::SecurityGroup", "Sg", `{"GroupDescription": "d", "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "10.0.0.0/8"}]}`)
	text := readResource(t, "AWS::EC2::SecurityGroup", "Sg", `{"GroupDescription": "d", "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": "22", "ToPort": "22", "CidrIp": "10.0.0.0/8"}]}`)
	if diff := cmp.Diff(configOf(t, typed[0].Item), configOf(t, text[0].Item)); diff != "" {
		t.Errorf("numbers as strings (-typed +text):\n%s", diff)
	}
	typed = readResource(t, "AWS::S3::Bucket", "B", `{"PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "IgnorePublicAcls": false}}`)
	text = readResource(t, "AWS::S3::Bucket", "B", `{"PublicAccessBlockConfiguration": {"BlockPublicAcls": "true", "IgnorePublicAcls": "false"}}`)
	if diff := cmp.Diff(string(typed[0].Item.SupplementaryConfiguration["PublicAccessBlockConfiguration"]), string(text[0].Item.SupplementaryConfiguration["PublicAccessBlockConfiguration"])); diff != "" {
		t.Errorf("booleans as strings (-typed +text):\n%s", diff)
	}
}

// TestReadResourceParts: a part (a rule, a policy) gives the item of the
// resource it belongs to, with and without it.
func TestReadResourceParts(t *testing.T) {
	t.Run("a security group rule", func(t *testing.T) {
		list := readResource(t, "AWS::EC2::SecurityGroupIngress", "OpenSSH", `{"GroupId": "sg-0123", "IpProtocol": "tcp", "FromPort": "22", "ToPort": "22", "CidrIp": "0.0.0.0/0"}`)
		if len(list) != 1 || list[0].Without == nil {
			t.Fatalf("got %d, want one part with its Without", len(list))
		}
		with, without := list[0].Item, list[0].Without
		if with.ResourceType != "AWS::EC2::SecurityGroup" || with.ResourceID != "OpenSSH" || without.ResourceID != "OpenSSH" {
			t.Errorf("items %s %s / %s", with.ResourceType, with.ResourceID, without.ResourceID)
		}
		if got := configOf(t, with)["ipPermissions"].([]any); len(got) != 1 {
			t.Errorf("with the rule: ipPermissions %v", got)
		}
		if got := configOf(t, without)["ipPermissions"].([]any); len(got) != 0 {
			t.Errorf("without the rule: ipPermissions %v", got)
		}
		if !slices.Contains(with.Unknown, "configuration.ipPermissions") || !slices.Contains(with.Unknown, "configuration.vpcId") {
			t.Errorf("the rest of the group must be unknown: %v", with.Unknown)
		}
	})
	t.Run("a bucket policy is the bucket's whole policy", func(t *testing.T) {
		list := readResource(t, "AWS::S3::BucketPolicy", "Policy", `{"Bucket": "logs", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::logs/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}}`)
		with, without := list[0].Item, list[0].Without
		if slices.Contains(with.Unknown, "supplementaryConfiguration.BucketPolicy") {
			t.Errorf("with the policy, the policy is known: %v", with.Unknown)
		}
		if !slices.Contains(with.Unknown, "supplementaryConfiguration.PublicAccessBlockConfiguration") {
			t.Errorf("the rest of the bucket must be unknown: %v", with.Unknown)
		}
		if !slices.Contains(without.Unknown, "supplementaryConfiguration.BucketPolicy") {
			t.Errorf("without the policy, the policy is unknown: %v", without.Unknown)
		}
		if with.ResourceName != "logs" || configOf(t, with)["name"] != "logs" {
			t.Errorf("bucket name %q, %v", with.ResourceName, configOf(t, with)["name"])
		}
	})
	t.Run("an IAM policy for two roles and a user", func(t *testing.T) {
		list := readResource(t, "AWS::IAM::Policy", "Admin", `{"PolicyName": "admin", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}, "Roles": ["a", "b"], "Users": ["u"]}`)
		var got []string
		for _, s := range list {
			got = append(got, s.Item.ResourceType+" "+s.Item.ResourceName)
			if s.Item.ResourceID != "Admin" {
				t.Errorf("id %s", s.Item.ResourceID)
			}
		}
		want := []string{"AWS::IAM::Role a", "AWS::IAM::Role b", "AWS::IAM::User u"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

func TestReadResourceUnsupported(t *testing.T) {
	list, err := iac.ReadResource("AWS::SQS::Queue", "Queue", json.RawMessage(`{"QueueName": "q"}`))
	if err != nil || list != nil {
		t.Errorf("got %v, %v; want nothing", list, err)
	}
	for typ, want := range map[string]bool{"AWS::S3::Bucket": true, "AWS::S3::BucketPolicy": true, "AWS::IAM::InstanceProfile": false, "AWS::SQS::Queue": false} {
		if got := iac.ReadsResource(typ); got != want {
			t.Errorf("ReadsResource(%s) = %v", typ, got)
		}
	}
}

// TestReadResourceErrors: bad input names the resource and the property.
func TestReadResourceErrors(t *testing.T) {
	tests := []struct {
		reason, typ, props string
		wantPath, wantMsg  string
	}{
		{"properties not an object", "AWS::S3::Bucket", `[1, 2]`, "", "properties are a list, not a JSON object"},
		{"broken JSON", "AWS::S3::Bucket", `{"BucketName": `, "", "properties are not a JSON object: unexpected EOF"},
		{"a property of the wrong type", "AWS::S3::Bucket", `{"VersioningConfiguration": {"Status": ["Enabled"]}}`, "Properties.VersioningConfiguration.Status", "want a string, got a list"},
		{"a boolean that is not one", "AWS::KMS::Key", `{"EnableKeyRotation": "yes"}`, "Properties.EnableKeyRotation", `want a boolean, got "yes"`},
		{"a part without its resource", "AWS::EC2::SecurityGroupIngress", `{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}`, "Properties.GroupId", "is required (GroupId or GroupName)"},
		{"an error in a part", "AWS::EC2::SecurityGroupIngress", `{"GroupId": "sg-1", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}`, "Properties.IpProtocol", "is required"},
		{"a reference that is not a name", "AWS::S3::BucketPolicy", `{"Bucket": {"Ref": "Logs"}, "PolicyDocument": {}}`, "Properties.Bucket", "want a name or id, got an object"},
	}
	for _, tc := range tests {
		t.Run(tc.reason, func(t *testing.T) {
			_, err := iac.ReadResource(tc.typ, "Thing", json.RawMessage(tc.props))
			var e *evaluate.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T), want an *evaluate.Error", err, err)
			}
			if e.ResourceID != "Thing" || e.ResourceType != tc.typ || e.Path != tc.wantPath || e.Err.Error() != tc.wantMsg {
				t.Errorf("error %+v (%v); want path %q, message %q", e, e.Err, tc.wantPath, tc.wantMsg)
			}
		})
	}
}

// TestReadResourcePartNamedLikeTheStub: a part whose logical id is the
// name the reader gives its own stand-in still reads.
func TestReadResourcePartNamedLikeTheStub(t *testing.T) {
	list := readResource(t, "AWS::EC2::SecurityGroupIngress", "GuardrailsPart", `{"GroupId": "sg-1", "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}`)
	if len(list) != 1 || list[0].Item.ResourceID != "GuardrailsPart" {
		t.Fatalf("got %+v", list)
	}
	if got := configOf(t, list[0].Item)["ipPermissions"].([]any); len(got) != 1 {
		t.Errorf("ipPermissions %v", got)
	}
}
