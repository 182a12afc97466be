package remediate

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// ParameterType is how a parameter's string value is decoded.
type ParameterType string

// Parameter types. Values always arrive as strings; the type says how they
// are read.
const (
	// StringParameter is taken as is.
	StringParameter ParameterType = "String"
	// BooleanParameter is "true" or "false", lower case, as AWS Config
	// rule parameters are.
	BooleanParameter ParameterType = "Boolean"
	// IntegerParameter is a decimal integer within [Parameter.Min,
	// Parameter.Max].
	IntegerParameter ParameterType = "Integer"
	// PortRangesParameter is a comma-separated list of ports and
	// inclusive ranges: "22,3389,8000-8100".
	PortRangesParameter ParameterType = "PortRanges"
)

// Parameter describes one parameter of a remediation.
type Parameter struct {
	Name        string
	Type        ParameterType
	Description string
	// Default is used when the value is absent or empty.
	Default string
	// Required parameters have no default and must be given.
	Required bool
	// AllowedValues, when set, lists every accepted value.
	AllowedValues []string
	// Min and Max bound an Integer parameter, inclusive.
	Min, Max int

	// validate checks a String value's shape (a key id, an ARN).
	validate func(string) error
}

// values are a remediation's parameter values after defaults and checks.
type values map[string]string

func (v values) str(name string) string { return v[name] }

func (v values) boolean(name string) bool { return v[name] == "true" }

func (v values) integer(name string) int {
	n, _ := strconv.Atoi(v[name]) // checked by decodeParameters
	return n
}

func (v values) ports(name string) []portRange {
	p, _ := parsePortRanges(v[name]) // checked by decodeParameters
	return p
}

// decodeParameters applies defaults and checks every value, so a run never
// meets a malformed parameter.
func decodeParameters(defs []Parameter, given map[string]string) (values, error) {
	known := make(map[string]bool, len(defs))
	for _, d := range defs {
		known[d.Name] = true
	}
	var unknown []string
	for name := range given {
		if !known[name] {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		names := make([]string, 0, len(defs))
		for _, d := range defs {
			names = append(names, d.Name)
		}
		takes := "no parameters"
		if len(names) > 0 {
			takes = "parameters " + strings.Join(names, ", ")
		}
		return nil, invalid("unknown parameter %s (the remediation takes %s)", strings.Join(unknown, ", "), takes)
	}
	v := make(values, len(defs))
	for _, d := range defs {
		s := given[d.Name]
		if s == "" {
			s = d.Default
		}
		if s == "" {
			if d.Required {
				return nil, invalid("parameter %s is required", d.Name)
			}
			v[d.Name] = ""
			continue
		}
		if err := d.check(s); err != nil {
			return nil, invalid("parameter %s: %v", d.Name, err)
		}
		v[d.Name] = s
	}
	return v, nil
}

func (d Parameter) check(s string) error {
	switch d.Type {
	case BooleanParameter:
		if s != "true" && s != "false" {
			return fmt.Errorf("%q is not a boolean (want true or false)", s)
		}
	case IntegerParameter:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("%q is not an integer", s)
		}
		if n < d.Min || n > d.Max {
			return fmt.Errorf("%d is out of range [%d, %d]", n, d.Min, d.Max)
		}
	case PortRangesParameter:
		if _, err := parsePortRanges(s); err != nil {
			return err
		}
	}
	if len(d.AllowedValues) > 0 && !slices.Contains(d.AllowedValues, s) {
		return fmt.Errorf("%q is not one of %s", s, strings.Join(d.AllowedValues, ", "))
	}
	if d.validate != nil {
		return d.validate(s)
	}
	return nil
}

// portRange is an inclusive range of ports.
type portRange struct{ from, to int32 }

func (p portRange) String() string {
	if p.from == p.to {
		return strconv.Itoa(int(p.from))
	}
	return fmt.Sprintf("%d-%d", p.from, p.to)
}

func parsePortRanges(s string) ([]portRange, error) {
	var out []portRange
	for i, field := range strings.Split(s, ",") {
		field = strings.TrimSpace(field)
		lo, hi, isRange := strings.Cut(field, "-")
		from, err := parsePort(lo)
		if err != nil {
			return nil, fmt.Errorf("item %d %q: %v", i+1, field, err)
		}
		to := from
		if isRange {
			if to, err = parsePort(hi); err != nil {
				return nil, fmt.Errorf("item %d %q: %v", i+1, field, err)
			}
			if to < from {
				return nil, fmt.Errorf("item %d %q: range ends before it starts", i+1, field)
			}
		}
		out = append(out, portRange{from, to})
	}
	return out, nil
}

func parsePort(s string) (int32, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > 65535 {
		return 0, fmt.Errorf("%q is not a port (0-65535)", s)
	}
	return int32(n), nil
}
