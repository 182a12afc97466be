package rules

import (
	"context"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// S3BucketVersioningEnabled checks that versioning is enabled, and with
// isMfaDeleteEnabled "true" that MFA delete is too. Suspended versioning is
// non-compliant: objects written since keep no versions.
func S3BucketVersioningEnabled() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "s3-bucket-versioning-enabled",
		Summary:       "S3 buckets have versioning enabled (and MFA delete, when asked).",
		Rationale:     "Versioning keeps every version of an object, so overwritten or deleted data, by mistake or by ransomware, can be restored.",
		ResourceTypes: []string{resource.S3BucketType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters: []evaluate.Parameter{{
			Name: "isMfaDeleteEnabled", Type: evaluate.Bool,
			Description: "When true, MFA delete must be enabled as well.",
		}},
		Severity:     evaluate.Medium,
		ManagedRule:  "S3_BUCKET_VERSIONING_ENABLED",
		Controls:     []string{"SecurityHub:S3.14"},
		Remediations: []string{"s3-enable-versioning"},
		URL:          "https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-versioning-enabled.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		wantMFA := p.Bool("isMfaDeleteEnabled")
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			b, err := s3ViewOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if u := in.Item.UnknownAt(s3VersioningPath + ".status"); u != "" {
				return evaluate.InsufficientDataf("The versioning status of bucket %s is not known before deployment (%s).", b.Name, u), nil
			}
			v := b.Versioning
			switch {
			case v == nil || v.Status == "" || v.Status == "Off":
				return evaluate.NonCompliantf("Versioning has never been enabled on bucket %s.", b.Name), nil
			case v.Status == "Suspended":
				return evaluate.NonCompliantf("Versioning is suspended on bucket %s.", b.Name), nil
			case v.Status != "Enabled":
				return evaluate.Result{}, &unexpectedValueError{Field: s3VersioningPath + ".status", Value: v.Status}
			case wantMFA && !v.MFADelete.True():
				if u := in.Item.UnknownAt(s3VersioningPath + ".isMfaDeleteEnabled"); u != "" {
					return evaluate.InsufficientDataf("Versioning is enabled on bucket %s; whether MFA delete is is not known before deployment (%s).", b.Name, u), nil
				}
				return evaluate.NonCompliantf("Versioning is enabled on bucket %s but MFA delete is not.", b.Name), nil
			case wantMFA:
				return evaluate.Compliantf("Versioning and MFA delete are enabled on bucket %s.", b.Name), nil
			}
			return evaluate.Compliantf("Versioning is enabled on bucket %s.", b.Name), nil
		}), nil
	})
}
