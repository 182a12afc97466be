package remediate

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/internal/sharedtest"
)

// contractRow is one row of the remediation table of CONTRACTS.md.
type contractRow struct {
	id     string
	params []contractParam
	fixes  []string
}

type contractParam struct {
	name     string
	def      string
	required bool
	allowed  []string
}

var backticked = regexp.MustCompile("`([^`]*)`")

// parseContract reads the table in testdata/contract-remediations.md, a copy
// of the section of ../shared/CONTRACTS.md.
func parseContract(t *testing.T, text string) []contractRow {
	t.Helper()
	var rows []contractRow
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if len(cells) != 3 {
			t.Fatalf("contract row with %d cells: %s", len(cells), line)
		}
		row := contractRow{id: strings.Trim(cells[0], "`")}
		for _, fix := range strings.Split(cells[2], ",") {
			row.fixes = append(row.fixes, strings.TrimSpace(fix))
		}
		switch p := cells[1]; {
		case strings.HasPrefix(p, "none"):
		case p == "the iam-password-policy parameters":
			// The AWS managed rule's parameters and defaults.
			for _, name := range []string{"RequireUppercaseCharacters", "RequireLowercaseCharacters", "RequireSymbols", "RequireNumbers"} {
				row.params = append(row.params, contractParam{name: name, def: "true"})
			}
			row.params = append(row.params,
				contractParam{name: "MinimumPasswordLength", def: "14"},
				contractParam{name: "PasswordReusePrevention", def: "24"},
				contractParam{name: "MaxPasswordAge", def: "90"})
		default:
			for _, item := range splitTopLevel(p) {
				name, note, _ := strings.Cut(item, " (")
				cp := contractParam{name: strings.Trim(name, "`")}
				note = strings.TrimSuffix(note, ")")
				values := backticked.FindAllStringSubmatch(note, -1)
				switch {
				case note == "required":
					cp.required = true
				case strings.HasPrefix(note, "required for"):
				case strings.Contains(note, " or "):
					for _, v := range values {
						cp.allowed = append(cp.allowed, v[1])
					}
				case len(values) > 0:
					cp.def = values[0][1]
				}
				row.params = append(row.params, cp)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// splitTopLevel splits on commas outside parentheses and backticks.
func splitTopLevel(s string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i, c := range s {
		switch {
		case c == '`':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

func TestContractCopyIsCurrent(t *testing.T) {
	shared, err := os.ReadFile(sharedtest.Path("CONTRACTS.md"))
	if err != nil {
		t.Skip("no ../shared/CONTRACTS.md here; testdata/contract-remediations.md is the reference")
	}
	local, err := os.ReadFile("testdata/contract-remediations.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(shared), strings.TrimSpace(string(local))) {
		t.Error("testdata/contract-remediations.md differs from the remediation table of CONTRACTS.md; copy it again")
	}
}

// TestCatalogMatchesContract checks every remediation the contract fixes:
// its parameters, defaults, required ones, allowed values and fixed rules.
func TestCatalogMatchesContract(t *testing.T) {
	text, err := os.ReadFile("testdata/contract-remediations.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := parseContract(t, string(text))
	if len(rows) < 19 {
		t.Fatalf("parsed %d contract rows, want at least 19", len(rows))
	}
	for _, row := range rows {
		t.Run(row.id, func(t *testing.T) {
			r, ok := ByID(row.id)
			if !ok {
				t.Fatalf("remediation %s is missing", row.id)
			}
			if diff := cmp.Diff(row.fixes, r.Fixes); diff != "" {
				t.Errorf("fixes (-contract +catalog):\n%s", diff)
			}
			var names []string
			for _, p := range r.Parameters {
				names = append(names, p.Name)
			}
			for _, cp := range row.params {
				i := slices.Index(names, cp.name)
				if i < 0 {
					t.Errorf("parameter %s is missing (have %v)", cp.name, names)
					continue
				}
				p := r.Parameters[i]
				if cp.def != "" && p.Default != cp.def {
					t.Errorf("parameter %s default %q, contract %q", cp.name, p.Default, cp.def)
				}
				if cp.required && (!p.Required || p.Default != "") {
					t.Errorf("parameter %s: required %t default %q, contract: required", cp.name, p.Required, p.Default)
				}
				if cp.allowed != nil && !slices.Equal(p.AllowedValues, cp.allowed) {
					t.Errorf("parameter %s allowed %v, contract %v", cp.name, p.AllowedValues, cp.allowed)
				}
			}
			if len(row.params) != len(r.Parameters) {
				t.Errorf("%d parameters %v, contract lists %d", len(r.Parameters), names, len(row.params))
			}
		})
	}
}

// TestCatalog checks the catalog as a whole.
func TestCatalog(t *testing.T) {
	all := All()
	seen := map[string]bool{}
	for i, r := range all {
		if seen[r.ID] {
			t.Errorf("duplicate id %s", r.ID)
		}
		seen[r.ID] = true
		if i > 0 && all[i-1].ID >= r.ID {
			t.Errorf("All is not sorted at %s", r.ID)
		}
		if r.Summary == "" || len(r.ResourceTypes) == 0 || len(r.Fixes) == 0 || len(r.APIs) == 0 || r.run == nil {
			t.Errorf("%s: incomplete metadata", r.ID)
		}
		for _, p := range r.Parameters {
			if p.Description == "" || p.Type == "" {
				t.Errorf("%s parameter %s: no description or type", r.ID, p.Name)
			}
			if p.Default != "" {
				if err := p.check(p.Default); err != nil {
					t.Errorf("%s parameter %s: default %q fails its own check: %v", r.ID, p.Name, p.Default, err)
				}
			}
		}
		if !slices.IsSorted(r.Actions) {
			t.Errorf("%s: actions not sorted", r.ID)
		}
		// Every call reads or writes; a remediation never deletes.
		for _, api := range r.APIs {
			if _, op, _ := strings.Cut(api, ":"); strings.HasPrefix(op, "Delete") {
				t.Errorf("%s declares %s", r.ID, api)
			}
		}
	}
	// All returns fresh values: changing one does not change the next.
	all[0].Fixes[0] = "changed"
	if All()[0].Fixes[0] == "changed" {
		t.Error("All shares state between calls")
	}
	if _, ok := ByID("no-such-remediation"); ok {
		t.Error("ByID found an unknown id")
	}
}
