package iac_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/iac"
	"github.com/guardrails-go/guardrails/rules"
)

// The parity suite states the promise of the package: a resource described
// as AWS Config records it, as a CloudFormation template and as a Terraform
// plan gets the same verdict from the same rule through the same engine.
//
// Cases live at testdata/parity/<rule-id>/<case>/ with
//
//	case.yaml      what the case shows and the verdict all sources must get
//	config.json    the resource (and what it relates to) as Config records it
//	template.yaml  the same in CloudFormation
//	plan.json      the same as "terraform show -json" prints the plan
//	facts/         account facts, when the rule reads some (all sources get them)
//
// A source may be left out only with the reason written in case.yaml
// (noTemplate, noPlan): CloudFormation has no resource for an RDS snapshot,
// and some states exist only in a live account.
type parityCase struct {
	Reason     string            `yaml:"reason"`
	Compliance string            `yaml:"compliance"`
	Params     map[string]string `yaml:"params"`
	Resources  struct {
		Config   string `yaml:"config"`
		Template string `yaml:"template"`
		Plan     string `yaml:"plan"`
	} `yaml:"resources"`
	NoTemplate string `yaml:"noTemplate"`
	NoPlan     string `yaml:"noPlan"`
	// EBSEncryptionByDefault states the account's setting, which decides
	// whether a volume that does not ask for encryption is encrypted.
	EBSEncryptionByDefault *bool `yaml:"ebsEncryptionByDefault"`
}

// Parity cases are read with the account and region of the Config items.
const (
	parityAccount = "111122223333"
	parityRegion  = "eu-west-1"
)

// parityExclusions are rules that apply to a type the readers produce but
// cannot be judged from code: what they check exists only in a live
// account. Their verdict on IaC items is INSUFFICIENT_DATA, which
// TestParityExclusionsUndecided checks.
var parityExclusions = map[string]string{
	"access-keys-rotated":                     "access key ages come from the credential report; keys made by a template have no age yet",
	"iam-user-unused-credentials-check":       "last use of credentials comes from the credential report",
	"mfa-enabled-for-iam-console-access":      "MFA devices and console passwords come from the credential report",
	"iam-user-mfa-enabled":                    "MFA devices come from the credential report",
	"ec2-instance-managed-by-systems-manager": "whether SSM manages an instance is known from the SSM inventory of a running instance",
}

// parityOnlyCompliant are rules whose non-compliant state cannot be written
// in code, with the reason.
var parityOnlyCompliant = map[string]string{
	"s3-bucket-server-side-encryption-enabled": "S3 encrypts every bucket with SSE-S3 since January 2023; no template or plan can make a bucket without default encryption",
	"kms-cmk-not-scheduled-for-deletion":       "a key is scheduled for deletion by ScheduleKeyDeletion, not by a template or plan",
}

func TestParity(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "parity", "*", "*"))
	if len(dirs) == 0 {
		t.Fatal("no parity cases under testdata/parity")
	}
	for _, dir := range dirs {
		ruleID := filepath.Base(filepath.Dir(dir))
		t.Run(ruleID+"/"+filepath.Base(dir), func(t *testing.T) {
			c := readParityCase(t, dir)
			want := evaluate.Compliance(c.Compliance)
			got := map[string]evaluate.Compliance{}
			annotations := map[string]string{}
			check := func(source, id string, src evaluate.Source) {
				ev := evaluateOne(t, ruleID, dir, c, src, source, id)
				got[source] = ev.Compliance
				annotations[source] = ev.Annotation
			}
			check("config", c.Resources.Config, evaluate.Files(filepath.Join(dir, "config.json")))
			if c.NoTemplate == "" {
				check("template", c.Resources.Template, evaluate.Reader{Formats: iac.Formats(parityOptions(c)...)}.Files(filepath.Join(dir, "template.yaml")))
			}
			if c.NoPlan == "" {
				check("plan", c.Resources.Plan, evaluate.Reader{Formats: iac.Formats(parityOptions(c)...)}.Files(filepath.Join(dir, "plan.json")))
			}
			for source, compliance := range got {
				if compliance != want {
					t.Errorf("%s: %s, want %s (%s)\nannotations: %v", source, compliance, want, c.Reason, annotations)
				}
			}
		})
	}
}

func parityOptions(c parityCase) []iac.Option {
	opts := []iac.Option{iac.WithAccount(parityAccount), iac.WithRegion(parityRegion)}
	if c.EBSEncryptionByDefault != nil {
		opts = append(opts, iac.WithEBSEncryptionByDefault(*c.EBSEncryptionByDefault))
	}
	return opts
}

func readParityCase(t *testing.T, dir string) parityCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "case.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c parityCase
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("%s/case.yaml: %v", dir, err)
	}
	if c.Reason == "" || !evaluate.Compliance(c.Compliance).Valid() {
		t.Fatalf("%s/case.yaml: want a reason and a compliance (COMPLIANT, NON_COMPLIANT, ...)", dir)
	}
	for source, id := range map[string]string{"config": c.Resources.Config, "template": c.Resources.Template, "plan": c.Resources.Plan} {
		skipped := source == "template" && c.NoTemplate != "" || source == "plan" && c.NoPlan != ""
		file := map[string]string{"config": "config.json", "template": "template.yaml", "plan": "plan.json"}[source]
		_, statErr := os.Stat(filepath.Join(dir, file))
		switch {
		case skipped && (id != "" || statErr == nil):
			t.Fatalf("%s: %s is left out (%s) but named", dir, source, map[string]string{"template": c.NoTemplate, "plan": c.NoPlan}[source])
		case !skipped && (id == "" || statErr != nil):
			t.Fatalf("%s: want %s and resources.%s (or the reason it cannot be written in noTemplate/noPlan)", dir, file, source)
		}
	}
	return c
}

// evaluateOne runs the rule over a source and returns its evaluation of
// the resource id; a read or rule error fails the test.
func evaluateOne(t *testing.T, ruleID, dir string, c parityCase, src evaluate.Source, source, id string) evaluate.Evaluation {
	t.Helper()
	rule, ok := rules.ByID(ruleID)
	if !ok {
		t.Fatalf("no rule %s in the catalog", ruleID)
	}
	opts := []evaluate.Option{evaluate.WithClock(func() time.Time { return time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC) })}
	if len(c.Params) > 0 {
		opts = append(opts, evaluate.WithParameters(map[string]map[string]string{ruleID: c.Params}))
	}
	if st, err := os.Stat(filepath.Join(dir, "facts")); err == nil && st.IsDir() {
		opts = append(opts, evaluate.WithFacts(evaluate.FactsDir(filepath.Join(dir, "facts"))))
	}
	engine, err := evaluate.NewEngine([]evaluate.Rule{rule}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	var found []evaluate.Evaluation
	for ev, err := range engine.Scan(context.Background(), src) {
		if err != nil {
			t.Fatalf("%s: %v", source, err)
		}
		if ev.ResourceID == id {
			found = append(found, ev)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s: %d evaluations of %s, want 1", source, len(found), id)
	}
	return found[0]
}

// iacRules returns the rules that judge a type the readers produce.
func iacRules() map[string][]string {
	cfnTypes, tfTypes := iac.ItemTypes()
	produced := map[string]bool{}
	for _, typ := range append(cfnTypes, tfTypes...) {
		produced[typ] = true
	}
	out := map[string][]string{}
	for _, r := range rules.All() {
		m := r.Metadata()
		for _, typ := range m.ResourceTypes {
			if produced[typ] {
				out[m.ID] = append(out[m.ID], typ)
			}
		}
	}
	return out
}

// TestParityCoversCatalog fails for a rule that can see infrastructure as
// code but has no compliant and non-compliant parity case, unless it is
// excluded with a reason.
func TestParityCoversCatalog(t *testing.T) {
	have := map[string]map[evaluate.Compliance]int{}
	dirs, _ := filepath.Glob(filepath.Join("testdata", "parity", "*", "*"))
	for _, dir := range dirs {
		id := filepath.Base(filepath.Dir(dir))
		c := readParityCase(t, dir)
		if have[id] == nil {
			have[id] = map[evaluate.Compliance]int{}
		}
		have[id][evaluate.Compliance(c.Compliance)]++
	}
	seeing := iacRules()
	var ids []string
	for id := range seeing {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if reason, excluded := parityExclusions[id]; excluded {
			if reason == "" {
				t.Errorf("%s is excluded without a reason", id)
			}
			continue
		}
		if have[id][evaluate.Compliant] == 0 {
			t.Errorf("rule %s judges %v, which the readers produce, but has no COMPLIANT parity case under testdata/parity/%s", id, seeing[id], id)
		}
		if _, only := parityOnlyCompliant[id]; !only && have[id][evaluate.NonCompliant] == 0 {
			t.Errorf("rule %s judges %v, which the readers produce, but has no NON_COMPLIANT parity case under testdata/parity/%s", id, seeing[id], id)
		}
	}
	for id := range have {
		if _, ok := rules.ByID(id); !ok {
			t.Errorf("testdata/parity/%s: no such rule in the catalog", id)
		}
		if _, ok := seeing[id]; !ok {
			t.Errorf("testdata/parity/%s: the rule judges no type the readers produce", id)
		}
	}
	for id := range parityExclusions {
		if _, ok := seeing[id]; !ok {
			t.Errorf("exclusion of %s: the rule judges no type the readers produce; drop it", id)
		}
		if have[id] != nil {
			t.Errorf("exclusion of %s: it has parity cases; drop the exclusion", id)
		}
	}
	t.Logf("%d rules can see infrastructure as code; %d have parity cases, %d are excluded", len(ids), len(have), len(parityExclusions))
}

// TestParityExclusionsUndecided checks the reason of each exclusion: the
// rule cannot judge an item read from code, so it says INSUFFICIENT_DATA
// rather than guessing.
func TestParityExclusionsUndecided(t *testing.T) {
	template := `
Resources:
  Alice:
    Type: AWS::IAM::User
    Properties: {UserName: alice, LoginProfile: {Password: "{{resolve:secretsmanager:alice}}"}}
  AliceKey:
    Type: AWS::IAM::AccessKey
    Properties: {UserName: !Ref Alice}
  Web:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-0abcdef1234567890, InstanceType: t3.micro, IamInstanceProfile: web}
`
	var ids []string
	for id := range parityExclusions {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	selected, err := rules.Select(ids...)
	if err != nil {
		t.Fatal(err)
	}
	engine, err := evaluate.NewEngine(selected)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]evaluate.Compliance{}
	for ev, err := range engine.Scan(context.Background(), iac.ReadTemplate(strings.NewReader(template), "t.yaml", parityOptions(parityCase{})...)) {
		var e *evaluate.Error
		if errors.As(err, &e) {
			t.Fatalf("%v", err)
		}
		got[ev.RuleID] = ev.Compliance
	}
	want := map[string]evaluate.Compliance{}
	for _, id := range ids {
		want[id] = evaluate.InsufficientData
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("excluded rules on IaC items (-want +got):\n%s", diff)
	}
}
