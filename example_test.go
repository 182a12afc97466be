package guardrails_test

import (
	"context"
	"fmt"
	"log"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules"
)

// The quick start: the whole catalog over a snapshot file, non-compliant
// resources printed.
func Example() {
	engine, err := evaluate.NewEngine(rules.All())
	if err != nil {
		log.Fatal(err)
	}
	for ev, err := range engine.Scan(context.Background(), evaluate.Files("testdata/snapshot.json")) {
		if err != nil {
			log.Print(err)
			continue
		}
		if ev.Compliance == evaluate.NonCompliant && ev.RuleID == "s3-bucket-server-side-encryption-enabled" {
			fmt.Println(ev.RuleID, ev.ResourceID, ev.Annotation)
		}
	}
	// Output:
	// s3-bucket-server-side-encryption-enabled acme-legacy-uploads Bucket acme-legacy-uploads has no default encryption.
}
