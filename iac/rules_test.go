package iac_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/iac"
	"github.com/guardrails-go/guardrails/rules"
)

// TestCatalogRunsOnIaC runs the catalog's rules, written for Config items,
// on items read from a template and a plan: the point of the package.
func TestCatalogRunsOnIaC(t *testing.T) {
	template := `
Resources:
  Versioned:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration: {Status: Enabled}
  Plain:
    Type: AWS::S3::Bucket
  Key:
    Type: AWS::KMS::Key
  KmsEncrypted:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: aws:kms, KMSMasterKeyID: !GetAtt Key.Arn}
`
	plan := `{"format_version":"1.2","resource_changes":[
  {"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket","name":"b",
   "change":{"actions":["create"],"after":{"bucket":"b"},"after_unknown":{"id":true,"versioning":true}}},
  {"address":"aws_s3_bucket_versioning.b","mode":"managed","type":"aws_s3_bucket_versioning","name":"b",
   "change":{"actions":["create"],"after":{"versioning_configuration":[{"status":"Enabled"}]},"after_unknown":{"bucket":true}}}],
 "configuration":{"root_module":{"resources":[
  {"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket","name":"b","expressions":{"bucket":{"constant_value":"b"}}},
  {"address":"aws_s3_bucket_versioning.b","mode":"managed","type":"aws_s3_bucket_versioning","name":"b","expressions":{"bucket":{"references":["aws_s3_bucket.b.id","aws_s3_bucket.b"]}}}]}}}`

	selected, err := rules.Select("s3-bucket-server-side-encryption-enabled", "s3-bucket-versioning-enabled")
	if err != nil {
		t.Fatal(err)
	}
	engine, err := evaluate.NewEngine(selected)
	if err != nil {
		t.Fatal(err)
	}
	src := func(yield func(*evaluate.ConfigurationItem, error) bool) {
		for it, err := range iac.ReadTemplate(strings.NewReader(template), "stack.yaml") {
			if !yield(it, err) {
				return
			}
		}
		for it, err := range iac.ReadPlan(strings.NewReader(plan), "plan.json") {
			if !yield(it, err) {
				return
			}
		}
	}
	got := map[string]string{}
	for ev, err := range engine.Scan(context.Background(), src) {
		if err != nil {
			t.Fatal(err)
		}
		got[ev.RuleID+" "+ev.ResourceID] = string(ev.Compliance)
		if ev.Location == nil || ev.Location.File == "" {
			t.Errorf("%s %s: no location", ev.RuleID, ev.ResourceID)
		}
	}
	want := map[string]string{
		// New buckets are encrypted by default.
		"s3-bucket-server-side-encryption-enabled Versioned":       "COMPLIANT",
		"s3-bucket-server-side-encryption-enabled Plain":           "COMPLIANT",
		"s3-bucket-server-side-encryption-enabled aws_s3_bucket.b": "COMPLIANT",
		// The key is known only after deployment; it is still encryption.
		"s3-bucket-server-side-encryption-enabled KmsEncrypted": "COMPLIANT",
		"s3-bucket-versioning-enabled KmsEncrypted":             "NON_COMPLIANT",
		"s3-bucket-versioning-enabled Versioned":                "COMPLIANT",
		"s3-bucket-versioning-enabled Plain":                    "NON_COMPLIANT",
		// Versioning set by a split resource joined through the reference.
		"s3-bucket-versioning-enabled aws_s3_bucket.b": "COMPLIANT",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
