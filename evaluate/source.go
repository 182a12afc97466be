package evaluate

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/guardrails-go/guardrails/internal/jsonscan"
	"github.com/guardrails-go/guardrails/internal/pipeline"
	"github.com/guardrails-go/guardrails/internal/walk"
)

// Source yields configuration items, or errors for the parts it could not
// read, in a stable order. A source may be ranged over more than once (the
// engine does so when rules use lookups); sources over files read the files
// again.
type Source = iter.Seq2[*ConfigurationItem, error]

// Error is an error about a part of a source or one item: where it was
// read, which resource and rule it concerns when known, and what went wrong.
type Error struct {
	// Source names the file or stream.
	Source string
	// Line is the 1-based line where the item starts, 0 when unknown.
	Line int
	// Path names the item inside the source, such as "configurationItems[17]".
	Path         string
	ResourceType string
	ResourceID   string
	// RuleID is set when a rule failed on the item.
	RuleID string
	Err    error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Source)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	b.WriteString(e.Message())
	return b.String()
}

// Message is the error without its source, for reports that list the
// source apart.
func (e *Error) Message() string {
	var b strings.Builder
	if e.Path != "" {
		b.WriteString(e.Path)
	}
	if e.ResourceType != "" || e.ResourceID != "" {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "(%s %s)", e.ResourceType, e.ResourceID)
	}
	if e.RuleID != "" {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString("rule " + e.RuleID)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Items returns a source of the given items.
func Items(items ...*ConfigurationItem) Source {
	return func(yield func(*ConfigurationItem, error) bool) {
		for _, ci := range items {
			if !yield(ci, nil) {
				return
			}
		}
	}
}

// Format reads one kind of file into configuration items. The Config data
// format is built in; package iac adds CloudFormation templates and
// Terraform plans.
type Format interface {
	// Name names the format in messages, such as "cloudformation".
	Name() string
	// Detect reports whether a file is in this format from its first bytes
	// (up to 4 KiB, decompressed).
	Detect(head []byte) bool
	// Read reads the file; name is used in locations and errors.
	Read(r io.Reader, name string) Source
}

// ConfigData is the format of AWS Config's data: one configuration item, a
// snapshot or history file, the output of GetResourceConfigHistory,
// BatchGetResourceConfig or SelectResourceConfig, a JSON array of items, or
// items one per line.
var ConfigData Format = configData{}

type configData struct{}

func (configData) Name() string { return "aws-config" }

func (configData) Detect(head []byte) bool {
	head = bytes.TrimSpace(head)
	if len(head) == 0 || head[0] != '{' && head[0] != '[' {
		return false
	}
	for _, key := range [][]byte{
		[]byte(`"configurationItems"`), []byte(`"baseConfigurationItems"`), []byte(`"resourceType"`),
		[]byte(`"configurationItem"`), []byte(`"configSnapshotId"`), []byte(`"fileVersion"`),
		[]byte(`"configurationItemStatus"`), []byte(`"Results"`),
	} {
		if bytes.Contains(head, key) {
			return true
		}
	}
	return false
}

func (configData) Read(r io.Reader, name string) Source {
	used := false
	return func(yield func(*ConfigurationItem, error) bool) {
		if used {
			yield(nil, &Error{Source: name, Err: errors.New("a stream can be read only once")})
			return
		}
		used = true
		readConfig(r, name, nil, yield)
	}
}

// Read returns a source of the Config data in r (plain or gzip), read once.
func Read(r io.Reader, name string) Source {
	return func(yield func(*ConfigurationItem, error) bool) {
		br, err := decompress(r)
		if err != nil {
			yield(nil, &Error{Source: name, Err: err})
			return
		}
		readConfig(br, name, nil, yield)
	}
}

// gzipMagic starts every gzip stream.
var gzipMagic = []byte{0x1f, 0x8b}

// decompress returns r, or its decompressed content when it is gzip.
func decompress(r io.Reader) (*bufio.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(2)
	if bytes.Equal(head, gzipMagic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		zr.Multistream(true)
		return bufio.NewReaderSize(zr, 64<<10), nil
	}
	return br, nil
}

// rawItem is one item's bytes before decoding. The splitter hands data
// over only for the duration of emit: it reuses the buffer.
type rawItem struct {
	data       []byte
	start, end int // the item's bytes in its batch's arena
	line       int
	path       string
}

// rawBatch holds items' bytes back to back, so that a batch costs two
// allocations however many items it holds; arenas are reused.
type rawBatch struct {
	arena *[]byte
	items []rawItem
}

var arenas = sync.Pool{New: func() any { b := make([]byte, 0, 320<<10); return &b }}

// decoded is one item after decoding, or the error that stopped it; raw
// holds a copy of its bytes when the reader keeps them.
type decoded struct {
	item *ConfigurationItem
	raw  []byte
	err  error
}

// readMode says how much of each item readConfig decodes.
type readMode int

const (
	// decodeAll decodes the whole item.
	decodeAll readMode = iota
	// envelopeAndRaw decodes the envelope only and keeps the item's bytes,
	// for the scan's inventory, which stores items as they are.
	envelopeAndRaw
)

// readConfig splits r into items on one goroutine and decodes them on
// several, yielding them in order.
// With types set, items of other resource types are skipped before they are
// decoded (a malformed item is still decoded, to report it).
func readConfig(r io.Reader, name string, types map[string]bool, yield func(*ConfigurationItem, error) bool) {
	readConfigMode(r, name, types, decodeAll, func(ci *ConfigurationItem, _ []byte, err error) bool { return yield(ci, err) })
}

// readConfigMode is readConfig decoding as mode says, and yielding the raw
// bytes too in envelopeAndRaw mode.
func readConfigMode(r io.Reader, name string, types map[string]bool, mode readMode, yield func(*ConfigurationItem, []byte, error) bool) {
	const batchBytes = 256 << 10
	const batchItems = 256
	workers := runtime.GOMAXPROCS(0)
	var fatal error
	stopped := false
	pipeline.Ordered(context.Background(), workers,
		func(send func(rawBatch) bool) {
			b := rawBatch{arena: arenas.Get().(*[]byte)}
			fatal = splitItems(r, func(it rawItem) bool {
				it.start = len(*b.arena)
				*b.arena = append(*b.arena, it.data...)
				it.end, it.data = len(*b.arena), nil
				b.items = append(b.items, it)
				if len(b.items) >= batchItems || len(*b.arena) >= batchBytes {
					if !send(b) {
						return false
					}
					b = rawBatch{arena: arenas.Get().(*[]byte)}
				}
				return true
			})
			if len(b.items) > 0 {
				send(b)
			}
		},
		func(b rawBatch) []decoded {
			out := make([]decoded, len(b.items))
			locs := make([]Location, len(b.items))
			for i, it := range b.items {
				data := (*b.arena)[it.start:it.end]
				if types != nil {
					if t, ok := jsonscan.TopLevelString(data, "resourceType"); ok && !types[t] {
						continue
					}
				}
				var ci *ConfigurationItem
				var err error
				if mode == envelopeAndRaw {
					ci, err = decodeEnvelope(data)
					out[i].raw = bytes.Clone(data)
				} else {
					ci, err = decodeItem(data)
				}
				if err != nil {
					e := &Error{Source: name, Line: it.line, Path: it.path, Err: err}
					// Name the resource when the envelope can say it.
					var id struct {
						ResourceType string `json:"resourceType"`
						ResourceID   string `json:"resourceId"`
					}
					if json.Unmarshal(data, &id) == nil {
						e.ResourceType, e.ResourceID = id.ResourceType, id.ResourceID
					}
					out[i] = decoded{err: e}
					continue
				}
				locs[i] = Location{File: name, Line: it.line, Path: it.path}
				ci.Location = &locs[i]
				out[i].item = ci
			}
			// Decoded items hold copies, never the arena's bytes.
			*b.arena = (*b.arena)[:0]
			arenas.Put(b.arena)
			return out
		},
		func(batch []decoded) bool {
			for _, d := range batch {
				if d.item == nil && d.err == nil {
					continue // skipped by type
				}
				if !yield(d.item, d.raw, d.err) {
					stopped = true
					return false
				}
			}
			return true
		},
	)
	if fatal != nil && !stopped {
		var se *jsonscan.SyntaxError
		e := &Error{Source: name, Err: fatal}
		if errors.As(fatal, &se) {
			e.Line = se.Line
			e.Err = fmt.Errorf("byte %d: %s", se.Offset, se.Msg)
		}
		yield(nil, nil, e)
	}
}

// itemArrays are the keys whose values are arrays of items: snapshot and
// history files and GetResourceConfigHistory output, BatchGetResourceConfig
// output, SelectResourceConfig output (items as JSON strings).
var itemArrays = map[string]bool{"configurationItems": true, "baseConfigurationItems": true, "Results": true}

// wrappers are keys whose string values hold a notification with items: a
// Config rule event's invokingEvent, an SNS notification's Message.
var wrappers = map[string]bool{"invokingEvent": true, "Message": true}

// splitItems finds the items in r and calls emit for each; it returns the
// error that stopped reading, or nil at a clean end.
func splitItems(r io.Reader, emit func(rawItem) bool) error {
	s := jsonscan.NewScanner(r)
	for doc := 0; ; doc++ {
		c, err := s.Peek()
		if err == io.EOF {
			if doc == 0 {
				return errors.New("empty input: want a configuration item, a snapshot or a history file")
			}
			return nil
		}
		if err != nil {
			return err
		}
		prefix := ""
		if doc > 0 {
			prefix = "document " + strconv.Itoa(doc+1) + " "
		}
		switch c {
		case '[':
			err = splitArray(s, prefix, false, emit)
		case '{':
			err = splitObject(s, prefix, emit)
		default:
			return &jsonscan.SyntaxError{Offset: s.Offset(), Line: s.Line(),
				Msg: fmt.Sprintf("found %q: want a configuration item, a snapshot or a history file (JSON)", c)}
		}
		if errors.Is(err, errStopped) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// errStopped ends splitting early when the consumer stops; it is not
// reported.
var errStopped = errors.New("stopped by the consumer")

func splitArray(s *jsonscan.Scanner, path string, quoted bool, emit func(rawItem) bool) error {
	if err := s.Expect('['); err != nil {
		return err
	}
	var buf []byte
	for i := 0; ; i++ {
		more, err := s.More(i == 0, ']')
		if err != nil {
			return err
		}
		if !more {
			return nil
		}
		if _, err := s.Peek(); err != nil { // skip to the item, for its line
			return err
		}
		line := s.Line()
		v, err := s.Value(buf[:0])
		if err != nil {
			return err
		}
		buf = v
		it := rawItem{data: v, line: line, path: path + "[" + strconv.Itoa(i) + "]"}
		if quoted {
			// SelectResourceConfig returns each item as a JSON string.
			var str string
			if err := json.Unmarshal(v, &str); err == nil {
				it.data = []byte(str)
			}
		}
		if !emit(it) {
			return errStopped
		}
	}
}

func splitObject(s *jsonscan.Scanner, prefix string, emit func(rawItem) bool) error {
	startLine := s.Line()
	if err := s.Expect('{'); err != nil {
		return err
	}
	var rest []string // other members, kept to rebuild a single item
	var keys []string
	arrays := 0
	for i := 0; ; i++ {
		more, err := s.More(i == 0, '}')
		if err != nil {
			return err
		}
		if !more {
			break
		}
		key, err := s.Key()
		if err != nil {
			return err
		}
		keys = append(keys, key)
		if c, _ := s.Peek(); (itemArrays[key] || key == "configurationItem") && c == '[' {
			arrays++
			if err := splitArray(s, prefix+key, key == "Results", emit); err != nil {
				return err
			}
			continue
		}
		if key == "configurationItem" {
			if _, err := s.Peek(); err != nil {
				return err
			}
			line := s.Line()
			v, err := s.Value(nil)
			if err != nil {
				return err
			}
			arrays++
			if !emit(rawItem{data: v, line: line, path: prefix + "configurationItem"}) {
				return errStopped
			}
			continue
		}
		v, err := s.Value(nil)
		if err != nil {
			return err
		}
		if wrappers[key] && len(v) > 0 && (v[0] == '"' || v[0] == '{') {
			// A Config rule event or an SNS notification: the items are in
			// a JSON string (or, in documentation examples, an object).
			inner := string(v)
			if v[0] == '"' && json.Unmarshal(v, &inner) != nil {
				inner = ""
			}
			if strings.HasPrefix(strings.TrimSpace(inner), "{") {
				n := 0
				err := splitItems(strings.NewReader(inner), func(it rawItem) bool {
					n++
					it.line = startLine
					it.path = prefix + key + " " + it.path
					return emit(it)
				})
				if err == nil && n > 0 {
					arrays++
					continue
				}
				if err == nil {
					err = errors.New("holds no configuration item")
				}
				var se *jsonscan.SyntaxError
				if errors.As(err, &se) {
					err = errors.New(se.Msg)
				}
				return &jsonscan.SyntaxError{Line: startLine, Offset: s.Offset(), Msg: key + ": " + err.Error()}
			}
		}
		if key == "configurationItemSummary" {
			return &jsonscan.SyntaxError{Line: startLine, Offset: s.Offset(),
				Msg: "an oversized-item notification holds no configuration; fetch the item with GetResourceConfigHistory"}
		}
		kq, _ := json.Marshal(key)
		rest = append(rest, string(kq)+":"+string(v))
	}
	if arrays > 0 {
		return nil
	}
	for _, k := range keys {
		if k == "resourceType" {
			data := []byte("{" + strings.Join(rest, ",") + "}")
			emit(rawItem{data: data, line: startLine, path: strings.TrimSpace(prefix)})
			return nil
		}
	}
	sort.Strings(keys)
	if len(keys) > 8 {
		keys = append(keys[:8], "…")
	}
	return &jsonscan.SyntaxError{Line: startLine, Offset: s.Offset(),
		Msg: fmt.Sprintf("not a configuration item, snapshot or history file (keys: %s)", strings.Join(keys, ", "))}
}

// Reader reads files and directories of Config data and of any extra
// formats. The zero value reads Config data only.
type Reader struct {
	// Formats are tried in order before Config data.
	Formats []Format
	// Types, when not empty, keeps only items of these resource types;
	// in Config data, other items are skipped before they are decoded.
	Types []string
}

// Files returns a source of the files and directories at paths.
func Files(paths ...string) Source { return Reader{}.Files(paths...) }

// candidateExts are the file names a directory walk reads; content decides
// the format.
var candidateExts = []string{".json", ".json.gz", ".gz", ".jsonl", ".yaml", ".yml", ".template"}

// Files returns a source of the files and directories at paths. Directories
// are read recursively, in lexical order; in them, JSON files are read as
// Config data unless another format claims them, and other files only when
// a format claims them.
func (rd Reader) Files(paths ...string) Source {
	return func(yield func(*ConfigurationItem, error) bool) {
		walk.Files(paths, candidateExts, func(path string, err error, walked bool) bool {
			if err != nil {
				return yield(nil, &Error{Source: path, Err: err})
			}
			return rd.readFile(path, !walked, yield)
		})
	}
}

// readFile reads one file; explicit says the user named it, so a file no
// format recognises is an error rather than skipped. It returns false when
// the consumer stopped.
func (rd Reader) readFile(path string, explicit bool, yield func(*ConfigurationItem, error) bool) bool {
	return rd.readFileMode(path, explicit, decodeAll, func(ci *ConfigurationItem, _ []byte, err error) bool { return yield(ci, err) })
}

// readFileMode reads one file; in envelopeAndRaw mode, Config data comes
// with each item's bytes and only its envelope decoded (other formats give
// whole items and no bytes).
func (rd Reader) readFileMode(path string, explicit bool, mode readMode, yield func(*ConfigurationItem, []byte, error) bool) bool {
	f, err := os.Open(path)
	if err != nil {
		return yield(nil, nil, &Error{Source: path, Err: walk.PathError(err)})
	}
	defer f.Close()
	br, err := decompress(f)
	if err != nil {
		return yield(nil, nil, &Error{Source: path, Err: err})
	}
	head, _ := br.Peek(4096)
	var format Format
	for _, fm := range rd.Formats {
		if fm.Detect(head) {
			format = fm
			break
		}
	}
	if format == nil {
		trimmed := bytes.TrimSpace(head)
		isJSON := len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')
		lower := strings.ToLower(path)
		jsonName := strings.HasSuffix(lower, ".json") || strings.HasSuffix(lower, ".json.gz") || strings.HasSuffix(lower, ".jsonl")
		switch {
		case ConfigData.Detect(head) || isJSON || explicit || jsonName:
			format = ConfigData
		default:
			return true // not ours: a YAML file no format claims
		}
	}
	types := rd.typeSet()
	if format == ConfigData {
		ok := true
		readConfigMode(br, path, types, mode, func(ci *ConfigurationItem, raw []byte, err error) bool {
			ok = yield(ci, raw, err)
			return ok
		})
		return ok
	}
	for ci, err := range format.Read(br, path) {
		if ci != nil && types != nil && !types[ci.ResourceType] {
			continue
		}
		if !yield(ci, nil, err) {
			return false
		}
	}
	return true
}

// envelopes reads the files at paths for the scan's inventory: the items of
// rd.Types, with only their envelope decoded and, for Config data, their
// bytes.
func (rd Reader) envelopes(paths []string, yield func(*ConfigurationItem, []byte, error) bool) {
	walk.Files(paths, candidateExts, func(path string, err error, walked bool) bool {
		if err != nil {
			return yield(nil, nil, &Error{Source: path, Err: err})
		}
		return rd.readFileMode(path, !walked, envelopeAndRaw, yield)
	})
}

func (rd Reader) typeSet() map[string]bool {
	if len(rd.Types) == 0 {
		return nil
	}
	m := make(map[string]bool, len(rd.Types))
	for _, t := range rd.Types {
		m[t] = true
	}
	return m
}
