package cfn

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/guardrails-go/guardrails/iac/internal/value"
)

// scope carries the state of one resolution.
type scope struct {
	path      string // property path, for messages
	depth     int
	condition bool // inside Conditions: {"Condition": name} is a function
}

func (s *scope) child(step string) *scope {
	p := s.path
	switch {
	case strings.HasPrefix(step, "["):
		p += step
	case p == "":
		p = step
	default:
		p += "." + step
	}
	return &scope{path: p, depth: s.depth + 1, condition: s.condition}
}

func (s *scope) fail(n *yaml.Node, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &resolveError{line: line, path: s.path, msg: fmt.Sprintf(format, args...)}
}

// shortTags maps the YAML short forms to the function names.
var shortTags = map[string]string{
	"!Ref":          "Ref",
	"!Condition":    "Condition",
	"!Sub":          "Fn::Sub",
	"!GetAtt":       "Fn::GetAtt",
	"!If":           "Fn::If",
	"!Equals":       "Fn::Equals",
	"!Not":          "Fn::Not",
	"!And":          "Fn::And",
	"!Or":           "Fn::Or",
	"!Join":         "Fn::Join",
	"!Select":       "Fn::Select",
	"!Split":        "Fn::Split",
	"!FindInMap":    "Fn::FindInMap",
	"!ImportValue":  "Fn::ImportValue",
	"!Base64":       "Fn::Base64",
	"!GetAZs":       "Fn::GetAZs",
	"!Cidr":         "Fn::Cidr",
	"!Length":       "Fn::Length",
	"!ToJsonString": "Fn::ToJsonString",
	"!Transform":    "Fn::Transform",
}

// resolve turns a node into a resolved value.
func (t *Template) resolve(n *yaml.Node, s *scope) (any, error) {
	t.budget--
	if t.budget < 0 {
		return nil, s.fail(n, "template expands to too many values (YAML alias bomb?)")
	}
	if s.depth > maxDepth {
		return nil, s.fail(n, "values nested deeper than %d levels", maxDepth)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return t.resolve(n.Content[0], s)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, s.fail(n, "unknown YAML alias")
		}
		return t.resolve(n.Alias, &scope{path: s.path, depth: s.depth + 1, condition: s.condition})
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		fn, ok := shortTags[n.Tag]
		if !ok {
			return nil, s.fail(n, "unknown intrinsic function tag %s", n.Tag)
		}
		return t.call(fn, untagged(n), s)
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return scalar(n, s)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, e := range n.Content {
			v, err := t.resolve(e, s.child("["+strconv.Itoa(i)+"]"))
			if err != nil {
				return nil, err
			}
			if !value.IsNoValue(v) {
				out = append(out, v)
			}
		}
		return out, nil
	case yaml.MappingNode:
		if len(n.Content) == 2 {
			k := n.Content[0].Value
			if k == "Ref" || strings.HasPrefix(k, "Fn::") || (s.condition && k == "Condition") {
				return t.call(k, n.Content[1], s)
			}
		}
		out := make(map[string]any, len(n.Content)/2)
		var merges []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			kn := n.Content[i]
			if kn.Kind != yaml.ScalarNode {
				return nil, s.fail(kn, "object key is %s, not a string", nodeKind(kn))
			}
			if kn.Tag == "!!merge" {
				merges = append(merges, n.Content[i+1])
				continue
			}
			v, err := t.resolve(n.Content[i+1], s.child(kn.Value))
			if err != nil {
				return nil, err
			}
			if !value.IsNoValue(v) {
				out[kn.Value] = v
			}
		}
		for _, m := range merges {
			if err := t.merge(out, m, s); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, s.fail(n, "unsupported YAML node")
}

// merge applies a YAML merge key ("<<: *anchor"): keys not already set.
func (t *Template) merge(out map[string]any, n *yaml.Node, s *scope) error {
	v, err := t.resolve(n, s)
	if err != nil {
		return err
	}
	var maps []map[string]any
	switch x := v.(type) {
	case map[string]any:
		maps = append(maps, x)
	case []any:
		for _, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				return s.fail(n, "merge key takes objects, got %s", value.Kind(e))
			}
			maps = append(maps, m)
		}
	default:
		return s.fail(n, "merge key takes objects, got %s", value.Kind(v))
	}
	for _, m := range maps {
		for k, e := range m {
			if _, set := out[k]; !set {
				out[k] = e
			}
		}
	}
	return nil
}

// scalar types a plain scalar. Timestamps stay strings: unquoted 2010-09-09
// is a YAML 1.1 timestamp but CloudFormation reads it as text.
func scalar(n *yaml.Node, s *scope) (any, error) {
	switch n.Tag {
	case "!!null":
		return nil, nil
	case "!!bool":
		switch strings.ToLower(n.Value) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return n.Value, nil
	case "!!int":
		v := strings.ReplaceAll(n.Value, "_", "")
		if i, err := strconv.ParseInt(v, 0, 64); err == nil {
			return json.Number(strconv.FormatInt(i, 10)), nil
		}
		if strings.HasPrefix(v, "0o") || strings.HasPrefix(v, "0O") {
			if i, err := strconv.ParseInt(v[2:], 8, 64); err == nil {
				return json.Number(strconv.FormatInt(i, 10)), nil
			}
		}
		return n.Value, nil // too big for a number: keep the text
	case "!!float":
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return n.Value, nil
		}
		if strings.ContainsAny(n.Value, "eE") || strings.HasPrefix(n.Value, ".") {
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
		}
		return json.Number(strings.TrimPrefix(n.Value, "+")), nil
	}
	return n.Value, nil
}

// argList returns the elements of a function's list argument.
func argList(fn string, n *yaml.Node, s *scope, min, max int) ([]*yaml.Node, error) {
	n = deref(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil, s.fail(n, "%s takes a list", fn)
	}
	if len(n.Content) < min || (max >= 0 && len(n.Content) > max) {
		if min == max {
			return nil, s.fail(n, "%s takes %d arguments, got %d", fn, min, len(n.Content))
		}
		return nil, s.fail(n, "%s takes %d to %d arguments, got %d", fn, min, max, len(n.Content))
	}
	return n.Content, nil
}

// untagged returns the argument of a short-form tag as a plain node.
func untagged(n *yaml.Node) *yaml.Node {
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		c := *n
		switch n.Kind {
		case yaml.ScalarNode:
			c.Tag = "!!str"
		case yaml.SequenceNode:
			c.Tag = "!!seq"
		case yaml.MappingNode:
			c.Tag = "!!map"
		}
		return &c
	}
	return n
}

// call evaluates an intrinsic function with its argument node.
func (t *Template) call(fn string, arg *yaml.Node, s *scope) (any, error) {
	switch fn {
	case "Ref":
		name, err := t.stringArg(fn, arg, s)
		if err != nil {
			return nil, err
		}
		return t.ref(name, arg, s)
	case "Condition":
		name, err := t.stringArg(fn, arg, s)
		if err != nil {
			return nil, err
		}
		return t.condition(name, arg.Line)
	case "Fn::GetAtt":
		return t.getAtt(arg, s)
	case "Fn::Sub":
		return t.sub(arg, s)
	case "Fn::If":
		args, err := argList(fn, arg, s, 3, 3)
		if err != nil {
			return nil, err
		}
		name, err := t.stringArg(fn, args[0], s)
		if err != nil {
			return nil, err
		}
		c, err := t.condition(name, args[0].Line)
		if err != nil {
			return nil, err
		}
		switch c {
		case true:
			return t.resolve(args[1], s)
		case false:
			return t.resolve(args[2], s)
		}
		a, err := t.resolve(args[1], s)
		if err != nil {
			return nil, err
		}
		b, err := t.resolve(args[2], s)
		if err != nil {
			return nil, err
		}
		if reflect.DeepEqual(a, b) {
			return a, nil
		}
		u := c.(value.Unknown)
		return value.Derived(value.MergeReasons(u.Reasons, value.Collect(a), value.Collect(b))), nil
	case "Fn::Equals":
		args, err := argList(fn, arg, s, 2, 2)
		if err != nil {
			return nil, err
		}
		a, err := t.resolve(args[0], s)
		if err != nil {
			return nil, err
		}
		b, err := t.resolve(args[1], s)
		if err != nil {
			return nil, err
		}
		ra, rb := value.Collect(a), value.Collect(b)
		if len(ra) > 0 || len(rb) > 0 {
			return value.Derived(value.MergeReasons(ra, rb)), nil
		}
		return equalValues(a, b), nil
	case "Fn::Not":
		args, err := argList(fn, arg, s, 1, 1)
		if err != nil {
			return nil, err
		}
		c, err := t.condArg(args[0], s)
		if err != nil {
			return nil, err
		}
		if b, ok := c.(bool); ok {
			return !b, nil
		}
		return c, nil
	case "Fn::And", "Fn::Or":
		args, err := argList(fn, arg, s, 2, 10)
		if err != nil {
			return nil, err
		}
		decisive := fn == "Fn::Or" // Or: one true decides; And: one false decides
		var unknown []string
		for _, a := range args {
			c, err := t.condArg(a, s)
			if err != nil {
				return nil, err
			}
			switch x := c.(type) {
			case bool:
				if x == decisive {
					return decisive, nil
				}
			case value.Unknown:
				unknown = value.MergeReasons(unknown, x.Reasons)
			}
		}
		if unknown != nil {
			return value.Derived(unknown), nil
		}
		return !decisive, nil
	case "Fn::Join":
		return t.join(arg, s)
	case "Fn::Select":
		return t.selectFn(arg, s)
	case "Fn::Split":
		args, err := argList(fn, arg, s, 2, 2)
		if err != nil {
			return nil, err
		}
		delim, err := t.stringArg(fn, args[0], s)
		if err != nil {
			return nil, err
		}
		src, err := t.resolve(args[1], s)
		if err != nil {
			return nil, err
		}
		switch x := src.(type) {
		case string:
			var out []any
			for _, p := range strings.Split(x, delim) {
				out = append(out, p)
			}
			return out, nil
		case value.Unknown:
			return value.Derived(x.Reasons), nil
		}
		return nil, s.fail(args[1], "Fn::Split takes a string, got %s", value.Kind(src))
	case "Fn::FindInMap":
		return t.findInMap(arg, s)
	case "Fn::ImportValue":
		v, err := t.resolve(arg, s)
		if err != nil {
			return nil, err
		}
		name, ok := value.AsString(v)
		if !ok {
			return nil, s.fail(arg, "Fn::ImportValue takes a string, got %s", value.Kind(v))
		}
		if str, isStr := name.(string); isStr {
			return value.NewUnknown("ImportValue " + str), nil
		}
		return value.Derived([]string{"ImportValue"}, name.(value.Unknown).Reasons), nil
	case "Fn::Base64":
		v, err := t.resolve(arg, s)
		if err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case string:
			return base64.StdEncoding.EncodeToString([]byte(x)), nil
		case value.Unknown:
			return value.Derived(x.Reasons), nil
		}
		return nil, s.fail(arg, "Fn::Base64 takes a string, got %s", value.Kind(v))
	case "Fn::GetAZs":
		v, err := t.resolve(arg, s)
		if err != nil {
			return nil, err
		}
		region, _ := v.(string)
		if region == "" {
			region = t.opts.Region
		}
		return value.NewUnknown("Fn::GetAZs " + region), nil
	case "Fn::Cidr":
		return t.cidr(arg, s)
	case "Fn::Length":
		v, err := t.resolve(arg, s)
		if err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case []any:
			return json.Number(strconv.Itoa(len(x))), nil
		case value.Unknown:
			return value.Derived(x.Reasons), nil
		}
		return nil, s.fail(arg, "Fn::Length takes a list, got %s", value.Kind(v))
	case "Fn::ToJsonString":
		v, err := t.resolve(arg, s)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, s.fail(arg, "Fn::ToJsonString: %v", err)
		}
		if r := value.Collect(v); len(r) > 0 {
			return value.Unknown{Text: string(b), Reasons: r}, nil
		}
		return string(b), nil
	case "Fn::Transform":
		// A macro runs at deploy time: its output is not known here.
		return value.NewUnknown("Fn::Transform"), nil
	}
	return nil, s.fail(arg, "unknown intrinsic function %s", fn)
}

// stringArg resolves an argument that must be a literal-ish string.
func (t *Template) stringArg(fn string, n *yaml.Node, s *scope) (string, error) {
	n = deref(n)
	if n != nil && n.Kind == yaml.ScalarNode && !(strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!")) {
		return n.Value, nil
	}
	if n == nil {
		return "", s.fail(n, "%s takes a string", fn)
	}
	v, err := t.resolve(n, s)
	if err != nil {
		return "", err
	}
	if str, ok := v.(string); ok {
		return str, nil
	}
	return "", s.fail(n, "%s takes a string, got %s", fn, value.Kind(v))
}

// condArg evaluates an argument of Fn::Not/And/Or: a condition function or
// {"Condition": name}.
func (t *Template) condArg(n *yaml.Node, s *scope) (any, error) {
	cs := &scope{path: s.path, depth: s.depth + 1, condition: true}
	v, err := t.resolve(n, cs)
	if err != nil {
		return nil, err
	}
	switch v.(type) {
	case bool, value.Unknown:
		return v, nil
	}
	if str, ok := v.(string); ok && (str == "true" || str == "false") {
		return str == "true", nil
	}
	return nil, s.fail(n, "condition function takes conditions, got %s", value.Kind(v))
}

// condition evaluates the named condition (memoized).
func (t *Template) condition(name string, line int) (any, error) {
	st := t.condState[name]
	if st.done {
		return st.val, st.err
	}
	n, ok := t.conditions[name]
	if !ok {
		return nil, &resolveError{line: line, msg: fmt.Sprintf("condition %s is not defined", name)}
	}
	if st.running {
		return nil, &resolveError{line: n.Line, msg: fmt.Sprintf("condition %s refers to itself", name)}
	}
	t.condState[name] = condResult{running: true}
	v, err := t.resolve(n, &scope{condition: true, path: "Conditions." + name})
	if err == nil {
		switch x := v.(type) {
		case bool:
		case value.Unknown:
			v = value.Derived(x.Reasons)
		case string:
			if x == "true" || x == "false" {
				v = x == "true"
			} else {
				err = &resolveError{line: n.Line, msg: fmt.Sprintf("condition %s is %q, not a condition", name, x)}
			}
		default:
			err = &resolveError{line: n.Line, msg: fmt.Sprintf("condition %s is %s, not a condition", name, value.Kind(v))}
		}
	}
	t.condState[name] = condResult{done: true, val: v, err: err}
	return v, err
}

func equalValues(a, b any) bool {
	if sa, ok := value.AsString(a); ok {
		if sb, ok := value.AsString(b); ok {
			return sa == sb
		}
		return false
	}
	return reflect.DeepEqual(a, b)
}

func (t *Template) join(arg *yaml.Node, s *scope) (any, error) {
	args, err := argList("Fn::Join", arg, s, 2, 2)
	if err != nil {
		return nil, err
	}
	delim, err := t.stringArg("Fn::Join", args[0], s)
	if err != nil {
		return nil, err
	}
	lv, err := t.resolve(args[1], s)
	if err != nil {
		return nil, err
	}
	switch x := lv.(type) {
	case value.Unknown:
		return value.Derived(x.Reasons), nil
	case []any:
		parts := make([]any, 0, 2*len(x))
		for i, e := range x {
			str, ok := value.AsString(e)
			if !ok {
				return nil, s.fail(args[1], "Fn::Join takes a list of strings, element %d is %s", i, value.Kind(e))
			}
			if i > 0 {
				parts = append(parts, delim)
			}
			parts = append(parts, str)
		}
		return value.Concat(parts...), nil
	}
	return nil, s.fail(args[1], "Fn::Join takes a list, got %s", value.Kind(lv))
}

func (t *Template) selectFn(arg *yaml.Node, s *scope) (any, error) {
	args, err := argList("Fn::Select", arg, s, 2, 2)
	if err != nil {
		return nil, err
	}
	iv, err := t.resolve(args[0], s)
	if err != nil {
		return nil, err
	}
	lv, err := t.resolve(args[1], s)
	if err != nil {
		return nil, err
	}
	if u, ok := lv.(value.Unknown); ok {
		return value.Derived(value.MergeReasons(u.Reasons, value.Collect(iv))), nil
	}
	if u, ok := iv.(value.Unknown); ok {
		return value.Derived(u.Reasons), nil
	}
	n, ok := value.AsInt(iv)
	if !ok {
		return nil, s.fail(args[0], "Fn::Select index is %s, not an integer", value.Kind(iv))
	}
	i, _ := strconv.Atoi(string(n.(json.Number)))
	l, ok := lv.([]any)
	if !ok {
		return nil, s.fail(args[1], "Fn::Select takes a list, got %s", value.Kind(lv))
	}
	if i < 0 || i >= len(l) {
		return nil, s.fail(args[0], "Fn::Select index %d is out of range (list of %d)", i, len(l))
	}
	return l[i], nil
}

func (t *Template) findInMap(arg *yaml.Node, s *scope) (any, error) {
	args, err := argList("Fn::FindInMap", arg, s, 3, 4)
	if err != nil {
		return nil, err
	}
	var keys [3]string
	var reasons []string
	for i := 0; i < 3; i++ {
		v, err := t.resolve(args[i], s)
		if err != nil {
			return nil, err
		}
		str, ok := value.AsString(v)
		if !ok {
			return nil, s.fail(args[i], "Fn::FindInMap key is %s, not a string", value.Kind(v))
		}
		switch x := str.(type) {
		case string:
			keys[i] = x
		case value.Unknown:
			reasons = value.MergeReasons(reasons, x.Reasons)
		}
	}
	if reasons != nil {
		return value.Derived(reasons), nil
	}
	var def *yaml.Node
	if len(args) == 4 {
		d := deref(args[3])
		if d.Kind == yaml.MappingNode && len(d.Content) == 2 && d.Content[0].Value == "DefaultValue" {
			def = d.Content[1]
		} else {
			return nil, s.fail(args[3], "Fn::FindInMap fourth argument must be {DefaultValue: ...}")
		}
	}
	n := lookup(t.mappings, keys[0])
	if n != nil {
		n = lookup(n, keys[1])
	}
	if n != nil {
		n = lookup(n, keys[2])
	}
	if n == nil {
		if def != nil {
			return t.resolve(def, s)
		}
		return nil, s.fail(arg, "Fn::FindInMap: no %s.%s.%s in Mappings", keys[0], keys[1], keys[2])
	}
	return t.resolve(n, s)
}

func lookup(n *yaml.Node, key string) *yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
