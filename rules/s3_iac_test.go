package rules

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/iac"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// s3IaCPlan is a Terraform plan of three buckets: an existing one the plan
// does not touch (its ownership controls and Block Public Access settings
// are not in the plan), one with a grant to AuthenticatedUsers, and one
// whose name is known after apply.
const s3IaCPlan = `{"format_version":"1.2","terraform_version":"1.9.5","resource_changes":[
 {"address":"aws_s3_bucket.legacy","mode":"managed","type":"aws_s3_bucket","name":"legacy",
  "change":{"actions":["no-op"],"before":{"bucket":"legacy-site","acl":"public-read"},
   "after":{"bucket":"legacy-site","acl":"public-read","policy":null,"grant":[]},"after_unknown":{}}},
 {"address":"aws_s3_bucket.granted","mode":"managed","type":"aws_s3_bucket","name":"granted",
  "change":{"actions":["create"],"after":{"bucket":"granted","grant":[{"type":"Group","uri":"http://acs.amazonaws.com/groups/global/AuthenticatedUsers","permissions":["READ","WRITE"],"id":""}]},
   "after_unknown":{"id":true}}},
 {"address":"aws_s3_bucket.generated","mode":"managed","type":"aws_s3_bucket","name":"generated",
  "change":{"actions":["create"],"after":{"bucket_prefix":"tmp-"},"after_unknown":{"bucket":true,"id":true,"arn":true}}}]}`

// s3IaCItems reads the family's template and plan into items.
func s3IaCItems(t *testing.T) map[string]*evaluate.ConfigurationItem {
	t.Helper()
	f, err := os.Open("testdata/iac/s3-family.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	items := map[string]*evaluate.ConfigurationItem{}
	opts := []iac.Option{iac.WithAccount("111122223333"), iac.WithRegion("eu-west-1")}
	for _, src := range []evaluate.Source{
		iac.ReadTemplate(f, "s3-family.yaml", opts...),
		iac.ReadPlan(strings.NewReader(s3IaCPlan), "s3.tfplan.json", opts...),
	} {
		for ci, err := range src {
			if err != nil {
				t.Fatal(err)
			}
			items[ci.ResourceID] = ci
		}
	}
	return items
}

// TestS3FamilyOnIaC runs the family on items built from a CloudFormation
// template and a Terraform plan, whose values may be known only after
// deployment: a rule answers INSUFFICIENT_DATA naming what it needs, and is
// not blocked by what it does not need.
func TestS3FamilyOnIaC(t *testing.T) {
	items := s3IaCItems(t)
	noAccountBlock := evaluate.FactsFS(fstest.MapFS{"s3control-get-public-access-block.json": {
		Data: []byte(`{"Error":{"Code":"NoSuchPublicAccessBlockConfiguration","Message":"The public access block configuration was not found"}}`)}})
	cases := []struct {
		reason   string
		resource string
		rule     string
		params   map[string]string
		facts    evaluate.Facts
		want     evaluate.Compliance
		notes    []string
	}{
		{
			reason:   "a bucket named only after deployment: its policy names it by the same unknown name",
			resource: "Plain", rule: "s3-bucket-ssl-requests-only",
			want: evaluate.Compliant, notes: []string{"arn:aws:s3:::${unknown:Plain}/*"},
		},
		{
			reason:   "an unknown name in the upload deny, no default encryption needed to tell",
			resource: "Plain", rule: "s3-bucket-server-side-encryption-enabled",
			want: evaluate.Compliant, notes: []string{"AES256"},
		},
		{
			reason:   `{"AWS": "*"} and a PublicRead ACL, the account known to have no block`,
			resource: "Website", rule: "s3-bucket-public-read-prohibited", facts: noAccountBlock,
			want: evaluate.NonCompliant, notes: []string{`Principal {"AWS": "*"}`, "ACL grants READ to AllUsers"},
		},
		{
			reason:   "the same without the account's settings",
			resource: "Website", rule: "s3-bucket-public-read-prohibited",
			want: evaluate.InsufficientData, notes: []string{"Block Public Access settings of account 111122223333 are unknown"},
		},
		{
			reason:   "read-only grants do not make it writable",
			resource: "Website", rule: "s3-bucket-public-write-prohibited", facts: noAccountBlock,
			want: evaluate.Compliant,
		},
		{
			reason:   "every bucket-level setting off",
			resource: "Website", rule: "s3-bucket-level-public-access-prohibited",
			want: evaluate.NonCompliant,
		},
		{
			reason:   "the owner grant's unknown id is the owner's unknown id; the AllUsers grant is known",
			resource: "Website", rule: "s3-bucket-acl-prohibited",
			want: evaluate.NonCompliant, notes: []string{"READ to AllUsers"},
		},
		{
			reason:   "an Allow pinned to an endpoint not known yet may be public",
			resource: "Private", rule: "s3-bucket-public-read-prohibited", facts: noAccountBlock,
			want: evaluate.InsufficientData, notes: []string{"Statement[0]", "not known before deployment"},
		},
		{
			reason:   "denied unless through the endpoint, whatever its id",
			resource: "Private", rule: "s3-bucket-restricted-to-vpc-endpoint",
			want: evaluate.Compliant, notes: []string{"${unknown:Endpoint}"},
		},
		{
			reason:   "listed endpoints cannot be compared with one not known yet",
			resource: "Private", rule: "s3-bucket-restricted-to-vpc-endpoint", params: map[string]string{"vpcEndpointIds": "vpce-1a2b3c4d"},
			want: evaluate.InsufficientData, notes: []string{"Statement[1] is not known before deployment"},
		},
		{
			reason:   "RestrictPublicBuckets from a parameter without a value",
			resource: "Private", rule: "s3-bucket-level-public-access-prohibited",
			want: evaluate.InsufficientData, notes: []string{"restrictPublicBuckets"},
		},
		{
			reason:   "ACLs disabled by the default ownership controls",
			resource: "Private", rule: "s3-bucket-acl-prohibited",
			want: evaluate.Compliant,
		},
		{
			reason:   "a KMS key not known yet is still KMS",
			resource: "Encrypted", rule: "s3-default-encryption-kms",
			want: evaluate.Compliant,
		},
		{
			reason:   "but cannot be compared with kmsKeyArns",
			resource: "Encrypted", rule: "s3-default-encryption-kms", params: map[string]string{"kmsKeyArns": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
			want: evaluate.InsufficientData, notes: []string{"${unknown:Key.Arn}"},
		},
		{
			reason:   "the target bucket named by its logical id is looked up",
			resource: "Encrypted", rule: "s3-bucket-logging-enabled", params: map[string]string{"targetBucket": "central-access-logs", "targetPrefix": "encrypted-iac/"},
			want: evaluate.Compliant,
		},
		{
			reason:   "and is not another bucket",
			resource: "Encrypted", rule: "s3-bucket-logging-enabled", params: map[string]string{"targetBucket": "other-logs"},
			want: evaluate.NonCompliant, notes: []string{"not to targetBucket other-logs"},
		},
		{
			reason:   "a versioning status from a parameter without a value",
			resource: "Encrypted", rule: "s3-bucket-versioning-enabled",
			want: evaluate.InsufficientData, notes: []string{"BucketVersioningConfiguration.status"},
		},
		{
			reason:   "a role whose name is known after deployment matches a role pattern of its account",
			resource: "Shared", rule: "s3-bucket-policy-grantee-check", params: map[string]string{"awsPrincipals": "arn:aws:iam::111122223333:role/*"},
			want: evaluate.Compliant,
		},
		{
			reason:   "but cannot be compared with one role",
			resource: "Shared", rule: "s3-bucket-policy-grantee-check", params: map[string]string{"awsPrincipals": "arn:aws:iam::111122223333:role/reader"},
			want: evaluate.InsufficientData, notes: []string{"Statement[0] is not known before deployment"},
		},
		{
			reason:   "an unknown principal may be another account's",
			resource: "Shared", rule: "s3-bucket-blacklisted-actions-prohibited", params: map[string]string{"blacklistedActionPattern": "s3:PutObjectAcl"},
			want: evaluate.InsufficientData,
		},
		{
			reason:   "a plan that leaves an existing bucket alone does not know its ownership controls",
			resource: "aws_s3_bucket.legacy", rule: "s3-bucket-public-read-prohibited", facts: noAccountBlock,
			want: evaluate.InsufficientData, notes: []string{"unless the ownership controls disable ACLs"},
		},
		{
			reason:   "nor its bucket-level settings",
			resource: "aws_s3_bucket.legacy", rule: "s3-bucket-level-public-access-prohibited",
			want: evaluate.InsufficientData,
		},
		{
			reason:   "a grant to AuthenticatedUsers on a new bucket, whose ACLs are disabled by default",
			resource: "aws_s3_bucket.granted", rule: "s3-bucket-public-write-prohibited",
			want: evaluate.Compliant, notes: []string{"ACL grants WRITE to AuthenticatedUsers, but the bucket's Object Ownership BucketOwnerEnforced stops it"},
		},
		{
			reason:   "a bucket named after apply, blocked by default: the unknown name does not matter",
			resource: "aws_s3_bucket.generated", rule: "s3-bucket-level-public-access-prohibited", params: map[string]string{"excludedPublicBuckets": "tmp-1"},
			want: evaluate.Compliant,
		},
	}
	for _, tc := range cases {
		t.Run(tc.reason, func(t *testing.T) {
			ci, ok := items[tc.resource]
			if !ok {
				t.Fatalf("no item %s", tc.resource)
			}
			inv := evaluate.NewInventory(tc.facts)
			for _, other := range items {
				if other.ResourceType == resource.S3BucketType || other.ResourceType == s3AccountPublicAccessBlockType {
					inv.Add(other)
				}
			}
			got := ec2EvaluateOne(t, tc.rule, tc.params, inv, ci)
			t.Logf("%s: %s", got.Compliance, got.Annotation)
			if got.Compliance != tc.want {
				t.Errorf("got %s (%q), want %s", got.Compliance, got.Annotation, tc.want)
			}
			for _, n := range tc.notes {
				if !strings.Contains(got.Annotation, n) {
					t.Errorf("annotation %q does not contain %q", got.Annotation, n)
				}
			}
		})
	}
}
