package remediate

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func s3EnableAccessLogging() *Remediation {
	return &Remediation{
		ID:            "s3-enable-access-logging",
		Summary:       "Turns server access logging on, to a target bucket and prefix; an existing logging target is never replaced.",
		ResourceTypes: []string{bucketType},
		Fixes:         []string{"s3-bucket-logging-enabled"},
		Parameters: []Parameter{
			{Name: "targetBucket", Type: StringParameter, Required: true, validate: checkBucketName,
				Description: "The bucket that receives the access logs (it must allow the S3 logging service to write)."},
			{Name: "targetPrefix", Type: StringParameter,
				Description: "The key prefix of the log objects."},
		},
		APIs: []string{"s3:GetBucketLogging", "s3:PutBucketLogging"},
		check: func(bucket string, v values) error {
			if v.str("targetBucket") == bucket {
				return invalid("parameter targetBucket: a bucket does not log into itself (each log delivery would add a log object)")
			}
			return nil
		},
		run: runS3EnableAccessLogging,
	}
}

func runS3EnableAccessLogging(r *run) error {
	bucket, arn := r.id, r.bucketARN(r.id)
	target, prefix := r.values.str("targetBucket"), r.values.str("targetPrefix")
	out, err := r.clients.S3.GetBucketLogging(r.ctx, &s3.GetBucketLoggingInput{Bucket: &bucket})
	if err != nil {
		return apiError("s3:GetBucketLogging", arn, err)
	}
	if cur := out.LoggingEnabled; cur != nil && aws.ToString(cur.TargetBucket) != "" {
		curTarget, curPrefix := aws.ToString(cur.TargetBucket), aws.ToString(cur.TargetPrefix)
		if curTarget == target && curPrefix == prefix {
			r.skip("s3:PutBucketLogging", arn, fmt.Sprintf("already logging to s3://%s/%s", curTarget, curPrefix))
		} else {
			// Replacing a destination someone chose could break their log
			// pipeline; logging is on, which is what the rule asks.
			r.skip("s3:PutBucketLogging", arn, fmt.Sprintf("already logging to s3://%s/%s; not replaced by s3://%s/%s", curTarget, curPrefix, target, prefix))
		}
		return nil
	}
	return r.write("s3:PutBucketLogging", arn, fmt.Sprintf("access logging is off; log to s3://%s/%s", target, prefix), func(ctx context.Context) error {
		_, err := r.clients.S3.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{
			Bucket: &bucket,
			BucketLoggingStatus: &s3types.BucketLoggingStatus{
				LoggingEnabled: &s3types.LoggingEnabled{TargetBucket: &target, TargetPrefix: &prefix},
			},
		})
		return err
	})
}
