package guardrails_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/guardrails-go/guardrails/rules"
)

var update = flag.Bool("update", false, "rewrite the README's generated sections")

const (
	tableStart = "<!-- BEGIN RULE TABLE: generated from the catalog's metadata; refresh with: go test -run TestReadmeRuleTable -update . -->"
	tableEnd   = "<!-- END RULE TABLE -->"
)

// ruleTable renders the catalog as a Markdown table.
func ruleTable() string {
	var b strings.Builder
	b.WriteString("| Rule | Resource types | Trigger | AWS managed rule | Parameters (default) | Severity | Remediations |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, r := range rules.All() {
		m := r.Metadata()
		var params []string
		for _, p := range m.Parameters {
			s := "`" + p.Name + "`"
			if p.Default != "" {
				s += " (" + p.Default + ")"
			}
			if p.Required {
				s += " required"
			}
			params = append(params, s)
		}
		var trig []string
		for _, t := range m.Trigger {
			trig = append(trig, string(t))
		}
		managed := "(guardrails only)"
		if m.ManagedRule != "" {
			managed = "`" + m.ManagedRule + "`"
		}
		id := "`" + m.ID + "`"
		if m.URL != "" {
			id = fmt.Sprintf("[`%s`](%s)", m.ID, m.URL)
		}
		var rem []string
		for _, x := range m.Remediations {
			rem = append(rem, "`"+x+"`")
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", id,
			strings.Join(m.ResourceTypes, ", "), strings.Join(trig, ", "), managed,
			orDash(strings.Join(params, ", ")), m.Severity, orDash(strings.Join(rem, ", ")))
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// TestReadmeRuleTable fails when the README's rule table is not the one the
// catalog's metadata gives.
func TestReadmeRuleTable(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	i, j := strings.Index(readme, tableStart), strings.Index(readme, tableEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the markers %q ... %q", tableStart, tableEnd)
	}
	want := tableStart + "\n" + ruleTable() + tableEnd
	got := readme[i : j+len(tableEnd)]
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile("README.md", []byte(readme[:i]+want+readme[j+len(tableEnd):]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the README's rule table is stale: run go test -run TestReadmeRuleTable -update .")
}
