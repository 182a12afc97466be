package rules

import (
	"context"
	"errors"
	"fmt"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/policy"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// S3BucketPolicyNotMorePermissive checks that every Allow statement of the
// bucket policy is covered by an Allow statement of controlPolicy, an
// upper bound written as a bucket policy
// ([policy.Document.NotMorePermissive] says how statements are compared).
// A bucket without a policy grants nothing and is COMPLIANT.
//
// The managed rule speaks of "inter-account permissions"; since a policy
// alone does not say which principals are inside the owner's account,
// every Allow statement is compared, the safer reading. A controlPolicy
// that is not a policy is a parameter error, as for the managed rule.
// The managed rule cannot be created without controlPolicy; here, so that
// the rule can run in a scan of the whole catalog, it may be left out, and
// then every bucket with a policy is INSUFFICIENT_DATA, asking for it.
func S3BucketPolicyNotMorePermissive() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "s3-bucket-policy-not-more-permissive",
		Summary:       "S3 bucket policies grant nothing beyond a control policy.",
		Rationale:     "An upper bound on bucket policies catches grants that widen access beyond what the organisation approved.",
		ResourceTypes: []string{resource.S3BucketType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters: []evaluate.Parameter{{
			Name: "controlPolicy", Type: evaluate.String,
			Description: "A bucket policy (JSON, up to 1024 characters) that bounds the permissions of bucket policies; the rule cannot judge a policy without it.",
		}},
		Severity:    evaluate.Medium,
		ManagedRule: "S3_BUCKET_POLICY_NOT_MORE_PERMISSIVE",
		URL:         "https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy-not-more-permissive.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		raw := p.String("controlPolicy")
		if raw == "" {
			return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
				v, err := s3ViewOf(in)
				if err != nil {
					return evaluate.Result{}, err
				}
				if state, _, err := v.policyStatus(); err == nil && state == policyAbsent {
					return evaluate.Compliantf("Bucket %s has no bucket policy.", v.Name), nil
				}
				return evaluate.InsufficientDataf("No controlPolicy given: the rule needs the control policy to compare the policy of bucket %s with.", v.Name), nil
			}), nil
		}
		control, err := policy.Parse([]byte(raw))
		if err != nil {
			if errors.Is(err, policy.ErrNoDocument) {
				err = errors.New("empty")
			}
			return nil, &evaluate.ParamError{Name: "controlPolicy", Value: raw, Err: fmt.Errorf("must be an S3 bucket policy: %w", err)}
		}
		return policyFindingsRule("is more permissive than controlPolicy", "is within controlPolicy",
			func(v *s3View) ([]policy.Finding, error) { return v.doc.NotMorePermissive(control), nil },
			stmtUnknowns.any), nil
	})
}
