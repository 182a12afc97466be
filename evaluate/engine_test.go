package evaluate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var testNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// testRule returns a rule over S3 buckets whose verdict fn decides.
func testRule(id string, fn func(*Input) (Result, error), params ...Parameter) Rule {
	return NewRule(Metadata{
		ID: id, ResourceTypes: []string{"AWS::S3::Bucket"}, Trigger: []Trigger{OnChange},
		Severity: Medium, Parameters: params,
	}, func(Params) (Evaluator, error) {
		return EvaluatorFunc(func(_ context.Context, in *Input) (Result, error) { return fn(in) }), nil
	})
}

func bucketItem(name string) *ConfigurationItem {
	ci, err := DecodeItem([]byte(bucketJSON(name)))
	if err != nil {
		panic(err)
	}
	return ci
}

func nameIs(want string) func(*Input) (Result, error) {
	return func(in *Input) (Result, error) {
		if in.Item.ResourceID == want {
			return NonCompliantf("bucket %s is the one", want), nil
		}
		return Compliantf("fine"), nil
	}
}

func TestNewEngineChecks(t *testing.T) {
	ok := testRule("ok", nameIs("x"))
	tests := []struct {
		reason string
		rules  []Rule
		opts   []Option
		want   []string
	}{
		{"duplicate ids", []Rule{ok, testRule("ok", nameIs("y"))}, nil, []string{"rule ok: the id is used twice"}},
		{"bad resource type", []Rule{NewRule(Metadata{ID: "r", ResourceTypes: []string{"S3 bucket"}, Trigger: []Trigger{OnChange}, Severity: Low},
			func(Params) (Evaluator, error) { return nil, nil })}, nil, []string{`resource type "S3 bucket"`}},
		{"parameters of a rule not in the set", []Rule{ok}, []Option{WithParameters(map[string]map[string]string{"nope": {}})},
			[]string{"parameters given for rule nope"}},
		{"unknown parameter", []Rule{ok}, []Option{WithParameters(map[string]map[string]string{"ok": {"maxAge": "3"}})},
			[]string{"rule ok: parameter maxAge", "unknown parameter (the rule takes: none)"}},
		{"parameter of the wrong type", []Rule{testRule("p", nameIs("x"), Parameter{Name: "maxAge", Type: Int})},
			[]Option{WithParameters(map[string]map[string]string{"p": {"maxAge": "ninety"}})},
			[]string{`rule p: parameter maxAge = "ninety": not an integer`}},
		{"required parameter missing", []Rule{testRule("p", nameIs("x"), Parameter{Name: "kmsKeyArns", Type: CSV, Required: true})},
			nil, []string{"rule p: parameter kmsKeyArns: required, and not given"}},
		{"prepare fails", []Rule{NewRule(Metadata{ID: "f", ResourceTypes: []string{"AWS::S3::Bucket"}, Trigger: []Trigger{OnChange}, Severity: Low},
			func(Params) (Evaluator, error) {
				return nil, &ParamError{Name: "ports", Value: "22-", Err: errors.New("a range needs two ends")}
			})}, nil, []string{`rule f: parameter ports = "22-": a range needs two ends`}},
		{"prepare panics", []Rule{NewRule(Metadata{ID: "boom", ResourceTypes: []string{"AWS::S3::Bucket"}, Trigger: []Trigger{OnChange}, Severity: Low},
			func(Params) (Evaluator, error) { panic("bad") })}, nil, []string{"rule boom: preparing panicked: bad"}},
	}
	for _, tc := range tests {
		_, err := NewEngine(tc.rules, tc.opts...)
		if err == nil {
			t.Errorf("%s: no error", tc.reason)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q, want it to contain %q", tc.reason, err, w)
			}
		}
	}
}

func TestEvaluateStatuses(t *testing.T) {
	e, err := NewEngine([]Rule{testRule("r", nameIs("b"))}, WithClock(func() time.Time { return testNow }))
	if err != nil {
		t.Fatal(err)
	}
	deleted := bucketItem("gone")
	deleted.Status, deleted.Configuration = StatusResourceDeleted, nil
	notRecorded := bucketItem("nr")
	notRecorded.Status = StatusResourceNotRecorded
	nullConf := bucketItem("null")
	nullConf.Configuration = nil
	other := bucketItem("vpc")
	other.ResourceType = "AWS::EC2::VPC"
	tests := []struct {
		reason  string
		item    *ConfigurationItem
		want    []Compliance
		wantErr string
	}{
		{"non-compliant", bucketItem("b"), []Compliance{NonCompliant}, ""},
		{"compliant", bucketItem("a"), []Compliance{Compliant}, ""},
		{"deleted: not applicable", deleted, []Compliance{NotApplicable}, ""},
		{"not recorded: not evaluated", notRecorded, nil, ""},
		{"a type no rule covers", other, nil, ""},
		{"configuration null on a live resource", nullConf, nil, "configuration: null for a resource that is not deleted"},
	}
	for _, tc := range tests {
		evs, err := e.Evaluate(context.Background(), tc.item)
		var got []Compliance
		for _, ev := range evs {
			got = append(got, ev.Compliance)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", tc.reason, diff)
		}
		if (err != nil) != (tc.wantErr != "") || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: error %v, want %q", tc.reason, err, tc.wantErr)
		}
	}
}

// TestFailingRuleDoesNotStopOthers: a rule that panics or errors yields an
// error for itself and that item only.
func TestFailingRuleDoesNotStopOthers(t *testing.T) {
	panics := testRule("panics", func(in *Input) (Result, error) {
		if in.Item.ResourceID == "b" {
			var m map[string]int
			m["x"]++ // a nil map write: a real bug's panic
		}
		return Compliantf("ok"), nil
	})
	errs := testRule("errs", func(in *Input) (Result, error) { return Result{}, errors.New("cannot decide") })
	junk := testRule("junk", func(in *Input) (Result, error) { return Result{Compliance: "MAYBE"}, nil })
	good := testRule("good", nameIs("zzz"))
	e, err := NewEngine([]Rule{panics, errs, junk, good})
	if err != nil {
		t.Fatal(err)
	}
	var got, gotErrs []string
	for ev, err := range e.Scan(context.Background(), Items(bucketItem("a"), bucketItem("b"))) {
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%v is not an *Error", err)
			}
			gotErrs = append(gotErrs, e.RuleID+"/"+e.ResourceID+": "+strings.SplitN(e.Err.Error(), "\n", 2)[0])
			continue
		}
		got = append(got, ev.RuleID+"/"+ev.ResourceID+"="+string(ev.Compliance))
	}
	if diff := cmp.Diff([]string{"panics/a=COMPLIANT", "good/a=COMPLIANT", "good/b=COMPLIANT"}, got); diff != "" {
		t.Errorf("evaluations (-want +got):\n%s", diff)
	}
	wantErrs := []string{
		"errs/a: cannot decide", `junk/a: returned compliance "MAYBE"`,
		"panics/b: panicked: assignment to entry in nil map", "errs/b: cannot decide", `junk/b: returned compliance "MAYBE"`,
	}
	if diff := cmp.Diff(wantErrs, gotErrs); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// TestScanOrderIsDeterministic: many workers, the same order as one.
func TestScanOrderIsDeterministic(t *testing.T) {
	var items []*ConfigurationItem
	for i := range 3000 {
		items = append(items, bucketItem(fmt.Sprintf("b%04d", i)))
	}
	slow := testRule("slow", func(in *Input) (Result, error) {
		if in.Item.ResourceID[len(in.Item.ResourceID)-1] == '7' {
			time.Sleep(50 * time.Microsecond) // uneven work reorders completion
		}
		return Compliantf("%s", in.Item.ResourceID), nil
	})
	run := func(workers int) []string {
		e, err := NewEngine([]Rule{slow}, WithWorkers(workers))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for ev, err := range e.Scan(context.Background(), Items(items...)) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, ev.ResourceID)
		}
		return out
	}
	one, many := run(1), run(8)
	if len(one) != 3000 {
		t.Fatalf("%d evaluations, want 3000", len(one))
	}
	if diff := cmp.Diff(one, many); diff != "" {
		t.Errorf("order with 8 workers differs from 1 (-one +many):\n%s", diff)
	}
}

func TestScanStopsWhenTheConsumerStops(t *testing.T) {
	var read atomic.Int64
	endless := func(yield func(*ConfigurationItem, error) bool) {
		for i := 0; ; i++ {
			read.Add(1)
			if !yield(bucketItem("x"), nil) {
				return
			}
		}
	}
	e, _ := NewEngine([]Rule{testRule("r", nameIs("x"))})
	n := 0
	for range e.Scan(context.Background(), endless) {
		n++
		if n == 100 {
			break
		}
	}
	if r := read.Load(); r > 100+2*128*int64(e.opts.workers)+256 {
		t.Errorf("read %d items for 100 evaluations: the source was not stopped", r)
	}
}

// TestModelDecodedOncePerItem: three rules reading one model decode each
// item once.
func TestModelDecodedOncePerItem(t *testing.T) {
	var decodes atomic.Int64
	model := NewModel("AWS::S3::Bucket", func(ci *ConfigurationItem) (string, error) {
		decodes.Add(1)
		var c struct{ Name string }
		err := json.Unmarshal(ci.Configuration, &c)
		return c.Name, err
	})
	var rs []Rule
	for i := range 3 {
		rs = append(rs, testRule(fmt.Sprintf("r%d", i), func(in *Input) (Result, error) {
			name, err := model.Of(in)
			return Compliantf("%s", name), err
		}))
	}
	e, _ := NewEngine(rs)
	n := 0
	for ev, err := range e.Scan(context.Background(), Items(bucketItem("a"), bucketItem("b"))) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Annotation != ev.ResourceID {
			t.Errorf("annotation %q for %s: the model of another item leaked", ev.Annotation, ev.ResourceID)
		}
		n++
	}
	if n != 6 || decodes.Load() != 2 {
		t.Errorf("%d evaluations and %d decodes, want 6 and 2", n, decodes.Load())
	}
}

// TestAccountRulesAndLookups: account rules run once per account and
// region seen, after the items, and see the scanned items through lookups.
func TestAccountRulesAndLookups(t *testing.T) {
	trails := NewRule(Metadata{
		ID: "trails", ResourceTypes: []string{AccountResourceType}, Trigger: []Trigger{Periodic}, Severity: High,
		Lookups: []string{"AWS::CloudTrail::Trail"},
	}, func(Params) (Evaluator, error) {
		return EvaluatorFunc(func(ctx context.Context, in *Input) (Result, error) {
			ts, err := in.Lookup.Resources(ctx, Query{ResourceType: "AWS::CloudTrail::Trail", AccountID: in.Item.AccountID})
			if errors.Is(err, ErrUnknown) {
				return InsufficientDataf("%v", err), nil
			}
			if err != nil {
				return Result{}, err
			}
			return Compliantf("%d trails", len(ts)), nil
		}), nil
	})
	trail := func(acct string) *ConfigurationItem {
		return &ConfigurationItem{ResourceType: "AWS::CloudTrail::Trail", ResourceID: "t-" + acct, AccountID: acct, Region: "eu-west-1", Configuration: []byte("{}")}
	}
	user := &ConfigurationItem{ResourceType: "AWS::IAM::User", ResourceID: "u", AccountID: "333", Region: "global", Configuration: []byte("{}")}
	b := bucketItem("b") // account 111122223333, eu-west-1
	e, _ := NewEngine([]Rule{trails}, WithClock(func() time.Time { return testNow }))
	var got []string
	for ev, err := range e.Scan(context.Background(), Items(trail("222"), b, user, trail("222"))) {
		if err != nil {
			t.Fatal(err)
		}
		if !ev.OrderingTimestamp.Equal(testNow) {
			t.Errorf("account evaluation stamped %v, want the scan time", ev.OrderingTimestamp)
		}
		got = append(got, fmt.Sprintf("%s %s %s %s: %s", ev.ResourceType, ev.ResourceID, ev.Region, ev.Compliance, ev.Annotation))
	}
	want := []string{
		"AWS::::Account 111122223333 eu-west-1 INSUFFICIENT_DATA: unknown: no AWS::CloudTrail::Trail items of account 111122223333 in the scanned input",
		"AWS::::Account 222 eu-west-1 COMPLIANT: 1 trails",
		"AWS::::Account 333  INSUFFICIENT_DATA: unknown: no AWS::CloudTrail::Trail items of account 333 in the scanned input",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestEvaluationFields(t *testing.T) {
	long := testRule("long", func(in *Input) (Result, error) { return NonCompliantf("%s", strings.Repeat("é", 200)), nil })
	e, _ := NewEngine([]Rule{long})
	ci := bucketItem("b")
	ci.Location = &Location{File: "f.json", Line: 3}
	evs, err := e.Evaluate(context.Background(), ci)
	if err != nil || len(evs) != 1 {
		t.Fatalf("%v %v", evs, err)
	}
	ev := evs[0]
	if len(ev.Annotation) > MaxAnnotation || !strings.HasPrefix(strings.Repeat("é", 200), ev.Annotation) {
		t.Errorf("annotation of %d bytes, want a UTF-8 prefix of at most 256", len(ev.Annotation))
	}
	if !ev.OrderingTimestamp.Equal(ci.CaptureTime) || ev.AccountID != "111122223333" || ev.Location != ci.Location {
		t.Errorf("evaluation %+v: want the capture time, account and location of the item", ev)
	}
}

func TestMemoizeOncePerLookup(t *testing.T) {
	type key struct{ n int }
	calls := 0
	compute := func() (int, error) { calls++; return 42, nil }
	in := &Input{Lookup: NewInventory(nil)}
	for range 3 {
		if v, err := Memoize(in, key{1}, compute); v != 42 || err != nil {
			t.Fatalf("Memoize = %d, %v", v, err)
		}
	}
	if calls != 1 {
		t.Errorf("computed %d times through an Inventory, want 1", calls)
	}
	// A lookup that keeps nothing computes every time.
	calls = 0
	in = &Input{Lookup: plainLookup{}}
	Memoize(in, key{1}, compute)
	Memoize(in, key{1}, compute)
	if calls != 2 {
		t.Errorf("computed %d times without a Memo, want 2", calls)
	}
	// Related decodes a looked-up item once per inventory.
	var decodes atomic.Int64
	model := NewModel("AWS::S3::Bucket", func(ci *ConfigurationItem) (string, error) { decodes.Add(1); return ci.ResourceID, nil })
	in = &Input{Lookup: NewInventory(nil)}
	b := bucketItem("b")
	for range 5 {
		if got, _ := model.Related(in, b); got != "b" {
			t.Fatalf("Related = %q", got)
		}
	}
	if decodes.Load() != 1 {
		t.Errorf("%d decodes, want 1", decodes.Load())
	}
}

type plainLookup struct{}

func (plainLookup) Resource(context.Context, string, string) (*ConfigurationItem, error) {
	return nil, ErrUnknown
}
func (plainLookup) Resources(context.Context, Query) ([]*ConfigurationItem, error) {
	return nil, ErrUnknown
}
func (plainLookup) Fact(context.Context, string, string, string) ([]byte, error) {
	return nil, ErrUnknown
}

// TestScanFilesLookups: ScanFiles' first pass keeps only lookup types, and
// the rules still see them.
func TestScanFilesLookups(t *testing.T) {
	counts := NewRule(Metadata{
		ID: "vpc-sees-trails", ResourceTypes: []string{"AWS::EC2::VPC"}, Trigger: []Trigger{OnChange}, Severity: Low,
		Lookups: []string{"AWS::CloudTrail::Trail"},
	}, func(Params) (Evaluator, error) {
		return EvaluatorFunc(func(ctx context.Context, in *Input) (Result, error) {
			ts, err := in.Lookup.Resources(ctx, Query{ResourceType: "AWS::CloudTrail::Trail", AccountID: in.Item.AccountID})
			if err != nil {
				return Result{}, err
			}
			return Compliantf("%d trails", len(ts)), nil
		}), nil
	})
	item := func(rtype, id string) string {
		return strings.NewReplacer(`"AWS::S3::Bucket"`, `"`+rtype+`"`).Replace(bucketJSON(id))
	}
	dir := t.TempDir()
	snap := `{"configurationItems":[` + item("AWS::EC2::VPC", "vpc-1") + `,` + item("AWS::CloudTrail::Trail", "t1") + `,` + item("AWS::S3::Bucket", "b") + `]}`
	if err := os.WriteFile(filepath.Join(dir, "s.json"), []byte(snap), 0o644); err != nil {
		t.Fatal(err)
	}
	e, _ := NewEngine([]Rule{counts})
	if diff := cmp.Diff([]string{"AWS::CloudTrail::Trail"}, e.LookupTypes()); diff != "" {
		t.Errorf("lookup types (-want +got):\n%s", diff)
	}
	var got []string
	for ev, err := range e.ScanFiles(context.Background(), Reader{}, dir) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev.ResourceID+": "+ev.Annotation)
	}
	if diff := cmp.Diff([]string{"vpc-1: 1 trails"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
