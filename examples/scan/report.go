package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/internal/jsonreport"
)

// reporter writes a scan's outcome as it comes.
type reporter interface {
	evaluation(evaluate.Evaluation)
	error(reportError)
	finish(stats) error
}

// maxErrors bounds the errors a report keeps: a file of a million broken
// items should not hold a million messages in memory.
const maxErrors = jsonreport.MaxErrors

// jsonReporter streams {"evaluations": [...], "errors": [...], "stats": {...}}:
// evaluations are written as they come, so memory stays flat on any input.
type jsonReporter struct{ w *jsonreport.Writer }

func newJSONReporter(w io.Writer) *jsonReporter {
	return &jsonReporter{jsonreport.New(w, "evaluations", "scan")}
}

func (r *jsonReporter) evaluation(ev evaluate.Evaluation) { r.w.Item(ev) }

func (r *jsonReporter) error(e reportError) {
	r.w.Error(jsonreport.Error{Source: e.Source, Message: e.Message})
}

func (r *jsonReporter) finish(st stats) error {
	return r.w.Finish(map[string]int{
		"items": st.items, "evaluations": st.evaluations, "errors": st.errors,
		"compliant": st.compliant, "nonCompliant": st.nonCompliant,
		"notApplicable": st.notApplicable, "insufficientData": st.insufficientData,
	})
}

// textReporter prints counts per rule, then each non-compliant resource and
// each resource the rules could not decide, then errors. A text report is
// read by a person: it lists at most maxListed resources per rule and says
// how many more there are, so memory stays bounded on any input (the JSON
// report lists everything, streaming).
type textReporter struct {
	w        io.Writer
	order    []string
	counts   map[string]*[4]int
	findings []evaluate.Evaluation
	unknown  []evaluate.Evaluation
	errs     []reportError
	dropped  int
}

const maxListed = 200

func newTextReporter(w io.Writer, meta []evaluate.Metadata) *textReporter {
	r := &textReporter{w: w, counts: map[string]*[4]int{}}
	for _, m := range meta {
		r.order = append(r.order, m.ID)
		r.counts[m.ID] = new([4]int)
	}
	return r
}

func (r *textReporter) evaluation(ev evaluate.Evaluation) {
	c := r.counts[ev.RuleID]
	if c == nil {
		c = new([4]int)
		r.counts[ev.RuleID] = c
		r.order = append(r.order, ev.RuleID)
	}
	switch ev.Compliance {
	case evaluate.Compliant:
		c[0]++
	case evaluate.NonCompliant:
		c[1]++
		if c[1] <= maxListed {
			r.findings = append(r.findings, detached(ev))
		}
	case evaluate.NotApplicable:
		c[2]++
	case evaluate.InsufficientData:
		c[3]++
		if c[3] <= maxListed {
			r.unknown = append(r.unknown, detached(ev))
		}
	}
}

// detached copies the evaluation's location: the reader allocates the
// locations of a batch of items together, and keeping one would keep them
// all.
func detached(ev evaluate.Evaluation) evaluate.Evaluation {
	if ev.Location != nil {
		loc := *ev.Location
		ev.Location = &loc
	}
	return ev
}

func (r *textReporter) error(e reportError) {
	if len(r.errs) < maxErrors {
		r.errs = append(r.errs, e)
	} else {
		r.dropped++
	}
}

func (r *textReporter) finish(st stats) error {
	w := bufio.NewWriter(r.w)
	fmt.Fprintf(w, "Scanned %d items: %d evaluations, %d non-compliant, %d errors.\n\n",
		st.items, st.evaluations, st.nonCompliant, st.errors)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tCOMPLIANT\tNON_COMPLIANT\tNOT_APPLICABLE\tINSUFFICIENT_DATA")
	for _, id := range r.order {
		c := r.counts[id]
		if c[0]+c[1]+c[2]+c[3] == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", id, c[0], c[1], c[2], c[3])
	}
	tw.Flush()
	if len(r.findings) > 0 {
		fmt.Fprintf(w, "\nNon-compliant resources (%d):\n", st.nonCompliant)
		r.writeEvaluations(w, r.findings, 1)
	}
	if len(r.unknown) > 0 {
		fmt.Fprintf(w, "\nNot decided, data missing (%d):\n", st.insufficientData)
		r.writeEvaluations(w, r.unknown, 3)
	}
	if len(r.errs) > 0 {
		fmt.Fprintf(w, "\nErrors (%d):\n", st.errors)
		for _, e := range r.errs {
			fmt.Fprintf(w, "  %s: %s\n", e.Source, e.Message)
		}
		if r.dropped > 0 {
			fmt.Fprintf(w, "  ... and %d more\n", r.dropped)
		}
	}
	return w.Flush()
}

// writeEvaluations lists evaluations by rule; column is the index of their
// compliance in the counts, to say how many were not listed.
func (r *textReporter) writeEvaluations(w io.Writer, evs []evaluate.Evaluation, column int) {
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].RuleID < evs[j].RuleID })
	last := ""
	for i, ev := range evs {
		if ev.RuleID != last {
			fmt.Fprintf(w, "  %s\n", ev.RuleID)
			last = ev.RuleID
		}
		where := ""
		if ev.Location != nil && ev.Location.Line > 0 {
			where = fmt.Sprintf(" (%s:%d)", ev.Location.File, ev.Location.Line)
		}
		fmt.Fprintf(w, "    %s %s%s\n      %s\n", ev.ResourceType, ev.ResourceID, where, ev.Annotation)
		if i+1 == len(evs) || evs[i+1].RuleID != ev.RuleID {
			if more := r.counts[ev.RuleID][column] - maxListed; more > 0 {
				fmt.Fprintf(w, "    ... and %d more (-format json lists them all)\n", more)
			}
		}
	}
}

// list prints the catalog: a table, or with -format json an array of every
// rule's metadata.
func list(rs []evaluate.Rule, format string, stdout, stderr io.Writer) int {
	meta := make([]evaluate.Metadata, len(rs))
	for i, r := range rs {
		meta[i] = r.Metadata()
	}
	if format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(meta); err != nil {
			fmt.Fprintf(stderr, "scan: %v\n", err)
			return exitError
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tRESOURCE TYPES\tMANAGED RULE\tPARAMETERS")
	for _, m := range meta {
		var params []string
		for _, p := range m.Parameters {
			s := p.Name
			if p.Default != "" {
				s += "=" + p.Default
			}
			params = append(params, s)
		}
		managed := m.ManagedRule
		if managed == "" {
			managed = "(guardrails)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.ID, m.Severity, strings.Join(m.ResourceTypes, ","), managed, strings.Join(params, " "))
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "scan: %v\n", err)
		return exitError
	}
	return exitOK
}
