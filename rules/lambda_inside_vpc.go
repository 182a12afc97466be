package rules

import (
	"context"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// LambdaInsideVPC checks that functions are connected to a VPC (their
// vpcConfig has subnets) and, with subnetIds, that every subnet they use is
// one of those listed.
func LambdaInsideVPC() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "lambda-inside-vpc",
		Summary:       "Lambda functions run in a VPC (in the subnets given, when listed).",
		Rationale:     "A function in a VPC reaches private resources without crossing the internet and its traffic is subject to security groups, NACLs and flow logs.",
		ResourceTypes: []string{resource.LambdaFunctionType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters: []evaluate.Parameter{{
			Name: "subnetIds", Type: evaluate.CSV,
			Description: "Comma-separated subnet ids functions may be associated with; when empty any subnet will do.",
		}},
		Severity:    evaluate.Low,
		ManagedRule: "LAMBDA_INSIDE_VPC",
		Controls:    []string{"SecurityHub:Lambda.3"},
		URL:         "https://docs.aws.amazon.com/config/latest/developerguide/lambda-inside-vpc.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		allowed := map[string]bool{}
		for _, id := range p.List("subnetIds") {
			allowed[id] = true
		}
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			f, err := resource.LambdaFunctionOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if unknownBeforeDeployment(in.Item, "configuration.vpcConfig.subnetIds") {
				return evaluate.InsufficientDataf("The subnets of function %s are not known before deployment.", f.Name), nil
			}
			if len(f.SubnetIDs) == 0 {
				return evaluate.NonCompliantf("Function %s is not connected to a VPC.", f.Name), nil
			}
			if len(allowed) > 0 {
				var outside []string
				for _, id := range f.SubnetIDs {
					if !allowed[id] {
						outside = append(outside, id)
					}
				}
				if len(outside) > 0 {
					return evaluate.NonCompliantf("Function %s uses subnets not in subnetIds: %s.", f.Name, strings.Join(outside, ", ")), nil
				}
			}
			return evaluate.Compliantf("Function %s runs in VPC subnets %s.", f.Name, strings.Join(f.SubnetIDs, ", ")), nil
		}), nil
	})
}
