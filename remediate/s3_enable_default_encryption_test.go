package remediate

import (
	"testing"
)

const (
	keyA       = "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111"
	keyAID     = "11111111-1111-1111-1111-111111111111"
	keyAAlias  = "alias/data"
	keyB       = "arn:aws:kms:us-east-1:123456789012:key/22222222-2222-2222-2222-222222222222"
	keyManaged = "arn:aws:kms:us-east-1:123456789012:key/33333333-3333-3333-3333-333333333333"
)

var testKeys = map[string]fakeKey{
	keyA:               {arn: keyA},
	keyAID:             {arn: keyA},
	keyAAlias:          {arn: keyA},
	keyB:               {arn: keyB},
	keyManaged:         {arn: keyManaged, manager: "AWS"},
	"alias/aws/s3":     {arn: keyManaged, manager: "AWS"},
	"alias/aws/ebs":    {arn: keyManaged, manager: "AWS"},
	"alias/other-team": {arn: keyB},
}

func encryptionDoc(alg, key, bucketKey string) string {
	// The SDK writes KMSMasterKeyID before SSEAlgorithm.
	s := `<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault>`
	if key != "" {
		s += `<KMSMasterKeyID>` + key + `</KMSMasterKeyID>`
	}
	s += `<SSEAlgorithm>` + alg + `</SSEAlgorithm></ApplyServerSideEncryptionByDefault>`
	if bucketKey != "" {
		s += `<BucketKeyEnabled>` + bucketKey + `</BucketKeyEnabled>`
	}
	return s + `</Rule></ServerSideEncryptionConfiguration>`
}

func TestS3EnableDefaultEncryption(t *testing.T) {
	const bucket = "example-data"
	const arn = "arn:aws:s3:::example-data"
	kms := map[string]string{"sseAlgorithm": "aws:kms", "kmsKeyId": keyAAlias}
	tests := []struct {
		reason  string
		params  map[string]string
		current string // the stored encryption document; "" = none
		wantPut string // the PutBucketEncryption body; "" = no write
		detail  string
	}{
		{
			reason:  "no default encryption: SSE-S3 by default",
			wantPut: encryptionDoc("AES256", "", ""),
			detail:  "no default encryption; set SSE-S3 (AES256)",
		},
		{
			reason:  "SSE-S3 already, SSE-S3 requested: nothing to do",
			current: encryptionDoc("AES256", "", ""),
			detail:  "already SSE-S3 (AES256)",
		},
		{
			reason:  "SSE-KMS is never replaced by the weaker SSE-S3",
			current: encryptionDoc("aws:kms", keyB, "true"),
			detail:  "already SSE-KMS, stronger than the requested SSE-S3; left as is",
		},
		{
			reason:  "SSE-S3 is upgraded to SSE-KMS with the key and bucket keys",
			params:  kms,
			current: encryptionDoc("AES256", "", ""),
			wantPut: encryptionDoc("aws:kms", keyAAlias, "true"),
			detail:  "default encryption is SSE-S3; set SSE-KMS with key alias/data, bucket keys true",
		},
		{
			reason:  "the same key named by ARN and by alias, bucket keys on: nothing to do",
			params:  kms,
			current: encryptionDoc("aws:kms", keyA, "true"),
			detail:  "already SSE-KMS with key " + keyA,
		},
		{
			reason:  "the same key with bucket keys off: bucket keys are turned on",
			params:  kms,
			current: encryptionDoc("aws:kms", keyAID, "false"),
			wantPut: encryptionDoc("aws:kms", keyAAlias, "true"),
			detail:  "SSE-KMS with the requested key but bucket keys off; turn bucket keys on",
		},
		{
			reason:  "bucket keys requested off are not turned off",
			params:  map[string]string{"sseAlgorithm": "aws:kms", "kmsKeyId": keyA, "bucketKeyEnabled": "false"},
			current: encryptionDoc("aws:kms", keyA, "true"),
			detail:  "already SSE-KMS with key " + keyA,
		},
		{
			reason:  "SSE-KMS with the AWS managed aws/s3 key (no key id) is upgraded to the customer key",
			params:  kms,
			current: encryptionDoc("aws:kms", "", ""),
			wantPut: encryptionDoc("aws:kms", keyAAlias, "true"),
			detail:  "SSE-KMS uses the AWS managed key aws/s3; set SSE-KMS with key alias/data, bucket keys true",
		},
		{
			reason:  "SSE-KMS with the AWS managed key named by ARN is upgraded",
			params:  kms,
			current: encryptionDoc("aws:kms", keyManaged, ""),
			wantPut: encryptionDoc("aws:kms", keyAAlias, "true"),
			detail:  "SSE-KMS uses the AWS managed key " + keyManaged + "; set SSE-KMS with key alias/data, bucket keys true",
		},
		{
			reason:  "another customer managed key is not replaced",
			params:  kms,
			current: encryptionDoc("aws:kms", "alias/other-team", "true"),
			detail:  "already SSE-KMS with customer managed key alias/other-team; not replaced by alias/data",
		},
		{
			reason:  "DSSE-KMS is left as is",
			params:  kms,
			current: encryptionDoc("aws:kms:dsse", keyB, ""),
			detail:  "already DSSE-KMS (dual-layer), at least as strong as requested; left as is",
		},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			sc := scenario{
				rem:    "s3-enable-default-encryption",
				target: Target{ResourceID: bucket, Parameters: tt.params},
				setup: func(f *fakeAWS) {
					docs := map[string]string{}
					if tt.current != "" {
						docs["encryption"] = tt.current
					}
					f.bucket(bucket, docs)
					f.keys(testKeys)
				},
				wantWrites:  []string{},
				wantActions: []Action{{API: "s3:PutBucketEncryption", Resource: arn, Detail: tt.detail}},
			}
			if tt.wantPut != "" {
				sc.wantWrites = []string{"s3:PutBucketEncryption"}
				sc.wantActions[0].Needed, sc.wantActions[0].Applied = true, true
				sc.checkWrites = func(t *testing.T, w []call) {
					checkXML(t, "PutBucketEncryption", w[0].Body, tt.wantPut)
					if w[0].Path != "/"+bucket || !w[0].Query.Has("encryption") {
						t.Errorf("PutBucketEncryption went to %s?%s, want path-style /%s?encryption", w[0].Path, w[0].Query.Encode(), bucket)
					}
				}
			}
			runScenario(t, sc)
		})
	}
}
