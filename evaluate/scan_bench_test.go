package evaluate_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/internal/testgen"
	"github.com/guardrails-go/guardrails/rules"
)

const benchItems = 100_000

var (
	benchOnce sync.Once
	benchPath string
	benchErr  error
)

// benchSnapshot writes the generated snapshot once per test binary run.
func benchSnapshot(b *testing.B) (string, int64) {
	b.Helper()
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "guardrails-bench-")
		if err != nil {
			benchErr = err
			return
		}
		benchPath = filepath.Join(dir, "snapshot.json")
		f, err := os.Create(benchPath)
		if err != nil {
			benchErr = err
			return
		}
		defer f.Close()
		benchErr = testgen.WriteSnapshot(f, benchItems, 1)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	st, err := os.Stat(benchPath)
	if err != nil {
		b.Fatal(err)
	}
	return benchPath, st.Size()
}

// envelope is what "merely decoding the envelopes" decodes: every envelope
// field, with the configuration and supplementary values kept raw.
type envelope struct {
	ConfigurationItemVersion     string                     `json:"configurationItemVersion"`
	ConfigurationItemCaptureTime string                     `json:"configurationItemCaptureTime"`
	ConfigurationItemStatus      string                     `json:"configurationItemStatus"`
	ConfigurationStateID         json.RawMessage            `json:"configurationStateId"`
	AwsAccountID                 string                     `json:"awsAccountId"`
	ResourceType                 string                     `json:"resourceType"`
	ResourceID                   string                     `json:"resourceId"`
	ResourceName                 string                     `json:"resourceName"`
	ARN                          string                     `json:"ARN"`
	AwsRegion                    string                     `json:"awsRegion"`
	AvailabilityZone             string                     `json:"availabilityZone"`
	ResourceCreationTime         string                     `json:"resourceCreationTime"`
	Tags                         map[string]string          `json:"tags"`
	Relationships                []json.RawMessage          `json:"relationships"`
	Configuration                json.RawMessage            `json:"configuration"`
	SupplementaryConfiguration   map[string]json.RawMessage `json:"supplementaryConfiguration"`
}

// BenchmarkDecodeEnvelopes is the floor: streaming the snapshot's items
// into envelope structs with encoding/json, on one goroutine, no rules.
func BenchmarkDecodeEnvelopes(b *testing.B) {
	path, size := benchSnapshot(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		decodeEnvelopes(b, path)
	}
	b.ReportMetric(float64(benchItems)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

// decodeEnvelopes streams the snapshot's items into envelope structs, as a
// streaming reader must: walk to the array, then decode item by item.
func decodeEnvelopes(b *testing.B, path string) {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	for {
		tok, err := dec.Token()
		if err != nil {
			b.Fatal(err)
		}
		if s, ok := tok.(string); ok && s == "configurationItems" {
			break
		}
	}
	if _, err := dec.Token(); err != nil { // [
		b.Fatal(err)
	}
	n := 0
	for dec.More() {
		var e envelope
		if err := dec.Decode(&e); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if n != benchItems {
		b.Fatalf("%d items", n)
	}
}

// BenchmarkScanOverEnvelopes times the floor and the scan alternately, so
// that both meet the same machine: on shared cores speed drifts between
// runs. The metric "scan/floor" is the scan's time over the floor's.
func BenchmarkScanOverEnvelopes(b *testing.B) {
	path, _ := benchSnapshot(b)
	engine, err := evaluate.NewEngine(rules.All())
	if err != nil {
		b.Fatal(err)
	}
	var floor, scan time.Duration
	for b.Loop() {
		start := time.Now()
		decodeEnvelopes(b, path)
		floor += time.Since(start)
		start = time.Now()
		for _, err := range engine.ScanFiles(context.Background(), evaluate.Reader{}, path) {
			if err != nil {
				b.Fatal(err)
			}
		}
		scan += time.Since(start)
	}
	b.ReportMetric(floor.Seconds()/float64(b.N), "floor-s/op")
	b.ReportMetric(scan.Seconds()/float64(b.N), "scan-s/op")
	b.ReportMetric(scan.Seconds()/floor.Seconds(), "scan/floor")
}

// BenchmarkScan evaluates the whole catalog over the same snapshot.
func BenchmarkScan(b *testing.B) {
	path, size := benchSnapshot(b)
	engine, err := evaluate.NewEngine(rules.All())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	evals := 0
	for b.Loop() {
		evals = 0
		for _, err := range engine.ScanFiles(context.Background(), evaluate.Reader{}, path) {
			if err != nil {
				b.Fatal(err)
			}
			evals++
		}
	}
	b.ReportMetric(float64(benchItems)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(float64(evals), "evaluations")
}

// BenchmarkReadItems reads and decodes the items without rules.
func BenchmarkReadItems(b *testing.B) {
	path, size := benchSnapshot(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, err := range evaluate.Files(path) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != benchItems {
			b.Fatalf("%d items", n)
		}
	}
	b.ReportMetric(float64(benchItems)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
}
