package main

import (
	"os"
	"os/exec"
	"regexp"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/guardrails-go/guardrails/iac"
)

type template struct {
	Parameters map[string]struct {
		Default any `yaml:"Default"`
	} `yaml:"Parameters"`
	Resources map[string]struct {
		Type       string         `yaml:"Type"`
		Condition  string         `yaml:"Condition"`
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

func strs(v any) []string {
	var out []string
	if l, ok := v.([]any); ok {
		for _, e := range l {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// notSentAlone are types ReadResource reads but the resource hook does
// not ask for: no rule can fail them on their own.
var notSentAlone = map[string]string{
	"AWS::EC2::VPC":     "vpc-flow-logs-enabled needs the VPC's flow logs, which a resource-level call does not show",
	"AWS::EC2::FlowLog": "no rule judges a flow log; VPCs read them in stack targets",
}

// TestResourceHookTargets: the resource hook asks for exactly the types
// the handler reads on their own, on create and update, before
// provisioning, and starts in WARN.
func TestResourceHookTargets(t *testing.T) {
	tpl := readTemplate(t)
	h := tpl.Resources["ResourceHook"]
	if h.Type != "AWS::CloudFormation::LambdaHook" {
		t.Fatalf("ResourceHook is %q", h.Type)
	}
	filters := h.Properties["TargetFilters"].(map[string]any)
	if diff := cmp.Diff([]string{"CREATE", "UPDATE"}, strs(filters["Actions"])); diff != "" {
		t.Errorf("Actions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"PRE_PROVISION"}, strs(filters["InvocationPoints"])); diff != "" {
		t.Errorf("InvocationPoints (-want +got):\n%s", diff)
	}
	cfnTypes, _ := iac.SupportedTypes()
	var want []string
	for _, typ := range cfnTypes {
		if _, skip := notSentAlone[typ]; iac.ReadsResource(typ) && !skip {
			want = append(want, typ)
		}
	}
	got := strs(filters["TargetNames"])
	sort.Strings(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("TargetNames (-want +got):\n%s", diff)
	}
	if len(got) > 50 {
		t.Errorf("%d TargetNames; CloudFormation takes 50", len(got))
	}
	for typ := range notSentAlone {
		if !iac.ReadsResource(typ) {
			t.Errorf("notSentAlone lists %s, which ReadResource does not read", typ)
		}
	}
	if diff := cmp.Diff([]string{"RESOURCE", "CLOUD_CONTROL"}, strs(h.Properties["TargetOperations"])); diff != "" {
		t.Errorf("TargetOperations (-want +got):\n%s", diff)
	}
	if tpl.Parameters["FailureMode"].Default != "WARN" {
		t.Errorf("FailureMode defaults to %v, want WARN", tpl.Parameters["FailureMode"].Default)
	}
	alias := regexp.MustCompile(`^[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}$`)
	for _, name := range []string{"ResourceHook", "TemplateHook"} {
		a, _ := tpl.Resources[name].Properties["Alias"].(string)
		if !alias.MatchString(a) || regexp.MustCompile(`(?i)^aws`).MatchString(a) {
			t.Errorf("%s Alias %q", name, a)
		}
		if tpl.Resources[name].Properties["HookStatus"] != "ENABLED" {
			t.Errorf("%s HookStatus %v", name, tpl.Resources[name].Properties["HookStatus"])
		}
	}
	if tpl.Resources["TemplateHook"].Condition != "TemplateHook" || tpl.Parameters["TemplateTargets"].Default != "NONE" {
		t.Error("the template hook must be optional and off by default")
	}
}

// TestFunctionAndRoles: the function runs the bootstrap binary within the
// 30 seconds CloudFormation waits, calls no AWS API, and only
// CloudFormation's hooks may invoke it.
func TestFunctionAndRoles(t *testing.T) {
	tpl := readTemplate(t)
	fn := tpl.Resources["Function"].Properties
	got := map[string]any{"Runtime": fn["Runtime"], "Handler": fn["Handler"], "Architectures": fn["Architectures"], "Timeout": fn["Timeout"]}
	want := map[string]any{"Runtime": "provided.al2023", "Handler": "bootstrap", "Architectures": []any{"arm64"}, "Timeout": 30}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("function (-want +got):\n%s", diff)
	}
	vars := fn["Environment"].(map[string]any)["Variables"].(map[string]any)
	for _, k := range []string{"GUARDRAILS_RULES", "GUARDRAILS_PARAMS"} {
		if _, ok := vars[k]; !ok {
			t.Errorf("the function's environment lacks %s", k)
		}
	}
	actions := func(role string) []string {
		var out []string
		for _, p := range tpl.Resources[role].Properties["Policies"].([]any) {
			for _, st := range p.(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
				switch a := st.(map[string]any)["Action"].(type) {
				case string:
					out = append(out, a)
				case []any:
					out = append(out, strs(a)...)
				}
			}
		}
		sort.Strings(out)
		return out
	}
	if diff := cmp.Diff([]string{"logs:CreateLogStream", "logs:PutLogEvents"}, actions("FunctionRole")); diff != "" {
		t.Errorf("function role (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"lambda:InvokeFunction"}, actions("HookExecutionRole")); diff != "" {
		t.Errorf("hook execution role (-want +got):\n%s", diff)
	}
	trust := tpl.Resources["HookExecutionRole"].Properties["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any)[0].(map[string]any)
	if trust["Principal"].(map[string]any)["Service"] != "hooks.cloudformation.amazonaws.com" {
		t.Errorf("the hook role trusts %v", trust["Principal"])
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
