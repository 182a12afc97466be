package iac_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/guardrails-go/guardrails/iac"
	"github.com/guardrails-go/guardrails/internal/sharedtest"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		reason   string
		head     string
		template bool
		plan     bool
	}{
		{"YAML template with version", "AWSTemplateFormatVersion: 2010-09-09\nDescription: x\n", true, false},
		{"YAML template after comments", "# licence\n# more\nResources:\n  B:\n    Type: AWS::S3::Bucket\n", true, false},
		{"YAML template with Resources beyond the head", "Description: long\nParameters:\n  KeyName:\n    Type: AWS::EC2::KeyPair::KeyName\n", true, false},
		{"JSON template with version", `{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}`, true, false},
		{"JSON template without version", `{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}`, true, false},
		{"template with a BOM", "\ufeffResources:\n  B:\n    Type: AWS::S3::Bucket\n", true, false},
		{"plan", `{"format_version":"1.2","terraform_version":"1.9.0","planned_values":{}}`, false, true},
		{"plan with resource_changes only", `{"format_version":"0.1","resource_changes":[]}`, false, true},
		{"Config item", `{"configurationItemCaptureTime":"2019-02-12T07:29:16.288Z","resourceType":"AWS::S3::Bucket","resourceId":"b"}`, false, false},
		{"Config snapshot", `{"fileVersion":"1.0","configSnapshotId":"x","configurationItems":[{"resourceType":"AWS::S3::Bucket"}]}`, false, false},
		{"Config rule event", `{"invokingEvent":"{}","ruleParameters":"{}","configRuleName":"r"}`, false, false},
		{"Config item with a Type key in its configuration", `{"resourceType":"AWS::ECS::Service","configuration":{"Resources":{"X":{"Type":"AWS::ECS::Service"}}}}`, false, false},
		{"Terraform state", `{"format_version":"1.0","terraform_version":"1.5.0","values":{"root_module":{}}}`, false, false},
		{"Kubernetes manifest", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n", false, false},
		{"serverless.yml", "service: x\nresources:\n  Resources:\n    B:\n      Type: AWS::S3::Bucket\n", false, false},
		{"JSON array", `[{"resourceType":"AWS::S3::Bucket"}]`, false, false},
		{"empty", "", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.reason, func(t *testing.T) {
			if got := iac.IsTemplate([]byte(tc.head)); got != tc.template {
				t.Errorf("IsTemplate = %v, want %v", got, tc.template)
			}
			if got := iac.IsPlan([]byte(tc.head)); got != tc.plan {
				t.Errorf("IsPlan = %v, want %v", got, tc.plan)
			}
		})
	}
}

// TestDetectRealData checks detection on the real files: templates and
// plans are claimed by their format only, Config data by neither.
func TestDetectRealData(t *testing.T) {
	root := sharedtest.Path("realdata")
	if _, err := os.Stat(root); err != nil {
		t.Skip("the shared real data is not on this machine")
	}
	groups := []struct {
		globs    []string
		template bool
		plan     bool
	}{
		{[]string{"aws-cloudformation-templates/*", "regula/cfn/*", "opa-aws-cloudformation-hook/templates/*", "cfn101-workshop/*", "cloudformation-guard/validate__*"}, true, false},
		{[]string{"checkov/*", "regula/tf/*", "terraform/*", "terraform-compliance/*", "trivy/*"}, false, true},
		{[]string{"aws-config-rdk/example_ci/*", "cloud-custodian/config/*", "cloud-custodian/placebo/*config*", "aws-config-developer-guide/*"}, false, false},
	}
	for _, g := range groups {
		for _, glob := range g.globs {
			files, _ := filepath.Glob(filepath.Join(root, glob))
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				head := data[:min(len(data), 4096)]
				if got := iac.IsTemplate(head); got != g.template {
					t.Errorf("%s: IsTemplate = %v, want %v", f, got, g.template)
				}
				if got := iac.IsPlan(head); got != g.plan {
					t.Errorf("%s: IsPlan = %v, want %v", f, got, g.plan)
				}
			}
		}
	}
}
