package remediate

import (
	"context"
	"testing"
)

// BenchmarkCheck measures the refusal checks every invocation runs before
// any request.
func BenchmarkCheck(b *testing.B) {
	r, _ := ByID("vpc-enable-flow-logs")
	target := Target{ResourceID: "vpc-0a1b2c3d4e5f60718", Parameters: map[string]string{
		"destination": "/vpc/flow-logs", "deliverLogsPermissionArn": "arn:aws:iam::123456789012:role/flow-logs"}}
	for b.Loop() {
		if err := r.Check(target); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAll measures building the catalog, which ByID does per call.
func BenchmarkAll(b *testing.B) {
	for b.Loop() {
		if len(All()) == 0 {
			b.Fatal("empty")
		}
	}
}

// BenchmarkPlanRequireTLS measures a plan of s3-require-tls against the fake
// S3 over loopback HTTP: one GetBucketPolicy, a policy parse and the TLS
// decision.
func BenchmarkPlanRequireTLS(b *testing.B) {
	fake := newFakeAWS(b)
	fake.bucket("example-data", map[string]string{"policy": `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"A","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-data/*"}]}`})
	c := fake.clients()
	r, _ := ByID("s3-require-tls")
	ctx := context.Background()
	for b.Loop() {
		if _, err := r.Plan(ctx, c, Target{ResourceID: "example-data"}); err != nil {
			b.Fatal(err)
		}
	}
}
