package rules

import (
	"context"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// RDSSnapshotsPublicProhibited checks that DB snapshots and DB cluster
// snapshots are not public: their restore attribute
// (supplementaryConfiguration.DBSnapshotAttributes or
// DBClusterSnapshotAttributes) does not list "all". Sharing with named
// accounts is not public.
func RDSSnapshotsPublicProhibited() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "rds-snapshots-public-prohibited",
		Summary:       "RDS DB snapshots and DB cluster snapshots are not public.",
		Rationale:     "Any AWS account can restore a public snapshot and read the whole database it holds.",
		ResourceTypes: []string{resource.RDSDBSnapshotType, resource.RDSDBClusterSnapshotType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters:    []evaluate.Parameter{},
		Severity:      evaluate.Critical,
		ManagedRule:   "RDS_SNAPSHOTS_PUBLIC_PROHIBITED",
		Controls:      []string{"SecurityHub:RDS.1"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/rds-snapshots-public-prohibited.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			s, err := resource.RDSSnapshotOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			switch {
			case !s.AttributesRecorded:
				return evaluate.InsufficientDataf("Config recorded no snapshot attributes for %s %s.", s.Kind(), s.Identifier), nil
			case s.Public():
				return evaluate.NonCompliantf("%s %s is public: any AWS account may restore it.", s.Kind(), s.Identifier), nil
			case len(s.Restore) > 0:
				return evaluate.Compliantf("%s %s is shared with %d account(s), not with everyone.", s.Kind(), s.Identifier, len(s.Restore)), nil
			}
			return evaluate.Compliantf("%s %s is not shared.", s.Kind(), s.Identifier), nil
		}), nil
	})
}
