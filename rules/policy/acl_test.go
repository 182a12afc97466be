package policy

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const ownerID = "e7c8bb65a5fc49cf906715eae09de9e4bb7861a96361ba79b833aa45f6833b15"

func TestParseACL(t *testing.T) {
	owner := ACLGrant{Grantee{Type: CanonicalUser, ID: ownerID, DisplayName: "mandeep.bal"}, FullControl}
	configACL := `{"grantSet":null,"grantList":[{"grantee":{"id":"` + ownerID + `","displayName":"mandeep.bal"},"permission":"FullControl"},{"grantee":"AllUsers","permission":"Read"}],"owner":{"displayName":"mandeep.bal","id":"` + ownerID + `"},"isRequesterCharged":false}`
	once, _ := json.Marshal(configACL)
	twice, _ := json.Marshal(string(once))
	tests := []struct {
		reason string
		input  string
		want   *ACL
	}{
		{"AWS Config, object", configACL,
			&ACL{Owner: ownerID, Grants: []ACLGrant{owner, {Grantee{Type: Group, URI: AllUsersURI}, Read}}}},
		{"AWS Config, JSON string (change notification)", string(once),
			&ACL{Owner: ownerID, Grants: []ACLGrant{owner, {Grantee{Type: Group, URI: AllUsersURI}, Read}}}},
		{"AWS Config, encoded twice (API shape)", string(twice),
			&ACL{Owner: ownerID, Grants: []ACLGrant{owner, {Grantee{Type: Group, URI: AllUsersURI}, Read}}}},
		{"AWS Config, every permission spelling, grantSet, AuthenticatedUsers and LogDelivery",
			`{"grantSet":[{"grantee":"LogDelivery","permission":"Write"}],"grantList":[{"grantee":"AuthenticatedUsers","permission":"ReadAcp"},{"grantee":{"id":"abc","displayName":null},"permission":"WriteAcp"}],"owner":{"id":"abc"}}`,
			&ACL{Owner: "abc", Grants: []ACLGrant{
				{Grantee{Type: Group, URI: AuthenticatedUsersURI}, ReadACP},
				{Grantee{Type: CanonicalUser, ID: "abc"}, WriteACP},
				{Grantee{Type: Group, URI: LogDeliveryURI}, Write},
			}}},
		{"CloudTrail PutBucketAcl, a single grant is an object",
			`{"bucketName":"b","AccessControlPolicy":{"AccessControlList":{"Grant":{"Grantee":{"xsi:type":"CanonicalUser","xmlns:xsi":"http://www.w3.org/2001/XMLSchema-instance","ID":"d25639fbe9c19cd30a4c0f43fbf00e2d3f96400a9aa8dabfbbebe1906Example"},"Permission":"FULL_CONTROL"}},"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/","Owner":{"ID":"d25639fbe9c19cd30a4c0f43fbf00e2d3f96400a9aa8dabfbbebe1906Example"}},"acl":[""]}`,
			&ACL{Owner: "d25639fbe9c19cd30a4c0f43fbf00e2d3f96400a9aa8dabfbbebe1906Example", Grants: []ACLGrant{
				{Grantee{Type: CanonicalUser, ID: "d25639fbe9c19cd30a4c0f43fbf00e2d3f96400a9aa8dabfbbebe1906Example"}, FullControl},
			}}},
		{"CloudTrail PutBucketAcl, several grants are an array",
			`{"AccessControlList":{"Grant":[{"Grantee":{"xsi:type":"Group","URI":"http://acs.amazonaws.com/groups/global/AllUsers"},"Permission":"READ"},{"Grantee":{"xsi:type":"Group","URI":"http://acs.amazonaws.com/groups/global/AuthenticatedUsers"},"Permission":"WRITE"},{"Grantee":{"xsi:type":"AmazonCustomerByEmail","EmailAddress":"a@example.com"},"Permission":"READ_ACP"}]},"Owner":{"ID":"o"}}`,
			&ACL{Owner: "o", Grants: []ACLGrant{
				{Grantee{Type: Group, URI: AllUsersURI}, Read},
				{Grantee{Type: Group, URI: AuthenticatedUsersURI}, Write},
				{Grantee{Type: AmazonCustomerByEmail, Email: "a@example.com"}, ReadACP},
			}}},
		{"S3 API (GetBucketAcl output)",
			`{"Owner":{"DisplayName":"o","ID":"o"},"Grants":[{"Grantee":{"Type":"Group","URI":"http://acs.amazonaws.com/groups/global/AllUsers"},"Permission":"FULL_CONTROL"},{"Grantee":{"Type":"CanonicalUser","ID":"o","DisplayName":"o"},"Permission":"FULL_CONTROL"}]}`,
			&ACL{Owner: "o", Grants: []ACLGrant{
				{Grantee{Type: Group, URI: AllUsersURI}, FullControl},
				{Grantee{Type: CanonicalUser, ID: "o", DisplayName: "o"}, FullControl},
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			got, err := ParseACL([]byte(tt.input))
			if err != nil {
				t.Fatalf("ParseACL: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseACL (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseACLErrors(t *testing.T) {
	tests := []struct{ reason, input, want string }{
		{"unknown group", `{"grantList":[{"grantee":"Everybody","permission":"Read"}]}`, `grantList[0].grantee: unknown group "Everybody"`},
		{"unknown permission", `{"grantList":[{"grantee":"AllUsers","permission":"Own"}]}`, `grantList[0].permission: unknown permission "Own"`},
		{"missing permission", `{"grantList":[{"grantee":"AllUsers"}]}`, `grantList[0].permission: missing`},
		{"grantList of the wrong kind", `{"grantList":{}}`, `grantList: must be an array, found an object`},
		{"CloudTrail grant without grantee", `{"AccessControlPolicy":{"AccessControlList":{"Grant":[{"Permission":"READ"}]}}}`, `AccessControlPolicy.AccessControlList.Grant[0].Grantee: missing`},
		{"Group without URI", `{"Grants":[{"Grantee":{"Type":"Group"},"Permission":"READ"}]}`, `Grants[0].Grantee: a Group grantee needs a URI`},
		{"unknown grantee type", `{"Grants":[{"Grantee":{"Type":"Robot","ID":"x"},"Permission":"READ"}]}`, `Grants[0].Grantee: unknown grantee type "Robot"`},
		{"not an ACL", `{"Version":"2012-10-17"}`, `not an ACL: expected grantList (AWS Config), Grants (S3 API) or AccessControlPolicy (CloudTrail)`},
		{"not JSON", `{grantList}`, `invalid JSON at offset 1: unexpected 'g' looking for an object key`},
		{"not an object", `[1]`, `an ACL must be a JSON object, found an array`},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			_, err := ParseACL([]byte(tt.input))
			if err == nil {
				t.Fatalf("ParseACL succeeded, want %q", tt.want)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestACLPublic(t *testing.T) {
	tests := []struct {
		reason string
		acl    string
		want   []Permission
	}{
		{"private", `{"grantList":[{"grantee":{"id":"o"},"permission":"FullControl"}]}`, nil},
		{"AllUsers read", `{"grantList":[{"grantee":"AllUsers","permission":"Read"}]}`, []Permission{Read}},
		{"AuthenticatedUsers count as everyone", `{"grantList":[{"grantee":"AuthenticatedUsers","permission":"Write"}]}`, []Permission{Write}},
		{"FULL_CONTROL means all four", `{"grantList":[{"grantee":"AllUsers","permission":"FullControl"}]}`, []Permission{Read, Write, ReadACP, WriteACP}},
		{"LogDelivery is not everyone", `{"grantList":[{"grantee":"LogDelivery","permission":"Write"}]}`, nil},
		{"ACP permissions", `{"grantList":[{"grantee":"AllUsers","permission":"ReadAcp"},{"grantee":"AuthenticatedUsers","permission":"WriteAcp"}]}`, []Permission{ReadACP, WriteACP}},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			acl, err := ParseACL([]byte(tt.acl))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, acl.PublicPermissions()); diff != "" {
				t.Errorf("PublicPermissions (-want +got):\n%s", diff)
			}
			if got, want := len(acl.PublicGrants()) > 0, len(tt.want) > 0; got != want {
				t.Errorf("PublicGrants non-empty = %v, want %v", got, want)
			}
		})
	}
}

func TestCannedACL(t *testing.T) {
	tests := []struct {
		name string
		want []Permission
	}{
		{"private", nil},
		{"public-read", []Permission{Read}},
		{"Public-Read-Write", []Permission{Read, Write}},
		{"authenticated-read", []Permission{Read}},
		{"bucket-owner-full-control", nil},
		{"log-delivery-write", nil},
		{"aws-exec-read", nil},
	}
	for _, tt := range tests {
		acl, err := CannedACL(tt.name)
		if err != nil {
			t.Fatalf("CannedACL(%q): %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, acl.PublicPermissions()); diff != "" {
			t.Errorf("CannedACL(%q).PublicPermissions (-want +got):\n%s", tt.name, diff)
		}
	}
	if _, err := CannedACL("public"); err == nil {
		t.Error(`CannedACL("public") succeeded`)
	}
}

func TestACLFromHeaders(t *testing.T) {
	tests := []struct {
		reason  string
		headers map[string][]string
		want    *ACL
		wantErr string
	}{
		{"canned private (the Panther PutBucketAcl record)", map[string][]string{"x-amz-acl": {"private"}, "acl": {""}}, &ACL{}, ""},
		{"canned public-read", map[string][]string{"X-Amz-Acl": {"public-read"}}, &ACL{Grants: []ACLGrant{{Grantee{Type: Group, URI: AllUsersURI}, Read}}}, ""},
		{"grant headers with several grantees", map[string][]string{
			"x-amz-grant-read":         {`uri="http://acs.amazonaws.com/groups/global/AllUsers", id="abc"`},
			"x-amz-grant-full-control": {`emailAddress="a@example.com"`},
		}, &ACL{Grants: []ACLGrant{
			{Grantee{Type: AmazonCustomerByEmail, Email: "a@example.com"}, FullControl},
			{Grantee{Type: Group, URI: AllUsersURI}, Read},
			{Grantee{Type: CanonicalUser, ID: "abc"}, Read},
		}}, ""},
		{"unquoted values", map[string][]string{"x-amz-grant-write": {`id=111, uri=http://acs.amazonaws.com/groups/global/AuthenticatedUsers`}},
			&ACL{Grants: []ACLGrant{{Grantee{Type: CanonicalUser, ID: "111"}, Write}, {Grantee{Type: Group, URI: AuthenticatedUsersURI}, Write}}}, ""},
		{"unknown canned ACL", map[string][]string{"x-amz-acl": {"everyone"}}, nil,
			`x-amz-acl: unknown canned ACL "everyone" (known: authenticated-read, aws-exec-read, bucket-owner-full-control, bucket-owner-read, log-delivery-write, private, public-read, public-read-write)`},
		{"unknown grantee type", map[string][]string{"x-amz-grant-read": {`user="x"`}}, nil, `x-amz-grant-read: grantee type "user": expected uri, id or emailAddress`},
		{"unterminated quote", map[string][]string{"x-amz-grant-read": {`id="x`}}, nil, `x-amz-grant-read: grantee "id=\"x": unterminated quote`},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			got, err := ACLFromHeaders(tt.headers)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ACLFromHeaders (-want +got):\n%s", diff)
			}
		})
	}
}

func ExampleParseACL() {
	// supplementaryConfiguration.AccessControlList of an AWS Config item.
	acl, err := ParseACL([]byte(`"{\"grantSet\":null,\"grantList\":[{\"grantee\":{\"id\":\"8ac8\",\"displayName\":null},\"permission\":\"FullControl\"},{\"grantee\":\"AllUsers\",\"permission\":\"Read\"}],\"owner\":{\"displayName\":null,\"id\":\"8ac8\"},\"isRequesterCharged\":false}"`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(acl.PublicPermissions())
	fmt.Println(acl.GrantsEveryone(Write))
	// Output:
	// [READ]
	// false
}
