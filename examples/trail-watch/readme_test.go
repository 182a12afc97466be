package main

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/guardrails-go/guardrails/watch"
)

var update = flag.Bool("update", false, "rewrite the README's generated table")

const (
	tableStart = "<!-- BEGIN DETECTION TABLE: generated from watch.Detections(); refresh with: go test ./examples/trail-watch -run TestReadmeDetectionTable -update -->"
	tableEnd   = "<!-- END DETECTION TABLE -->"
)

func detectionTable() string {
	var b strings.Builder
	b.WriteString("| Detection | Highest severity | Calls | Rules it breaks | Remediations |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for _, d := range watch.Detections() {
		service, _, _ := strings.Cut(d.EventSource, ".")
		b.WriteString("| `" + d.ID + "` | " + string(d.Severity) + " | " + service + ": " + strings.Join(d.EventNames, ", ") +
			" | " + strings.Join(d.Rules, ", ") + " | " + strings.Join(d.Remediations, ", ") + " |\n")
	}
	return b.String()
}

// The README lists every detection as the catalog has it, and its
// playbook has a section for each.
func TestReadmeDetectionTable(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	start := strings.Index(text, tableStart)
	end := strings.Index(text, tableEnd)
	if start < 0 || end < start {
		t.Fatal("README.md lacks the table markers")
	}
	fresh := text[:start+len(tableStart)] + "\n" + detectionTable() + text[end:]
	if *update {
		if err := os.WriteFile("README.md", []byte(fresh), 0o644); err != nil {
			t.Fatal(err)
		}
		text = fresh
	} else if fresh != text {
		t.Error("the README's detection table is stale: run go test ./examples/trail-watch -run TestReadmeDetectionTable -update")
	}
	for _, d := range watch.Detections() {
		if !strings.Contains(text, "\n### "+d.ID+"\n") {
			t.Errorf("the playbook has no section for %s", d.ID)
		}
	}
}
