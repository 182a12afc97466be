package evaluate

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// Compliance is a compliance type, spelled as the AWS Config API spells it,
// so converting to configservice/types.ComplianceType is a cast.
type Compliance string

// The compliance types.
const (
	Compliant        Compliance = "COMPLIANT"
	NonCompliant     Compliance = "NON_COMPLIANT"
	NotApplicable    Compliance = "NOT_APPLICABLE"
	InsufficientData Compliance = "INSUFFICIENT_DATA"
)

// Valid reports whether c is one of the four compliance types.
func (c Compliance) Valid() bool {
	switch c {
	case Compliant, NonCompliant, NotApplicable, InsufficientData:
		return true
	}
	return false
}

// MaxAnnotation is the longest annotation AWS Config accepts.
const MaxAnnotation = 256

// Result is what a rule decides about one resource.
type Result struct {
	Compliance Compliance
	// Annotation explains the decision; it is cut to MaxAnnotation bytes.
	Annotation string
}

// Compliantf returns a COMPLIANT result with a formatted annotation.
func Compliantf(format string, args ...any) Result {
	return Result{Compliance: Compliant, Annotation: fmt.Sprintf(format, args...)}
}

// NonCompliantf returns a NON_COMPLIANT result with a formatted annotation.
func NonCompliantf(format string, args ...any) Result {
	return Result{Compliance: NonCompliant, Annotation: fmt.Sprintf(format, args...)}
}

// NotApplicablef returns a NOT_APPLICABLE result with a formatted annotation.
func NotApplicablef(format string, args ...any) Result {
	return Result{Compliance: NotApplicable, Annotation: fmt.Sprintf(format, args...)}
}

// InsufficientDataf returns an INSUFFICIENT_DATA result: the rule cannot
// decide, and the annotation says what it lacks.
func InsufficientDataf(format string, args ...any) Result {
	return Result{Compliance: InsufficientData, Annotation: fmt.Sprintf(format, args...)}
}

// Evaluation is one rule's verdict on one resource, in the shape of Config's
// Evaluation with the rule's name added.
type Evaluation struct {
	RuleID       string     `json:"configRuleName"`
	ResourceType string     `json:"complianceResourceType"`
	ResourceID   string     `json:"complianceResourceId"`
	Compliance   Compliance `json:"complianceType"`
	Annotation   string     `json:"annotation"`
	// OrderingTimestamp is the item's capture time for change-triggered
	// evaluations and the evaluation time for periodic ones.
	OrderingTimestamp time.Time `json:"orderingTimestamp"`
	AccountID         string    `json:"accountId,omitempty"`
	Region            string    `json:"awsRegion,omitempty"`
	// Location is where the evaluated item was read, when it came from a file.
	Location *Location `json:"location,omitempty"`
}

// CutAnnotation cuts s to at most MaxAnnotation bytes without splitting a
// UTF-8 sequence.
func CutAnnotation(s string) string {
	return cutUTF8(s, MaxAnnotation)
}

// cutUTF8 cuts s to at most n bytes on a rune boundary.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
