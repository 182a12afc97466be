package rules

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// CloudtrailS3DataeventsEnabled checks that a logging trail of the account
// records S3 data events for every bucket, or with S3BucketNames for each
// of those buckets. Data events are set in custom event selectors, which
// Config does not record: a trail with custom selectors needs its selectors
// fact, and a compliant answer its status fact. A selector that covers only
// some objects of a bucket (a key prefix, some event names) does not cover
// the bucket; read-only, write-only and all data events all count.
func CloudtrailS3DataeventsEnabled() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "cloudtrail-s3-dataevents-enabled",
		Summary:       "A CloudTrail trail records S3 data events for all buckets (or the named ones).",
		Rationale:     "Object-level events show who read or changed which object; management events alone do not.",
		ResourceTypes: []string{evaluate.AccountResourceType},
		Trigger:       []evaluate.Trigger{evaluate.Periodic},
		Parameters: []evaluate.Parameter{{
			Name: "S3BucketNames", Type: evaluate.CSV,
			Description: "Comma-separated S3 bucket names that must have data event logging; all buckets when empty.",
		}},
		Severity:    evaluate.Medium,
		ManagedRule: "CLOUDTRAIL_S3_DATAEVENTS_ENABLED",
		URL:         "https://docs.aws.amazon.com/config/latest/developerguide/cloudtrail-s3-dataevents-enabled.html",
		Lookups:     []string{resource.CloudTrailTrailType},
		Facts:       []string{facts.EventSelectorsFile("NAME"), facts.TrailStatusFile("NAME")},
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		buckets := p.List("S3BucketNames")
		tf := newTrailFacts()
		return evaluate.EvaluatorFunc(func(ctx context.Context, in *evaluate.Input) (evaluate.Result, error) {
			trails, err := accountTrails(ctx, in)
			if err != nil {
				return insufficient(err)
			}
			account := in.Item.AccountID
			var v trailVerdict
			covered := map[string]string{} // bucket → trail
			for _, t := range trails {
				sel, err := tf.eventSelectors(ctx, in, t)
				if err != nil {
					if err := v.judge(err); err != nil {
						return evaluate.Result{}, err
					}
					continue
				}
				cov := s3DataCoverage(sel)
				if !cov.any() {
					if cov.partial {
						v.fail(t, "records S3 data events of parts of buckets only")
					} else {
						v.fail(t, "records no S3 data events")
					}
					continue
				}
				var useful []string
				if len(buckets) == 0 {
					if !cov.allBuckets() {
						v.fail(t, "records S3 data events of some buckets only")
						continue
					}
				} else {
					for _, b := range buckets {
						if _, done := covered[b]; !done && cov.covers(b) {
							useful = append(useful, b)
						}
					}
					if len(useful) == 0 {
						v.fail(t, "records S3 data events of none of the named buckets")
						continue
					}
				}
				logging, err := tf.logging(ctx, in, t)
				if err != nil {
					if err := v.judge(err); err != nil {
						return evaluate.Result{}, err
					}
					continue
				}
				if !logging {
					v.fail(t, "is not logging")
					continue
				}
				if len(buckets) == 0 {
					v.ok = fmt.Sprintf("Trail %s records S3 data events of all buckets of account %s.", t.Name, account)
					break
				}
				for _, b := range useful {
					covered[b] = t.Name
				}
				if len(covered) == len(slices.Compact(slices.Sorted(slices.Values(buckets)))) {
					v.ok = fmt.Sprintf("Trails of account %s record S3 data events of %s.", account, strings.Join(buckets, ", "))
					break
				}
			}
			if v.ok == "" && len(buckets) > 0 && len(covered) > 0 && v.unknown == nil {
				var missing []string
				for _, b := range buckets {
					if _, ok := covered[b]; !ok {
						missing = append(missing, b)
					}
				}
				return evaluate.NonCompliantf("No logging trail of account %s records S3 data events of %s.", account, strings.Join(missing, ", ")), nil
			}
			return v.result(fmt.Sprintf("No logging trail of account %s records S3 data events.", account)), nil
		}), nil
	})
}

// s3Coverage is what a trail's selectors log of S3 data events.
type s3Coverage struct {
	all      bool            // every bucket, less the exclusions
	excluded []string        // ARN prefixes left out of "all"
	buckets  map[string]bool // whole buckets named
	partial  bool            // some selector logs part of a bucket only
}

func (c s3Coverage) any() bool        { return c.all || len(c.buckets) > 0 }
func (c s3Coverage) allBuckets() bool { return c.all && len(c.excluded) == 0 }

func (c s3Coverage) covers(bucket string) bool {
	if c.buckets[bucket] {
		return true
	}
	if !c.all {
		return false
	}
	whole := "arn:aws:s3:::" + bucket + "/"
	for _, x := range c.excluded {
		// An exclusion of the bucket, of part of it, or of a prefix of
		// its name all leave the bucket less than whole.
		if strings.HasPrefix(whole, x) || strings.HasPrefix(x, strings.TrimSuffix(whole, "/")) {
			return false
		}
	}
	return true
}

// s3BucketOfARN returns the bucket an S3 data resource value names as a
// whole ("arn:aws:s3:::bucket/" or "arn:aws:s3:::bucket"), or "" for a
// value that names part of a bucket.
func s3BucketOfARN(v string) string {
	rest, ok := strings.CutPrefix(v, "arn:aws:s3:::")
	if !ok {
		// Other partitions: arn:aws-cn:s3:::, arn:aws-us-gov:s3:::.
		if i := strings.Index(v, ":s3:::"); i > 0 && strings.HasPrefix(v, "arn:") {
			rest, ok = v[i+len(":s3:::"):], true
		}
	}
	if !ok || rest == "" {
		return ""
	}
	bucket, key, _ := strings.Cut(rest, "/")
	if key != "" {
		return ""
	}
	return bucket
}

// allS3 reports whether a data resource value selects every bucket.
func allS3(v string) bool {
	v = strings.TrimSuffix(v, ":::")
	return v == "arn:aws:s3" || v == "arn:aws-cn:s3" || v == "arn:aws-us-gov:s3"
}

func s3DataCoverage(sel *facts.EventSelectors) s3Coverage {
	c := s3Coverage{buckets: map[string]bool{}}
	for _, s := range sel.EventSelectors {
		for _, d := range s.DataResources {
			if d.Type != "AWS::S3::Object" {
				continue
			}
			for _, v := range d.Values {
				if allS3(v) {
					c.all = true
				} else if b := s3BucketOfARN(v); b != "" {
					c.buckets[b] = true
				} else {
					c.partial = true
				}
			}
		}
	}
	for _, s := range sel.AdvancedEventSelectors {
		if !advancedSelects(s, "eventCategory", "Data") || !advancedSelects(s, "resources.type", "AWS::S3::Object") {
			continue
		}
		partial, hasARN := false, false
		var starts, excludes []string
		for _, f := range s.FieldSelectors {
			switch f.Field {
			case "eventCategory", "resources.type", "readOnly":
			case "resources.ARN":
				hasARN = true
				starts = append(starts, f.StartsWith...)
				excludes = append(excludes, f.NotStartsWith...)
				excludes = append(excludes, f.NotEquals...)
				if len(f.Equals) > 0 || len(f.EndsWith) > 0 || len(f.NotEndsWith) > 0 {
					partial = true // single objects, or suffix filters
				}
			default:
				partial = true // eventName and the like: some events only
			}
		}
		if partial {
			c.partial = true
			continue
		}
		if !hasARN || len(starts) == 0 {
			c.all = true
			c.excluded = append(c.excluded, excludes...)
			continue
		}
		for _, v := range starts {
			if allS3(v) {
				c.all = true
				c.excluded = append(c.excluded, excludes...)
			} else if b := s3BucketOfARN(v); b != "" && len(excludes) == 0 {
				c.buckets[b] = true
			} else {
				c.partial = true
			}
		}
	}
	return c
}
