package watch

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"iter"
	"sort"
	"strconv"
	"strings"

	"github.com/guardrails-go/guardrails/internal/jsonscan"
)

// Error is an error about a file, an object or one record in it.
type Error struct {
	// Source names the file, the object (s3://bucket/key) or the event.
	Source string
	// Record is the record's position in the source, from 0; -1 when the
	// error concerns the source as a whole.
	Record int
	// Line is the 1-based line where the record (or the problem) is, 0 when
	// unknown.
	Line int
	// EventID and EventName identify the record when it could be read.
	EventID   string
	EventName string
	Err       error
}

func (e *Error) Error() string { return e.Source + ": " + e.Message() }

// Message is the error without its source, for reports that list the
// source apart.
func (e *Error) Message() string {
	var b strings.Builder
	if e.Record >= 0 {
		b.WriteString("record " + strconv.Itoa(e.Record))
		if e.Line > 0 {
			b.WriteString(" (line " + strconv.Itoa(e.Line) + ")")
		}
		if e.EventName != "" || e.EventID != "" {
			b.WriteString(" " + e.EventName)
			if e.EventID != "" {
				b.WriteString(" eventID " + e.EventID)
			}
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		b.WriteString("line " + strconv.Itoa(e.Line) + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ErrNotCloudTrail is wrapped by the error for input that is JSON but holds
// no CloudTrail records, such as an S3 event notification given where a
// log file was expected.
var ErrNotCloudTrail = errors.New("not a CloudTrail log file or event")

// rawRecord is one record's bytes, valid until the next is read.
type rawRecord struct {
	data []byte
	loc  Location
}

// fileKind says what a file turned out to be.
type fileKind int

const (
	kindRecords   fileKind = iota // a log file, events or records
	kindDigest                    // a CloudTrail digest file: skipped
	kindTestEvent                 // an S3 test event: skipped
)

var gzipMagic = []byte{0x1f, 0x8b}

// decompress returns r, or its decompressed content when it is gzip.
func decompress(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(2)
	if bytes.Equal(head, gzipMagic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		zr.Multistream(true)
		return zr, nil
	}
	return br, nil
}

// gzipError names a decompression error as such.
func gzipError(err error) error {
	if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w (truncated or corrupt gzip?)", err)
	}
	return err
}

// split finds the records in r and calls emit for each, in order. It
// returns what the file was, or the error that stopped reading.
func split(r io.Reader, name string, emit func(rawRecord) bool) (fileKind, error) {
	s := jsonscan.NewScanner(r)
	index := 0
	kind := kindRecords
	var buf []byte
	for doc := 0; ; doc++ {
		c, err := s.Peek()
		if err == io.EOF {
			if doc == 0 {
				return kind, fmt.Errorf("%w: the file is empty", ErrNotCloudTrail)
			}
			return kind, nil
		}
		if err != nil {
			return kind, err
		}
		switch c {
		case '[':
			if err := s.Expect('['); err != nil {
				return kind, err
			}
			for i := 0; ; i++ {
				more, err := s.More(i == 0, ']')
				if err != nil {
					return kind, err
				}
				if !more {
					break
				}
				if _, err := s.Peek(); err != nil {
					return kind, err
				}
				line := s.Line()
				buf, err = s.Value(buf[:0])
				if err != nil {
					return kind, err
				}
				if !emit(rawRecord{data: buf, loc: Location{Source: name, Index: index, Line: line}}) {
					return kind, errStopped
				}
				index++
			}
		case '{':
			k, err := splitObject(s, name, &index, &buf, emit)
			if err != nil {
				return kind, err
			}
			if doc == 0 {
				kind = k
			}
		default:
			return kind, &jsonscan.SyntaxError{Offset: s.Offset(), Line: s.Line(),
				Msg: fmt.Sprintf("found %q: want a CloudTrail log file or event (JSON)", c)}
		}
	}
}

// errStopped ends reading early when the consumer stops; it is not
// reported.
var errStopped = errors.New("stopped by the consumer")

// splitObject reads one top-level object: a log file ({"Records": [...]},
// streamed), or a single record or EventBridge event (held whole; they are
// small), or a file to skip.
func splitObject(s *jsonscan.Scanner, name string, index *int, buf *[]byte, emit func(rawRecord) bool) (fileKind, error) {
	startLine := s.Line()
	if err := s.Expect('{'); err != nil {
		return kindRecords, err
	}
	var members []string // "key":value, to rebuild a single record
	var keys []string
	records := false
	for i := 0; ; i++ {
		more, err := s.More(i == 0, '}')
		if err != nil {
			return kindRecords, err
		}
		if !more {
			break
		}
		key, err := s.Key()
		if err != nil {
			return kindRecords, err
		}
		keys = append(keys, key)
		if c, _ := s.Peek(); key == "Records" && c == '[' {
			records = true
			if err := s.Expect('['); err != nil {
				return kindRecords, err
			}
			for j := 0; ; j++ {
				more, err := s.More(j == 0, ']')
				if err != nil {
					return kindRecords, err
				}
				if !more {
					break
				}
				if _, err := s.Peek(); err != nil {
					return kindRecords, err
				}
				line := s.Line()
				*buf, err = s.Value((*buf)[:0])
				if err != nil {
					return kindRecords, err
				}
				if !emit(rawRecord{data: *buf, loc: Location{Source: name, Index: *index, Line: line}}) {
					return kindRecords, errStopped
				}
				*index++
			}
			continue
		}
		v, err := s.Value(nil)
		if err != nil {
			return kindRecords, err
		}
		members = append(members, `"`+key+`":`+string(v))
	}
	if records {
		return kindRecords, nil
	}
	has := func(k string) bool {
		for _, key := range keys {
			if key == k {
				return true
			}
		}
		return false
	}
	switch {
	case has("detail-type") || has("eventName") || has("eventSource") || has("eventType"):
		data := []byte("{" + strings.Join(members, ",") + "}")
		if !emit(rawRecord{data: data, loc: Location{Source: name, Index: *index, Line: startLine}}) {
			return kindRecords, errStopped
		}
		*index++
		return kindRecords, nil
	case has("digestS3Object") || has("logFiles") && has("digestStartTime"):
		return kindDigest, nil
	case has("Event") && strings.Contains(strings.Join(members, ","), `"s3:TestEvent"`):
		return kindTestEvent, nil
	case has("s3Bucket") && has("s3ObjectKey"):
		return kindRecords, &jsonscan.SyntaxError{Line: startLine, Offset: s.Offset(),
			Msg: ErrNotCloudTrail.Error() + ": a CloudTrail SNS delivery notice, which names log files but holds no records"}
	}
	sort.Strings(keys)
	if len(keys) > 8 {
		keys = append(keys[:8], "…")
	}
	return kindRecords, &jsonscan.SyntaxError{Line: startLine, Offset: s.Offset(),
		Msg: fmt.Sprintf("%v (keys: %s)", ErrNotCloudTrail, strings.Join(keys, ", "))}
}

// sourceError turns an error from split into an *Error for the source.
func sourceError(name string, err error) *Error {
	var se *jsonscan.SyntaxError
	if errors.As(err, &se) {
		msg := fmt.Sprintf("byte %d: %s", se.Offset, se.Msg)
		if strings.HasPrefix(se.Msg, ErrNotCloudTrail.Error()) {
			return &Error{Source: name, Record: -1, Line: se.Line, Err: fmt.Errorf("%w%s", ErrNotCloudTrail, strings.TrimPrefix(se.Msg, ErrNotCloudTrail.Error()))}
		}
		return &Error{Source: name, Record: -1, Line: se.Line, Err: errors.New(msg)}
	}
	return &Error{Source: name, Record: -1, Err: gzipError(err)}
}

// unwrapRecord finds the CloudTrail record in a raw value: the value
// itself, or the detail of an EventBridge event. ok is false for values
// that hold no API call (CloudTrail Insights events), which are skipped.
func unwrapRecord(raw []byte) (data []byte, h head, ok bool, err error) {
	h, err = readHead(raw)
	if err != nil {
		return nil, h, false, err
	}
	if h.detailType != nil {
		if !bytes.HasSuffix(h.detailType, []byte("via CloudTrail")) {
			return nil, h, false, fmt.Errorf("%w: an EventBridge event of detail-type %q", ErrNotCloudTrail, h.detailType)
		}
		if h.detail == nil {
			return nil, h, false, errors.New("an EventBridge event without detail")
		}
		raw = h.detail
		if h, err = readHead(raw); err != nil {
			return nil, h, false, fmt.Errorf("detail: %w", err)
		}
	}
	if h.hasS3 && string(h.source) == "aws:s3" {
		return nil, h, false, fmt.Errorf("%w: an S3 event notification record (it names a new object; the log file is that object)", ErrNotCloudTrail)
	}
	if len(h.name) == 0 || len(h.source) == 0 {
		return raw, h, false, nil // Insights events and other non-API records
	}
	return raw, h, true, nil
}

// Records returns the records in r: a CloudTrail log file
// ({"Records": [...]}, plain or gzip), EventBridge events of CloudTrail API
// calls (one, or one per line), a single record or a JSON array of
// records. Digest files and S3 test events hold no records. The file is
// streamed: only one record is held at a time. A record that cannot be
// decoded is an *Error naming it, and reading goes on; an error that stops
// reading (broken JSON, a truncated gzip) comes last.
func Records(r io.Reader, name string) iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		readRecords(r, name, nil, nil, func(rec *Record, err error) bool { return yield(rec, err) })
	}
}

// readStats counts what a read saw.
type readStats struct {
	records, skipped int
	kind             fileKind
}

// readRecords reads r and yields the records keep accepts (all when keep
// is nil), decoded.
func readRecords(r io.Reader, name string, keep func(*head) bool, st *readStats, yield func(*Record, error) bool) {
	if st == nil {
		st = new(readStats)
	}
	dr, err := decompress(r)
	if err != nil {
		yield(nil, sourceError(name, err))
		return
	}
	stopped := false
	kind, err := split(dr, name, func(raw rawRecord) bool {
		st.records++
		data, h, ok, err := unwrapRecord(raw.data)
		if err != nil {
			e := &Error{Source: name, Record: raw.loc.Index, Line: raw.loc.Line, Err: err}
			if errors.Is(err, ErrNotCloudTrail) && raw.loc.Index == 0 {
				// The whole file is of another kind: say it once.
				e.Record = -1
				stopped = !yield(nil, e)
				return false
			}
			if !yield(nil, e) {
				stopped = true
				return false
			}
			return true
		}
		if !ok || keep != nil && !keep(&h) {
			st.skipped++
			return true
		}
		rec := new(Record)
		if err := decodeRecordInto(data, rec); err != nil {
			if !yield(nil, &Error{Source: name, Record: raw.loc.Index, Line: raw.loc.Line, EventID: string(h.id), EventName: string(h.name), Err: err}) {
				stopped = true
				return false
			}
			return true
		}
		rec.Location = raw.loc
		if !yield(rec, nil) {
			stopped = true
			return false
		}
		return true
	})
	st.kind = kind
	if err != nil && !errors.Is(err, errStopped) && !stopped {
		yield(nil, sourceError(name, err))
	}
}

// candidateExts are the file names a directory walk reads.
var candidateExts = []string{".json", ".json.gz", ".jsonl", ".jsonl.gz", ".gz"}
