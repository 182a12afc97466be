package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// ignoreRaw compares documents by their parsed view.
var ignoreRaw = cmpopts.IgnoreUnexported(Statement{})

func TestParseForms(t *testing.T) {
	tests := []struct {
		reason string
		input  string
		want   *Document
	}{
		{
			reason: "Statement as a single object, strings everywhere",
			input:  `{"Version":"2012-10-17","Id":"P1","Statement":{"Sid":"S","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`,
			want: &Document{Version: "2012-10-17", ID: "P1", Statements: []Statement{{
				Sid: "S", Effect: Allow, Principal: &Principal{Wildcard: true},
				Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:s3:::b/*"},
			}}},
		},
		{
			reason: "Statement as an array, arrays everywhere, NotAction and NotResource",
			input: `{"Statement":[
				{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:root","444455556666"]},"NotAction":["s3:Get*","s3:List*"],"NotResource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]},
				{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com","Federated":["cognito-identity.amazonaws.com"],"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":["s3:PutObject"],"Resource":["*"]}
			]}`,
			want: &Document{Statements: []Statement{
				{
					Effect:       Deny,
					NotPrincipal: &Principal{AWS: []string{"arn:aws:iam::111122223333:root", "444455556666"}},
					NotAction:    []string{"s3:Get*", "s3:List*"},
					NotResource:  []string{"arn:aws:s3:::b", "arn:aws:s3:::b/*"},
				},
				{
					Effect: Allow,
					Principal: &Principal{
						Service:       []string{"cloudtrail.amazonaws.com"},
						Federated:     []string{"cognito-identity.amazonaws.com"},
						CanonicalUser: []string{"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
					},
					Action: []string{"s3:PutObject"}, Resource: []string{"*"},
				},
			}},
		},
		{
			reason: `{"AWS": "*"} stays a list holding "*"; no Resource in a trust policy`,
			input:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`,
			want: &Document{Version: "2012-10-17", Statements: []Statement{{
				Effect: Allow, Principal: &Principal{AWS: []string{"*"}}, Action: []string{"sts:AssumeRole"},
			}}},
		},
		{
			reason: "conditions: qualifiers, IfExists, case-insensitive keys, bool, number and mixed arrays normalized to strings, document order kept",
			input: `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{
				"StringEquals":{"aws:PrincipalOrgID":"o-abc","AWS:SourceAccount":["111122223333"]},
				"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":["o-abc/r-1/*"]},
				"BoolIfExists":{"aws:SecureTransport":false},
				"NumericLessThan":{"s3:TlsVersion":1.2},
				"forallvalues:stringequalsignorecaseifexists":{"aws:TagKeys":["a",true,3]},
				"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]},
				"Null":{"aws:SourceVpce":"false"}
			}}}`,
			want: &Document{Statements: []Statement{{
				Effect: Allow, Principal: &Principal{Wildcard: true}, Action: []string{"s3:*"}, Resource: []string{"*"},
				Conditions: []Condition{
					{Operator: "StringEquals", Key: "aws:PrincipalOrgID", Values: []string{"o-abc"}, Test: "StringEquals", CanonicalKey: "aws:principalorgid"},
					{Operator: "StringEquals", Key: "AWS:SourceAccount", Values: []string{"111122223333"}, Test: "StringEquals", CanonicalKey: "aws:sourceaccount"},
					{Operator: "ForAnyValue:StringLike", Key: "aws:PrincipalOrgPaths", Values: []string{"o-abc/r-1/*"}, Test: "StringLike", Qualifier: "ForAnyValue", CanonicalKey: "aws:principalorgpaths"},
					{Operator: "BoolIfExists", Key: "aws:SecureTransport", Values: []string{"false"}, Test: "Bool", IfExists: true, CanonicalKey: "aws:securetransport"},
					{Operator: "NumericLessThan", Key: "s3:TlsVersion", Values: []string{"1.2"}, Test: "NumericLessThan", CanonicalKey: "s3:tlsversion"},
					{Operator: "forallvalues:stringequalsignorecaseifexists", Key: "aws:TagKeys", Values: []string{"a", "true", "3"}, Test: "StringEqualsIgnoreCase", IfExists: true, Qualifier: "ForAllValues", CanonicalKey: "aws:tagkeys"},
					{Operator: "IpAddress", Key: "aws:SourceIp", Values: []string{"10.0.0.0/8", "2001:db8::/32"}, Test: "IpAddress", CanonicalKey: "aws:sourceip"},
					{Operator: "Null", Key: "aws:SourceVpce", Values: []string{"false"}, Test: "Null", CanonicalKey: "aws:sourcevpce"},
				},
			}}},
		},
		{
			reason: "element names and Effect in another case, escapes in strings",
			input:  `{"version":"2012-10-17","statement":[{"effect":"allow","action":"s3:Get\u002A","resource":"arn:aws:s3:::b\/k\u00e9y"}]}`,
			want: &Document{Version: "2012-10-17", Statements: []Statement{{
				Effect: Allow, Action: []string{"s3:Get*"}, Resource: []string{"arn:aws:s3:::b/kéy"},
			}}},
		},
		{
			reason: "empty Statement array",
			input:  `{"Version":"2012-10-17","Statement":[]}`,
			want:   &Document{Version: "2012-10-17", Statements: []Statement{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			got, err := Parse([]byte(tt.input))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, ignoreRaw); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
}

const trustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func TestParseEncodings(t *testing.T) {
	want, err := Parse([]byte(trustPolicy))
	if err != nil {
		t.Fatal(err)
	}
	quoted, _ := json.Marshal(trustPolicy)
	twice, _ := json.Marshal(string(quoted))
	// IAM's encoding as seen in Config items (RFC 3986: ':' and '/' encoded too).
	iamEncoded := "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"
	urlInString, _ := json.Marshal(iamEncoded)
	withSpaces := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}`
	tests := []struct {
		reason string
		input  string
	}{
		{"plain JSON object", trustPolicy},
		{"JSON string holding the policy (Config policyText, KMS PutKeyPolicy)", string(quoted)},
		{"JSON string of a JSON string (Config API shape)", string(twice)},
		{"URL-encoded JSON (IAM policyDocument in Config)", iamEncoded},
		{"URL-encoded JSON inside a JSON string", string(urlInString)},
		{"URL encoding with %20 spaces", url.PathEscape(withSpaces)},
		{"form encoding with + for spaces", url.QueryEscape(withSpaces)},
		{"surrounding whitespace", "\n\t " + trustPolicy + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			got, err := Parse([]byte(tt.input))
			if err != nil {
				t.Fatalf("Parse(%.60q): %v", tt.input, err)
			}
			if diff := cmp.Diff(want, got, ignoreRaw); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseNoDocument(t *testing.T) {
	for _, in := range []string{"", "  ", "null", `"null"`, `""`} {
		_, err := Parse([]byte(in))
		if !errors.Is(err, ErrNoDocument) {
			t.Errorf("Parse(%q) error = %v, want ErrNoDocument", in, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		reason string
		input  string
		want   string
	}{
		{"condition values must be scalars", `{"Statement":[{"Effect":"Allow","Action":"s3:*"},{"Effect":"Allow","Action":"s3:*"},{"Effect":"Allow","Action":"s3:*","Condition":{"StringEquals":{"aws:SourceVpce":{"a":1}}}}]}`,
			`Statement[2].Condition.StringEquals.aws:SourceVpce: value must be a string, a boolean, a number or an array of them, found an object`},
		{"operator value must be an object", `{"Statement":{"Effect":"Allow","Action":"s3:*","Condition":{"StringEquals":"vpce-1"}}}`,
			`Statement.Condition.StringEquals: must be an object of condition keys and values, found a string`},
		{"null inside a value array", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":[null]}}}]}`,
			`Statement[0].Condition.Bool.aws:SecureTransport[0]: value must be a string, a boolean or a number, found null`},
		{"unknown operator", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Condition":{"StringEqual":{"k":"v"}}}]}`,
			`Statement[0].Condition: unknown condition operator "StringEqual"`},
		{"unknown qualifier", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Condition":{"ForSomeValues:StringLike":{"k":"v"}}}]}`,
			`Statement[0].Condition: unknown condition operator "ForSomeValues:StringLike"`},
		{"Null has no IfExists form", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Condition":{"NullIfExists":{"k":"true"}}}]}`,
			`Statement[0].Condition: unknown condition operator "NullIfExists"`},
		{"Effect other than Allow or Deny", `{"Statement":[{"Effect":"Permit","Action":"s3:*"}]}`,
			`Statement[0].Effect: must be "Allow" or "Deny", found "Permit"`},
		{"missing Effect", `{"Statement":[{"Action":"s3:*"}]}`, `Statement[0]: missing Effect`},
		{"missing Action", `{"Statement":[{"Effect":"Allow","Resource":"*"}]}`, `Statement[0]: missing Action or NotAction`},
		{"both Action and NotAction", `{"Statement":[{"Effect":"Allow","Action":"a:b","NotAction":"c:d"}]}`, `Statement[0]: has both Action and NotAction`},
		{"both Resource and NotResource", `{"Statement":[{"Effect":"Allow","Action":"a:b","Resource":"*","NotResource":"x"}]}`, `Statement[0]: has both Resource and NotResource`},
		{"both Principal and NotPrincipal", `{"Statement":[{"Effect":"Allow","Action":"a:b","Principal":"*","NotPrincipal":{"AWS":"1"}}]}`, `Statement[0]: has both Principal and NotPrincipal`},
		{"Action of the wrong kind", `{"Statement":[{"Effect":"Allow","Action":7}]}`, `Statement[0].Action: must be a string or an array of strings, found a number`},
		{"non-string in an Action array", `{"Statement":[{"Effect":"Allow","Action":["s3:GetObject",true]}]}`, `Statement[0].Action[1]: must be a string, found a boolean`},
		{"empty Action array", `{"Statement":[{"Effect":"Allow","Action":[]}]}`, `Statement[0].Action: must not be an empty array`},
		{"Resource given as a CloudFormation intrinsic function", `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":{"Fn::Sub":"${Bucket.Arn}/*"}}]}`,
			`Statement[0].Resource: must be a string or an array of strings, found an object`},
		{"Principal string other than *", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Principal":"arn:aws:iam::111122223333:root"}]}`,
			`Statement[0].Principal: must be "*" or an object such as {"AWS": ...}, found the string "arn:aws:iam::111122223333:root"`},
		{"unknown principal type", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Principal":{"User":"x"}}]}`,
			`Statement[0].Principal: unknown principal type "User" (expected AWS, Service, Federated or CanonicalUser)`},
		{"principal value of the wrong kind", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Principal":{"AWS":123456789012}}]}`,
			`Statement[0].Principal.AWS: must be a string or an array of strings, found a number`},
		{"empty principal object", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Principal":{}}]}`, `Statement[0].Principal: must not be an empty object`},
		{"unknown statement element", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Conditions":{}}]}`, `Statement[0]: unknown element "Conditions"`},
		{"element given twice", `{"Statement":[{"Effect":"Allow","Action":"s3:*","action":"s3:Get*"}]}`, `Statement[0].Action: element given twice`},
		{"unknown document element", `{"Version":"2012-10-17","Statements":[]}`, `unknown element "Statements" (a policy has Version, Id and Statement)`},
		{"missing Statement", `{"Version":"2012-10-17"}`, `Statement: missing`},
		{"Statement of the wrong kind", `{"Statement":"all"}`, `Statement: must be an object or an array of objects, found a string`},
		{"statement of the wrong kind", `{"Statement":[{"Effect":"Allow","Action":"s3:*"},[]]}`, `Statement[1]: must be an object, found an array`},
		{"Version of the wrong kind", `{"Version":2012,"Statement":[]}`, `Version: must be a string, found a number`},
		{"invalid JSON", `{"Statement":[{"Effect":"Allow",}]}`, `invalid JSON at offset 32: unexpected '}' looking for an object key`},
		{"trailing garbage", `{"Statement":[]} x`, `invalid JSON at offset 17: unexpected 'x' after the top-level value`},
		{"not a document", `invalid-json-policy`, `not a policy document: expected a JSON object, a JSON string holding one, or URL-encoded JSON`},
		{"a string holding something else", `"invalid-json-policy"`, `not a policy document: expected a JSON object, a JSON string holding one, or URL-encoded JSON`},
		{"an array", `[{"Statement":[]}]`, `not a policy document: expected a JSON object, a JSON string holding one, or URL-encoded JSON`},
		{"bad URL encoding", `%7B%zz`, `invalid URL encoding: invalid URL escape "%zz"`},
		{"encoded too many times", nestQuotes(`{"Statement":[]}`, 6), `policy encoded more than 4 times`},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			_, err := Parse([]byte(tt.input))
			if err == nil {
				t.Fatalf("Parse(%s) succeeded, want error %q", tt.input, tt.want)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Errorf("error %T is not a *policy.Error", err)
			}
		})
	}
}

// nestQuotes wraps s in n layers of JSON string encoding.
func nestQuotes(s string, n int) string {
	for i := 0; i < n; i++ {
		b, _ := json.Marshal(s)
		s = string(b)
	}
	return s
}

func TestMarshalKeepsStatements(t *testing.T) {
	// Statements written with odd spacing, key order and escapes must come back
	// byte for byte; the document wrapper is rewritten.
	in := `{
  "Id" : "keep",
  "Statement" : [ {"Sid":"A", "Action" : [ "s3:GetObject" ], "Effect":"Allow", "Principal":{ "AWS" : "*" },
     "Resource":"arn:aws:s3:::b/*", "Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}},
   {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":false}}, "Sid":"\u0054LS"} ],
  "Version" : "2012-10-17"
}`
	doc, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	// Every original statement, compacted, appears in the output.
	var orig struct{ Statement []json.RawMessage }
	if err := json.Unmarshal([]byte(in), &orig); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Version   string
		Id        string
		Statement []json.RawMessage
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if got.Version != "2012-10-17" || got.Id != "keep" {
		t.Errorf("Version, Id = %q, %q, want 2012-10-17, keep", got.Version, got.Id)
	}
	if diff := cmp.Diff(compactAll(t, orig.Statement), compactAll(t, got.Statement)); diff != "" {
		t.Errorf("statements changed (-want +got):\n%s", diff)
	}
	// And the output parses back to the same view.
	again, err := Parse(out)
	if err != nil {
		t.Fatalf("Parse(MarshalJSON): %v", err)
	}
	if diff := cmp.Diff(doc, again, ignoreRaw); diff != "" {
		t.Errorf("re-parse (-want +got):\n%s", diff)
	}
}

func compactAll(t *testing.T, list []json.RawMessage) []string {
	t.Helper()
	var out []string
	for _, m := range list {
		var b bytes.Buffer
		if err := json.Compact(&b, m); err != nil {
			t.Fatal(err)
		}
		out = append(out, b.String())
	}
	return out
}

func TestAppend(t *testing.T) {
	existing := `{"Version":"2008-10-17","Id":"kept","Statement":[
	  {"Sid":"Zebra", "Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*",
	   "Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":["AES256","aws:kms"]}}},
	  {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["s3:GetObject"],"Resource":"arn:aws:s3:::b/*"}]}`
	doc := mustParse(t, existing)
	out, err := doc.Append(DenyInsecureTransport("arn:aws:s3:::b"))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Statements) != 2 {
		t.Errorf("Append changed the receiver: %d statements", len(doc.Statements))
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Version, Id string
		Statement   []json.RawMessage
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	var orig struct{ Statement []json.RawMessage }
	if err := json.Unmarshal([]byte(existing), &orig); err != nil {
		t.Fatal(err)
	}
	wantStatements := append(compactAll(t, orig.Statement),
		`{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`)
	if diff := cmp.Diff(wantStatements, compactAll(t, got.Statement)); diff != "" {
		t.Errorf("statements (-want +got):\n%s", diff)
	}
	if got.Version != "2008-10-17" || got.Id != "kept" {
		t.Errorf("Version, Id = %q, %q; want them kept", got.Version, got.Id)
	}
	// The appended statement is analysed like a parsed one.
	check, err := out.DeniesInsecureTransport("b")
	if err != nil || !check.Enforced {
		t.Errorf("DeniesInsecureTransport after Append = %+v, %v; want enforced", check, err)
	}
	if diff := cmp.Diff(Condition{Operator: "Bool", Key: "aws:SecureTransport", Values: []string{"false"}, Test: "Bool", CanonicalKey: "aws:securetransport"},
		out.Statements[2].Conditions[0]); diff != "" {
		t.Errorf("appended condition (-want +got):\n%s", diff)
	}
}

func TestAppendErrors(t *testing.T) {
	doc := mustParse(t, stmt(`"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"`))
	if _, err := doc.Append(DenyInsecureTransport("arn:aws:s3:::b")); err == nil ||
		err.Error() != `Statement[1].Sid: "DenyInsecureTransport" is already used in the policy` {
		t.Errorf("duplicate Sid: error = %v", err)
	}
	bad := Statement{Effect: "Permit", Action: []string{"s3:*"}}
	if _, err := doc.Append(bad); err == nil || err.Error() != `Statement[1].Effect: must be "Allow" or "Deny", found "Permit"` {
		t.Errorf("bad Effect: error = %v", err)
	}
	if _, err := doc.Append(Statement{Effect: Allow}); err == nil || err.Error() != `Statement[1]: missing Action or NotAction` {
		t.Errorf("no Action: error = %v", err)
	}
	if _, err := doc.Append(Statement{Effect: Allow, Action: []string{"s3:*"}, Conditions: []Condition{{Operator: "StringEqual", Key: "k", Values: []string{"v"}}}}); err == nil ||
		err.Error() != `Statement[1].Condition: unknown condition operator "StringEqual"` {
		t.Errorf("bad operator: error = %v", err)
	}
}

func TestNewDocumentAndNilAppend(t *testing.T) {
	var none *Document
	fromNil, err := none.Append(DenyInsecureTransport("arn:aws:s3:::b"))
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := NewDocument(DenyInsecureTransport("arn:aws:s3:::b"))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(fromNil)
	b, _ := json.Marshal(fresh)
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	if string(a) != want || string(b) != want {
		t.Errorf("nil Append = %s\nNewDocument = %s\nwant %s", a, b, want)
	}
}

func TestStatementMarshalFromFields(t *testing.T) {
	st := Statement{
		Sid: "X", Effect: Allow,
		NotPrincipal: &Principal{AWS: []string{"111122223333", "arn:aws:iam::444455556666:root"}, Service: []string{"s3.amazonaws.com"}},
		NotAction:    []string{"s3:Delete*"},
		NotResource:  []string{"arn:aws:s3:::b/keep/*"},
		Conditions: []Condition{
			{Operator: "StringEquals", Key: "aws:SourceVpce", Values: []string{"vpce-1", "vpce-2"}},
			{Operator: "IpAddress", Key: "aws:SourceIp", Values: []string{"10.0.0.0/8"}},
			{Operator: "StringEquals", Key: "aws:PrincipalOrgID", Values: []string{"o-1"}},
		},
	}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Sid":"X","Effect":"Allow","NotPrincipal":{"AWS":["111122223333","arn:aws:iam::444455556666:root"],"Service":"s3.amazonaws.com"},"NotAction":"s3:Delete*","NotResource":"arn:aws:s3:::b/keep/*","Condition":{"StringEquals":{"aws:SourceVpce":["vpce-1","vpce-2"],"aws:PrincipalOrgID":"o-1"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`
	if diff := cmp.Diff(want, string(b)); diff != "" {
		t.Errorf("Marshal (-want +got):\n%s", diff)
	}
}

func TestUnmarshalJSON(t *testing.T) {
	var item struct {
		PolicyText *Document `json:"policyText"`
		Policy     Document  `json:"policy"`
	}
	in := `{"policyText":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}","policy":null}`
	if err := json.Unmarshal([]byte(in), &item); err != nil {
		t.Fatal(err)
	}
	if item.PolicyText == nil || len(item.PolicyText.Public()) != 1 {
		t.Errorf("policyText = %+v, want one public statement", item.PolicyText)
	}
	if len(item.Policy.Statements) != 0 {
		t.Errorf("null policy = %+v, want zero", item.Policy)
	}
	if err := json.Unmarshal([]byte(`{"policy":{"Statement":{"Effect":"Maybe","Action":"x"}}}`), &item); err == nil ||
		err.Error() != `Statement.Effect: must be "Allow" or "Deny", found "Maybe"` {
		t.Errorf("bad policy: error = %v", err)
	}
}

func ExampleDocument_Append() {
	// A bucket policy as AWS Config records it, and the statement the
	// s3-require-tls remediation adds.
	doc, err := Parse([]byte(`"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Read\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}"`))
	if err != nil {
		fmt.Println(err)
		return
	}
	updated, err := doc.Append(DenyInsecureTransport("arn:aws:s3:::b"))
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := json.Marshal(updated)
	fmt.Println(string(out))
	// Output:
	// {"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}
}

func TestChangedStatementIsWrittenThroughAppend(t *testing.T) {
	doc := mustParse(t, stmt(`"Sid":"Open","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"`))
	st := doc.Statements[0]
	st.Principal = &Principal{AWS: []string{"arn:aws:iam::111122223333:root"}}
	st.Sid = "Closed"
	out, err := NewDocument(st)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(out)
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"Closed","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
	if string(b) != want {
		t.Errorf("got %s\nwant %s", b, want)
	}
	if len(out.Public()) != 0 {
		t.Errorf("the rewritten statement is still public")
	}
}
