package rules

import (
	"context"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/policy"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// S3BucketSSLRequestsOnly checks that the bucket policy denies every S3
// action, to every principal, on the bucket and all its objects, when the
// request does not use TLS (aws:SecureTransport false), as the managed rule
// and AWS's knowledge-center article describe;
// [policy.Document.DeniesInsecureTransport] says which statements count. A
// bucket without a policy allows HTTP requests and is NON_COMPLIANT.
func S3BucketSSLRequestsOnly() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "s3-bucket-ssl-requests-only",
		Summary:       "S3 bucket policies deny requests that do not use TLS.",
		Rationale:     "Requests over plain HTTP expose object data and request signatures to anyone on the network path.",
		ResourceTypes: []string{resource.S3BucketType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters:    []evaluate.Parameter{},
		Severity:      evaluate.Medium,
		ManagedRule:   "S3_BUCKET_SSL_REQUESTS_ONLY",
		Controls:      []string{"SecurityHub:S3.5", "CIS-AWS-1.4:2.1.2"},
		Remediations:  []string{"s3-require-tls"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-ssl-requests-only.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			v, err := s3ViewOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			state, unknown, err := v.policyStatus()
			switch {
			case err != nil:
				return evaluate.Result{}, err
			case state == policyUnknown:
				return evaluate.InsufficientDataf("Bucket %s: %s.", v.Name, unknown), nil
			case state == policyAbsent:
				return evaluate.NonCompliantf("Bucket %s has no bucket policy, so requests over plain HTTP are not denied.", v.Name), nil
			}
			check, err := v.doc.DeniesInsecureTransport(v.bucketARN())
			if err != nil {
				return evaluate.Result{}, err
			}
			if check.Enforced {
				return evaluate.Compliantf("Bucket %s: %s.", v.Name, v.showName(check.Reason)), nil
			}
			if u := v.anyUnknownStatement(policy.Deny, stmtUnknowns.any); u != "" {
				return evaluate.InsufficientDataf("Bucket %s: %s is not known before deployment; %s.", v.Name, u, v.showName(check.Reason)), nil
			}
			return evaluate.NonCompliantf("Bucket %s does not deny requests over plain HTTP: %s.", v.Name, v.showName(check.Reason)), nil
		}), nil
	})
}
