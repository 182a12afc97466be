package rules

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/internal/sharedtest"
)

// TestS3RealData runs the family over the shared real Config data, as
// captured or published (the fixtures hold adapted copies): the verdicts
// on those files must not drift.
func TestS3RealData(t *testing.T) {
	dir := sharedtest.Path("realdata")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real data not available (%v); the fixtures under testdata cover the same shapes", err)
	}
	files := []string{
		"aws-config-rdk/example_ci/AWS_S3_Bucket.json",
		"aws-config-rdk/example_ci/AWS_S3_AccountPublicAccessBlock.json",
		"cloud-custodian/config/s3.json",
		"cloud-custodian/config/s3-website.json",
		"cloud-custodian/config/s3-from-rule.json",
	}
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join(dir, f)
	}
	engine, err := evaluate.NewEngine(s3Rules(), evaluate.WithParameters(map[string]map[string]string{
		"s3-bucket-policy-not-more-permissive":     {"controlPolicy": `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"934654633380"},"Action":"s3:*","Resource":"*"}]}`},
		"s3-bucket-blacklisted-actions-prohibited": {"blacklistedActionPattern": "s3:DeleteBucketPolicy,s3:PutBucketAcl,s3:PutBucketPolicy,s3:PutEncryptionConfiguration,s3:PutObjectAcl"},
	}))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]evaluate.Compliance{}
	for ev, err := range engine.Scan(context.Background(), evaluate.Files(paths...)) {
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if got[ev.ResourceID] == nil {
			got[ev.ResourceID] = map[string]evaluate.Compliance{}
		}
		got[ev.ResourceID][ev.RuleID] = ev.Compliance
	}
	// Every bucket here predates default encryption and Block Public
	// Access: no encryption, no bucket-level block, no access logs.
	old := func(overrides map[string]evaluate.Compliance) map[string]evaluate.Compliance {
		m := map[string]evaluate.Compliance{
			"s3-bucket-server-side-encryption-enabled": evaluate.NonCompliant,
			"s3-default-encryption-kms":                evaluate.NonCompliant,
			"s3-bucket-ssl-requests-only":              evaluate.NonCompliant,
			"s3-bucket-public-read-prohibited":         evaluate.Compliant,
			"s3-bucket-public-write-prohibited":        evaluate.Compliant,
			"s3-bucket-level-public-access-prohibited": evaluate.NonCompliant,
			"s3-bucket-versioning-enabled":             evaluate.NonCompliant,
			"s3-bucket-logging-enabled":                evaluate.NonCompliant,
			"s3-bucket-policy-grantee-check":           evaluate.Compliant,
			"s3-bucket-policy-not-more-permissive":     evaluate.Compliant,
			"s3-bucket-acl-prohibited":                 evaluate.Compliant,
			"s3-bucket-blacklisted-actions-prohibited": evaluate.Compliant,
			"s3-bucket-restricted-to-vpc-endpoint":     evaluate.NonCompliant,
		}
		for k, v := range overrides {
			m[k] = v
		}
		return m
	}
	want := map[string]map[string]evaluate.Compliance{
		// The rdk example: versioned, a TLS deny on the bucket but not its
		// objects, within the control policy (it only denies).
		"mborch-test-bucket-config-item": old(map[string]evaluate.Compliance{"s3-bucket-versioning-enabled": evaluate.Compliant}),
		"config-rule-sanity":             old(nil),
		"c7n-fire-logs":                  old(nil),
		// A website bucket with an AllUsers READ grant: public unless the
		// account ignores public ACLs, which the data does not say.
		"testing-99": old(map[string]evaluate.Compliance{
			"s3-bucket-public-read-prohibited": evaluate.InsufficientData,
			"s3-bucket-acl-prohibited":         evaluate.NonCompliant,
		}),
		"123456789012": {"s3-account-level-public-access-blocks-periodic": evaluate.Compliant},
		"644160558196": {"s3-account-level-public-access-blocks-periodic": evaluate.InsufficientData},
		"934654633380": {"s3-account-level-public-access-blocks-periodic": evaluate.InsufficientData},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
}
