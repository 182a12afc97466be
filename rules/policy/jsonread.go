package policy

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds a small JSON reader. Policies are decoded on every
// configuration item and CloudTrail record, so the reader walks the text once,
// keeps object members in document order (condition operators and keys are
// reported in the order they were written), records where every value starts
// and ends (a statement's original text is kept for re-marshalling), and never
// builds maps. It accepts exactly the documents encoding/json accepts.

type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonArray
	jsonObject
)

func (k jsonKind) String() string {
	switch k {
	case jsonNull:
		return "null"
	case jsonBool:
		return "a boolean"
	case jsonNumber:
		return "a number"
	case jsonString:
		return "a string"
	case jsonArray:
		return "an array"
	default:
		return "an object"
	}
}

// jsonValue is one decoded value. text is the unescaped string, the number
// literal, or "true"/"false"/"null". For arrays elems holds the items; for
// objects keys and elems are parallel.
type jsonValue struct {
	kind       jsonKind
	text       string
	start, end int
	keys       []string
	elems      []jsonValue
}

// maxJSONDepth bounds nesting: a policy is at most five levels deep, and a
// bound keeps hostile input from exhausting the stack.
const maxJSONDepth = 64

type jsonSyntaxError struct {
	offset int
	msg    string
}

func (e *jsonSyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at offset %d: %s", e.offset, e.msg)
}

type jsonReader struct {
	s     string
	i     int
	depth int
}

// readJSON decodes s, which must hold exactly one JSON value.
func readJSON(s string) (jsonValue, error) {
	r := jsonReader{s: s}
	r.skipSpace()
	v, err := r.value()
	if err != nil {
		return jsonValue{}, err
	}
	r.skipSpace()
	if r.i != len(r.s) {
		return jsonValue{}, r.errorf("unexpected %s after the top-level value", r.describe())
	}
	return v, nil
}

func (r *jsonReader) errorf(format string, args ...any) error {
	return &jsonSyntaxError{offset: r.i, msg: fmt.Sprintf(format, args...)}
}

func (r *jsonReader) describe() string {
	if r.i >= len(r.s) {
		return "end of input"
	}
	c, _ := utf8.DecodeRuneInString(r.s[r.i:])
	return strconv.QuoteRune(c)
}

func (r *jsonReader) skipSpace() {
	for r.i < len(r.s) {
		switch r.s[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

func (r *jsonReader) value() (jsonValue, error) {
	if r.i >= len(r.s) {
		return jsonValue{}, r.errorf("unexpected end of input")
	}
	switch c := r.s[r.i]; {
	case c == '{':
		return r.object()
	case c == '[':
		return r.array()
	case c == '"':
		start := r.i
		text, err := r.str()
		if err != nil {
			return jsonValue{}, err
		}
		return jsonValue{kind: jsonString, text: text, start: start, end: r.i}, nil
	case c == 't':
		return r.literal("true", jsonBool)
	case c == 'f':
		return r.literal("false", jsonBool)
	case c == 'n':
		return r.literal("null", jsonNull)
	case c == '-' || (c >= '0' && c <= '9'):
		return r.number()
	default:
		return jsonValue{}, r.errorf("unexpected %s looking for a value", r.describe())
	}
}

func (r *jsonReader) literal(word string, kind jsonKind) (jsonValue, error) {
	if len(r.s)-r.i < len(word) || r.s[r.i:r.i+len(word)] != word {
		return jsonValue{}, r.errorf("unexpected %s looking for a value", r.describe())
	}
	start := r.i
	r.i += len(word)
	return jsonValue{kind: kind, text: word, start: start, end: r.i}, nil
}

func (r *jsonReader) number() (jsonValue, error) {
	start := r.i
	if r.s[r.i] == '-' {
		r.i++
	}
	digits := func() int {
		n := 0
		for r.i < len(r.s) && r.s[r.i] >= '0' && r.s[r.i] <= '9' {
			r.i++
			n++
		}
		return n
	}
	switch {
	case r.i < len(r.s) && r.s[r.i] == '0':
		r.i++
	case digits() == 0:
		return jsonValue{}, r.errorf("invalid number: expected a digit, found %s", r.describe())
	}
	if r.i < len(r.s) && r.s[r.i] == '.' {
		r.i++
		if digits() == 0 {
			return jsonValue{}, r.errorf("invalid number: expected a digit after '.', found %s", r.describe())
		}
	}
	if r.i < len(r.s) && (r.s[r.i] == 'e' || r.s[r.i] == 'E') {
		r.i++
		if r.i < len(r.s) && (r.s[r.i] == '+' || r.s[r.i] == '-') {
			r.i++
		}
		if digits() == 0 {
			return jsonValue{}, r.errorf("invalid number: expected a digit in the exponent, found %s", r.describe())
		}
	}
	return jsonValue{kind: jsonNumber, text: r.s[start:r.i], start: start, end: r.i}, nil
}

// str reads a quoted string starting at r.i and returns it unescaped. Strings
// without escapes are returned as slices of the input, without copying.
func (r *jsonReader) str() (string, error) {
	r.i++ // opening quote
	start := r.i
	ascii := true
	for r.i < len(r.s) {
		c := r.s[r.i]
		switch {
		case c == '"':
			s := r.s[start:r.i]
			r.i++
			if !ascii && !utf8.ValidString(s) {
				s = string(appendValidUTF8(nil, s))
			}
			return s, nil
		case c == '\\':
			return r.escapedStr(start)
		case c < 0x20:
			return "", r.errorf("invalid control character %q in string", c)
		case c >= utf8.RuneSelf:
			ascii = false
		}
		r.i++
	}
	return "", r.errorf("unterminated string")
}

// appendValidUTF8 appends s with every byte that is not part of a valid UTF-8
// sequence replaced by U+FFFD, as encoding/json decodes strings.
func appendValidUTF8(buf []byte, s string) []byte {
	for i := 0; i < len(s); {
		ch, w := utf8.DecodeRuneInString(s[i:])
		if ch == utf8.RuneError && w == 1 {
			buf = utf8.AppendRune(buf, utf8.RuneError)
		} else {
			buf = append(buf, s[i:i+w]...)
		}
		i += w
	}
	return buf
}

func (r *jsonReader) escapedStr(start int) (string, error) {
	buf := make([]byte, 0, r.i-start+16)
	buf = appendValidUTF8(buf, r.s[start:r.i])
	for r.i < len(r.s) {
		c := r.s[r.i]
		switch {
		case c == '"':
			r.i++
			return string(buf), nil
		case c < 0x20:
			return "", r.errorf("invalid control character %q in string", c)
		case c >= utf8.RuneSelf:
			ch, w := utf8.DecodeRuneInString(r.s[r.i:])
			if ch == utf8.RuneError && w == 1 {
				buf = utf8.AppendRune(buf, utf8.RuneError)
			} else {
				buf = append(buf, r.s[r.i:r.i+w]...)
			}
			r.i += w
			continue
		case c != '\\':
			buf = append(buf, c)
			r.i++
			continue
		}
		if r.i+1 >= len(r.s) {
			return "", r.errorf("unterminated string")
		}
		r.i++
		switch e := r.s[r.i]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r.i++
			c1, ok := r.hex4()
			if !ok {
				return "", r.errorf("invalid \\u escape")
			}
			ch := rune(c1)
			if utf16.IsSurrogate(ch) {
				// A high surrogate must be followed by \u and a low one;
				// anything else decodes to U+FFFD, as encoding/json does.
				ch = utf8.RuneError
				if r.i+1 < len(r.s) && r.s[r.i] == '\\' && r.s[r.i+1] == 'u' {
					save := r.i
					r.i += 2
					if c2, ok := r.hex4(); ok {
						if d := utf16.DecodeRune(rune(c1), rune(c2)); d != utf8.RuneError {
							ch = d
						} else {
							r.i = save
						}
					} else {
						return "", r.errorf("invalid \\u escape")
					}
				}
			}
			buf = utf8.AppendRune(buf, ch)
			continue
		default:
			return "", r.errorf("invalid escape character %s", r.describe())
		}
		r.i++
	}
	return "", r.errorf("unterminated string")
}

func (r *jsonReader) hex4() (uint16, bool) {
	if len(r.s)-r.i < 4 {
		return 0, false
	}
	var v uint16
	for k := 0; k < 4; k++ {
		c := r.s[r.i+k]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		v = v<<4 | uint16(c)
	}
	r.i += 4
	return v, true
}

func (r *jsonReader) enter() error {
	r.depth++
	if r.depth > maxJSONDepth {
		return r.errorf("nesting deeper than %d levels", maxJSONDepth)
	}
	return nil
}

// kindAt returns the kind of the value starting at r.i, or the syntax error
// reading it would give.
func (r *jsonReader) kindAt() (jsonKind, error) {
	if r.i < len(r.s) {
		switch c := r.s[r.i]; {
		case c == '{':
			return jsonObject, nil
		case c == '[':
			return jsonArray, nil
		case c == '"':
			return jsonString, nil
		case c == 't' || c == 'f':
			return jsonBool, nil
		case c == 'n':
			return jsonNull, nil
		case c == '-' || (c >= '0' && c <= '9'):
			return jsonNumber, nil
		}
	}
	_, err := r.value()
	return 0, err
}

// beginObject consumes '{' and reports whether a member follows.
func (r *jsonReader) beginObject() (bool, error) {
	if err := r.enter(); err != nil {
		return false, err
	}
	r.i++
	r.skipSpace()
	if r.i < len(r.s) && r.s[r.i] == '}' {
		r.i++
		r.depth--
		return false, nil
	}
	return true, nil
}

// key reads a member's key and the colon after it.
func (r *jsonReader) key() (string, error) {
	if r.i >= len(r.s) || r.s[r.i] != '"' {
		return "", r.errorf("unexpected %s looking for an object key", r.describe())
	}
	k, err := r.str()
	if err != nil {
		return "", err
	}
	r.skipSpace()
	if r.i >= len(r.s) || r.s[r.i] != ':' {
		return "", r.errorf("unexpected %s after object key, expected ':'", r.describe())
	}
	r.i++
	r.skipSpace()
	return k, nil
}

// nextMember consumes the ',' or '}' after a member's value and reports
// whether another member follows.
func (r *jsonReader) nextMember() (bool, error) {
	r.skipSpace()
	if r.i >= len(r.s) {
		return false, r.errorf("unexpected end of input in object")
	}
	switch r.s[r.i] {
	case ',':
		r.i++
		r.skipSpace()
		return true, nil
	case '}':
		r.i++
		r.depth--
		return false, nil
	}
	return false, r.errorf("unexpected %s in object, expected ',' or '}'", r.describe())
}

// beginArray consumes '[' and reports whether an element follows.
func (r *jsonReader) beginArray() (bool, error) {
	if err := r.enter(); err != nil {
		return false, err
	}
	r.i++
	r.skipSpace()
	if r.i < len(r.s) && r.s[r.i] == ']' {
		r.i++
		r.depth--
		return false, nil
	}
	return true, nil
}

// nextElement consumes the ',' or ']' after an element and reports whether
// another element follows.
func (r *jsonReader) nextElement() (bool, error) {
	r.skipSpace()
	if r.i >= len(r.s) {
		return false, r.errorf("unexpected end of input in array")
	}
	switch r.s[r.i] {
	case ',':
		r.i++
		r.skipSpace()
		return true, nil
	case ']':
		r.i++
		r.depth--
		return false, nil
	}
	return false, r.errorf("unexpected %s in array, expected ',' or ']'", r.describe())
}

func (r *jsonReader) object() (jsonValue, error) {
	v := jsonValue{kind: jsonObject, start: r.i}
	more, err := r.beginObject()
	for ; more && err == nil; more, err = r.nextMember() {
		var key string
		if key, err = r.key(); err != nil {
			return jsonValue{}, err
		}
		elem, err := r.value()
		if err != nil {
			return jsonValue{}, err
		}
		v.keys = append(v.keys, key)
		v.elems = append(v.elems, elem)
	}
	if err != nil {
		return jsonValue{}, err
	}
	v.end = r.i
	return v, nil
}

func (r *jsonReader) array() (jsonValue, error) {
	v := jsonValue{kind: jsonArray, start: r.i}
	more, err := r.beginArray()
	for ; more && err == nil; more, err = r.nextElement() {
		elem, err := r.value()
		if err != nil {
			return jsonValue{}, err
		}
		v.elems = append(v.elems, elem)
	}
	if err != nil {
		return jsonValue{}, err
	}
	v.end = r.i
	return v, nil
}
