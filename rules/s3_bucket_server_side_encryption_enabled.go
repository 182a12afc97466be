package rules

import (
	"context"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// S3BucketServerSideEncryptionEnabled checks that a bucket encrypts new
// objects by default (SSE-S3, SSE-KMS or DSSE-KMS).
func S3BucketServerSideEncryptionEnabled() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "s3-bucket-server-side-encryption-enabled",
		Summary:       "S3 buckets encrypt new objects by default.",
		Rationale:     "Default encryption protects every object at rest, whatever the client sends, so no object lands unencrypted by mistake.",
		ResourceTypes: []string{resource.S3BucketType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters:    []evaluate.Parameter{},
		Severity:      evaluate.High,
		ManagedRule:   "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
		Controls:      []string{"SecurityHub:S3.4", "CIS-AWS-1.4:2.1.1"},
		Remediations:  []string{"s3-enable-default-encryption"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-server-side-encryption-enabled.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			b, err := resource.S3BucketOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if alg, key, ok := defaultEncryption(b); ok {
				if key != "" {
					return evaluate.Compliantf("Bucket %s encrypts new objects by default with %s (key %s).", b.Name, alg, key), nil
				}
				return evaluate.Compliantf("Bucket %s encrypts new objects by default with %s.", b.Name, alg), nil
			}
			return evaluate.NonCompliantf("Bucket %s has no default encryption.", b.Name), nil
		}), nil
	})
}

// defaultEncryption returns the algorithm and key of the bucket's default
// encryption rule, if it has one that encrypts.
func defaultEncryption(b *resource.S3Bucket) (alg, key string, ok bool) {
	if b.Encryption == nil {
		return "", "", false
	}
	for _, r := range b.Encryption.Rules {
		if r.Default == nil {
			continue
		}
		switch a := r.Default.SSEAlgorithm; strings.ToLower(a) {
		case "aes256", "aws:kms", "aws:kms:dsse":
			return a, r.Default.KMSMasterKeyID, true
		}
	}
	return "", "", false
}
