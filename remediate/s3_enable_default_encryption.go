package remediate

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func s3EnableDefaultEncryption() *Remediation {
	return &Remediation{
		ID:            "s3-enable-default-encryption",
		Summary:       "Sets the bucket's default encryption to SSE-S3, or to SSE-KMS with a given key and S3 Bucket Keys; never replaces SSE-KMS by SSE-S3.",
		ResourceTypes: []string{bucketType},
		Fixes:         []string{"s3-bucket-server-side-encryption-enabled", "s3-default-encryption-kms"},
		Parameters: []Parameter{
			{Name: "sseAlgorithm", Type: StringParameter, Default: "AES256", AllowedValues: []string{"AES256", "aws:kms"},
				Description: "AES256 for SSE-S3, aws:kms for SSE-KMS."},
			{Name: "kmsKeyId", Type: StringParameter, validate: checkKMSKeyRef,
				Description: "The KMS key (id, ARN, alias) for aws:kms; required with aws:kms."},
			{Name: "bucketKeyEnabled", Type: BooleanParameter, Default: "true",
				Description: "Turn S3 Bucket Keys on with aws:kms (never turned off)."},
		},
		APIs: []string{"s3:GetBucketEncryption", "s3:PutBucketEncryption", "kms:DescribeKey"},
		check: func(_ string, v values) error {
			switch {
			case v.str("sseAlgorithm") == "aws:kms" && v.str("kmsKeyId") == "":
				return invalid("parameter kmsKeyId is required when sseAlgorithm is aws:kms")
			case v.str("sseAlgorithm") == "AES256" && v.str("kmsKeyId") != "":
				return invalid("parameter kmsKeyId is only used when sseAlgorithm is aws:kms")
			}
			return nil
		},
		run: runS3EnableDefaultEncryption,
	}
}

func runS3EnableDefaultEncryption(r *run) error {
	bucket, arn := r.id, r.bucketARN(r.id)
	wantKMS := r.values.str("sseAlgorithm") == "aws:kms"
	key, bucketKey := r.values.str("kmsKeyId"), r.values.boolean("bucketKeyEnabled")

	var current *s3types.ServerSideEncryptionRule
	out, err := r.clients.S3.GetBucketEncryption(r.ctx, &s3.GetBucketEncryptionInput{Bucket: &bucket})
	switch {
	case errorCode(err) == "ServerSideEncryptionConfigurationNotFoundError":
	case err != nil:
		return apiError("s3:GetBucketEncryption", arn, err)
	case out.ServerSideEncryptionConfiguration != nil:
		for i, rule := range out.ServerSideEncryptionConfiguration.Rules {
			if rule.ApplyServerSideEncryptionByDefault != nil {
				current = &out.ServerSideEncryptionConfiguration.Rules[i]
				break
			}
		}
	}

	put := func(detail string) error {
		def := &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}
		rule := s3types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: def}
		if wantKMS {
			def.SSEAlgorithm = s3types.ServerSideEncryptionAwsKms
			def.KMSMasterKeyID = aws.String(key)
			rule.BucketKeyEnabled = aws.Bool(bucketKey)
		}
		return r.write("s3:PutBucketEncryption", arn, detail, func(ctx context.Context) error {
			_, err := r.clients.S3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{
				Bucket:                            &bucket,
				ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{rule}},
			})
			return err
		})
	}
	target := "SSE-S3 (AES256)"
	if wantKMS {
		target = fmt.Sprintf("SSE-KMS with key %s, bucket keys %t", key, bucketKey)
	}
	if current == nil {
		return put("no default encryption; set " + target)
	}
	def := current.ApplyServerSideEncryptionByDefault
	curAlg, curKey := def.SSEAlgorithm, aws.ToString(def.KMSMasterKeyID)
	curBucketKey := aws.ToBool(current.BucketKeyEnabled)

	switch {
	case curAlg == s3types.ServerSideEncryptionAwsKmsDsse:
		r.skip("s3:PutBucketEncryption", arn, "already DSSE-KMS (dual-layer), at least as strong as requested; left as is")
		return nil
	case !wantKMS && curAlg == s3types.ServerSideEncryptionAwsKms:
		r.skip("s3:PutBucketEncryption", arn, "already SSE-KMS, stronger than the requested SSE-S3; left as is")
		return nil
	case !wantKMS && curAlg == s3types.ServerSideEncryptionAes256:
		r.skip("s3:PutBucketEncryption", arn, "already SSE-S3 (AES256)")
		return nil
	case wantKMS && curAlg == s3types.ServerSideEncryptionAes256:
		return put("default encryption is SSE-S3; set " + target)
	case wantKMS && curAlg == s3types.ServerSideEncryptionAwsKms:
		if curKey == "" {
			return put("SSE-KMS uses the AWS managed key aws/s3; set " + target)
		}
		same, err := r.sameKey(curKey, key)
		if err != nil {
			return err
		}
		if same {
			if bucketKey && !curBucketKey {
				return put("SSE-KMS with the requested key but bucket keys off; turn bucket keys on")
			}
			r.skip("s3:PutBucketEncryption", arn, fmt.Sprintf("already SSE-KMS with key %s", curKey))
			return nil
		}
		managed, err := r.awsManagedKey(curKey)
		if err != nil {
			return err
		}
		if managed {
			return put(fmt.Sprintf("SSE-KMS uses the AWS managed key %s; set %s", curKey, target))
		}
		// Switching from one customer managed key to another changes who can
		// decrypt new objects: not a judgement a remediation can make.
		r.skip("s3:PutBucketEncryption", arn, fmt.Sprintf("already SSE-KMS with customer managed key %s; not replaced by %s", curKey, key))
		return nil
	}
	return fmt.Errorf("s3:GetBucketEncryption %s: unknown default encryption algorithm %q", arn, curAlg)
}
