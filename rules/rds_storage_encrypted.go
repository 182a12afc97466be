package rules

import (
	"context"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// RDSStorageEncrypted checks that DB instances encrypt their storage, and
// with kmsKeyId that they do so with that key. kmsKeyId matches the
// instance's key by key ARN or key id; an alias cannot be matched without
// asking KMS, so give the key's id or ARN.
func RDSStorageEncrypted() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "rds-storage-encrypted",
		Summary:       "RDS DB instances encrypt their storage (with the given KMS key, when one is named).",
		Rationale:     "Encryption at rest protects the database, its backups, snapshots and replicas if the storage is read outside the database.",
		ResourceTypes: []string{resource.RDSDBInstanceType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters: []evaluate.Parameter{{
			Name: "kmsKeyId", Type: evaluate.String,
			Description: "KMS key id or ARN the storage must be encrypted with; when empty any key will do.",
		}},
		Severity:    evaluate.Medium,
		ManagedRule: "RDS_STORAGE_ENCRYPTED",
		Controls:    []string{"SecurityHub:RDS.3", "CIS-AWS-1.4:2.3.1"},
		URL:         "https://docs.aws.amazon.com/config/latest/developerguide/rds-storage-encrypted.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		wantKey := p.String("kmsKeyId")
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			d, err := resource.RDSDBInstanceOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			switch {
			case unknownBeforeDeployment(in.Item, "configuration.storageEncrypted"):
				return evaluate.InsufficientDataf("Whether DB instance %s encrypts its storage is not known before deployment.", d.Identifier), nil
			case !d.StorageEncrypted.Set:
				return evaluate.InsufficientDataf("Config recorded no storageEncrypted for DB instance %s.", d.Identifier), nil
			case !d.StorageEncrypted.Value:
				return evaluate.NonCompliantf("DB instance %s does not encrypt its storage.", d.Identifier), nil
			case wantKey == "":
				return evaluate.Compliantf("DB instance %s encrypts its storage.", d.Identifier), nil
			case unknownBeforeDeployment(in.Item, "configuration.kmsKeyId"):
				return evaluate.InsufficientDataf("The KMS key of DB instance %s is not known before deployment.", d.Identifier), nil
			case d.KMSKeyID == "":
				return evaluate.InsufficientDataf("Config recorded no kmsKeyId for encrypted DB instance %s.", d.Identifier), nil
			case !sameKMSKey(d.KMSKeyID, wantKey):
				return evaluate.NonCompliantf("DB instance %s encrypts its storage with key %s, not %s.", d.Identifier, d.KMSKeyID, wantKey), nil
			}
			return evaluate.Compliantf("DB instance %s encrypts its storage with key %s.", d.Identifier, d.KMSKeyID), nil
		}), nil
	})
}

// sameKMSKey reports whether two references name the same key: equal, or
// the same key id when one or both are key ARNs.
func sameKMSKey(a, b string) bool {
	return a == b || keyIDOf(a) == keyIDOf(b)
}
