package value

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestConcat(t *testing.T) {
	tests := []struct {
		reason string
		parts  []any
		want   any
	}{
		{"known parts", []any{"arn:", "aws", ":s3:::b"}, "arn:aws:s3:::b"},
		{"an unknown part keeps the known ones", []any{"arn:", NewUnknown("AWS::Partition"), ":s3:::", NewUnknown("B")},
			Unknown{Text: "arn:${unknown:AWS::Partition}:s3:::${unknown:B}", Reasons: []string{"AWS::Partition", "B"}}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, Concat(tc.parts...)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
		}
	}
}

func TestUnknownRendering(t *testing.T) {
	u := NewUnknown("Key.Arn")
	b, _ := json.Marshal(map[string]any{"s": u, "b": u.Typed()})
	if diff := cmp.Diff(`{"b":null,"s":"${unknown:Key.Arn}"}`, string(b)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := Derived([]string{"b", "a"}, []string{"a"}); got.Text != "${unknown:a, b}" {
		t.Errorf("Derived text %q", got.Text)
	}
}

func TestObjAccessors(t *testing.T) {
	errs := &Errors{}
	o := NewObj(map[string]any{
		"s": "x", "n": json.Number("22"), "ns": "443", "b": true, "bs": "False", "f": json.Number("1.5"),
		"nil": nil, "nv": NoValue, "obj": map[string]any{"k": "v"}, "list": []any{map[string]any{"k": 1.0}, nil},
		"strs": []any{"a", json.Number("1")}, "one": "single", "u": NewUnknown("p"),
	}, "Props", errs)
	got := map[string]any{}
	got["s"], _ = o.String("s")
	got["n as string"], _ = o.String("n")
	got["ns as int"], _ = o.Int("ns")
	got["bs as bool"], _ = o.Bool("bs")
	got["strs"], _ = o.Strings("strs")
	got["one as list"], _ = o.Strings("one")
	got["absent"] = o.StringOr("missing", "default")
	got["null is absent"] = o.StringOr("nil", "default")
	got["NoValue is absent"] = o.StringOr("nv", "default")
	ub, _ := o.Bool("u")
	got["unknown bool is typed"] = ub.(Unknown).Null
	sub, _ := o.Obj("u")
	v, _ := sub.String("deep")
	got["fields of an unknown object"] = v.(Unknown).Text
	want := map[string]any{
		"s": "x", "n as string": "22", "ns as int": json.Number("443"), "bs as bool": false,
		"strs": []any{"a", "1"}, "one as list": []any{"single"}, "absent": "default",
		"null is absent": "default", "NoValue is absent": "default", "unknown bool is typed": true,
		"fields of an unknown object": "${unknown:p}",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if errs.Err() != nil {
		t.Fatalf("unexpected error %v", errs.Err())
	}

	// Wrong types are errors naming the property path.
	o.Int("f")
	o.Bool("s")
	o.Obj("s")
	o.Objs("obj")
	wantErrs := []string{
		`property Props.f: want an integer, got the number 1.5`,
		`property Props.s: want a boolean, got "x"`,
		`property Props.s: want an object, got a string`,
		`property Props.obj: want a list of objects, got an object`,
	}
	var gotErrs []string
	for _, e := range errs.list {
		gotErrs = append(gotErrs, e.Error())
	}
	if diff := cmp.Diff(wantErrs, gotErrs); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}
