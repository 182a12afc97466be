package rules

import (
	"context"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// CloudTrailEncryptionEnabled checks that a trail encrypts its log files
// with a KMS key (SSE-KMS): the trail has a kmsKeyId. DescribeTrails, and
// so Config, leaves kmsKeyId out when the trail uses S3's default
// encryption.
func CloudTrailEncryptionEnabled() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "cloud-trail-encryption-enabled",
		Summary:       "CloudTrail trails encrypt log files with a KMS key.",
		Rationale:     "With SSE-KMS, reading the logs needs the key as well as the bucket, and every use of the key is logged.",
		ResourceTypes: []string{resource.CloudTrailTrailType},
		Trigger:       []evaluate.Trigger{evaluate.Periodic},
		Severity:      evaluate.Medium,
		ManagedRule:   "CLOUD_TRAIL_ENCRYPTION_ENABLED",
		Controls:      []string{"SecurityHub:CloudTrail.2", "CIS-AWS-1.4:3.7"},
		Remediations:  []string{"cloudtrail-enable-encryption"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/cloud-trail-encryption-enabled.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			t, err := resource.CloudTrailTrailOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if t.KMSKeyID == "" {
				return evaluate.NonCompliantf("Trail %s does not encrypt its logs with a KMS key.", t.Name), nil
			}
			return evaluate.Compliantf("Trail %s encrypts its logs with KMS key %s.", t.Name, t.KMSKeyID), nil
		}), nil
	})
}
