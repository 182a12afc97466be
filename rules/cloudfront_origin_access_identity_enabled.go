package rules

import (
	"context"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// CloudFrontOriginAccessIdentityEnabled checks that a distribution backed
// by S3 reads its buckets only as CloudFront: every S3 origin has an origin
// access identity (OAI) or, its successor, an origin access control (OAC).
//
// The managed rule's page says the rule is NON_COMPLIANT "if the CloudFront
// distribution is backed by S3 and any origin type is not OAI configured,
// or the origin is not an S3 bucket", and that it does not return
// NOT_APPLICABLE for origins that are not buckets. We read it so: a
// distribution with no S3 origin is COMPLIANT (there is no bucket to
// protect); in a distribution with S3 origins, each S3 origin needs an OAI
// or OAC, and any other origin makes it NON_COMPLIANT. An S3 bucket reached
// through its REST endpoint as a custom origin counts as an S3 origin
// without OAI (the bucket must be public for it to work).
func CloudFrontOriginAccessIdentityEnabled() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "cloudfront-origin-access-identity-enabled",
		Summary:       "CloudFront distributions backed by S3 use an origin access identity or origin access control for every origin.",
		Rationale:     "With OAI or OAC the bucket can deny everyone but CloudFront, so viewers cannot bypass CloudFront's HTTPS, WAF, signed URLs and logging.",
		ResourceTypes: []string{resource.CloudFrontDistributionType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters:    []evaluate.Parameter{},
		Severity:      evaluate.Medium,
		ManagedRule:   "CLOUDFRONT_ORIGIN_ACCESS_IDENTITY_ENABLED",
		Controls:      []string{"SecurityHub:CloudFront.2"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/cloudfront-origin-access-identity-enabled.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			d, err := resource.CloudFrontDistributionOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if unknownBeforeDeployment(in.Item, "configuration.distributionConfig.origins") {
				return evaluate.InsufficientDataf("The origins of distribution %s are not known before deployment.", d.ID), nil
			}
			if len(d.Origins) == 0 {
				return evaluate.InsufficientDataf("Config recorded no origins for distribution %s.", d.ID), nil
			}
			var open, other []string
			buckets := 0
			for _, o := range d.Origins {
				switch {
				case !o.S3Bucket():
					other = append(other, o.ID)
				case !o.S3 || !o.Restricted():
					buckets++
					open = append(open, o.ID)
				default:
					buckets++
				}
			}
			switch {
			case buckets == 0:
				return evaluate.Compliantf("Distribution %s has no S3 origin.", d.ID), nil
			case len(open) > 0:
				return evaluate.NonCompliantf("Distribution %s reads S3 origin %s without an origin access identity or origin access control.", d.ID, strings.Join(open, ", ")), nil
			case len(other) > 0:
				return evaluate.NonCompliantf("Distribution %s is backed by S3 and also has origin %s, which is not an S3 bucket with OAI or OAC.", d.ID, strings.Join(other, ", ")), nil
			}
			return evaluate.Compliantf("Every S3 origin of distribution %s uses an origin access identity or origin access control.", d.ID), nil
		}), nil
	})
}
