package rules

import (
	"context"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// RDSInstancePublicAccessCheck checks that DB instances are not publicly
// accessible (publiclyAccessible is false).
func RDSInstancePublicAccessCheck() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "rds-instance-public-access-check",
		Summary:       "RDS DB instances are not publicly accessible.",
		Rationale:     "A publicly accessible instance gets a public DNS address, so one open security group rule exposes the database to the internet.",
		ResourceTypes: []string{resource.RDSDBInstanceType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters:    []evaluate.Parameter{},
		Severity:      evaluate.Critical,
		ManagedRule:   "RDS_INSTANCE_PUBLIC_ACCESS_CHECK",
		Controls:      []string{"SecurityHub:RDS.2"},
		Remediations:  []string{"rds-disable-public-access"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/rds-instance-public-access-check.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			d, err := resource.RDSDBInstanceOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			switch {
			case unknownBeforeDeployment(in.Item, "configuration.publiclyAccessible"):
				return evaluate.InsufficientDataf("Whether DB instance %s is publicly accessible is not known before deployment.", d.Identifier), nil
			case !d.PubliclyAccessible.Set:
				return evaluate.InsufficientDataf("Config recorded no publiclyAccessible for DB instance %s.", d.Identifier), nil
			case d.PubliclyAccessible.Value:
				return evaluate.NonCompliantf("DB instance %s is publicly accessible.", d.Identifier), nil
			}
			return evaluate.Compliantf("DB instance %s is not publicly accessible.", d.Identifier), nil
		}), nil
	})
}
