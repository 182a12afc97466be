package watch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Record is one CloudTrail record: an API call, as CloudTrail writes it to
// a log file or EventBridge carries it in an event's detail. Request
// parameters and response elements stay raw: their shape differs for every
// API, and only the detection that reads them knows it.
type Record struct {
	EventVersion    string       `json:"eventVersion"`
	EventID         string       `json:"eventID"`
	EventTime       string       `json:"eventTime"`
	EventSource     string       `json:"eventSource"`
	EventName       string       `json:"eventName"`
	EventType       string       `json:"eventType"`
	AWSRegion       string       `json:"awsRegion"`
	SourceIPAddress string       `json:"sourceIPAddress"`
	UserAgent       string       `json:"userAgent"`
	UserIdentity    UserIdentity `json:"userIdentity"`
	// ErrorCode is set when the call failed.
	ErrorCode    string `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
	// ReadOnly is nil in records older than version 1.04 or so, which do
	// not say.
	ReadOnly *bool `json:"readOnly"`
	// RecipientAccountID is the account whose trail received the record:
	// the account the call acted in.
	RecipientAccountID string          `json:"recipientAccountId"`
	RequestParameters  json.RawMessage `json:"requestParameters"`
	ResponseElements   json.RawMessage `json:"responseElements"`
	Resources          []Resource      `json:"resources"`

	// Location says where the record was read.
	Location Location `json:"-"`
}

// UserIdentity is who made the call.
type UserIdentity struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	AccessKeyID string `json:"accessKeyId"`
	UserName    string `json:"userName"`
	// InvokedBy names the AWS service that made the call on the
	// principal's behalf, such as "cloudformation.amazonaws.com".
	InvokedBy      string          `json:"invokedBy"`
	SessionContext *SessionContext `json:"sessionContext"`
}

// SessionContext describes temporary credentials.
type SessionContext struct {
	SessionIssuer struct {
		Type        string `json:"type"`
		PrincipalID string `json:"principalId"`
		ARN         string `json:"arn"`
		AccountID   string `json:"accountId"`
		UserName    string `json:"userName"`
	} `json:"sessionIssuer"`
}

// Resource is one element of a record's resources list. CloudTrail spells
// the key "ARN"; decoding ignores case.
type Resource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId"`
	Type      string `json:"type"`
}

// Location is where a record was read: the file or object, and the record's
// position in it.
type Location struct {
	// Source names the file, the S3 object (s3://bucket/key) or the event.
	Source string `json:"source"`
	// Index is the record's position in the file, from 0, counting every
	// record (the Records array, or one per event in a JSON lines file).
	Index int `json:"record"`
	// Line is the 1-based line where the record starts.
	Line int `json:"line,omitempty"`
}

func (l Location) String() string {
	s := l.Source
	if l.Line > 0 {
		s += ":" + strconv.Itoa(l.Line)
	}
	return s + ": record " + strconv.Itoa(l.Index)
}

// IssuerARN is the role (or user) that issued the caller's temporary
// credentials, "" for long-term credentials.
func (u *UserIdentity) IssuerARN() string {
	if u.SessionContext == nil {
		return ""
	}
	return u.SessionContext.SessionIssuer.ARN
}

// AccountID returns the account the call acted in: recipientAccountId, or
// the caller's account in records that lack it.
func (r *Record) AccountID() string {
	if r.RecipientAccountID != "" {
		return r.RecipientAccountID
	}
	return r.UserIdentity.AccountID
}

// Failed reports whether the call failed.
func (r *Record) Failed() bool { return r.ErrorCode != "" }

// DecodeRecord decodes one record. The error names the field at fault.
func DecodeRecord(data []byte) (*Record, error) {
	rec := new(Record)
	if err := decodeRecordInto(data, rec); err != nil {
		return nil, err
	}
	return rec, nil
}

func decodeRecordInto(data []byte, rec *Record) error {
	if err := json.Unmarshal(data, rec); err != nil {
		return describeJSONError(err)
	}
	if len(rec.RequestParameters) > 0 && bytes.Equal(bytes.TrimSpace(rec.RequestParameters), []byte("null")) {
		rec.RequestParameters = nil
	}
	if len(rec.ResponseElements) > 0 && bytes.Equal(bytes.TrimSpace(rec.ResponseElements), []byte("null")) {
		rec.ResponseElements = nil
	}
	return nil
}

// describeJSONError rewrites encoding/json's errors to name the field.
func describeJSONError(err error) error {
	switch e := err.(type) {
	case *json.UnmarshalTypeError:
		field := e.Field
		if field == "" {
			field = "the record"
		}
		return fmt.Errorf("%s: want %s, found JSON %s", field, goTypeName(e.Type.String()), e.Value)
	case *json.SyntaxError:
		return fmt.Errorf("invalid JSON at byte %d of the record: %v", e.Offset, e)
	}
	return err
}

func goTypeName(t string) string {
	switch {
	case t == "string":
		return "a string"
	case t == "bool" || t == "*bool":
		return "true or false"
	case strings.HasPrefix(t, "[]"):
		return "an array"
	case strings.Contains(t, "."):
		return "an object"
	}
	return t
}

// Params decodes the record's request parameters into v. A record without
// parameters (null) leaves v unchanged. The error names the parameter at
// fault as requestParameters.NAME.
func (r *Record) Params(v any) error {
	if len(r.RequestParameters) == 0 {
		return nil
	}
	if err := json.Unmarshal(r.RequestParameters, v); err != nil {
		var te *json.UnmarshalTypeError
		if ok := asTypeError(err, &te); ok {
			return fmt.Errorf("requestParameters.%s: want %s, found JSON %s", te.Field, goTypeName(te.Type.String()), te.Value)
		}
		return fmt.Errorf("requestParameters: %w", err)
	}
	return nil
}

func asTypeError(err error, target **json.UnmarshalTypeError) bool {
	te, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*target = te
	}
	return ok
}
