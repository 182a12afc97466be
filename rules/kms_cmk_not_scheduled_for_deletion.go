package rules

import (
	"context"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// KMSCMKNotScheduledForDeletion checks that KMS keys are not pending
// deletion. With kmsKeyIds only the keys listed (by key id or key ARN) are
// evaluated; the others are not applicable.
func KMSCMKNotScheduledForDeletion() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "kms-cmk-not-scheduled-for-deletion",
		Summary:       "KMS keys are not scheduled for deletion.",
		Rationale:     "Data encrypted under a deleted key is lost for good, so a scheduled deletion must be caught while it can still be cancelled.",
		ResourceTypes: []string{resource.KMSKeyType},
		Trigger:       []evaluate.Trigger{evaluate.Periodic},
		Parameters: []evaluate.Parameter{{
			Name: "kmsKeyIds", Type: evaluate.CSV,
			Description: "Comma-separated key ids (or key ARNs) to check; when empty every key is checked.",
		}},
		Severity:    evaluate.Critical,
		ManagedRule: "KMS_CMK_NOT_SCHEDULED_FOR_DELETION",
		Controls:    []string{"SecurityHub:KMS.3"},
		URL:         "https://docs.aws.amazon.com/config/latest/developerguide/kms-cmk-not-scheduled-for-deletion.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		only := map[string]bool{}
		for _, id := range p.List("kmsKeyIds") {
			only[keyIDOf(id)] = true
		}
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			k, err := resource.KMSKeyOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if len(only) > 0 && !only[keyIDOf(k.ID)] && !only[keyIDOf(k.ARN)] {
				return evaluate.NotApplicablef("Key %s is not among the keys kmsKeyIds lists.", k.ID), nil
			}
			if !k.PendingDeletion() {
				return evaluate.Compliantf("Key %s is not scheduled for deletion.", k.ID), nil
			}
			if !k.DeletionDate.IsZero() {
				return evaluate.NonCompliantf("Key %s is scheduled for deletion on %s.", k.ID, k.DeletionDate.Format("2006-01-02")), nil
			}
			return evaluate.NonCompliantf("Key %s is scheduled for deletion (key state %s).", k.ID, k.KeyState), nil
		}), nil
	})
}

// keyIDOf returns the key id of a key ARN
// (arn:aws:kms:region:account:key/ID), or its argument.
func keyIDOf(s string) string {
	if strings.HasPrefix(s, "arn:") {
		if i := strings.LastIndex(s, ":key/"); i >= 0 {
			return s[i+len(":key/"):]
		}
	}
	return s
}
