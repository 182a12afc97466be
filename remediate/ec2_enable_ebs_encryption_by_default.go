package remediate

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

func ec2EnableEBSEncryptionByDefault() *Remediation {
	return &Remediation{
		ID:            "ec2-enable-ebs-encryption-by-default",
		Summary:       "Turns EBS encryption by default on in the region, optionally with a customer managed default key (which replaces only an AWS managed one).",
		ResourceTypes: []string{accountType},
		Fixes:         []string{"ec2-ebs-encryption-by-default"},
		Parameters: []Parameter{
			{Name: "kmsKeyId", Type: StringParameter, validate: checkKMSKeyRef,
				Description: "The default KMS key for EBS encryption; empty keeps the current one (aws/ebs unless set)."},
		},
		APIs: []string{"ec2:GetEbsDefaultKmsKeyId", "ec2:ModifyEbsDefaultKmsKeyId", "ec2:GetEbsEncryptionByDefault", "ec2:EnableEbsEncryptionByDefault", "kms:DescribeKey"},
		run:  runEC2EnableEBSEncryptionByDefault,
	}
}

func runEC2EnableEBSEncryptionByDefault(r *run) error {
	arn := r.accountARN("ec2", r.clients.Region)
	// The key first, so that volumes created once encryption is on use it.
	if want := r.values.str("kmsKeyId"); want != "" {
		out, err := r.clients.EC2.GetEbsDefaultKmsKeyId(r.ctx, &ec2.GetEbsDefaultKmsKeyIdInput{})
		if err != nil {
			return apiError("ec2:GetEbsDefaultKmsKeyId", arn, err)
		}
		cur := aws.ToString(out.KmsKeyId)
		replace, detail := true, "no default key is set; set "+want
		if cur != "" {
			same, err := r.sameKey(cur, want)
			if err != nil {
				return err
			}
			managed := false
			if !same {
				if managed, err = r.awsManagedKey(cur); err != nil {
					return err
				}
			}
			switch {
			case same:
				replace, detail = false, "the default key is already "+cur
			case managed:
				detail = fmt.Sprintf("the default key is the AWS managed key %s; set %s", cur, want)
			default:
				replace, detail = false, fmt.Sprintf("the default key is the customer managed key %s; not replaced by %s", cur, want)
			}
		}
		if !replace {
			r.skip("ec2:ModifyEbsDefaultKmsKeyId", arn, detail)
		} else if err := r.write("ec2:ModifyEbsDefaultKmsKeyId", arn, detail, func(ctx context.Context) error {
			_, err := r.clients.EC2.ModifyEbsDefaultKmsKeyId(ctx, &ec2.ModifyEbsDefaultKmsKeyIdInput{KmsKeyId: aws.String(want)})
			return err
		}); err != nil {
			return err
		}
	}
	out, err := r.clients.EC2.GetEbsEncryptionByDefault(r.ctx, &ec2.GetEbsEncryptionByDefaultInput{})
	if err != nil {
		return apiError("ec2:GetEbsEncryptionByDefault", arn, err)
	}
	if aws.ToBool(out.EbsEncryptionByDefault) {
		r.skip("ec2:EnableEbsEncryptionByDefault", arn, "EBS encryption by default is already on")
		return nil
	}
	return r.write("ec2:EnableEbsEncryptionByDefault", arn, "EBS encryption by default is off; turn it on", func(ctx context.Context) error {
		_, err := r.clients.EC2.EnableEbsEncryptionByDefault(ctx, &ec2.EnableEbsEncryptionByDefaultInput{})
		return err
	})
}
