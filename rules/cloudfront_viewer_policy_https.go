package rules

import (
	"context"
	"fmt"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// CloudFrontViewerPolicyHTTPS checks that no cache behavior of a
// distribution, the default one or a path-specific one, lets viewers use
// plain HTTP (viewerProtocolPolicy "allow-all"); "https-only" and
// "redirect-to-https" comply.
func CloudFrontViewerPolicyHTTPS() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "cloudfront-viewer-policy-https",
		Summary:       "CloudFront distributions require HTTPS from viewers (directly or by redirection).",
		Rationale:     "Plain HTTP between viewers and CloudFront lets anyone on the path read and alter requests, cookies and responses.",
		ResourceTypes: []string{resource.CloudFrontDistributionType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters:    []evaluate.Parameter{},
		Severity:      evaluate.Medium,
		ManagedRule:   "CLOUDFRONT_VIEWER_POLICY_HTTPS",
		Controls:      []string{"SecurityHub:CloudFront.3"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/cloudfront-viewer-policy-https.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			d, err := resource.CloudFrontDistributionOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if d.DefaultCacheBehavior == nil {
				return evaluate.Result{}, fmt.Errorf("configuration.distributionConfig.defaultCacheBehavior: not recorded")
			}
			var plain []string
			check := func(b resource.CloudFrontCacheBehavior, name, path string) error {
				switch strings.ToLower(b.ViewerProtocolPolicy) {
				case "allow-all":
					plain = append(plain, name)
				case "https-only", "redirect-to-https":
				case "":
					return fmt.Errorf("%s.viewerProtocolPolicy: not recorded", path)
				default:
					return &unexpectedValueError{Field: path + ".viewerProtocolPolicy", Value: b.ViewerProtocolPolicy}
				}
				return nil
			}
			if unknownBeforeDeployment(in.Item, "configuration.distributionConfig.defaultCacheBehavior.viewerProtocolPolicy") ||
				unknownBeforeDeployment(in.Item, "configuration.distributionConfig.cacheBehaviors") {
				return evaluate.InsufficientDataf("The viewer protocol policies of distribution %s are not known before deployment.", d.ID), nil
			}
			if err := check(*d.DefaultCacheBehavior, "the default cache behavior", "configuration.distributionConfig.defaultCacheBehavior"); err != nil {
				return evaluate.Result{}, err
			}
			for i, b := range d.CacheBehaviors {
				if err := check(b, "path "+b.PathPattern, fmt.Sprintf("configuration.distributionConfig.cacheBehaviors.items[%d]", i)); err != nil {
					return evaluate.Result{}, err
				}
			}
			if len(plain) > 0 {
				return evaluate.NonCompliantf("Distribution %s allows plain HTTP (allow-all) for %s.", d.ID, strings.Join(plain, ", ")), nil
			}
			return evaluate.Compliantf("Distribution %s requires HTTPS in all %d cache behaviors.", d.ID, 1+len(d.CacheBehaviors)), nil
		}), nil
	})
}
