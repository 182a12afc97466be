package rules

import (
	"context"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// CloudTrailLogFileValidationEnabled checks that a trail writes signed
// digest files, so that tampering with its logs can be detected. An item
// that does not record logFileValidationEnabled is INSUFFICIENT_DATA.
func CloudTrailLogFileValidationEnabled() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "cloud-trail-log-file-validation-enabled",
		Summary:       "CloudTrail trails have log file validation enabled.",
		Rationale:     "Signed digests prove that log files were not changed or deleted after delivery.",
		ResourceTypes: []string{resource.CloudTrailTrailType},
		Trigger:       []evaluate.Trigger{evaluate.Periodic},
		Severity:      evaluate.Medium,
		ManagedRule:   "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
		Controls:      []string{"SecurityHub:CloudTrail.4", "CIS-AWS-1.4:3.2"},
		Remediations:  []string{"cloudtrail-enable-log-file-validation"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/cloud-trail-log-file-validation-enabled.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			t, err := resource.CloudTrailTrailOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			switch v := t.LogFileValidationEnabled; {
			case !v.Set:
				return evaluate.InsufficientDataf("The item of trail %s does not record logFileValidationEnabled.", t.Name), nil
			case !v.Value:
				return evaluate.NonCompliantf("Trail %s has log file validation disabled.", t.Name), nil
			}
			return evaluate.Compliantf("Trail %s has log file validation enabled.", t.Name), nil
		}), nil
	})
}
