// Package jsonreport writes the JSON reports of the command-line tools: one
// object {"<list>": [...], "errors": [{"source", "message"}], "stats": {...}}
// whose list is streamed as it comes, so memory stays flat on any input.
package jsonreport

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// MaxErrors bounds the errors a report keeps: input of a million broken
// items does not hold a million messages in memory.
const MaxErrors = 10000

// Error is an error as the report lists it.
type Error struct {
	Source  string `json:"source"`
	Message string `json:"message"`
}

// Writer writes one report.
type Writer struct {
	w       *bufio.Writer
	buf     bytes.Buffer
	enc     *json.Encoder
	n       int
	errs    []Error
	dropped int
	tool    string
	err     error
}

// New starts a report on w whose streamed list is named list; tool names
// the source of the "more errors" note.
func New(w io.Writer, list, tool string) *Writer {
	bw := bufio.NewWriterSize(w, 64<<10)
	r := &Writer{w: bw, tool: tool}
	r.enc = json.NewEncoder(&r.buf)
	r.enc.SetEscapeHTML(false)
	_, r.err = fmt.Fprintf(bw, "{%q: [", list)
	return r
}

// Item writes the next element of the list.
func (r *Writer) Item(v any) {
	if r.err != nil {
		return
	}
	sep := ",\n  "
	if r.n == 0 {
		sep = "\n  "
	}
	r.n++
	r.buf.Reset()
	if r.err = r.enc.Encode(v); r.err != nil {
		return
	}
	if _, r.err = r.w.WriteString(sep); r.err == nil {
		_, r.err = r.w.Write(bytes.TrimSuffix(r.buf.Bytes(), []byte("\n")))
	}
}

// Error records an error for the report's errors list.
func (r *Writer) Error(e Error) {
	if len(r.errs) < MaxErrors {
		r.errs = append(r.errs, e)
	} else {
		r.dropped++
	}
}

// Finish closes the list, writes the errors and stats, and flushes.
func (r *Writer) Finish(stats any) error {
	if r.err != nil {
		return r.err
	}
	if r.dropped > 0 {
		r.errs = append(r.errs, Error{Source: r.tool, Message: fmt.Sprintf("%d more errors not listed", r.dropped)})
	}
	if r.errs == nil {
		r.errs = []Error{}
	}
	tail := struct {
		Errors []Error `json:"errors"`
		Stats  any     `json:"stats"`
	}{r.errs, stats}
	b, err := json.MarshalIndent(tail, "", "  ")
	if err != nil {
		return err
	}
	closing := "],\n"
	if r.n > 0 {
		closing = "\n],\n"
	}
	// The tail's members follow the list: drop its opening brace.
	if _, err := fmt.Fprintf(r.w, "%s%s\n", closing, b[2:]); err != nil {
		return err
	}
	return r.w.Flush()
}
