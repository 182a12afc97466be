package jsonreport

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReport(t *testing.T) {
	for _, n := range []int{0, 1, 3} {
		var b bytes.Buffer
		r := New(&b, "findings", "tool")
		for i := range n {
			r.Item(map[string]any{"i": i, "html": "<a&b>"})
		}
		r.Error(Error{Source: "f.json", Message: "bad"})
		if err := r.Finish(map[string]int{"files": 1}); err != nil {
			t.Fatal(err)
		}
		var got struct {
			Findings []map[string]any
			Errors   []Error
			Stats    map[string]int
		}
		if err := json.Unmarshal(b.Bytes(), &got); err != nil {
			t.Fatalf("%d items: not JSON: %v\n%s", n, err, b.String())
		}
		if len(got.Findings) != n || !cmp.Equal(got.Errors, []Error{{"f.json", "bad"}}) || got.Stats["files"] != 1 {
			t.Errorf("%d items: %+v", n, got)
		}
		if n > 0 && !bytes.Contains(b.Bytes(), []byte("<a&b>")) {
			t.Error("HTML was escaped")
		}
	}
}

func TestErrorsBounded(t *testing.T) {
	var b bytes.Buffer
	r := New(&b, "evaluations", "scan")
	for range MaxErrors + 5 {
		r.Error(Error{Source: "s", Message: "m"})
	}
	if err := r.Finish(nil); err != nil {
		t.Fatal(err)
	}
	var got struct{ Errors []Error }
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Errors) != MaxErrors+1 || got.Errors[MaxErrors].Message != "5 more errors not listed" {
		t.Errorf("%d errors, last %+v", len(got.Errors), got.Errors[len(got.Errors)-1])
	}
}
