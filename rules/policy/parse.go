package policy

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// The policy parser reads the JSON text once and builds the Document as it
// goes. Error paths ("Statement[2].Condition.StringEquals") are only put
// together when there is an error, and the string lists of a document share
// one backing array: a bucket policy is decoded in a few microseconds.

func parseText(s string, layer int) (*Document, error) {
	t := strings.TrimSpace(s)
	if t == "" || t == "null" {
		return nil, &Error{Msg: "no policy document (empty or null)", err: ErrNoDocument}
	}
	if layer > maxEncodingLayers {
		return nil, errorAt("", fmt.Sprintf("policy encoded more than %d times", maxEncodingLayers))
	}
	switch t[0] {
	case '{':
		p := newDocParser(t)
		doc, err := p.document()
		if err != nil {
			return nil, err
		}
		return doc, nil
	case '"':
		v, err := readJSON(t)
		if err != nil {
			return nil, syntaxError(err)
		}
		return parseText(v.text, layer+1)
	case '%':
		return parseURLEncoded(t, layer)
	default:
		return nil, errorAt("", "not a policy document: expected a JSON object, a JSON string holding one, or URL-encoded JSON")
	}
}

func syntaxError(err error) error {
	if _, ok := err.(*jsonSyntaxError); ok {
		return &Error{Msg: err.Error(), err: err}
	}
	return err
}

// parseURLEncoded decodes IAM's RFC 3986 encoding, where a literal '+' stays
// '+'. Should an encoder have used form encoding ('+' for a space), the
// result is not JSON; the form decoding is then tried before giving up.
func parseURLEncoded(t string, layer int) (*Document, error) {
	decoded, err := url.PathUnescape(t)
	if err != nil {
		return nil, errorAt("", "invalid URL encoding: "+err.Error())
	}
	doc, err := parseText(decoded, layer+1)
	if err != nil && strings.Contains(t, "+") {
		if alt, qerr := url.QueryUnescape(t); qerr == nil {
			if altDoc, altErr := parseText(alt, layer+1); altErr == nil {
				return altDoc, nil
			}
		}
	}
	return doc, err
}

// elementName returns the canonical spelling of name among names, or "".
func elementName(name string, names ...string) string {
	for _, n := range names {
		if len(n) == len(name) && strings.EqualFold(n, name) {
			return n
		}
	}
	return ""
}

type docParser struct {
	r     jsonReader
	strs  []string    // backing array of every string list
	conds []Condition // backing array of every statement's conditions
}

func newDocParser(text string) *docParser {
	return &docParser{
		r:     jsonReader{s: text},
		strs:  make([]string, 0, 8+len(text)/40),
		conds: make([]Condition, 0, 4),
	}
}

// stmtPath names statement i; -1 is the single statement of the object form.
func stmtPath(i int) string {
	if i < 0 {
		return "Statement"
	}
	return "Statement[" + strconv.Itoa(i) + "]"
}

func found(k jsonKind) string { return ", found " + k.String() }

func (p *docParser) document() (*Document, error) {
	r := &p.r
	doc := &Document{}
	var seen [3]bool
	haveStatement := false
	more, err := r.beginObject()
	for ; more && err == nil; more, err = r.nextMember() {
		var key string
		if key, err = r.key(); err != nil {
			break
		}
		name := elementName(key, "Version", "Id", "Statement")
		if name == "" {
			return nil, errorAt("", fmt.Sprintf("unknown element %q (a policy has Version, Id and Statement)", key))
		}
		idx := 0
		switch name {
		case "Id":
			idx = 1
		case "Statement":
			idx = 2
		}
		if seen[idx] {
			return nil, errorAt(name, "element given twice")
		}
		seen[idx] = true
		switch name {
		case "Version", "Id":
			var s string
			if s, err = p.stringValue(name); err != nil {
				return nil, err
			}
			if name == "Version" {
				doc.Version = s
			} else {
				doc.ID = s
			}
		case "Statement":
			haveStatement = true
			if doc.Statements, err = p.statements(); err != nil {
				return nil, err
			}
		}
	}
	if err != nil {
		return nil, syntaxError(err)
	}
	r.skipSpace()
	if r.i != len(r.s) {
		return nil, syntaxError(r.errorf("unexpected %s after the top-level value", r.describe()))
	}
	if !haveStatement {
		return nil, errorAt("Statement", "missing")
	}
	return doc, nil
}

// stringValue reads a string, or reports an error at path naming the kind
// found instead.
func (p *docParser) stringValue(path string) (string, error) {
	k, err := p.r.kindAt()
	if err != nil {
		return "", syntaxError(err)
	}
	if k != jsonString {
		return "", errorAt(path, "must be a string"+found(k))
	}
	s, err := p.r.str()
	return s, syntaxError(err)
}

func (p *docParser) statements() ([]Statement, error) {
	r := &p.r
	k, err := r.kindAt()
	if err != nil {
		return nil, syntaxError(err)
	}
	switch k {
	case jsonObject:
		st, err := p.statement(-1)
		if err != nil {
			return nil, err
		}
		return []Statement{st}, nil
	case jsonArray:
	default:
		return nil, errorAt("Statement", "must be an object or an array of objects"+found(k))
	}
	out := make([]Statement, 0, 4)
	more, err := r.beginArray()
	for i := 0; more && err == nil; more, err = r.nextElement() {
		st, err := p.statement(i)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
		i++
	}
	if err != nil {
		return nil, syntaxError(err)
	}
	return out, nil
}

var statementElements = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}

// statement reads statement i (-1 for the object form).
func (p *docParser) statement(i int) (Statement, error) {
	r := &p.r
	var st Statement
	k, err := r.kindAt()
	if err != nil {
		return st, syntaxError(err)
	}
	if k != jsonObject {
		return st, errorAt(stmtPath(i), "must be an object"+found(k))
	}
	start := r.i
	var seen [9]bool
	more, err := r.beginObject()
	for ; more && err == nil; more, err = r.nextMember() {
		var key string
		if key, err = r.key(); err != nil {
			break
		}
		e := -1
		for n, name := range statementElements {
			if len(name) == len(key) && strings.EqualFold(name, key) {
				e = n
				break
			}
		}
		if e < 0 {
			return st, errorAt(stmtPath(i), fmt.Sprintf("unknown element %q", key))
		}
		name := statementElements[e]
		if seen[e] {
			return st, errorAt(stmtPath(i)+"."+name, "element given twice")
		}
		seen[e] = true
		switch name {
		case "Sid":
			st.Sid, err = p.stringValue(stmtPath(i) + ".Sid")
		case "Effect":
			var s string
			if s, err = p.stringValue(stmtPath(i) + ".Effect"); err != nil {
				break
			}
			switch {
			case strings.EqualFold(s, "Allow"):
				st.Effect = Allow
			case strings.EqualFold(s, "Deny"):
				st.Effect = Deny
			default:
				err = errorAt(stmtPath(i)+".Effect", fmt.Sprintf("must be \"Allow\" or \"Deny\", found %q", s))
			}
		case "Principal":
			st.Principal, err = p.principal(i, name)
		case "NotPrincipal":
			st.NotPrincipal, err = p.principal(i, name)
		case "Action":
			st.Action, err = p.stringList(i, name, "")
		case "NotAction":
			st.NotAction, err = p.stringList(i, name, "")
		case "Resource":
			st.Resource, err = p.stringList(i, name, "")
		case "NotResource":
			st.NotResource, err = p.stringList(i, name, "")
		case "Condition":
			st.Conditions, err = p.conditions(i)
		}
		if err != nil {
			return st, err
		}
	}
	if err != nil {
		return st, syntaxError(err)
	}
	switch {
	case st.Effect == "":
		return st, errorAt(stmtPath(i), "missing Effect")
	case st.Action == nil && st.NotAction == nil:
		return st, errorAt(stmtPath(i), "missing Action or NotAction")
	case st.Action != nil && st.NotAction != nil:
		return st, errorAt(stmtPath(i), "has both Action and NotAction")
	case st.Resource != nil && st.NotResource != nil:
		return st, errorAt(stmtPath(i), "has both Resource and NotResource")
	case st.Principal != nil && st.NotPrincipal != nil:
		return st, errorAt(stmtPath(i), "has both Principal and NotPrincipal")
	}
	st.raw = r.s[start:r.i]
	return st, nil
}

// stringList reads a string or a non-empty array of strings, the element
// elem (and sub, for principal types) of statement i.
func (p *docParser) stringList(i int, elem, sub string) ([]string, error) {
	r := &p.r
	where := func() string {
		w := stmtPath(i) + "." + elem
		if sub != "" {
			w += "." + sub
		}
		return w
	}
	k, err := r.kindAt()
	if err != nil {
		return nil, syntaxError(err)
	}
	start := len(p.strs)
	switch k {
	case jsonString:
		s, err := r.str()
		if err != nil {
			return nil, syntaxError(err)
		}
		p.strs = append(p.strs, s)
	case jsonArray:
		more, err := r.beginArray()
		if err == nil && !more {
			return nil, errorAt(where(), "must not be an empty array")
		}
		for n := 0; more && err == nil; more, err = r.nextElement() {
			var ek jsonKind
			if ek, err = r.kindAt(); err != nil {
				break
			}
			if ek != jsonString {
				return nil, errorAt(where()+"["+strconv.Itoa(n)+"]", "must be a string"+found(ek))
			}
			var s string
			if s, err = r.str(); err != nil {
				break
			}
			p.strs = append(p.strs, s)
			n++
		}
		if err != nil {
			return nil, syntaxError(err)
		}
	default:
		return nil, errorAt(where(), "must be a string or an array of strings"+found(k))
	}
	end := len(p.strs)
	return p.strs[start:end:end], nil
}

func (p *docParser) principal(i int, elem string) (*Principal, error) {
	r := &p.r
	k, err := r.kindAt()
	if err != nil {
		return nil, syntaxError(err)
	}
	switch k {
	case jsonString:
		s, err := r.str()
		if err != nil {
			return nil, syntaxError(err)
		}
		if s != "*" {
			return nil, errorAt(stmtPath(i)+"."+elem, fmt.Sprintf("must be \"*\" or an object such as {\"AWS\": ...}, found the string %q", s))
		}
		return &Principal{Wildcard: true}, nil
	case jsonObject:
	default:
		return nil, errorAt(stmtPath(i)+"."+elem, "must be \"*\" or an object"+found(k))
	}
	pr := &Principal{}
	more, err := r.beginObject()
	if err == nil && !more {
		return nil, errorAt(stmtPath(i)+"."+elem, "must not be an empty object")
	}
	for ; more && err == nil; more, err = r.nextMember() {
		var key string
		if key, err = r.key(); err != nil {
			break
		}
		name := elementName(key, "AWS", "Service", "Federated", "CanonicalUser")
		var dst *[]string
		switch name {
		case "AWS":
			dst = &pr.AWS
		case "Service":
			dst = &pr.Service
		case "Federated":
			dst = &pr.Federated
		case "CanonicalUser":
			dst = &pr.CanonicalUser
		default:
			return nil, errorAt(stmtPath(i)+"."+elem, fmt.Sprintf("unknown principal type %q (expected AWS, Service, Federated or CanonicalUser)", key))
		}
		if *dst != nil {
			return nil, errorAt(stmtPath(i)+"."+elem+"."+name, "principal type given twice")
		}
		if *dst, err = p.stringList(i, elem, name); err != nil {
			return nil, err
		}
	}
	if err != nil {
		return nil, syntaxError(err)
	}
	return pr, nil
}

// conditionTests lists the condition operators, canonically spelled.
var conditionTests = []string{
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
	"StringLike", "StringNotLike",
	"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
	"NumericGreaterThan", "NumericGreaterThanEquals",
	"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
	"DateGreaterThan", "DateGreaterThanEquals",
	"Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
	"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
}

// splitOperator parses a condition operator such as
// "ForAnyValue:StringLikeIfExists".
func splitOperator(op string) (test, qualifier string, ifExists, ok bool) {
	rest := op
	if i := strings.IndexByte(op, ':'); i >= 0 {
		switch q := op[:i]; {
		case strings.EqualFold(q, "ForAnyValue"):
			qualifier = "ForAnyValue"
		case strings.EqualFold(q, "ForAllValues"):
			qualifier = "ForAllValues"
		default:
			return "", "", false, false
		}
		rest = op[i+1:]
	}
	base := rest
	if n := len(rest) - len("IfExists"); n > 0 && strings.EqualFold(rest[n:], "IfExists") {
		base, ifExists = rest[:n], true
	}
	for _, t := range conditionTests {
		if len(t) == len(base) && strings.EqualFold(t, base) {
			if ifExists && t == "Null" {
				return "", "", false, false
			}
			return t, qualifier, ifExists, true
		}
	}
	// "IfExists" may also be the tail of no operator at all.
	return "", "", false, false
}

// knownKeys are common condition keys in lower case; using them avoids
// lower-casing every key of every policy.
var knownKeys = []string{
	"aws:securetransport", "aws:sourceip", "aws:sourcevpce", "aws:sourcevpc",
	"aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn",
	"aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths",
	"aws:userid", "aws:username", "aws:referer", "aws:useragent", "aws:principaltype",
	"aws:principalservicename", "aws:multifactorauthpresent", "aws:requestedregion", "aws:currenttime",
	"s3:dataaccesspointarn", "s3:dataaccesspointaccount", "s3:x-amz-acl",
	"s3:x-amz-server-side-encryption", "s3:x-amz-server-side-encryption-aws-kms-key-id",
	"s3:tlsversion", "s3:signatureversion", "s3:prefix", "s3:authtype",
	"kms:viaservice", "kms:calleraccount", "sts:externalid",
}

func canonicalKey(k string) string {
	for _, c := range knownKeys {
		if len(c) == len(k) && strings.EqualFold(c, k) {
			return c
		}
	}
	return strings.ToLower(k)
}

func (p *docParser) conditions(i int) ([]Condition, error) {
	r := &p.r
	where := func() string { return stmtPath(i) + ".Condition" }
	k, err := r.kindAt()
	if err != nil {
		return nil, syntaxError(err)
	}
	if k != jsonObject {
		return nil, errorAt(where(), "must be an object of condition operators"+found(k))
	}
	start := len(p.conds)
	more, err := r.beginObject()
	for ; more && err == nil; more, err = r.nextMember() {
		var op string
		if op, err = r.key(); err != nil {
			break
		}
		test, qualifier, ifExists, ok := splitOperator(op)
		if !ok {
			return nil, errorAt(where(), fmt.Sprintf("unknown condition operator %q", op))
		}
		var bk jsonKind
		if bk, err = r.kindAt(); err != nil {
			break
		}
		if bk != jsonObject {
			return nil, errorAt(where()+"."+op, "must be an object of condition keys and values"+found(bk))
		}
		inner, ierr := r.beginObject()
		if ierr == nil && !inner {
			return nil, errorAt(where()+"."+op, "must not be an empty object")
		}
		for ; inner && ierr == nil; inner, ierr = r.nextMember() {
			var key string
			if key, ierr = r.key(); ierr != nil {
				break
			}
			values, verr := p.conditionValues(func() string { return where() + "." + op + "." + key })
			if verr != nil {
				return nil, verr
			}
			p.conds = append(p.conds, Condition{
				Operator:     op,
				Key:          key,
				Values:       values,
				Test:         test,
				IfExists:     ifExists,
				Qualifier:    qualifier,
				CanonicalKey: canonicalKey(key),
			})
		}
		if ierr != nil {
			return nil, syntaxError(ierr)
		}
	}
	if err != nil {
		return nil, syntaxError(err)
	}
	end := len(p.conds)
	return p.conds[start:end:end], nil
}

// scalar reads a string, boolean or number as its text, or reports its kind.
func (p *docParser) scalar() (string, jsonKind, error) {
	r := &p.r
	k, err := r.kindAt()
	if err != nil {
		return "", 0, err
	}
	switch k {
	case jsonString:
		s, err := r.str()
		return s, k, err
	case jsonBool, jsonNumber:
		v, err := r.value()
		return v.text, k, err
	}
	return "", k, nil
}

func (p *docParser) conditionValues(where func() string) ([]string, error) {
	r := &p.r
	k, err := r.kindAt()
	if err != nil {
		return nil, syntaxError(err)
	}
	start := len(p.strs)
	switch k {
	case jsonString, jsonBool, jsonNumber:
		s, _, err := p.scalar()
		if err != nil {
			return nil, syntaxError(err)
		}
		p.strs = append(p.strs, s)
	case jsonArray:
		more, err := r.beginArray()
		if err == nil && !more {
			return nil, errorAt(where(), "must not be an empty array")
		}
		for n := 0; more && err == nil; more, err = r.nextElement() {
			s, ek, serr := p.scalar()
			if serr != nil {
				err = serr
				break
			}
			if ek != jsonString && ek != jsonBool && ek != jsonNumber {
				return nil, errorAt(where()+"["+strconv.Itoa(n)+"]", "value must be a string, a boolean or a number"+found(ek))
			}
			p.strs = append(p.strs, s)
			n++
		}
		if err != nil {
			return nil, syntaxError(err)
		}
	default:
		return nil, errorAt(where(), "value must be a string, a boolean, a number or an array of them"+found(k))
	}
	end := len(p.strs)
	return p.strs[start:end:end], nil
}

// parseStatementText parses the JSON text of one statement, to be statement
// index i of a document.
func parseStatementText(text string, i int) (Statement, error) {
	p := newDocParser(text)
	p.r.skipSpace()
	st, err := p.statement(i)
	if err != nil {
		return st, err
	}
	p.r.skipSpace()
	if p.r.i != len(p.r.s) {
		return st, syntaxError(p.r.errorf("unexpected %s after the statement", p.r.describe()))
	}
	return st, nil
}
