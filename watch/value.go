package watch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// value is a decoded JSON value with its path, for reading request
// parameters whose shape differs per API and per record version. Every
// accessor names the path when the type is not what the API documents.
type value struct {
	v       any // nil, bool, json.Number, string, []any, map[string]any
	path    string
	present bool
}

// paramsOf decodes the record's request parameters.
func paramsOf(rec *Record) (value, error) {
	root := value{path: "requestParameters"}
	if len(rec.RequestParameters) == 0 {
		return root, nil
	}
	v, err := decodeValue(rec.RequestParameters)
	if err != nil {
		return root, fmt.Errorf("requestParameters: %w", err)
	}
	root.v, root.present = v, true
	return root, nil
}

func decodeValue(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return "number " + x.String()
	case string:
		if len(x) > 40 {
			x = x[:40] + "…"
		}
		return "string " + strconv.Quote(x)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func (v value) errorf(format string, args ...any) error {
	return fmt.Errorf("%s: %s", v.path, fmt.Sprintf(format, args...))
}

// null reports whether the value is absent or JSON null.
func (v value) null() bool { return !v.present || v.v == nil }

// get returns the member name of an object; absent when v is not an
// object or lacks it.
func (v value) get(name string) value {
	out := value{path: v.path + "." + name}
	if m, ok := v.v.(map[string]any); ok {
		out.v, out.present = m[name]
	}
	return out
}

// getFold is get with the name matched without regard to case: CloudTrail
// spells some keys differently across versions (host, Host).
func (v value) getFold(name string) value {
	if m, ok := v.v.(map[string]any); ok {
		if x, ok := m[name]; ok {
			return value{v: x, path: v.path + "." + name, present: true}
		}
		for k, x := range m {
			if strings.EqualFold(k, name) {
				return value{v: x, path: v.path + "." + k, present: true}
			}
		}
	}
	return value{path: v.path + "." + name}
}

// object checks that v is an object (or absent).
func (v value) object() error {
	if v.null() {
		return nil
	}
	if _, ok := v.v.(map[string]any); !ok {
		return v.errorf("want an object, found %s", describe(v.v))
	}
	return nil
}

// str returns a string value; "" when absent or null.
func (v value) str() (string, error) {
	switch x := v.v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	}
	return "", v.errorf("want a string, found %s", describe(v.v))
}

// firstStr reads a string or the first string of an array, as S3 renders
// headers and query parameters (["private"]).
func (v value) firstStr() (string, error) {
	if a, ok := v.v.([]any); ok {
		if len(a) == 0 {
			return "", nil
		}
		return value{v: a[0], path: v.path + "[0]", present: true}.str()
	}
	return v.str()
}

// strs reads a string or an array of strings.
func (v value) strs() ([]string, error) {
	switch x := v.v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{x}, nil
	case []any:
		out := make([]string, 0, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%s[%d]: want a string, found %s", v.path, i, describe(e))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, v.errorf("want a string or an array of strings, found %s", describe(v.v))
}

// boolean reads true or false, also written as the strings "true" and
// "false"; present is false when the value is absent or null.
func (v value) boolean() (b, present bool, err error) {
	switch x := v.v.(type) {
	case nil:
		return false, false, nil
	case bool:
		return x, true, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true":
			return true, true, nil
		case "false":
			return false, true, nil
		}
	}
	return false, false, v.errorf("want true or false, found %s", describe(v.v))
}

// integer reads a whole number, also written as a string; present is false
// when the value is absent or null.
func (v value) integer() (n int, present bool, err error) {
	var s string
	switch x := v.v.(type) {
	case nil:
		return 0, false, nil
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	default:
		return 0, false, v.errorf("want a number, found %s", describe(v.v))
	}
	n, err = strconv.Atoi(s)
	if err != nil {
		return 0, false, v.errorf("want a whole number, found %s", describe(v.v))
	}
	return n, true, nil
}

// list reads an array; a single object or string is a list of one, as S3
// renders a single XML child element.
func (v value) list() []value {
	switch x := v.v.(type) {
	case nil:
		return nil
	case []any:
		out := make([]value, len(x))
		for i, e := range x {
			out[i] = value{v: e, path: v.path + "[" + strconv.Itoa(i) + "]", present: true}
		}
		return out
	}
	return []value{v}
}

// items reads an EC2 list: {"items": [...]}, {} for an empty list, or (in
// some records) a plain array.
func (v value) items() ([]value, error) {
	switch x := v.v.(type) {
	case nil:
		return nil, nil
	case []any:
		return v.list(), nil
	case map[string]any:
		it, ok := x["items"]
		if !ok {
			if len(x) == 0 {
				return nil, nil
			}
			return nil, v.errorf("want {\"items\": [...]}, found an object without items")
		}
		iv := value{v: it, path: v.path + ".items", present: true}
		if _, ok := it.([]any); !ok && it != nil {
			return nil, iv.errorf("want an array, found %s", describe(it))
		}
		return iv.list(), nil
	}
	return nil, v.errorf("want a list, found %s", describe(v.v))
}

// raw re-encodes the value for the shared analysers, which read JSON.
func (v value) raw() []byte {
	b, _ := json.Marshal(v.v)
	return b
}
