package rules

import (
	"context"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// RDSMultiAZSupport checks that DB instances run as Multi-AZ deployments.
// Aurora, DocumentDB and Neptune instances are not applicable, as with the
// managed rule: their storage is replicated across zones by the cluster.
func RDSMultiAZSupport() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "rds-multi-az-support",
		Summary:       "RDS DB instances are Multi-AZ deployments.",
		Rationale:     "A standby in a second Availability Zone takes over when the primary's zone or host fails, without losing committed data.",
		ResourceTypes: []string{resource.RDSDBInstanceType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters:    []evaluate.Parameter{},
		Severity:      evaluate.Medium,
		ManagedRule:   "RDS_MULTI_AZ_SUPPORT",
		Controls:      []string{"SecurityHub:RDS.5"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/rds-multi-az-support.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			d, err := resource.RDSDBInstanceOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			for _, engine := range []string{"aurora", "docdb", "neptune"} {
				if strings.HasPrefix(d.Engine, engine) {
					return evaluate.NotApplicablef("DB instance %s runs %s, whose cluster replicates storage across zones.", d.Identifier, d.Engine), nil
				}
			}
			switch {
			case unknownBeforeDeployment(in.Item, "configuration.multiAZ"):
				return evaluate.InsufficientDataf("Whether DB instance %s is Multi-AZ is not known before deployment.", d.Identifier), nil
			case !d.MultiAZ.Set:
				return evaluate.InsufficientDataf("Config recorded no multiAZ for DB instance %s.", d.Identifier), nil
			case !d.MultiAZ.Value:
				return evaluate.NonCompliantf("DB instance %s is a Single-AZ deployment.", d.Identifier), nil
			}
			return evaluate.Compliantf("DB instance %s is a Multi-AZ deployment.", d.Identifier), nil
		}), nil
	})
}
