package rules

import (
	"context"
	"fmt"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/policy"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// excludeBoundaryParam is the parameter both customer-managed policy rules
// take.
var excludeBoundaryParam = evaluate.Parameter{
	Name: "excludePermissionBoundaryPolicy", Type: evaluate.Bool, Default: "false",
	Description: "When true, policies used as permissions boundaries are not evaluated.",
}

// managedPolicyEvaluator judges the default version of a customer managed
// policy with find, which returns the offending statements. AWS managed
// policies are NOT_APPLICABLE (the managed rules evaluate only customer
// managed ones), as are permissions boundaries when excludeBoundaries.
func managedPolicyEvaluator(excludeBoundaries bool, what string, find func(*policy.Document) []policy.Finding) evaluate.Evaluator {
	return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
		p, err := resource.IAMPolicyOf(in)
		if err != nil {
			return evaluate.Result{}, err
		}
		if p.AWSManaged() {
			return evaluate.NotApplicablef("Policy %s is an AWS managed policy.", p.Name), nil
		}
		if excludeBoundaries {
			switch n := p.PermissionsBoundaryUsageCount; {
			case n > 0:
				return evaluate.NotApplicablef("Policy %s is a permissions boundary (of %d identities).", p.Name, n), nil
			case n < 0:
				return evaluate.InsufficientDataf("The item of policy %s does not record permissionsBoundaryUsageCount.", p.Name), nil
			}
		}
		v := p.DefaultVersion()
		if v == nil {
			return evaluate.InsufficientDataf("The item of policy %s records no default version.", p.Name), nil
		}
		doc, err := policy.Parse([]byte(v.Document))
		if err != nil {
			return evaluate.Result{}, fmt.Errorf("policy %s version %s: %w", p.Name, v.VersionID, err)
		}
		findings := find(doc)
		if len(findings) == 0 {
			return evaluate.Compliantf("Policy %s grants no %s.", p.Name, what), nil
		}
		parts := make([]string, len(findings))
		for i, f := range findings {
			parts[i] = f.String()
		}
		return evaluate.NonCompliantf("Policy %s (%s): %s.", p.Name, v.VersionID, strings.Join(parts, "; ")), nil
	})
}
