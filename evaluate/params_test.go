package evaluate

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRuleParameters(t *testing.T) {
	tests := []struct {
		reason  string
		in      string
		want    map[string]string
		wantErr string
	}{
		{"empty", "", map[string]string{}, ""},
		{"empty object", "{}", map[string]string{}, ""},
		{"strings", `{"maxAccessKeyAge":"90","kmsKeyArns":"a,b"}`, map[string]string{"maxAccessKeyAge": "90", "kmsKeyArns": "a,b"}, ""},
		{"numbers and booleans as text", `{"maxAccessKeyAge":90,"RequireSymbols":true,"x":null}`, map[string]string{"maxAccessKeyAge": "90", "RequireSymbols": "true", "x": ""}, ""},
		{"not an object", `["a"]`, nil, "ruleParameters is not a JSON object"},
		{"malformed", `{"a":`, nil, "ruleParameters is not a JSON object"},
		{"nested value", `{"ports":{"a":1}}`, nil, "parameter ports: want a string value"},
	}
	for _, tc := range tests {
		got, err := ParseRuleParameters(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want %q", tc.reason, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.reason, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", tc.reason, diff)
		}
	}
}

func TestBindParams(t *testing.T) {
	defs := []Parameter{
		{Name: "maxAge", Type: Int, Default: "90"},
		{Name: "mfa", Type: Bool},
		{Name: "ids", Type: CSV},
		{Name: "name", Type: String, Required: true},
	}
	p, err := BindParams(defs, map[string]string{"name": "x", "mfa": "TRUE", "ids": " a, b,, c "})
	if err != nil {
		t.Fatal(err)
	}
	if p.Int("maxAge") != 90 || !p.Bool("mfa") || p.String("name") != "x" || !p.Has("maxAge") {
		t.Errorf("values: maxAge %d, mfa %v, name %q", p.Int("maxAge"), p.Bool("mfa"), p.String("name"))
	}
	if diff := cmp.Diff([]string{"a", "b", "c"}, p.List("ids")); diff != "" {
		t.Errorf("list (-want +got):\n%s", diff)
	}
	p, err = BindParams(defs, map[string]string{"name": "x", "maxAge": " "})
	if err != nil || p.Int("maxAge") != 90 {
		t.Errorf("blank value: %v, maxAge %d; want the default", err, p.Int("maxAge"))
	}
	for _, tc := range []struct {
		reason string
		raw    map[string]string
		want   string
	}{
		{"bool", map[string]string{"name": "x", "mfa": "yes"}, `parameter mfa = "yes": not true or false`},
		{"int", map[string]string{"name": "x", "maxAge": "9O"}, `parameter maxAge = "9O": not an integer`},
		{"required", map[string]string{}, "parameter name: required, and not given"},
		{"unknown", map[string]string{"name": "x", "maxage": "1"}, "parameter maxage: unknown parameter (the rule takes: maxAge, mfa, ids, name)"},
	} {
		_, err := BindParams(defs, tc.raw)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: error %v, want %q", tc.reason, err, tc.want)
		}
	}
}

func TestParamsMisusePanics(t *testing.T) {
	p, _ := BindParams([]Parameter{{Name: "n", Type: Int}}, nil)
	for _, f := range []func(){func() { p.String("n") }, func() { p.Int("other") }} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("reading a parameter as the wrong type or undeclared did not panic")
				}
			}()
			f()
		}()
	}
}
