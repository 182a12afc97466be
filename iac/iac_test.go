package iac_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/iac"
)

func TestParseParameters(t *testing.T) {
	tests := []struct {
		reason string
		in     string
		want   map[string]string
		err    string
	}{
		{"object", `{"Env": "prod", "Count": 3, "Debug": false, "Subnets": ["a", "b"]}`,
			map[string]string{"Env": "prod", "Count": "3", "Debug": "false", "Subnets": "a,b"}, ""},
		{"CLI list", `[{"ParameterKey": "Env", "ParameterValue": "dev"}, {"ParameterKey": "Old", "UsePreviousValue": true}]`,
			map[string]string{"Env": "dev"}, ""},
		{"not JSON", `Env=prod`, nil, "parameters: not JSON"},
		{"list without keys", `[{"ParameterValue": "x"}]`, nil, "element 0 has no ParameterKey"},
		{"null value", `{"Env": null}`, nil, "parameters: Env: no value"},
		{"scalar", `"prod"`, nil, `want {"Name": "value"}`},
		{"empty", ``, nil, "empty file"},
	}
	for _, tc := range tests {
		t.Run(tc.reason, func(t *testing.T) {
			got, err := iac.ParseParameters([]byte(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

const paramTemplate = `
Parameters:
  Versioning: {Type: String, Default: Suspended}
  Name: {Type: String}
Resources:
  B:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Ref Name
      VersioningConfiguration: {Status: !Ref Versioning}
`

func TestParametersReachTheItems(t *testing.T) {
	params, err := iac.ParseParameters([]byte(`[{"ParameterKey":"Versioning","ParameterValue":"Enabled"},{"ParameterKey":"Name","ParameterValue":"given"}]`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for it, err := range iac.ReadTemplate(strings.NewReader(paramTemplate), "p.yaml", iac.WithParameters(params)) {
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Status string `json:"status"`
		}
		if err := json.Unmarshal(it.SupplementaryConfiguration["BucketVersioningConfiguration"], &v); err != nil {
			t.Fatal(err)
		}
		got = append(got, string(it.Configuration), v.Status, strings.Join(it.Unknown, ","))
	}
	want := []string{`{"name":"given"}`, "Enabled", "arn,supplementaryConfiguration.AccessControlList.grantList[0].grantee.id,supplementaryConfiguration.AccessControlList.owner.id"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		reason string
		read   func(string) evaluate.Source
		in     string
		want   string
	}{
		{"template that is not YAML", func(s string) evaluate.Source { return iac.ReadTemplate(strings.NewReader(s), "t.yaml") },
			"Resources: [\n", "t.yaml:1: not a YAML or JSON template"},
		{"template without resources", func(s string) evaluate.Source { return iac.ReadTemplate(strings.NewReader(s), "t.yaml") },
			"Description: x\n", "t.yaml:1: no Resources section"},
		{"plan that is not JSON", func(s string) evaluate.Source { return iac.ReadPlan(strings.NewReader(s), "p.json") },
			`{"format_version": `, "p.json: not a Terraform plan"},
		{"plan of another format", func(s string) evaluate.Source { return iac.ReadPlan(strings.NewReader(s), "p.json") },
			`{"format_version": "3.1", "resource_changes": []}`, `p.json: Terraform plan format_version "3.1" is not supported`},
		{"state, not plan", func(s string) evaluate.Source { return iac.ReadPlan(strings.NewReader(s), "p.json") },
			`{"format_version": "1.0", "values": {}}`, "p.json: not a Terraform plan: no planned_values or resource_changes"},
		{"plan of the wrong shape", func(s string) evaluate.Source { return iac.ReadPlan(strings.NewReader(s), "p.json") },
			`{"format_version": "1.0", "resource_changes": {"a": 1}}`, "p.json: not a Terraform plan: line 1:"},
	}
	for _, tc := range tests {
		t.Run(tc.reason, func(t *testing.T) {
			var errs []string
			for it, err := range tc.read(tc.in) {
				if it != nil {
					t.Errorf("unexpected item %s", it.ResourceID)
				}
				if err != nil {
					var e *evaluate.Error
					if !errors.As(err, &e) {
						t.Errorf("error of type %T", err)
					}
					errs = append(errs, err.Error())
				}
			}
			if len(errs) != 1 || !strings.HasPrefix(errs[0], tc.want) {
				t.Fatalf("errors %q, want one starting with %q", errs, tc.want)
			}
		})
	}
}

// TestSourceRangesTwice checks the sources can be ranged over again, as
// the engine does when rules use lookups.
func TestSourceRangesTwice(t *testing.T) {
	src := iac.ReadTemplate(strings.NewReader(paramTemplate), "p.yaml")
	count := func() int {
		n := 0
		for it, err := range src {
			if err != nil {
				t.Fatal(err)
			}
			if it != nil {
				n++
			}
		}
		return n
	}
	if a, b := count(), count(); a != 1 || b != 1 {
		t.Fatalf("items %d then %d, want 1 and 1", a, b)
	}
}

// TestReaderFormats reads a directory mixing templates, plans and Config
// data through evaluate.Reader.
func TestReaderFormats(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("stack.yaml", "Resources:\n  B:\n    Type: AWS::S3::Bucket\n")
	write("plan.json", `{"format_version":"1.0","resource_changes":[{"address":"aws_kms_key.k","mode":"managed","type":"aws_kms_key","name":"k","change":{"actions":["create"],"after":{},"after_unknown":{}}}]}`)
	write("item.json", `{"configurationItemCaptureTime":"2019-02-12T07:29:16.288Z","configurationItemStatus":"OK","resourceType":"AWS::S3::Bucket","resourceId":"live","awsAccountId":"123456789012","configuration":{"name":"live"},"supplementaryConfiguration":{}}`)
	write("notes.yml", "title: not a template\n")
	var got []string
	for it, err := range (evaluate.Reader{Formats: iac.Formats()}).Files(dir) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, it.ResourceType+" "+it.ResourceID+" "+filepath.Base(it.Location.File))
	}
	want := []string{"AWS::S3::Bucket live item.json", "AWS::KMS::Key aws_kms_key.k plan.json", "AWS::S3::Bucket B stack.yaml"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSupportedTypes(t *testing.T) {
	cfnTypes, tfTypes := iac.SupportedTypes()
	for _, want := range []string{"AWS::S3::Bucket", "AWS::S3::BucketPolicy", "AWS::EC2::SecurityGroupIngress", "AWS::IAM::ManagedPolicy", "AWS::Lambda::Permission"} {
		if !contains(cfnTypes, want) {
			t.Errorf("CloudFormation types lack %s", want)
		}
	}
	for _, want := range []string{"aws_s3_bucket", "aws_s3_bucket_versioning", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_flow_log", "aws_db_snapshot"} {
		if !contains(tfTypes, want) {
			t.Errorf("Terraform types lack %s", want)
		}
	}
}

func contains(l []string, s string) bool {
	for _, e := range l {
		if e == s {
			return true
		}
	}
	return false
}
