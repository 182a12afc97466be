package policy

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDeniesUnencryptedUploads(t *testing.T) {
	objects := `"Resource":"arn:aws:s3:::b/*"`
	notEquals := `"Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}`
	null := `"Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}`
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
		want   UploadEncryptionCheck
	}{
		{
			reason: "StringNotEquals AES256: refuses uploads without the header or with another algorithm",
			policy: deny(`"Sid":"DenyIncorrectEncryptionHeader"`, `"Principal":"*"`, `"Action":"s3:PutObject"`, objects, notEquals),
			want: UploadEncryptionCheck{Enforced: true, Statements: []int{0},
				Reason: `Statement[0] (Sid "DenyIncorrectEncryptionHeader") denies s3:PutObject to every principal on arn:aws:s3:::b/* when the request does not ask for server-side encryption`},
		},
		{
			reason: "Null true alone refuses uploads without the header",
			policy: deny(`"Principal":{"AWS":"*"}`, `"Action":"s3:Put*"`, objects, null),
			want:   UploadEncryptionCheck{Enforced: true, Statements: []int{0}},
		},
		{
			reason: "the two statements of AWS's classic example, aws:kms",
			policy: `{"Statement":[
				{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}},
				{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"Null":{"s3:x-amz-server-side-encryption":true}}}]}`,
			want: UploadEncryptionCheck{Enforced: true, Statements: []int{0, 1}},
		},
		{
			reason: "IfExists and a list of algorithms, Action s3:*, Resource *",
			policy: deny(`"Principal":"*"`, `"Action":"s3:*"`, `"Resource":"*"`, `"Condition":{"StringNotEqualsIfExists":{"s3:x-amz-server-side-encryption":["AES256","aws:kms","aws:kms:dsse"]}}`),
			want:   UploadEncryptionCheck{Enforced: true, Statements: []int{0}},
		},
		{
			reason: "condition key matched without regard to case",
			policy: deny(`"Principal":"*"`, `"Action":"s3:PutObject"`, objects, `"Condition":{"StringNotLike":{"S3:X-Amz-Server-Side-Encryption":"*"}}`),
			want:   UploadEncryptionCheck{Enforced: true, Statements: []int{0}},
		},
		{
			reason: "a deny covering one prefix only",
			policy: deny(`"Principal":"*"`, `"Action":"s3:PutObject"`, `"Resource":"arn:aws:s3:::b/uploads/*"`, notEquals),
			want: UploadEncryptionCheck{Statements: []int{0},
				Reason: "the s3:x-amz-server-side-encryption deny (Statement[0]) does not cover every object arn:aws:s3:::b/*"},
		},
		{
			reason: "Null false denies encrypted uploads, not unencrypted ones",
			policy: deny(`"Principal":"*"`, `"Action":"s3:PutObject"`, objects, `"Condition":{"Null":{"s3:x-amz-server-side-encryption":"false"}}`),
			want:   UploadEncryptionCheck{Reason: "Statement[0] is narrowed by the condition Null s3:x-amz-server-side-encryption, so it does not apply to every such request"},
		},
		{
			reason: "StringEquals on a Deny refuses encrypted uploads",
			policy: deny(`"Principal":"*"`, `"Action":"s3:PutObject"`, objects, `"Condition":{"StringEquals":{"s3:x-amz-server-side-encryption":"AES256"}}`),
			want:   UploadEncryptionCheck{Reason: "Statement[0] is narrowed by the condition StringEquals s3:x-amz-server-side-encryption, so it does not apply to every such request"},
		},
		{
			reason: "a deny of another action",
			policy: deny(`"Principal":"*"`, `"Action":"s3:GetObject"`, objects, notEquals),
			want:   UploadEncryptionCheck{Reason: "Statement[0] denies only s3:GetObject, not s3:PutObject"},
		},
		{
			reason: "NotAction excluding s3:PutObject",
			policy: deny(`"Principal":"*"`, `"NotAction":"s3:Put*"`, objects, notEquals),
			want:   UploadEncryptionCheck{Reason: "Statement[0] excludes s3:Put* through NotAction, so it does not deny s3:PutObject"},
		},
		{
			reason: "a deny for one account only",
			policy: deny(`"Principal":{"AWS":"111122223333"}`, `"Action":"s3:PutObject"`, objects, notEquals),
			want:   UploadEncryptionCheck{Reason: `Statement[0] denies only some principals, not "*"`},
		},
		{
			reason: "a further condition narrows the deny",
			policy: deny(`"Principal":"*"`, `"Action":"s3:PutObject"`, objects, `"Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256","aws:PrincipalAccount":"111122223333"}}`),
			want:   UploadEncryptionCheck{Reason: "Statement[0] is narrowed by the condition StringNotEquals aws:PrincipalAccount, so it does not apply to every such request"},
		},
		{
			reason: "the KMS key id alone is not the encryption header",
			policy: deny(`"Principal":"*"`, `"Action":"s3:PutObject"`, objects, `"Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:eu-west-1:111122223333:key/k"}}`),
			want:   UploadEncryptionCheck{Reason: "no Deny statement with a condition on s3:x-amz-server-side-encryption"},
		},
		{
			reason: "ForAnyValue is not a single-valued test of the header",
			policy: deny(`"Principal":"*"`, `"Action":"s3:PutObject"`, objects, `"Condition":{"ForAnyValue:StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}`),
			want:   UploadEncryptionCheck{Reason: "Statement[0] is narrowed by the condition ForAnyValue:StringNotEquals s3:x-amz-server-side-encryption, so it does not apply to every such request"},
		},
		{
			reason: "an Allow with StringEquals is not a deny",
			policy: stmt(`"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:PutObject",` + objects + `,"Condition":{"StringEquals":{"s3:x-amz-server-side-encryption":"AES256"}}`),
			want:   UploadEncryptionCheck{Reason: "no Deny statement with a condition on s3:x-amz-server-side-encryption"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			got, err := mustParse(t, tt.policy).DeniesUnencryptedUploads("b")
			if err != nil {
				t.Fatal(err)
			}
			if tt.want.Reason == "" {
				got.Reason = ""
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DeniesUnencryptedUploads (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeniesUnencryptedUploadsBadBucket(t *testing.T) {
	_, err := mustParse(t, `{"Statement":[]}`).DeniesUnencryptedUploads("b/*")
	if want := `bucket "b/*": not a bucket name`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func ExampleDocument_DeniesUnencryptedUploads() {
	doc, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[{
	  "Sid": "DenyUnencryptedUploads", "Effect": "Deny", "Principal": "*",
	  "Action": "s3:PutObject", "Resource": "arn:aws:s3:::payroll/*",
	  "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	check, err := doc.DeniesUnencryptedUploads("payroll")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(check.Enforced)
	fmt.Println(check.Reason)
	// Output:
	// true
	// Statement[0] (Sid "DenyUnencryptedUploads") denies s3:PutObject to every principal on arn:aws:s3:::payroll/* when the request does not ask for server-side encryption
}
