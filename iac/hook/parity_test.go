package hook_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/iac"
	"github.com/guardrails-go/guardrails/iac/hook"
	"github.com/guardrails-go/guardrails/iac/internal/cfn"
	"github.com/guardrails-go/guardrails/rules"
)

// TestHookParity runs the iac parity cases (../testdata/parity) through
// the hook. A stack target gets the verdict the scanner gets: a
// non-compliant case fails the hook naming the rule and the resource, a
// compliant one does not. Each resource of a compliant case, sent alone as
// a resource target with its resolved properties, never fails the hook:
// what the call cannot see (a bucket's policy, a VPC's flow logs) is never
// held against it.
func TestHookParity(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("..", "testdata", "parity", "*", "*"))
	if len(dirs) == 0 {
		t.Fatal("no parity cases")
	}
	srv := newPayloadServer(t)
	caught, nonCompliant, needFacts := 0, 0, 0
	for _, dir := range dirs {
		tplData, err := os.ReadFile(filepath.Join(dir, "template.yaml"))
		if os.IsNotExist(err) {
			continue // no CloudFormation form (RDS snapshots, default groups)
		}
		if err != nil {
			t.Fatal(err)
		}
		ruleID := filepath.Base(filepath.Dir(dir))
		var c struct {
			Compliance string            `yaml:"compliance"`
			Params     map[string]string `yaml:"params"`
			Resources  struct {
				Template string `yaml:"template"`
			} `yaml:"resources"`
			EBS *bool `yaml:"ebsEncryptionByDefault"`
		}
		caseData, _ := os.ReadFile(filepath.Join(dir, "case.yaml"))
		if err := yaml.Unmarshal(caseData, &c); err != nil {
			t.Fatal(err)
		}
		if c.EBS != nil {
			continue // the hook does not know the account's EBS default
		}
		t.Run(ruleID+"/"+filepath.Base(dir), func(t *testing.T) {
			sel, err := rules.Select(ruleID)
			if err != nil {
				t.Fatal(err)
			}
			var params map[string]map[string]string
			if c.Params != nil {
				params = map[string]map[string]string{ruleID: c.Params}
			}
			h, err := hook.NewHandler(sel, hook.WithParameters(params))
			if err != nil {
				t.Fatal(err)
			}
			url := srv.put(t, "/"+ruleID+"/"+filepath.Base(dir)+".json", map[string]any{"template": string(tplData)})
			// The parity cases' account and region.
			event := strings.NewReplacer("123456789012", "111122223333", "us-west-2", "eu-west-1").Replace(string(readEvent(t, "stack-create.json")))
			resp := invoke(t, h, withPayload(t, []byte(event), url))
			_, statErr := os.Stat(filepath.Join(dir, "facts"))
			needsFacts := statErr == nil
			failedHere := resp.ErrorCode == hook.ErrorNonCompliant && strings.Contains(resp.Message, ruleID+" (") &&
				strings.Contains(resp.Message, c.Resources.Template)
			switch c.Compliance {
			case string(evaluate.NonCompliant):
				// A hook has no account facts: a rule that needs them (the
				// account's Block Public Access) cannot decide, and does not
				// fail the hook.
				undecided := needsFacts && resp.HookStatus == hook.StatusSuccess && strings.Contains(resp.Message, "could not be decided")
				if !failedHere && !undecided {
					t.Errorf("stack target: %+v, want NonCompliant naming %s and %s", resp, ruleID, c.Resources.Template)
				}
				if undecided {
					needFacts++
				}
			default:
				if resp.HookStatus != hook.StatusSuccess {
					t.Errorf("stack target: %+v, want SUCCESS", resp)
				}
			}

			// Each resource alone.
			tpl, err := cfn.Parse(tplData, "template.yaml", cfn.Options{AccountID: "111122223333", Region: "eu-west-1"})
			if err != nil {
				t.Fatal(err)
			}
			failedAlone := false
			for _, r := range tpl.Resources() {
				if !iac.ReadsResource(r.Type) {
					continue
				}
				props, err := tpl.Properties(r)
				if err != nil {
					t.Fatal(err)
				}
				data, err := json.Marshal(props)
				if err != nil {
					t.Fatal(err)
				}
				ev := strings.NewReplacer("123456789012", "111122223333", "us-east-1", "eu-west-1").Replace(string(resourceEvent(t, hook.CreatePreProvision, r.Type, r.LogicalID, string(data), "null")))
				resp := invoke(t, h, []byte(ev))
				switch {
				case resp.ErrorCode == hook.ErrorInternalFailure:
					t.Errorf("%s alone: %+v", r.LogicalID, resp)
				case resp.ErrorCode == hook.ErrorNonCompliant && c.Compliance != string(evaluate.NonCompliant):
					t.Errorf("%s alone fails a compliant case: %s", r.LogicalID, resp.Message)
				case resp.ErrorCode == hook.ErrorNonCompliant:
					failedAlone = true
				}
			}
			if c.Compliance == string(evaluate.NonCompliant) {
				nonCompliant++
				if failedAlone {
					caught++
				}
			}
		})
	}
	t.Logf("resource targets alone catch %d of %d non-compliant cases; the others need the stack (a trail's bucket, a VPC's flow logs); %d need account facts a hook does not have", caught, nonCompliant, needFacts)
}
