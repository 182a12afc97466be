package policy

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGrantees(t *testing.T) {
	d := mustParse(t, `{"Statement":[
		{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","444455556666"],"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetObject","Resource":"*"},
		{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com","CanonicalUser":"abc123","AWS":"444455556666"},"Action":"s3:GetObject","Resource":"*",
		 "Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]},"StringEquals":{"aws:SourceVpc":"vpc-1","aws:SourceVpce":"vpce-1"}}},
		{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}},
		{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"198.51.100.0/24"}}}
	]}`)
	want := Grantees{
		Everyone:           true,
		AWS:                []string{"arn:aws:iam::111122223333:root", "444455556666"},
		Service:            []string{"cloudtrail.amazonaws.com"},
		Federated:          []string{"cognito-identity.amazonaws.com"},
		CanonicalUser:      []string{"abc123"},
		SourceIPs:          []string{"10.0.0.0/8", "2001:db8::/32"},
		SourceVPCs:         []string{"vpc-1"},
		SourceVPCEndpoints: []string{"vpce-1"},
	}
	if diff := cmp.Diff(want, d.Grantees()); diff != "" {
		t.Errorf("Grantees (-want +got):\n%s", diff)
	}
}

func TestGranteesOutside(t *testing.T) {
	allow := GranteeAllowlist{
		AWSPrincipals:     []string{"111122223333", "arn:aws:iam::444455556666:role/*"},
		ServicePrincipals: []string{"cloudtrail.amazonaws.com"},
		FederatedUsers:    []string{"cognito-identity.amazonaws.com"},
		IPAddresses:       []string{"10.0.0.0/8", "203.0.113.7", "2001:db8::/32"},
		VPCIDs:            []string{"vpc-1234abc0"},
	}
	get := `"Effect":"Allow","Action":"s3:GetObject","Resource":"*",`
	tests := []struct {
		reason string
		policy string
		want   []string // Finding.String()
	}{
		{"an allowed account, as an id", stmt(get + `"Principal":{"AWS":"111122223333"}`), nil},
		{"an allowed account, as its root ARN", stmt(get + `"Principal":{"AWS":"arn:aws:iam::111122223333:root"}`), nil},
		{"a role matched partially", stmt(get + `"Principal":{"AWS":"arn:aws:iam::444455556666:role/reader"}`), nil},
		{"an account id does not stand for the roles in it", stmt(get + `"Principal":{"AWS":"arn:aws:iam::111122223333:role/x"}`),
			[]string{`Statement[0]: grants access to {"AWS": "arn:aws:iam::111122223333:role/x"}, which is not among the allowed principals, and no condition restricts it to the allowed IP addresses or VPCs`}},
		{"another account", stmt(get + `"Principal":{"AWS":"999900009999"}`),
			[]string{`Statement[0]: grants access to {"AWS": "999900009999"}, which is not among the allowed principals, and no condition restricts it to the allowed IP addresses or VPCs`}},
		{"one listed and one unlisted principal", stmt(get + `"Principal":{"AWS":["111122223333","999900009999"]}`),
			[]string{`Statement[0]: grants access to {"AWS": "999900009999"}, which is not among the allowed principals, and no condition restricts it to the allowed IP addresses or VPCs`}},
		{"an allowed service, case-insensitive", stmt(get + `"Principal":{"Service":"CloudTrail.amazonaws.com"}`), nil},
		{"another service", stmt(get + `"Principal":{"Service":"lambda.amazonaws.com"}`),
			[]string{`Statement[0]: grants access to {"Service": "lambda.amazonaws.com"}, which is not among the allowed principals, and no condition restricts it to the allowed IP addresses or VPCs`}},
		{"an allowed identity provider", stmt(get + `"Principal":{"Federated":"cognito-identity.amazonaws.com"}`), nil},
		{"a canonical user is never listed", stmt(get + `"Principal":{"CanonicalUser":"abc"}`),
			[]string{`Statement[0]: grants access to {"CanonicalUser": "abc"}, which is not among the allowed principals, and no condition restricts it to the allowed IP addresses or VPCs`}},
		{"everyone", stmt(get + `"Principal":"*"`),
			[]string{`Statement[0]: grants access to everyone (Principal "*"), which is not among the allowed principals, and no condition restricts it to the allowed IP addresses or VPCs`}},
		{"everyone, restricted to an allowed range", stmt(get + `"Principal":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.1.0.0/16"}}`), nil},
		{"everyone, restricted to an allowed address", stmt(get + `"Principal":"*","Condition":{"IpAddress":{"aws:SourceIp":["203.0.113.7/32","2001:db8:1::/48"]}}`), nil},
		{"everyone, restricted to a range larger than the allowed ones", stmt(get + `"Principal":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/7"}}`),
			[]string{`Statement[0]: grants access to everyone (Principal "*"), which is not among the allowed principals, and no condition restricts it to the allowed IP addresses or VPCs`}},
		{"everyone, restricted to an allowed VPC", stmt(get + `"Principal":"*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1234abc0"}}`), nil},
		{"everyone, VPC restriction IfExists does not count", stmt(get + `"Principal":"*","Condition":{"StringEqualsIfExists":{"aws:SourceVpc":"vpc-1234abc0"}}`),
			[]string{`Statement[0]: grants access to everyone (Principal "*"), which is not among the allowed principals, and no condition restricts it to the allowed IP addresses or VPCs`}},
		{"another account, restricted to an allowed range", stmt(get + `"Principal":{"AWS":"999900009999"},"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/24"}}`), nil},
		{"NotPrincipal", stmt(get + `"NotPrincipal":{"AWS":"111122223333"}`),
			[]string{`Statement[0]: grants access to everyone (NotPrincipal), which is not among the allowed principals, and no condition restricts it to the allowed IP addresses or VPCs`}},
		{"Deny statements are not grants", stmt(`"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"`), nil},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			got, err := mustParse(t, tt.policy).GranteesOutside(allow)
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, f := range got {
				s = append(s, f.String())
			}
			if diff := cmp.Diff(tt.want, s); diff != "" {
				t.Errorf("GranteesOutside (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := mustParse(t, stmt(`"Effect":"Allow","Action":"s3:*"`)).GranteesOutside(GranteeAllowlist{IPAddresses: []string{"10.0.0.300"}}); err == nil ||
		err.Error() != `ipAddresses: "10.0.0.300" is not an IP address or CIDR range` {
		t.Errorf("bad IP parameter: error = %v", err)
	}
}

func ExampleDocument_GranteesOutside() {
	doc, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
	  {"Effect":"Allow","Principal":{"AWS":"999900009999"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	findings, err := doc.GranteesOutside(GranteeAllowlist{AWSPrincipals: []string{"111122223333", "444455556666"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range findings {
		fmt.Println(f)
	}
	// Output:
	// Statement[1]: grants access to {"AWS": "999900009999"}, which is not among the allowed principals, and no condition restricts it to the allowed IP addresses or VPCs
}
