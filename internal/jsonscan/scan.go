// Package jsonscan splits a stream of JSON into raw values without decoding
// them.
//
// The engine reads snapshot files of millions of items: it needs each item's
// bytes, its line, and the structure around them, but the full decode happens
// later on worker goroutines. A Scanner checks only what splitting needs
// (brackets, strings, escapes); encoding/json validates each value when it is
// decoded, so one malformed item is reported on its own while the stream goes
// on, as long as its brackets balance.
package jsonscan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// MaxValue is the largest single value a Scanner accepts. A configuration
// item is at most a few megabytes; a larger value is a broken file, and
// refusing it keeps memory bounded.
const MaxValue = 256 << 20

// SyntaxError reports malformed JSON at a position.
type SyntaxError struct {
	Offset int64 // byte offset from the start of the stream
	Line   int   // 1-based line
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d (byte %d): %s", e.Line, e.Offset, e.Msg)
}

// Scanner reads JSON values from a stream.
type Scanner struct {
	r    io.Reader
	buf  []byte
	pos  int   // next unread byte in buf
	end  int   // end of valid data in buf
	base int64 // stream offset of buf[0]
	line int   // line of buf[pos]
	err  error // sticky read error (io.EOF at the end)
}

// NewScanner returns a Scanner reading from r.
func NewScanner(r io.Reader) *Scanner {
	return &Scanner{r: r, buf: make([]byte, 64<<10), line: 1}
}

// Offset is the stream offset of the next unread byte.
func (s *Scanner) Offset() int64 { return s.base + int64(s.pos) }

// Line is the 1-based line of the next unread byte.
func (s *Scanner) Line() int { return s.line }

func (s *Scanner) errorf(format string, args ...any) error {
	return &SyntaxError{Offset: s.Offset(), Line: s.line, Msg: fmt.Sprintf(format, args...)}
}

// fill reads more data, keeping buf[keep:] (shifting it to the front).
// It returns false when no more data can be read.
func (s *Scanner) fill(keep int) bool {
	if keep > 0 {
		n := copy(s.buf, s.buf[keep:s.end])
		s.base += int64(keep)
		s.pos -= keep
		s.end = n
	}
	if s.err != nil {
		return false
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= MaxValue {
			s.err = fmt.Errorf("a JSON value is larger than %d bytes", MaxValue)
			return false
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.err = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// readErr turns the sticky read error into what callers report.
func (s *Scanner) readErr(what string) error {
	if s.err == nil || errors.Is(s.err, io.EOF) {
		return s.errorf("unexpected end of input %s", what)
	}
	return fmt.Errorf("line %d (byte %d): %w", s.line, s.Offset(), s.err)
}

// Peek skips white space and returns the next byte without consuming it.
// At a clean end of input it returns io.EOF.
func (s *Scanner) Peek() (byte, error) {
	for {
		for s.pos < s.end {
			c := s.buf[s.pos]
			switch c {
			case ' ', '\t', '\r':
				s.pos++
			case '\n':
				s.pos++
				s.line++
			default:
				return c, nil
			}
		}
		if !s.fill(s.pos) {
			if s.err == nil || errors.Is(s.err, io.EOF) {
				return 0, io.EOF
			}
			return 0, s.readErr("")
		}
	}
}

// Expect consumes the byte c after optional white space.
func (s *Scanner) Expect(c byte) error {
	got, err := s.Peek()
	if err == io.EOF {
		return s.errorf("unexpected end of input, want %q", c)
	}
	if err != nil {
		return err
	}
	if got != c {
		return s.errorf("want %q, found %q", c, got)
	}
	s.pos++
	return nil
}

// More reports whether a container has another element, consuming the
// separating comma. first is true for the first call inside the container;
// closer is ']' or '}'. When it returns false the closer has been consumed.
func (s *Scanner) More(first bool, closer byte) (bool, error) {
	c, err := s.Peek()
	if err == io.EOF {
		return false, s.errorf("unexpected end of input, want %q", closer)
	}
	if err != nil {
		return false, err
	}
	if c == closer {
		s.pos++
		return false, nil
	}
	if first {
		return true, nil
	}
	if c != ',' {
		return false, s.errorf("want ',' or %q, found %q", closer, c)
	}
	s.pos++
	return true, nil
}

// Key reads an object key and the colon after it. The returned string is
// the raw key (escapes are rare in keys and left as they are).
func (s *Scanner) Key() (string, error) {
	c, err := s.Peek()
	if err == io.EOF {
		return "", s.errorf("unexpected end of input, want a key")
	}
	if err != nil {
		return "", err
	}
	if c != '"' {
		return "", s.errorf("want a key, found %q", c)
	}
	raw, err := s.Value(nil)
	if err != nil {
		return "", err
	}
	if err := s.Expect(':'); err != nil {
		return "", err
	}
	return string(raw[1 : len(raw)-1]), nil
}

// Value appends the next complete JSON value to dst and returns it.
// Strings, brackets and escapes are checked; literals and numbers are only
// delimited (the decoder that reads the value validates them).
func (s *Scanner) Value(dst []byte) ([]byte, error) {
	if _, err := s.Peek(); err != nil {
		if err == io.EOF {
			return dst, s.errorf("unexpected end of input, want a value")
		}
		return dst, err
	}
	start := s.pos
	if c := s.buf[s.pos]; c != '{' && c != '[' && c != '"' {
		return s.scalar(dst)
	}
	depth := 0
	inString := false
	var stack []byte // expected closers beyond depth 16 are rare; keep a small stack
	var small [16]byte
	stack = small[:0]
	for {
		buf := s.buf[:s.end]
		i := s.pos
		for i < len(buf) {
			c := buf[i]
			if inString {
				// Valid JSON strings hold no raw newline, so only the closing
				// quote matters: the next quote not preceded by an odd run of
				// backslashes.
				j := bytes.IndexByte(buf[i:], '"')
				if j < 0 {
					i = len(buf)
					break
				}
				i += j
				k := i - 1
				for k >= start && buf[k] == '\\' {
					k--
				}
				i++
				if (i-2-k)%2 == 1 {
					continue // escaped quote
				}
				inString = false
				if depth == 0 {
					s.pos = i
					return append(dst, buf[start:i]...), nil
				}
				continue
			}
			switch c {
			case '"':
				inString = true
				i++
			case '{', '[':
				if c == '{' {
					stack = append(stack, '}')
				} else {
					stack = append(stack, ']')
				}
				depth++
				i++
			case '}', ']':
				if depth == 0 {
					s.pos = i
					return dst, s.errorf("unexpected %q", c)
				}
				if stack[len(stack)-1] != c {
					s.pos = i
					return dst, s.errorf("mismatched %q, want %q", c, stack[len(stack)-1])
				}
				stack = stack[:len(stack)-1]
				depth--
				i++
				if depth == 0 {
					s.pos = i
					return append(dst, buf[start:i]...), nil
				}
			case '\n':
				s.line++
				i++
			default:
				i++
			}
		}

		s.pos = i
		// Keep the value's bytes; fill shifts them to the front.
		shift := start
		if !s.fill(start) {
			return dst, s.readErr("inside a value")
		}
		start -= shift
	}
}

// scalar reads a number or literal: everything up to the next delimiter.
func (s *Scanner) scalar(dst []byte) ([]byte, error) {
	start := s.pos
	for {
		for i := s.pos; i < s.end; i++ {
			switch s.buf[i] {
			case ' ', '\t', '\r', '\n', ',', ':', ']', '}', '[', '{', '"':
				if i == start {
					s.pos = i
					return dst, s.errorf("unexpected %q", s.buf[i])
				}
				s.pos = i
				return append(dst, s.buf[start:i]...), nil
			}
		}
		s.pos = s.end
		shift := start
		if !s.fill(start) {
			if s.err == nil || errors.Is(s.err, io.EOF) {
				start -= shift
				if s.pos > start {
					return append(dst, s.buf[start:s.pos]...), nil
				}
			}
			return dst, s.readErr("inside a value")
		}
		start -= shift
	}
}

// Skip consumes the next value without keeping it.
func (s *Scanner) Skip() error {
	_, err := s.Value(nil)
	return err
}

// TopLevelString returns the string value of key among the members of the
// JSON object data, without decoding the rest: members nested deeper are
// skipped, and escapes in the value are left as they are. It reports false
// when data is not an object or has no such string member.
func TopLevelString(data []byte, key string) (string, bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return "", false
	}
	i++
	for {
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != '"' {
			return "", false
		}
		kEnd := stringEnd(data, i)
		if kEnd < 0 {
			return "", false
		}
		k := data[i+1 : kEnd-1]
		i = skipSpace(data, kEnd)
		if i >= len(data) || data[i] != ':' {
			return "", false
		}
		i = skipSpace(data, i+1)
		if i >= len(data) {
			return "", false
		}
		if string(k) == key && data[i] == '"' {
			end := stringEnd(data, i)
			if end < 0 {
				return "", false
			}
			return string(data[i+1 : end-1]), true
		}
		i = valueEnd(data, i)
		if i < 0 {
			return "", false
		}
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != ',' {
			return "", false
		}
		i++
	}
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\n' || data[i] == '\t' || data[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the string starting at data[i] ('"').
func stringEnd(data []byte, i int) int {
	for j := i + 1; j < len(data); {
		k := bytes.IndexByte(data[j:], '"')
		if k < 0 {
			return -1
		}
		j += k
		n := 0
		for b := j - 1; b > i && data[b] == '\\'; b-- {
			n++
		}
		j++
		if n%2 == 0 {
			return j
		}
	}
	return -1
}

// valueEnd returns the index after the value starting at data[i].
func valueEnd(data []byte, i int) int {
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				e := stringEnd(data, j)
				if e < 0 {
					return -1
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	for j := i; j < len(data); j++ {
		switch data[j] {
		case ',', '}', ']', ' ', '\n', '\t', '\r':
			return j
		}
	}
	return len(data)
}
