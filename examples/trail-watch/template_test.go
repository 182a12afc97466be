package main

import (
	"os"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/guardrails-go/guardrails/remediate"
	"github.com/guardrails-go/guardrails/watch"
	"go.yaml.in/yaml/v3"
)

// node finds a mapping member by path in a CloudFormation template parsed
// as YAML nodes (the short-form intrinsics !Ref, !Sub are kept as tags).
func node(t *testing.T, n *yaml.Node, path ...string) *yaml.Node {
	t.Helper()
	if n.Kind == yaml.DocumentNode {
		n = n.Content[0]
	}
	for _, p := range path {
		if n.Kind != yaml.MappingNode {
			t.Fatalf("%v: %q is not in a mapping", path, p)
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == p {
				next = n.Content[i+1]
			}
		}
		if next == nil {
			t.Fatalf("template has no %v", path)
		}
		n = next
	}
	return n
}

func scalars(t *testing.T, n *yaml.Node) []string {
	t.Helper()
	var out []string
	for _, c := range n.Content {
		out = append(out, c.Value)
	}
	return out
}

func template(t *testing.T) *yaml.Node {
	t.Helper()
	data, err := os.ReadFile("template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return &doc
}

// The template gives the function what the code reads: the contract's
// variables, the Lambda runtime, partial SQS batch answers.
func TestTemplateMatchesTheFunction(t *testing.T) {
	tpl := template(t)
	fn := node(t, tpl, "Resources", "Function", "Properties")
	if got := node(t, fn, "Runtime").Value; got != "provided.al2023" {
		t.Errorf("Runtime %s", got)
	}
	if got := node(t, fn, "Handler").Value; got != "bootstrap" {
		t.Errorf("Handler %s", got)
	}
	vars := node(t, fn, "Environment", "Variables")
	var names []string
	for i := 0; i < len(vars.Content); i += 2 {
		names = append(names, vars.Content[i].Value)
	}
	for _, want := range []string{"GUARDRAILS_TOPIC_ARN", "GUARDRAILS_MIN_SEVERITY", "GUARDRAILS_IGNORE_PRINCIPALS", "GUARDRAILS_REMEDIATE"} {
		if !slices.Contains(names, want) {
			t.Errorf("the function lacks %s", want)
		}
	}
	if got := scalars(t, node(t, tpl, "Resources", "QueueMapping", "Properties", "FunctionResponseTypes")); !slices.Contains(got, "ReportBatchItemFailures") {
		t.Errorf("FunctionResponseTypes %v: the function answers batchItemFailures", got)
	}
	if diff := cmp.Diff([]string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"}, scalars(t, node(t, tpl, "Parameters", "MinSeverity", "AllowedValues"))); diff != "" {
		t.Errorf("MinSeverity values (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"off", "dry-run", "apply"}, scalars(t, node(t, tpl, "Parameters", "Remediate", "AllowedValues"))); diff != "" {
		t.Errorf("Remediate values (-want +got):\n%s", diff)
	}
	// The visibility timeout covers the function's timeout six times over.
	timeout := node(t, fn, "Timeout").Value
	if vis := node(t, tpl, "Resources", "Queue", "Properties", "VisibilityTimeout").Value; vis != "720" || timeout != "120" {
		t.Errorf("queue visibility %s for a function timeout of %s", vis, timeout)
	}
}

// The remediation policy is exactly what the detections' remediations
// need, as package remediate computes it.
func TestTemplateRemediationPolicy(t *testing.T) {
	var rs []*remediate.Remediation
	seen := map[string]bool{}
	for _, d := range watch.Detections() {
		for _, id := range d.Remediations {
			if seen[id] {
				continue
			}
			seen[id] = true
			r, ok := remediate.ByID(id)
			if !ok {
				t.Fatalf("no remediation %s", id)
			}
			rs = append(rs, r)
		}
	}
	want := remediate.PolicyFor(rs...)
	stmts := node(t, template(t), "Resources", "RemediationPolicy", "Properties", "PolicyDocument", "Statement")
	if len(stmts.Content) != len(want.Statement) {
		t.Fatalf("%d statements, want %d", len(stmts.Content), len(want.Statement))
	}
	for i, st := range want.Statement {
		got := node(t, stmts.Content[i], "Action")
		actions := scalars(t, got)
		if got.Kind == yaml.ScalarNode {
			actions = []string{got.Value}
		}
		if diff := cmp.Diff(st.Action, actions); diff != "" {
			t.Errorf("statement %s actions (-want +got):\n%s", st.Sid, diff)
		}
	}
}

// The API call rule selects every event source a detection looks at.
func TestTemplateAPICallSources(t *testing.T) {
	var want []string
	for _, d := range watch.Detections() {
		if !slices.Contains(want, d.EventSource) {
			want = append(want, d.EventSource)
		}
	}
	got := scalars(t, node(t, template(t), "Resources", "ApiCallRule", "Properties", "EventPattern", "detail", "eventSource"))
	sort.Strings(want)
	sort.Strings(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("event sources (-want +got):\n%s", diff)
	}
}
