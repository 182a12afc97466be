package rules

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// trailFacts are the per-trail facts a rule reads, parsed once per content.
type trailFacts struct {
	status    *parsedFacts[*facts.TrailStatus]
	selectors *parsedFacts[*facts.EventSelectors]
}

func newTrailFacts() trailFacts {
	return trailFacts{
		// The trail name is only used in messages; a fact's content says
		// which trail it is about.
		status:    newParsedFacts(func(b []byte) (*facts.TrailStatus, error) { return facts.ParseTrailStatus("", b) }),
		selectors: newParsedFacts(func(b []byte) (*facts.EventSelectors, error) { return facts.ParseEventSelectors("", b) }),
	}
}

// accountTrails returns the trails of the input's account that log the
// input's region. A lookup that cannot list them (no trail items of the
// account in a scan) is a *missingFactError.
func accountTrails(ctx context.Context, in *evaluate.Input) ([]*resource.CloudTrailTrail, error) {
	account, region := in.Item.AccountID, in.Item.Region
	items, err := in.Lookup.Resources(ctx, evaluate.Query{ResourceType: resource.CloudTrailTrailType, AccountID: account})
	if errors.Is(err, evaluate.ErrUnknown) {
		return nil, &missingFactError{
			annotation: fmt.Sprintf("No AWS::CloudTrail::Trail items of account %s in the input: give the account's trails (if it records them, it has none).", account),
			err:        err,
		}
	}
	if err != nil {
		return nil, err
	}
	var out []*resource.CloudTrailTrail
	for _, ci := range items {
		t, err := resource.DecodeCloudTrailTrail(ci)
		if err != nil {
			return nil, fmt.Errorf("trail %s: %w", ci.ResourceID, err)
		}
		if t.CoversRegion(region) {
			out = append(out, t)
		}
	}
	// Several items of one multi-region trail (one per region in some
	// inputs) are one trail.
	sort.SliceStable(out, func(i, j int) bool { return trailKey(out[i]) < trailKey(out[j]) })
	out = slices.CompactFunc(out, func(a, b *resource.CloudTrailTrail) bool { return trailKey(a) == trailKey(b) })
	return out, nil
}

func trailKey(t *resource.CloudTrailTrail) string {
	if t.ARN != "" {
		return t.ARN
	}
	return t.HomeRegion + "/" + t.Name
}

// regionName is how annotations name the evaluated region.
func regionName(region string) string {
	if region == "" || region == "global" {
		return "any region"
	}
	return region
}

// trailParams are the trail settings cloudtrail-enabled and
// multi-region-cloudtrail-enabled can ask for.
type trailParams struct {
	bucket, topic, logGroup string
}

func bindTrailParams(p evaluate.Params) trailParams {
	return trailParams{bucket: p.String("s3BucketName"), topic: p.String("snsTopicArn"), logGroup: p.String("cloudWatchLogsLogGroupArn")}
}

var trailParamDefs = []evaluate.Parameter{
	{Name: "s3BucketName", Type: evaluate.String, Description: "Name of the S3 bucket CloudTrail delivers log files to."},
	{Name: "snsTopicArn", Type: evaluate.String, Description: "SNS topic ARN CloudTrail notifies."},
	{Name: "cloudWatchLogsLogGroupArn", Type: evaluate.String, Description: "CloudWatch log group ARN CloudTrail sends data to."},
}

// mismatch says which asked-for setting the trail lacks, or "".
func (p trailParams) mismatch(t *resource.CloudTrailTrail) string {
	switch {
	case p.bucket != "" && t.S3BucketName != p.bucket:
		return fmt.Sprintf("delivers to bucket %q, not %q", t.S3BucketName, p.bucket)
	case p.topic != "" && t.SNSTopicARN != p.topic:
		return fmt.Sprintf("notifies %q, not %q", t.SNSTopicARN, p.topic)
	case p.logGroup != "" && trimLogGroupStar(t.CloudWatchLogsLogGroupARN) != trimLogGroupStar(p.logGroup):
		return fmt.Sprintf("sends to log group %q, not %q", t.CloudWatchLogsLogGroupARN, p.logGroup)
	}
	return ""
}

// trimLogGroupStar drops the ":*" DescribeTrails appends to log group
// ARNs, so that either spelling of a parameter matches.
func trimLogGroupStar(arn string) string { return strings.TrimSuffix(arn, ":*") }

// trailStatus reads the trail's status fact, in its home region. A trail
// the API no longer knows is reported as not logging.
func (f trailFacts) logging(ctx context.Context, in *evaluate.Input, t *resource.CloudTrailTrail) (bool, error) {
	name := facts.TrailStatusFile(t.Name)
	st, err := readFact(ctx, in, f.status, t.HomeRegion, name, "logging status of trail "+t.Name)
	if errors.Is(err, evaluate.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		var mf *missingFactError
		if errors.As(err, &mf) {
			mf.annotation = fmt.Sprintf("Trail %s: logging status unknown, Config does not record it (%s): %s.", t.Name, name, reason(mf.err))
		}
		return false, err
	}
	return *st.IsLogging, nil
}

// eventSelectors returns the trail's event selectors: the default
// selector (all management events, read and write, no data events) for a
// trail without custom selectors, else the fact.
func (f trailFacts) eventSelectors(ctx context.Context, in *evaluate.Input, t *resource.CloudTrailTrail) (*facts.EventSelectors, error) {
	if t.HasCustomEventSelectors.Set && !t.HasCustomEventSelectors.Value {
		return &facts.EventSelectors{EventSelectors: []facts.EventSelector{{ReadWriteType: "All", IncludeManagementEvents: boolPtr(true)}}}, nil
	}
	name := facts.EventSelectorsFile(t.Name)
	sel, err := readFact(ctx, in, f.selectors, t.HomeRegion, name, "event selectors of trail "+t.Name)
	if errors.Is(err, evaluate.ErrNotFound) {
		return nil, &missingFactError{annotation: fmt.Sprintf("Trail %s is recorded but the API no longer knows it (%s).", t.Name, name), err: err}
	}
	var mf *missingFactError
	if errors.As(err, &mf) {
		mf.annotation = fmt.Sprintf("Trail %s has custom event selectors, which Config does not record (%s): %s.", t.Name, name, reason(mf.err))
	}
	return sel, err
}

func boolPtr(b bool) *bool { return &b }

// managementEvents is what a trail's selectors say about management
// events.
type managementEvents struct {
	// read and write say whether read-only and write events are logged.
	read, write bool
	// excluded are event sources whose management events are not logged
	// (ExcludeManagementEventSources, or an advanced eventSource filter).
	excluded []string
}

func (m managementEvents) included() bool { return m.read || m.write }

func (m managementEvents) readWriteType() string {
	switch {
	case m.read && m.write:
		return "All"
	case m.read:
		return "ReadOnly"
	case m.write:
		return "WriteOnly"
	}
	return "none"
}

// managementCoverage reads the management events the selectors log. A
// source counts as excluded when every selector that logs management
// events leaves it out.
func managementCoverage(sel *facts.EventSelectors) managementEvents {
	var m managementEvents
	var excludedEverywhere map[string]bool
	note := func(excluded []string) {
		set := map[string]bool{}
		for _, s := range excluded {
			set[s] = true
		}
		if excludedEverywhere == nil {
			excludedEverywhere = set
			return
		}
		for s := range excludedEverywhere {
			if !set[s] {
				delete(excludedEverywhere, s)
			}
		}
	}
	for _, s := range sel.EventSelectors {
		if s.IncludeManagementEvents != nil && !*s.IncludeManagementEvents {
			continue
		}
		switch s.ReadWriteType {
		case "ReadOnly":
			m.read = true
		case "WriteOnly":
			m.write = true
		default: // All, or unset: the API's default is All.
			m.read, m.write = true, true
		}
		note(s.ExcludeManagementEventSources)
	}
	for _, s := range sel.AdvancedEventSelectors {
		if !advancedSelects(s, "eventCategory", "Management") {
			continue
		}
		read, write := true, true
		var excluded []string
		for _, f := range s.FieldSelectors {
			switch f.Field {
			case "readOnly":
				if len(f.Equals) == 1 {
					read, write = f.Equals[0] == "true", f.Equals[0] == "false"
				}
			case "eventSource":
				excluded = append(excluded, f.NotEquals...)
				excluded = append(excluded, f.NotStartsWith...)
				if len(f.Equals) > 0 || len(f.StartsWith) > 0 {
					// Only the listed sources: every other one is left out.
					excluded = append(excluded, "every source but "+strings.Join(append(f.Equals, f.StartsWith...), ", "))
				}
			}
		}
		m.read = m.read || read
		m.write = m.write || write
		note(excluded)
	}
	for s := range excludedEverywhere {
		m.excluded = append(m.excluded, s)
	}
	sort.Strings(m.excluded)
	return m
}

// advancedSelects reports whether an advanced selector has field Equals
// value.
func advancedSelects(s facts.AdvancedEventSelector, field, value string) bool {
	for _, f := range s.FieldSelectors {
		if f.Field == field && slices.Contains(f.Equals, value) {
			return true
		}
	}
	return false
}

// trailVerdict gathers the verdicts on several trails: the rule is
// compliant when one trail qualifies; otherwise it is undecided when some
// trail could not be judged, and non-compliant with the first reason.
type trailVerdict struct {
	ok      string // annotation of the first trail that qualifies
	unknown *missingFactError
	reasons []string
}

func (v *trailVerdict) fail(t *resource.CloudTrailTrail, format string, args ...any) {
	v.reasons = append(v.reasons, "trail "+t.Name+" "+fmt.Sprintf(format, args...))
}

// judge records an error from a fact: a missing fact leaves the trail
// undecided, other errors are returned.
func (v *trailVerdict) judge(err error) error {
	var mf *missingFactError
	if errors.As(err, &mf) {
		if v.unknown == nil {
			v.unknown = mf
		}
		return nil
	}
	return err
}

func (v *trailVerdict) result(none string) evaluate.Result {
	switch {
	case v.ok != "":
		return evaluate.Compliantf("%s", v.ok)
	case v.unknown != nil:
		return evaluate.InsufficientDataf("%s", v.unknown.annotation)
	case len(v.reasons) == 0:
		return evaluate.NonCompliantf("%s", none)
	}
	return evaluate.NonCompliantf("%s: %s.", strings.TrimSuffix(none, "."), strings.Join(v.reasons, "; "))
}
