package rules

import (
	"context"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/policy"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// S3BucketRestrictedToVPCEndpoint checks that the bucket policy denies
// every request that does not come through the allowed VPC endpoints or
// VPCs: a Deny of every S3 action, to every principal, on the bucket and
// all its objects, whose only conditions are StringNotEquals on
// aws:SourceVpce or aws:SourceVpc ([policy.Document.RestrictedToVPC]). No
// managed rule offers this check.
//
// With neither parameter, any endpoints and VPCs will do. With either,
// every endpoint the policy lets through must be in vpcEndpointIds and
// every VPC in vpcIds: a VPC exception lets through every endpoint of that
// VPC, so it does not count as restricting to the listed endpoints. A
// bucket without a policy is NON_COMPLIANT. A Deny with a further
// exception (an administrator role, say) does not qualify: requests from
// that exception may come from anywhere.
func S3BucketRestrictedToVPCEndpoint() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "s3-bucket-restricted-to-vpc-endpoint",
		Summary:       "S3 bucket policies deny requests that do not come through the allowed VPC endpoints or VPCs.",
		Rationale:     "A bucket reachable only through your VPC endpoints stays out of reach of stolen credentials used from the internet.",
		ResourceTypes: []string{resource.S3BucketType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters: []evaluate.Parameter{
			{Name: "vpcEndpointIds", Type: evaluate.CSV, Description: "Comma-separated VPC endpoint ids (vpce-...) requests may come through."},
			{Name: "vpcIds", Type: evaluate.CSV, Description: "Comma-separated VPC ids (vpc-...) requests may come from."},
		},
		Severity: evaluate.Medium,
		URL:      "https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies-vpc-endpoint.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		endpoints, vpcs := p.List("vpcEndpointIds"), p.List("vpcIds")
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			v, err := s3ViewOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			state, why, err := v.policyStatus()
			switch {
			case err != nil:
				return evaluate.Result{}, err
			case state == policyUnknown:
				return evaluate.InsufficientDataf("Bucket %s: %s.", v.Name, why), nil
			case state == policyAbsent:
				return evaluate.NonCompliantf("Bucket %s has no bucket policy, so requests may come from anywhere.", v.Name), nil
			}
			r, err := v.doc.RestrictedToVPC(v.bucketARN(), endpoints, vpcs)
			if err != nil {
				return evaluate.Result{}, err
			}
			if r.Restricted {
				return evaluate.Compliantf("Bucket %s: %s.", v.Name, v.showName(r.Reason)), nil
			}
			if u := v.anyUnknownStatement(policy.Deny, stmtUnknowns.any); u != "" {
				return evaluate.InsufficientDataf("Bucket %s: %s is not known before deployment; %s.", v.Name, u, v.showName(r.Reason)), nil
			}
			return evaluate.NonCompliantf("Bucket %s is not restricted to VPC endpoints or VPCs: %s.", v.Name, v.showName(r.Reason)), nil
		}), nil
	})
}
