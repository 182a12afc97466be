package policy

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// generatePolicies builds n varied bucket policies (seeded, so every run
// measures the same inputs): one to six statements drawn from the shapes seen
// in real bucket policies, in both the object and the array form, with
// strings and arrays, booleans as strings and as JSON, and now and then the
// JSON-string encoding Config uses.
func generatePolicies(n int) (docs [][]byte, buckets []string) {
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(list ...string) string { return list[r.IntN(len(list))] }
	for i := 0; i < n; i++ {
		bucket := fmt.Sprintf("bucket-%d-%s", i, pick("logs", "data", "web", "backup"))
		arn := "arn:aws:s3:::" + bucket
		var stmts []map[string]any
		for k := 0; k < 1+r.IntN(6); k++ {
			switch r.IntN(9) {
			case 0: // TLS deny, in its several spellings
				st := map[string]any{
					"Sid":       fmt.Sprintf("DenyHTTP%d", k),
					"Effect":    "Deny",
					"Principal": pick("*", `{"AWS":"*"}`),
					"Action":    pick("s3:*", "*", "s3:GetObject"),
					"Resource":  []string{arn, arn + "/*"},
					"Condition": map[string]any{pick("Bool", "BoolIfExists"): map[string]any{"aws:SecureTransport": []any{"false", false}[r.IntN(2)]}},
				}
				if st["Principal"] == `{"AWS":"*"}` {
					st["Principal"] = map[string]any{"AWS": "*"}
				}
				if r.IntN(4) == 0 {
					st["Resource"] = arn + "/*"
				}
				stmts = append(stmts, st)
			case 1: // public read
				stmts = append(stmts, map[string]any{
					"Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
					"Action": []string{"s3:GetObject", "s3:GetObjectVersion"}, "Resource": arn + "/*",
				})
			case 2: // org-restricted
				stmts = append(stmts, map[string]any{
					"Effect": "Allow", "Principal": map[string]any{"AWS": "*"},
					"Action": "s3:*", "Resource": []string{arn, arn + "/*"},
					"Condition": map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": fmt.Sprintf("o-%08d", r.IntN(1e8))}},
				})
			case 3: // IP-restricted, sometimes to everything
				stmts = append(stmts, map[string]any{
					"Effect": "Allow", "Principal": "*", "Action": []string{"s3:GetObject", "s3:PutObject"},
					"Resource":  arn + "/*",
					"Condition": map[string]any{"IpAddress": map[string]any{"aws:SourceIp": []string{pick("10.0.0.0/8", "0.0.0.0/0", "192.0.2.0/24"), "2001:db8::/32"}}},
				})
			case 4: // service principal with source conditions
				stmts = append(stmts, map[string]any{
					"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
					"Principal": map[string]any{"Service": []string{"cloudtrail.amazonaws.com", "config.amazonaws.com"}},
					"Action":    "s3:PutObject", "Resource": arn + "/AWSLogs/123456789012/*",
					"Condition": map[string]any{
						"StringEquals": map[string]any{"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": "123456789012"},
						"ArnLike":      map[string]any{"aws:SourceArn": "arn:aws:cloudtrail:*:123456789012:trail/*"},
					},
				})
			case 5: // cross-account role
				stmts = append(stmts, map[string]any{
					"Effect":    "Allow",
					"Principal": map[string]any{"AWS": []string{"arn:aws:iam::111122223333:role/reader", "444455556666"}},
					"Action":    []string{"s3:ListBucket", "s3:GetObject"}, "Resource": []string{arn, arn + "/*"},
				})
			case 6: // VPC endpoint restriction
				stmts = append(stmts, map[string]any{
					"Sid": "VPCOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
					"Resource":  []string{arn, arn + "/*"},
					"Condition": map[string]any{"StringNotEquals": map[string]any{"aws:SourceVpce": []string{"vpce-1a2b3c4d", "vpce-5e6f7a8b"}}},
				})
			case 7: // NotPrincipal deny
				stmts = append(stmts, map[string]any{
					"Effect": "Deny", "NotPrincipal": map[string]any{"AWS": "arn:aws:iam::123456789012:root"},
					"NotAction": []string{"s3:GetObject"}, "Resource": arn + "/*",
				})
			default: // wildcard-valued condition that does not restrict
				stmts = append(stmts, map[string]any{
					"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": arn + "/*",
					"Condition": map[string]any{"StringLike": map[string]any{"aws:SourceVpce": "vpce-*"}},
				})
			}
		}
		doc := map[string]any{"Version": "2012-10-17", "Statement": stmts}
		if len(stmts) == 1 && r.IntN(2) == 0 {
			doc["Statement"] = stmts[0]
		}
		b, err := json.MarshalIndent(doc, "", pick("", "  "))
		if err != nil {
			panic(err)
		}
		if r.IntN(5) == 0 { // Config's policyText: a JSON string
			b, _ = json.Marshal(string(b))
		}
		docs = append(docs, b)
		buckets = append(buckets, bucket)
	}
	return docs, buckets
}

func decide(data []byte, bucket string) (int, bool, error) {
	d, err := Parse(data)
	if err != nil {
		return 0, false, err
	}
	tls, err := d.DeniesInsecureTransport(bucket)
	if err != nil {
		return 0, false, err
	}
	return len(d.Public()), tls.Enforced, nil
}

// BenchmarkDecide measures, per policy, what an S3 rule does with a bucket
// policy: parse it, find its public grants, check the TLS deny. One op is one
// policy of the 10,000 generated ones.
func BenchmarkDecide(b *testing.B) {
	docs, buckets := generatePolicies(10000)
	var size int
	for _, d := range docs {
		size += len(d)
	}
	b.ReportAllocs()
	b.SetBytes(int64(size / len(docs)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(docs)
		if _, _, err := decide(docs[k], buckets[k]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecideMedian times each of the 10,000 policies on its own and
// reports the median and the 99th percentile, since the target is stated
// for the median.
func BenchmarkDecideMedian(b *testing.B) {
	docs, buckets := generatePolicies(10000)
	times := make([]time.Duration, len(docs))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range docs {
			start := time.Now()
			if _, _, err := decide(docs[k], buckets[k]); err != nil {
				b.Fatal(err)
			}
			times[k] = time.Since(start)
		}
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "median-ns/policy")
	b.ReportMetric(float64(times[len(times)*99/100].Nanoseconds()), "p99-ns/policy")
	b.ReportMetric(0, "ns/op")
}
