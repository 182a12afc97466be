package facts

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/guardrails-go/guardrails/evaluate"
)

// RootUser is the user column of the root user's row.
const RootUser = "<root_account>"

// Status says whether a credential report field holds a value, and if not
// why, as AWS spells it.
type Status uint8

// The statuses.
const (
	// Present: the field holds a value.
	Present Status = iota
	// NotApplicable is "N/A": no such credential (no access key, no
	// password), or a key never used.
	NotApplicable
	// NoInformation is "no_information": a password never used, or last
	// used before IAM started tracking it (October 2014).
	NoInformation
	// NotSupported is "not_supported": the field does not apply to the root
	// user.
	NotSupported
)

func (s Status) String() string {
	switch s {
	case Present:
		return "present"
	case NotApplicable:
		return "N/A"
	case NoInformation:
		return "no_information"
	case NotSupported:
		return "not_supported"
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// Time is a time field of the credential report.
type Time struct {
	Value  time.Time
	Status Status
}

// Known reports whether the field holds a time.
func (t Time) Known() bool { return t.Status == Present }

// Flag is a true/false field of the credential report.
type Flag struct {
	Value  bool
	Status Status
}

// True reports whether the field is "true".
func (f Flag) True() bool { return f.Status == Present && f.Value }

// AccessKey is one of a user's two access key slots.
type AccessKey struct {
	Active          Flag
	LastRotated     Time
	LastUsedDate    Time
	LastUsedRegion  string // "" when N/A
	LastUsedService string // "" when N/A
}

// Exists reports whether the slot holds a key, active or not: an inactive
// key still has a rotation date.
func (k AccessKey) Exists() bool { return k.Active.True() || k.LastRotated.Known() }

// Certificate is one of a user's two signing certificate slots.
type Certificate struct {
	Active      Flag
	LastRotated Time
}

// Credential is one row of the credential report: a user, or the root
// user.
type Credential struct {
	// Line is the row's line in the CSV text, for messages.
	Line                 int
	User                 string
	ARN                  string
	UserCreationTime     Time
	PasswordEnabled      Flag
	PasswordLastUsed     Time
	PasswordLastChanged  Time
	PasswordNextRotation Time
	MFAActive            Flag
	AccessKeys           [2]AccessKey
	Certificates         [2]Certificate
}

// Root reports whether the row is the root user's.
func (c *Credential) Root() bool { return c.User == RootUser }

// CredentialReport is a parsed credential report.
type CredentialReport struct {
	Credentials []Credential
	byARN       map[string][]int
	byName      map[string][]int
}

// columns are the credential report's columns, by name. Rows are read by
// header name, so reports with more columns still parse.
var columns = []string{
	"user", "arn", "user_creation_time", "password_enabled", "password_last_used",
	"password_last_changed", "password_next_rotation", "mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
	"access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
	"access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
}

// ParseCredentialReport parses the credential report: the CSV text AWS
// returns (what `aws iam get-credential-report --query Content --output
// text | base64 -d` writes). The JSON the CLI prints without --query, whose
// Content is the base64 of that text, is accepted too. Errors name the line
// and the column.
func ParseCredentialReport(data []byte) (*CredentialReport, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		csvText, err := decodeReportJSON(trimmed)
		if err != nil {
			return nil, &Error{Fact: CredentialReportFile, Err: err}
		}
		data = csvText
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &Error{Fact: CredentialReportFile, Err: errors.New("empty: want the CSV text of the credential report")}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, &Error{Fact: CredentialReportFile, Line: 1, Err: err}
	}
	index := make(map[string]int, len(header))
	for i, h := range header {
		index[strings.TrimSpace(h)] = i
	}
	col := make([]int, len(columns))
	for i, name := range columns {
		j, ok := index[name]
		if !ok {
			return nil, &Error{Fact: CredentialReportFile, Line: 1, Err: fmt.Errorf("no column %s in the header (is this a credential report?)", name)}
		}
		col[i] = j
	}
	rep := &CredentialReport{byARN: map[string][]int{}, byName: map[string][]int{}}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &Error{Fact: CredentialReportFile, Line: pe.Line, Err: pe.Err}
			}
			return nil, &Error{Fact: CredentialReportFile, Err: err}
		}
		line, _ := r.FieldPos(0)
		c, err := parseCredential(rec, col, line)
		if err != nil {
			return nil, err
		}
		rep.byARN[c.ARN] = append(rep.byARN[c.ARN], len(rep.Credentials))
		rep.byName[c.User] = append(rep.byName[c.User], len(rep.Credentials))
		rep.Credentials = append(rep.Credentials, c)
	}
	return rep, nil
}

// decodeReportJSON reads the CLI's JSON output of get-credential-report.
func decodeReportJSON(data []byte) ([]byte, error) {
	var out struct {
		Content      *string `json:"Content"`
		ReportFormat string  `json:"ReportFormat"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("not CSV, and not the CLI's JSON: %v", err)
	}
	if out.Content == nil {
		return nil, errors.New("JSON without Content: want the CSV text, or the CLI's JSON output")
	}
	if out.ReportFormat != "" && out.ReportFormat != "text/csv" {
		return nil, fmt.Errorf("ReportFormat %q: want text/csv", out.ReportFormat)
	}
	text, err := base64.StdEncoding.DecodeString(*out.Content)
	if err != nil {
		return nil, fmt.Errorf("Content is not base64: %v", err)
	}
	return text, nil
}

func parseCredential(rec []string, col []int, line int) (Credential, error) {
	field := func(i int) string { return strings.TrimSpace(rec[col[i]]) }
	fail := func(i int, err error) error {
		return &Error{Fact: CredentialReportFile, Line: line, Field: "column " + columns[i], Err: err}
	}
	c := Credential{Line: line, User: field(0), ARN: field(1)}
	if c.User == "" {
		return c, fail(0, errors.New("empty"))
	}
	if c.ARN == "" {
		return c, fail(1, errors.New("empty"))
	}
	times := []struct {
		i   int
		dst *Time
	}{
		{2, &c.UserCreationTime}, {4, &c.PasswordLastUsed}, {5, &c.PasswordLastChanged},
		{6, &c.PasswordNextRotation}, {9, &c.AccessKeys[0].LastRotated},
		{10, &c.AccessKeys[0].LastUsedDate}, {14, &c.AccessKeys[1].LastRotated},
		{15, &c.AccessKeys[1].LastUsedDate}, {19, &c.Certificates[0].LastRotated},
		{21, &c.Certificates[1].LastRotated},
	}
	for _, t := range times {
		v, err := parseReportTime(field(t.i))
		if err != nil {
			return c, fail(t.i, err)
		}
		*t.dst = v
	}
	flags := []struct {
		i   int
		dst *Flag
	}{
		{3, &c.PasswordEnabled}, {7, &c.MFAActive}, {8, &c.AccessKeys[0].Active},
		{13, &c.AccessKeys[1].Active}, {18, &c.Certificates[0].Active}, {20, &c.Certificates[1].Active},
	}
	for _, f := range flags {
		v, err := parseReportFlag(field(f.i))
		if err != nil {
			return c, fail(f.i, err)
		}
		*f.dst = v
	}
	texts := []struct {
		i   int
		dst *string
	}{
		{11, &c.AccessKeys[0].LastUsedRegion}, {12, &c.AccessKeys[0].LastUsedService},
		{16, &c.AccessKeys[1].LastUsedRegion}, {17, &c.AccessKeys[1].LastUsedService},
	}
	for _, t := range texts {
		if v := field(t.i); !isMissing(v) {
			*t.dst = v
		}
	}
	return c, nil
}

func missingStatus(s string) (Status, bool) {
	switch s {
	case "N/A":
		return NotApplicable, true
	case "no_information":
		return NoInformation, true
	case "not_supported":
		return NotSupported, true
	}
	return Present, false
}

func isMissing(s string) bool { _, ok := missingStatus(s); return ok }

func parseReportTime(s string) (Time, error) {
	if st, ok := missingStatus(s); ok {
		return Time{Status: st}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return Time{}, fmt.Errorf("want an ISO 8601 time, N/A, no_information or not_supported, got %q", cut(s, 40))
	}
	return Time{Value: t.UTC()}, nil
}

func parseReportFlag(s string) (Flag, error) {
	if st, ok := missingStatus(s); ok {
		return Flag{Status: st}, nil
	}
	switch strings.ToLower(s) {
	case "true":
		return Flag{Value: true}, nil
	case "false":
		return Flag{Value: false}, nil
	}
	return Flag{}, fmt.Errorf("want true, false, N/A or not_supported, got %q", cut(s, 40))
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Root returns the root user's row. A report without one is an error
// wrapping evaluate.ErrUnknown.
func (r *CredentialReport) Root() (*Credential, error) {
	return r.only(r.byName[RootUser], "the root user")
}

// User returns the row of an IAM user, found by ARN, or by name when arn
// is "". A user the report does not list (created after the report was
// generated) is an error wrapping evaluate.ErrUnknown; a user listed twice
// is an error.
func (r *CredentialReport) User(name, arn string) (*Credential, error) {
	if arn != "" {
		if rows := r.byARN[arn]; len(rows) > 0 {
			return r.only(rows, "user "+arn)
		}
	}
	if name == "" {
		return nil, fmt.Errorf("%w: user %s is not in the credential report", evaluate.ErrUnknown, arn)
	}
	var rows []int
	for _, i := range r.byName[name] {
		// A name match with another ARN is another user of the same name
		// (a user deleted and created again has the same ARN).
		if arn == "" || r.Credentials[i].ARN == arn {
			rows = append(rows, i)
		}
	}
	return r.only(rows, "user "+name)
}

func (r *CredentialReport) only(rows []int, who string) (*Credential, error) {
	switch len(rows) {
	case 0:
		return nil, fmt.Errorf("%w: %s is not in the credential report (was it generated before the user existed?)", evaluate.ErrUnknown, who)
	case 1:
		return &r.Credentials[rows[0]], nil
	}
	first := r.Credentials[rows[0]]
	for _, i := range rows[1:] {
		other := r.Credentials[i]
		first.Line, other.Line = 0, 0
		if first != other {
			return nil, &Error{Fact: CredentialReportFile, Line: r.Credentials[i].Line,
				Err: fmt.Errorf("%s is listed %d times with different values", who, len(rows))}
		}
	}
	return &r.Credentials[rows[0]], nil
}
