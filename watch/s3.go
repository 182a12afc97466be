package watch

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// GetObjectAPI is the part of the S3 client the watcher uses to read log
// files.
type GetObjectAPI interface {
	GetObject(ctx context.Context, params *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

var _ GetObjectAPI = (*s3.Client)(nil)

// ObjectName names an S3 object in errors and locations.
func ObjectName(bucket, key string) string { return "s3://" + bucket + "/" + key }

// IsDigestKey reports whether an object key is a CloudTrail digest file,
// which holds hashes of log files and no records.
func IsDigestKey(key string) bool {
	return strings.Contains(key, "/CloudTrail-Digest/") || strings.Contains(key, "_CloudTrail-Digest_")
}

// ReadObject reads one log file from S3 and yields its findings and errors
// as Read does. The object is streamed from GetObject, never held whole;
// SSE-S3 and SSE-KMS objects are decrypted by S3 (the caller needs
// kms:Decrypt on the key). Digest files are skipped without being
// fetched.
func (s *Session) ReadObject(ctx context.Context, client GetObjectAPI, bucket, key string) iter.Seq2[*Finding, error] {
	name := ObjectName(bucket, key)
	return func(yield func(*Finding, error) bool) {
		if IsDigestKey(key) {
			s.stats.Files++
			s.stats.SkippedFiles++
			return
		}
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			s.stats.Files++
			yield(nil, &Error{Source: name, Record: -1, Err: fmt.Errorf("GetObject: %w", err)})
			return
		}
		defer out.Body.Close()
		for f, err := range s.Read(ctx, out.Body, name) {
			if !yield(f, err) {
				return
			}
		}
	}
}
