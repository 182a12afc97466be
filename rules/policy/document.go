package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Effect is a statement's Effect element.
type Effect string

// The two effects a statement can have.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// DefaultVersion is the policy language version written by [NewDocument].
const DefaultVersion = "2012-10-17"

// A Document is a parsed IAM-style policy: a bucket, key, queue, role trust or
// identity policy. Its statements keep their original JSON text, so
// [Document.MarshalJSON] writes every statement exactly as it was given.
type Document struct {
	Version    string // "2012-10-17", "2008-10-17", or "" when absent
	ID         string // the Id element, "" when absent
	Statements []Statement
}

// A Statement is one element of a policy's Statement list, with every
// string-or-array element normalized to a slice. A nil slice means the
// element is absent.
//
// A statement that came from [Parse] marshals as its original text, even if
// its fields are changed afterwards; pass a changed statement to
// [Document.Append] or [NewDocument], which write statements from their
// fields.
type Statement struct {
	Sid          string
	Effect       Effect
	Principal    *Principal // nil when absent (identity policies)
	NotPrincipal *Principal
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	Conditions   []Condition // in document order, one per operator and key

	raw string // the statement's original JSON text; "" for statements built in Go
}

// A Principal is a Principal or NotPrincipal element. Wildcard is set for the
// bare string "*"; {"AWS": "*"} is kept as AWS: ["*"] (see [Principal.Everyone]).
type Principal struct {
	Wildcard      bool
	AWS           []string // account ids, ARNs, unique ids, or "*"
	Service       []string // service principals such as "cloudtrail.amazonaws.com"
	Federated     []string // identity providers such as "cognito-identity.amazonaws.com"
	CanonicalUser []string // S3 canonical user ids
}

// Everyone reports whether the principal matches every caller: "*", or any
// principal type whose values include a wildcard ({"AWS": "*"}, ["*"]).
// Partial wildcards such as "arn:aws:iam::*:root" are not valid principals;
// they are treated as everyone, the safer reading.
func (p *Principal) Everyone() bool {
	if p == nil {
		return false
	}
	if p.Wildcard {
		return true
	}
	for _, list := range [...][]string{p.AWS, p.Service, p.Federated, p.CanonicalUser} {
		for _, v := range list {
			if strings.ContainsRune(v, '*') {
				return true
			}
		}
	}
	return false
}

// A Condition is one key of one condition operator:
// {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [...]}} becomes
// Operator "ForAnyValue:StringLike", Key "aws:PrincipalOrgPaths".
// Values are normalized to strings: true becomes "true", 10 becomes "10".
//
// To build a statement in Go, set Operator, Key and Values; [Document.Append]
// fills the other fields.
type Condition struct {
	Operator string   // as written, e.g. "ForAnyValue:StringEqualsIfExists"
	Key      string   // as written, e.g. "aws:SourceVpce"
	Values   []string // never empty in a parsed document

	Test         string // the operator without qualifier and IfExists, spelled canonically ("StringEquals")
	IfExists     bool   // the operator ends in IfExists
	Qualifier    string // "", "ForAnyValue" or "ForAllValues"
	CanonicalKey string // Key in lower case: condition keys are case-insensitive
}

// maxEncodingLayers bounds how many times a document may be wrapped in JSON
// strings or URL encoding (Config's API shape encodes twice; more is hostile).
const maxEncodingLayers = 4

// Parse decodes a policy document. It accepts every form in which AWS hands
// policies over:
//
//   - a JSON object, the policy itself;
//   - a JSON string holding the policy (Config's BucketPolicy.policyText, the
//     policy parameter of CloudTrail's PutKeyPolicy, Terraform plan values);
//   - URL-encoded JSON (IAM policyDocument and assumeRolePolicyDocument in
//     Config items: %7B%22Version%22...);
//   - any of these nested up to four times (a JSON string holding URL-encoded
//     JSON, a string of a string).
//
// Statement may be one object or an array; Action, Resource and the
// principal lists may be a string or an array; condition values may be
// strings, booleans, numbers or arrays of them. Element names and condition
// operators are matched without regard to case, as AWS does for condition
// keys. A document that AWS would refuse (an unknown element, an Effect other
// than Allow or Deny, a statement with both Action and NotAction, an unknown
// condition operator) is an [*Error] naming the place. Empty input or null is
// [ErrNoDocument].
func Parse(data []byte) (*Document, error) {
	return parseText(string(data), 0)
}

// MarshalJSON writes the document in a form AWS accepts: Version, Id, then
// Statement as an array. Every statement that came from [Parse] is written
// with its original text, byte for byte.
func (d Document) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	comma := false
	if d.Version != "" {
		b.WriteString(`"Version":`)
		writeString(&b, d.Version)
		comma = true
	}
	if d.ID != "" {
		if comma {
			b.WriteByte(',')
		}
		b.WriteString(`"Id":`)
		writeString(&b, d.ID)
		comma = true
	}
	if comma {
		b.WriteByte(',')
	}
	b.WriteString(`"Statement":[`)
	for i := range d.Statements {
		if i > 0 {
			b.WriteByte(',')
		}
		d.Statements[i].writeJSON(&b)
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}

// UnmarshalJSON parses data as [Parse] does, so a Document can be a field of
// a larger JSON structure (a JSON string holding the policy is accepted too).
// JSON null leaves d unchanged.
func (d *Document) UnmarshalJSON(data []byte) error {
	if strings.TrimSpace(string(data)) == "null" {
		return nil
	}
	doc, err := Parse(data)
	if err != nil {
		return err
	}
	*d = *doc
	return nil
}

// MarshalJSON writes the statement's original text when it came from
// [Parse], and otherwise builds it from the fields.
func (s Statement) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	s.writeJSON(&b)
	return b.Bytes(), nil
}

func (s *Statement) writeJSON(b *bytes.Buffer) {
	if s.raw != "" {
		b.WriteString(s.raw)
		return
	}
	b.WriteByte('{')
	first := true
	field := func(name string) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeString(b, name)
		b.WriteByte(':')
	}
	if s.Sid != "" {
		field("Sid")
		writeString(b, s.Sid)
	}
	field("Effect")
	writeString(b, string(s.Effect))
	if s.Principal != nil {
		field("Principal")
		s.Principal.writeJSON(b)
	}
	if s.NotPrincipal != nil {
		field("NotPrincipal")
		s.NotPrincipal.writeJSON(b)
	}
	for _, e := range []struct {
		name string
		list []string
	}{{"Action", s.Action}, {"NotAction", s.NotAction}, {"Resource", s.Resource}, {"NotResource", s.NotResource}} {
		if e.list != nil {
			field(e.name)
			writeList(b, e.list)
		}
	}
	if len(s.Conditions) > 0 {
		field("Condition")
		writeConditions(b, s.Conditions)
	}
	b.WriteByte('}')
}

func (p *Principal) writeJSON(b *bytes.Buffer) {
	if p.Wildcard {
		b.WriteString(`"*"`)
		return
	}
	b.WriteByte('{')
	first := true
	for _, e := range []struct {
		name string
		list []string
	}{{"AWS", p.AWS}, {"CanonicalUser", p.CanonicalUser}, {"Federated", p.Federated}, {"Service", p.Service}} {
		if e.list == nil {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeString(b, e.name)
		b.WriteByte(':')
		writeList(b, e.list)
	}
	b.WriteByte('}')
}

// writeConditions groups conditions by operator, in order of first use.
func writeConditions(b *bytes.Buffer, conds []Condition) {
	b.WriteByte('{')
	done := make([]bool, len(conds))
	for i := range conds {
		if done[i] {
			continue
		}
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, conds[i].Operator)
		b.WriteString(":{")
		for j := i; j < len(conds); j++ {
			if done[j] || conds[j].Operator != conds[i].Operator {
				continue
			}
			done[j] = true
			if j > i {
				b.WriteByte(',')
			}
			writeString(b, conds[j].Key)
			b.WriteByte(':')
			writeList(b, conds[j].Values)
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
}

func writeList(b *bytes.Buffer, list []string) {
	if len(list) == 1 {
		writeString(b, list[0])
		return
	}
	b.WriteByte('[')
	for i, v := range list {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, v)
	}
	b.WriteByte(']')
}

func writeString(b *bytes.Buffer, s string) {
	q, _ := json.Marshal(s) // a string always marshals
	b.Write(q)
}

// NewDocument returns a document of the given statements with Version
// 2012-10-17, checked as [Parse] checks them.
func NewDocument(stmts ...Statement) (*Document, error) {
	return (&Document{Version: DefaultVersion}).Append(stmts...)
}

// Append returns a new document holding d's statements, unchanged, followed by
// stmts. Each new statement is checked as [Parse] checks a statement, and its
// derived fields ([Condition.Test] and the others) are filled in. A Sid that
// is already used in the document is an error, as it is for AWS. A nil d is an
// empty document with Version 2012-10-17, so that a policy can be created for
// a bucket that has none.
func (d *Document) Append(stmts ...Statement) (*Document, error) {
	out := &Document{Version: DefaultVersion}
	if d != nil {
		out.Version, out.ID = d.Version, d.ID
		out.Statements = make([]Statement, 0, len(d.Statements)+len(stmts))
		out.Statements = append(out.Statements, d.Statements...)
	}
	sids := make(map[string]bool, len(out.Statements)+len(stmts))
	for _, st := range out.Statements {
		if st.Sid != "" {
			sids[st.Sid] = true
		}
	}
	for _, st := range stmts {
		path := stmtPath(len(out.Statements))
		var b bytes.Buffer
		st.raw = ""
		st.writeJSON(&b)
		parsed, err := parseStatementText(b.String(), len(out.Statements))
		if err != nil {
			return nil, err
		}
		if parsed.Sid != "" {
			if sids[parsed.Sid] {
				return nil, errorAt(path+".Sid", fmt.Sprintf("%q is already used in the policy", parsed.Sid))
			}
			sids[parsed.Sid] = true
		}
		out.Statements = append(out.Statements, parsed)
	}
	return out, nil
}

// DenyInsecureTransport returns the statement that makes a bucket refuse
// requests not sent over TLS, for every principal and every S3 action on the
// bucket and its objects: the statement the s3-bucket-ssl-requests-only rule
// looks for. bucketARN is the bucket's ARN (arn:aws:s3:::name, or another
// partition's).
func DenyInsecureTransport(bucketARN string) Statement {
	return Statement{
		Sid:       "DenyInsecureTransport",
		Effect:    Deny,
		Principal: &Principal{Wildcard: true},
		Action:    []string{"s3:*"},
		Resource:  []string{bucketARN, bucketARN + "/*"},
		Conditions: []Condition{{
			Operator: "Bool",
			Key:      "aws:SecureTransport",
			Values:   []string{"false"},
		}},
	}
}
