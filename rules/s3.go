package rules

import "github.com/guardrails-go/guardrails/evaluate"

// s3Rules is the S3 family.
func s3Rules() []evaluate.Rule {
	return []evaluate.Rule{
		S3BucketServerSideEncryptionEnabled(),
		S3BucketVersioningEnabled(),
	}
}
