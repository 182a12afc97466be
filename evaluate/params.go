package evaluate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// ParamType is the type of a rule parameter's value. Config passes every
// value as a string; the type says how to read it.
type ParamType string

// The parameter types.
const (
	String ParamType = "string"
	Int    ParamType = "int"
	Bool   ParamType = "bool"
	// CSV is a comma-separated list of strings.
	CSV ParamType = "csv"
)

// Parameter declares one rule parameter.
type Parameter struct {
	Name string    `json:"name"`
	Type ParamType `json:"type"`
	// Default is used when the parameter is not given; "" means none.
	Default     string `json:"default"`
	Required    bool   `json:"required"`
	Description string `json:"description"`
}

// ParamError says which parameter is wrong and why.
type ParamError struct {
	Rule  string
	Name  string
	Value string
	Err   error
}

func (e *ParamError) Error() string {
	s := "parameter " + e.Name
	if e.Rule != "" {
		s = "rule " + e.Rule + ": " + s
	}
	if e.Value != "" {
		s += fmt.Sprintf(" = %q", truncate(e.Value, 60))
	}
	return s + ": " + e.Err.Error()
}

func (e *ParamError) Unwrap() error { return e.Err }

// ParseRuleParameters decodes Config's ruleParameters: a JSON object of
// string values, itself passed as a string. An empty string means none.
// Numbers and booleans are accepted and kept as their JSON text.
func ParseRuleParameters(s string) (map[string]string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return map[string]string{}, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, fmt.Errorf("ruleParameters is not a JSON object: %v", err)
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		v = bytes.TrimSpace(v)
		switch {
		case len(v) == 0 || string(v) == "null":
			out[k] = ""
		case v[0] == '"':
			var str string
			if err := json.Unmarshal(v, &str); err != nil {
				return nil, &ParamError{Name: k, Err: err}
			}
			out[k] = str
		case v[0] == '{' || v[0] == '[':
			return nil, &ParamError{Name: k, Err: fmt.Errorf("want a string value, got %s", truncate(string(v), 40))}
		default:
			out[k] = string(v)
		}
	}
	return out, nil
}

// Params holds a rule's parameter values, checked against its declarations.
// Read them with the accessor of the declared type.
type Params struct {
	defs   []Parameter
	values map[string]string
}

// BindParams checks raw values against the declarations: unknown names,
// missing required values and values that do not parse as their type are
// errors naming the parameter. Empty values count as not given.
func BindParams(defs []Parameter, raw map[string]string) (Params, error) {
	p := Params{defs: defs, values: make(map[string]string, len(defs))}
	known := make(map[string]bool, len(defs))
	for _, d := range defs {
		known[d.Name] = true
	}
	var unknown []string
	for k := range raw {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		names := make([]string, 0, len(defs))
		for _, d := range defs {
			names = append(names, d.Name)
		}
		want := "none"
		if len(names) > 0 {
			want = strings.Join(names, ", ")
		}
		return Params{}, &ParamError{Name: unknown[0], Err: fmt.Errorf("unknown parameter (the rule takes: %s)", want)}
	}
	for _, d := range defs {
		v := strings.TrimSpace(raw[d.Name])
		if v == "" {
			v = d.Default
		}
		if v == "" {
			if d.Required {
				return Params{}, &ParamError{Name: d.Name, Err: fmt.Errorf("required, and not given")}
			}
			continue
		}
		if err := checkType(d.Type, v); err != nil {
			return Params{}, &ParamError{Name: d.Name, Value: v, Err: err}
		}
		p.values[d.Name] = v
	}
	return p, nil
}

func checkType(t ParamType, v string) error {
	switch t {
	case String, CSV:
		return nil
	case Int:
		if _, err := strconv.Atoi(v); err != nil {
			return fmt.Errorf("not an integer")
		}
	case Bool:
		if _, err := strconv.ParseBool(strings.ToLower(v)); err != nil {
			return fmt.Errorf("not true or false")
		}
	default:
		return fmt.Errorf("declared with unknown type %q", t)
	}
	return nil
}

func (p Params) def(name string, t ParamType) {
	for _, d := range p.defs {
		if d.Name == name {
			if d.Type != t {
				panic(fmt.Sprintf("evaluate: parameter %s is %s, read as %s", name, d.Type, t))
			}
			return
		}
	}
	panic(fmt.Sprintf("evaluate: parameter %s is not declared", name))
}

// Has reports whether the parameter has a value, given or by default.
func (p Params) Has(name string) bool {
	_, ok := p.values[name]
	return ok
}

// String returns a string parameter, "" when it has no value.
func (p Params) String(name string) string {
	p.def(name, String)
	return p.values[name]
}

// Int returns an int parameter, 0 when it has no value.
func (p Params) Int(name string) int {
	p.def(name, Int)
	n, _ := strconv.Atoi(p.values[name])
	return n
}

// Bool returns a bool parameter, false when it has no value.
func (p Params) Bool(name string) bool {
	p.def(name, Bool)
	b, _ := strconv.ParseBool(strings.ToLower(p.values[name]))
	return b
}

// List returns a CSV parameter's items, trimmed, without empty ones.
func (p Params) List(name string) []string {
	p.def(name, CSV)
	var out []string
	for _, s := range strings.Split(p.values[name], ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Raw returns the value as Config passed it (or the default), whatever its
// type, for error messages.
func (p Params) Raw(name string) string { return p.values[name] }
