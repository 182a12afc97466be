package hook

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// response turns an outcome into the hook's answer.
func (o outcome) response(token string) Response {
	r := Response{ClientRequestToken: token}
	cut := func(s string) string { return cutTo(s, o.limit()) }
	switch {
	case o.internal != nil:
		r.HookStatus, r.ErrorCode = StatusFailed, ErrorInternalFailure
		what := o.subject
		if what == "" {
			what = "the target"
		}
		r.Message = cut("guardrails could not evaluate " + what + ": " + o.internal.Error())
	case len(o.failures) > 0:
		r.HookStatus, r.ErrorCode = StatusFailed, ErrorNonCompliant
		r.Message = o.failureMessage()
	case len(o.problems) > 0:
		// A rule or resource that could not be evaluated is our failure,
		// never a success.
		r.HookStatus, r.ErrorCode = StatusFailed, ErrorInternalFailure
		r.Message = cut("guardrails could not evaluate all of " + o.subject + ": " + strings.Join(o.problems, "; ") + ".")
	default:
		r.HookStatus = StatusSuccess
		r.Message = cut(o.successMessage())
	}
	return r
}

func (o outcome) successMessage() string {
	if o.skip != "" {
		return "guardrails: nothing to evaluate: " + o.skip + "."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "guardrails: %s passes: %d evaluations, none failed", o.subject, o.evaluations)
	if o.undecided > 0 {
		fmt.Fprintf(&b, " (%d could not be decided before deployment and do not fail)", o.undecided)
	}
	b.WriteString(".")
	return b.String()
}

// failureMessage names every failed rule and resource first, then the
// rules' explanations while they fit in MaxMessage.
func (o outcome) failureMessage() string {
	fs := append([]failure(nil), o.failures...)
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].rule != fs[j].rule {
			return fs[i].rule < fs[j].rule
		}
		return fs[i].resourceID < fs[j].resourceID
	})
	var rules []string
	byRule := map[string][]string{}
	for _, f := range fs {
		if byRule[f.rule] == nil {
			rules = append(rules, f.rule)
		}
		byRule[f.rule] = append(byRule[f.rule], f.resourceID)
	}
	head := fmt.Sprintf("guardrails: %s fails %d %s: ", o.subject, len(rules), plural(len(rules), "rule", "rules"))
	var parts []string
	for _, r := range rules {
		parts = append(parts, r+" ("+strings.Join(byRule[r], ", ")+")")
	}
	summary := head + strings.Join(parts, "; ") + "."
	if len(summary) > o.limit() {
		return namesThatFit(head, rules, byRule, len(fs), o.limit())
	}
	var b strings.Builder
	b.WriteString(summary)
	for _, f := range fs {
		detail := " " + f.resourceID + " " + f.rule + ": " + strings.TrimSuffix(f.annotation, ".")
		if f.before {
			detail += " (already so before this update)"
		}
		detail += "."
		if b.Len()+len(detail) > o.limit() {
			break
		}
		b.WriteString(detail)
	}
	if len(o.problems) > 0 {
		rest := " Not evaluated: " + strings.Join(o.problems, "; ") + "."
		if b.Len()+len(rest) <= o.limit() {
			b.WriteString(rest)
		}
	}
	return b.String()
}

// namesThatFit names failed rules and resources in order while they fit,
// and says how many failures are left unnamed.
func namesThatFit(head string, rules []string, byRule map[string][]string, total, limit int) string {
	b := head
	named := 0
	for i, r := range rules {
		for j, id := range byRule[r] {
			var next string
			switch {
			case j == 0 && i > 0:
				next = "; " + r + " (" + id
			case j == 0:
				next = r + " (" + id
			default:
				next = ", " + id
			}
			if j == len(byRule[r])-1 {
				next += ")"
			}
			left := total - named - 1
			reserve := len(fmt.Sprintf(") … and %d more.", left))
			if len(b)+len(next)+reserve > limit {
				if j > 0 {
					b += ")"
				}
				return b + fmt.Sprintf(" … and %d more.", total-named)
			}
			b += next
			named++
		}
	}
	return b + "."
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// limit is the longest message the caller keeps.
func (o outcome) limit() int {
	if o.cloudControl {
		return MaxCloudControlMessage
	}
	return MaxMessage
}

func cut(s string) string { return cutTo(s, MaxMessage) }

// cutTo shortens s to limit bytes (so also characters) on a rune
// boundary, ending with an ellipsis when cut.
func cutTo(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	const ellipsis = "…"
	n := limit - len(ellipsis)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + ellipsis
}
