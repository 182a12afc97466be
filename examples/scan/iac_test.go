package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// iacReport is the JSON report with the locations IaC evaluations carry.
type iacReport struct {
	Evaluations []struct {
		ConfigRuleName         string `json:"configRuleName"`
		ComplianceResourceType string `json:"complianceResourceType"`
		ComplianceResourceID   string `json:"complianceResourceId"`
		ComplianceType         string `json:"complianceType"`
		Location               *struct {
			File string `json:"file"`
			Line *int   `json:"line"`
		} `json:"location"`
	} `json:"evaluations"`
	Errors []struct {
		Source  string `json:"source"`
		Message string `json:"message"`
	} `json:"errors"`
}

func parseIaCReport(t *testing.T, out string) iacReport {
	t.Helper()
	var r iacReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not the JSON report: %v\n%s", err, out)
	}
	return r
}

// verdicts maps "rule resource" to "compliance file:line".
func verdicts(t *testing.T, r iacReport) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, ev := range r.Evaluations {
		where := "(no location)"
		if l := ev.Location; l != nil {
			if l.Line == nil {
				t.Errorf("%s %s: location without a line", ev.ConfigRuleName, ev.ComplianceResourceID)
				continue
			}
			where = filepath.Base(l.File) + ":" + itoa(*l.Line)
		}
		out[ev.ConfigRuleName+" "+ev.ComplianceResourceType+" "+ev.ComplianceResourceID] = ev.ComplianceType + " " + where
	}
	return out
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestIaCAndConfigMixed: templates (YAML, and JSON under a name that says
// nothing), a plan and a Config item in one directory, each recognised by
// content; IaC evaluations name the logical id or address and the line.
func TestIaCAndConfigMixed(t *testing.T) {
	code, out, errs := scan(t, "-input", "testdata/iac", "-format", "json",
		"-rules", "s3-bucket-versioning-enabled,cmk-backing-key-rotation-enabled,cloud-trail-log-file-validation-enabled,restricted-ssh")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	r := parseIaCReport(t, out)
	if len(r.Errors) != 0 {
		t.Errorf("errors: %+v", r.Errors)
	}
	want := map[string]string{
		"s3-bucket-versioning-enabled AWS::S3::Bucket reports-versioned":                                  "COMPLIANT config-item.json:1",
		"s3-bucket-versioning-enabled AWS::S3::Bucket RawBucket":                                          "NON_COMPLIANT stack.yaml:9",
		"s3-bucket-versioning-enabled AWS::S3::Bucket ArchiveBucket":                                      "COMPLIANT stack.yaml:13",
		`s3-bucket-versioning-enabled AWS::S3::Bucket aws_s3_bucket.logs["raw"]`:                          "NON_COMPLIANT plan.json:3",
		"restricted-ssh AWS::EC2::SecurityGroup Bastion":                                                  "INSUFFICIENT_DATA stack.yaml:19",
		"cmk-backing-key-rotation-enabled AWS::KMS::Key DataKey":                                          "NON_COMPLIANT keys.template:4",
		"cloud-trail-log-file-validation-enabled AWS::CloudTrail::Trail module.audit.aws_cloudtrail.main": "NON_COMPLIANT plan.json:2",
	}
	if diff := cmp.Diff(want, verdicts(t, r)); diff != "" {
		t.Errorf("evaluations (-want +got):\n%s", diff)
	}
	code, _, _ = scan(t, "-input", "testdata/iac", "-rules", "s3-bucket-versioning-enabled", "-fail-on-noncompliant")
	if code != exitFindings {
		t.Errorf("-fail-on-noncompliant with findings in a template: exit %d, want %d", code, exitFindings)
	}
	code, _, _ = scan(t, "-input", "testdata/iac/stack.yaml", "-rules", "cmk-backing-key-rotation-enabled", "-fail-on-noncompliant")
	if code != exitOK {
		t.Errorf("-fail-on-noncompliant without findings: exit %d, want 0", code)
	}
}

// TestCloudFormationParameters: -parameters gives values to parameters
// without a Default, in both shapes users keep them.
func TestCloudFormationParameters(t *testing.T) {
	tests := []struct {
		reason, file, want string
	}{
		{"no value: the range is unknown", "", "INSUFFICIENT_DATA"},
		{"object shape, the whole internet", "testdata/params/object.json", "NON_COMPLIANT"},
		{"CLI shape, one range", "testdata/params/cli.json", "COMPLIANT"},
	}
	for _, tc := range tests {
		t.Run(tc.reason, func(t *testing.T) {
			args := []string{"-input", "testdata/iac/stack.yaml", "-format", "json", "-rules", "restricted-ssh"}
			if tc.file != "" {
				args = append(args, "-parameters", tc.file)
			}
			code, out, errs := scan(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			got := verdicts(t, parseIaCReport(t, out))["restricted-ssh AWS::EC2::SecurityGroup Bastion"]
			if !strings.HasPrefix(got, tc.want+" ") {
				t.Errorf("got %q, want %s", got, tc.want)
			}
		})
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"SSHLocation": {"nested": true}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, want string }{
		{bad, "-parameters " + bad + ": parameters: SSHLocation: want a string"},
		{"/nonexistent/params.json", "-parameters: open /nonexistent/params.json: no such file"},
	} {
		code, _, errs := scan(t, "-input", "testdata/iac/stack.yaml", "-parameters", tc.file)
		if code != exitError || !strings.Contains(errs, tc.want) {
			t.Errorf("-parameters %s: exit %d, stderr %q; want 1 and %q", tc.file, code, errs, tc.want)
		}
	}
}

// TestBrokenTemplates: a file that is not YAML and a property of the wrong
// type are errors naming the file, the line and the property; the other
// resources are still evaluated, and the scan exits 1.
func TestBrokenTemplates(t *testing.T) {
	code, out, _ := scan(t, "-input", "testdata/broken", "-format", "json", "-rules", "s3-bucket-versioning-enabled")
	if code != exitError {
		t.Errorf("exit %d, want 1", code)
	}
	r := parseIaCReport(t, out)
	var got []string
	for _, e := range r.Errors {
		got = append(got, filepath.Base(e.Source)+": "+e.Message)
	}
	want := []string{
		"property.yaml: line 11: Resources.Wrong.Properties.VersioningConfiguration.Status (AWS::S3::Bucket Wrong): want a string, got a list",
		"syntax.yaml: line 5: not a YAML or JSON template: did not find expected ',' or ']'",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if v := verdicts(t, r)["s3-bucket-versioning-enabled AWS::S3::Bucket Fine"]; v != "COMPLIANT property.yaml:3" {
		t.Errorf("the good resource of the broken file: %q", v)
	}
}

// sarifLog is the part of SARIF 2.1.0 the scanner writes and code scanning
// reads; the schema's required properties are checked by hand, as the
// schema is not available offline.
type sarifLog struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name           string `json:"name"`
				InformationURI string `json:"informationUri"`
				Rules          []struct {
					ID               string `json:"id"`
					ShortDescription struct {
						Text string `json:"text"`
					} `json:"shortDescription"`
					HelpURI              string `json:"helpUri"`
					DefaultConfiguration struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
					Properties struct {
						SecuritySeverity string   `json:"security-severity"`
						Severity         string   `json:"severity"`
						Tags             []string `json:"tags"`
					} `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct {
				Text string `json:"text"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation *struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region *struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
				LogicalLocations []struct {
					Name string `json:"name"`
					Kind string `json:"kind"`
				} `json:"logicalLocations"`
			} `json:"locations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
		} `json:"results"`
		Invocations []struct {
			ExecutionSuccessful       *bool `json:"executionSuccessful"`
			ToolExecutionNotification []struct {
				Level   string `json:"level"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region *struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"toolExecutionNotifications"`
		} `json:"invocations"`
	} `json:"runs"`
}

// TestSARIF: one result per non-compliant evaluation, on the resource's
// line in a file named relative to the working directory, with the rule's
// metadata from the catalog.
func TestSARIF(t *testing.T) {
	abs, err := filepath.Abs("testdata/iac")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Dir(abs)) // the repository root of a pipeline: files below it
	code, out, errs := scan(t, "-input", "iac", "-format", "sarif")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var log sarifLog
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if log.Version != "2.1.0" || log.Schema == "" || len(log.Runs) != 1 {
		t.Fatalf("version %q, schema %q, %d runs", log.Version, log.Schema, len(log.Runs))
	}
	run := log.Runs[0]
	driver := run.Tool.Driver
	if driver.Name != "guardrails" || driver.InformationURI == "" {
		t.Errorf("driver %q %q", driver.Name, driver.InformationURI)
	}
	levels := map[string]bool{"error": true, "warning": true, "note": true}
	for _, r := range driver.Rules {
		if r.ID == "" || r.ShortDescription.Text == "" || !levels[r.DefaultConfiguration.Level] || r.Properties.SecuritySeverity == "" || len(r.Properties.Tags) == 0 {
			t.Errorf("rule %+v lacks metadata", r)
		}
	}
	if len(driver.Rules) < 40 {
		t.Errorf("%d rules, want the catalog", len(driver.Rules))
	}

	// The same scan in JSON: as many results as non-compliant evaluations.
	_, jsonOut, _ := scan(t, "-input", "iac", "-format", "json")
	want := map[string]string{}
	for _, ev := range parseIaCReport(t, jsonOut).Evaluations {
		if ev.ComplianceType == "NON_COMPLIANT" {
			line := 0
			if ev.Location != nil && ev.Location.Line != nil {
				line = *ev.Location.Line
			}
			want[ev.ConfigRuleName+" "+ev.ComplianceResourceID] = filepath.ToSlash(filepath.Join("iac", filepath.Base(ev.Location.File))) + ":" + itoa(line)
		}
	}
	got := map[string]string{}
	for _, res := range run.Results {
		if res.RuleIndex < 0 || res.RuleIndex >= len(driver.Rules) || driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s: ruleIndex %d does not point to its rule", res.RuleID, res.RuleIndex)
		}
		if !levels[res.Level] || res.Message.Text == "" || len(res.PartialFingerprints) == 0 {
			t.Errorf("result %+v: level, message or fingerprint missing", res)
		}
		if len(res.Locations) != 1 || res.Locations[0].PhysicalLocation == nil || len(res.Locations[0].LogicalLocations) != 1 {
			t.Fatalf("result %s: locations %+v", res.RuleID, res.Locations)
		}
		pl := res.Locations[0].PhysicalLocation
		line := 0
		if pl.Region != nil {
			if pl.Region.StartLine < 1 {
				t.Errorf("result %s: startLine %d", res.RuleID, pl.Region.StartLine)
			}
			line = pl.Region.StartLine
		}
		got[res.RuleID+" "+res.Locations[0].LogicalLocations[0].Name] = pl.ArtifactLocation.URI + ":" + itoa(line)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if got["cmk-backing-key-rotation-enabled DataKey"] != "iac/keys.template:4" {
		t.Errorf("a template finding is not on its line: %v", got)
	}
	if inv := run.Invocations; len(inv) != 1 || inv[0].ExecutionSuccessful == nil || !*inv[0].ExecutionSuccessful {
		t.Errorf("invocations %+v", inv)
	}
}

// TestSARIFErrors: input errors become tool notifications with their file
// and line, and the scan exits 1.
func TestSARIFErrors(t *testing.T) {
	abs, err := filepath.Abs("testdata/broken")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Dir(abs))
	code, out, _ := scan(t, "-input", "broken", "-format", "sarif")
	if code != exitError {
		t.Errorf("exit %d, want 1", code)
	}
	var log sarifLog
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	inv := log.Runs[0].Invocations
	if len(inv) != 1 || inv[0].ExecutionSuccessful == nil || *inv[0].ExecutionSuccessful {
		t.Fatalf("invocations %+v", inv)
	}
	var got []string
	for _, n := range inv[0].ToolExecutionNotification {
		loc := n.Locations[0].PhysicalLocation
		got = append(got, loc.ArtifactLocation.URI+":"+itoa(loc.Region.StartLine)+" "+n.Level)
	}
	if diff := cmp.Diff([]string{"broken/property.yaml:11 error", "broken/syntax.yaml:5 error"}, got); diff != "" {
		t.Errorf("notifications (-want +got):\n%s", diff)
	}
	if code, _, errs := scan(t, "-list", "-format", "sarif"); code != exitError || !strings.Contains(errs, "-list") {
		t.Errorf("-list -format sarif: exit %d, %q", code, errs)
	}
}

// TestAccountAndRegion: -account and -region say where templates deploy;
// with -account, account-level rules run only when -rules names them.
func TestAccountAndRegion(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-account", "1234"}, `-account "1234": want a 12-digit account id`},
		{[]string{"-region", "Europe"}, `-region "Europe": want a region name such as eu-west-1`},
	} {
		code, _, errs := scan(t, append([]string{"-input", "testdata/iac/stack.yaml"}, tc.args...)...)
		if code != exitError || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, %q; want 1 and %q", tc.args, code, errs, tc.want)
		}
	}
	accountLevel := func(args ...string) map[string]string {
		code, out, errs := scan(t, append([]string{"-input", "testdata/iac/stack.yaml", "-format", "json", "-account", "111122223333", "-region", "eu-west-1"}, args...)...)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errs)
		}
		got := map[string]string{}
		for _, ev := range parseIaCReport(t, out).Evaluations {
			if ev.ComplianceResourceType == "AWS::::Account" {
				got[ev.ConfigRuleName] = ev.ComplianceResourceID
			}
		}
		return got
	}
	if got := accountLevel(); len(got) != 0 {
		t.Errorf("account-level rules ran without being named: %v", got)
	}
	if diff := cmp.Diff(map[string]string{"iam-password-policy": "111122223333"}, accountLevel("-rules", "iam-password-policy,restricted-ssh")); diff != "" {
		t.Errorf("named account-level rule (-want +got):\n%s", diff)
	}
	// The region makes the partition known: the bucket's ARN is complete.
	code, out, _ := scan(t, "-input", "testdata/iac/stack.yaml", "-format", "json", "-rules", "s3-bucket-ssl-requests-only", "-account", "111122223333", "-region", "eu-west-1")
	if got := verdicts(t, parseIaCReport(t, out))["s3-bucket-ssl-requests-only AWS::S3::Bucket RawBucket"]; code != 0 || got != "NON_COMPLIANT stack.yaml:9" {
		t.Errorf("exit %d, RawBucket %q", code, got)
	}
}

// TestIaCLookups: rules that look up other resources find them in the
// same template or plan (the scan's lookup pass reads templates and plans
// too).
func TestIaCLookups(t *testing.T) {
	code, out, errs := scan(t, "-input", "testdata/lookups", "-format", "json", "-rules", "cloudtrail-bucket-protected,vpc-flow-logs-enabled")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := map[string]string{
		"cloudtrail-bucket-protected AWS::CloudTrail::Trail Trail": "COMPLIANT trail.yaml:2",
		"vpc-flow-logs-enabled AWS::EC2::VPC aws_vpc.main":         "COMPLIANT vpc.tfplan.json:11",
	}
	if diff := cmp.Diff(want, verdicts(t, parseIaCReport(t, out))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
