package rules

import (
	"context"
	"fmt"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
)

// IAMRootAccessKeyCheck checks that the root user has no access key,
// active or not. It reads AccountAccessKeysPresent of the account summary,
// or, without a summary, the root row of the credential report (a key
// slot with a rotation date holds a key).
func IAMRootAccessKeyCheck() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "iam-root-access-key-check",
		Summary:       "The root user has no access keys.",
		Rationale:     "A root access key can do anything in the account and cannot be limited by any policy.",
		ResourceTypes: []string{evaluate.AccountResourceType},
		Trigger:       []evaluate.Trigger{evaluate.Periodic},
		Severity:      evaluate.Critical,
		ManagedRule:   "IAM_ROOT_ACCESS_KEY_CHECK",
		Controls:      []string{"SecurityHub:IAM.4", "CIS-AWS-1.4:1.4"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/iam-root-access-key-check.html",
		Facts:         []string{facts.AccountSummaryFile, facts.CredentialReportFile},
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		summaries := newParsedFacts(facts.ParseAccountSummary)
		return evaluate.EvaluatorFunc(func(ctx context.Context, in *evaluate.Input) (evaluate.Result, error) {
			account := in.Item.AccountID
			sum, err := readFact(ctx, in, summaries, "", facts.AccountSummaryFile, "account summary")
			if err == nil {
				n, ok := sum.Value("AccountAccessKeysPresent")
				switch {
				case !ok:
					return evaluate.Result{}, fmt.Errorf("%s: no AccountAccessKeysPresent in SummaryMap", facts.AccountSummaryFile)
				case n > 0:
					return evaluate.NonCompliantf("The root user of account %s has an access key.", account), nil
				}
				return evaluate.Compliantf("The root user of account %s has no access key.", account), nil
			}
			root, err := rootFromReport(ctx, in, err)
			if err != nil {
				return insufficient(err)
			}
			for i, k := range root.AccessKeys {
				if k.Exists() {
					state := "inactive"
					if k.Active.True() {
						state = "active"
					}
					return evaluate.NonCompliantf("The root user of account %s has an access key (%s, slot %d).", account, state, i+1), nil
				}
			}
			return evaluate.Compliantf("The root user of account %s has no access key.", account), nil
		}), nil
	})
}
