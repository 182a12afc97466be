// Command trail-watch detects configuration changes that weaken data
// protection in CloudTrail records.
//
// Run in AWS Lambda (the runtime sets AWS_LAMBDA_RUNTIME_API), it reads each
// new log file of the trail's bucket from S3 and publishes its findings to
// an SNS topic; see template.yaml. Run anywhere else, it reads log files
// from disk, for playbook drills and for logs kept outside AWS:
//
//	trail-watch -input PATH [-input PATH ...] [-format text|json] [-min-severity LEVEL]
//	            [-ignore-principals ARN,ARN]
//	trail-watch -list [-format text|json]
//
// -input takes CloudTrail log files (.json, .json.gz), EventBridge events
// (one per file, or JSON lines) and directories of them, read recursively.
// Exit status: 0 when the run completed, whatever it found; 1 on a usage or
// input error.
//
// # Lambda environment
//
//	GUARDRAILS_TOPIC_ARN           the SNS topic (required)
//	GUARDRAILS_MIN_SEVERITY        lowest severity published (default LOW)
//	GUARDRAILS_IGNORE_PRINCIPALS   comma-separated ARN patterns, * wildcard
//	GUARDRAILS_REMEDIATE           off (default), dry-run or apply
//	GUARDRAILS_REMEDIATION_PARAMS  optional JSON: {"remediation-id": {"param": "value"}}
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/guardrails-go/guardrails/watch"
)

// Exit codes, as CONTRACTS.md fixes them.
const (
	exitOK    = 0
	exitError = 1
)

func main() {
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		startLambda()
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var (
		inputs listFlag
		format string
		minSev string
		ignore string
		list   bool
	)
	fs := flag.NewFlagSet("trail-watch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var(&inputs, "input", "a CloudTrail log file (.json, .json.gz), a file of EventBridge events, or a directory; repeatable")
	fs.StringVar(&format, "format", "text", "output format: text or json")
	fs.StringVar(&minSev, "min-severity", "INFORMATIONAL", "lowest severity reported: CRITICAL, HIGH, MEDIUM, LOW or INFORMATIONAL")
	fs.StringVar(&ignore, "ignore-principals", "", "comma-separated ARN patterns (* wildcard) whose calls are skipped")
	fs.BoolVar(&list, "list", false, "print the catalog of detections and exit")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: trail-watch -input PATH [-input PATH ...] [-format text|json] [-min-severity LEVEL] [-ignore-principals ARN,ARN]")
		fmt.Fprintln(stderr, "       trail-watch -list [-format text|json]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitError
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "trail-watch: unexpected argument %q (inputs are given with -input)\n", fs.Arg(0))
		return exitError
	}
	if format != "text" && format != "json" {
		fmt.Fprintf(stderr, "trail-watch: -format %q: want text or json\n", format)
		return exitError
	}
	if list {
		return listDetections(format, stdout, stderr)
	}
	if len(inputs) == 0 {
		fmt.Fprintln(stderr, "trail-watch: no -input given (outside Lambda, trail-watch reads log files from disk)")
		fs.Usage()
		return exitError
	}
	sev, err := watch.ParseSeverity(minSev)
	if err != nil {
		fmt.Fprintf(stderr, "trail-watch: -min-severity: %v\n", err)
		return exitError
	}
	w, err := watch.New(watch.WithMinSeverity(sev), watch.WithIgnorePrincipals(strings.Split(ignore, ",")...))
	if err != nil {
		fmt.Fprintf(stderr, "trail-watch: %v\n", err)
		return exitError
	}
	var rep reporter
	if format == "json" {
		rep = newJSONReporter(stdout)
	} else {
		rep = newTextReporter(stdout)
	}
	sess := w.NewSession()
	errCount := 0
	for f, err := range sess.Files(ctx, inputs...) {
		if err != nil {
			errCount++
			rep.error(toReportError(err))
			continue
		}
		rep.finding(f)
	}
	if err := rep.finish(sess.Stats()); err != nil {
		fmt.Fprintf(stderr, "trail-watch: writing the report: %v\n", err)
		return exitError
	}
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "trail-watch: interrupted")
		return exitError
	case errCount > 0:
		return exitError
	}
	return exitOK
}
