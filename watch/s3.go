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

// SkipKey says whether an object key (or a file path) names something other
// than a CloudTrail log file, judged from the layout AWS delivers in, and
// why: a folder marker; under AWSLogs/[o-ORG/]ACCOUNT/SERVICE/, anything
// but the CloudTrail and CloudTrail-Insight services, such as the trail's
// digest files (CloudTrail-Digest) or AWS Config's snapshots and history
// when the bucket is shared with Config (Config). Keys outside that layout
// are read, and their content decides.
func SkipKey(key string) (skip bool, why string) {
	if strings.HasSuffix(key, "/") {
		return true, "a folder marker"
	}
	if strings.Contains(key, "_CloudTrail-Digest_") {
		return true, "a CloudTrail digest file"
	}
	_, rest, ok := strings.Cut(filepathToSlash(key), "AWSLogs/")
	if !ok {
		return false, ""
	}
	segs := strings.Split(rest, "/")
	if len(segs) > 0 && strings.HasPrefix(segs[0], "o-") {
		segs = segs[1:]
	}
	if len(segs) < 3 {
		return false, ""
	}
	switch service := segs[1]; service {
	case "CloudTrail", "CloudTrail-Insight":
		return false, ""
	case "CloudTrail-Digest":
		return true, "a CloudTrail digest file"
	default:
		return true, "delivered by " + service + ", not CloudTrail"
	}
}

func filepathToSlash(p string) string { return strings.ReplaceAll(p, "\\", "/") }

// ReadObject reads one log file from S3 and yields its findings and errors
// as Read does. The object is streamed from GetObject, never held whole;
// SSE-S3 and SSE-KMS objects are decrypted by S3 (the caller needs
// kms:Decrypt on the key). Keys that [SkipKey] rules out (digest files,
// other services' deliveries to a shared bucket) are skipped without being
// fetched.
func (s *Session) ReadObject(ctx context.Context, client GetObjectAPI, bucket, key string) iter.Seq2[*Finding, error] {
	name := ObjectName(bucket, key)
	return func(yield func(*Finding, error) bool) {
		if skip, _ := SkipKey(key); skip {
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
