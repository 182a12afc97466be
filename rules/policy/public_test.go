package policy

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// stmt builds a one-statement bucket policy around the given members.
func stmt(members string) string {
	return `{"Version":"2012-10-17","Statement":[{` + members + `}]}`
}

func mustParse(t testing.TB, s string) *Document {
	t.Helper()
	d, err := Parse([]byte(s))
	if err != nil {
		t.Fatalf("Parse(%s): %v", s, err)
	}
	return d
}

// publicSummary is what the tests compare of a Grant.
type publicSummary struct {
	Statement   int
	Principal   string
	Read, Write bool
}

func summarize(gs []Grant) []publicSummary {
	var out []publicSummary
	for _, g := range gs {
		out = append(out, publicSummary{g.Statement, g.Principal, g.Read, g.Write})
	}
	return out
}

func TestPublic(t *testing.T) {
	get := `"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*",`
	tests := []struct {
		reason string
		policy string
		want   []publicSummary
	}{
		{"Principal *", stmt(get + `"Principal":"*"`),
			[]publicSummary{{0, `Principal "*"`, true, false}}},
		{`{"AWS": "*"}`, stmt(get + `"Principal":{"AWS":"*"}`),
			[]publicSummary{{0, `Principal {"AWS": "*"}`, true, false}}},
		{`["*"] among other principals`, stmt(get + `"Principal":{"AWS":["arn:aws:iam::111122223333:root","*"]}`),
			[]publicSummary{{0, `Principal {"AWS": "*"}`, true, false}}},
		{"NotPrincipal with Allow: everyone except the listed", stmt(get + `"NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"}`),
			[]publicSummary{{0, "NotPrincipal", true, false}}},
		{"a fixed account is not public", stmt(get + `"Principal":{"AWS":"arn:aws:iam::111122223333:root"}`), nil},
		{"a service principal is not public", stmt(get + `"Principal":{"Service":"cloudtrail.amazonaws.com"}`), nil},
		{"Deny for everyone is not public", stmt(`"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"`), nil},
		{"identity policy without principal", stmt(`"Effect":"Allow","Action":"s3:*","Resource":"*"`), nil},

		{"aws:SourceIp 10.0.0.0/8 restricts", stmt(get + `"Principal":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`), nil},
		{"aws:SourceIp single address restricts", stmt(get + `"Principal":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}`), nil},
		{"aws:SourceIp 0.0.0.0/0 restricts nothing", stmt(get + `"Principal":"*","Condition":{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`),
			[]publicSummary{{0, `Principal "*"`, true, false}}},
		{"aws:SourceIp ::/0 restricts nothing", stmt(get + `"Principal":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::/0"]}}`),
			[]publicSummary{{0, `Principal "*"`, true, false}}},
		{"aws:SourceIp 192.168.1.0/0 is a /0 too", stmt(get + `"Principal":"*","Condition":{"IpAddress":{"aws:SourceIp":"192.168.1.0/0"}}`),
			[]publicSummary{{0, `Principal "*"`, true, false}}},
		{"NotIpAddress does not restrict", stmt(get + `"Principal":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`),
			[]publicSummary{{0, `Principal "*"`, true, false}}},
		{"aws:SourceIp that does not parse does not restrict", stmt(get + `"Principal":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.300/8"}}`),
			[]publicSummary{{0, `Principal "*"`, true, false}}},

		{"aws:PrincipalOrgID restricts", stmt(get + `"Principal":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}`), nil},
		{"condition keys are case-insensitive", stmt(get + `"Principal":"*","Condition":{"StringEquals":{"AWS:principalorgid":"o-a1b2c3d4e5"}}`), nil},
		{"aws:PrincipalOrgID with a wildcard under StringLike does not", stmt(get + `"Principal":"*","Condition":{"StringLike":{"aws:PrincipalOrgID":"o-*"}}`),
			[]publicSummary{{0, `Principal "*"`, true, false}}},
		{"aws:SourceVpce vpce-* under StringLike is not a restriction", stmt(get + `"Principal":"*","Condition":{"StringLike":{"aws:SourceVpce":"vpce-*"}}`),
			[]publicSummary{{0, `Principal "*"`, true, false}}},
		{"aws:SourceVpce fixed under StringLike restricts", stmt(get + `"Principal":"*","Condition":{"StringLike":{"aws:SourceVpce":"vpce-1a2b3c4d"}}`), nil},
		{"aws:SourceVpc fixed restricts", stmt(get + `"Principal":"*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-91237329"}}`), nil},
		{"aws:SourceVpc with a policy variable does not", stmt(get + `"Principal":"*","Condition":{"StringEquals":{"aws:SourceVpc":"${aws:username}"}}`),
			[]publicSummary{{0, `Principal "*"`, true, false}}},
		{"IfExists does not restrict", stmt(get + `"Principal":"*","Condition":{"StringEqualsIfExists":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}`),
			[]publicSummary{{0, `Principal "*"`, true, false}}},
		{"negated operators do not restrict", stmt(get + `"Principal":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"111122223333"}}`),
			[]publicSummary{{0, `Principal "*"`, true, false}}},
		{"ForAnyValue:StringEquals with fixed values restricts", stmt(get + `"Principal":"*","Condition":{"ForAnyValue:StringEquals":{"aws:PrincipalOrgPaths":["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"]}}`), nil},
		{"ForAnyValue:StringLike with open values does not", stmt(get + `"Principal":"*","Condition":{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":["*"]}}`),
			[]publicSummary{{0, `Principal "*"`, true, false}}},
		{"aws:PrincipalOrgPaths under a fixed organization restricts", stmt(get + `"Principal":"*","Condition":{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"]}}`), nil},
		{"ForAllValues never restricts (true when the key is absent)", stmt(get + `"Principal":"*","Condition":{"ForAllValues:StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}`),
			[]publicSummary{{0, `Principal "*"`, true, false}}},
		{"aws:SourceArn fixed under ArnEquals restricts", stmt(get + `"Principal":{"Service":"*"},"Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:111122223333:trail/main"}}`), nil},
		{"aws:SourceArn with a wildcard does not", stmt(get + `"Principal":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:111122223333:trail/*"}}`),
			[]publicSummary{{0, `Principal "*"`, true, false}}},
		{"aws:PrincipalArn fixed restricts", stmt(get + `"Principal":"*","Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/reader"}}`), nil},
		{"aws:PrincipalArn with an account wildcard does not", stmt(get + `"Principal":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/reader"}}`),
			[]publicSummary{{0, `Principal "*"`, true, false}}},
		{"aws:SourceAccount, aws:SourceOwner, aws:PrincipalAccount, aws:userid restrict", stmt(get + `"Principal":"*","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}`), nil},
		{"s3:DataAccessPointArn with a wildcard access point name and a fixed account restricts",
			stmt(get + `"Principal":"*","Condition":{"StringLike":{"s3:DataAccessPointArn":"arn:aws:s3:us-west-2:123456789012:accesspoint/*"}}`), nil},
		{"s3:DataAccessPointArn with a wildcard account does not",
			stmt(get + `"Principal":"*","Condition":{"StringLike":{"s3:DataAccessPointArn":"arn:aws:s3:us-west-2:*:accesspoint/*"}}`),
			[]publicSummary{{0, `Principal "*"`, true, false}}},
		{"an unrelated condition does not restrict", stmt(get + `"Principal":"*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}`),
			[]publicSummary{{0, `Principal "*"`, true, false}}},
		{"one pinning condition among others is enough", stmt(get + `"Principal":"*","Condition":{"StringLike":{"aws:SourceVpc":"vpc-*"},"StringEquals":{"aws:PrincipalOrgID":"o-test123456"}}`), nil},

		{"write actions", stmt(`"Effect":"Allow","Principal":"*","Action":["s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::b/*"`),
			[]publicSummary{{0, `Principal "*"`, false, true}}},
		{"s3:* reads and writes", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"`),
			[]publicSummary{{0, `Principal "*"`, true, true}}},
		{"* reads and writes", stmt(`"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"`),
			[]publicSummary{{0, `Principal "*"`, true, true}}},
		{"s3:Get* reads", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:Get*","Resource":"*"`),
			[]publicSummary{{0, `Principal "*"`, true, false}}},
		{"s3:PutBucketPolicy writes", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:PutBucketPolicy","Resource":"*"`),
			[]publicSummary{{0, `Principal "*"`, false, true}}},
		{"s3:ListBucket reads", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"*"`),
			[]publicSummary{{0, `Principal "*"`, true, false}}},
		{"Allow with NotAction grants everything not listed", stmt(`"Effect":"Allow","Principal":"*","NotAction":["s3:PutObject","s3:DeleteObject"],"Resource":"*"`),
			[]publicSummary{{0, `Principal "*"`, true, true}}},
		{"NotAction excluding all writes leaves reads", stmt(`"Effect":"Allow","Principal":"*","NotAction":["s3:Put*","s3:Delete*","s3:AbortMultipartUpload","s3:RestoreObject","s3:Replicate*","s3:InitiateReplication","s3:Bypass*","s3:ObjectOwnerOverrideToBucketOwner","s3:Create*","s3:Update*"],"Resource":"*"`),
			[]publicSummary{{0, `Principal "*"`, true, false}}},
		{"NotAction s3:* grants neither S3 reads nor writes", stmt(`"Effect":"Allow","Principal":"*","NotAction":"s3:*","Resource":"*"`),
			[]publicSummary{{0, `Principal "*"`, false, false}}},
		{"non-S3 actions are public but neither read nor write", stmt(`"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"*"`),
			[]publicSummary{{0, `Principal "*"`, false, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			d := mustParse(t, tt.policy)
			if diff := cmp.Diff(tt.want, summarize(d.Public())); diff != "" {
				t.Errorf("Public (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPublicReasonAndOrder(t *testing.T) {
	d := mustParse(t, `{"Statement":[
		{"Sid":"Own","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"},
		{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":"arn:aws:s3:::b/*"},
		{"Effect":"Allow","NotPrincipal":{"AWS":"111122223333"},"NotAction":"s3:Delete*","Resource":"*"}]}`)
	var got []string
	for _, g := range d.Public() {
		got = append(got, g.String())
	}
	want := []string{
		`Statement[1] (Sid "PublicRead"): allows s3:GetObject, s3:GetObjectVersion to everyone (Principal "*", no condition restricting it to fixed accounts, networks or sources)`,
		`Statement[2]: allows every action except s3:Delete* to everyone (NotPrincipal, no condition restricting it to fixed accounts, networks or sources)`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Public (-want +got):\n%s", diff)
	}
}

func TestAppliesTo(t *testing.T) {
	tests := []struct {
		statement string
		pattern   string
		any, all  bool
	}{
		{`"Action":"s3:*"`, "s3:GetObject", true, true},
		{`"Action":"s3:*"`, "s3:*", true, true},
		{`"Action":"*"`, "s3:*", true, true},
		{`"Action":"s3:GetObject"`, "s3:*", true, false},
		{`"Action":"s3:GetObject"`, "s3:Put*", false, false},
		{`"Action":["s3:Get*","s3:List*"]`, "s3:GetObject", true, true},
		{`"Action":"S3:GETOBJECT"`, "s3:GetObject", true, true},
		{`"NotAction":"s3:DeleteObject"`, "s3:GetObject", true, true},
		{`"NotAction":"s3:DeleteObject"`, "s3:*", true, false},
		{`"NotAction":"iam:*"`, "s3:*", true, true},
		{`"NotAction":"s3:*"`, "s3:GetObject", false, false},
		{`"NotAction":"*"`, "s3:GetObject", false, false},
	}
	for _, tt := range tests {
		d := mustParse(t, stmt(`"Effect":"Allow",`+tt.statement))
		st := &d.Statements[0]
		if got := st.AppliesToAny(tt.pattern); got != tt.any {
			t.Errorf("{%s}.AppliesToAny(%q) = %v, want %v", tt.statement, tt.pattern, got, tt.any)
		}
		if got := st.AppliesToAll(tt.pattern); got != tt.all {
			t.Errorf("{%s}.AppliesToAll(%q) = %v, want %v", tt.statement, tt.pattern, got, tt.all)
		}
	}
}

func ExampleDocument_Public() {
	doc, err := Parse([]byte(`{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Sid": "Website", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"},
	    {"Sid": "Org", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::site/*",
	     "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}
	  ]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, g := range doc.Public() {
		fmt.Printf("%s\nread=%v write=%v\n", g, g.Read, g.Write)
	}
	// Output:
	// Statement[0] (Sid "Website"): allows s3:GetObject to everyone (Principal "*", no condition restricting it to fixed accounts, networks or sources)
	// read=true write=false
}
