package policy

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePublicAccessBlock(t *testing.T) {
	tests := []struct {
		reason string
		input  string
		want   PublicAccessBlock
	}{
		{"AWS Config account configuration (camel case)", `{"blockPublicAcls":true,"ignorePublicAcls":true,"blockPublicPolicy":true,"restrictPublicBuckets":true}`,
			PublicAccessBlock{true, true, true, true}},
		{"CloudTrail requestParameters (Pascal case, wrapped, xmlns)", `{"bucketName":"b","PublicAccessBlockConfiguration":{"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/","BlockPublicAcls":true,"IgnorePublicAcls":false,"BlockPublicPolicy":true,"RestrictPublicBuckets":false},"publicAccessBlock":[""]}`,
			PublicAccessBlock{BlockPublicAcls: true, BlockPublicPolicy: true}},
		{"strings as booleans (hook inputs, API shape)", `"{\"BlockPublicAcls\":\"true\",\"IgnorePublicAcls\":\"FALSE\",\"BlockPublicPolicy\":\"false\",\"RestrictPublicBuckets\":\"True\"}"`,
			PublicAccessBlock{BlockPublicAcls: true, RestrictPublicBuckets: true}},
		{"absent settings are false", `{"BlockPublicAcls":true}`, PublicAccessBlock{BlockPublicAcls: true}},
		{"null is nothing blocked", `null`, PublicAccessBlock{}},
		{"a null wrapped configuration is nothing blocked", `{"PublicAccessBlockConfiguration":null}`, PublicAccessBlock{}},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			got, err := ParsePublicAccessBlock([]byte(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParsePublicAccessBlock (-want +got):\n%s", diff)
			}
		})
	}
	for input, want := range map[string]string{
		`{"BlockPublicAcls":"yes"}`:                                 `BlockPublicAcls: must be true or false, found "yes"`,
		`{"PublicAccessBlockConfiguration":{"IgnorePublicAcls":1}}`: `PublicAccessBlockConfiguration.IgnorePublicAcls: must be true or false, found 1`,
		`[true]`:                                 `must be an object, found an array`,
		`{"a":}`:                                 `invalid JSON at offset 5: unexpected '}' looking for a value`,
		``:                                       `no document (empty or null)`,
		`"true"`:                                 `must be an object, found a boolean`,
		`{"PublicAccessBlockConfiguration":"x"}`: `invalid JSON at offset 0: unexpected 'x' looking for a value`,
	} {
		if _, err := ParsePublicAccessBlock([]byte(input)); err == nil || err.Error() != want {
			t.Errorf("ParsePublicAccessBlock(%s) error = %v, want %q", input, err, want)
		}
	}
}

func TestPublicAccessBlockSemantics(t *testing.T) {
	account := PublicAccessBlock{BlockPublicAcls: true, BlockPublicPolicy: true}
	bucket := PublicAccessBlock{IgnorePublicAcls: true}
	both := account.Combine(bucket)
	if diff := cmp.Diff(PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true}, both); diff != "" {
		t.Errorf("Combine (-want +got):\n%s", diff)
	}
	tests := []struct {
		reason            string
		p                 PublicAccessBlock
		acls, policy, all bool
		off               []string
	}{
		{"BlockPublicAcls alone leaves existing public ACLs in force", PublicAccessBlock{BlockPublicAcls: true}, false, false, false,
			[]string{"IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"}},
		{"IgnorePublicAcls makes them ineffective", PublicAccessBlock{IgnorePublicAcls: true}, true, false, false,
			[]string{"BlockPublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"}},
		{"BlockPublicPolicy alone leaves an existing public policy in force", PublicAccessBlock{BlockPublicPolicy: true}, false, false, false,
			[]string{"BlockPublicAcls", "IgnorePublicAcls", "RestrictPublicBuckets"}},
		{"RestrictPublicBuckets makes a public policy ineffective", PublicAccessBlock{RestrictPublicBuckets: true}, false, true, false,
			[]string{"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy"}},
		{"all four", PublicAccessBlock{true, true, true, true}, true, true, true, nil},
	}
	for _, tt := range tests {
		if got := tt.p.BlocksPublicACLs(); got != tt.acls {
			t.Errorf("%s: BlocksPublicACLs = %v, want %v", tt.reason, got, tt.acls)
		}
		if got := tt.p.BlocksPublicPolicy(); got != tt.policy {
			t.Errorf("%s: BlocksPublicPolicy = %v, want %v", tt.reason, got, tt.policy)
		}
		if got := tt.p.All(); got != tt.all {
			t.Errorf("%s: All = %v, want %v", tt.reason, got, tt.all)
		}
		if diff := cmp.Diff(tt.off, tt.p.Off()); diff != "" {
			t.Errorf("%s: Off (-want +got):\n%s", tt.reason, diff)
		}
	}
}

func ExamplePublicAccessBlock_Combine() {
	account, _ := ParsePublicAccessBlock([]byte(`{"blockPublicAcls":true,"ignorePublicAcls":false,"blockPublicPolicy":true,"restrictPublicBuckets":false}`))
	bucket, _ := ParsePublicAccessBlock([]byte(`{"BlockPublicAcls":false,"IgnorePublicAcls":true,"BlockPublicPolicy":false,"RestrictPublicBuckets":false}`))
	effective := account.Combine(bucket)
	fmt.Println("public ACLs ignored:", effective.BlocksPublicACLs())
	fmt.Println("public policy restricted:", effective.BlocksPublicPolicy())
	fmt.Println("off:", effective.Off())
	// Output:
	// public ACLs ignored: true
	// public policy restricted: false
	// off: [RestrictPublicBuckets]
}
