package rules

import (
	"context"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// S3BucketLoggingEnabled checks that a bucket delivers server access logs,
// and with targetBucket and targetPrefix that it delivers them to that
// bucket under that prefix (each compared exactly when given).
//
// The target bucket is compared by name. Items built from templates name a
// bucket of the same template by its logical id ("Logs"), so when the names
// differ the rule looks the named bucket up and compares its name.
func S3BucketLoggingEnabled() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "s3-bucket-logging-enabled",
		Summary:       "S3 buckets deliver server access logs (to the given bucket and prefix, when set).",
		Rationale:     "Access logs record every request made to the bucket, which an investigation of a leak or a deletion needs.",
		ResourceTypes: []string{resource.S3BucketType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters: []evaluate.Parameter{
			{Name: "targetBucket", Type: evaluate.String, Description: "The bucket that must receive the access logs; any bucket when empty."},
			{Name: "targetPrefix", Type: evaluate.String, Description: "The prefix the access logs must be written under; any prefix when empty."},
		},
		Severity:     evaluate.Medium,
		ManagedRule:  "S3_BUCKET_LOGGING_ENABLED",
		Controls:     []string{"SecurityHub:S3.9"},
		Remediations: []string{"s3-enable-access-logging"},
		Lookups:      []string{resource.S3BucketType},
		URL:          "https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-logging-enabled.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		wantBucket, wantPrefix := p.String("targetBucket"), p.String("targetPrefix")
		return evaluate.EvaluatorFunc(func(ctx context.Context, in *evaluate.Input) (evaluate.Result, error) {
			v, err := s3ViewOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if u := in.Item.UnknownAt(s3LoggingPath + ".destinationBucketName"); u != "" {
				return evaluate.InsufficientDataf("Whether bucket %s logs access is not known before deployment (%s).", v.Name, u), nil
			}
			if !v.Logging.Enabled() {
				return evaluate.NonCompliantf("Bucket %s has no server access logging.", v.Name), nil
			}
			dest, prefix := v.Logging.DestinationBucket, v.Logging.Prefix
			if wantBucket != "" && dest != wantBucket {
				switch {
				case strings.Contains(dest, unknownMark):
					return evaluate.InsufficientDataf("Bucket %s logs access to a bucket not known before deployment (%s); targetBucket is %s.", v.Name, dest, wantBucket), nil
				case !namesBucket(ctx, in, dest, wantBucket):
					return evaluate.NonCompliantf("Bucket %s logs access to bucket %s, not to targetBucket %s.", v.Name, dest, wantBucket), nil
				}
			}
			if wantPrefix != "" && prefix != wantPrefix {
				if u := in.Item.UnknownAt(s3LoggingPath + ".logFilePrefix"); u != "" {
					return evaluate.InsufficientDataf("Bucket %s logs access to %s under a prefix not known before deployment (%s); targetPrefix is %s.", v.Name, dest, u, wantPrefix), nil
				}
				return evaluate.NonCompliantf("Bucket %s logs access to %s under prefix %q, not targetPrefix %q.", v.Name, dest, prefix, wantPrefix), nil
			}
			if prefix != "" {
				return evaluate.Compliantf("Bucket %s logs access to bucket %s under prefix %s.", v.Name, dest, prefix), nil
			}
			return evaluate.Compliantf("Bucket %s logs access to bucket %s.", v.Name, dest), nil
		}), nil
	})
}

// namesBucket reports whether ref, a logging target as the item records
// it, is the bucket called name: the resource of id ref has that name.
func namesBucket(ctx context.Context, in *evaluate.Input, ref, name string) bool {
	ci, err := in.Lookup.Resource(ctx, resource.S3BucketType, ref)
	if err != nil {
		return false
	}
	b, err := resource.DecodeS3Bucket(ci)
	return err == nil && b.Name == name
}
