package rules

import (
	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/policy"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// IAMPolicyNoStatementsWithFullAccess checks that the default version of a
// customer managed policy allows no service in full: no Allow statement
// with an action "service:*" (or "*"), whatever its resources. A wildcard
// after a prefix ("ec2:Describe*") is fine, as on the managed rule's page.
func IAMPolicyNoStatementsWithFullAccess() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "iam-policy-no-statements-with-full-access",
		Summary:       "Customer managed IAM policies do not allow every action of a service.",
		Rationale:     "\"service:*\" grants actions nobody meant to give, including the ones a service adds later.",
		ResourceTypes: []string{resource.IAMPolicyType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters:    []evaluate.Parameter{excludeBoundaryParam},
		Severity:      evaluate.Low,
		ManagedRule:   "IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS",
		Controls:      []string{"SecurityHub:IAM.21"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/iam-policy-no-statements-with-full-access.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		return managedPolicyEvaluator(p.Bool("excludePermissionBoundaryPolicy"), "full access to a service", (*policy.Document).FullAccess), nil
	})
}
