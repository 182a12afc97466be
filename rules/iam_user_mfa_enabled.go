package rules

import (
	"context"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// IAMUserMFAEnabled checks that every IAM user has an MFA device, whether
// or not it has a console password, reading the credential report.
func IAMUserMFAEnabled() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "iam-user-mfa-enabled",
		Summary:       "IAM users have MFA enabled.",
		Rationale:     "MFA keeps a stolen password from being enough to act as the user.",
		ResourceTypes: []string{resource.IAMUserType},
		Trigger:       []evaluate.Trigger{evaluate.Periodic},
		Severity:      evaluate.Medium,
		ManagedRule:   "IAM_USER_MFA_ENABLED",
		Controls:      []string{"SecurityHub:IAM.19"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/iam-user-mfa-enabled.html",
		Facts:         []string{facts.CredentialReportFile},
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(ctx context.Context, in *evaluate.Input) (evaluate.Result, error) {
			u, err := resource.IAMUserOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			row, err := credentialRow(ctx, in, u.Name, u.ARN)
			if err != nil {
				return insufficient(err)
			}
			if !row.MFAActive.True() {
				return evaluate.NonCompliantf("User %s has no MFA device.", u.Name), nil
			}
			return evaluate.Compliantf("User %s has MFA enabled.", u.Name), nil
		}), nil
	})
}
