package ci

import (
	"strconv"
	"strings"
)

// Error is a problem with one resource (or the whole file) of a template or
// plan: it names the file, the line when known, the resource and the
// property.
type Error struct {
	File     string
	Line     int    // 0 when unknown (plans)
	Resource string // logical id or Terraform address; "" for the whole file
	Type     string // resource type, when known
	Property string // dotted property path, when the problem is one property
	Err      error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":")
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Resource != "" {
		b.WriteString("resource ")
		b.WriteString(e.Resource)
		if e.Type != "" {
			b.WriteString(" (" + e.Type + ")")
		}
		b.WriteString(": ")
	}
	if e.Property != "" {
		b.WriteString("property ")
		b.WriteString(e.Property)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }
