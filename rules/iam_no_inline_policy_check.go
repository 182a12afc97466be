package rules

import (
	"context"
	"fmt"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// IAMNoInlinePolicyCheck checks that IAM users, roles and groups have no
// inline policies: permissions belong in managed policies, which are
// versioned and reusable. An item that does not record its inline policy
// list is INSUFFICIENT_DATA.
func IAMNoInlinePolicyCheck() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "iam-no-inline-policy-check",
		Summary:       "IAM users, roles and groups have no inline policies.",
		Rationale:     "Inline policies are unversioned and scattered; managed policies can be reviewed, reused and rolled back.",
		ResourceTypes: []string{resource.IAMUserType, resource.IAMRoleType, resource.IAMGroupType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Severity:      evaluate.Low,
		ManagedRule:   "IAM_NO_INLINE_POLICY_CHECK",
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/iam-no-inline-policy-check.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			kind, name, pol, err := identityPolicies(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if !pol.InlineRecorded {
				return evaluate.InsufficientDataf("The item of %s %s does not record its inline policies.", kind, name), nil
			}
			if len(pol.Inline) == 0 {
				return evaluate.Compliantf("The %s %s has no inline policies.", kind, name), nil
			}
			names := make([]string, len(pol.Inline))
			for i, p := range pol.Inline {
				names[i] = p.Name
			}
			return evaluate.NonCompliantf("The %s %s has inline policies: %s.", kind, name, strings.Join(names, ", ")), nil
		}), nil
	})
}

// identityPolicies returns the kind, name and policies of an IAM user, role
// or group item.
func identityPolicies(in *evaluate.Input) (kind, name string, pol resource.IAMPolicies, err error) {
	switch in.Item.ResourceType {
	case resource.IAMUserType:
		u, err := resource.IAMUserOf(in)
		if err != nil {
			return "", "", pol, err
		}
		return "user", u.Name, u.Policies, nil
	case resource.IAMRoleType:
		r, err := resource.IAMRoleOf(in)
		if err != nil {
			return "", "", pol, err
		}
		return "role", r.Name, r.Policies, nil
	case resource.IAMGroupType:
		g, err := resource.IAMGroupOf(in)
		if err != nil {
			return "", "", pol, err
		}
		return "group", g.Name, g.Policies, nil
	}
	return "", "", pol, fmt.Errorf("resource type %s is not an IAM identity", in.Item.ResourceType)
}
