package policy

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func findingStrings(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.String())
	}
	return out
}

func TestAdminAccess(t *testing.T) {
	tests := []struct {
		reason string
		policy string
		want   []string
	}{
		{"Action * on Resource * (the managed rule's NON_COMPLIANT example)", stmt(`"Sid":"VisualEditor","Effect":"Allow","Action":"*","Resource":"*"`),
			[]string{`Statement[0] (Sid "VisualEditor"): allows * on resource *`}},
		{"*:* counts as *", stmt(`"Effect":"Allow","Action":["s3:GetObject","*:*"],"Resource":["arn:aws:s3:::b","*"]`),
			[]string{`Statement[0]: allows *:* on resource *`}},
		{"service:* is not admin (the managed rule's COMPLIANT example)", stmt(`"Sid":"VisualEditor","Effect":"Allow","Action":"service:*","Resource":"*"`), nil},
		{"* on a specific resource is not admin", stmt(`"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/*"`), nil},
		{"Deny * on * is not admin", stmt(`"Effect":"Deny","Action":"*","Resource":"*"`), nil},
		{"NotAction is not counted here", stmt(`"Effect":"Allow","NotAction":"iam:*","Resource":"*"`), nil},
		{"case of the action does not matter, of the pattern neither", stmt(`"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`),
			[]string{`Statement[0]: allows * on resource *`}},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, findingStrings(mustParse(t, tt.policy).AdminAccess())); diff != "" {
				t.Errorf("AdminAccess (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNotActionAllows(t *testing.T) {
	d := mustParse(t, `{"Statement":[
		{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"},
		{"Effect":"Deny","NotAction":"s3:*","Resource":"*"},
		{"Effect":"Allow","NotAction":"s3:DeleteBucket","NotResource":"arn:aws:s3:::keep"},
		{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	want := []string{
		"Statement[0]: allows every action except iam:*, organizations:* on *",
		"Statement[2]: allows every action except s3:DeleteBucket on every resource except arn:aws:s3:::keep",
	}
	if diff := cmp.Diff(want, findingStrings(d.NotActionAllows())); diff != "" {
		t.Errorf("NotActionAllows (-want +got):\n%s", diff)
	}
}

func TestFullAccess(t *testing.T) {
	tests := []struct {
		reason string
		policy string
		want   []string
	}{
		{"ec2:* on a resource", stmt(`"Effect":"Allow","Action":"ec2:*","Resource":"arn:aws:ec2:us-east-1:111122223333:instance/i-1"`),
			[]string{"Statement[0]: allows full access (ec2:*)"}},
		{"several services (the checkov plan)", stmt(`"Effect":"Allow","Action":["s3:*","ec2:*","rds:*"],"Resource":"*"`),
			[]string{"Statement[0]: allows full access (s3:*, ec2:*, rds:*)"}},
		{"* is full access to every service", stmt(`"Effect":"Allow","Action":"*","Resource":"*"`),
			[]string{"Statement[0]: allows full access (*)"}},
		{"a wildcard in the service widens it", stmt(`"Effect":"Allow","Action":"ec2*:*","Resource":"*"`),
			[]string{"Statement[0]: allows full access (ec2*:*)"}},
		{"prefixed actions with a suffixed wildcard are compliant", stmt(`"Effect":"Allow","Action":["ec2:Describe*","s3:Get*"],"Resource":"*"`), nil},
		{"a Deny of s3:* is not a grant", stmt(`"Effect":"Deny","Action":"s3:*","Resource":"*"`), nil},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, findingStrings(mustParse(t, tt.policy).FullAccess())); diff != "" {
				t.Errorf("FullAccess (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBlacklistedActions(t *testing.T) {
	const owner = "123456789012"
	patterns := []string{"s3:GetBucket*", " s3:DeleteObject"}
	tests := []struct {
		reason string
		policy string
		want   []string
	}{
		{"another account may delete objects", stmt(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999900009999:root"},"Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/*"`),
			[]string{`Statement[0]: allows actions matching s3:DeleteObject to {"AWS": "arn:aws:iam::999900009999:root"}, outside account 123456789012`}},
		{"the owner's own roles may", stmt(`"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:role/admin","123456789012","arn:aws:sts::123456789012:assumed-role/admin/s"]},"Action":"s3:*","Resource":"*"`), nil},
		{"everyone with s3:* matches both patterns", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"`),
			[]string{`Statement[0]: allows actions matching s3:GetBucket*, s3:DeleteObject to everyone (Principal "*"), outside account 123456789012`}},
		{"s3:Get* overlaps s3:GetBucket*", stmt(`"Effect":"Allow","Principal":{"AWS":"999900009999"},"Action":"s3:Get*","Resource":"*"`),
			[]string{`Statement[0]: allows actions matching s3:GetBucket* to {"AWS": "999900009999"}, outside account 123456789012`}},
		{"s3:GetObject does not match s3:GetBucket*", stmt(`"Effect":"Allow","Principal":{"AWS":"999900009999"},"Action":"s3:GetObject","Resource":"*"`), nil},
		{"conditions are not considered", stmt(`"Effect":"Allow","Principal":{"AWS":"999900009999"},"Action":"s3:DeleteObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}`),
			[]string{`Statement[0]: allows actions matching s3:DeleteObject to {"AWS": "999900009999"}, outside account 123456789012`}},
		{"a service principal is outside the account", stmt(`"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"*"`),
			[]string{`Statement[0]: allows actions matching s3:GetBucket* to {"Service": "logging.s3.amazonaws.com"}, outside account 123456789012`}},
		{"a unique id cannot be placed in the account", stmt(`"Effect":"Allow","Principal":{"AWS":"AIDAEXAMPLE123"},"Action":"s3:DeleteObject","Resource":"*"`),
			[]string{`Statement[0]: allows actions matching s3:DeleteObject to {"AWS": "AIDAEXAMPLE123"}, outside account 123456789012`}},
		{"NotAction that excludes DeleteObject still allows GetBucket*", stmt(`"Effect":"Allow","NotPrincipal":{"AWS":"123456789012"},"NotAction":"s3:DeleteObject","Resource":"*"`),
			[]string{`Statement[0]: allows actions matching s3:GetBucket* to everyone (NotPrincipal), outside account 123456789012`}},
		{"a Deny is not a grant", stmt(`"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"`), nil},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			got, err := mustParse(t, tt.policy).BlacklistedActions(owner, patterns)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, findingStrings(got)); diff != "" {
				t.Errorf("BlacklistedActions (-want +got):\n%s", diff)
			}
		})
	}
	d := mustParse(t, stmt(`"Effect":"Allow","Action":"s3:*"`))
	if _, err := d.BlacklistedActions("12345", patterns); err == nil || err.Error() != `account id "12345": must be 12 digits` {
		t.Errorf("bad account: error = %v", err)
	}
	if _, err := d.BlacklistedActions(owner, []string{"s3:GetObject", " "}); err == nil || err.Error() != "blacklistedActionPattern: pattern 2 is empty" {
		t.Errorf("empty pattern: error = %v", err)
	}
}

func TestNotMorePermissive(t *testing.T) {
	control := mustParse(t, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","arn:aws:iam::444455556666:role/*"]},"Action":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::*"]},
		{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::*/AWSLogs/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}},
		{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`)
	tests := []struct {
		reason string
		policy string
		want   []string
	}{
		{"a narrower grant to an allowed account id", stmt(`"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"`), nil},
		{"a role matched by the control's wildcard", stmt(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/reader"},"Action":["s3:ListBucket","s3:GetObjectVersion"],"Resource":"arn:aws:s3:::b"`), nil},
		{"a write the control does not allow", stmt(`"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"`),
			[]string{"Statement[0]: is not covered by the control policy: its closest statement, Statement[0], does not cover its actions"}},
		{"another account", stmt(`"Effect":"Allow","Principal":{"AWS":"999900009999"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"`),
			[]string{"Statement[0]: is not covered by the control policy: its closest statement, Statement[2], does not cover its conditions"}},
		{"the service grant with the required condition", stmt(`"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/AWSLogs/111122223333/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceAccount":"111122223333"}}`), nil},
		{"the service grant without the condition", stmt(`"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/AWSLogs/*"`),
			[]string{"Statement[0]: is not covered by the control policy: its closest statement, Statement[1], does not cover its conditions"}},
		{"the service grant on a wider resource", stmt(`"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}`),
			[]string{"Statement[0]: is not covered by the control policy: its closest statement, Statement[1], does not cover its resources"}},
		{"public read inside the allowed range", stmt(`"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":["10.1.0.0/16","10.2.3.4"]}}`), nil},
		{"public read outside the allowed range", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`),
			[]string{"Statement[0]: is not covered by the control policy: its closest statement, Statement[2], does not cover its conditions"}},
		{"NotAction is covered only by a control allowing everything", stmt(`"Effect":"Allow","Principal":{"AWS":"111122223333"},"NotAction":"s3:Delete*","Resource":"arn:aws:s3:::b/*"`),
			[]string{"Statement[0]: is not covered by the control policy: its closest statement, Statement[0], does not cover its actions"}},
		{"Deny statements are not compared", stmt(`"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"`), nil},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			got := mustParse(t, tt.policy).NotMorePermissive(control)
			if diff := cmp.Diff(tt.want, findingStrings(got)); diff != "" {
				t.Errorf("NotMorePermissive (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConditionStrictness(t *testing.T) {
	tests := []struct {
		control, statement string
		want               bool
	}{
		{`"StringEquals":{"aws:SourceVpce":["vpce-1","vpce-2"]}`, `"StringEquals":{"aws:sourcevpce":"vpce-1"}`, true},
		{`"StringEquals":{"aws:SourceVpce":"vpce-1"}`, `"StringEquals":{"aws:SourceVpce":["vpce-1","vpce-3"]}`, false},
		{`"StringEquals":{"aws:SourceVpce":"vpce-1"}`, `"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}`, false},
		{`"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}`, `"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}`, true},
		{`"StringLike":{"aws:PrincipalArn":"arn:aws:iam::1:role/*"}`, `"StringLike":{"aws:PrincipalArn":"arn:aws:iam::1:role/app-*"}`, true},
		{`"StringNotEquals":{"aws:SourceVpce":"vpce-1"}`, `"StringNotEquals":{"aws:SourceVpce":["vpce-1","vpce-2"]}`, true},
		{`"StringNotEquals":{"aws:SourceVpce":["vpce-1","vpce-2"]}`, `"StringNotEquals":{"aws:SourceVpce":"vpce-1"}`, false},
		{`"NotIpAddress":{"aws:SourceIp":"10.0.0.0/16"}`, `"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}`, true},
		{`"Bool":{"aws:SecureTransport":"true"}`, `"Bool":{"aws:SecureTransport":true}`, true},
		{`"Bool":{"aws:SecureTransport":"true"}`, `"Bool":{"aws:SecureTransport":["true","false"]}`, false},
	}
	for _, tt := range tests {
		c := mustParse(t, stmt(`"Effect":"Allow","Action":"s3:*","Condition":{`+tt.control+`}`)).Statements[0]
		s := mustParse(t, stmt(`"Effect":"Allow","Action":"s3:*","Condition":{`+tt.statement+`}`)).Statements[0]
		if got := c.coversConditions(&s); got != tt.want {
			t.Errorf("control {%s} covers statement {%s} = %v, want %v", tt.control, tt.statement, got, tt.want)
		}
	}
}

func ExampleDocument_AdminAccess() {
	doc, err := Parse([]byte("%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range doc.AdminAccess() {
		fmt.Println(f)
	}
	// Output:
	// Statement[0]: allows * on resource *
}

func ExampleDocument_FullAccess() {
	doc, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:Describe*","s3:*"],"Resource":"*"}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range doc.FullAccess() {
		fmt.Println(f.Actions)
	}
	// Output:
	// [s3:*]
}

func ExampleDocument_BlacklistedActions() {
	doc, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999900009999:root"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	findings, err := doc.BlacklistedActions("123456789012", []string{"s3:GetBucket*", "s3:DeleteObject"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range findings {
		fmt.Println(f)
	}
	// Output:
	// Statement[0]: allows actions matching s3:GetBucket*, s3:DeleteObject to {"AWS": "arn:aws:iam::999900009999:root"}, outside account 123456789012
}

func ExampleDocument_NotMorePermissive() {
	control, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:Get*","Resource":"arn:aws:s3:::*"}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	bucket, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
	  {"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range bucket.NotMorePermissive(control) {
		fmt.Println(f)
	}
	// Output:
	// Statement[1]: is not covered by the control policy: its closest statement, Statement[0], does not cover its actions
}
