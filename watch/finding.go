package watch

import (
	"fmt"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
)

// Severity is how much a finding matters, as the rules catalog ranks it:
// CRITICAL, HIGH, MEDIUM, LOW or INFORMATIONAL.
type Severity = evaluate.Severity

// The severities, highest first.
const (
	Critical      = evaluate.Critical
	High          = evaluate.High
	Medium        = evaluate.Medium
	Low           = evaluate.Low
	Informational = evaluate.Informational
)

// rank orders severities; unknown ones rank below INFORMATIONAL.
func rank(s Severity) int {
	switch s {
	case Critical:
		return 5
	case High:
		return 4
	case Medium:
		return 3
	case Low:
		return 2
	case Informational:
		return 1
	}
	return 0
}

// ParseSeverity reads a severity name, in any case.
func ParseSeverity(s string) (Severity, error) {
	sev := Severity(strings.ToUpper(strings.TrimSpace(s)))
	if rank(sev) == 0 {
		return "", fmt.Errorf("severity %q: want CRITICAL, HIGH, MEDIUM, LOW or INFORMATIONAL", s)
	}
	return sev, nil
}

// AtLeast reports whether s is min or higher.
func AtLeast(s, min Severity) bool { return rank(s) >= rank(min) }

// Finding is one change that weakens data protection (or, at
// INFORMATIONAL, any S3 bucket configuration change), with what a responder
// needs to act: who, when, from where, on what, and which rules it breaks.
type Finding struct {
	Detection   string   `json:"detection"`
	Severity    Severity `json:"severity"`
	Summary     string   `json:"summary"`
	EventID     string   `json:"eventID"`
	EventName   string   `json:"eventName"`
	EventSource string   `json:"eventSource"`
	// EventTime is as the record gives it (RFC 3339 in CloudTrail).
	EventTime string `json:"eventTime"`
	AWSRegion string `json:"awsRegion"`
	// AccountID is the record's recipientAccountId: the account the call
	// acted in.
	AccountID string `json:"accountId"`
	// Resources are the ARNs of the resources the call changed.
	Resources       []string `json:"resources"`
	Actor           Actor    `json:"actor"`
	SourceIPAddress string   `json:"sourceIPAddress"`
	UserAgent       string   `json:"userAgent"`
	// ErrorCode is "" for calls that succeeded.
	ErrorCode string `json:"errorCode"`
	// Rules are the catalog rules whose compliance the change breaks (or,
	// for a failed call, would have broken).
	Rules []string `json:"rules"`
	// Remediations are the ids of the remediations that undo it.
	Remediations []string `json:"remediations"`
	// Response holds the plans or results of the remediations, when the
	// watcher is configured to respond.
	Response []Response `json:"response,omitempty"`
	// Location is where the record was read.
	Location *Location `json:"location,omitempty"`
}

// Actor is who made the call.
type Actor struct {
	// ARN is the caller's ARN: a user, an assumed-role session, the root.
	ARN string `json:"arn"`
	// Type is the identity type: IAMUser, AssumedRole, Root, AWSService...
	Type string `json:"type"`
	// InvokedBy names the AWS service that made the call for the caller.
	InvokedBy string `json:"invokedBy"`
	// SessionIssuer is the role (or user) behind temporary credentials.
	SessionIssuer string `json:"sessionIssuer"`
	// AccountID is the caller's account, which may differ from the
	// finding's account for cross-account calls.
	AccountID   string `json:"accountId"`
	PrincipalID string `json:"principalId"`
	AccessKeyID string `json:"accessKeyId"`
}

// Response is what the watcher's response did for one remediation.
type Response struct {
	Remediation  string `json:"remediation"`
	ResourceType string `json:"resourceType,omitempty"`
	ResourceID   string `json:"resourceId,omitempty"`
	// DryRun is true when the remediation was only planned.
	DryRun  bool     `json:"dryRun"`
	Changed bool     `json:"changed"`
	Actions []Action `json:"actions,omitempty"`
	// Error says why the remediation could not be planned or applied.
	Error string `json:"error,omitempty"`
}

// Action is one write a remediation planned or made.
type Action struct {
	API      string `json:"api"`
	Resource string `json:"resource"`
	Needed   bool   `json:"needed"`
	Applied  bool   `json:"applied"`
	Detail   string `json:"detail"`
}

func actorOf(rec *Record) Actor {
	u := &rec.UserIdentity
	return Actor{
		ARN:           u.ARN,
		Type:          u.Type,
		InvokedBy:     u.InvokedBy,
		SessionIssuer: u.IssuerARN(),
		AccountID:     u.AccountID,
		PrincipalID:   u.PrincipalID,
		AccessKeyID:   u.AccessKeyID,
	}
}
