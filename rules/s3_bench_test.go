package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// s3BenchItems generates buckets shaped as Config records them (seeded, so
// every run measures the same inputs): policies of one to five statements
// drawn from the shapes of real bucket policies (TLS denies, public reads,
// organization, IP, VPC endpoint and service restrictions, cross-account
// grants, upload-encryption denies) or none, ACLs with owner, AllUsers,
// AuthenticatedUsers, LogDelivery and other-account grants, bucket-level
// Block Public Access in several combinations, ownership controls,
// encryption, versioning and logging; and the account Block Public Access
// items of two of the three accounts.
func s3BenchItems(n int) []*evaluate.ConfigurationItem {
	rng := rand.New(rand.NewPCG(3, 4))
	pick := func(list ...string) string { return list[rng.IntN(len(list))] }
	accounts := []string{"111122223333", "444455556666", "777788889999"}
	regions := []string{"eu-west-1", "us-east-1"}
	capture := time.Date(2026, 11, 2, 9, 14, 27, 0, time.UTC)
	owner := "8ac813c84b8ad4d9f3e35f80aaeb254f85922a902ce87ed6b49ccbfa188f5a12"
	var items []*evaluate.ConfigurationItem
	for i, account := range accounts[:2] {
		items = append(items, &evaluate.ConfigurationItem{
			ResourceType: s3AccountPublicAccessBlockType, ResourceID: account, AccountID: account, Region: "us-east-1",
			Status: evaluate.StatusOK, CaptureTime: capture,
			Configuration: json.RawMessage(fmt.Sprintf(`{"blockPublicAcls":true,"ignorePublicAcls":%t,"blockPublicPolicy":true,"restrictPublicBuckets":%t}`, i == 0, i == 0)),
		})
	}
	str := func(v any) json.RawMessage {
		b, _ := json.Marshal(v)
		return b
	}
	for i := range n {
		name := fmt.Sprintf("bucket-%06d-%s", i, pick("logs", "data", "web", "backup", "artifacts"))
		arn := "arn:aws:s3:::" + name
		both := fmt.Sprintf(`[%q,%q]`, arn, arn+"/*")
		var stmts []string
		if rng.IntN(5) != 0 {
			for range 1 + rng.IntN(5) {
				switch rng.IntN(10) {
				case 0, 1:
					stmts = append(stmts, fmt.Sprintf(`{"Sid":"AllowSSLRequestsOnly","Effect":"Deny","Principal":%s,"Action":"s3:*","Resource":%s,"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`,
						pick(`"*"`, `{"AWS":"*"}`), pick(both, fmt.Sprintf("%q", arn+"/*"))))
				case 2:
					stmts = append(stmts, fmt.Sprintf(`{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":%q}`, arn+"/*"))
				case 3:
					stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*","Resource":%s,"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-%08d"}}}`, both, rng.IntN(1e8)))
				case 4:
					stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:PutObject"],"Resource":%q,"Condition":{"IpAddress":{"aws:SourceIp":[%q,"2001:db8::/32"]}}}`,
						arn+"/*", pick("10.0.0.0/8", "0.0.0.0/0", "192.0.2.0/24")))
				case 5:
					stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":%q,"Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}`, arn+"/logs/*"))
				case 6:
					stmts = append(stmts, fmt.Sprintf(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":%s,"Condition":{"StringNotEquals":{"aws:SourceVpce":%q}}}`, both, pick("vpce-1a2b3c4d", "vpce-5e6f7a8b")))
				case 7:
					stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Principal":{"AWS":[%q,"arn:aws:iam::111122223333:role/reader"]},"Action":%s,"Resource":%s}`,
						pick("arn:aws:iam::999900009999:root", "444455556666", "arn:aws:iam::111122223333:role/etl"), pick(`"s3:Get*"`, `["s3:GetObject","s3:PutObjectAcl"]`, `"s3:*"`), both))
				case 8:
					stmts = append(stmts, fmt.Sprintf(`{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":%q,"Condition":{%s}}`,
						arn+"/*", pick(`"Null":{"s3:x-amz-server-side-encryption":"true"}`, `"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}`)))
				default:
					stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:role/blocked"},"NotAction":"s3:Delete*","Resource":%q}`, arn+"/*"))
				}
			}
		}
		var policy any
		if len(stmts) > 0 {
			policy = `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
		}
		grants := []string{fmt.Sprintf(`{"grantee":{"id":%q,"displayName":null},"permission":"FullControl"}`, owner)}
		switch rng.IntN(8) {
		case 0:
			grants = append(grants, `{"grantee":"AllUsers","permission":"Read"}`)
		case 1:
			grants = append(grants, `{"grantee":"AuthenticatedUsers","permission":"Write"}`)
		case 2:
			grants = append(grants, `{"grantee":"LogDelivery","permission":"Write"}`, `{"grantee":"LogDelivery","permission":"ReadAcp"}`)
		case 3:
			grants = append(grants, `{"grantee":{"id":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be","displayName":null},"permission":"Read"}`)
		}
		acl := fmt.Sprintf(`{"grantSet":null,"grantList":[%s],"owner":{"displayName":null,"id":%q},"isRequesterCharged":false}`, strings.Join(grants, ","), owner)
		supp := map[string]json.RawMessage{
			"AccessControlList":             str(acl),
			"BucketAccelerateConfiguration": json.RawMessage(`{"status":null}`),
			"BucketPolicy":                  str(map[string]any{"policyText": policy}),
			"IsRequesterPaysEnabled":        json.RawMessage(`false`),
			"BucketVersioningConfiguration": json.RawMessage(fmt.Sprintf(`{"status":%q,"isMfaDeleteEnabled":null}`, pick("Off", "Enabled", "Enabled", "Suspended"))),
			"BucketLoggingConfiguration":    json.RawMessage(pick(`{"destinationBucketName":null,"logFilePrefix":null}`, `{"destinationBucketName":"access-logs","logFilePrefix":"`+name+`/"}`)),
		}
		switch rng.IntN(4) {
		case 0:
		case 1:
			supp["PublicAccessBlockConfiguration"] = json.RawMessage(`{"blockPublicAcls":true,"ignorePublicAcls":true,"blockPublicPolicy":true,"restrictPublicBuckets":true}`)
		default:
			supp["PublicAccessBlockConfiguration"] = json.RawMessage(fmt.Sprintf(`{"blockPublicAcls":%t,"ignorePublicAcls":%t,"blockPublicPolicy":%t,"restrictPublicBuckets":%t}`,
				rng.IntN(2) == 0, rng.IntN(2) == 0, rng.IntN(2) == 0, rng.IntN(2) == 0))
		}
		if o := pick("", "BucketOwnerEnforced", "BucketOwnerEnforced", "ObjectWriter", "BucketOwnerPreferred"); o != "" {
			supp["BucketOwnershipControls"] = json.RawMessage(fmt.Sprintf(`{"bucketName":%q,"ownershipControls":{"rules":[{"objectOwnership":%q}]}}`, name, o))
		}
		if alg := pick("", "AES256", "AES256", "aws:kms"); alg != "" {
			key := "null"
			if alg == "aws:kms" {
				key = `"arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"`
			}
			supp["ServerSideEncryptionConfiguration"] = json.RawMessage(fmt.Sprintf(`{"rules":[{"applyServerSideEncryptionByDefault":{"sseAlgorithm":%q,"kmsMasterKeyID":%s},"bucketKeyEnabled":false}]}`, alg, key))
		}
		items = append(items, &evaluate.ConfigurationItem{
			ResourceType: resource.S3BucketType, ResourceID: name, ResourceName: name, ARN: arn,
			AccountID: accounts[i%len(accounts)], Region: regions[i%len(regions)], Status: evaluate.StatusOK, CaptureTime: capture,
			Configuration:              json.RawMessage(fmt.Sprintf(`{"name":%q,"owner":{"displayName":null,"id":%q},"creationDate":"2024-03-11T09:12:45.000Z"}`, name, owner)),
			SupplementaryConfiguration: supp,
		})
	}
	return items
}

// BenchmarkS3Family scans 100,000 buckets with the family's fourteen
// rules (and the account-level rule once per account).
func BenchmarkS3Family(b *testing.B) {
	const buckets = 100_000
	items := s3BenchItems(buckets)
	engine, err := evaluate.NewEngine(s3Rules(),
		evaluate.WithClock(func() time.Time { return fixtureClock }),
		evaluate.WithParameters(map[string]map[string]string{
			"s3-bucket-policy-not-more-permissive":     {"controlPolicy": `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:Get*","Resource":"arn:aws:s3:::*"}]}`},
			"s3-bucket-blacklisted-actions-prohibited": {"blacklistedActionPattern": "s3:DeleteBucketPolicy,s3:PutBucketAcl,s3:PutBucketPolicy,s3:PutEncryptionConfiguration,s3:PutObjectAcl"},
			"s3-bucket-policy-grantee-check":           {"awsPrincipals": "111122223333,444455556666", "servicePrincipals": "logging.s3.amazonaws.com", "ipAddresses": "10.0.0.0/8"},
		}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var evaluations int
	counts := map[evaluate.Compliance]int{}
	b.ResetTimer()
	for b.Loop() {
		evaluations = 0
		clear(counts)
		for ev, err := range engine.Scan(ctx, evaluate.Items(items...)) {
			if err != nil {
				b.Fatal(err)
			}
			evaluations++
			counts[ev.Compliance]++
		}
	}
	b.ReportMetric(float64(buckets)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(float64(evaluations)*float64(b.N)/b.Elapsed().Seconds(), "evaluations/s")
	if counts[evaluate.Compliant] == 0 || counts[evaluate.NonCompliant] == 0 || counts[evaluate.InsufficientData] == 0 {
		b.Fatalf("the generated buckets should give every outcome, got %v", counts)
	}
}
