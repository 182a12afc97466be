package rules

import (
	"context"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// CMKBackingKeyRotationEnabled checks that automatic key rotation is on for
// customer managed symmetric encryption keys with key material KMS
// generated. Keys whose rotation KMS cannot turn on are not applicable: AWS
// managed keys (AWS rotates them), asymmetric, HMAC and key-agreement keys,
// keys with imported material and keys in custom key stores. Keys pending
// deletion are not applicable too (kms-cmk-not-scheduled-for-deletion
// reports them); disabled keys are evaluated, since rotation is kept while
// a key is disabled and resumes when it is enabled. A key whose rotation
// status Config did not record is INSUFFICIENT_DATA (the managed rule calls
// it non-compliant when the recorder may not call kms:DescribeKey; we do
// not guess which).
func CMKBackingKeyRotationEnabled() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "cmk-backing-key-rotation-enabled",
		Summary:       "Customer managed symmetric KMS keys rotate their key material automatically.",
		Rationale:     "Yearly rotation limits how much data one key version protects and how long a leaked version stays useful.",
		ResourceTypes: []string{resource.KMSKeyType},
		Trigger:       []evaluate.Trigger{evaluate.Periodic},
		Parameters:    []evaluate.Parameter{},
		Severity:      evaluate.Medium,
		ManagedRule:   "CMK_BACKING_KEY_ROTATION_ENABLED",
		Controls:      []string{"SecurityHub:KMS.4", "CIS-AWS-1.4:3.8"},
		Remediations:  []string{"kms-enable-key-rotation"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/cmk-backing-key-rotation-enabled.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			k, err := resource.KMSKeyOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if reason := rotationUnsupported(k); reason != "" {
				return evaluate.NotApplicablef("Key %s %s.", k.ID, reason), nil
			}
			switch {
			case unknownBeforeDeployment(in.Item, "supplementaryConfiguration.KeyRotationStatus"):
				return evaluate.InsufficientDataf("Whether key %s rotates is not known before deployment.", k.ID), nil
			case !k.RotationEnabled.Set:
				return evaluate.InsufficientDataf("Config recorded no rotation status (KeyRotationStatus) for key %s.", k.ID), nil
			case !k.RotationEnabled.Value:
				return evaluate.NonCompliantf("Automatic rotation is off for customer managed key %s.", k.ID), nil
			}
			return evaluate.Compliantf("Automatic rotation is on for customer managed key %s.", k.ID), nil
		}), nil
	})
}

// rotationUnsupported says why KMS cannot rotate the key automatically,
// or "" when it can.
func rotationUnsupported(k *resource.KMSKey) string {
	switch {
	case !k.Customer():
		return "is an AWS managed key, which AWS rotates"
	case k.KeySpec != "SYMMETRIC_DEFAULT":
		return "has key spec " + k.KeySpec + ", which KMS does not rotate automatically"
	case k.KeyUsage != "ENCRYPT_DECRYPT":
		return "has key usage " + k.KeyUsage + ", which KMS does not rotate automatically"
	case k.Origin == "EXTERNAL":
		return "has imported key material, which KMS does not rotate automatically"
	case k.Origin != "AWS_KMS" || k.CustomKeyStoreID != "":
		return "is in a custom key store, where KMS does not rotate keys automatically"
	case k.PendingDeletion():
		return "is pending deletion"
	}
	return ""
}
