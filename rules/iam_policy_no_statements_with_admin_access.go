package rules

import (
	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/policy"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// IAMPolicyNoStatementsWithAdminAccess checks that the default version of
// a customer managed policy has no Allow statement with Action "*" on
// Resource "*". As on the managed rule's page, only that form counts: an
// Allow with NotAction is not judged here (see
// iam-policy-no-statements-with-full-access for service wildcards).
func IAMPolicyNoStatementsWithAdminAccess() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "iam-policy-no-statements-with-admin-access",
		Summary:       "Customer managed IAM policies do not allow all actions on all resources.",
		Rationale:     "A policy that allows everything makes whoever holds it an administrator; least privilege starts by never writing one.",
		ResourceTypes: []string{resource.IAMPolicyType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters:    []evaluate.Parameter{excludeBoundaryParam},
		Severity:      evaluate.High,
		ManagedRule:   "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
		Controls:      []string{"SecurityHub:IAM.1", "CIS-AWS-1.4:1.16"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/iam-policy-no-statements-with-admin-access.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		return managedPolicyEvaluator(p.Bool("excludePermissionBoundaryPolicy"), "admin access (* on *)", (*policy.Document).AdminAccess), nil
	})
}
