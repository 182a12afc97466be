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

// decodeRecordInto decodes a record in one pass over its top-level
// members: request parameters and response elements are kept raw, strings
// are copied into one allocation per record (decoded only when they hold
// escapes), and only resources go through encoding/json. Members the
// watcher does not read are skipped without being validated.
func decodeRecordInto(data []byte, rec *Record) error {
	var strs stringArena
	err := walkObject(data, "the record", func(key, v []byte) error {
		if dst := rec.stringField(key); dst != nil {
			return strs.add(dst, "", key, v)
		}
		switch string(key) {
		case "readOnly":
			switch string(v) {
			case "true", "false":
				b := v[0] == 't'
				rec.ReadOnly = &b
			case "null":
				rec.ReadOnly = nil
			default:
				return fmt.Errorf("readOnly: want true or false, found %s", jsonKind(v))
			}
		case "userIdentity":
			rec.UserIdentity = UserIdentity{}
			return rec.UserIdentity.decode(v, &strs)
		case "resources":
			rec.Resources = nil
			if err := json.Unmarshal(v, &rec.Resources); err != nil {
				return prefixField("resources", describeJSONError(err))
			}
		case "requestParameters":
			rec.RequestParameters = rawValue(v)
		case "responseElements":
			rec.ResponseElements = rawValue(v)
		}
		return nil
	})
	strs.fill()
	return err
}

// walkObject calls fn for each member of the JSON object b.
func walkObject(b []byte, what string, fn func(key, v []byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return fmt.Errorf("%s: want an object, found %s", what, jsonKind(b[i:]))
	}
	i++
	for first := true; ; first = false {
		i = skipSpace(b, i)
		if i >= len(b) {
			return fmt.Errorf("%s: unexpected end", what)
		}
		if b[i] == '}' {
			return nil
		}
		if !first {
			if b[i] != ',' {
				return fmt.Errorf("%s: byte %d: want ',' or '}', found %q", what, i, b[i])
			}
			i = skipSpace(b, i+1)
		}
		if i >= len(b) || b[i] != '"' {
			return fmt.Errorf("%s: byte %d: want a key", what, i)
		}
		kEnd, err := stringEnd(b, i)
		if err != nil {
			return err
		}
		key := b[i+1 : kEnd-1]
		i = skipSpace(b, kEnd)
		if i >= len(b) || b[i] != ':' {
			return fmt.Errorf("%s: byte %d: want ':' after key %q", what, i, key)
		}
		i = skipSpace(b, i+1)
		vEnd, err := valueEnd(b, i)
		if err != nil {
			return err
		}
		if err := fn(key, b[i:vEnd]); err != nil {
			return err
		}
		i = vEnd
	}
}

// stringArena gathers a record's strings and makes them with one
// allocation: they are substrings of one string.
type stringArena struct {
	dst  []*string
	ends []int
	buf  []byte
	// small holds the first entries without allocating.
	smallDst  [24]*string
	smallEnds [24]int
}

// add reads a string member (null is "") into the arena, for dst.
// prefix and key name the member in errors.
func (a *stringArena) add(dst *string, prefix string, key, v []byte) error {
	if string(v) == "null" {
		*dst = ""
		return nil
	}
	if len(v) < 2 || v[0] != '"' {
		return fmt.Errorf("%s%s: want a string, found %s", prefix, key, jsonKind(v))
	}
	if a.dst == nil {
		a.dst, a.ends = a.smallDst[:0], a.smallEnds[:0]
		a.buf = make([]byte, 0, 512)
	}
	a.buf = append(a.buf, stringContent(v)...)
	a.dst = append(a.dst, dst)
	a.ends = append(a.ends, len(a.buf))
	return nil
}

// fill sets every gathered string.
func (a *stringArena) fill() {
	if len(a.dst) == 0 {
		return
	}
	all := string(a.buf)
	start := 0
	for i, d := range a.dst {
		*d = all[start:a.ends[i]]
		start = a.ends[i]
	}
}

// decode reads a userIdentity object.
func (u *UserIdentity) decode(v []byte, strs *stringArena) error {
	if string(v) == "null" {
		return nil
	}
	return walkObject(v, "userIdentity", func(key, m []byte) error {
		var dst *string
		switch string(key) {
		case "type":
			dst = &u.Type
		case "principalId":
			dst = &u.PrincipalID
		case "arn":
			dst = &u.ARN
		case "accountId":
			dst = &u.AccountID
		case "accessKeyId":
			dst = &u.AccessKeyID
		case "userName":
			dst = &u.UserName
		case "invokedBy":
			dst = &u.InvokedBy
		case "sessionContext":
			if string(m) == "null" {
				return nil
			}
			u.SessionContext = new(SessionContext)
			return walkObject(m, "userIdentity.sessionContext", func(key, m []byte) error {
				if string(key) != "sessionIssuer" || string(m) == "null" {
					return nil
				}
				si := &u.SessionContext.SessionIssuer
				return walkObject(m, "userIdentity.sessionContext.sessionIssuer", func(key, m []byte) error {
					var dst *string
					switch string(key) {
					case "type":
						dst = &si.Type
					case "principalId":
						dst = &si.PrincipalID
					case "arn":
						dst = &si.ARN
					case "accountId":
						dst = &si.AccountID
					case "userName":
						dst = &si.UserName
					default:
						return nil
					}
					return strs.add(dst, "userIdentity.sessionContext.sessionIssuer.", key, m)
				})
			})
		default:
			return nil
		}
		return strs.add(dst, "userIdentity.", key, m)
	})
}

// stringField returns the string field a key names, nil for others.
func (rec *Record) stringField(key []byte) *string {
	switch string(key) {
	case "eventVersion":
		return &rec.EventVersion
	case "eventID":
		return &rec.EventID
	case "eventTime":
		return &rec.EventTime
	case "eventSource":
		return &rec.EventSource
	case "eventName":
		return &rec.EventName
	case "eventType":
		return &rec.EventType
	case "awsRegion":
		return &rec.AWSRegion
	case "sourceIPAddress":
		return &rec.SourceIPAddress
	case "userAgent":
		return &rec.UserAgent
	case "errorCode":
		return &rec.ErrorCode
	case "errorMessage":
		return &rec.ErrorMessage
	case "recipientAccountId":
		return &rec.RecipientAccountID
	}
	return nil
}

// rawValue copies a raw member out of the reader's buffer; null is nil.
func rawValue(v []byte) json.RawMessage {
	if string(v) == "null" {
		return nil
	}
	return bytes.Clone(v)
}

// jsonKind names the kind of a raw JSON value, as encoding/json's errors
// do ("JSON number").
func jsonKind(v []byte) string {
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '{':
		return "JSON object"
	case '[':
		return "JSON array"
	case '"':
		return "JSON string"
	case 't', 'f':
		return "JSON bool"
	case 'n':
		return "JSON null"
	}
	return "JSON number"
}

func prefixField(field string, err error) error {
	msg := err.Error()
	if strings.HasPrefix(msg, "the record:") {
		return fmt.Errorf("%s:%s", field, strings.TrimPrefix(msg, "the record:"))
	}
	return fmt.Errorf("%s.%s", field, msg)
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
