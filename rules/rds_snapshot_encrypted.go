package rules

import (
	"context"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// RDSSnapshotEncrypted checks that DB snapshots (encrypted) and DB cluster
// snapshots (storageEncrypted) are encrypted.
func RDSSnapshotEncrypted() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "rds-snapshot-encrypted",
		Summary:       "RDS DB snapshots and DB cluster snapshots are encrypted.",
		Rationale:     "A snapshot is a full copy of the database; unencrypted, it exposes the data to anyone who can read or share it.",
		ResourceTypes: []string{resource.RDSDBSnapshotType, resource.RDSDBClusterSnapshotType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters:    []evaluate.Parameter{},
		Severity:      evaluate.Medium,
		ManagedRule:   "RDS_SNAPSHOT_ENCRYPTED",
		Controls:      []string{"SecurityHub:RDS.4"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/rds-snapshot-encrypted.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			s, err := resource.RDSSnapshotOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			switch {
			case !s.Encrypted.Set:
				return evaluate.InsufficientDataf("Config recorded no encryption status for %s %s.", s.Kind(), s.Identifier), nil
			case !s.Encrypted.Value:
				return evaluate.NonCompliantf("%s %s is not encrypted.", s.Kind(), s.Identifier), nil
			case s.KMSKeyID != "":
				return evaluate.Compliantf("%s %s is encrypted with key %s.", s.Kind(), s.Identifier, s.KMSKeyID), nil
			}
			return evaluate.Compliantf("%s %s is encrypted.", s.Kind(), s.Identifier), nil
		}), nil
	})
}
