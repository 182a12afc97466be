package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func scan(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

type report struct {
	Evaluations []struct {
		ConfigRuleName         string `json:"configRuleName"`
		ComplianceResourceType string `json:"complianceResourceType"`
		ComplianceResourceID   string `json:"complianceResourceId"`
		ComplianceType         string `json:"complianceType"`
		Annotation             string `json:"annotation"`
		OrderingTimestamp      string `json:"orderingTimestamp"`
	} `json:"evaluations"`
	Errors []struct {
		Source  string `json:"source"`
		Message string `json:"message"`
	} `json:"errors"`
	Stats map[string]int `json:"stats"`
}

func parseReport(t *testing.T, s string) report {
	t.Helper()
	var r report
	dec := json.NewDecoder(strings.NewReader(s))
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("output is not the report object: %v\n%s", err, s)
	}
	if dec.More() {
		t.Fatalf("more than one JSON value on stdout")
	}
	return r
}

func item(name string, encrypted bool) string {
	supp := `{}`
	if encrypted {
		supp = `{"ServerSideEncryptionConfiguration":{"rules":[{"applyServerSideEncryptionByDefault":{"sseAlgorithm":"AES256"}}]}}`
	}
	return `{"configurationItemVersion":"1.3","configurationItemCaptureTime":"2026-11-20T10:00:00.000Z","configurationItemStatus":"OK",` +
		`"awsAccountId":"111122223333","resourceType":"AWS::S3::Bucket","resourceId":"` + name + `","ARN":"arn:aws:s3:::` + name + `",` +
		`"awsRegion":"eu-west-1","configuration":{"name":"` + name + `"},"supplementaryConfiguration":` + supp + `}`
}

func writeFile(t *testing.T, path, content string, zip bool) {
	t.Helper()
	data := []byte(content)
	if zip {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(data)
		zw.Close()
		data = b.Bytes()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSampleTextReport(t *testing.T) {
	code, out, errs := scan(t)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Scanned 44 items", "RULE", "s3-bucket-server-side-encryption-enabled", "Non-compliant resources",
		"acme-legacy-uploads", "Bucket acme-legacy-uploads has no default encryption."} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestJSONReportOfDirectory(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "plain.json"), item("plain", false), false)
	writeFile(t, filepath.Join(dir, "sub/snapshot.json.gz"), `{"fileVersion":"1.0","configurationItems":[`+item("enc", true)+`]}`, true)
	code, out, errs := scan(t, "-input", dir, "-format", "json", "-rules", "s3-bucket-server-side-encryption-enabled")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	r := parseReport(t, out)
	got := map[string]string{}
	for _, ev := range r.Evaluations {
		got[ev.ComplianceResourceID] = ev.ComplianceType
		if ev.ConfigRuleName != "s3-bucket-server-side-encryption-enabled" || ev.OrderingTimestamp != "2026-11-20T10:00:00Z" {
			t.Errorf("evaluation %+v", ev)
		}
	}
	if got["plain"] != "NON_COMPLIANT" || got["enc"] != "COMPLIANT" || len(got) != 2 {
		t.Errorf("evaluations %v", got)
	}
	if len(r.Errors) != 0 || r.Stats["items"] != 2 {
		t.Errorf("errors %v, stats %v", r.Errors, r.Stats)
	}
	code, _, _ = scan(t, "-input", dir, "-format", "json", "-rules", "s3-bucket-server-side-encryption-enabled", "-fail-on-noncompliant")
	if code != 3 {
		t.Errorf("-fail-on-noncompliant with a finding: exit %d, want 3", code)
	}
}

// TestBadInput: errors name the file and line, the good items are still
// evaluated, and the exit status is 1.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	broken := strings.Replace(item("bad", false), `"resourceId":"bad"`, `"resourceId":"bad","tags":[]`, 1)
	writeFile(t, filepath.Join(dir, "snap.json"), "{\"configurationItems\":[\n"+item("good", true)+",\n"+broken+"\n]}", false)
	writeFile(t, filepath.Join(dir, "truncated.json.gz"), `{"configurationItems":[`+item("cut", true), true)
	code, out, _ := scan(t, "-input", dir, "-format", "json")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	r := parseReport(t, out)
	if len(r.Errors) != 2 {
		t.Fatalf("errors %+v, want 2", r.Errors)
	}
	if e := r.Errors[0]; !strings.HasSuffix(e.Source, "snap.json") || !strings.Contains(e.Message, "line 3") || !strings.Contains(e.Message, "tags: want an object") {
		t.Errorf("error %+v: want the file, line 3 and the field", e)
	}
	if e := r.Errors[1]; !strings.HasSuffix(e.Source, "truncated.json.gz") || !strings.Contains(e.Message, "unexpected end") {
		t.Errorf("error %+v: want the truncated file named", e)
	}
	found := false
	for _, ev := range r.Evaluations {
		found = found || ev.ComplianceResourceID == "good"
	}
	if !found {
		t.Error("the good item was not evaluated")
	}
}

func TestUsageErrors(t *testing.T) {
	params := filepath.Join(t.TempDir(), "params.json")
	writeFile(t, params, `{"s3-bucket-versioning-enabled": {"isMfaDeleteEnabled": "perhaps"}}`, false)
	unknown := filepath.Join(t.TempDir(), "unknown.json")
	writeFile(t, unknown, `{"no-such-rule": {}}`, false)
	tests := []struct {
		reason string
		args   []string
		want   string
	}{
		{"unknown format", []string{"-format", "xml"}, `-format "xml"`},
		{"unknown rule", []string{"-rules", "nope"}, "no rule nope in the catalog"},
		{"bad parameter value", []string{"-params", params}, `parameter isMfaDeleteEnabled = "perhaps": not true or false`},
		{"parameters of an unknown rule", []string{"-params", unknown}, "no rule no-such-rule"},
		{"missing params file", []string{"-params", "/nonexistent.json"}, "no such file"},
		{"missing facts directory", []string{"-facts", "/nonexistent"}, "-facts /nonexistent: not a directory"},
		{"stray argument", []string{"snapshot.json"}, "inputs are given with -input"},
		{"unknown flag", []string{"-verbose"}, "flag provided but not defined"},
	}
	for _, tc := range tests {
		code, _, errs := scan(t, tc.args...)
		if code != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want 1 and %q", tc.reason, code, errs, tc.want)
		}
	}
	code, _, _ := scan(t, "-input", "/nonexistent", "-format", "json")
	if code != 1 {
		t.Errorf("missing input: exit %d, want 1", code)
	}
}

func TestList(t *testing.T) {
	code, out, _ := scan(t, "-list", "-format", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) == 0 {
		t.Fatalf("not a JSON array of rules: %v", err)
	}
	for _, r := range list {
		for _, field := range []string{"id", "summary", "resourceTypes", "trigger", "parameters", "severity", "managedRule", "controls", "remediations"} {
			if _, ok := r[field]; !ok {
				t.Errorf("rule %v lacks %s", r["id"], field)
			}
		}
		for _, field := range []string{"resourceTypes", "trigger", "parameters", "controls", "remediations"} {
			if _, ok := r[field].([]any); !ok {
				t.Errorf("rule %v: %s is %T, want an array", r["id"], field, r[field])
			}
		}
	}
	code, out, _ = scan(t, "-list")
	if code != 0 || !strings.Contains(out, "s3-bucket-versioning-enabled") {
		t.Errorf("text list: exit %d\n%s", code, out)
	}
}
