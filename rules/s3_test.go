package rules

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// s3TestItem is a bucket item in the shape package iac builds: the given
// policy text (nil for none), settings all off unless block is given,
// ACLs disabled unless ownership says otherwise, and the unknown paths.
func s3TestItem(t *testing.T, policyText any, supp map[string]any, unknown ...string) *evaluate.ConfigurationItem {
	t.Helper()
	s := map[string]any{
		"AccessControlList":              `{"grantSet":null,"grantList":[{"grantee":{"id":"${unknown:canonical user id of the bucket owner}","displayName":null},"permission":"FullControl"}],"owner":{"id":"${unknown:canonical user id of the bucket owner}","displayName":null}}`,
		"BucketPolicy":                   map[string]any{"policyText": policyText},
		"PublicAccessBlockConfiguration": map[string]any{"blockPublicAcls": false, "ignorePublicAcls": false, "blockPublicPolicy": false, "restrictPublicBuckets": false},
		"BucketOwnershipControls":        map[string]any{"bucketName": "iac-bucket", "ownershipControls": map[string]any{"rules": []any{map[string]any{"ownership": "BucketOwnerEnforced"}}}},
	}
	for k, v := range supp {
		s[k] = v
	}
	out := map[string]json.RawMessage{}
	for k, v := range s {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out[k] = b
	}
	return &evaluate.ConfigurationItem{
		ResourceType: resource.S3BucketType, ResourceID: "Bucket", AccountID: "111122223333", Region: "eu-west-1",
		ARN: "arn:aws:s3:::iac-bucket", Status: evaluate.StatusOK, Configuration: json.RawMessage(`{"name":"iac-bucket"}`),
		SupplementaryConfiguration: out, Unknown: unknown,
	}
}

// TestS3UnknownPolicyParts covers the parts of a bucket policy a template
// may leave unknown, one at a time, for the rules that read them.
func TestS3UnknownPolicyParts(t *testing.T) {
	noBlock := evaluate.FactsFS(mapFact(`{"PublicAccessBlockConfiguration":{"BlockPublicAcls":false,"IgnorePublicAcls":false,"BlockPublicPolicy":false,"RestrictPublicBuckets":false}}`))
	const policyPath = "supplementaryConfiguration.BucketPolicy.policyText"
	cases := []struct {
		reason string
		rule   string
		params map[string]string
		item   *evaluate.ConfigurationItem
		want   evaluate.Compliance
		note   string
	}{
		{
			reason: "a policy not known at all: TLS cannot be told",
			rule:   "s3-bucket-ssl-requests-only",
			item:   s3TestItem(t, nil, nil, policyPath),
			want:   evaluate.InsufficientData, note: "its policy is not known before deployment (" + policyPath + ")",
		},
		{
			reason: "a policy not known at all may be public",
			rule:   "s3-bucket-public-read-prohibited",
			item:   s3TestItem(t, nil, nil, policyPath),
			want:   evaluate.InsufficientData, note: "its policy is not known before deployment",
		},
		{
			reason: "a policy not known at all is no matter under RestrictPublicBuckets",
			rule:   "s3-bucket-public-write-prohibited",
			item: s3TestItem(t, nil, map[string]any{"PublicAccessBlockConfiguration": map[string]any{"restrictPublicBuckets": true}},
				policyPath),
			want: evaluate.Compliant,
		},
		{
			reason: "a known public read action decides reading, whatever the unknown action",
			rule:   "s3-bucket-public-read-prohibited",
			item:   s3TestItem(t, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","${unknown:parameter ExtraAction}"],"Resource":"*"}]}`, nil, policyPath+".Statement[0].Action[1]"),
			want:   evaluate.NonCompliant, note: "allows s3:GetObject",
		},
		{
			reason: "but leaves writing unknown",
			rule:   "s3-bucket-public-write-prohibited",
			item:   s3TestItem(t, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","${unknown:parameter ExtraAction}"],"Resource":"*"}]}`, nil, policyPath+".Statement[0].Action[1]"),
			want:   evaluate.InsufficientData, note: "Statement[0] allows everyone actions not known before deployment",
		},
		{
			reason: "an unknown principal may be everyone",
			rule:   "s3-bucket-public-read-prohibited",
			item:   s3TestItem(t, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"${unknown:parameter Reader}"},"Action":"s3:GetObject","Resource":"*"}]}`, nil, policyPath+".Statement[0].Principal.AWS"),
			want:   evaluate.InsufficientData, note: "its principal is not known before deployment",
		},
		{
			reason: "an unknown principal pinned by a known condition is not public",
			rule:   "s3-bucket-public-read-prohibited",
			item: s3TestItem(t, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"${unknown:parameter Reader}"},"Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}`,
				nil, policyPath+".Statement[0].Principal.AWS"),
			want: evaluate.Compliant,
		},
		{
			reason: "an unknown boolean leaves a document the analyser refuses: not known, not an error",
			rule:   "s3-bucket-ssl-requests-only",
			item: s3TestItem(t, `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":null}}}]}`,
				nil, policyPath+".Statement[0].Condition.Bool.aws:SecureTransport"),
			want: evaluate.InsufficientData, note: "holds values not known before deployment",
		},
		{
			reason: "a deny on an unknown resource may cover the bucket",
			rule:   "s3-bucket-ssl-requests-only",
			item: s3TestItem(t, `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["${unknown:parameter Bucket}","arn:aws:s3:::iac-bucket/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`,
				nil, policyPath+".Statement[0].Resource[0]"),
			want: evaluate.InsufficientData, note: "Statement[0] is not known before deployment",
		},
		{
			reason: "a known deny is not undone by an unknown Allow",
			rule:   "s3-bucket-ssl-requests-only",
			item: s3TestItem(t, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"${unknown:parameter Reader}"},"Action":"s3:GetObject","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`,
				nil, policyPath+".Statement[0].Principal.AWS"),
			want: evaluate.Compliant,
		},
		{
			reason: "findings of known statements decide, whatever the unknown ones",
			rule:   "s3-bucket-policy-grantee-check",
			params: map[string]string{"awsPrincipals": "111122223333"},
			item: s3TestItem(t, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"${unknown:parameter Reader}"},"Action":"s3:GetObject","Resource":"*"},{"Effect":"Allow","Principal":{"AWS":"999900009999"},"Action":"s3:GetObject","Resource":"*"}]}`,
				nil, policyPath+".Statement[0].Principal.AWS"),
			want: evaluate.NonCompliant, note: "999900009999",
		},
		{
			reason: "an unknown controlPolicy comparison",
			rule:   "s3-bucket-policy-not-more-permissive",
			params: map[string]string{"controlPolicy": `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"*"}]}`},
			item:   s3TestItem(t, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"${unknown:parameter Action}","Resource":"*"}]}`, nil, policyPath+".Statement[0].Action"),
			want:   evaluate.InsufficientData,
		},
		{
			reason: "unknown upload-encryption deny without default encryption",
			rule:   "s3-bucket-server-side-encryption-enabled",
			item: s3TestItem(t, `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"${unknown:parameter Objects}","Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}]}`,
				nil, policyPath+".Statement[0].Resource"),
			want: evaluate.InsufficientData, note: "Statement[0] is not known before deployment",
		},
		{
			reason: "no account in the item: inside cannot be told from outside",
			rule:   "s3-bucket-blacklisted-actions-prohibited",
			params: map[string]string{"blacklistedActionPattern": "s3:Delete*"},
			item: func() *evaluate.ConfigurationItem {
				ci := s3TestItem(t, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"*"}]}`, nil)
				ci.AccountID = ""
				return ci
			}(),
			want: evaluate.InsufficientData, note: "names no account",
		},
	}
	for _, tc := range cases {
		t.Run(tc.reason, func(t *testing.T) {
			got := ec2EvaluateOne(t, tc.rule, tc.params, evaluate.NewInventory(noBlock), tc.item)
			t.Logf("%s: %s", got.Compliance, got.Annotation)
			if got.Compliance != tc.want {
				t.Errorf("got %s (%q), want %s", got.Compliance, got.Annotation, tc.want)
			}
			if !strings.Contains(got.Annotation, tc.note) {
				t.Errorf("annotation %q does not contain %q", got.Annotation, tc.note)
			}
		})
	}
}

func mapFact(content string) fstest.MapFS {
	return fstest.MapFS{"s3control-get-public-access-block.json": {Data: []byte(content)}}
}
