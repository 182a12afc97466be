package rules

import (
	"context"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// MFAEnabledForIAMConsoleAccess checks that IAM users with a console
// password have an MFA device, reading the credential report. A user
// without a password cannot sign in to the console: NOT_APPLICABLE (the
// managed page leaves that case open; it is not a finding either way).
func MFAEnabledForIAMConsoleAccess() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "mfa-enabled-for-iam-console-access",
		Summary:       "IAM users with a console password have MFA enabled.",
		Rationale:     "A password alone is phished or guessed; MFA stops a stolen password from opening the console.",
		ResourceTypes: []string{resource.IAMUserType},
		Trigger:       []evaluate.Trigger{evaluate.Periodic},
		Severity:      evaluate.Medium,
		ManagedRule:   "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS",
		Controls:      []string{"SecurityHub:IAM.5", "CIS-AWS-1.4:1.10"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/mfa-enabled-for-iam-console-access.html",
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
			switch {
			case !row.PasswordEnabled.True():
				return evaluate.NotApplicablef("User %s has no console password.", u.Name), nil
			case !row.MFAActive.True():
				return evaluate.NonCompliantf("User %s has a console password and no MFA device.", u.Name), nil
			}
			return evaluate.Compliantf("User %s has a console password and MFA.", u.Name), nil
		}), nil
	})
}
