package rules

import (
	"context"
	"fmt"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// IAMUserUnusedCredentialsCheck checks that an IAM user's console password
// and active access keys were used within maxCredentialUsageAge days,
// reading the credential report. A credential never used counts from when
// it was set: the password's last change (or the user's creation), the
// key's creation; so a new credential is not stale until the limit has
// passed since it was made.
func IAMUserUnusedCredentialsCheck() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "iam-user-unused-credentials-check",
		Summary:       "IAM users' passwords and active access keys were used within maxCredentialUsageAge days.",
		Rationale:     "Credentials nobody uses only wait to be stolen; removing them shrinks what an attacker can find.",
		ResourceTypes: []string{resource.IAMUserType},
		Trigger:       []evaluate.Trigger{evaluate.Periodic},
		Parameters: []evaluate.Parameter{{
			Name: "maxCredentialUsageAge", Type: evaluate.Int, Default: "90",
			Description: "Maximum number of days a credential may go unused.",
		}},
		Severity:     evaluate.Medium,
		ManagedRule:  "IAM_USER_UNUSED_CREDENTIALS_CHECK",
		Controls:     []string{"SecurityHub:IAM.8"},
		Remediations: []string{"iam-deactivate-stale-access-keys"},
		URL:          "https://docs.aws.amazon.com/config/latest/developerguide/iam-user-unused-credentials-check.html",
		Facts:        []string{facts.CredentialReportFile},
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		maxDays, maxAge, err := dayParam(p, "maxCredentialUsageAge")
		if err != nil {
			return nil, err
		}
		return evaluate.EvaluatorFunc(func(ctx context.Context, in *evaluate.Input) (evaluate.Result, error) {
			u, err := resource.IAMUserOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			row, err := credentialRow(ctx, in, u.Name, u.ARN)
			if err != nil {
				return insufficient(err)
			}
			var unused []string
			held := 0
			if row.PasswordEnabled.True() {
				held++
				since, what := row.PasswordLastUsed, "used"
				if !since.Known() {
					since, what = row.PasswordLastChanged, "set, never used"
				}
				if !since.Known() {
					since = row.UserCreationTime
				}
				if !since.Known() {
					return evaluate.Result{}, fmt.Errorf("%s line %d: user %s has a password but no usable time", facts.CredentialReportFile, row.Line, u.Name)
				}
				if age := in.Now.Sub(since.Value); age > maxAge {
					unused = append(unused, fmt.Sprintf("password last %s %d days ago", what, days(age)))
				}
			}
			for i, k := range row.AccessKeys {
				if !k.Active.True() {
					continue
				}
				held++
				since, what := k.LastUsedDate, "used"
				if !since.Known() {
					since, what = k.LastRotated, "created, never used"
				}
				if !since.Known() {
					return evaluate.Result{}, fmt.Errorf("%s line %d: access key %d of user %s is active but has no usable time", facts.CredentialReportFile, row.Line, i+1, u.Name)
				}
				if age := in.Now.Sub(since.Value); age > maxAge {
					unused = append(unused, fmt.Sprintf("key %d last %s %d days ago", i+1, what, days(age)))
				}
			}
			switch {
			case held == 0:
				return evaluate.Compliantf("User %s has no password and no active access keys.", u.Name), nil
			case len(unused) > 0:
				return evaluate.NonCompliantf("User %s: %s (limit %d).", u.Name, strings.Join(unused, "; "), maxDays), nil
			}
			return evaluate.Compliantf("User %s's credentials were used within %d days.", u.Name, maxDays), nil
		}), nil
	})
}
