package evaluate

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/guardrails-go/guardrails/internal/pipeline"
)

// Option configures an Engine.
type Option func(*options)

type options struct {
	params  map[string]map[string]string
	lookup  Lookup
	facts   Facts
	workers int
	clock   func() time.Time
}

// WithParameters sets rule parameters, by rule id, as Config passes them:
// string values. Parameters of a rule the engine does not hold are an error.
func WithParameters(p map[string]map[string]string) Option {
	return func(o *options) { o.params = p }
}

// WithLookup sets the lookup rules use. Without one, Scan builds an
// Inventory of the scanned items, and Evaluate knows only facts.
func WithLookup(l Lookup) Option {
	return func(o *options) { o.lookup = l }
}

// WithFacts sets where account facts come from when the engine builds its
// own lookup.
func WithFacts(f Facts) Option {
	return func(o *options) { o.facts = f }
}

// WithWorkers sets how many goroutines evaluate items; the default is
// GOMAXPROCS.
func WithWorkers(n int) Option {
	return func(o *options) { o.workers = n }
}

// WithClock sets the clock for Input.Now and for the ordering timestamps of
// periodic evaluations.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.clock = now }
}

// Engine evaluates a set of rules. Build it once (rule ids are checked,
// parameters bound, rules indexed by resource type), then evaluate items,
// slices or streams of any size; it is safe for concurrent use.
type Engine struct {
	rules       []prepared
	byType      map[string][]int
	account     []int
	lookupTypes map[string]bool
	opts        options
}

type prepared struct {
	meta   Metadata
	eval   Evaluator
	change bool
}

// NewEngine checks and prepares rules. Every problem is reported, each
// naming its rule and, for parameters, the parameter.
func NewEngine(rules []Rule, opts ...Option) (*Engine, error) {
	o := options{workers: runtime.GOMAXPROCS(0), clock: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if o.workers < 1 {
		o.workers = 1
	}
	if o.facts == nil {
		o.facts = noFacts{}
	}
	e := &Engine{byType: make(map[string][]int), lookupTypes: make(map[string]bool), opts: o}
	var errs []error
	ids := make(map[string]bool, len(rules))
	for _, r := range rules {
		if r == nil {
			errs = append(errs, errors.New("a nil rule"))
			continue
		}
		m := r.Metadata()
		if err := checkMetadata(&m); err != nil {
			errs = append(errs, err)
			continue
		}
		if ids[m.ID] {
			errs = append(errs, fmt.Errorf("rule %s: the id is used twice", m.ID))
			continue
		}
		ids[m.ID] = true
		params, err := BindParams(m.Parameters, o.params[m.ID])
		if err != nil {
			errs = append(errs, ruleParamError(m.ID, err))
			continue
		}
		eval, err := prepare(r, params)
		if err != nil {
			errs = append(errs, ruleParamError(m.ID, err))
			continue
		}
		p := prepared{meta: m, eval: eval}
		for _, t := range m.Trigger {
			p.change = p.change || t == OnChange
		}
		i := len(e.rules)
		e.rules = append(e.rules, p)
		for _, t := range m.ResourceTypes {
			if t == AccountResourceType {
				e.account = append(e.account, i)
			}
			e.byType[t] = append(e.byType[t], i)
		}
		for _, t := range m.Lookups {
			e.lookupTypes[t] = true
		}
	}
	var extra []string
	for id := range o.params {
		if !ids[id] {
			extra = append(extra, id)
		}
	}
	sort.Strings(extra)
	for _, id := range extra {
		errs = append(errs, fmt.Errorf("parameters given for rule %s, which is not in the rule set", id))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return e, nil
}

func ruleParamError(id string, err error) error {
	var pe *ParamError
	if errors.As(err, &pe) && pe.Rule == "" {
		cp := *pe
		cp.Rule = id
		return &cp
	}
	return fmt.Errorf("rule %s: %w", id, err)
}

// prepare calls r.Prepare, turning a panic into an error.
func prepare(r Rule, p Params) (ev Evaluator, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("preparing panicked: %v", v)
		}
	}()
	ev, err = r.Prepare(p)
	if err == nil && ev == nil {
		err = errors.New("Prepare returned no evaluator")
	}
	return ev, err
}

func checkMetadata(m *Metadata) error {
	if m.ID == "" {
		return errors.New("a rule without an id")
	}
	var problems []string
	if len(m.ResourceTypes) == 0 {
		problems = append(problems, "no resource types")
	}
	for _, t := range m.ResourceTypes {
		if !validResourceType(t) {
			problems = append(problems, fmt.Sprintf("resource type %q is not of the form Service::Kind::Type", t))
		}
	}
	if len(m.Trigger) == 0 {
		problems = append(problems, "no trigger")
	}
	for _, t := range m.Trigger {
		if t != OnChange && t != Periodic {
			problems = append(problems, fmt.Sprintf("trigger %q", t))
		}
	}
	switch m.Severity {
	case Critical, High, Medium, Low, Informational:
	default:
		problems = append(problems, fmt.Sprintf("severity %q", m.Severity))
	}
	names := map[string]bool{}
	for _, p := range m.Parameters {
		if p.Name == "" || names[p.Name] {
			problems = append(problems, fmt.Sprintf("parameter name %q missing or repeated", p.Name))
		}
		names[p.Name] = true
		switch p.Type {
		case String, Int, Bool, CSV:
			if p.Default != "" {
				if err := checkType(p.Type, p.Default); err != nil {
					problems = append(problems, fmt.Sprintf("parameter %s: default %q: %v", p.Name, p.Default, err))
				}
			}
		default:
			problems = append(problems, fmt.Sprintf("parameter %s: type %q", p.Name, p.Type))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("rule %s: %s", m.ID, strings.Join(problems, "; "))
	}
	return nil
}

// Rules returns the metadata of the engine's rules, in order.
func (e *Engine) Rules() []Metadata {
	out := make([]Metadata, len(e.rules))
	for i, r := range e.rules {
		out[i] = r.meta
	}
	return out
}

// Covers reports whether some rule evaluates items of resourceType.
func (e *Engine) Covers(resourceType string) bool { return len(e.byType[resourceType]) > 0 }

func (e *Engine) baseLookup() Lookup {
	if e.opts.lookup != nil {
		return e.opts.lookup
	}
	return NewInventory(e.opts.facts)
}

// Evaluate evaluates one item with every rule of its type. Evaluations of
// rules that decided are returned even when others failed; the error joins
// an *Error for each rule that failed or for the item itself.
func (e *Engine) Evaluate(ctx context.Context, ci *ConfigurationItem) ([]Evaluation, error) {
	in := &Input{Lookup: e.baseLookup()}
	var evs []Evaluation
	var errs []error
	e.evaluateItem(ctx, in, ci, e.opts.clock(), func(ev Evaluation, err error) {
		if err != nil {
			errs = append(errs, err)
			return
		}
		evs = append(evs, ev)
	})
	return evs, errors.Join(errs...)
}

// AccountItem returns the item account-level rules evaluate.
func AccountItem(accountID, region string) *ConfigurationItem {
	return &ConfigurationItem{
		ResourceType: AccountResourceType, ResourceID: accountID,
		AccountID: accountID, Region: region, Status: StatusOK,
		Configuration: []byte("{}"),
	}
}

// evaluateItem runs the item's rules and reports each outcome.
func (e *Engine) evaluateItem(ctx context.Context, in *Input, ci *ConfigurationItem, now time.Time, report func(Evaluation, error)) {
	if ci == nil {
		return
	}
	fail := func(err error) {
		e := &Error{ResourceType: ci.ResourceType, ResourceID: ci.ResourceID, Err: err}
		if ci.Location != nil {
			e.Source, e.Line, e.Path = ci.Location.File, ci.Location.Line, ci.Location.Path
		}
		report(Evaluation{}, e)
	}
	if !validResourceType(ci.ResourceType) {
		if ci.ResourceType == "" {
			fail(&FieldError{Field: "resourceType", Err: errors.New("missing")})
		} else {
			fail(&FieldError{Field: "resourceType", Err: fmt.Errorf("%q is not of the form Service::Kind::Type", truncate(ci.ResourceType, 60))})
		}
		return
	}
	idx := e.byType[ci.ResourceType]
	if len(idx) == 0 || ci.Status == StatusResourceNotRecorded {
		return
	}
	if ci.ResourceID == "" {
		fail(&FieldError{Field: "resourceId", Err: errors.New("missing")})
		return
	}
	deleted := ci.Status.Deleted()
	if !deleted && ci.Configuration == nil {
		fail(&FieldError{Field: "configuration", Err: errors.New("null for a resource that is not deleted")})
		return
	}
	in.Item, in.Now, in.models = ci, now, in.models[:0]
	for _, i := range idx {
		r := &e.rules[i]
		var res Result
		var err error
		if deleted {
			res = NotApplicablef("The resource was deleted.")
		} else {
			res, err = call(ctx, r.eval, in)
		}
		if err == nil && !res.Compliance.Valid() {
			err = fmt.Errorf("returned compliance %q", res.Compliance)
		}
		if err != nil {
			rerr := &Error{ResourceType: ci.ResourceType, ResourceID: ci.ResourceID, RuleID: r.meta.ID, Err: err}
			if ci.Location != nil {
				rerr.Source, rerr.Line, rerr.Path = ci.Location.File, ci.Location.Line, ci.Location.Path
			}
			report(Evaluation{}, rerr)
			continue
		}
		ts := now
		if r.change && !ci.CaptureTime.IsZero() {
			ts = ci.CaptureTime
		}
		report(Evaluation{
			RuleID:            r.meta.ID,
			ResourceType:      ci.ResourceType,
			ResourceID:        ci.ResourceID,
			Compliance:        res.Compliance,
			Annotation:        CutAnnotation(res.Annotation),
			OrderingTimestamp: ts,
			AccountID:         ci.AccountID,
			Region:            ci.Region,
			Location:          ci.Location,
		}, nil)
	}
	in.Item = nil
}

// call runs one evaluator, turning a panic into an error so that one rule
// never stops the others.
func call(ctx context.Context, ev Evaluator, in *Input) (res Result, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panicked: %v\n%s", v, firstFrames(debug.Stack(), 12))
		}
	}()
	return ev.Evaluate(ctx, in)
}

// firstFrames keeps the top of a stack trace: enough to find the bug,
// short enough for a report.
func firstFrames(stack []byte, lines int) string {
	s := string(stack)
	for i, n := 0, 0; i < len(s); i++ {
		if s[i] == '\n' {
			n++
			if n == lines {
				return s[:i]
			}
		}
	}
	return s
}

// Scan evaluates every item of src, then the account-level rules once per
// account and region seen, and yields each evaluation, or an *Error for an
// item that could not be read or a rule that failed, in input order. Items
// are evaluated on several goroutines; memory does not grow with the
// source's size. When the engine has no lookup of its own and some rule
// uses lookups, Scan ranges over src twice: first to keep the items those
// rules look up, then to evaluate.
func (e *Engine) Scan(ctx context.Context, src Source, opts ...ScanOption) iter.Seq2[Evaluation, error] {
	var so scanOptions
	for _, o := range opts {
		o(&so)
	}
	prescan := src
	if so.prescan != nil {
		prescan = so.prescan
	}
	return e.scan(ctx, src, prescan, so.prescanFiles)
}

// ScanOption configures one scan.
type ScanOption func(*scanOptions)

type scanOptions struct {
	prescan      Source
	prescanFiles *prescanFiles
}

type prescanFiles struct {
	reader Reader
	paths  []string
}

// WithPrescan gives the first pass of a scan (when rules use lookups) a
// cheaper source than the one evaluated: one that yields at least the
// items of the types [Engine.LookupTypes] names, such as a [Reader] with
// Types set over the same files.
func WithPrescan(src Source) ScanOption {
	return func(o *scanOptions) { o.prescan = src }
}

// WithPrescanFiles gives the first pass of a scan the files the scanned
// source reads (as rd.Files(paths...) does): that pass then skips items of
// other types than [Engine.LookupTypes] without decoding them, and keeps
// the others as they are in the files, decoding only their envelope.
func WithPrescanFiles(rd Reader, paths ...string) ScanOption {
	return func(o *scanOptions) { o.prescanFiles = &prescanFiles{rd, paths} }
}

// ScanFiles is Scan over rd.Files(paths...), whose first pass, when rules
// use lookups, skips the items of other types before decoding them.
func (e *Engine) ScanFiles(ctx context.Context, rd Reader, paths ...string) iter.Seq2[Evaluation, error] {
	return e.Scan(ctx, rd.Files(paths...), WithPrescanFiles(rd, paths...))
}

// LookupTypes returns the resource types the engine's rules look up, whose
// items a scan keeps.
func (e *Engine) LookupTypes() []string {
	out := make([]string, 0, len(e.lookupTypes))
	for t := range e.lookupTypes {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// inventory keeps the items of the lookup types that prescan yields: in a
// temporary file with an index in memory, so that memory does not grow
// with their size, or in memory when no file can be made.
func (e *Engine) inventory(ctx context.Context, prescan Source, files *prescanFiles) (Lookup, error) {
	if len(e.lookupTypes) == 0 {
		return NewInventory(e.opts.facts), nil
	}
	spill, err := newSpillInventory(e.opts.facts)
	if err != nil {
		mem := NewInventory(e.opts.facts)
		for ci, err := range prescan {
			if ctx.Err() != nil {
				break
			}
			if err == nil && ci != nil && e.lookupTypes[ci.ResourceType] {
				mem.Add(ci)
			}
		}
		return mem, nil
	}
	var failed error
	keep := func(ci *ConfigurationItem, raw []byte, err error) bool {
		if ctx.Err() != nil {
			return false
		}
		if err != nil || ci == nil || !e.lookupTypes[ci.ResourceType] {
			return true
		}
		if err := spill.add(ci, raw); err != nil {
			failed = fmt.Errorf("keeping %s %s for lookups: %w", ci.ResourceType, ci.ResourceID, err)
			return false
		}
		return true
	}
	if files != nil {
		rd := files.reader
		rd.Types = e.LookupTypes()
		rd.envelopes(files.paths, keep)
	} else {
		for ci, err := range prescan {
			if !keep(ci, nil, err) {
				break
			}
		}
	}
	if failed != nil {
		spill.close()
		return nil, failed
	}
	return spill, nil
}

// scan evaluates src; prescan yields (at least) the items of the lookup
// types, for the inventory.
func (e *Engine) scan(ctx context.Context, src, prescan Source, files *prescanFiles) iter.Seq2[Evaluation, error] {
	return func(yield func(Evaluation, error) bool) {
		lookup := e.opts.lookup
		if lookup == nil {
			inv, err := e.inventory(ctx, prescan, files)
			if err != nil {
				yield(Evaluation{}, err)
				return
			}
			if s, ok := inv.(*spillInventory); ok {
				defer s.close()
			}
			lookup = inv
		}
		now := e.opts.clock()
		type unit struct {
			items []*ConfigurationItem
			errs  []error // parallel to items: a read error instead of an item
		}
		var accounts []accountRegion
		seenAccounts := map[accountRegion]bool{}
		globalOnly := map[string]bool{}
		stopped := false
		pipeline.Ordered(ctx, e.opts.workers,
			func(send func(unit) bool) {
				const batch = 128
				u := unit{}
				for ci, err := range src {
					if ci != nil && len(e.account) > 0 && ci.AccountID != "" {
						ar := accountRegion{ci.AccountID, ci.Region}
						if ci.Region == "global" || ci.Region == "" {
							if !globalOnly[ci.AccountID] {
								globalOnly[ci.AccountID] = true
							}
						} else if !seenAccounts[ar] {
							seenAccounts[ar] = true
							accounts = append(accounts, ar)
						}
					}
					u.items = append(u.items, ci)
					u.errs = append(u.errs, err)
					if len(u.items) == batch {
						if !send(u) {
							return
						}
						u = unit{}
					}
				}
				if len(u.items) > 0 {
					send(u)
				}
			},
			func(u unit) *[]outcome {
				outp := outcomes.Get().(*[]outcome)
				out := (*outp)[:0]
				in := &Input{Lookup: lookup}
				for i, ci := range u.items {
					if u.errs[i] != nil {
						out = append(out, outcome{err: u.errs[i]})
						continue
					}
					e.evaluateItem(ctx, in, ci, now, func(ev Evaluation, err error) {
						out = append(out, outcome{ev, err})
					})
				}
				*outp = out
				return outp
			},
			func(outp *[]outcome) bool {
				defer func() {
					clear(*outp) // drop references before reuse
					outcomes.Put(outp)
				}()
				for _, o := range *outp {
					if !yield(o.ev, o.err) {
						stopped = true
						return false
					}
				}
				return true
			},
		)
		if stopped {
			return
		}
		if err := ctx.Err(); err != nil {
			yield(Evaluation{}, err)
			return
		}
		// Accounts seen only through global items (IAM) are evaluated with
		// no region.
		for acct := range globalOnly {
			has := false
			for _, ar := range accounts {
				if ar.account == acct {
					has = true
					break
				}
			}
			if !has {
				accounts = append(accounts, accountRegion{acct, ""})
			}
		}
		sort.SliceStable(accounts, func(i, j int) bool {
			if accounts[i].account != accounts[j].account {
				return accounts[i].account < accounts[j].account
			}
			return accounts[i].region < accounts[j].region
		})
		in := &Input{Lookup: lookup}
		for _, ar := range accounts {
			var outs []outcome
			e.evaluateItem(ctx, in, AccountItem(ar.account, ar.region), now, func(ev Evaluation, err error) {
				outs = append(outs, outcome{ev, err})
			})
			for _, o := range outs {
				if !yield(o.ev, o.err) {
					return
				}
			}
		}
	}
}

type accountRegion struct{ account, region string }

// outcome is an evaluation or an error, on its way to the consumer.
type outcome struct {
	ev  Evaluation
	err error
}

// outcomes recycles the workers' result slices: a scan of millions of
// items would otherwise allocate one per batch.
var outcomes = sync.Pool{New: func() any { s := make([]outcome, 0, 1024); return &s }}
