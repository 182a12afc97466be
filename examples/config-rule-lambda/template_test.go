package main

import (
	"os"
	"os/exec"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules"
)

type template struct {
	Resources map[string]struct {
		Type       string         `yaml:"Type"`
		Properties map[string]any `yaml:"Properties"`
	} `yaml:"Resources"`
}

func readTemplate(t *testing.T) template {
	t.Helper()
	data, err := os.ReadFile("template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var tpl template
	if err := yaml.Unmarshal(data, &tpl); err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	return tpl
}

// TestTemplateRules checks each Config rule of the template against the
// catalog: its name is a rule id (how the function picks the rule), its
// InputParameters bind to that rule's parameters, and it is triggered as
// its comment says.
func TestTemplateRules(t *testing.T) {
	tpl := readTemplate(t)
	triggers := map[string]string{}
	for name, r := range tpl.Resources {
		if r.Type != "AWS::Config::ConfigRule" {
			continue
		}
		id, _ := r.Properties["ConfigRuleName"].(string)
		rule, ok := rules.ByID(id)
		if !ok {
			t.Errorf("%s: ConfigRuleName %q is not a catalog id", name, id)
			continue
		}
		params := map[string]string{}
		if in, ok := r.Properties["InputParameters"].(map[string]any); ok {
			for k, v := range in {
				s, ok := v.(string)
				if !ok {
					t.Errorf("%s: InputParameters.%s is %T; Config passes strings", name, k, v)
				}
				params[k] = s
			}
		}
		if _, err := evaluate.BindParams(rule.Metadata().Parameters, params); err != nil {
			t.Errorf("%s: InputParameters: %v", name, err)
		}
		source := r.Properties["Source"].(map[string]any)
		for _, d := range source["SourceDetails"].([]any) {
			triggers[name] += d.(map[string]any)["MessageType"].(string) + " "
		}
		if source["Owner"] != "CUSTOM_LAMBDA" {
			t.Errorf("%s: Source.Owner %v", name, source["Owner"])
		}
	}
	want := map[string]string{
		"ChangeTriggeredRule": "ConfigurationItemChangeNotification OversizedConfigurationItemChangeNotification ",
		"PeriodicRule":        "ScheduledNotification ",
	}
	if diff := cmp.Diff(want, triggers); diff != "" {
		t.Errorf("rule triggers (-want +got):\n%s", diff)
	}
}

// TestTemplateFunctionAndRole checks the function's runtime and that its
// role grants exactly the Config actions the handler calls.
func TestTemplateFunctionAndRole(t *testing.T) {
	tpl := readTemplate(t)
	fn := tpl.Resources["Function"].Properties
	got := map[string]any{"Runtime": fn["Runtime"], "Handler": fn["Handler"], "Architectures": fn["Architectures"]}
	want := map[string]any{"Runtime": "provided.al2023", "Handler": "bootstrap", "Architectures": []any{"arm64"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("function (-want +got):\n%s", diff)
	}
	var actions []string
	collect := func(doc map[string]any) {
		for _, st := range doc["Statement"].([]any) {
			switch a := st.(map[string]any)["Action"].(type) {
			case string:
				actions = append(actions, a)
			case []any:
				for _, x := range a {
					actions = append(actions, x.(string))
				}
			}
		}
	}
	for _, p := range tpl.Resources["FunctionRole"].Properties["Policies"].([]any) {
		collect(p.(map[string]any)["PolicyDocument"].(map[string]any))
	}
	collect(tpl.Resources["EarlierEvaluationsPolicy"].Properties["PolicyDocument"].(map[string]any))
	sort.Strings(actions)
	wantActions := []string{
		"cloudtrail:GetEventSelectors", "cloudtrail:GetTrailStatus",
		"config:BatchGetResourceConfig", "config:DescribeConfigurationRecorders", "config:GetComplianceDetailsByConfigRule",
		"config:GetResourceConfigHistory", "config:ListDiscoveredResources", "config:PutEvaluations",
		"ec2:DescribeFlowLogs", "ec2:DescribeSnapshots", "ec2:GetEbsEncryptionByDefault",
		"iam:GenerateCredentialReport", "iam:GetAccountPasswordPolicy", "iam:GetAccountSummary", "iam:GetCredentialReport",
		"lambda:GetFunctionConfiguration", "logs:CreateLogStream", "logs:PutLogEvents",
		"s3:GetAccountPublicAccessBlock", "ssm:DescribeInstanceInformation",
	}
	if diff := cmp.Diff(wantActions, actions); diff != "" {
		t.Errorf("role actions (-want +got):\n%s", diff)
	}
	if slices.Contains(actions, "*") {
		t.Error("a wildcard action")
	}
}

// TestCfnLint lints the template when cfn-lint is installed.
func TestCfnLint(t *testing.T) {
	if testing.Short() {
		t.Skip("cfn-lint takes seconds")
	}
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint is not on PATH")
	}
	if out, err := exec.Command(lint, "template.yaml").CombinedOutput(); err != nil {
		t.Errorf("cfn-lint: %v\n%s", err, out)
	}
}
