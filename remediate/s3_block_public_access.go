package remediate

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func s3BlockPublicAccess() *Remediation {
	return &Remediation{
		ID:            "s3-block-public-access",
		Summary:       "Turns on all four S3 Block Public Access settings of the bucket; never turns one off.",
		ResourceTypes: []string{bucketType},
		Fixes:         []string{"s3-bucket-level-public-access-prohibited", "s3-bucket-public-read-prohibited", "s3-bucket-public-write-prohibited"},
		APIs:          []string{"s3:GetPublicAccessBlock", "s3:PutPublicAccessBlock"},
		run:           runS3BlockPublicAccess,
	}
}

// publicAccessFlags are the four block public access settings.
type publicAccessFlags struct {
	blockPublicACLs, ignorePublicACLs, blockPublicPolicy, restrictPublicBuckets bool
}

// off names the flags that are off.
func (f publicAccessFlags) off() string {
	var names []string
	for _, flag := range []struct {
		on   bool
		name string
	}{
		{f.blockPublicACLs, "BlockPublicAcls"},
		{f.ignorePublicACLs, "IgnorePublicAcls"},
		{f.blockPublicPolicy, "BlockPublicPolicy"},
		{f.restrictPublicBuckets, "RestrictPublicBuckets"},
	} {
		if !flag.on {
			names = append(names, flag.name)
		}
	}
	return strings.Join(names, ", ")
}

func runS3BlockPublicAccess(r *run) error {
	bucket, arn := r.id, r.bucketARN(r.id)
	var cur publicAccessFlags
	out, err := r.clients.S3.GetPublicAccessBlock(r.ctx, &s3.GetPublicAccessBlockInput{Bucket: &bucket})
	switch {
	case errorCode(err) == "NoSuchPublicAccessBlockConfiguration":
	case err != nil:
		return apiError("s3:GetPublicAccessBlock", arn, err)
	case out.PublicAccessBlockConfiguration != nil:
		c := out.PublicAccessBlockConfiguration
		cur = publicAccessFlags{aws.ToBool(c.BlockPublicAcls), aws.ToBool(c.IgnorePublicAcls), aws.ToBool(c.BlockPublicPolicy), aws.ToBool(c.RestrictPublicBuckets)}
	}
	off := cur.off()
	if off == "" {
		r.skip("s3:PutPublicAccessBlock", arn, "all four block public access settings are already on")
		return nil
	}
	return r.write("s3:PutPublicAccessBlock", arn, "turn on "+off, func(ctx context.Context) error {
		_, err := r.clients.S3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{
			Bucket: &bucket,
			PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
				BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
				BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true),
			},
		})
		return err
	})
}
