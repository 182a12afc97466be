package rules

import (
	"context"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// IAMUserNoPoliciesCheck checks that no policy, inline or managed, is
// attached to an IAM user directly: users should get permissions from
// groups or roles. An item that records neither list is INSUFFICIENT_DATA.
func IAMUserNoPoliciesCheck() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "iam-user-no-policies-check",
		Summary:       "IAM users have no policies attached directly.",
		Rationale:     "Permissions granted through groups and roles are reviewed in one place; policies on single users drift unseen.",
		ResourceTypes: []string{resource.IAMUserType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Severity:      evaluate.Low,
		ManagedRule:   "IAM_USER_NO_POLICIES_CHECK",
		Controls:      []string{"SecurityHub:IAM.2", "CIS-AWS-1.4:1.15"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/iam-user-no-policies-check.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			u, err := resource.IAMUserOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			pol := u.Policies
			var names []string
			for _, p := range pol.Inline {
				names = append(names, p.Name+" (inline)")
			}
			for _, p := range pol.Managed {
				names = append(names, p.Name)
			}
			switch {
			case len(names) > 0:
				return evaluate.NonCompliantf("User %s has policies attached directly: %s.", u.Name, strings.Join(names, ", ")), nil
			case !pol.InlineRecorded || !pol.ManagedRecorded:
				return evaluate.InsufficientDataf("The item of user %s records no userPolicyList or attachedManagedPolicies.", u.Name), nil
			}
			return evaluate.Compliantf("User %s has no policies attached directly.", u.Name), nil
		}), nil
	})
}
