package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/guardrails-go/guardrails/configrule"
	"github.com/guardrails-go/guardrails/internal/awsfake"
	"github.com/guardrails-go/guardrails/remediate"
	"github.com/guardrails-go/guardrails/remediate/ssmdoc"
)

var update = flag.Bool("update", false, "rewrite the generated files")

// generated returns every generated file by its path.
func generated(t *testing.T) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	all := remediate.All()
	for _, r := range all {
		doc, err := ssmdoc.Document(r)
		if err != nil {
			t.Fatal(err)
		}
		out, err := doc.YAML()
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Join("documents", r.ID+".yaml")] = out
	}
	policy, err := json.MarshalIndent(remediate.PolicyFor(all...), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	files["policy.json"] = append(policy, '\n')
	return files
}

// TestGenerated fails when the committed documents or policy differ from
// what the catalog generates; go test -run TestGenerated -update rewrites
// them.
func TestGenerated(t *testing.T) {
	files := generated(t)
	if *update {
		os.RemoveAll("documents")
		os.MkdirAll("documents", 0o755)
		for path, content := range files {
			if err := os.WriteFile(path, content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for path, want := range files {
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%v: run go test -run TestGenerated -update", err)
			continue
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("%s is stale (run go test -run TestGenerated -update) (-generated +committed):\n%s", path, diff)
		}
	}
	entries, err := os.ReadDir("documents")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := files[filepath.Join("documents", e.Name())]; !ok {
			t.Errorf("documents/%s is not generated from the catalog; remove it", e.Name())
		}
	}
}

// templateResources reads template.yaml.
func templateResources(t *testing.T) map[string]map[string]any {
	t.Helper()
	text, err := os.ReadFile("template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var tmpl struct {
		Resources map[string]map[string]any `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(text, &tmpl); err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	return tmpl.Resources
}

// generic turns a value into the maps, slices and scalars YAML decodes to.
func generic(t *testing.T, v any) any {
	t.Helper()
	out, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var g any
	if err := yaml.Unmarshal(out, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

// TestTemplate checks that template.yaml wires what the generators make:
// the document, the remediation configuration and the function's policy.
func TestTemplate(t *testing.T) {
	const id = "s3-require-tls"
	r, _ := remediate.ByID(id)
	res := templateResources(t)

	doc, err := ssmdoc.Document(r)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(generic(t, doc), res["Document"]["Properties"].(map[string]any)["Content"]); diff != "" {
		t.Errorf("Document Content differs from ssmdoc.Document(%s) (-generated +template):\n%s", id, diff)
	}

	conf, err := ssmdoc.RemediationConfiguration(r, map[string]any{"Ref": "Rule"},
		ssmdoc.WithDocument(map[string]any{"Ref": "Document"}),
		ssmdoc.WithAutomationRole(map[string]any{"Fn::GetAtt": "AutomationRole.Arn"}),
		ssmdoc.WithFunctionName(map[string]any{"Ref": "Function"}),
		ssmdoc.WithAutomatic(true, 3, 60))
	if err != nil {
		t.Fatal(err)
	}
	want := generic(t, conf).(map[string]any)
	// The template lets its Automatic parameter decide.
	want["Properties"].(map[string]any)["Automatic"] = map[string]any{"Fn::If": []any{"IsAutomatic", true, false}}
	if diff := cmp.Diff(want, generic(t, res["Remediation"])); diff != "" {
		t.Errorf("Remediation differs from ssmdoc.RemediationConfiguration (-generated +template):\n%s", diff)
	}

	role := res["FunctionRole"]["Properties"].(map[string]any)
	policies := role["Policies"].([]any)
	got := policies[0].(map[string]any)["PolicyDocument"]
	if diff := cmp.Diff(generic(t, remediate.PolicyFor(r)), got); diff != "" {
		t.Errorf("FunctionRole policy differs from remediate.PolicyFor (-generated +template):\n%s", diff)
	}

	fn := res["Function"]["Properties"].(map[string]any)
	env := fn["Environment"].(map[string]any)["Variables"].(map[string]any)
	if env["GUARDRAILS_REMEDIATIONS"] != id {
		t.Errorf("GUARDRAILS_REMEDIATIONS = %v, want %s", env["GUARDRAILS_REMEDIATIONS"], id)
	}
	if fn["Runtime"] != "provided.al2023" || fn["Handler"] != "bootstrap" || !slices.Equal(fn["Architectures"].([]any), []any{"arm64"}) {
		t.Errorf("function runtime %v handler %v architectures %v", fn["Runtime"], fn["Handler"], fn["Architectures"])
	}
	rule := res["Rule"]["Properties"].(map[string]any)["Source"].(map[string]any)
	if rule["SourceIdentifier"] != "S3_BUCKET_SSL_REQUESTS_ONLY" || !slices.Contains(r.Fixes, "s3-bucket-ssl-requests-only") {
		t.Errorf("rule source %v does not match what %s fixes (%v)", rule, id, r.Fixes)
	}
}

func TestTemplateLint(t *testing.T) {
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint is not on PATH")
	}
	out, err := exec.Command(lint, "template.yaml").CombinedOutput()
	if err != nil {
		t.Errorf("cfn-lint template.yaml: %v\n%s", err, out)
	}
}

// sampleIDs are resource ids of each type, as Config passes them.
var sampleIDs = map[string]string{
	"AWS::::Account":          "123456789012",
	"AWS::S3::Bucket":         "example-data",
	"AWS::EC2::SecurityGroup": "sg-0123456789abcdef0",
	"AWS::EC2::Instance":      "i-0123456789abcdef0",
	"AWS::EC2::VPC":           "vpc-0a1b2c3d4e5f60718",
	"AWS::CloudTrail::Trail":  "main",
	"AWS::IAM::User":          "AIDAIJBD5UKDCJ3FVAIMU",
	"AWS::KMS::Key":           "11111111-1111-1111-1111-111111111111",
	"AWS::RDS::DBInstance":    "db-HHTTSRD6HXUIKXPFPI6WFVZ4PA",
}

// sampleParams are values for the parameters that have no default.
var sampleParams = map[string]string{
	"targetBucket":             "central-logs",
	"destination":              "/vpc/flow-logs",
	"deliverLogsPermissionArn": "arn:aws:iam::123456789012:role/flow-logs",
	"kmsKeyId":                 "alias/trail",
}

var reference = regexp.MustCompile(`\{\{ *([A-Za-z0-9_]+) *\}\}`)

// TestDocumentPayloads does what SSM does with each generated document,
// substituting the parameter values into the InputPayload, and checks that
// the handler accepts the payload it gets.
func TestDocumentPayloads(t *testing.T) {
	for _, r := range remediate.All() {
		t.Run(r.ID, func(t *testing.T) {
			doc, err := ssmdoc.Document(r)
			if err != nil {
				t.Fatal(err)
			}
			values := map[string]string{}
			for name, p := range doc.Parameters {
				if p.Default != nil {
					values[name] = strings.TrimSpace(strings.ReplaceAll(yamlScalar(t, p.Default), "\n", ""))
				}
			}
			values[ssmdoc.ParamResourceID] = sampleIDs[r.ResourceTypes[0]]
			for name, v := range sampleParams {
				if _, ok := doc.Parameters[name]; ok && values[name] == "" {
					values[name] = v
				}
			}
			if r.ID == "s3-enable-default-encryption" {
				values["kmsKeyId"] = "" // kmsKeyId goes only with aws:kms
			}
			payload, err := json.Marshal(substitute(doc.MainSteps[0].Inputs["InputPayload"], values))
			if err != nil {
				t.Fatal(err)
			}
			req, err := configrule.DecodeSSMRequest(payload)
			if err != nil {
				t.Fatalf("payload %s: %v", payload, err)
			}
			if req.Remediation != r.ID || req.DryRun {
				t.Errorf("decoded %+v", req)
			}
			err = r.Check(remediate.Target{ResourceType: req.ResourceType, ResourceID: req.ResourceID, Parameters: req.Parameters})
			if err != nil {
				t.Errorf("payload %s refused: %v", payload, err)
			}
		})
	}
}

func yamlScalar(t *testing.T, v any) string {
	out, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var s string
	yaml.Unmarshal(out, &s)
	return s
}

// substitute replaces {{ Name }} references as SSM does.
func substitute(v any, values map[string]string) any {
	switch v := v.(type) {
	case string:
		return reference.ReplaceAllStringFunc(v, func(m string) string { return values[reference.FindStringSubmatch(m)[1]] })
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			out[k] = substitute(x, values)
		}
		return out
	}
	return v
}

// TestStandardConfiguration checks that the function takes its endpoints
// from the standard AWS_ENDPOINT_URL_<SERVICE> variables.
func TestStandardConfiguration(t *testing.T) {
	f := awsfake.New(t)
	f.Fail("iam:GetAccountPasswordPolicy", 404, "NoSuchEntity", "The Password Policy with domain name 123456789012 cannot be found.")
	c := f.Clients()
	endpoint := c.IAM.Options().BaseEndpoint
	t.Setenv("AWS_ENDPOINT_URL_IAM", *endpoint)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "SECRETTEST")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")

	h, err := newHandler(context.Background(), "iam-strengthen-password-policy, s3-require-tls")
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.Invoke(context.Background(), []byte(`{"remediation":"iam-strengthen-password-policy","resourceType":"AWS::::Account","resourceId":"123456789012","dryRun":true}`))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte(`"api":"iam:UpdateAccountPasswordPolicy"`)) || !bytes.Contains(out, []byte(`"dryRun":true`)) {
		t.Errorf("answer %s", out)
	}
	if got := f.APIs(); !slices.Equal(got, []string{"iam:GetAccountPasswordPolicy"}) {
		t.Errorf("calls %v", got)
	}
	if _, err := h.Invoke(context.Background(), []byte(`{"remediation":"s3-enable-versioning","resourceId":"example-data"}`)); err == nil ||
		!strings.Contains(err.Error(), "not enabled in this function") {
		t.Errorf("a remediation outside GUARDRAILS_REMEDIATIONS: %v", err)
	}
}

const (
	tableStart = "<!-- remediations:start (generated by go test -run TestReadme -update) -->"
	tableEnd   = "<!-- remediations:end -->"
)

// remediationTable is the README's table of remediations, made from the
// catalog.
func remediationTable() string {
	var b strings.Builder
	b.WriteString("| id | what it does | parameters (default) | fixes | IAM actions |\n|---|---|---|---|---|\n")
	for _, r := range remediate.All() {
		var params []string
		for _, p := range r.Parameters {
			s := "`" + p.Name + "`"
			switch {
			case p.Required:
				s += " (required)"
			case p.Default != "":
				s += " (`" + p.Default + "`)"
			}
			params = append(params, s)
		}
		if len(params) == 0 {
			params = []string{"none"}
		}
		types := strings.Join(r.ResourceTypes, ", ")
		b.WriteString("| `" + r.ID + "` | " + r.Summary + " Resource: " + types + ". | " + strings.Join(params, ", ") + " | " +
			strings.Join(r.Fixes, ", ") + " | " + strings.Join(r.Actions, ", ") + " |\n")
	}
	return b.String()
}

// TestReadme fails when the README's table of remediations is stale.
func TestReadme(t *testing.T) {
	text, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(text)
	start, end := strings.Index(s, tableStart), strings.Index(s, tableEnd)
	if start < 0 || end < start {
		t.Fatalf("README.md has no table markers %q … %q", tableStart, tableEnd)
	}
	want := s[:start+len(tableStart)] + "\n" + remediationTable() + s[end:]
	if *update {
		if err := os.WriteFile("README.md", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("README.md table is stale (run go test -run TestReadme -update) (-generated +README):\n%s", diff)
	}
}
