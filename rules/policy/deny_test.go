package policy

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDeniesInsecureTransport(t *testing.T) {
	both := `"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]`
	cond := `"Condition":{"Bool":{"aws:SecureTransport":"false"}}`
	deny := func(members ...string) string {
		s := `"Effect":"Deny"`
		for _, m := range members {
			s += "," + m
		}
		return stmt(s)
	}
	tests := []struct {
		reason string
		policy string
		bucket string
		want   TransportCheck
	}{
		{
			reason: "the canonical statement",
			policy: deny(`"Sid":"TLS"`, `"Principal":"*"`, `"Action":"s3:*"`, both, cond),
			want: TransportCheck{Enforced: true, CoversBucket: true, CoversObjects: true, Statements: []int{0},
				Reason: `Statement[0] (Sid "TLS") denies every S3 action to every principal on arn:aws:s3:::b and arn:aws:s3:::b/* when aws:SecureTransport is false`},
		},
		{
			reason: `{"AWS": "*"}, Action "*", JSON false, BoolIfExists`,
			policy: deny(`"Principal":{"AWS":"*"}`, `"Action":"*"`, both, `"Condition":{"BoolIfExists":{"aws:SecureTransport":false}}`),
			want:   TransportCheck{Enforced: true, CoversBucket: true, CoversObjects: true, Statements: []int{0}},
		},
		{
			reason: "Resource * covers both",
			policy: deny(`"Principal":"*"`, `"Action":"s3:*"`, `"Resource":"*"`, cond),
			want:   TransportCheck{Enforced: true, CoversBucket: true, CoversObjects: true, Statements: []int{0}},
		},
		{
			reason: "arn:aws:s3:::b* covers both",
			policy: deny(`"Principal":"*"`, `"Action":"s3:*"`, `"Resource":"arn:aws:s3:::b*"`, cond),
			want:   TransportCheck{Enforced: true, CoversBucket: true, CoversObjects: true, Statements: []int{0}},
		},
		{
			reason: "arn:aws:s3:::* covers both",
			policy: deny(`"Principal":"*"`, `"Action":"s3:*"`, `"Resource":"arn:aws:s3:::*"`, cond),
			want:   TransportCheck{Enforced: true, CoversBucket: true, CoversObjects: true, Statements: []int{0}},
		},
		{
			reason: "a deny covering only the objects is not enough (the real AWS Config rdk example, mirrored)",
			policy: deny(`"Principal":"*"`, `"Action":"s3:*"`, `"Resource":"arn:aws:s3:::b/*"`, cond),
			want: TransportCheck{CoversObjects: true, Statements: []int{0},
				Reason: "the aws:SecureTransport deny (Statement[0]) covers the objects arn:aws:s3:::b/* but not the bucket arn:aws:s3:::b"},
		},
		{
			reason: "a deny covering only the bucket is not enough",
			policy: deny(`"Principal":"*"`, `"Action":"s3:*"`, `"Resource":"arn:aws:s3:::b"`, cond),
			want: TransportCheck{CoversBucket: true, Statements: []int{0},
				Reason: "the aws:SecureTransport deny (Statement[0]) covers the bucket arn:aws:s3:::b but not its objects arn:aws:s3:::b/*"},
		},
		{
			reason: "a deny on objects of a prefix only",
			policy: deny(`"Principal":"*"`, `"Action":"s3:*"`, `"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/logs/*"]`, cond),
			want: TransportCheck{CoversBucket: true, Statements: []int{0},
				Reason: "the aws:SecureTransport deny (Statement[0]) covers the bucket arn:aws:s3:::b but not its objects arn:aws:s3:::b/*"},
		},
		{
			reason: "a deny on another bucket",
			policy: deny(`"Principal":"*"`, `"Action":"s3:*"`, `"Resource":["arn:aws:s3:::other","arn:aws:s3:::other/*"]`, cond),
			want: TransportCheck{Statements: []int{0},
				Reason: "the aws:SecureTransport deny (Statement[0]) covers neither the bucket arn:aws:s3:::b nor its objects arn:aws:s3:::b/*"},
		},
		{
			reason: "two statements, one for the bucket and one for the objects, together enforce",
			policy: `{"Statement":[
				{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b","Condition":{"Bool":{"aws:SecureTransport":"false"}}},
				{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`,
			want: TransportCheck{Enforced: true, CoversBucket: true, CoversObjects: true, Statements: []int{0, 1},
				Reason: "Statement[0] and Statement[1] deny every S3 action to every principal on arn:aws:s3:::b and arn:aws:s3:::b/* when aws:SecureTransport is false"},
		},
		{
			reason: "NotResource listing another bucket covers this one",
			policy: deny(`"Principal":"*"`, `"Action":"s3:*"`, `"NotResource":"arn:aws:s3:::other/*"`, cond),
			want:   TransportCheck{Enforced: true, CoversBucket: true, CoversObjects: true, Statements: []int{0}},
		},
		{
			reason: "NotResource excluding some objects leaves them uncovered",
			policy: deny(`"Principal":"*"`, `"Action":"s3:*"`, `"NotResource":"arn:aws:s3:::b/public/*"`, cond),
			want: TransportCheck{CoversBucket: true, Statements: []int{0},
				Reason: "the aws:SecureTransport deny (Statement[0]) covers the bucket arn:aws:s3:::b but not its objects arn:aws:s3:::b/*"},
		},
		{
			reason: "GovCloud partition, taken from the policy",
			policy: deny(`"Principal":"*"`, `"Action":"s3:*"`, `"Resource":["arn:aws-us-gov:s3:::b","arn:aws-us-gov:s3:::b/*"]`, cond),
			want:   TransportCheck{Enforced: true, CoversBucket: true, CoversObjects: true, Statements: []int{0}},
		},
		{
			reason: "China partition, bucket given as an ARN",
			policy: deny(`"Principal":"*"`, `"Action":"s3:*"`, `"Resource":["arn:aws-cn:s3:::b","arn:aws-cn:s3:::b/*"]`, cond),
			bucket: "arn:aws-cn:s3:::b",
			want:   TransportCheck{Enforced: true, CoversBucket: true, CoversObjects: true, Statements: []int{0}},
		},
		{
			reason: "a deny of s3:GetObject only is not enough",
			policy: deny(`"Principal":"*"`, `"Action":"s3:GetObject"`, both, cond),
			want:   TransportCheck{Reason: "Statement[0] denies only s3:GetObject, not every S3 action (s3:* or *)"},
		},
		{
			reason: "a deny with NotAction that excludes an S3 action is not enough",
			policy: deny(`"Principal":"*"`, `"NotAction":"s3:GetObject"`, both, cond),
			want:   TransportCheck{Reason: "Statement[0] excludes s3:GetObject through NotAction, so it does not deny every S3 action"},
		},
		{
			reason: "a deny with NotAction of another service covers every S3 action",
			policy: deny(`"Principal":"*"`, `"NotAction":"iam:*"`, both, cond),
			want:   TransportCheck{Enforced: true, CoversBucket: true, CoversObjects: true, Statements: []int{0}},
		},
		{
			reason: "a deny for one principal only",
			policy: deny(`"Principal":{"AWS":"arn:aws:iam::111122223333:root"}`, `"Action":"s3:*"`, both, cond),
			want:   TransportCheck{Reason: `Statement[0] denies only some principals, not "*"`},
		},
		{
			reason: "a deny with NotPrincipal",
			policy: deny(`"NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"}`, `"Action":"s3:*"`, both, cond),
			want:   TransportCheck{Reason: "Statement[0] uses NotPrincipal, so it does not deny every principal"},
		},
		{
			reason: "a deny narrowed by another condition",
			policy: deny(`"Principal":"*"`, `"Action":"s3:*"`, both, `"Condition":{"Bool":{"aws:SecureTransport":"false"},"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}`),
			want:   TransportCheck{Reason: "Statement[0] is narrowed by the condition StringNotEquals aws:SourceVpce, so it does not apply to every such request"},
		},
		{
			reason: "aws:SecureTransport true on a Deny denies HTTPS, not HTTP",
			policy: deny(`"Principal":"*"`, `"Action":"s3:*"`, both, `"Condition":{"Bool":{"aws:SecureTransport":true}}`),
			want:   TransportCheck{Reason: "no Deny statement with the condition aws:SecureTransport false"},
		},
		{
			reason: "an Allow with aws:SecureTransport true is not a deny",
			policy: stmt(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"true"}}`),
			want:   TransportCheck{Reason: "no Deny statement with the condition aws:SecureTransport false (Statement[0] allows requests with aws:SecureTransport true, which does not deny plain HTTP requests)"},
		},
		{
			reason: "the condition under StringEquals is not Bool",
			policy: deny(`"Principal":"*"`, `"Action":"s3:*"`, both, `"Condition":{"StringEquals":{"aws:SecureTransport":"false"}}`),
			want:   TransportCheck{Reason: "no Deny statement with the condition aws:SecureTransport false"},
		},
		{
			reason: "no policy statements at all",
			policy: `{"Version":"2012-10-17","Statement":[]}`,
			want:   TransportCheck{Reason: "no Deny statement with the condition aws:SecureTransport false"},
		},
		{
			reason: "a qualifying deny on the bucket plus a deny that does not qualify",
			policy: `{"Statement":[
				{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b","Condition":{"Bool":{"aws:SecureTransport":"false"}}},
				{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`,
			want: TransportCheck{CoversBucket: true, Statements: []int{0},
				Reason: "the aws:SecureTransport deny (Statement[0]) covers the bucket arn:aws:s3:::b but not its objects arn:aws:s3:::b/*; Statement[1] denies only s3:GetObject, not every S3 action (s3:* or *)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			d := mustParse(t, tt.policy)
			bucket := tt.bucket
			if bucket == "" {
				bucket = "b"
			}
			got, err := d.DeniesInsecureTransport(bucket)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want.Reason == "" {
				got.Reason = "" // only the decision is under test
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DeniesInsecureTransport (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeniesInsecureTransportBadBucket(t *testing.T) {
	d := mustParse(t, `{"Statement":[]}`)
	for bucket, want := range map[string]string{
		"":                     `bucket "": not a bucket name`,
		"b*":                   `bucket "b*": not a bucket name`,
		"b/key":                `bucket "b/key": not a bucket name`,
		"arn:aws:iam::1:role/": `bucket "arn:aws:iam::1:role/": not an S3 bucket ARN (arn:<partition>:s3:::<name>)`,
	} {
		_, err := d.DeniesInsecureTransport(bucket)
		if err == nil || err.Error() != want {
			t.Errorf("DeniesInsecureTransport(%q) error = %v, want %q", bucket, err, want)
		}
	}
}

func TestRestrictedToVPC(t *testing.T) {
	both := `"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]`
	tests := []struct {
		reason             string
		policy             string
		endpoints, vpcs    []string
		want               VPCRestriction
		checkReasonExactly bool
	}{
		{
			reason: "deny unless the request comes through one endpoint",
			policy: stmt(`"Sid":"VPCe","Effect":"Deny","Principal":"*","Action":"s3:*",` + both + `,"Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}`),
			want: VPCRestriction{Restricted: true, Endpoints: []string{"vpce-1a2b3c4d"}, CoversBucket: true, CoversObjects: true, Statements: []int{0},
				Reason: `Statement[0] (Sid "VPCe") denies every S3 action on arn:aws:s3:::b and arn:aws:s3:::b/* to requests not coming through VPC endpoints vpce-1a2b3c4d`},
			checkReasonExactly: true,
		},
		{
			reason:    "IfExists form, VPC ids, allowed list honoured",
			policy:    stmt(`"Effect":"Deny","Principal":{"AWS":"*"},"Action":"*",` + both + `,"Condition":{"StringNotEqualsIfExists":{"aws:SourceVpc":["vpc-111","vpc-222"]}}`),
			vpcs:      []string{"VPC-111", "vpc-222", "vpc-333"},
			endpoints: []string{"vpce-unused"},
			want:      VPCRestriction{Restricted: true, VPCs: []string{"vpc-111", "vpc-222"}, CoversBucket: true, CoversObjects: true, Statements: []int{0}},
		},
		{
			reason:    "an endpoint outside the allowed list",
			policy:    stmt(`"Effect":"Deny","Principal":"*","Action":"s3:*",` + both + `,"Condition":{"StringNotEquals":{"aws:SourceVpce":["vpce-1","vpce-9"]}}`),
			endpoints: []string{"vpce-1"},
			want: VPCRestriction{Endpoints: []string{"vpce-1", "vpce-9"}, CoversBucket: true, CoversObjects: true, Statements: []int{0},
				Reason: "the policy lets requests through the VPC endpoint vpce-9, which is not among the allowed endpoints"},
			checkReasonExactly: true,
		},
		{
			reason:             "an Allow restricted to an endpoint is not a deny",
			policy:             stmt(`"Effect":"Allow","Principal":"*","Action":"s3:*",` + both + `,"Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}`),
			want:               VPCRestriction{Reason: "no Deny statement with a condition on aws:SourceVpce or aws:SourceVpc"},
			checkReasonExactly: true,
		},
		{
			reason:             "StringNotLike with vpce-* lets every endpoint through",
			policy:             stmt(`"Effect":"Deny","Principal":"*","Action":"s3:*",` + both + `,"Condition":{"StringNotLike":{"aws:SourceVpce":"vpce-*"}}`),
			want:               VPCRestriction{Reason: "Statement[0] is narrowed by the condition StringNotLike aws:SourceVpce, so it does not apply to every such request"},
			checkReasonExactly: true,
		},
		{
			reason: "objects only",
			policy: stmt(`"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}`),
			want: VPCRestriction{Endpoints: []string{"vpce-1"}, CoversObjects: true, Statements: []int{0},
				Reason: "the VPC deny (Statement[0]) covers the objects arn:aws:s3:::b/* but not the bucket arn:aws:s3:::b"},
			checkReasonExactly: true,
		},
		{
			reason:             "only s3:GetObject denied",
			policy:             stmt(`"Effect":"Deny","Principal":"*","Action":"s3:GetObject",` + both + `,"Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}`),
			want:               VPCRestriction{Reason: "Statement[0] denies only s3:GetObject, not every S3 action (s3:* or *)"},
			checkReasonExactly: true,
		},
		{
			reason:             "endpoints given: a VPC exception lets every endpoint of the VPC through",
			policy:             stmt(`"Effect":"Deny","Principal":"*","Action":"s3:*",` + both + `,"Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}`),
			endpoints:          []string{"vpce-1"},
			want:               VPCRestriction{VPCs: []string{"vpc-1"}, CoversBucket: true, CoversObjects: true, Statements: []int{0}, Reason: "the policy lets requests through the VPC vpc-1, which is not among the allowed VPCs (none given)"},
			checkReasonExactly: true,
		},
		{
			reason: "no lists given: any endpoint restricts",
			policy: stmt(`"Effect":"Deny","Principal":"*","Action":"s3:*",` + both + `,"Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-9"}}`),
			want:   VPCRestriction{Restricted: true, Endpoints: []string{"vpce-9"}, CoversBucket: true, CoversObjects: true, Statements: []int{0}},
		},
		{
			reason: "endpoint and VPC in one statement: either lets a request through",
			policy: stmt(`"Effect":"Deny","Principal":"*","Action":"s3:*",` + both + `,"Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1","aws:SourceVpc":"vpc-1"}}`),
			want:   VPCRestriction{Restricted: true, Endpoints: []string{"vpce-1"}, VPCs: []string{"vpc-1"}, CoversBucket: true, CoversObjects: true, Statements: []int{0}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			d := mustParse(t, tt.policy)
			got, err := d.RestrictedToVPC("b", tt.endpoints, tt.vpcs)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.checkReasonExactly {
				got.Reason = ""
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("RestrictedToVPC (-want +got):\n%s", diff)
			}
		})
	}
}

func ExampleDocument_DeniesInsecureTransport() {
	doc, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[{
	  "Effect": "Deny", "Principal": "*", "Action": "s3:*",
	  "Resource": "arn:aws:s3:::logs/*",
	  "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	check, err := doc.DeniesInsecureTransport("logs")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(check.Enforced)
	fmt.Println(check.Reason)
	// Output:
	// false
	// the aws:SecureTransport deny (Statement[0]) covers the objects arn:aws:s3:::logs/* but not the bucket arn:aws:s3:::logs
}

func ExampleDocument_RestrictedToVPC() {
	doc, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[{
	  "Effect": "Deny", "Principal": "*", "Action": "s3:*",
	  "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"],
	  "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := doc.RestrictedToVPC("data", []string{"vpce-1a2b3c4d"}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Restricted, r.Endpoints)
	// Output:
	// true [vpce-1a2b3c4d]
}
