package watch

import (
	"context"
	"fmt"
	"hash/maphash"
	"io"
	"iter"
	"os"
	"path/filepath"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/internal/walk"
	"github.com/guardrails-go/guardrails/rules"
)

// Watcher judges CloudTrail records with the catalog of detections. Build
// it once (at Lambda init, at the start of a run) and use it for every
// file; it is safe for concurrent use.
type Watcher struct {
	detections []Detection
	idx        index
	min        Severity
	ignore     []string
	rules      func(id string) (evaluate.Rule, bool)
	respond    *responder
}

// Option configures a Watcher. An option given a value it cannot use makes
// New fail with an error naming it.
type Option func(*options)

type options struct {
	min     Severity
	ignore  []string
	rules   func(id string) (evaluate.Rule, bool)
	respond *responder
	err     error
}

// fail records the first error an option meets.
func (o *options) fail(err error) {
	if o.err == nil {
		o.err = err
	}
}

// WithMinSeverity drops findings below min. The default is INFORMATIONAL:
// everything.
func WithMinSeverity(min Severity) Option {
	return func(o *options) {
		if rank(min) == 0 {
			o.fail(fmt.Errorf("minimum severity %q: want CRITICAL, HIGH, MEDIUM, LOW or INFORMATIONAL", min))
			return
		}
		o.min = min
	}
}

// WithIgnorePrincipals skips calls made by principals that match one of
// the patterns: ARNs in which * matches any run of characters. A pattern
// is compared with the caller's ARN and with the ARN of the role that
// issued its session, so the remediation role's own calls can be ignored
// with arn:aws:iam::111122223333:role/guardrails-remediation.
func WithIgnorePrincipals(patterns ...string) Option {
	return func(o *options) {
		for _, p := range patterns {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			if strings.Trim(p, "*") == "" {
				o.fail(fmt.Errorf("ignored principal %q would ignore every call", p))
				return
			}
			o.ignore = append(o.ignore, p)
		}
	}
}

// New returns a Watcher with the full catalog of detections.
func New(opts ...Option) (*Watcher, error) {
	o := options{min: Informational, rules: rules.ByID}
	for _, opt := range opts {
		opt(&o)
	}
	if o.err != nil {
		return nil, o.err
	}
	ds := Detections()
	return &Watcher{
		detections: ds,
		idx:        newIndex(ds),
		min:        o.min,
		ignore:     o.ignore,
		rules:      o.rules,
		respond:    o.respond,
	}, nil
}

// MinSeverity is the lowest severity the watcher reports.
func (w *Watcher) MinSeverity() Severity { return w.min }

// keep is the cheap filter applied before a record is decoded: read-only
// calls and calls no detection looks at are skipped.
func (w *Watcher) keep(h *head) bool {
	if h.readOnly == 't' {
		return false
	}
	if len(w.idx.lookup(h.source, h.name)) > 0 {
		return true
	}
	return string(h.source) == s3Source && s3BucketChangeName(h.name)
}

// ignored reports whether the caller is on the ignore list.
func (w *Watcher) ignored(rec *Record) bool {
	for _, p := range w.ignore {
		if globMatch(p, rec.UserIdentity.ARN) || globMatch(p, rec.UserIdentity.IssuerARN()) {
			return true
		}
	}
	return false
}

// globMatch matches s against a pattern in which * matches any run of
// characters, and nothing else is special.
func globMatch(pattern, s string) bool {
	if s == "" {
		return false
	}
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, last)
}

// dryRunErrors are the error codes of EC2 calls made with DryRun: the call
// was only checked, and nothing was attempted.
var dryRunErrors = map[string]bool{"DryRunOperation": true, "Client.DryRunOperation": true}

// Judge judges one record: nil when the call weakens nothing (or is below
// the minimum severity, or by an ignored principal), a finding when it
// does. An error means the request could not be judged (its parameters are
// missing or not of the documented types); it names the parameter.
func (w *Watcher) Judge(ctx context.Context, rec *Record) (*Finding, error) {
	f, err := w.judge(ctx, rec)
	if err != nil {
		return nil, recordError(rec, err)
	}
	return f, nil
}

func recordError(rec *Record, err error) *Error {
	src, idx := rec.Location.Source, rec.Location.Index
	if src == "" {
		src, idx = "record", 0
	}
	return &Error{Source: src, Record: idx, Line: rec.Location.Line, EventID: rec.EventID, EventName: rec.EventName, Err: err}
}

func (w *Watcher) judge(ctx context.Context, rec *Record) (*Finding, error) {
	if rec.EventName == "" || rec.EventSource == "" || rec.ReadOnly != nil && *rec.ReadOnly {
		return nil, nil
	}
	if dryRunErrors[rec.ErrorCode] || w.ignored(rec) {
		return nil, nil
	}
	ds := w.idx[rec.EventSource][rec.EventName]
	bucketChange := rec.EventSource == s3Source && s3BucketChangeName([]byte(rec.EventName))
	if len(ds) == 0 && !bucketChange {
		return nil, nil
	}
	c, err := newCall(ctx, rec, w.rules)
	if err != nil {
		return nil, err
	}
	vs := make([]*verdict, len(ds))
	for i, d := range ds {
		if vs[i], err = d.judge(c); err != nil {
			return nil, err
		}
	}
	d, v := mergeVerdicts(ds, vs)
	if v == nil {
		if v = catchAllVerdict(c); v == nil {
			return nil, nil
		}
		ca := catchAll()
		d = &ca
	}
	sev, summary := v.severity, v.summary
	if rec.Failed() {
		if rank(sev) < rank(Medium) {
			return nil, nil
		}
		sev = Low
		summary = fmt.Sprintf("Failed attempt (%s): %s", rec.ErrorCode, summary)
	}
	if !AtLeast(sev, w.min) {
		return nil, nil
	}
	f := &Finding{
		Detection:       d.ID,
		Severity:        sev,
		Summary:         summary,
		EventID:         rec.EventID,
		EventName:       rec.EventName,
		EventSource:     rec.EventSource,
		EventTime:       rec.EventTime,
		AWSRegion:       rec.AWSRegion,
		AccountID:       rec.AccountID(),
		Resources:       nonNil(v.resources),
		Actor:           actorOf(rec),
		SourceIPAddress: rec.SourceIPAddress,
		UserAgent:       rec.UserAgent,
		ErrorCode:       rec.ErrorCode,
		Rules:           nonNil(v.rules),
		Remediations:    nonNil(v.remediations),
	}
	if len(v.resources) == 0 {
		f.Resources = nonNil(c.recordResources(""))
	}
	if rec.Location.Source != "" {
		loc := rec.Location
		f.Location = &loc
	}
	if w.respond != nil && !rec.Failed() && rank(sev) >= rank(Medium) {
		f.Response = w.respond.run(ctx, f, v)
	}
	return f, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// catchAllVerdict reports, at INFORMATIONAL, an S3 configuration change
// no detection reported: a Put*, Delete* or Create* call on a bucket (the
// request names a bucket and no object key), or the account-level public
// access block.
func catchAllVerdict(c *call) *verdict {
	rec := c.rec
	if rec.EventSource != s3Source || !s3BucketChangeName([]byte(rec.EventName)) {
		return nil
	}
	if strings.HasSuffix(rec.EventName, "AccountPublicAccessBlock") {
		return &verdict{
			severity:  Informational,
			summary:   fmt.Sprintf("%s on account %s.", rec.EventName, c.account()),
			resources: []string{c.accountARN("s3", "")},
		}
	}
	bucket, err := c.params.get("bucketName").str()
	if err != nil || bucket == "" || !c.params.get("key").null() {
		return nil
	}
	return &verdict{
		severity:  Informational,
		summary:   fmt.Sprintf("%s on bucket %s.", rec.EventName, bucket),
		resources: []string{c.bucketARN(bucket)},
	}
}

// Stats counts what a session read.
type Stats struct {
	// Files are the files and objects read, skipped ones included.
	Files int `json:"files"`
	// Records are the records read.
	Records int `json:"records"`
	// Skipped are the records not judged: read-only calls, calls no
	// detection looks at, CloudTrail Insights events, and records that were
	// judged already (the same eventID delivered again).
	Skipped int `json:"skipped"`
	// SkippedFiles are digest files and S3 test events.
	SkippedFiles int `json:"skippedFiles"`
	// Findings are the findings reported.
	Findings int `json:"findings"`
}

// Session is one run of a watcher over many files: it gives at most one
// finding per eventID, however often CloudTrail delivers a record, and
// counts what it read. A session is not safe for concurrent use.
type Session struct {
	w     *Watcher
	seen  seenSet
	stats Stats
}

// NewSession starts a session. Its memory does not grow with the records
// it reads: it remembers the event ids of the findings it reported, as
// 8-byte hashes, up to a bound (see [MaxRemembered]).
func (w *Watcher) NewSession() *Session {
	return &Session{w: w, seen: newSeenSet()}
}

// MaxRemembered bounds the event ids a session remembers to deduplicate
// findings: a record delivered again within the last MaxRemembered/2
// findings is always recognised. CloudTrail's duplicate deliveries come
// within minutes, far inside this window (a Lambda invocation never holds
// that many findings); the bound keeps a session over years of logs in
// flat memory (about 2 MB at most).
const MaxRemembered = 1 << 16

// seenSet remembers hashed event ids in two generations: when the young
// one is full, it becomes the old one and the old one is dropped.
type seenSet struct {
	seed       maphash.Seed
	young, old map[uint64]struct{}
}

func newSeenSet() seenSet {
	return seenSet{seed: maphash.MakeSeed(), young: make(map[uint64]struct{})}
}

func (s *seenSet) has(id string) bool {
	h := maphash.String(s.seed, id)
	if _, ok := s.young[h]; ok {
		return true
	}
	_, ok := s.old[h]
	return ok
}

func (s *seenSet) add(id string) {
	if len(s.young) >= MaxRemembered/2 {
		s.old, s.young = s.young, make(map[uint64]struct{})
	}
	s.young[maphash.String(s.seed, id)] = struct{}{}
}

// Stats returns what the session has read so far.
func (s *Session) Stats() Stats { return s.stats }

// Record judges a record that did not come from a file, such as the detail
// of an EventBridge event.
func (s *Session) Record(ctx context.Context, rec *Record) (*Finding, error) {
	s.stats.Records++
	return s.record(ctx, rec)
}

func (s *Session) record(ctx context.Context, rec *Record) (*Finding, error) {
	if rec.EventID != "" && s.seen.has(rec.EventID) {
		s.stats.Skipped++
		return nil, nil
	}
	f, err := s.w.Judge(ctx, rec)
	if err != nil || f == nil {
		return nil, err
	}
	if rec.EventID != "" {
		s.seen.add(rec.EventID)
	}
	s.stats.Findings++
	return f, nil
}

// Read reads one log file (or file of events) and yields its findings as
// it goes, then the errors: a record that cannot be read or judged is an
// *Error naming the source and the record, and the records after it are
// still read; an error that stops reading (a truncated gzip, broken JSON)
// is an *Error for the source as a whole.
func (s *Session) Read(ctx context.Context, r io.Reader, name string) iter.Seq2[*Finding, error] {
	return func(yield func(*Finding, error) bool) {
		s.stats.Files++
		var st readStats
		readRecords(r, name, s.w.keep, &st, func(rec *Record, err error) bool {
			if err != nil {
				return yield(nil, err)
			}
			if ctx.Err() != nil {
				yield(nil, &Error{Source: name, Record: -1, Err: ctx.Err()})
				return false
			}
			f, err := s.record(ctx, rec)
			if err != nil {
				return yield(nil, err)
			}
			if f != nil {
				return yield(f, nil)
			}
			return true
		})
		s.stats.Records += st.records
		s.stats.Skipped += st.skipped
		if st.kind != kindRecords {
			s.stats.SkippedFiles++
		}
	}
}

// Files reads the files and directories at paths (directories recursively,
// in lexical order; .json, .json.gz, .jsonl and .gz files) and yields
// their findings and errors. In directories, files that [SkipKey] rules
// out by their path (digest files, AWS Config's deliveries to a shared
// log bucket) are counted as skipped without being read.
func (s *Session) Files(ctx context.Context, paths ...string) iter.Seq2[*Finding, error] {
	return func(yield func(*Finding, error) bool) {
		walk.Files(paths, candidateExts, func(path string, err error, walked bool) bool {
			if err != nil {
				return yield(nil, &Error{Source: path, Record: -1, Err: err})
			}
			if skip, _ := SkipKey(filepath.ToSlash(path)); walked && skip {
				s.stats.Files++
				s.stats.SkippedFiles++
				return true
			}
			f, err := os.Open(path)
			if err != nil {
				return yield(nil, &Error{Source: path, Record: -1, Err: err})
			}
			defer f.Close()
			for fd, err := range s.Read(ctx, f, path) {
				if !yield(fd, err) {
					return false
				}
			}
			return ctx.Err() == nil
		})
	}
}
