package rules

import (
	"context"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// S3BucketLevelPublicAccessProhibited checks that a bucket's own Block
// Public Access settings are all on (BlockPublicAcls, IgnorePublicAcls,
// BlockPublicPolicy, RestrictPublicBuckets), unless the bucket is listed in
// excludedPublicBuckets, as Security Hub's S3.8 describes the managed rule.
// The account's settings do not count: the rule is about the bucket level.
// A listed bucket is COMPLIANT (the page only names it an exception to
// NON_COMPLIANT).
func S3BucketLevelPublicAccessProhibited() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "s3-bucket-level-public-access-prohibited",
		Summary:       "S3 buckets block public access at the bucket level, unless listed as known public buckets.",
		Rationale:     "Bucket-level Block Public Access keeps a bucket private even if a policy or ACL later opens it, whatever the account settings become.",
		ResourceTypes: []string{resource.S3BucketType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters: []evaluate.Parameter{{
			Name: "excludedPublicBuckets", Type: evaluate.CSV,
			Description: "Comma-separated names of buckets known and allowed to be public.",
		}},
		Severity:     evaluate.High,
		ManagedRule:  "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
		Controls:     []string{"SecurityHub:S3.8"},
		Remediations: []string{"s3-block-public-access"},
		URL:          "https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-level-public-access-prohibited.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		excluded := map[string]bool{}
		for _, name := range p.List("excludedPublicBuckets") {
			excluded[name] = true
		}
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			v, err := s3ViewOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if excluded[v.Name] {
				return evaluate.Compliantf("Bucket %s is listed in excludedPublicBuckets.", v.Name), nil
			}
			var off, unknown []string
			if v.PublicAccessBlock == nil {
				if u := in.Item.UnknownAt(s3BlockPath); u != "" {
					unknown = append(unknown, u)
				} else {
					off = append(off, "BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
				}
			} else {
				for _, s := range []struct {
					name, member string
					on           bool
				}{
					{"BlockPublicAcls", "blockPublicAcls", v.bucketBlock.BlockPublicAcls},
					{"IgnorePublicAcls", "ignorePublicAcls", v.bucketBlock.IgnorePublicAcls},
					{"BlockPublicPolicy", "blockPublicPolicy", v.bucketBlock.BlockPublicPolicy},
					{"RestrictPublicBuckets", "restrictPublicBuckets", v.bucketBlock.RestrictPublicBuckets},
				} {
					switch u := in.Item.UnknownAt(s3BlockPath + "." + s.member); {
					case s.on:
					case u != "":
						unknown = append(unknown, u)
					default:
						off = append(off, s.name)
					}
				}
			}
			nameUnknown := strings.Contains(v.Name, unknownMark) && len(excluded) > 0
			switch {
			case len(off) > 0 && nameUnknown:
				return evaluate.InsufficientDataf("Bucket %s has %s off at the bucket level; its name, which excludedPublicBuckets might list, is not known before deployment.", v.Name, strings.Join(off, ", ")), nil
			case len(off) == 4 && v.PublicAccessBlock == nil:
				return evaluate.NonCompliantf("Bucket %s has no bucket-level Block Public Access settings.", v.Name), nil
			case len(off) > 0:
				return evaluate.NonCompliantf("Bucket %s has %s off at the bucket level.", v.Name, strings.Join(off, ", ")), nil
			case len(unknown) > 0:
				return evaluate.InsufficientDataf("The Block Public Access settings of bucket %s are not known before deployment (%s).", v.Name, strings.Join(unknown, ", ")), nil
			}
			return evaluate.Compliantf("Bucket %s blocks public access at the bucket level (all four settings on).", v.Name), nil
		}), nil
	})
}
