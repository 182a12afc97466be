package configrule_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/configrule"
	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/internal/configtest"
	"github.com/guardrails-go/guardrails/rules"
)

// instanceTypeRule compares an instance's type with desiredInstanceType,
// the parameter of the AWS sample events.
func instanceTypeRule() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "desired-instance-type",
		ResourceTypes: []string{"AWS::EC2::Instance"},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Severity:      evaluate.Low,
		Parameters: []evaluate.Parameter{
			{Name: "desiredInstanceType", Type: evaluate.String},
			{Name: "myParameterKey", Type: evaluate.String},
		},
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		want := p.String("desiredInstanceType")
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			var conf struct {
				InstanceType *string `json:"instanceType"`
			}
			if err := json.Unmarshal(in.Item.Configuration, &conf); err != nil {
				return evaluate.Result{}, err
			}
			switch {
			case conf.InstanceType == nil:
				return evaluate.InsufficientDataf("Instance %s has no recorded type.", in.Item.ResourceID), nil
			case want == "" || *conf.InstanceType == want:
				return evaluate.Compliantf("Instance %s is a %s.", in.Item.ResourceID, *conf.InstanceType), nil
			}
			return evaluate.NonCompliantf("Instance %s is a %s, not a %s.", in.Item.ResourceID, *conf.InstanceType, want), nil
		}), nil
	})
}

func TestChangeNotification(t *testing.T) {
	for _, tc := range []struct {
		name, reason string
		rule         evaluate.Rule
		event        func(t *testing.T) events.ConfigEvent
		want         []got
		// clearParams drops the sample event's parameters, which belong
		// to the sample rule.
		clearParams bool
	}{
		{
			name: "powertools EC2 change", reason: "the real event: t2.medium is not the desired t2.micro; the time is the item's capture time",
			rule: instanceTypeRule(),
			event: func(t *testing.T) events.ConfigEvent {
				return readEvent(t, "powertools-awsConfigRuleConfigurationChanged.json")
			},
			want: []got{{Type: "AWS::EC2::Instance", ID: "i-042dd005362091826", Compliance: "NON_COMPLIANT",
				Annotation: "Instance i-042dd005362091826 is a t2.medium, not a t2.micro.", Time: time.Date(2023, 4, 27, 15, 3, 11, 636e6, time.UTC)}},
		},
		{
			name: "developer guide change", reason: "the documented example event, with no desiredInstanceType and no instance type recorded: not put",
			rule: instanceTypeRule(),
			event: func(t *testing.T) events.ConfigEvent {
				return readEvent(t, "developer-guide-example-event-change-triggered.json")
			},
			want: []got{},
		},
		{
			name: "catalog rule, compliant bucket", reason: "a real catalog rule on a recorded bucket",
			rule: rules.S3BucketVersioningEnabled(),
			event: func(t *testing.T) events.ConfigEvent {
				return changeEvent(t, readItem(t, "s3-bucket-versioning-enabled.json"), `{"isMfaDeleteEnabled": "false"}`)
			},
			want: []got{{Type: "AWS::S3::Bucket", ID: "reports-versioned", Compliance: "COMPLIANT",
				Annotation: "Versioning is enabled on bucket reports-versioned.", Time: time.Date(2026, 11, 19, 7, 29, 16, 288e6, time.UTC)}},
		},
		{
			name: "catalog rule, suspended versioning", reason: "non-compliant, with empty ruleParameters",
			rule: rules.S3BucketVersioningEnabled(),
			event: func(t *testing.T) events.ConfigEvent {
				return changeEvent(t, readItem(t, "s3-bucket-versioning-suspended.json"), "")
			},
			want: []got{{Type: "AWS::S3::Bucket", ID: "old-archive", Compliance: "NON_COMPLIANT",
				Annotation: "Versioning is suspended on bucket old-archive.", Time: time.Date(2026, 11, 19, 7, 29, 16, 288e6, time.UTC)}},
		},
		{
			name: "item of another type", reason: "as rdklib: a resource type the rule does not evaluate is NOT_APPLICABLE",
			rule: rules.S3BucketVersioningEnabled(),
			event: func(t *testing.T) events.ConfigEvent {
				return readEvent(t, "developer-guide-example-event-change-triggered.json")
			},
			clearParams: true,
			want: []got{{Type: "AWS::EC2::Instance", ID: "i-00000000", Compliance: "NOT_APPLICABLE",
				Annotation: "The rule does not evaluate AWS::EC2::Instance resources.", Time: time.Date(2016, 2, 17, 1, 36, 34, 43e6, time.UTC)}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := configtest.New(t)
			h, _ := handler(t, s, tc.rule)
			ev := tc.event(t)
			if tc.clearParams {
				ev.RuleParameters = ""
			}
			if _, err := invoke(t, h, payload(t, ev)); err != nil {
				t.Fatalf("%s: %v", tc.reason, err)
			}
			puts := s.Puts()
			if len(puts) != 1 {
				t.Fatalf("%s: %d PutEvaluations calls, want 1", tc.reason, len(puts))
			}
			if diff := cmp.Diff(tc.want, wire(puts[0].Evaluations)); diff != "" {
				t.Errorf("%s: evaluations put (-want +got):\n%s", tc.reason, diff)
			}
			if puts[0].ResultToken != ev.ResultToken || puts[0].TestMode {
				t.Errorf("result token %q test mode %v, want %q and false", puts[0].ResultToken, puts[0].TestMode, ev.ResultToken)
			}
		})
	}
}

func TestOversizedNotification(t *testing.T) {
	s := configtest.New(t)
	// The full item the summary stands for, as GetResourceConfigHistory
	// returns it: the EC2 instance of the powertools event, renamed.
	full := changeItem(t)
	full.ResourceID, full.AccountID, full.Region = "i-00000000", "123456789012", "us-west-2"
	s.AddItems(full)
	h, _ := handler(t, s, instanceTypeRule())
	ev := readEvent(t, "powertools-awsConfigRuleOversizedConfiguration.json")
	ev.RuleParameters = `{"desiredInstanceType": "t2.medium"}`
	if _, err := invoke(t, h, payload(t, ev)); err != nil {
		t.Fatal(err)
	}
	hist := s.Requests("GetResourceConfigHistory")
	if len(hist) != 1 {
		t.Fatalf("%d GetResourceConfigHistory calls, want 1", len(hist))
	}
	var in map[string]any
	_ = json.Unmarshal(hist[0].Body, &in)
	if diff := cmp.Diff(map[string]any{"resourceType": "AWS::EC2::Instance", "resourceId": "i-00000000", "limit": float64(1)}, in); diff != "" {
		t.Errorf("history request (-want +got):\n%s", diff)
	}
	want := []got{{Type: "AWS::EC2::Instance", ID: "i-00000000", Compliance: "COMPLIANT",
		Annotation: "Instance i-00000000 is a t2.medium.", Time: full.CaptureTime}}
	if diff := cmp.Diff(want, wire(s.PutEvaluations())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestOversizedNotificationOfDeletedResource(t *testing.T) {
	s := configtest.New(t)
	h, _ := handler(t, s, instanceTypeRule())
	ev := readEvent(t, "developer-guide-example-event-oversized.json")
	ev.RuleParameters = ""
	ev.InvokingEvent = strings.Replace(ev.InvokingEvent, `"configurationItemStatus": "OK"`, `"configurationItemStatus": "ResourceDeleted"`, 1)
	if _, err := invoke(t, h, payload(t, ev)); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Requests("GetResourceConfigHistory")); n != 0 {
		t.Errorf("a deleted resource's item was read (%d calls)", n)
	}
	want := []got{{Type: "AWS::EC2::Instance", ID: "i-00000000", Compliance: "NOT_APPLICABLE",
		Annotation: "The resource was deleted.", Time: time.Date(2016, 10, 6, 16, 46, 16, 261e6, time.UTC)}}
	if diff := cmp.Diff(want, wire(s.PutEvaluations())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestOversizedItemUnreadable(t *testing.T) {
	s := configtest.New(t)
	s.SetRecorders(`[{"name":"default","recordingGroup":{"resourceTypes":["AWS::S3::Bucket"]}}]`)
	h, _ := handler(t, s, instanceTypeRule())
	ev := readEvent(t, "developer-guide-example-event-oversized.json")
	ev.RuleParameters = ""
	_, err := invoke(t, h, payload(t, ev))
	if err == nil || !strings.Contains(err.Error(), "oversized item of AWS::EC2::Instance i-00000000") {
		t.Fatalf("err = %v, want one naming the oversized item", err)
	}
	if n := len(s.Requests("PutEvaluations")); n != 0 {
		t.Errorf("%d PutEvaluations calls after the item could not be read, want 0", n)
	}
}

// changeItem is the configuration item of the powertools change event.
func changeItem(t *testing.T) *evaluate.ConfigurationItem {
	ev := readEvent(t, "powertools-awsConfigRuleConfigurationChanged.json")
	var inv struct {
		Item json.RawMessage `json:"configurationItem"`
	}
	if err := json.Unmarshal([]byte(ev.InvokingEvent), &inv); err != nil {
		t.Fatal(err)
	}
	ci, err := evaluate.DecodeItem(inv.Item)
	if err != nil {
		t.Fatal(err)
	}
	return ci
}

func TestScopeAndStatus(t *testing.T) {
	for _, tc := range []struct {
		name, reason string
		change       func(ci *evaluate.ConfigurationItem, ev *events.ConfigEvent)
		want         []got
	}{
		{
			name: "event left scope", reason: "eventLeftScope: NOT_APPLICABLE whatever the item says",
			change: func(_ *evaluate.ConfigurationItem, ev *events.ConfigEvent) { ev.EventLeftScope = true },
			want:   []got{{Type: "AWS::S3::Bucket", ID: "reports-versioned", Compliance: "NOT_APPLICABLE", Annotation: "The resource left the rule's scope.", Time: time.Date(2026, 11, 19, 7, 29, 16, 288e6, time.UTC)}},
		},
		{
			name: "deleted", reason: "ResourceDeleted: NOT_APPLICABLE",
			change: func(ci *evaluate.ConfigurationItem, _ *events.ConfigEvent) {
				ci.Status, ci.Configuration, ci.SupplementaryConfiguration = evaluate.StatusResourceDeleted, nil, nil
			},
			want: []got{{Type: "AWS::S3::Bucket", ID: "reports-versioned", Compliance: "NOT_APPLICABLE", Annotation: "The resource was deleted.", Time: time.Date(2026, 11, 19, 7, 29, 16, 288e6, time.UTC)}},
		},
		{
			name: "deleted, not recorded", reason: "ResourceDeletedNotRecorded: NOT_APPLICABLE",
			change: func(ci *evaluate.ConfigurationItem, _ *events.ConfigEvent) {
				ci.Status, ci.Configuration, ci.SupplementaryConfiguration = evaluate.StatusResourceDeletedNotRecorded, nil, nil
			},
			want: []got{{Type: "AWS::S3::Bucket", ID: "reports-versioned", Compliance: "NOT_APPLICABLE", Annotation: "The resource was deleted.", Time: time.Date(2026, 11, 19, 7, 29, 16, 288e6, time.UTC)}},
		},
		{
			name: "not recorded", reason: "ResourceNotRecorded: not evaluated, and Config still gets its (empty) answer",
			change: func(ci *evaluate.ConfigurationItem, _ *events.ConfigEvent) {
				ci.Status, ci.Configuration, ci.SupplementaryConfiguration = evaluate.StatusResourceNotRecorded, nil, nil
			},
			want: []got{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := configtest.New(t)
			h, _ := handler(t, s, rules.S3BucketVersioningEnabled())
			ci := readItem(t, "s3-bucket-versioning-enabled.json")
			ev := changeEvent(t, ci, "{}")
			tc.change(ci, &ev)
			ev.InvokingEvent = changeEvent(t, ci, "{}").InvokingEvent
			if _, err := invoke(t, h, payload(t, ev)); err != nil {
				t.Fatalf("%s: %v", tc.reason, err)
			}
			puts := s.Puts()
			if len(puts) != 1 {
				t.Fatalf("%s: %d PutEvaluations calls, want 1", tc.reason, len(puts))
			}
			if diff := cmp.Diff(tc.want, wire(puts[0].Evaluations)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

func TestPeriodicRealEvents(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		wantTime   time.Time
	}{
		{name: "aws-lambda-go ConfigurationSnapshotDeliveryCompleted", file: "aws-lambda-go-config-event.json", wantTime: time.Date(2016, 2, 24, 18, 23, 20, 328e6, time.UTC)},
		{name: "powertools ScheduledNotification", file: "powertools-awsConfigRuleScheduled.json", wantTime: time.Date(2023, 4, 27, 13, 26, 17, 741e6, time.UTC)},
		{name: "developer guide ScheduledNotification", file: "developer-guide-example-event-periodic.json", wantTime: time.Date(2016, 7, 13, 21, 50, 0, 373e6, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := configtest.New(t)
			items := buckets(t, 3)
			items[1].ResourceID = "bucket-0001-nc"
			s.AddItems(items...)
			ev := readEvent(t, tc.file)
			ev.RuleParameters = ""
			s.AddEvaluationResult(ev.ConfigRuleName, "AWS::S3::Bucket", "bucket-gone", "NON_COMPLIANT")
			h, _ := handler(t, s, bucketRule(nil))
			sum, err := invoke(t, h, payload(t, ev))
			if err != nil {
				t.Fatal(err)
			}
			want := []got{
				{Type: "AWS::S3::Bucket", ID: "bucket-0000", Compliance: "COMPLIANT", Annotation: "Bucket bucket-0000 is fine.", Time: tc.wantTime},
				{Type: "AWS::S3::Bucket", ID: "bucket-0001-nc", Compliance: "NON_COMPLIANT", Annotation: "Bucket bucket-0001-nc is bad.", Time: tc.wantTime},
				{Type: "AWS::S3::Bucket", ID: "bucket-0002", Compliance: "COMPLIANT", Annotation: "Bucket bucket-0002 is fine.", Time: tc.wantTime},
				{Type: "AWS::S3::Bucket", ID: "bucket-gone", Compliance: "NOT_APPLICABLE", Annotation: "The resource no longer exists.", Time: tc.wantTime},
			}
			if diff := cmp.Diff(want, wire(s.PutEvaluations())); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			wantOps := []string{"ListDiscoveredResources", "BatchGetResourceConfig", "GetComplianceDetailsByConfigRule", "PutEvaluations"}
			if diff := cmp.Diff(wantOps, s.Ops()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			var in struct {
				ConfigRuleName  string
				ComplianceTypes []string
				Limit           int
			}
			_ = json.Unmarshal(s.Requests("GetComplianceDetailsByConfigRule")[0].Body, &in)
			if in.ConfigRuleName != ev.ConfigRuleName || in.Limit != 100 || strings.Join(in.ComplianceTypes, ",") != "COMPLIANT,NON_COMPLIANT" {
				t.Errorf("GetComplianceDetailsByConfigRule request %+v", in)
			}
			wantSum := configrule.Summary{Rule: "test-bucket-rule", ConfigRuleName: ev.ConfigRuleName, MessageType: mustMessageType(t, ev),
				Evaluated: 3, Put: 4, Compliant: 2, NonCompliant: 1, NotApplicable: 1, CleanedUp: 1}
			if diff := cmp.Diff(wantSum, sum); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
		})
	}
}

func mustMessageType(t *testing.T, ev events.ConfigEvent) string {
	var m struct{ MessageType string }
	if err := json.Unmarshal([]byte(ev.InvokingEvent), &m); err != nil {
		t.Fatal(err)
	}
	return m.MessageType
}

func TestPeriodicPutsInBatchesOf100(t *testing.T) {
	s := configtest.New(t)
	s.AddItems(buckets(t, 250)...)
	h, _ := handler(t, s, bucketRule(nil), configrule.WithCleanup(false))
	sum, err := invoke(t, h, payload(t, periodicEvent("test-bucket-rule")))
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, p := range s.Puts() {
		sizes = append(sizes, len(p.Evaluations))
	}
	if diff := cmp.Diff([]int{100, 100, 50}, sizes); diff != "" {
		t.Errorf("PutEvaluations batch sizes (-want +got):\n%s", diff)
	}
	if sum.Put != 250 || sum.Evaluated != 250 {
		t.Errorf("summary %+v", sum)
	}
	seen := map[string]bool{}
	for _, e := range s.PutEvaluations() {
		if seen[e.ComplianceResourceID] {
			t.Errorf("%s put twice", e.ComplianceResourceID)
		}
		seen[e.ComplianceResourceID] = true
	}
}

func TestCleanupSparesWhatCouldNotBeChecked(t *testing.T) {
	s := configtest.New(t)
	s.AddItems(buckets(t, 3)...)
	// Earlier evaluations: bucket-0001 exists (and now fails), bucket-0002
	// exists (and now lacks data), bucket-old is gone, and a Volume type
	// the rule lists but Config cannot.
	for _, id := range []string{"bucket-0001", "bucket-0002", "bucket-old"} {
		s.AddEvaluationResult("two-types", "AWS::S3::Bucket", id, "COMPLIANT")
	}
	s.AddEvaluationResult("two-types", "AWS::EC2::Volume", "vol-1", "NON_COMPLIANT")
	s.AddEvaluationResult("other-rule", "AWS::S3::Bucket", "bucket-other", "COMPLIANT")
	s.SetRecorders(`[{"name":"default","recordingGroup":{"resourceTypes":["AWS::S3::Bucket"]}}]`)
	inner := bucketRule(map[string]string{"bucket-0001": "error", "bucket-0002": "insufficient"})
	rule := evaluate.NewRule(evaluate.Metadata{
		ID: "two-types", ResourceTypes: []string{"AWS::S3::Bucket", "AWS::EC2::Volume"},
		Trigger: []evaluate.Trigger{evaluate.Periodic}, Severity: evaluate.Low,
	}, inner.Prepare)
	h, _ := handler(t, s, rule)
	_, err := invoke(t, h, payload(t, periodicEvent("two-types")))
	var ie *configrule.InvocationError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want an InvocationError", err)
	}
	if len(ie.Failed) != 1 || len(ie.Problems) != 1 || !errors.Is(ie.Problems[0], evaluate.ErrUnknown) || !strings.Contains(err.Error(), "listing AWS::EC2::Volume") {
		t.Errorf("err = %v, want bucket-0001's failure and the Volume listing", err)
	}
	want := []string{"AWS::S3::Bucket/bucket-0000=COMPLIANT", "AWS::S3::Bucket/bucket-old=NOT_APPLICABLE"}
	if diff := cmp.Diff(want, configtest.SortedKeys(s.PutEvaluations())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestCleanupPages(t *testing.T) {
	s := configtest.New(t)
	s.AddItems(buckets(t, 1)...)
	for i := range 150 {
		s.AddEvaluationResult("test-bucket-rule", "AWS::S3::Bucket", fmt.Sprintf("gone-%03d", i), "COMPLIANT")
	}
	h, _ := handler(t, s, bucketRule(nil))
	sum, err := invoke(t, h, payload(t, periodicEvent("test-bucket-rule")))
	if err != nil {
		t.Fatal(err)
	}
	if sum.CleanedUp != 150 || sum.Put != 151 {
		t.Errorf("summary %+v, want 150 cleaned up of 151 put", sum)
	}
	if n := len(s.Requests("GetComplianceDetailsByConfigRule")); n != 2 {
		t.Errorf("%d GetComplianceDetailsByConfigRule pages, want 2", n)
	}
}

func TestAccountLevelRule(t *testing.T) {
	s := configtest.New(t)
	dir := t.TempDir()
	writeFact(t, dir, "111122223333/iam-get-account-password-policy.json", `{"PasswordPolicy":{"MinimumPasswordLength":8}}`)
	rule := evaluate.NewRule(evaluate.Metadata{
		ID: "test-password-policy", ResourceTypes: []string{evaluate.AccountResourceType},
		Trigger: []evaluate.Trigger{evaluate.Periodic}, Severity: evaluate.Medium,
		Facts: []string{"iam-get-account-password-policy.json"},
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(ctx context.Context, in *evaluate.Input) (evaluate.Result, error) {
			data, err := in.Lookup.Fact(ctx, in.Item.AccountID, in.Item.Region, "iam-get-account-password-policy.json")
			if err != nil {
				return evaluate.InsufficientDataf("No password policy: %v", err), nil
			}
			var p struct {
				PasswordPolicy struct{ MinimumPasswordLength int }
			}
			if err := json.Unmarshal(data, &p); err != nil {
				return evaluate.Result{}, err
			}
			if p.PasswordPolicy.MinimumPasswordLength < 14 {
				return evaluate.NonCompliantf("Account %s (%s) allows passwords of %d characters.", in.Item.AccountID, in.Item.Region, p.PasswordPolicy.MinimumPasswordLength), nil
			}
			return evaluate.Compliantf("Strong."), nil
		}), nil
	})
	var factsRegion string
	h, _ := handler(t, s, rule, configrule.WithFacts(func(cfg aws.Config) evaluate.Facts {
		factsRegion = cfg.Region
		return evaluate.FactsDir(dir)
	}))
	ev := readEvent(t, "developer-guide-example-event-periodic.json")
	ev.AccountID, ev.RuleParameters = "111122223333", ""
	if _, err := invoke(t, h, payload(t, ev)); err != nil {
		t.Fatal(err)
	}
	want := []got{{Type: "AWS::::Account", ID: "111122223333", Compliance: "NON_COMPLIANT",
		Annotation: "Account 111122223333 (us-east-2) allows passwords of 8 characters.", Time: time.Date(2016, 7, 13, 21, 50, 0, 373e6, time.UTC)}}
	if diff := cmp.Diff(want, wire(s.PutEvaluations())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if factsRegion != "us-east-2" {
		t.Errorf("facts built for region %q, want the rule's region us-east-2 (from configRuleArn)", factsRegion)
	}
	if n := len(s.Requests("ListDiscoveredResources")); n != 0 {
		t.Errorf("an account rule listed resources (%d calls)", n)
	}
}

func TestRuleUsesLookups(t *testing.T) {
	s := configtest.New(t)
	s.AddItems(buckets(t, 2)...)
	// A change rule on buckets that asks how many other buckets exist.
	rule := evaluate.NewRule(evaluate.Metadata{
		ID: "lookup-rule", ResourceTypes: []string{"AWS::S3::Bucket"}, Lookups: []string{"AWS::S3::Bucket"},
		Trigger: []evaluate.Trigger{evaluate.OnChange}, Severity: evaluate.Low,
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(ctx context.Context, in *evaluate.Input) (evaluate.Result, error) {
			all, err := in.Lookup.Resources(ctx, evaluate.Query{ResourceType: "AWS::S3::Bucket", AccountID: in.Item.AccountID})
			if err != nil {
				return evaluate.InsufficientDataf("%v", err), nil
			}
			return evaluate.Compliantf("%d buckets in the account.", len(all)), nil
		}), nil
	})
	h, _ := handler(t, s, rule)
	for range 2 { // the second invocation reads again: lookups are per invocation
		if _, err := invoke(t, h, payload(t, changeEvent(t, readItem(t, "s3-bucket-versioning-enabled.json"), ""))); err != nil {
			t.Fatal(err)
		}
	}
	evs := s.PutEvaluations()
	if len(evs) != 2 || aws.ToString(evs[0].Annotation) != "2 buckets in the account." {
		t.Errorf("evaluations %+v", wire(evs))
	}
	if n := len(s.Requests("ListDiscoveredResources")); n != 2 {
		t.Errorf("%d listings over two invocations, want 2", n)
	}
}

func TestRuleFailuresDoNotLoseOthers(t *testing.T) {
	s := configtest.New(t)
	s.AddItems(buckets(t, 5)...)
	h, logs := handler(t, s, bucketRule(map[string]string{"bucket-0001": "panic", "bucket-0003": "error"}), configrule.WithCleanup(false))
	sum, err := invoke(t, h, payload(t, periodicEvent("test-bucket-rule")))
	var ie *configrule.InvocationError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want an InvocationError", err)
	}
	msg := err.Error()
	for _, want := range []string{"the rule failed on 2 resources", "bucket-0001", "panicked: the rule broke on bucket-0001", "bucket-0003", "cannot read the bucket policy"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	var ee *evaluate.Error
	if !errors.As(err, &ee) || ee.RuleID != "test-bucket-rule" {
		t.Errorf("errors.As(err, *evaluate.Error) = %+v", ee)
	}
	want := []string{"AWS::S3::Bucket/bucket-0000=COMPLIANT", "AWS::S3::Bucket/bucket-0002=COMPLIANT", "AWS::S3::Bucket/bucket-0004=COMPLIANT"}
	if diff := cmp.Diff(want, configtest.SortedKeys(s.PutEvaluations())); diff != "" {
		t.Errorf("the other resources are put (-want +got):\n%s", diff)
	}
	if sum != (configrule.Summary{}) {
		t.Errorf("Invoke answered %+v with its error; Lambda takes only the error", sum)
	}
	// Handle returns the summary with the error.
	s.Reset()
	full, err := h.Handle(context.Background(), periodicEvent("test-bucket-rule"))
	if err == nil || full.Failed != 2 || full.Put != 3 || full.Evaluated != 5 {
		t.Errorf("Handle = %+v, %v; want 5 evaluated, 3 put, 2 failed and an error", full, err)
	}
	failures := 0
	for _, r := range logs.records(t) {
		if r["msg"] == "evaluation failed" {
			failures++
		}
	}
	if failures != 4 {
		t.Errorf("%d 'evaluation failed' log records over two runs, want 4", failures)
	}
}

func TestInsufficientData(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mode    configrule.InsufficientDataMode
		wantErr bool
	}{
		{name: "skip", mode: configrule.SkipInsufficientData},
		{name: "fail", mode: configrule.FailOnInsufficientData, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := configtest.New(t)
			s.AddItems(buckets(t, 2)...)
			h, logs := handler(t, s, bucketRule(map[string]string{"bucket-0001": "insufficient"}), configrule.WithInsufficientData(tc.mode), configrule.WithCleanup(false))
			_, err := invoke(t, h, payload(t, periodicEvent("test-bucket-rule")))
			if tc.wantErr != (err != nil) {
				t.Fatalf("err = %v, want an error: %v", err, tc.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "bucket-0001: No policy fact for bucket bucket-0001.") {
				t.Errorf("error %q does not name the resource and the reason", err)
			}
			if diff := cmp.Diff([]string{"AWS::S3::Bucket/bucket-0000=COMPLIANT"}, configtest.SortedKeys(s.PutEvaluations())); diff != "" {
				t.Errorf("INSUFFICIENT_DATA is never put nor turned into another type (-want +got):\n%s", diff)
			}
			var warned bool
			for _, r := range logs.records(t) {
				if r["level"] == "WARN" && r["resourceId"] == "bucket-0001" && r["annotation"] == "No policy fact for bucket bucket-0001." {
					warned = true
				}
			}
			if !warned {
				t.Errorf("no WARN record with the reason in:\n%s", logs.String())
			}
		})
	}
}

func TestAnnotations(t *testing.T) {
	s := configtest.New(t)
	items := buckets(t, 2)
	s.AddItems(items...)
	h, _ := handler(t, s, bucketRule(map[string]string{"bucket-0000": "long", "bucket-0001": "silent"}), configrule.WithCleanup(false))
	if _, err := invoke(t, h, payload(t, periodicEvent("test-bucket-rule"))); err != nil {
		t.Fatal(err)
	}
	evs := s.PutEvaluations()
	if a := aws.ToString(evs[0].Annotation); len(a) > 256 || !strings.HasPrefix(a, "éé") {
		t.Errorf("long annotation of %d bytes", len(a))
	}
	if evs[1].Annotation != nil {
		t.Errorf("an empty annotation was sent as %q; Config wants none", *evs[1].Annotation)
	}
}

func TestTestMode(t *testing.T) {
	s := configtest.New(t)
	h, _ := handler(t, s, rules.S3BucketVersioningEnabled())
	ev := changeEvent(t, readItem(t, "s3-bucket-versioning-enabled.json"), "")
	ev.ResultToken = "TESTMODE"
	sum, err := invoke(t, h, payload(t, ev))
	if err != nil {
		t.Fatal(err)
	}
	puts := s.Puts()
	if len(puts) != 1 || !puts[0].TestMode || puts[0].ResultToken != "TESTMODE" || !sum.TestMode {
		t.Errorf("puts %+v summary %+v, want TestMode", puts, sum)
	}
}

func TestThrottlingIsRetried(t *testing.T) {
	s := configtest.New(t)
	s.Throttle("PutEvaluations", 1)
	h, _ := handler(t, s, rules.S3BucketVersioningEnabled())
	if _, err := invoke(t, h, payload(t, changeEvent(t, readItem(t, "s3-bucket-versioning-enabled.json"), ""))); err != nil {
		t.Fatal(err)
	}
	calls, attempts := s.Requests("PutEvaluations"), s.Attempts("PutEvaluations")
	if len(calls) != 1 || len(attempts) < 2 || !strings.HasPrefix(attempts[1].Header.Get("Amz-Sdk-Request"), "attempt=2;") {
		t.Errorf("%d PutEvaluations calls in %d attempts, want 1 call: a throttled attempt, then its retry", len(calls), len(attempts))
	}
	if n := len(s.PutEvaluations()); n != 1 {
		t.Errorf("%d evaluations put, want 1", n)
	}
}

func TestFailedEvaluations(t *testing.T) {
	t.Run("transient", func(t *testing.T) {
		s := configtest.New(t)
		s.AddItems(buckets(t, 150)...)
		failures := 0
		s.FailEvaluations(func(e configtest.Evaluation) bool {
			if e.ComplianceResourceID == "bucket-0120" && failures < 1 {
				failures++
				return true
			}
			return false
		})
		h, _ := handler(t, s, bucketRule(nil), configrule.WithCleanup(false))
		sum, err := invoke(t, h, payload(t, periodicEvent("test-bucket-rule")))
		if err != nil {
			t.Fatal(err)
		}
		if n := len(s.Requests("PutEvaluations")); n != 3 || sum.Put != 150 {
			t.Errorf("%d PutEvaluations calls, %d put; want 3 calls (2 batches, 1 retry) and 150 put", n, sum.Put)
		}
		last := s.Puts()[2].Evaluations
		if len(last) != 1 || last[0].ComplianceResourceID != "bucket-0120" {
			t.Errorf("the retry sent %v, want bucket-0120 alone", configtest.SortedKeys(last))
		}
	})
	t.Run("persistent", func(t *testing.T) {
		s := configtest.New(t)
		s.AddItems(buckets(t, 3)...)
		s.FailEvaluations(func(e configtest.Evaluation) bool { return e.ComplianceResourceID == "bucket-0002" })
		h, _ := handler(t, s, bucketRule(nil), configrule.WithCleanup(false))
		_, err := invoke(t, h, payload(t, periodicEvent("test-bucket-rule")))
		var rej *configrule.RejectedError
		if !errors.As(err, &rej) || len(rej.Evaluations) != 1 || !strings.Contains(err.Error(), "AWS::S3::Bucket bucket-0002 COMPLIANT") {
			t.Fatalf("err = %v, want a RejectedError naming bucket-0002", err)
		}
		if n := len(s.Requests("PutEvaluations")); n != 3 {
			t.Errorf("%d PutEvaluations calls, want 3 (1 + 2 retries)", n)
		}
		if diff := cmp.Diff([]string{"AWS::S3::Bucket/bucket-0000=COMPLIANT", "AWS::S3::Bucket/bucket-0001=COMPLIANT"}, configtest.SortedKeys(s.PutEvaluations())); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

func TestInvalidParameters(t *testing.T) {
	for _, tc := range []struct {
		name, params, want string
	}{
		{name: "not a bool", params: `{"isMfaDeleteEnabled": "maybe"}`, want: `rule s3-bucket-versioning-enabled: parameter isMfaDeleteEnabled = "maybe": not true or false`},
		{name: "unknown", params: `{"isMfaDeleteEnabled": "true", "maxAge": "3"}`, want: `parameter maxAge: unknown parameter (the rule takes: isMfaDeleteEnabled)`},
		{name: "not JSON", params: `isMfaDeleteEnabled=true`, want: `ruleParameters is not a JSON object`},
		{name: "object value", params: `{"isMfaDeleteEnabled": {"x": 1}}`, want: `parameter isMfaDeleteEnabled: want a string value`},
		{name: "role name without cross-account", params: `{"ExecutionRoleName": "Audit"}`, want: `rule parameter ExecutionRoleName is set, but cross-account access is off`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := configtest.New(t)
			h, logs := handler(t, s, rules.S3BucketVersioningEnabled())
			_, err := invoke(t, h, payload(t, changeEvent(t, readItem(t, "s3-bucket-versioning-enabled.json"), tc.params)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if ops := s.Ops(); len(ops) != 0 {
				t.Errorf("invalid parameters made requests %v; nothing may be put", ops)
			}
			if !strings.Contains(logs.String(), `"level":"ERROR"`) {
				t.Errorf("the failure was not logged:\n%s", logs)
			}
		})
	}
}

func TestMalformedEvents(t *testing.T) {
	valid := changeEvent(t, readItem(t, "s3-bucket-versioning-enabled.json"), "")
	for _, tc := range []struct {
		name, payload, want string
	}{
		{name: "payload not an object", payload: `["x"]`, want: "the payload is not a Config rule event"},
		{name: "payload not JSON", payload: `{"invokingEvent": `, want: "the payload is not a Config rule event"},
		{name: "invokingEvent a number", payload: `{"invokingEvent": 3, "resultToken": "t"}`, want: "the payload is not a Config rule event: field invokingEvent"},
		{name: "empty invokingEvent", payload: `{"invokingEvent": "", "resultToken": "t"}`, want: "invokingEvent is empty"},
		{name: "invokingEvent not JSON", payload: `{"invokingEvent": "configurationItem=1", "resultToken": "t"}`, want: "invokingEvent is not a JSON object"},
		{name: "truncated invokingEvent", payload: `{"invokingEvent": "{\"messageType\":\"Sch", "resultToken": "t"}`, want: "invokingEvent is not valid JSON"},
		{name: "no messageType", payload: `{"invokingEvent": "{}", "resultToken": "t"}`, want: "invokingEvent.messageType is missing"},
		{name: "unknown messageType", payload: `{"invokingEvent": "{\"messageType\":\"ComplianceChange\"}", "resultToken": "t"}`, want: `invokingEvent.messageType "ComplianceChange" is not one of`},
		{name: "no item", payload: `{"invokingEvent": "{\"messageType\":\"ConfigurationItemChangeNotification\"}", "resultToken": "t"}`, want: "invokingEvent.configurationItem is missing"},
		{name: "item without id", payload: `{"invokingEvent": "{\"messageType\":\"ConfigurationItemChangeNotification\",\"configurationItem\":{\"resourceType\":\"AWS::S3::Bucket\"}}", "resultToken": "t"}`, want: "invokingEvent.configurationItem.resourceId is missing"},
		{name: "bad status", payload: `{"invokingEvent": "{\"messageType\":\"ConfigurationItemChangeNotification\",\"configurationItem\":{\"resourceType\":\"AWS::S3::Bucket\",\"resourceId\":\"b\",\"configurationItemStatus\":\"Gone\"}}", "resultToken": "t"}`, want: `invokingEvent.configurationItem.configurationItemStatus: unknown status "Gone"`},
		{name: "bad capture time", payload: `{"invokingEvent": "{\"messageType\":\"ConfigurationItemChangeNotification\",\"configurationItem\":{\"resourceType\":\"AWS::S3::Bucket\",\"resourceId\":\"b\",\"configurationItemCaptureTime\":\"yesterday\"}}", "resultToken": "t"}`, want: "invokingEvent.configurationItem.configurationItemCaptureTime"},
		{name: "oversized without summary", payload: `{"invokingEvent": "{\"messageType\":\"OversizedConfigurationItemChangeNotification\"}", "resultToken": "t"}`, want: "invokingEvent.configurationItemSummary is missing"},
		{name: "bad notification time", payload: `{"invokingEvent": "{\"messageType\":\"ScheduledNotification\",\"notificationCreationTime\":\"noon\"}", "resultToken": "t"}`, want: "invokingEvent.notificationCreationTime"},
		{name: "no result token", payload: string(payload(t, events.ConfigEvent{InvokingEvent: valid.InvokingEvent})), want: "the event has no resultToken"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := configtest.New(t)
			h, _ := handler(t, s, rules.S3BucketVersioningEnabled())
			_, err := invoke(t, h, []byte(tc.payload))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if ops := s.Ops(); len(ops) != 0 {
				t.Errorf("a malformed event made requests %v", ops)
			}
		})
	}
}

func TestCatalogHandler(t *testing.T) {
	catalog := rules.All()
	for _, tc := range []struct {
		name, configRuleName, ruleID, wantRule, wantErr string
	}{
		{name: "by configRuleName", configRuleName: "s3-bucket-versioning-enabled", wantRule: "s3-bucket-versioning-enabled"},
		{name: "chosen rule wins", configRuleName: "s3-bucket-versioning-enabled", ruleID: "s3-bucket-server-side-encryption-enabled", wantRule: "s3-bucket-server-side-encryption-enabled"},
		{name: "chosen rule, any Config name", configRuleName: "OrgConfigRule-versioning-x1y2", ruleID: "s3-bucket-versioning-enabled", wantRule: "s3-bucket-versioning-enabled"},
		{name: "unknown Config name", configRuleName: "my-custom-rule", wantErr: `the Config rule "my-custom-rule" is not a catalog rule id`},
		{name: "unknown chosen rule", configRuleName: "s3-bucket-versioning-enabled", ruleID: "no-such-rule", wantErr: `rule "no-such-rule", chosen to run, is not in the catalog`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := configtest.New(t)
			h := configrule.NewCatalogHandler(catalog,
				configrule.WithAWSConfig(s.AWSConfig()), configrule.WithRuleID(tc.ruleID),
				configrule.WithLogger(discardLogger()))
			ev := changeEvent(t, readItem(t, "s3-bucket-versioning-enabled.json"), "")
			ev.ConfigRuleName = tc.configRuleName
			sum, err := invoke(t, h, payload(t, ev))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sum.Rule != tc.wantRule {
				t.Errorf("ran %s, want %s", sum.Rule, tc.wantRule)
			}
		})
	}
}

func TestLogs(t *testing.T) {
	s := configtest.New(t)
	h, logs := handler(t, s, rules.S3BucketVersioningEnabled())
	ev := changeEvent(t, readItem(t, "s3-bucket-versioning-enabled.json"), "")
	ev.ResultToken = "secret-result-token-value"
	if _, err := invoke(t, h, payload(t, ev)); err != nil {
		t.Fatal(err)
	}
	var evaluation, summary map[string]any
	for _, r := range logs.records(t) {
		switch r["msg"] {
		case "evaluation":
			evaluation = r
		case "invocation":
			summary = r
		}
	}
	for k, want := range map[string]any{
		"rule": "s3-bucket-versioning-enabled", "configRule": "s3-bucket-versioning-enabled",
		"resourceType": "AWS::S3::Bucket", "resourceId": "reports-versioned", "compliance": "COMPLIANT",
	} {
		if evaluation[k] != want {
			t.Errorf("evaluation record %s = %v, want %v", k, evaluation[k], want)
		}
	}
	if _, ok := evaluation["duration"].(float64); !ok {
		t.Errorf("evaluation record has no duration: %v", evaluation)
	}
	if summary["put"] != float64(1) || summary["duration"] == nil {
		t.Errorf("summary record %v", summary)
	}
	for _, secret := range []string{"secret-result-token-value", configtest.SecretAccessKey, configtest.AccessKeyID, "8ac813c84b8ad4d9f3e35f80aaeb254f85922a902ce87ed6b49ccbfa188f5a12", "BucketVersioningConfiguration"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the logs hold %q:\n%s", secret, logs)
		}
	}
}

func TestDeadlineLeavesTimeToPut(t *testing.T) {
	s := configtest.New(t)
	s.AddItems(buckets(t, 20)...)
	// The first five buckets are quick; the others take until the run's
	// evaluation time is over.
	slow := evaluate.NewRule(evaluate.Metadata{
		ID: "slow", ResourceTypes: []string{"AWS::S3::Bucket"}, Trigger: []evaluate.Trigger{evaluate.Periodic}, Severity: evaluate.Low,
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(ctx context.Context, in *evaluate.Input) (evaluate.Result, error) {
			if in.Item.ResourceID < "bucket-0005" {
				return evaluate.Compliantf("ok"), nil
			}
			<-ctx.Done()
			return evaluate.Result{}, ctx.Err()
		}), nil
	})
	h, _ := handler(t, s, slow, configrule.WithWorkers(2), configrule.WithCleanup(false))
	// A fifth of the time, 200ms, is kept to put the results.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	sum, err := h.Handle(ctx, periodicEvent("slow"))
	if err == nil || !strings.Contains(err.Error(), "13 of 20 resources were not evaluated before the Lambda's deadline") {
		t.Fatalf("err = %v, want the deadline named", err)
	}
	want := configrule.Summary{Rule: "slow", ConfigRuleName: "slow", MessageType: "ScheduledNotification", Evaluated: 7, Put: 5, Compliant: 5, Failed: 2}
	if diff := cmp.Diff(want, sum); diff != "" {
		t.Errorf("summary: the quick buckets are put, the two cut short fail, the rest is skipped (-want +got):\n%s", diff)
	}
	if n := len(s.PutEvaluations()); n != 5 {
		t.Errorf("%d evaluations put, want 5", n)
	}
}

func writeFact(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
