package rules

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// AccessKeysRotated checks that each active access key of an IAM user was
// created (rotated) within maxAccessKeyAge days, reading the credential
// report. A user without active keys is compliant: there is nothing to
// rotate. Inactive keys are not judged, as in the managed rule.
func AccessKeysRotated() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "access-keys-rotated",
		Summary:       "Active IAM access keys are rotated within maxAccessKeyAge days.",
		Rationale:     "A key that lives for years is more likely to have leaked; rotation limits how long a leaked key works.",
		ResourceTypes: []string{resource.IAMUserType},
		Trigger:       []evaluate.Trigger{evaluate.Periodic},
		Parameters: []evaluate.Parameter{{
			Name: "maxAccessKeyAge", Type: evaluate.Int, Default: "90",
			Description: "Maximum number of days without rotation.",
		}},
		Severity:     evaluate.Medium,
		ManagedRule:  "ACCESS_KEYS_ROTATED",
		Controls:     []string{"SecurityHub:IAM.3", "CIS-AWS-1.4:1.14"},
		Remediations: []string{"iam-deactivate-stale-access-keys"},
		URL:          "https://docs.aws.amazon.com/config/latest/developerguide/access-keys-rotated.html",
		Facts:        []string{facts.CredentialReportFile},
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		maxDays, maxAge, err := dayParam(p, "maxAccessKeyAge")
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
			var stale []string
			active := 0
			for i, k := range row.AccessKeys {
				if !k.Active.True() {
					continue
				}
				active++
				if !k.LastRotated.Known() {
					return evaluate.Result{}, fmt.Errorf("%s line %d: access key %d of user %s is active but has no last_rotated time", facts.CredentialReportFile, row.Line, i+1, u.Name)
				}
				if age := in.Now.Sub(k.LastRotated.Value); age > maxAge {
					stale = append(stale, fmt.Sprintf("key %d is %d days old", i+1, days(age)))
				}
			}
			switch {
			case active == 0:
				return evaluate.Compliantf("User %s has no active access keys.", u.Name), nil
			case len(stale) > 0:
				return evaluate.NonCompliantf("User %s: access %s (limit %d).", u.Name, strings.Join(stale, ", "), maxDays), nil
			}
			return evaluate.Compliantf("User %s's active access keys were rotated within %d days.", u.Name, maxDays), nil
		}), nil
	})
}

// days is a whole number of days, rounded down.
func days(d time.Duration) int { return int(d / (24 * time.Hour)) }
