package value

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// PropertyError is a property of the wrong type or value.
type PropertyError struct {
	Path string // dotted path of the property, e.g. "BucketEncryption.ServerSideEncryptionConfiguration[0]"
	Msg  string
}

func (e *PropertyError) Error() string { return "property " + e.Path + ": " + e.Msg }

// Errors collects the property errors of one mapping.
type Errors struct{ list []error }

// Add records an error about the property at path.
func (e *Errors) Add(path, format string, args ...any) {
	e.list = append(e.list, &PropertyError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// Err returns the first error, or nil.
func (e *Errors) Err() error {
	if len(e.list) == 0 {
		return nil
	}
	return e.list[0]
}

// Obj reads an object of resolved values (a resource's properties, a nested
// block) for a mapping. Type errors are recorded in the shared Errors with
// the property's path and the value is then treated as absent. An Obj may
// stand for an object that is itself unknown: every field read from it is
// then that Unknown, so the mapping marks each Config field it would fill.
type Obj struct {
	m    map[string]any
	unk  *Unknown
	path string
	errs *Errors
}

// NewObj wraps m, whose properties have paths under prefix ("" for top level).
func NewObj(m map[string]any, prefix string, errs *Errors) *Obj {
	return &Obj{m: m, path: prefix, errs: errs}
}

// UnknownObj returns an object that is entirely unknown.
func UnknownObj(u Unknown, path string, errs *Errors) *Obj {
	return &Obj{unk: &u, path: path, errs: errs}
}

// Errors returns the error sink shared by o and the objects read from it.
func (o *Obj) Errors() *Errors { return o.errs }

// Map returns the underlying map (nil for an unknown object).
func (o *Obj) Map() map[string]any { return o.m }

// Unknown reports whether the whole object is unknown.
func (o *Obj) Unknown() (Unknown, bool) {
	if o.unk != nil {
		return *o.unk, true
	}
	return Unknown{}, false
}

// PathOf returns the path of the property key.
func (o *Obj) PathOf(key string) string {
	if o.path == "" {
		return key
	}
	return o.path + "." + key
}

// Path returns the path of o itself.
func (o *Obj) Path() string { return o.path }

// Fail records an error about the property key.
func (o *Obj) Fail(key, format string, args ...any) { o.errs.Add(o.PathOf(key), format, args...) }

// Raw returns the value of key; absent, null and NoValue give (nil, false).
func (o *Obj) Raw(key string) (any, bool) {
	if o.unk != nil {
		return *o.unk, true
	}
	v, ok := o.m[key]
	if !ok || v == nil || IsNoValue(v) {
		return nil, false
	}
	return v, true
}

// Has reports whether key is present with a value.
func (o *Obj) Has(key string) bool { _, ok := o.Raw(key); return ok }

// String returns key as a string or Unknown. Numbers and booleans are
// turned into their text, as CloudFormation does.
func (o *Obj) String(key string) (any, bool) {
	v, ok := o.Raw(key)
	if !ok {
		return nil, false
	}
	s, ok := AsString(v)
	if !ok {
		o.Fail(key, "want a string, got %s", Kind(v))
		return nil, false
	}
	return s, true
}

// StringOr returns key as a string or Unknown, or def when absent.
func (o *Obj) StringOr(key string, def any) any {
	if v, ok := o.String(key); ok {
		return v
	}
	return def
}

// Bool returns key as a bool or Unknown; "true" and "false" strings count.
func (o *Obj) Bool(key string) (any, bool) {
	v, ok := o.Raw(key)
	if !ok {
		return nil, false
	}
	b, ok := AsBool(v)
	if !ok {
		o.Fail(key, "want a boolean, got %s", describe(v))
		return nil, false
	}
	if u, isUnknown := b.(Unknown); isUnknown {
		return u.Typed(), true
	}
	return b, true
}

// BoolOr returns key as a bool or Unknown, or def when absent.
func (o *Obj) BoolOr(key string, def any) any {
	if v, ok := o.Bool(key); ok {
		return v
	}
	return def
}

// Int returns key as an integer json.Number or Unknown; numeric strings count.
func (o *Obj) Int(key string) (any, bool) {
	v, ok := o.Raw(key)
	if !ok {
		return nil, false
	}
	n, ok := AsInt(v)
	if !ok {
		o.Fail(key, "want an integer, got %s", describe(v))
		return nil, false
	}
	if u, isUnknown := n.(Unknown); isUnknown {
		return u.Typed(), true
	}
	return n, true
}

// IntOr returns key as an integer or Unknown, or def when absent.
func (o *Obj) IntOr(key string, def any) any {
	if v, ok := o.Int(key); ok {
		return v
	}
	return def
}

// Obj returns key as an object. A value that is unknown gives an unknown object.
func (o *Obj) Obj(key string) (*Obj, bool) {
	v, ok := o.Raw(key)
	if !ok {
		return nil, false
	}
	switch x := v.(type) {
	case map[string]any:
		return &Obj{m: x, path: o.PathOf(key), errs: o.errs}, true
	case Unknown:
		return &Obj{unk: &x, path: o.PathOf(key), errs: o.errs}, true
	}
	o.Fail(key, "want an object, got %s", Kind(v))
	return nil, false
}

// Block returns key as a Terraform nested block: the first element of a list
// of objects (or an object). An empty list is absent.
func (o *Obj) Block(key string) (*Obj, bool) {
	v, ok := o.Raw(key)
	if !ok {
		return nil, false
	}
	if l, isList := v.([]any); isList {
		for i, e := range l {
			switch x := e.(type) {
			case map[string]any:
				return &Obj{m: x, path: fmt.Sprintf("%s[%d]", o.PathOf(key), i), errs: o.errs}, true
			case Unknown:
				return &Obj{unk: &x, path: fmt.Sprintf("%s[%d]", o.PathOf(key), i), errs: o.errs}, true
			case nil:
				continue
			default:
				o.errs.Add(fmt.Sprintf("%s[%d]", o.PathOf(key), i), "want an object, got %s", Kind(e))
				return nil, false
			}
		}
		return nil, false
	}
	return o.Obj(key)
}

// Objs returns key as a list of objects. An unknown list gives one unknown
// object, so that the mapping renders one element whose fields are unknown.
func (o *Obj) Objs(key string) ([]*Obj, bool) {
	v, ok := o.Raw(key)
	if !ok {
		return nil, false
	}
	switch x := v.(type) {
	case Unknown:
		return []*Obj{{unk: &x, path: o.PathOf(key) + "[0]", errs: o.errs}}, true
	case map[string]any:
		// A single object where a list is expected: CloudFormation rejects
		// it, Terraform never writes it. Report it.
		o.Fail(key, "want a list of objects, got an object")
		return nil, false
	case []any:
		out := make([]*Obj, 0, len(x))
		for i, e := range x {
			p := fmt.Sprintf("%s[%d]", o.PathOf(key), i)
			switch y := e.(type) {
			case map[string]any:
				out = append(out, &Obj{m: y, path: p, errs: o.errs})
			case Unknown:
				out = append(out, &Obj{unk: &y, path: p, errs: o.errs})
			case nil, noValue:
			default:
				o.errs.Add(p, "want an object, got %s", Kind(e))
				return nil, false
			}
		}
		return out, true
	}
	o.Fail(key, "want a list of objects, got %s", Kind(v))
	return nil, false
}

// Strings returns key as a list of strings (elements may be Unknown), or an
// Unknown when the whole list is unknown. A single string counts as a
// one-element list, as IAM and CloudFormation accept.
func (o *Obj) Strings(key string) (any, bool) {
	v, ok := o.Raw(key)
	if !ok {
		return nil, false
	}
	switch x := v.(type) {
	case Unknown:
		return x, true
	case string:
		return []any{x}, true
	case []any:
		out := make([]any, 0, len(x))
		for i, e := range x {
			if e == nil || IsNoValue(e) {
				continue
			}
			s, ok := AsString(e)
			if !ok {
				o.errs.Add(fmt.Sprintf("%s[%d]", o.PathOf(key), i), "want a string, got %s", Kind(e))
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	o.Fail(key, "want a list of strings, got %s", Kind(v))
	return nil, false
}

// AsString converts a scalar to a string; Unknown stays Unknown.
func AsString(v any) (any, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return string(x), true
	case bool:
		return strconv.FormatBool(x), true
	case Unknown:
		return x, true
	}
	return nil, false
}

// AsBool converts a bool or a "true"/"false" string; Unknown stays Unknown.
func AsBool(v any) (any, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch strings.ToLower(x) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	case Unknown:
		return x, true
	}
	return nil, false
}

// AsInt converts an integral number or numeric string to a json.Number;
// Unknown stays Unknown.
func AsInt(v any) (any, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = string(x)
	case string:
		s = strings.TrimSpace(x)
	case Unknown:
		return x, true
	default:
		return nil, false
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return json.Number(strconv.FormatInt(i, 10)), true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int64(f)) {
		return json.Number(strconv.FormatInt(int64(f), 10)), true
	}
	return nil, false
}

// describe names v's kind and, for scalars, quotes it.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case json.Number:
		return "the number " + string(x)
	}
	return Kind(v)
}
