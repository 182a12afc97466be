package rules

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// dataBenchItems generates n items of the data family's types, in the
// notification shape, varied so every rule meets each of its outcomes.
func dataBenchItems(b *testing.B, n int) []*evaluate.ConfigurationItem {
	b.Helper()
	items := make([]*evaluate.ConfigurationItem, 0, n)
	for i := range n {
		var typ, id string
		var conf any
		supp := map[string]any{}
		switch i % 6 {
		case 0:
			typ, id = resource.KMSKeyType, fmt.Sprintf("%08x-1111-4222-8333-%012x", i, i)
			manager := []string{"CUSTOMER", "CUSTOMER", "AWS"}[i%3]
			conf = map[string]any{"keyId": id, "arn": "arn:aws:kms:eu-west-1:111122223333:key/" + id,
				"creationDate": 1621024924302, "enabled": true, "keyUsage": "ENCRYPT_DECRYPT", "keyState": []string{"Enabled", "PendingDeletion"}[i%7/6],
				"origin": "AWS_KMS", "keyManager": manager, "customerMasterKeySpec": "SYMMETRIC_DEFAULT", "keySpec": "SYMMETRIC_DEFAULT",
				"encryptionAlgorithms": []string{"SYMMETRIC_DEFAULT"}, "multiRegion": false, "awsaccountId": "111122223333"}
			supp["KeyRotationStatus"] = i%4 != 0
			supp["Policy"] = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`
		case 1:
			typ, id = resource.RDSDBInstanceType, fmt.Sprintf("db-%026X", i)
			conf = map[string]any{"dBInstanceIdentifier": fmt.Sprintf("db%d", i), "dbiResourceId": id,
				"engine": []string{"postgres", "mysql", "aurora-postgresql"}[i%3], "storageEncrypted": i%5 != 0,
				"kmsKeyId":           "arn:aws:kms:eu-west-1:111122223333:key/e20f3a10-781f-4582-93d7-6dfe67cac827",
				"publiclyAccessible": i%7 == 0, "multiAZ": i%2 == 0, "backupRetentionPeriod": i % 8,
				"preferredBackupWindow": "05:19-05:49", "dBInstanceClass": "db.t3.medium", "allocatedStorage": 100,
				"vpcSecurityGroups": []map[string]string{{"vpcSecurityGroupId": "sg-837620f1", "status": "active"}}}
		case 2:
			typ, id = resource.RDSDBSnapshotType, fmt.Sprintf("snap-%d", i)
			conf = map[string]any{"dBSnapshotIdentifier": id, "dBInstanceIdentifier": "db1", "engine": "mysql",
				"snapshotType": "manual", "encrypted": i%3 != 0, "status": "available", "port": 3306}
			values := []string{}
			if i%9 == 2 {
				values = append(values, "all")
			}
			supp["DBSnapshotAttributes"] = []map[string]any{{"attributeName": "restore", "attributeValues": values}}
		case 3:
			typ, id = resource.RDSDBClusterSnapshotType, fmt.Sprintf("cluster-snap-%d", i)
			conf = map[string]any{"dbclusterSnapshotIdentifier": id, "engine": "aurora-postgresql", "storageEncrypted": i%2 == 0, "snapshotType": "automated"}
			supp["DBClusterSnapshotAttributes"] = []map[string]any{{"attributeName": "restore", "attributeValues": []string{}}}
		case 4:
			typ, id = resource.LambdaFunctionType, fmt.Sprintf("function-%d", i)
			c := map[string]any{"functionName": id, "functionArn": "arn:aws:lambda:eu-west-1:111122223333:function:" + id,
				"runtime": "python3.12", "handler": "app.handler", "codeSize": 8830136.0, "timeout": 60.0, "memorySize": 128.0,
				"vpcConfig": map[string]any{"subnetIds": []string{}, "securityGroupIds": []string{}}}
			if i%2 == 0 {
				c["vpcConfig"] = map[string]any{"subnetIds": []string{"subnet-8dee48a7", "subnet-23deb22f"}, "securityGroupIds": []string{"sg-e463c89c"}}
			}
			if i%3 != 0 { // items from templates carry their environment
				vars := map[string]string{"STAGE": "prod", "TABLE_NAME": "orders", "LOG_LEVEL": "INFO",
					"DB_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf"}
				if i%5 == 0 {
					vars["DB_PASSWORD"] = fmt.Sprintf("c0rrect-H0rse-%d-St4ple!", i)
				}
				c["environment"] = map[string]any{"variables": vars}
			}
			conf = c
			principal := []any{map[string]string{"Service": "apigateway.amazonaws.com"}, "*"}[i%7/6]
			supp["Policy"] = fmt.Sprintf(`{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"api","Effect":"Allow","Principal":%s,"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:eu-west-1:111122223333:function:%s","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:eu-west-1:111122223333:ia2ajo0b3m/*/POST/register"}}}]}`, mustJSON(b, principal), id)
		case 5:
			typ, id = resource.CloudFrontDistributionType, fmt.Sprintf("E%013d", i)
			origin := map[string]any{"id": "S3-assets", "domainName": "assets.s3.us-east-1.amazonaws.com",
				"s3OriginConfig": map[string]any{"originAccessIdentity": []string{"origin-access-identity/cloudfront/E15MNIMTCFKK4C", ""}[i%2]}}
			conf = map[string]any{"id": id, "domainName": "d1012uk692aoh5.cloudfront.net", "distributionConfig": map[string]any{
				"origins":              map[string]any{"quantity": 1, "items": []any{origin}},
				"defaultCacheBehavior": map[string]any{"targetOriginId": "S3-assets", "viewerProtocolPolicy": []string{"redirect-to-https", "allow-all", "https-only"}[i%3]},
				"cacheBehaviors":       map[string]any{"quantity": 1, "items": []any{map[string]any{"pathPattern": "/api/*", "targetOriginId": "S3-assets", "viewerProtocolPolicy": "https-only"}}},
			}}
		}
		raw, err := json.Marshal(map[string]any{
			"configurationItemVersion": "1.3", "configurationItemCaptureTime": "2026-11-18T10:12:31.502Z",
			"configurationStateId": 1763460751502 + i, "awsAccountId": "111122223333", "configurationItemStatus": "OK",
			"resourceType": typ, "resourceId": id, "resourceName": id, "awsRegion": "eu-west-1",
			"relationships": []any{}, "tags": map[string]string{}, "configuration": conf, "supplementaryConfiguration": supp,
		})
		if err != nil {
			b.Fatal(err)
		}
		ci, err := evaluate.DecodeItem(raw)
		if err != nil {
			b.Fatal(err)
		}
		items = append(items, ci)
	}
	return items
}

// BenchmarkDataFamily scans 100,000 items of the family's types with its
// rules: from decoded items, and from the JSON of a Config snapshot.
func BenchmarkDataFamily(b *testing.B) {
	const n = 100_000
	items := dataBenchItems(b, n)
	engine, err := evaluate.NewEngine(dataRules(), evaluate.WithClock(func() time.Time { return fixtureClock }))
	if err != nil {
		b.Fatal(err)
	}
	perType := map[string]int{}
	for _, r := range dataRules() {
		for _, t := range r.Metadata().ResourceTypes {
			perType[t]++
		}
	}
	want := 0
	for _, ci := range items {
		want += perType[ci.ResourceType]
	}
	scan := func(b *testing.B, src evaluate.Source) {
		evaluations := 0
		for _, err := range engine.Scan(context.Background(), src) {
			if err != nil {
				b.Fatal(err)
			}
			evaluations++
		}
		if evaluations != want {
			b.Fatalf("%d evaluations of %d items, want %d", evaluations, n, want)
		}
	}
	b.Run("items", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			scan(b, evaluate.Items(items...))
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
	})
	b.Run("snapshot-json", func(b *testing.B) {
		var buf bytes.Buffer
		buf.WriteString(`{"fileVersion": "1.0", "configSnapshotId": "bench", "configurationItems": [`)
		for i, ci := range items {
			if i > 0 {
				buf.WriteByte(',')
			}
			raw, err := json.Marshal(ci)
			if err != nil {
				b.Fatal(err)
			}
			buf.Write(raw)
		}
		buf.WriteString("]}")
		data := buf.Bytes()
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			scan(b, evaluate.Read(bytes.NewReader(data), "snapshot.json"))
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
	})
}

func mustJSON(b *testing.B, v any) string {
	b.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return string(raw)
}
