package remediate

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

func kmsEnableKeyRotation() *Remediation {
	return &Remediation{
		ID:            "kms-enable-key-rotation",
		Summary:       "Turns automatic rotation on for a customer managed symmetric KMS key (the primary key of a multi-Region key).",
		ResourceTypes: []string{keyType},
		Fixes:         []string{"cmk-backing-key-rotation-enabled"},
		APIs:          []string{"kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:EnableKeyRotation"},
		run:           runKMSEnableKeyRotation,
	}
}

func runKMSEnableKeyRotation(r *run) error {
	k, err := r.describeKey(r.id)
	if err != nil {
		return err
	}
	arn := aws.ToString(k.Arn)
	if k.KeyManager == kmstypes.KeyManagerTypeAws {
		r.skip("kms:EnableKeyRotation", arn, "an AWS managed key; AWS rotates it")
		return nil
	}
	// Rotation exists only for enabled symmetric keys with KMS-made key
	// material, set on the primary of a multi-Region key.
	switch {
	case k.KeySpec != kmstypes.KeySpecSymmetricDefault:
		return fmt.Errorf("kms key %s: automatic rotation does not exist for key spec %s", arn, k.KeySpec)
	case k.Origin != kmstypes.OriginTypeAwsKms:
		return fmt.Errorf("kms key %s: automatic rotation does not exist for key material of origin %s", arn, k.Origin)
	case k.KeyState != kmstypes.KeyStateEnabled:
		return fmt.Errorf("kms key %s: the key is %s; rotation can be turned on only for an enabled key", arn, k.KeyState)
	case k.MultiRegionConfiguration != nil && k.MultiRegionConfiguration.MultiRegionKeyType == kmstypes.MultiRegionKeyTypeReplica:
		primary := "its primary key"
		if p := k.MultiRegionConfiguration.PrimaryKey; p != nil {
			primary = fmt.Sprintf("the primary key %s in %s", aws.ToString(p.Arn), aws.ToString(p.Region))
		}
		return fmt.Errorf("kms key %s: a multi-Region replica key; turn rotation on for %s", arn, primary)
	}
	status, err := r.clients.KMS.GetKeyRotationStatus(r.ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(r.id)})
	if err != nil {
		return apiError("kms:GetKeyRotationStatus", arn, err)
	}
	if status.KeyRotationEnabled {
		r.skip("kms:EnableKeyRotation", arn, "automatic key rotation is already on")
		return nil
	}
	return r.write("kms:EnableKeyRotation", arn, "automatic key rotation is off; turn it on", func(ctx context.Context) error {
		_, err := r.clients.KMS.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(r.id)})
		return err
	})
}
