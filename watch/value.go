package watch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// value is a JSON value of a record's request parameters, kept as raw
// bytes and read where a detection asks, with its path for errors: the
// shape of the parameters differs per API and per record version, and
// every accessor names the path when the type is not what the API
// documents. Reading in place keeps a judgement from decoding what it
// does not look at, and hands the shared analysers the original text.
type value struct {
	b    []byte // nil when absent
	path string
}

// paramsOf returns the record's request parameters, checked to be JSON.
func paramsOf(rec *Record) (value, error) {
	root := value{path: "requestParameters"}
	if len(rec.RequestParameters) == 0 {
		return root, nil
	}
	b := bytes.TrimSpace(rec.RequestParameters)
	if !json.Valid(b) {
		var x any
		err := json.Unmarshal(b, &x)
		return root, fmt.Errorf("requestParameters: %w", err)
	}
	root.b = b
	return root, nil
}

// kind is the first byte of the value: '{', '[', '"', 't', 'f', 'n', or a
// digit or '-' for numbers; 0 when absent.
func (v value) kind() byte {
	if len(v.b) == 0 {
		return 0
	}
	return v.b[0]
}

// describe names the value for errors: "number 42", "string \"x\"", "an
// object".
func (v value) describe() string {
	switch k := v.kind(); {
	case k == 0:
		return "nothing"
	case k == 'n':
		return "null"
	case k == 't' || k == 'f':
		return string(v.b)
	case k == '"':
		s, _ := v.str()
		if len(s) > 40 {
			s = s[:40] + "…"
		}
		return "string " + strconv.Quote(s)
	case k == '[':
		return "an array"
	case k == '{':
		return "an object"
	}
	return "number " + string(v.b)
}

func (v value) errorf(format string, args ...any) error {
	return fmt.Errorf("%s: %s", v.path, fmt.Sprintf(format, args...))
}

// present reports whether the value is there (null counts as there).
func (v value) present() bool { return len(v.b) > 0 }

// null reports whether the value is absent or JSON null.
func (v value) null() bool { return len(v.b) == 0 || v.b[0] == 'n' }

// members calls fn for each member of an object, in order, until fn
// returns false. The value is valid JSON (checked by paramsOf). The key is
// the raw key text (escapes are rare in keys), and the member's path is
// left empty: callers name what they keep, so that walking allocates
// nothing.
func (v value) members(fn func(key []byte, m value) bool) {
	if v.kind() != '{' {
		return
	}
	b := v.b
	i := skipSpace(b, 1)
	for i < len(b) && b[i] != '}' {
		kEnd, err := stringEnd(b, i)
		if err != nil {
			return
		}
		key := b[i+1 : kEnd-1]
		i = skipSpace(b, kEnd)
		i = skipSpace(b, i+1) // ':'
		vEnd, err := valueEnd(b, i)
		if err != nil {
			return
		}
		if !fn(key, value{b: b[i:vEnd]}) {
			return
		}
		i = skipSpace(b, vEnd)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
}

// get returns the member name of an object; absent when v is not an
// object or lacks it. Of duplicate keys the last wins, as in encoding/json.
func (v value) get(name string) value {
	var out value
	v.members(func(key []byte, m value) bool {
		if string(key) == name {
			out = m
		}
		return true
	})
	out.path = v.path + "." + name
	return out
}

// getFold is get with the name matched without regard to case: CloudTrail
// spells some keys differently across versions (host, Host).
func (v value) getFold(name string) value {
	if exact := v.get(name); exact.present() {
		return exact
	}
	out := value{path: v.path + "." + name}
	v.members(func(key []byte, m value) bool {
		if bytes.EqualFold(key, []byte(name)) {
			out = m
			out.path = v.path + "." + string(key)
			return false
		}
		return true
	})
	return out
}

// object checks that v is an object (or absent, or null).
func (v value) object() error {
	if v.null() || v.kind() == '{' {
		return nil
	}
	return v.errorf("want an object, found %s", v.describe())
}

// str returns a string value; "" when absent or null.
func (v value) str() (string, error) {
	switch v.kind() {
	case 0, 'n':
		return "", nil
	case '"':
		return string(stringContent(v.b)), nil
	}
	return "", v.errorf("want a string, found %s", v.describe())
}

// elems returns the elements of an array.
func (v value) elems() []value {
	if v.kind() != '[' {
		return nil
	}
	var out []value
	b := v.b
	i := skipSpace(b, 1)
	for n := 0; i < len(b) && b[i] != ']'; n++ {
		end, err := valueEnd(b, i)
		if err != nil {
			return out
		}
		out = append(out, value{b: b[i:end], path: v.path + "[" + strconv.Itoa(n) + "]"})
		i = skipSpace(b, end)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	return out
}

// strs reads a string or an array of strings.
func (v value) strs() ([]string, error) {
	switch v.kind() {
	case 0, 'n':
		return nil, nil
	case '"':
		s, err := v.str()
		return []string{s}, err
	case '[':
		var out []string
		for _, e := range v.elems() {
			if e.kind() != '"' {
				return nil, e.errorf("want a string, found %s", e.describe())
			}
			s, _ := e.str()
			out = append(out, s)
		}
		return out, nil
	}
	return nil, v.errorf("want a string or an array of strings, found %s", v.describe())
}

// boolean reads true or false, also written as the strings "true" and
// "false"; set is false when the value is absent or null.
func (v value) boolean() (b, set bool, err error) {
	switch v.kind() {
	case 0, 'n':
		return false, false, nil
	case 't', 'f':
		return v.b[0] == 't', true, nil
	case '"':
		s, _ := v.str()
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true":
			return true, true, nil
		case "false":
			return false, true, nil
		}
	}
	return false, false, v.errorf("want true or false, found %s", v.describe())
}

// integer reads a whole number, also written as a string; set is false
// when the value is absent or null.
func (v value) integer() (n int, set bool, err error) {
	var s string
	switch k := v.kind(); {
	case k == 0 || k == 'n':
		return 0, false, nil
	case k == '"':
		s, _ = v.str()
		s = strings.TrimSpace(s)
	case k == '-' || k >= '0' && k <= '9':
		s = string(v.b)
	default:
		return 0, false, v.errorf("want a number, found %s", v.describe())
	}
	n, err = strconv.Atoi(s)
	if err != nil {
		return 0, false, v.errorf("want a whole number, found %s", v.describe())
	}
	return n, true, nil
}

// list reads an array; a single object or string is a list of one, as S3
// renders a single XML child element.
func (v value) list() []value {
	switch v.kind() {
	case 0, 'n':
		return nil
	case '[':
		return v.elems()
	}
	return []value{v}
}

// items reads an EC2 list: {"items": [...]}, {} for an empty list, or (in
// some records) a plain array.
func (v value) items() ([]value, error) {
	switch v.kind() {
	case 0, 'n':
		return nil, nil
	case '[':
		return v.elems(), nil
	case '{':
		it := v.get("items")
		if !it.present() {
			empty := true
			v.members(func([]byte, value) bool { empty = false; return false })
			if empty {
				return nil, nil
			}
			return nil, v.errorf("want {\"items\": [...]}, found an object without items")
		}
		if it.kind() != '[' && !it.null() {
			return nil, it.errorf("want an array, found %s", it.describe())
		}
		return it.list(), nil
	}
	return nil, v.errorf("want a list, found %s", v.describe())
}

// raw is the value's JSON text, for the shared analysers.
func (v value) raw() []byte { return v.b }

// rawValueOf wraps raw JSON (a record's response elements) for reading.
func rawValueOf(b []byte, path string) value {
	b = bytes.TrimSpace(b)
	if !json.Valid(b) {
		return value{path: path}
	}
	return value{b: b, path: path}
}
