package remediate

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func s3EnableVersioning() *Remediation {
	return &Remediation{
		ID:            "s3-enable-versioning",
		Summary:       "Turns bucket versioning on (MFA delete is left as it is).",
		ResourceTypes: []string{bucketType},
		Fixes:         []string{"s3-bucket-versioning-enabled"},
		APIs:          []string{"s3:GetBucketVersioning", "s3:PutBucketVersioning"},
		run:           runS3EnableVersioning,
	}
}

func runS3EnableVersioning(r *run) error {
	bucket, arn := r.id, r.bucketARN(r.id)
	out, err := r.clients.S3.GetBucketVersioning(r.ctx, &s3.GetBucketVersioningInput{Bucket: &bucket})
	if err != nil {
		return apiError("s3:GetBucketVersioning", arn, err)
	}
	if out.Status == s3types.BucketVersioningStatusEnabled {
		r.skip("s3:PutBucketVersioning", arn, "versioning is already enabled")
		return nil
	}
	state := "never enabled"
	if out.Status == s3types.BucketVersioningStatusSuspended {
		state = "suspended"
	}
	return r.write("s3:PutBucketVersioning", arn, "versioning is "+state+"; enable it", func(ctx context.Context) error {
		_, err := r.clients.S3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
			Bucket:                  &bucket,
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled},
		})
		return err
	})
}
