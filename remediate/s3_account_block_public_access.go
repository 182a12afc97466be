package remediate

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3controltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
)

func s3AccountBlockPublicAccess() *Remediation {
	return &Remediation{
		ID:            "s3-account-block-public-access",
		Summary:       "Turns on all four S3 Block Public Access settings of the account; never turns one off.",
		ResourceTypes: []string{accountType},
		Fixes:         []string{"s3-account-level-public-access-blocks-periodic"},
		APIs:          []string{"s3control:GetPublicAccessBlock", "s3control:PutPublicAccessBlock"},
		run:           runS3AccountBlockPublicAccess,
	}
}

func runS3AccountBlockPublicAccess(r *run) error {
	account, arn := r.id, r.accountARN("s3", "")
	var cur publicAccessFlags
	out, err := r.clients.S3Control.GetPublicAccessBlock(r.ctx, &s3control.GetPublicAccessBlockInput{AccountId: &account})
	switch {
	case errorCode(err) == "NoSuchPublicAccessBlockConfiguration":
	case err != nil:
		return apiError("s3control:GetPublicAccessBlock", arn, err)
	case out.PublicAccessBlockConfiguration != nil:
		c := out.PublicAccessBlockConfiguration
		cur = publicAccessFlags{aws.ToBool(c.BlockPublicAcls), aws.ToBool(c.IgnorePublicAcls), aws.ToBool(c.BlockPublicPolicy), aws.ToBool(c.RestrictPublicBuckets)}
	}
	off := cur.off()
	if off == "" {
		r.skip("s3control:PutPublicAccessBlock", arn, "all four account-level block public access settings are already on")
		return nil
	}
	return r.write("s3control:PutPublicAccessBlock", arn, "turn on "+off, func(ctx context.Context) error {
		_, err := r.clients.S3Control.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{
			AccountId: &account,
			PublicAccessBlockConfiguration: &s3controltypes.PublicAccessBlockConfiguration{
				BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
				BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true),
			},
		})
		return err
	})
}
