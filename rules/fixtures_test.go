package rules

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/guardrails-go/guardrails/evaluate"
)

// expectations are the directory names a fixture may sit in.
var expectations = map[string]evaluate.Compliance{
	"compliant":         evaluate.Compliant,
	"non_compliant":     evaluate.NonCompliant,
	"not_applicable":    evaluate.NotApplicable,
	"insufficient_data": evaluate.InsufficientData,
	"error":             "",
}

// fixtureClock is "now" for every fixture, so ages are stable.
var fixtureClock = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

type fixture struct {
	rule, expected, name, path string
}

func fixtures(t *testing.T) []fixture {
	t.Helper()
	var out []fixture
	err := filepath.WalkDir("testdata", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".json") || isCompanion(path) {
			return nil
		}
		rel, _ := filepath.Rel("testdata", path)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		if len(parts) != 3 {
			if strings.Contains(filepath.ToSlash(rel), ".facts/") {
				return nil
			}
			t.Errorf("%s: fixtures live at testdata/<rule-id>/<expected>/<case>.json", path)
			return nil
		}
		out = append(out, fixture{rule: parts[0], expected: parts[1], name: strings.TrimSuffix(parts[2], ".json"), path: path})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func isCompanion(path string) bool {
	for _, suffix := range []string{".params.json", ".related.json"} {
		if strings.HasSuffix(path, suffix) {
			return true
		}
	}
	return strings.Contains(filepath.ToSlash(path), ".facts/")
}

// TestFixtures runs every fixture, in its own shape and converted to the
// other one, and checks the outcome its directory names.
func TestFixtures(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(f.rule+"/"+f.expected+"/"+f.name, func(t *testing.T) {
			want, ok := expectations[f.expected]
			if !ok {
				t.Fatalf("directory %q is not an expectation (want one of compliant, non_compliant, not_applicable, insufficient_data, error)", f.expected)
			}
			rule, ok := ByID(f.rule)
			if !ok {
				t.Fatalf("fixtures for rule %s, which the catalog does not have", f.rule)
			}
			raw, err := os.ReadFile(f.path)
			if err != nil {
				t.Fatal(err)
			}
			shapes := map[string][]byte{"as written": raw}
			if other, err := otherShape(raw); err == nil {
				shapes["other shape"] = other
			} else if f.expected != "error" {
				t.Fatalf("converting to the other shape: %v", err)
			}
			for shape, data := range shapes {
				got, err := runFixture(t, rule, f, data)
				if want == "" {
					if err == nil {
						t.Errorf("%s: got %s (%q), want an error", shape, got.Compliance, got.Annotation)
					} else {
						checkAnnotation(t, f, shape, err.Error())
					}
					continue
				}
				if err != nil {
					t.Errorf("%s: %v", shape, err)
					continue
				}
				if got.Compliance != want {
					t.Errorf("%s: got %s (%q), want %s", shape, got.Compliance, got.Annotation, want)
				}
				if got.Annotation == "" {
					t.Errorf("%s: empty annotation", shape)
				}
				checkAnnotation(t, f, shape, got.Annotation)
			}
		})
	}
}

// checkAnnotation checks the text against <case>.annotation, when present:
// each of its lines must occur in the text.
func checkAnnotation(t *testing.T, f fixture, shape, text string) {
	t.Helper()
	want, err := os.ReadFile(strings.TrimSuffix(f.path, ".json") + ".annotation")
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(want)), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.Contains(text, line) {
			t.Errorf("%s: %q does not contain %q", shape, text, line)
		}
	}
}

// runFixture evaluates the fixture's one item with the rule, using the
// case's parameters, related items and facts.
func runFixture(t *testing.T, rule evaluate.Rule, f fixture, data []byte) (evaluate.Evaluation, error) {
	t.Helper()
	base := strings.TrimSuffix(f.path, ".json")
	var params map[string]string
	if b, err := os.ReadFile(base + ".params.json"); err == nil {
		if err := json.Unmarshal(b, &params); err != nil {
			t.Fatalf("%s.params.json: %v", base, err)
		}
	}
	var facts evaluate.Facts
	if st, err := os.Stat(base + ".facts"); err == nil && st.IsDir() {
		facts = evaluate.FactsDir(base + ".facts")
	}
	inv := evaluate.NewInventory(facts)
	if _, err := os.Stat(base + ".related.json"); err == nil {
		for ci, err := range evaluate.Files(base + ".related.json") {
			if err != nil {
				t.Fatalf("related items: %v", err)
			}
			inv.Add(ci)
		}
	}
	var items []*evaluate.ConfigurationItem
	for ci, err := range evaluate.Read(strings.NewReader(string(data)), f.path) {
		if err != nil {
			return evaluate.Evaluation{}, err
		}
		items = append(items, ci)
	}
	if len(items) != 1 {
		t.Fatalf("%d items in the fixture, want 1", len(items))
	}
	inv.Add(items[0])
	engine, err := evaluate.NewEngine([]evaluate.Rule{rule},
		evaluate.WithParameters(map[string]map[string]string{f.rule: params}),
		evaluate.WithLookup(inv),
		evaluate.WithClock(func() time.Time { return fixtureClock }))
	if err != nil {
		return evaluate.Evaluation{}, err
	}
	evs, err := engine.Evaluate(context.Background(), items[0])
	if err != nil {
		return evaluate.Evaluation{}, err
	}
	if len(evs) != 1 {
		t.Fatalf("%d evaluations, want 1 (is the item of the rule's resource type?)", len(evs))
	}
	return evs[0], nil
}

// otherShape converts an item between the notification shape
// (configuration an object; ARN, awsAccountId) and the API shape
// (configuration and supplementary values JSON strings; arn, accountId).
func otherShape(raw []byte) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	conf := m["configuration"]
	if len(conf) > 0 && conf[0] == '"' {
		return toNotificationShape(m)
	}
	return toAPIShape(m)
}

func rename(m map[string]json.RawMessage, from, to string) {
	if v, ok := m[from]; ok {
		delete(m, from)
		m[to] = v
	}
}

func toAPIShape(m map[string]json.RawMessage) ([]byte, error) {
	rename(m, "ARN", "arn")
	rename(m, "awsAccountId", "accountId")
	rename(m, "configurationItemVersion", "version")
	if conf, ok := m["configuration"]; ok && string(conf) != "null" {
		s, _ := json.Marshal(string(conf))
		m["configuration"] = s
	}
	if id, ok := m["configurationStateId"]; ok && len(id) > 0 && id[0] != '"' {
		m["configurationStateId"], _ = json.Marshal(string(id))
	}
	if supp, ok := m["supplementaryConfiguration"]; ok {
		var sm map[string]json.RawMessage
		if err := json.Unmarshal(supp, &sm); err != nil {
			return nil, err
		}
		for k, v := range sm {
			if len(v) > 0 && v[0] == '"' {
				continue // already a string (AccessControlList in notifications)
			}
			sm[k], _ = json.Marshal(string(v))
		}
		m["supplementaryConfiguration"], _ = json.Marshal(sm)
	}
	return json.Marshal(m)
}

func toNotificationShape(m map[string]json.RawMessage) ([]byte, error) {
	rename(m, "arn", "ARN")
	rename(m, "accountId", "awsAccountId")
	rename(m, "version", "configurationItemVersion")
	var conf string
	if err := json.Unmarshal(m["configuration"], &conf); err != nil {
		return nil, err
	}
	if conf == "" {
		conf = "null"
	}
	m["configuration"] = json.RawMessage(conf)
	if supp, ok := m["supplementaryConfiguration"]; ok {
		var sm map[string]json.RawMessage
		if err := json.Unmarshal(supp, &sm); err != nil {
			return nil, err
		}
		for k, v := range sm {
			var s string
			if json.Unmarshal(v, &s) == nil && json.Valid([]byte(s)) && k != "AccessControlList" {
				sm[k] = json.RawMessage(s)
			}
		}
		m["supplementaryConfiguration"], _ = json.Marshal(sm)
	}
	return json.Marshal(m)
}

// TestEveryRuleHasFixtures checks the catalog's coverage: each rule has
// compliant and non-compliant fixtures, and resource rules a not-applicable
// one.
func TestEveryRuleHasFixtures(t *testing.T) {
	have := map[string]map[string]bool{}
	for _, f := range fixtures(t) {
		if have[f.rule] == nil {
			have[f.rule] = map[string]bool{}
		}
		have[f.rule][f.expected] = true
	}
	for _, r := range All() {
		m := r.Metadata()
		want := []string{"compliant", "non_compliant"}
		if !m.Account() {
			want = append(want, "not_applicable")
		}
		var missing []string
		for _, w := range want {
			if !have[m.ID][w] {
				missing = append(missing, w)
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			t.Errorf("rule %s has no %s fixture", m.ID, strings.Join(missing, ", "))
		}
	}
}
