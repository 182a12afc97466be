package watch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/guardrails-go/guardrails/watch"
)

// findingsOf runs a session over data and returns "SEVERITY detection
// eventID" per finding and the errors.
func findingsOf(t *testing.T, w *watch.Watcher, data []byte) ([]string, []string, watch.Stats) {
	t.Helper()
	sess := w.NewSession()
	var fs, errs []string
	for f, err := range sess.Read(context.Background(), bytes.NewReader(data), "log.json") {
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		fs = append(fs, fmt.Sprintf("%s %s %s", f.Severity, f.Detection, f.EventID))
	}
	return fs, errs, sess.Stats()
}

func mustNew(t *testing.T, opts ...watch.Option) *watch.Watcher {
	t.Helper()
	w, err := watch.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// CloudTrail may deliver a record twice: one finding per eventID.
func TestSessionDeduplicatesByEventID(t *testing.T) {
	stop := stratusRecords(t)[2] // StopLogging
	sess := mustNew(t).NewSession()
	var fs []string
	// Twice in one file, and again in the next file.
	for i, data := range [][]byte{logFile(t, stop, stop), gz(t, logFile(t, stop))} {
		for f, err := range sess.Read(context.Background(), bytes.NewReader(data), fmt.Sprint("log-", i)) {
			if err != nil {
				t.Fatal(err)
			}
			fs = append(fs, fmt.Sprintf("%s %s %s", f.Severity, f.Detection, f.EventID))
		}
	}
	st := sess.Stats()
	if diff := cmp.Diff([]string{"CRITICAL cloudtrail-logging-stopped 10163ed2-2253-469d-a5ee-cbc6651f8934"}, fs); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if st.Files != 2 || st.Records != 3 || st.Skipped != 2 || st.Findings != 1 {
		t.Errorf("stats %+v, want 2 files, 3 records, 2 skipped (the duplicates), 1 finding", st)
	}
}

func TestIgnorePrincipals(t *testing.T) {
	stratus := stratusRecords(t)
	assumed := json.RawMessage(readFile(t, "realdata/aws-kms-developer-guide/ct-disable-key-rotation.json"))
	var m map[string]any
	json.Unmarshal(assumed, &m)
	m["userIdentity"] = map[string]any{
		"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/guardrails-remediation/i-session", "accountId": "111122223333",
		"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "arn": "arn:aws:iam::111122223333:role/guardrails-remediation"}},
	}
	remediationCall, _ := json.Marshal(m)
	data := logFile(t, append([]json.RawMessage{remediationCall}, stratus...)...)
	all, _, _ := findingsOf(t, mustNew(t), data)
	for _, tc := range []struct {
		reason   string
		patterns []string
		dropped  int
	}{
		{"no list", nil, 0},
		{"the role that issued the session, by exact ARN", []string{"arn:aws:iam::111122223333:role/guardrails-remediation"}, 1},
		{"the session ARN with a wildcard", []string{"arn:aws:sts::*:assumed-role/guardrails-*"}, 1},
		{"a user by wildcard: every Stratus finding is by user christophe", []string{"arn:aws:iam::*:user/christophe"}, len(all) - 1},
		{"a pattern that matches nothing", []string{"arn:aws:iam::*:user/bob"}, 0},
		{"empty entries of a comma-separated list are ignored", []string{"", " "}, 0},
	} {
		got, _, _ := findingsOf(t, mustNew(t, watch.WithIgnorePrincipals(tc.patterns...)), data)
		if len(all)-len(got) != tc.dropped {
			t.Errorf("%s: %d findings dropped, want %d", tc.reason, len(all)-len(got), tc.dropped)
		}
	}
	if _, err := watch.New(watch.WithIgnorePrincipals("*")); err == nil {
		t.Errorf(`WithIgnorePrincipals("*") accepted a pattern that ignores everything`)
	}
}

func TestMinSeverity(t *testing.T) {
	stratus := stratusRecords(t)
	data := logFile(t, stratus...)
	count := func(min watch.Severity) map[watch.Severity]int {
		sess := mustNew(t, watch.WithMinSeverity(min)).NewSession()
		out := map[watch.Severity]int{}
		for f, err := range sess.Read(context.Background(), bytes.NewReader(data), "x") {
			if err == nil {
				out[f.Severity]++
			}
		}
		return out
	}
	all := count(watch.Informational)
	high := count(watch.High)
	for sev, n := range all {
		want := n
		if !watch.AtLeast(sev, watch.High) {
			want = 0
		}
		if high[sev] != want {
			t.Errorf("with HIGH minimum, %d %s findings, want %d", high[sev], sev, want)
		}
	}
	if all[watch.Medium] == 0 || all[watch.Critical] == 0 {
		t.Fatalf("the Stratus records should give MEDIUM and CRITICAL findings: %v", all)
	}
	if _, err := watch.New(watch.WithMinSeverity("SEVERE")); err == nil {
		t.Error("an unknown severity was accepted")
	}
}

func TestParseSeverity(t *testing.T) {
	for in, want := range map[string]watch.Severity{"low": watch.Low, " HIGH ": watch.High, "Informational": watch.Informational} {
		if got, err := watch.ParseSeverity(in); err != nil || got != want {
			t.Errorf("ParseSeverity(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := watch.ParseSeverity("urgent"); err == nil || !strings.Contains(err.Error(), "CRITICAL, HIGH") {
		t.Errorf("ParseSeverity(urgent) error %v", err)
	}
}

// Every real record in testdata gives the same verdict each time and never
// panics; the Panther tests that Panther expects to alert and that are
// CloudTrail calls we cover give a finding.
func TestRealRecordsEndToEnd(t *testing.T) {
	w := mustNew(t)
	entries, err := os.ReadDir("testdata/realdata/panther-analysis")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		var tests []struct {
			Name     string          `json:"name"`
			Expected bool            `json:"expected"`
			Log      json.RawMessage `json:"log"`
		}
		if err := json.Unmarshal(readFile(t, "realdata/panther-analysis/"+e.Name()), &tests); err != nil {
			t.Fatal(err)
		}
		for _, pt := range tests {
			rec, err := watch.DecodeRecord(pt.Log)
			if err != nil {
				t.Errorf("%s %q: %v", e.Name(), pt.Name, err)
				continue
			}
			f, jerr := w.Judge(context.Background(), rec)
			// Where Panther's rule means something else: any security group
			// change (we report world-open restricted ports), resources of
			// other services, allow lists, RDS clusters.
			covered := !strings.Contains(pt.Name, "Allowlisted") && !strings.Contains(e.Name(), "resource_made_public") &&
				!strings.Contains(pt.Name, "Cluster") && !strings.Contains(e.Name(), "security_group_modified")
			if pt.Expected && covered && f == nil {
				t.Errorf("%s %q: Panther alerts, we say nothing (error %v)", e.Name(), pt.Name, jerr)
			}
		}
	}
}
