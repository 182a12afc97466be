package configrule

import (
	"context"
	"testing"

	"github.com/guardrails-go/guardrails/remediate"
)

func BenchmarkDecodeSSMRequest(b *testing.B) {
	payload := []byte(`{"remediation":"s3-enable-default-encryption","resourceType":"AWS::S3::Bucket","resourceId":"example-data",` +
		`"parameters":{"sseAlgorithm":"aws:kms","kmsKeyId":"alias/data","bucketKeyEnabled":"true"},"dryRun":false}`)
	for b.Loop() {
		if _, err := DecodeSSMRequest(payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSSMHandlerRefusal measures a refused invocation end to end
// (decode, look-up, checks), the work done before any AWS request.
func BenchmarkSSMHandlerRefusal(b *testing.B) {
	h, err := NewSSMHandler(&remediate.Clients{Region: "us-east-1"})
	if err != nil {
		b.Fatal(err)
	}
	payload := []byte(`{"remediation":"s3-enable-versioning","resourceId":"Not_A_Bucket"}`)
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Invoke(ctx, payload); err == nil {
			b.Fatal("accepted")
		}
	}
}
