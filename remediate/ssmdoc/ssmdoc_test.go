package ssmdoc

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/remediate"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func mustRemediation(t *testing.T, id string) *remediate.Remediation {
	t.Helper()
	r, ok := remediate.ByID(id)
	if !ok {
		t.Fatalf("no remediation %s", id)
	}
	return r
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

func TestDocumentGolden(t *testing.T) {
	for _, id := range []string{"s3-enable-default-encryption", "cloudtrail-enable-multi-region"} {
		doc, err := Document(mustRemediation(t, id))
		if err != nil {
			t.Fatal(err)
		}
		out, err := doc.YAML()
		if err != nil {
			t.Fatal(err)
		}
		golden(t, id+".yaml", out)
	}
}

var reference = regexp.MustCompile(`\{\{ *([A-Za-z0-9_.]+) *\}\}`)

// TestDocuments checks every remediation's document: the schema, the
// parameters with the remediation's defaults, and that every {{ reference }}
// names a parameter.
func TestDocuments(t *testing.T) {
	for _, r := range remediate.All() {
		t.Run(r.ID, func(t *testing.T) {
			doc, err := Document(r, WithFunctionName("my-fn"))
			if err != nil {
				t.Fatal(err)
			}
			if doc.SchemaVersion != "0.3" || doc.AssumeRole != "{{ AutomationAssumeRole }}" {
				t.Errorf("schemaVersion %q assumeRole %q", doc.SchemaVersion, doc.AssumeRole)
			}
			if got := doc.Parameters[ParamFunctionName].Default; got != "my-fn" {
				t.Errorf("FunctionName default %v", got)
			}
			if _, ok := doc.Parameters[ParamResourceID].Default.(string); ok {
				t.Error("ResourceId has a default; it must be required")
			}
			for _, p := range r.Parameters {
				dp, ok := doc.Parameters[p.Name]
				if !ok {
					t.Errorf("parameter %s missing", p.Name)
					continue
				}
				if dp.Type != "String" {
					t.Errorf("parameter %s type %s, want String (SSM passes strings)", p.Name, dp.Type)
				}
				if p.Required && dp.Default != nil {
					t.Errorf("required parameter %s has a default", p.Name)
				}
				if !p.Required && dp.Default != p.Default {
					t.Errorf("parameter %s default %v, want %q", p.Name, dp.Default, p.Default)
				}
			}
			if len(doc.MainSteps) != 1 || doc.MainSteps[0].Action != "aws:invokeLambdaFunction" {
				t.Fatalf("steps %+v", doc.MainSteps)
			}
			out, err := doc.YAML()
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range reference.FindAllStringSubmatch(string(out), -1) {
				if _, ok := doc.Parameters[m[1]]; !ok {
					t.Errorf("{{ %s }} names no parameter", m[1])
				}
			}
			payload := doc.MainSteps[0].Inputs["InputPayload"].(map[string]any)
			if payload["remediation"] != r.ID {
				t.Errorf("payload remediation %v", payload["remediation"])
			}
			if len(r.ResourceTypes) == 1 && payload["resourceType"] != r.ResourceTypes[0] {
				t.Errorf("payload resourceType %v", payload["resourceType"])
			}
			if n := len(payload["parameters"].(map[string]any)); n != len(r.Parameters) {
				t.Errorf("payload has %d parameters, want %d", n, len(r.Parameters))
			}
			if doc.Outputs[0] != "Remediate.Payload" {
				t.Errorf("outputs %v", doc.Outputs)
			}
		})
	}
}

func TestDocumentErrors(t *testing.T) {
	r := mustRemediation(t, "s3-enable-versioning")
	if _, err := Document(r, WithResourceType("AWS::EC2::VPC")); err == nil || !strings.Contains(err.Error(), "does not take resource type AWS::EC2::VPC") {
		t.Errorf("error = %v", err)
	}
	if _, err := Document(r, WithFunctionName(map[string]any{"Ref": "Fn"})); err == nil {
		t.Error("an intrinsic function as the document default: no error")
	}
}

func TestRemediationConfiguration(t *testing.T) {
	r := mustRemediation(t, "s3-enable-access-logging")
	got, err := RemediationConfiguration(r, map[string]any{"Ref": "Rule"},
		WithDocument(map[string]any{"Ref": "Document"}),
		WithAutomationRole(map[string]any{"Fn::GetAtt": "AutomationRole.Arn"}),
		WithFunctionName(map[string]any{"Ref": "Function"}),
		WithAutomatic(true, 5, 120),
		WithParameters(map[string]string{"targetBucket": "central-logs", "targetPrefix": ""}))
	if err != nil {
		t.Fatal(err)
	}
	out, err := got.YAML()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "remediation-configuration.yaml", out)
	if p := got.Properties; p.TargetType != "SSM_DOCUMENT" || p.Parameters[ParamResourceID].ResourceValue.Value != "RESOURCE_ID" {
		t.Errorf("properties %+v", p)
	}
	if _, ok := got.Properties.Parameters["targetPrefix"]; ok {
		t.Error("an empty parameter is passed; it should take the document default")
	}
}

func TestRemediationConfigurationErrors(t *testing.T) {
	r := mustRemediation(t, "s3-enable-access-logging")
	base := []Option{WithDocument("doc"), WithAutomationRole("arn:aws:iam::123456789012:role/a")}
	tests := []struct {
		reason string
		rule   any
		opts   []Option
		want   string
	}{
		{"no rule", "", base, "no rule name"},
		{"no document", "rule", []Option{WithAutomationRole("r"), WithParameters(map[string]string{"targetBucket": "logs"})}, "no document"},
		{"no role", "rule", []Option{WithDocument("doc"), WithParameters(map[string]string{"targetBucket": "logs"})}, "no automation role"},
		{"a required parameter missing", "rule", base, "parameter targetBucket is required"},
		{"a bad parameter", "rule", append(base, WithParameters(map[string]string{"targetBucket": "Bad_Bucket"})), "parameter targetBucket"},
		{"too many attempts", "rule", append(base, WithParameters(map[string]string{"targetBucket": "logs"}), WithAutomatic(true, 30, 60)), "MaximumAutomaticAttempts 30"},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			_, err := RemediationConfiguration(r, tt.rule, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}
