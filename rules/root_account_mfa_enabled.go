package rules

import (
	"context"
	"fmt"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
)

// RootAccountMFAEnabled checks that the root user has MFA. It reads
// AccountMFAEnabled of the account summary, or, without a summary, the
// root row of the credential report. An account whose root user has no
// credentials at all (no password, access key or signing certificate, as
// with centrally managed root access) is NOT_APPLICABLE, as in the managed
// rule; a summary that does not say (no AccountPasswordPresent, older
// answers) is judged on MFA alone.
func RootAccountMFAEnabled() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "root-account-mfa-enabled",
		Summary:       "The root user has MFA enabled.",
		Rationale:     "The root user can do anything and cannot be restricted; its password alone must not be enough.",
		ResourceTypes: []string{evaluate.AccountResourceType},
		Trigger:       []evaluate.Trigger{evaluate.Periodic},
		Severity:      evaluate.Critical,
		ManagedRule:   "ROOT_ACCOUNT_MFA_ENABLED",
		Controls:      []string{"SecurityHub:IAM.9", "CIS-AWS-1.4:1.5"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/root-account-mfa-enabled.html",
		Facts:         []string{facts.AccountSummaryFile, facts.CredentialReportFile},
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		summaries := newParsedFacts(facts.ParseAccountSummary)
		return evaluate.EvaluatorFunc(func(ctx context.Context, in *evaluate.Input) (evaluate.Result, error) {
			account := in.Item.AccountID
			sum, err := readFact(ctx, in, summaries, "", facts.AccountSummaryFile, "account summary")
			if err == nil {
				mfa, ok := sum.Value("AccountMFAEnabled")
				if !ok {
					return evaluate.Result{}, fmt.Errorf("%s: no AccountMFAEnabled in SummaryMap", facts.AccountSummaryFile)
				}
				if mfa > 0 {
					return evaluate.Compliantf("The root user of account %s has MFA enabled.", account), nil
				}
				if noRootCredentials(sum) {
					return evaluate.NotApplicablef("The root user of account %s has no credentials.", account), nil
				}
				return evaluate.NonCompliantf("The root user of account %s has no MFA.", account), nil
			}
			root, err := rootFromReport(ctx, in, err)
			if err != nil {
				return insufficient(err)
			}
			if !root.MFAActive.True() {
				return evaluate.NonCompliantf("The root user of account %s has no MFA.", account), nil
			}
			return evaluate.Compliantf("The root user of account %s has MFA enabled.", account), nil
		}), nil
	})
}

// noRootCredentials reports whether the summary says the root user has no
// password, access key or signing certificate.
func noRootCredentials(sum facts.AccountSummary) bool {
	for _, key := range []string{"AccountPasswordPresent", "AccountAccessKeysPresent", "AccountSigningCertificatesPresent"} {
		if n, ok := sum.Value(key); !ok || n > 0 {
			return false
		}
	}
	return true
}
