package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// realdata is the watch package's copy of the real records.
var realdata = filepath.Join("..", "..", "watch", "testdata", "realdata")

type output struct {
	Findings []map[string]any `json:"findings"`
	Errors   []struct {
		Source  string `json:"source"`
		Message string `json:"message"`
	} `json:"errors"`
	Stats map[string]int `json:"stats"`
}

func TestJSONOutputFollowsTheContract(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "AWSLogs", "111122223333", "CloudTrail", "eu-west-1", "2024", "07", "31")
	os.MkdirAll(logs, 0o755)
	var recs []json.RawMessage
	for _, f := range []string{"aws.defense-evasion.cloudtrail-stop.json", "aws.persistence.iam-create-admin-user.json"} {
		var rs []json.RawMessage
		data, _ := os.ReadFile(filepath.Join(realdata, "stratus-red-team", f))
		json.Unmarshal(data, &rs)
		recs = append(recs, rs...)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	json.NewEncoder(zw).Encode(map[string]any{"Records": recs})
	zw.Close()
	os.WriteFile(filepath.Join(logs, "111122223333_CloudTrail_eu-west-1_20240731T1305Z_x.json.gz"), buf.Bytes(), 0o644)

	code, stdout, stderr := runCLI(t, "-input", dir, "-format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out output
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, stdout)
	}
	if len(out.Findings) != 2 || len(out.Errors) != 0 {
		t.Fatalf("%d findings, errors %v", len(out.Findings), out.Errors)
	}
	want := map[string]any{
		"detection": "cloudtrail-logging-stopped", "severity": "CRITICAL",
		"summary": "Trail stratus-red-team-ct-stop-trail-buykxbqejv stopped: API calls are no longer recorded by it.",
		"eventID": "10163ed2-2253-469d-a5ee-cbc6651f8934", "eventName": "StopLogging", "eventSource": "cloudtrail.amazonaws.com",
		"eventTime": "2024-07-31T13:06:24Z", "awsRegion": "apiso-centralnorth-2r", "accountId": "143434273843",
		"resources":       []any{"arn:aws:cloudtrail:apiso-centralnorth-2r:143434273843:trail/stratus-red-team-ct-stop-trail-buykxbqejv"},
		"sourceIPAddress": "86.245.153.234", "userAgent": "stratus-red-team_c97089f1-1ae3-4ecc-b006-f5e8fd0f2571", "errorCode": "",
		"rules": []any{"cloudtrail-enabled", "multi-region-cloudtrail-enabled"}, "remediations": []any{},
		"actor": map[string]any{"arn": "arn:aws:iam::143434273843:user/christophe", "type": "IAMUser", "invokedBy": "", "sessionIssuer": "",
			"accountId": "143434273843", "principalId": "AIDAOC1SYDVN0AF0FMMR", "accessKeyId": "AKIAGGWFBBHBE7D3M9WI"},
	}
	got := out.Findings[0]
	delete(got, "location")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("finding (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"files": 1, "records": 4, "skipped": 1, "skippedFiles": 0, "findings": 2}, out.Stats); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

func TestMinSeverityAndErrors(t *testing.T) {
	code, stdout, _ := runCLI(t, "-input", realdata, "-format", "json", "-min-severity", "high")
	var out output
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	for _, f := range out.Findings {
		if s := f["severity"]; s != "CRITICAL" && s != "HIGH" {
			t.Errorf("a %s finding with -min-severity high", s)
		}
	}
	// The real data holds files that are not log files (SNS notices, S3
	// notifications): each is an error naming it, the run goes on, and
	// the exit code says the input had errors.
	if code != exitError || len(out.Errors) == 0 || len(out.Findings) == 0 {
		t.Errorf("exit %d, %d errors, %d findings", code, len(out.Errors), len(out.Findings))
	}
	for _, e := range out.Errors {
		if !strings.HasPrefix(e.Source, realdata) {
			t.Errorf("error source %q does not name the file", e.Source)
		}
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		reason string
		args   []string
		code   int
		stderr string
	}{
		{"no input", nil, exitError, "no -input given"},
		{"missing file", []string{"-input", "/nonexistent/x.json.gz", "-format", "json"}, exitError, ""},
		{"bad format", []string{"-input", ".", "-format", "xml"}, exitError, `-format "xml"`},
		{"bad severity", []string{"-input", ".", "-min-severity", "urgent"}, exitError, "-min-severity"},
		{"stray argument", []string{"x.json"}, exitError, "unexpected argument"},
		{"ignore everything", []string{"-input", ".", "-ignore-principals", "*"}, exitError, "would ignore every call"},
		{"help", []string{"-h"}, exitOK, "usage: trail-watch"},
	} {
		code, _, stderr := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tc.reason, code, stderr, tc.code, tc.stderr)
		}
	}
}

func TestList(t *testing.T) {
	code, stdout, _ := runCLI(t, "-list", "-format", "json")
	var ds []struct {
		ID       string   `json:"id"`
		Severity string   `json:"severity"`
		Rules    []string `json:"rules"`
	}
	if err := json.Unmarshal([]byte(stdout), &ds); err != nil || code != 0 || len(ds) < 25 {
		t.Fatalf("exit %d, %d detections, %v", code, len(ds), err)
	}
	for _, d := range ds {
		if d.ID == "" || d.Severity == "" || d.Rules == nil {
			t.Errorf("incomplete detection %+v", d)
		}
	}
	code, stdout, _ = runCLI(t, "-list")
	if code != 0 || !strings.Contains(stdout, "s3-bucket-policy-weakened") {
		t.Errorf("text list: exit %d\n%s", code, stdout)
	}
}

func TestTextReport(t *testing.T) {
	code, stdout, _ := runCLI(t, "-input", filepath.Join(realdata, "stratus-red-team"))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"CRITICAL      cloudtrail-logging-stopped", "who    arn:aws:iam::143434273843:user/christophe from 86.245.153.234"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stdout, "records (") || !strings.Contains(stdout, "findings.") {
		t.Errorf("report lacks the counts:\n%s", stdout)
	}
}

// The Lambda is configured by environment; mistakes stop it at init.
func TestLambdaConfiguration(t *testing.T) {
	callerAccount = func(context.Context, aws.Config) (string, error) { return "111122223333", nil }
	cfg := aws.Config{Region: "eu-west-1"}
	for _, tc := range []struct {
		reason string
		env    map[string]string
		err    string
	}{
		{"minimal", map[string]string{"GUARDRAILS_TOPIC_ARN": "arn:aws:sns:eu-west-1:111122223333:t"}, ""},
		{"everything", map[string]string{"GUARDRAILS_TOPIC_ARN": "arn:aws:sns:eu-west-1:111122223333:t.fifo", "GUARDRAILS_MIN_SEVERITY": "high",
			"GUARDRAILS_IGNORE_PRINCIPALS": "arn:aws:iam::111122223333:role/guardrails-*,arn:aws:iam::*:user/ci", "GUARDRAILS_REMEDIATE": "dry-run",
			"GUARDRAILS_REMEDIATION_PARAMS": `{"s3-enable-access-logging": {"targetBucket": "access-logs"}}`}, ""},
		{"no topic", map[string]string{}, "GUARDRAILS_TOPIC_ARN is not set"},
		{"topic not an ARN", map[string]string{"GUARDRAILS_TOPIC_ARN": "findings"}, "GUARDRAILS_TOPIC_ARN"},
		{"bad severity", map[string]string{"GUARDRAILS_TOPIC_ARN": "arn:aws:sns:eu-west-1:111122223333:t", "GUARDRAILS_MIN_SEVERITY": "loud"}, "GUARDRAILS_MIN_SEVERITY"},
		{"bad mode", map[string]string{"GUARDRAILS_TOPIC_ARN": "arn:aws:sns:eu-west-1:111122223333:t", "GUARDRAILS_REMEDIATE": "yes"}, "GUARDRAILS_REMEDIATE"},
		{"bad params", map[string]string{"GUARDRAILS_TOPIC_ARN": "arn:aws:sns:eu-west-1:111122223333:t", "GUARDRAILS_REMEDIATE": "apply", "GUARDRAILS_REMEDIATION_PARAMS": "{"}, "GUARDRAILS_REMEDIATION_PARAMS"},
		{"unknown remediation parameter", map[string]string{"GUARDRAILS_TOPIC_ARN": "arn:aws:sns:eu-west-1:111122223333:t", "GUARDRAILS_REMEDIATE": "apply",
			"GUARDRAILS_REMEDIATION_PARAMS": `{"s3-enable-versioning": {"mfa": "x"}}`}, `has no parameter "mfa"`},
	} {
		h, err := newHandler(context.Background(), cfg, func(k string) string { return tc.env[k] }, slog.Default())
		switch {
		case tc.err == "" && (err != nil || h == nil):
			t.Errorf("%s: %v", tc.reason, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.reason, err, tc.err)
		}
	}
}
