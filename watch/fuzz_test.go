package watch

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// seeds are the real files of testdata/realdata.
func seeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "realdata", "*", "*.json"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"Records":[{"eventName":"x","eventSource":"y","readOnly":true}]}`))
	f.Add([]byte(`{"Records":[`))
	f.Add([]byte("\x1f\x8b\x08"))
}

// The reader never panics, and what it yields is either a record with an
// event name and source, or an *Error naming the source.
func FuzzRecords(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for rec, err := range Records(bytes.NewReader(data), "fuzz.json") {
			if err != nil {
				e, ok := err.(*Error)
				if !ok || e.Source != "fuzz.json" {
					t.Fatalf("error %T %v does not name the source", err, err)
				}
				continue
			}
			if rec.EventName == "" || rec.EventSource == "" {
				t.Fatalf("a record without event name or source: %+v", rec)
			}
		}
	})
}

// The cheap head scan agrees with encoding/json on every valid object.
func FuzzHead(f *testing.F) {
	seeds(f)
	f.Add([]byte(`{"eventName":"A\"B","eventSource":"s\\","readOnly":false,"errorCode":"E"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m map[string]json.RawMessage
		if json.Unmarshal(data, &m) != nil {
			readHead(data) // must not panic
			return
		}
		h, err := readHead(data)
		if err != nil {
			t.Fatalf("readHead failed on a valid object: %v", err)
		}
		for key, got := range map[string][]byte{"eventName": h.name, "eventSource": h.source, "eventID": h.id} {
			var want string
			raw, ok := m[key]
			if !ok || json.Unmarshal(raw, &want) != nil {
				continue
			}
			// Duplicate keys: encoding/json keeps the last, as readHead does.
			if string(got) != want {
				t.Fatalf("%s = %q, encoding/json says %q", key, got, want)
			}
		}
	})
}

// Judging never panics, whatever the parameters' shapes.
func FuzzJudge(f *testing.F) {
	seeds(f)
	w, err := New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for rec, err := range Records(bytes.NewReader(data), "fuzz.json") {
			if err == nil {
				w.Judge(context.Background(), rec)
			}
		}
	})
}
