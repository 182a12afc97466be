package iac_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/iac"
)

var update = flag.Bool("update", false, "write the golden files from the current output (then review them by hand)")

// golden is what a fixture file must produce: its items and errors, in order.
type golden struct {
	Items  []goldenItem  `json:"items"`
	Errors []goldenError `json:"errors,omitempty"`
}

type goldenItem struct {
	ResourceType  string                     `json:"resourceType"`
	ResourceID    string                     `json:"resourceId"`
	ARN           string                     `json:"arn,omitempty"`
	Region        string                     `json:"awsRegion,omitempty"`
	AZ            string                     `json:"availabilityZone,omitempty"`
	Line          int                        `json:"line"`
	Tags          map[string]string          `json:"tags,omitempty"`
	Relationships []evaluate.Relationship    `json:"relationships,omitempty"`
	Configuration json.RawMessage            `json:"configuration"`
	Supplementary map[string]json.RawMessage `json:"supplementaryConfiguration,omitempty"`
	Unknown       []string                   `json:"unknown,omitempty"`
}

type goldenError struct {
	Line    int    `json:"line"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

// fixtureOptions are the options a fixture is read with: a sibling
// NAME.options.json may set account, region and parameters.
func fixtureOptions(t *testing.T, path string) []iac.Option {
	base := strings.TrimSuffix(path, filepath.Ext(path))
	data, err := os.ReadFile(base + ".options.json")
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		Account    string            `json:"account"`
		Region     string            `json:"region"`
		Parameters map[string]string `json:"parameters"`
		EBSDefault *bool             `json:"ebsEncryptionByDefault"`
	}
	if err := json.Unmarshal(data, &o); err != nil {
		t.Fatalf("%s.options.json: %v", base, err)
	}
	var opts []iac.Option
	if o.Account != "" {
		opts = append(opts, iac.WithAccount(o.Account))
	}
	if o.Region != "" {
		opts = append(opts, iac.WithRegion(o.Region))
	}
	if o.Parameters != nil {
		opts = append(opts, iac.WithParameters(o.Parameters))
	}
	if o.EBSDefault != nil {
		opts = append(opts, iac.WithEBSEncryptionByDefault(*o.EBSDefault))
	}
	return opts
}

func readGolden(t *testing.T, src evaluate.Source) golden {
	t.Helper()
	var g golden
	for it, err := range src {
		if err != nil {
			var e *evaluate.Error
			if !errors.As(err, &e) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			g.Errors = append(g.Errors, goldenError{Line: e.Line, Path: e.Path, Message: e.Err.Error()})
			continue
		}
		gi := goldenItem{
			ResourceType: it.ResourceType, ResourceID: it.ResourceID, ARN: it.ARN, Region: it.Region,
			AZ: it.AvailabilityZone, Tags: it.Tags, Relationships: it.Relationships,
			Configuration: it.Configuration, Supplementary: it.SupplementaryConfiguration, Unknown: it.Unknown,
		}
		if len(gi.Tags) == 0 {
			gi.Tags = nil
		}
		if len(gi.Supplementary) == 0 {
			gi.Supplementary = nil
		}
		if it.Location != nil {
			gi.Line = it.Location.Line
		}
		if it.ResourceName != it.ResourceID {
			t.Errorf("%s: ResourceName %q, want the ResourceID", it.ResourceID, it.ResourceName)
		}
		g.Items = append(g.Items, gi)
	}
	return g
}

// normalize re-encodes JSON with sorted keys and indentation.
func normalize(t *testing.T, data []byte) string {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("golden: %v", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// runFixtures reads every fixture of dir with read and compares the result
// with NAME.golden.json.
func runFixtures(t *testing.T, dir string, match func(string) bool, read func(*os.File, string, ...iac.Option) evaluate.Source) {
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		name := f.Name()
		if !match(name) || strings.Contains(name, ".golden.") || strings.Contains(name, ".options.") {
			continue
		}
		n++
		path := filepath.Join(dir, name)
		t.Run(name, func(t *testing.T) {
			fh, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			got := readGolden(t, read(fh, name, fixtureOptions(t, path)...))
			gotJSON, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			goldenPath := strings.TrimSuffix(path, filepath.Ext(path)) + ".golden.json"
			if *update {
				if err := os.WriteFile(goldenPath, []byte(normalize(t, gotJSON)), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatalf("no golden file (run with -update, then review it): %v", err)
			}
			if diff := cmp.Diff(normalize(t, want), normalize(t, gotJSON)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", name, diff)
			}
		})
	}
	if n == 0 {
		t.Fatalf("no fixtures in %s", dir)
	}
}

func TestTemplateFixtures(t *testing.T) {
	runFixtures(t, "testdata/cfn", func(n string) bool {
		return strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".json")
	}, func(f *os.File, name string, opts ...iac.Option) evaluate.Source {
		return iac.ReadTemplate(f, name, opts...)
	})
}

func TestPlanFixtures(t *testing.T) {
	runFixtures(t, "testdata/tfplan", func(n string) bool { return strings.HasSuffix(n, ".json") },
		func(f *os.File, name string, opts ...iac.Option) evaluate.Source {
			return iac.ReadPlan(f, name, opts...)
		})
}
