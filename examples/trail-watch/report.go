package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/guardrails-go/guardrails/internal/jsonreport"
	"github.com/guardrails-go/guardrails/watch"
)

// reporter writes a run's outcome as it comes.
type reporter interface {
	finding(*watch.Finding)
	error(reportError)
	finish(watch.Stats) error
}

// reportError is an error as the JSON report lists it.
type reportError = jsonreport.Error

func toReportError(err error) reportError {
	var e *watch.Error
	if errors.As(err, &e) {
		return reportError{Source: e.Source, Message: e.Message()}
	}
	return reportError{Source: "trail-watch", Message: err.Error()}
}

// maxErrors bounds the errors a report keeps.
const maxErrors = jsonreport.MaxErrors

// jsonReporter streams {"findings": [...], "errors": [...], "stats": {...}}:
// findings are written as they come, so memory stays flat on any input.
type jsonReporter struct{ w *jsonreport.Writer }

func newJSONReporter(w io.Writer) *jsonReporter {
	return &jsonReporter{jsonreport.New(w, "findings", "trail-watch")}
}

func (r *jsonReporter) finding(f *watch.Finding)    { r.w.Item(f) }
func (r *jsonReporter) error(e reportError)         { r.w.Error(e) }
func (r *jsonReporter) finish(st watch.Stats) error { return r.w.Finish(st) }

// textReporter prints each finding as it comes, then errors and counts.
type textReporter struct {
	w       *bufio.Writer
	n       int
	errs    []reportError
	dropped int
}

func newTextReporter(w io.Writer) *textReporter {
	return &textReporter{w: bufio.NewWriter(w)}
}

func (r *textReporter) finding(f *watch.Finding) {
	r.n++
	who := f.Actor.ARN
	if who == "" {
		who = f.Actor.Type
	}
	if f.Actor.InvokedBy != "" {
		who += " via " + f.Actor.InvokedBy
	}
	fmt.Fprintf(r.w, "%-13s %s  %s\n", f.Severity, f.Detection, f.Summary)
	tw := tabwriter.NewWriter(r.w, 0, 4, 1, ' ', 0)
	fmt.Fprintf(tw, "  \twhen\t%s %s in %s, account %s (eventID %s)\n", f.EventTime, f.EventName, f.AWSRegion, f.AccountID, f.EventID)
	fmt.Fprintf(tw, "  \twho\t%s from %s (%s)\n", who, f.SourceIPAddress, f.UserAgent)
	if len(f.Resources) > 0 {
		fmt.Fprintf(tw, "  \twhat\t%s\n", strings.Join(f.Resources, ", "))
	}
	if len(f.Rules) > 0 {
		fmt.Fprintf(tw, "  \tbreaks\t%s\n", strings.Join(f.Rules, ", "))
	}
	if len(f.Remediations) > 0 {
		fmt.Fprintf(tw, "  \tfix\t%s\n", strings.Join(f.Remediations, ", "))
	}
	tw.Flush()
}

func (r *textReporter) error(e reportError) {
	if len(r.errs) < maxErrors {
		r.errs = append(r.errs, e)
	} else {
		r.dropped++
	}
}

func (r *textReporter) finish(st watch.Stats) error {
	if len(r.errs) > 0 {
		fmt.Fprintf(r.w, "\nErrors (%d):\n", len(r.errs)+r.dropped)
		for _, e := range r.errs {
			fmt.Fprintf(r.w, "  %s: %s\n", e.Source, e.Message)
		}
		if r.dropped > 0 {
			fmt.Fprintf(r.w, "  ... and %d more\n", r.dropped)
		}
	}
	fmt.Fprintf(r.w, "\nRead %d files (%d skipped), %d records (%d skipped): %d findings.\n",
		st.Files, st.SkippedFiles, st.Records, st.Skipped, st.Findings)
	return r.w.Flush()
}

// listDetections prints the catalog of detections.
func listDetections(format string, stdout, stderr io.Writer) int {
	ds := watch.Detections()
	if format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(ds); err != nil {
			fmt.Fprintf(stderr, "trail-watch: %v\n", err)
			return exitError
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tEVENTS\tRULES")
	for _, d := range ds {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.ID, d.Severity, d.EventSource+": "+strings.Join(d.EventNames, ","), strings.Join(d.Rules, ","))
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "trail-watch: %v\n", err)
		return exitError
	}
	return exitOK
}
