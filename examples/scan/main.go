// Command scan evaluates the guardrails catalog over AWS Config data
// (single configuration items, snapshot and history files, plain or gzip)
// and over infrastructure as code: CloudFormation templates (YAML or JSON)
// and Terraform plans ("terraform show -json"). Files and directories may
// be mixed; each file's content decides how it is read. Without -input it
// scans a sample snapshot built into the binary.
//
// Usage:
//
//	scan [-input PATH]... [-format text|json|sarif] [-rules id,id] [-params FILE]
//	     [-parameters FILE] [-account ID] [-region REGION] [-facts DIR]
//	     [-fail-on-noncompliant]
//	scan -list [-format text|json]
//
// -format sarif writes SARIF 2.1.0 for code scanning: one result per
// non-compliant evaluation, on the line of the resource. -parameters gives
// CloudFormation parameter values, as {"Name": "value"} or the CLI's
// [{"ParameterKey", "ParameterValue"}]. -account and -region say where
// templates and plans deploy: without them ARNs, the partition and
// AWS::AccountId are unknown, and rules that compare them (bucket policy
// resources, principals of other accounts) cannot decide. With -account,
// the account-level rules (which judge a whole account, not the few
// resources of a template) run only when -rules names them.
//
// Exit status: 0 when the scan ran, whatever it found; 1 on a usage or
// input error; 3 with -fail-on-noncompliant when a resource is
// non-compliant.
package main

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"os/signal"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/iac"
	"github.com/guardrails-go/guardrails/rules"
)

//go:embed sample/snapshot.json
var sample []byte

// sampleFacts are the sample account's facts (credential report, password
// policy...), used with the sample unless -facts is given.
//
//go:embed sample/facts
var sampleFacts embed.FS

const sampleName = "sample/snapshot.json (built in)"

// Exit codes, as CONTRACTS.md fixes them.
const (
	exitOK       = 0
	exitError    = 1
	exitFindings = 3
)

var (
	accountID  = regexp.MustCompile(`^\d{12}$`)
	regionName = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type config struct {
	inputs     listFlag
	format     string
	ruleIDs    string
	paramsFile string
	cfnParams  string
	account    string
	region     string
	factsDir   string
	list       bool
	failOn     bool
}

// memoryLimit is the scanner's soft memory limit when GOMEMLIMIT is not
// set: the garbage collector works harder near it rather than let the heap
// double, so a scan of a multi-gigabyte snapshot stays near 150 MiB.
const memoryLimit = 100 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c config
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var(&c.inputs, "input", "a Config item, snapshot or history file (.json, .json.gz), a CloudFormation template, a Terraform plan (terraform show -json), or a directory of them; repeatable")
	fs.StringVar(&c.format, "format", "text", "output format: text, json or sarif")
	fs.StringVar(&c.ruleIDs, "rules", "", "comma-separated rule ids to run (default: the whole catalog)")
	fs.StringVar(&c.paramsFile, "params", "", `JSON file of rule parameters: {"rule-id": {"param": "value"}}`)
	fs.StringVar(&c.cfnParams, "parameters", "", `JSON file of CloudFormation parameter values: {"Name": "value"} or [{"ParameterKey", "ParameterValue"}]`)
	fs.StringVar(&c.account, "account", "", "AWS account id templates and plans deploy to (ARNs, AWS::AccountId); unknown when not given. Account-level rules then run only when -rules names them")
	fs.StringVar(&c.region, "region", "", "AWS region templates and plans deploy to (ARNs, AWS::Region, the partition); unknown when not given")
	fs.StringVar(&c.factsDir, "facts", "", "directory of account facts (credential report, password policy...; see the README)")
	fs.BoolVar(&c.list, "list", false, "print the catalog and exit")
	fs.BoolVar(&c.failOn, "fail-on-noncompliant", false, "exit 3 when a resource is non-compliant")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: scan [-input PATH]... [-format text|json|sarif] [-rules id,id] [-params FILE] [-parameters FILE] [-account ID] [-region REGION] [-facts DIR] [-fail-on-noncompliant]")
		fmt.Fprintln(stderr, "       scan -list [-format text|json]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitError
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "scan: unexpected argument %q (inputs are given with -input)\n", fs.Arg(0))
		return exitError
	}
	switch {
	case c.format != "text" && c.format != "json" && c.format != "sarif":
		fmt.Fprintf(stderr, "scan: -format %q: want text, json or sarif\n", c.format)
		return exitError
	case c.list && c.format == "sarif":
		fmt.Fprintln(stderr, "scan: -list: want -format text or json")
		return exitError
	}
	selected, err := selectRules(c.ruleIDs)
	if err != nil {
		fmt.Fprintf(stderr, "scan: -rules: %v\n", err)
		return exitError
	}
	if c.list {
		return list(selected, c.format, stdout, stderr)
	}
	if c.account != "" && strings.TrimSpace(c.ruleIDs) == "" {
		// Account-level rules judge a whole account; templates and plans
		// show a few of its resources. Named with -rules, they run.
		selected = resourceRules(selected)
	}
	opts := []evaluate.Option{}
	if c.paramsFile != "" {
		params, err := readParams(c.paramsFile)
		if err != nil {
			fmt.Fprintf(stderr, "scan: -params: %v\n", err)
			return exitError
		}
		opts = append(opts, evaluate.WithParameters(params))
	}
	if c.factsDir != "" {
		st, err := os.Stat(c.factsDir)
		if err != nil || !st.IsDir() {
			fmt.Fprintf(stderr, "scan: -facts %s: not a directory\n", c.factsDir)
			return exitError
		}
		opts = append(opts, evaluate.WithFacts(evaluate.FactsDir(c.factsDir)))
	} else if len(c.inputs) == 0 {
		facts, err := iofs.Sub(sampleFacts, "sample/facts")
		if err != nil {
			fmt.Fprintf(stderr, "scan: %v\n", err)
			return exitError
		}
		opts = append(opts, evaluate.WithFacts(evaluate.FactsFS(facts)))
	}
	engine, err := evaluate.NewEngine(selected, opts...)
	if err != nil {
		fmt.Fprintf(stderr, "scan: %v\n", err)
		return exitError
	}

	var iacOpts []iac.Option
	if c.account != "" {
		if !accountID.MatchString(c.account) {
			fmt.Fprintf(stderr, "scan: -account %q: want a 12-digit account id\n", c.account)
			return exitError
		}
		iacOpts = append(iacOpts, iac.WithAccount(c.account))
	}
	if c.region != "" {
		if !regionName.MatchString(c.region) {
			fmt.Fprintf(stderr, "scan: -region %q: want a region name such as eu-west-1\n", c.region)
			return exitError
		}
		iacOpts = append(iacOpts, iac.WithRegion(c.region))
	}
	if c.cfnParams != "" {
		data, err := os.ReadFile(c.cfnParams)
		if err != nil {
			fmt.Fprintf(stderr, "scan: -parameters: %v\n", err)
			return exitError
		}
		values, err := iac.ParseParameters(data)
		if err != nil {
			fmt.Fprintf(stderr, "scan: -parameters %s: %v\n", c.cfnParams, err)
			return exitError
		}
		iacOpts = append(iacOpts, iac.WithParameters(values))
	}
	src := sampleSource()
	formats := readOnce(iac.Formats(iacOpts...))
	if len(c.inputs) > 0 {
		src = evaluate.Reader{Formats: formats}.Files(c.inputs...)
	}
	var items atomic.Int64
	counted := func(yield func(*evaluate.ConfigurationItem, error) bool) {
		items.Store(0) // the engine may range twice (the sample): count the last
		for ci, err := range src {
			if ci != nil {
				items.Add(1)
			}
			if !yield(ci, err) {
				return
			}
		}
	}
	stopProgress := startProgress(stderr, &items)

	var rep reporter
	switch c.format {
	case "json":
		rep = newJSONReporter(stdout)
	case "sarif":
		rep = newSARIFReporter(stdout, engine.Rules())
	default:
		rep = newTextReporter(stdout, engine.Rules())
	}
	var st stats
	var scanOpts []evaluate.ScanOption
	if len(c.inputs) > 0 {
		// The lookup pass keeps only the types rules look up, skipping
		// the others before decoding them.
		scanOpts = append(scanOpts, evaluate.WithPrescanFiles(evaluate.Reader{Formats: formats}, c.inputs...))
	}
	for ev, err := range engine.Scan(ctx, counted, scanOpts...) {
		if err != nil {
			st.errors++
			rep.error(toReportError(err))
			continue
		}
		st.count(ev)
		rep.evaluation(ev)
	}
	stopProgress()
	st.items = int(items.Load())
	if err := rep.finish(st); err != nil {
		fmt.Fprintf(stderr, "scan: writing the report: %v\n", err)
		return exitError
	}
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "scan: interrupted")
		return exitError
	case st.errors > 0:
		return exitError
	case c.failOn && st.nonCompliant > 0:
		return exitFindings
	}
	return exitOK
}

// readOnce makes formats convert each file once per scan: the lookup pass
// and the evaluating pass of a scan read the same templates and plans,
// which are converted whole (unlike Config data, which is streamed).
func readOnce(formats []evaluate.Format) []evaluate.Format {
	out := make([]evaluate.Format, len(formats))
	for i, f := range formats {
		out[i] = &onceFormat{Format: f, read: map[string]evaluate.Source{}}
	}
	return out
}

type onceFormat struct {
	evaluate.Format
	mu   sync.Mutex
	read map[string]evaluate.Source
}

// Read returns the source of the file's first read: iac's sources keep
// what they converted and yield it again.
func (f *onceFormat) Read(r io.Reader, name string) evaluate.Source {
	f.mu.Lock()
	defer f.mu.Unlock()
	if src, ok := f.read[name]; ok {
		return src
	}
	src := f.Format.Read(r, name)
	f.read[name] = src
	return src
}

// sampleSource reads the built-in sample; each range reads it afresh, so
// the engine may range twice.
func sampleSource() evaluate.Source {
	return func(yield func(*evaluate.ConfigurationItem, error) bool) {
		for ci, err := range evaluate.Read(bytes.NewReader(sample), sampleName) {
			if !yield(ci, err) {
				return
			}
		}
	}
}

func selectRules(ids string) ([]evaluate.Rule, error) {
	if strings.TrimSpace(ids) == "" {
		return rules.All(), nil
	}
	var list []string
	for _, id := range strings.Split(ids, ",") {
		if id = strings.TrimSpace(id); id != "" {
			list = append(list, id)
		}
	}
	return rules.Select(list...)
}

// resourceRules leaves out the rules that judge only the account.
func resourceRules(rs []evaluate.Rule) []evaluate.Rule {
	var out []evaluate.Rule
	for _, r := range rs {
		for _, t := range r.Metadata().ResourceTypes {
			if t != evaluate.AccountResourceType {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// readParams reads {"rule-id": {"param": "value"}}; values are strings as
// Config passes them (numbers and booleans are accepted as their text).
func readParams(path string) (map[string]map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: want a JSON object of rule ids: %v", path, err)
	}
	out := make(map[string]map[string]string, len(raw))
	for id, v := range raw {
		if _, ok := rules.ByID(id); !ok {
			return nil, fmt.Errorf("%s: no rule %s in the catalog", path, id)
		}
		p, err := evaluate.ParseRuleParameters(string(v))
		if err != nil {
			return nil, fmt.Errorf("%s: rule %s: %v", path, id, err)
		}
		out[id] = p
	}
	return out, nil
}

// reportError is an error as the JSON report lists it.
type reportError struct {
	Source  string `json:"source"`
	Message string `json:"message"`
	line    int    // in Source, 0 when unknown
}

func toReportError(err error) reportError {
	var e *evaluate.Error
	if errors.As(err, &e) {
		src := e.Source
		if src == "" {
			src = "engine"
		}
		msg := e.Message()
		if e.Line > 0 {
			msg = fmt.Sprintf("line %d: %s", e.Line, msg)
		}
		return reportError{Source: src, Message: msg, line: e.Line}
	}
	return reportError{Source: "scan", Message: err.Error()}
}

// stats counts what a scan produced.
type stats struct {
	items, evaluations, errors                               int
	compliant, nonCompliant, notApplicable, insufficientData int
}

func (s *stats) count(ev evaluate.Evaluation) {
	s.evaluations++
	switch ev.Compliance {
	case evaluate.Compliant:
		s.compliant++
	case evaluate.NonCompliant:
		s.nonCompliant++
	case evaluate.NotApplicable:
		s.notApplicable++
	case evaluate.InsufficientData:
		s.insufficientData++
	}
}

// startProgress prints items per second on stderr while a long scan runs,
// only when stderr is a terminal. It returns a function that stops it.
func startProgress(stderr io.Writer, items *atomic.Int64) func() {
	f, ok := stderr.(*os.File)
	if !ok {
		return func() {}
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		start := time.Now()
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		printed := false
		for {
			select {
			case <-done:
				if printed {
					fmt.Fprint(f, "\r\033[K")
				}
				return
			case <-tick.C:
				n := items.Load()
				secs := time.Since(start).Seconds()
				if secs < 1 {
					continue
				}
				fmt.Fprintf(f, "\r\033[Kscanning: %d items, %.0f items/s", n, float64(n)/secs)
				printed = true
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
