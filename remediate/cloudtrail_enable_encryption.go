package remediate

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

func cloudtrailEnableEncryption() *Remediation {
	return &Remediation{
		ID:            "cloudtrail-enable-encryption",
		Summary:       "Encrypts a trail's log files with a given KMS key (SSE-KMS); a trail already encrypted with another key is left as is.",
		ResourceTypes: []string{trailType},
		Fixes:         []string{"cloud-trail-encryption-enabled"},
		Parameters: []Parameter{
			{Name: "kmsKeyId", Type: StringParameter, Required: true, validate: checkKMSKeyRef,
				Description: "The KMS key (id, ARN, alias) whose key policy lets CloudTrail encrypt logs."},
		},
		APIs: []string{"cloudtrail:GetTrail", "cloudtrail:UpdateTrail", "kms:DescribeKey"},
		run:  runCloudTrailEnableEncryption,
	}
}

func runCloudTrailEnableEncryption(r *run) error {
	t, arn, err := r.trail()
	if err != nil {
		return err
	}
	want := r.values.str("kmsKeyId")
	if cur := aws.ToString(t.KmsKeyId); cur != "" {
		same, err := r.sameKey(cur, want)
		if err != nil {
			return err
		}
		if same {
			r.skip("cloudtrail:UpdateTrail", arn, "log files are already encrypted with "+cur)
		} else {
			// Another key means other readers; not a remediation's call.
			r.skip("cloudtrail:UpdateTrail", arn, fmt.Sprintf("log files are already encrypted with %s; not replaced by %s", cur, want))
		}
		return nil
	}
	return r.write("cloudtrail:UpdateTrail", arn, "log files are not encrypted with KMS; encrypt them with "+want, func(ctx context.Context) error {
		_, err := r.clients.CloudTrail.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: &arn, KmsKeyId: aws.String(want)})
		return err
	})
}
