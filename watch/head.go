package watch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// head holds what the watcher needs to know about a record before decoding
// it: enough to skip read-only and unwatched calls at the cost of one pass
// over the bytes, without allocating.
type head struct {
	source, name, id []byte // raw string contents; escapes decoded
	readOnly         byte   // 0 when absent, 't' or 'f'
	failed           bool   // errorCode is a non-empty string
	detailType       []byte // set for EventBridge events
	detail           []byte // the raw detail value of an EventBridge event
	hasS3            bool   // an s3 member: with eventSource aws:s3, an S3 event notification
}

var errNotObject = errors.New("not a JSON object")

// readHead walks the top-level members of a JSON object. Nested values are
// skipped by bracket counting; the decoder that reads the record later
// validates them.
func readHead(b []byte) (head, error) {
	var h head
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return h, errNotObject
	}
	i++
	for first := true; ; first = false {
		i = skipSpace(b, i)
		if i >= len(b) {
			return h, errors.New("unexpected end of the record")
		}
		if b[i] == '}' {
			return h, nil
		}
		if !first {
			if b[i] != ',' {
				return h, fmt.Errorf("byte %d: want ',' or '}', found %q", i, b[i])
			}
			i = skipSpace(b, i+1)
		}
		if i >= len(b) || b[i] != '"' {
			return h, fmt.Errorf("byte %d: want a key", i)
		}
		kEnd, err := stringEnd(b, i)
		if err != nil {
			return h, err
		}
		key := b[i+1 : kEnd-1]
		i = skipSpace(b, kEnd)
		if i >= len(b) || b[i] != ':' {
			return h, fmt.Errorf("byte %d: want ':' after key %q", i, key)
		}
		i = skipSpace(b, i+1)
		vEnd, err := valueEnd(b, i)
		if err != nil {
			return h, err
		}
		v := b[i:vEnd]
		switch string(key) {
		case "eventSource":
			h.source = stringContent(v)
		case "eventName":
			h.name = stringContent(v)
		case "eventID":
			h.id = stringContent(v)
		case "readOnly":
			if len(v) > 0 && (v[0] == 't' || v[0] == 'f') {
				h.readOnly = v[0]
			}
		case "errorCode":
			h.failed = len(v) > 2 && v[0] == '"'
		case "detail-type":
			h.detailType = stringContent(v)
		case "detail":
			h.detail = v
		case "s3":
			h.hasS3 = true
		}
		i = vEnd
	}
}

// stringContent returns the text of a JSON string value, nil for other
// values. Escapes and non-ASCII bytes are rare in these fields; when
// present the string is decoded as encoding/json decodes it.
func stringContent(v []byte) []byte {
	if len(v) < 2 || v[0] != '"' {
		return nil
	}
	inner := v[1 : len(v)-1]
	plain := true
	for _, c := range inner {
		if c == '\\' || c >= 0x80 {
			plain = false
			break
		}
	}
	if plain {
		return inner
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return nil
	}
	return []byte(s)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// stringEnd returns the index after the closing quote of the string that
// starts at b[i].
func stringEnd(b []byte, i int) (int, error) {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return 0, fmt.Errorf("byte %d: unterminated string", i)
		}
		j += k
		n := 0
		for m := j - 1; m > i && b[m] == '\\'; m-- {
			n++
		}
		j++
		if n%2 == 0 {
			return j, nil
		}
	}
}

// valueEnd returns the index after the value that starts at b[i].
func valueEnd(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errors.New("unexpected end of the record, want a value")
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e, err := stringEnd(b, j)
				if err != nil {
					return 0, err
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, fmt.Errorf("byte %d: unterminated value", i)
	}
	for j := i; j < len(b); j++ {
		switch b[j] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			if j == i {
				return 0, fmt.Errorf("byte %d: want a value, found %q", i, b[j])
			}
			return j, nil
		}
	}
	return 0, errors.New("unexpected end of the record")
}
