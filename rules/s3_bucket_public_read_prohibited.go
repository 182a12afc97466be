package rules

import (
	"context"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// S3BucketPublicReadProhibited checks that a bucket does not let everyone
// read it, through its policy or its ACL, under the Block Public Access
// settings in force (see bucketExposure for what counts).
//
// The managed rule's page notes that it does not react to changes of the
// account's settings; it still decides with the settings in force, as
// here. When the bucket would be public only if the account's settings are
// off, and those are not known (no AWS::S3::AccountPublicAccessBlock item,
// no s3control-get-public-access-block.json fact), the answer is
// INSUFFICIENT_DATA naming what is missing, never a guess.
func S3BucketPublicReadProhibited() evaluate.Rule {
	return publicAccessRule(false)
}

// S3BucketPublicWriteProhibited checks that a bucket does not let everyone
// write to it, through its policy or its ACL, under the Block Public Access
// settings in force, as S3BucketPublicReadProhibited does for reading.
func S3BucketPublicWriteProhibited() evaluate.Rule {
	return publicAccessRule(true)
}

func publicAccessRule(write bool) evaluate.Rule {
	m := evaluate.Metadata{
		ID:            "s3-bucket-public-read-prohibited",
		Summary:       "S3 buckets do not allow public read access.",
		Rationale:     "A bucket anyone can read leaks every object in it, and public buckets are found by scanners within hours.",
		ResourceTypes: []string{resource.S3BucketType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange, evaluate.Periodic},
		Parameters:    []evaluate.Parameter{},
		Severity:      evaluate.Critical,
		ManagedRule:   "S3_BUCKET_PUBLIC_READ_PROHIBITED",
		Controls:      []string{"SecurityHub:S3.2"},
		Remediations:  []string{"s3-block-public-access", "s3-remove-public-acl-grants"},
		Lookups:       []string{s3AccountPublicAccessBlockType},
		Facts:         []string{facts.PublicAccessBlockFile},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-public-read-prohibited.html",
	}
	verb := "read"
	if write {
		verb = "write"
		m.ID = "s3-bucket-public-write-prohibited"
		m.Summary = "S3 buckets do not allow public write access."
		m.Rationale = "A bucket anyone can write to can be filled with malware, have its objects replaced, or be used to serve content under your name."
		m.ManagedRule = "S3_BUCKET_PUBLIC_WRITE_PROHIBITED"
		m.Controls = []string{"SecurityHub:S3.3"}
		m.URL = "https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-public-write-prohibited.html"
	}
	return evaluate.NewRule(m, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(ctx context.Context, in *evaluate.Input) (evaluate.Result, error) {
			v, err := s3ViewOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			exp, err := exposureOf(ctx, in, v)
			if err != nil {
				return evaluate.Result{}, err
			}
			a := &exp.read
			if write {
				a = &exp.write
			}
			public, unknown := exp.judge(a)
			switch {
			case len(public) > 0:
				return evaluate.NonCompliantf("Bucket %s allows public %s access: %s.", v.Name, verb, strings.Join(public, "; ")), nil
			case unknown != "":
				return evaluate.InsufficientDataf("Bucket %s: %s.", v.Name, unknown), nil
			}
			return evaluate.Compliantf("Bucket %s does not allow public %s access: %s.", v.Name, verb, a.notPublicBecause(verb)), nil
		}), nil
	})
}
