package watch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/guardrails-go/guardrails/remediate"
	"github.com/guardrails-go/guardrails/rules"
)

// A detection case is one record and what the watcher must say about it.
// The records are real ones from testdata/realdata (by reference, "from"),
// or real ones changed by a JSON merge patch ("patch") and top-level
// replacements ("set"), so that each variation is visible next to the
// shape it starts from.
type detectionCase struct {
	Name string `json:"name"`
	// Kind is "fires" (the detection reports it), "near-miss" (it looks
	// alike and must not fire the detection), "failed" (a failed call,
	// LOW) or "error" (the request cannot be judged).
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
	// From is "FILE#N" (the Nth record of a file under testdata) or
	// "FILE#NAME" (the Panther test of that name).
	From   string                     `json:"from"`
	Record json.RawMessage            `json:"record"`
	Patch  json.RawMessage            `json:"patch"`
	Set    map[string]json.RawMessage `json:"set"`
	// NeedsRule names a catalog rule the judgement runs; the case is
	// skipped while the catalog lacks it.
	NeedsRule string       `json:"needsRule"`
	Want      *wantFinding `json:"want"`
	// Error is a substring of the error when Kind is "error".
	Error string `json:"error"`
}

type wantFinding struct {
	Detection    string   `json:"detection"`
	Severity     Severity `json:"severity"`
	Rules        []string `json:"rules"`
	Remediations []string `json:"remediations"`
	Resources    []string `json:"resources,omitempty"`
	ErrorCode    string   `json:"errorCode,omitempty"`
	// Summary, when set, must appear in the finding's summary.
	Summary string `json:"summary,omitempty"`
}

// loadCases reads testdata/cases/*.json.
func loadCases(t *testing.T) map[string][]detectionCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "cases", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no case files: %v", err)
	}
	out := map[string][]detectionCase{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cs []detectionCase
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cs); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = cs
	}
	return out
}

// caseRecord builds the record of a case.
func caseRecord(t *testing.T, c detectionCase) []byte {
	t.Helper()
	var base []byte
	switch {
	case c.From != "" && c.Record != nil:
		t.Fatalf("case %s: both from and record", c.Name)
	case c.From != "":
		base = recordFrom(t, c.From)
	case c.Record != nil:
		base = c.Record
	default:
		t.Fatalf("case %s: neither from nor record", c.Name)
	}
	var m map[string]any
	if err := json.Unmarshal(base, &m); err != nil {
		t.Fatalf("case %s: %v", c.Name, err)
	}
	if c.Patch != nil {
		var p any
		if err := json.Unmarshal(c.Patch, &p); err != nil {
			t.Fatalf("case %s: patch: %v", c.Name, err)
		}
		m = mergePatch(m, p).(map[string]any)
	}
	for k, v := range c.Set {
		var x any
		if err := json.Unmarshal(v, &x); err != nil {
			t.Fatalf("case %s: set %s: %v", c.Name, k, err)
		}
		m[k] = x
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// mergePatch applies a JSON merge patch (RFC 7386).
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], v)
	}
	return t
}

// recordFrom reads "FILE#N" or "FILE#Panther test name".
func recordFrom(t *testing.T, ref string) []byte {
	t.Helper()
	file, sel, ok := strings.Cut(ref, "#")
	if !ok {
		t.Fatalf("from %q: want FILE#INDEX or FILE#NAME", ref)
	}
	path := filepath.Join("testdata", file)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("from %q: %v", ref, err)
	}
	if strings.Contains(file, "panther-analysis/") {
		var tests []struct {
			Name string          `json:"name"`
			Log  json.RawMessage `json:"log"`
		}
		if err := json.Unmarshal(data, &tests); err != nil {
			t.Fatalf("from %q: %v", ref, err)
		}
		for _, pt := range tests {
			if pt.Name == sel {
				return pt.Log
			}
		}
		t.Fatalf("from %q: no Panther test named %q", ref, sel)
	}
	n, err := strconv.Atoi(sel)
	if err != nil {
		t.Fatalf("from %q: %v", ref, err)
	}
	i := 0
	var found []byte
	split(bytes.NewReader(data), path, func(raw rawRecord) bool {
		if i == n {
			found = bytes.Clone(raw.data)
			return false
		}
		i++
		return true
	})
	if found == nil {
		t.Fatalf("from %q: no record %d", ref, n)
	}
	if h, err := readHead(found); err == nil && h.detail != nil {
		found = bytes.Clone(h.detail) // an EventBridge event: its record
	}
	return found
}

func TestDetectionCases(t *testing.T) {
	w, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for file, cs := range loadCases(t) {
		for _, c := range cs {
			t.Run(file+"/"+c.Name, func(t *testing.T) {
				if c.Reason == "" {
					t.Fatalf("case without a reason")
				}
				if c.NeedsRule != "" {
					if _, ok := rules.ByID(c.NeedsRule); !ok {
						t.Skipf("rule %s is not in the catalog yet; this case runs once it is", c.NeedsRule)
					}
				}
				data := caseRecord(t, c)
				rec, err := DecodeRecord(data)
				if err != nil {
					t.Fatalf("decoding: %v", err)
				}
				rec.Location = Location{Source: c.Name}
				f, err := w.Judge(context.Background(), rec)
				switch c.Kind {
				case "error":
					if err == nil || c.Error == "" || !strings.Contains(err.Error(), c.Error) {
						t.Fatalf("error = %v, want one containing %q (finding %+v)", err, c.Error, f)
					}
					if !strings.Contains(err.Error(), rec.EventID) {
						t.Errorf("error %q does not name the record's eventID %s", err, rec.EventID)
					}
					return
				case "fires", "near-miss", "failed":
				default:
					t.Fatalf("kind %q: want fires, near-miss, failed or error", c.Kind)
				}
				if err != nil {
					t.Fatalf("Judge: %v", err)
				}
				if c.Kind == "near-miss" && c.Want != nil && c.Want.Detection == file {
					t.Fatalf("a near miss must not expect detection %s", file)
				}
				if c.Want == nil {
					if f != nil {
						t.Fatalf("got a finding, want none: %s %s: %s", f.Severity, f.Detection, f.Summary)
					}
					return
				}
				if f == nil {
					t.Fatalf("no finding, want %s %s", c.Want.Severity, c.Want.Detection)
				}
				got := wantFinding{
					Detection: f.Detection, Severity: f.Severity, Rules: f.Rules, Remediations: f.Remediations,
					ErrorCode: f.ErrorCode,
				}
				if c.Want.Resources != nil {
					got.Resources = f.Resources
				}
				want := *c.Want
				want.Summary = ""
				if want.Rules == nil {
					want.Rules = []string{}
				}
				if want.Remediations == nil {
					want.Remediations = []string{}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("finding (-want +got):\n%s\nsummary: %s", diff, f.Summary)
				}
				if c.Want.Summary != "" && !strings.Contains(f.Summary, c.Want.Summary) {
					t.Errorf("summary %q does not contain %q", f.Summary, c.Want.Summary)
				}
				checkFinding(t, f, rec)
				t.Logf("%s %s: %s", f.Severity, f.Detection, f.Summary)
			})
		}
	}
}

// checkFinding checks what every finding carries from its record.
func checkFinding(t *testing.T, f *Finding, rec *Record) {
	t.Helper()
	if f.EventID != rec.EventID || f.EventName != rec.EventName || f.EventSource != rec.EventSource ||
		f.EventTime != rec.EventTime || f.AWSRegion != rec.AWSRegion || f.AccountID != rec.AccountID() {
		t.Errorf("finding does not carry the record's identity: %+v", f)
	}
	if f.Actor.ARN != rec.UserIdentity.ARN || f.Actor.Type != rec.UserIdentity.Type || f.Actor.InvokedBy != rec.UserIdentity.InvokedBy ||
		f.Actor.SessionIssuer != rec.UserIdentity.IssuerARN() {
		t.Errorf("actor %+v does not match the record's userIdentity %+v", f.Actor, rec.UserIdentity)
	}
	if f.SourceIPAddress != rec.SourceIPAddress || f.UserAgent != rec.UserAgent || f.ErrorCode != rec.ErrorCode {
		t.Errorf("finding lacks source IP, user agent or error code of the record")
	}
	if f.Summary == "" || f.Rules == nil || f.Remediations == nil || f.Resources == nil {
		t.Errorf("finding has an empty summary or null lists: %+v", f)
	}
	for _, r := range f.Resources {
		if !strings.HasPrefix(r, "arn:") {
			t.Errorf("resource %q is not an ARN", r)
		}
	}
}

// Every detection has a record that fires it and a near miss that must
// not; every rule and remediation a finding may name is one the detection
// declares.
func TestCatalogCoverage(t *testing.T) {
	cases := loadCases(t)
	seen := map[string]bool{}
	for _, d := range Detections() {
		if seen[d.ID] {
			t.Errorf("detection id %s is used twice", d.ID)
		}
		seen[d.ID] = true
		if d.Summary == "" || rank(d.Severity) == 0 || d.EventSource == "" || len(d.EventNames) == 0 {
			t.Errorf("%s: incomplete metadata %+v", d.ID, d)
		}
		if d.ID != s3ConfigurationChanged && d.judge == nil {
			t.Errorf("%s: no judge", d.ID)
		}
		// A finding may carry the rules of every detection that judged the
		// same call (the highest verdict wins, the rules are joined).
		var allowedRules, allowedRems []string
		for _, o := range Detections() {
			if o.EventSource != d.EventSource {
				continue
			}
			for _, n := range o.EventNames {
				if slices.Contains(d.EventNames, n) {
					allowedRules = append(allowedRules, o.Rules...)
					allowedRems = append(allowedRems, o.Remediations...)
				}
			}
		}
		kinds := map[string]int{}
		for _, c := range cases[d.ID] {
			kinds[c.Kind]++
			if c.Want == nil {
				continue
			}
			if c.Want.Detection == d.ID {
				for _, r := range c.Want.Rules {
					if !slices.Contains(allowedRules, r) {
						t.Errorf("%s/%s: rule %s is not among the rules of the detections of this call %v", d.ID, c.Name, r, allowedRules)
					}
				}
				for _, r := range c.Want.Remediations {
					if !slices.Contains(allowedRems, r) {
						t.Errorf("%s/%s: remediation %s is not among the remediations of the detections of this call %v", d.ID, c.Name, r, allowedRems)
					}
				}
			}
		}
		if kinds["fires"] == 0 {
			t.Errorf("%s: no case that fires it (testdata/cases/%s.json)", d.ID, d.ID)
		}
		if kinds["near-miss"] == 0 {
			t.Errorf("%s: no near miss (testdata/cases/%s.json)", d.ID, d.ID)
		}
	}
	for file := range cases {
		if !seen[file] && file != "general" {
			t.Errorf("testdata/cases/%s.json names no detection", file)
		}
	}
}

// The rule ids the detections name, and their remediations, exist in the
// catalogs.
func TestDetectionRulesInCatalog(t *testing.T) {
	for _, d := range Detections() {
		for _, r := range d.Rules {
			if _, ok := rules.ByID(r); !ok {
				t.Errorf("%s: rule %s is not in the catalog", d.ID, r)
			}
		}
		for _, r := range d.Remediations {
			if _, ok := remediate.ByID(r); !ok {
				t.Errorf("%s: remediation %s is not in the catalog", d.ID, r)
			}
		}
	}
}

// The remediation ids the detections name exist in package remediate, and
// each remediation fixes at least one of the detection's rules.
func TestDetectionRemediationsExist(t *testing.T) {
	for _, d := range Detections() {
		for _, id := range d.Remediations {
			r, ok := remediate.ByID(id)
			if !ok {
				t.Errorf("%s: remediation %s does not exist", d.ID, id)
				continue
			}
			fixes := false
			for _, rule := range d.Rules {
				fixes = fixes || slices.Contains(r.Fixes, rule)
			}
			if !fixes {
				t.Errorf("%s: remediation %s fixes %v, none of the detection's rules %v", d.ID, id, r.Fixes, d.Rules)
			}
		}
	}
}

func ExampleDetections() {
	for _, d := range Detections()[:3] {
		fmt.Printf("%s %s %s\n", d.Severity, d.ID, strings.Join(d.EventNames, ","))
	}
	// Output:
	// CRITICAL s3-bucket-policy-weakened PutBucketPolicy,DeleteBucketPolicy
	// CRITICAL s3-bucket-acl-public PutBucketAcl,CreateBucket
	// HIGH s3-bucket-public-access-block-weakened PutBucketPublicAccessBlock,DeleteBucketPublicAccessBlock
}
