package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// benchFacts answers facts from memory, as a caching provider does: the
// same bytes for every ask.
type benchFacts map[[2]string][]byte

func (f benchFacts) Fact(_ context.Context, account, _, name string) ([]byte, error) {
	if b, ok := f[[2]string{account, name}]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("%w: no %s for %s", evaluate.ErrUnknown, name, account)
}

const (
	benchAccounts        = 20
	benchUsersPerAccount = 3500
	benchRolesPerAccount = 800
	benchGroups          = 200
	benchPolicies        = 480
	benchTrails          = 10 // and as many buckets
)

// iamCloudTrailBenchData generates 100,000 items of the family's types
// (users, roles, groups, managed policies, trails and their buckets) in 20
// accounts, with every account's facts.
func iamCloudTrailBenchData(b *testing.B) ([]*evaluate.ConfigurationItem, benchFacts) {
	b.Helper()
	now := fixtureClock
	enc := func(v any) json.RawMessage {
		data, err := json.Marshal(v)
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	policyDoc := func(action string) string {
		return url.QueryEscape(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["%s","logs:PutLogEvents"],"Resource":"*"}]}`, action))
	}
	var items []*evaluate.ConfigurationItem
	fs := benchFacts{}
	for a := 0; a < benchAccounts; a++ {
		account := fmt.Sprintf("1000000000%02d", a)
		var report strings.Builder
		report.WriteString("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n")
		fmt.Fprintf(&report, "<root_account>,arn:aws:iam::%s:root,2019-04-02T08:11:52+00:00,not_supported,2026-10-30T07:45:12+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n", account)
		add := func(ci *evaluate.ConfigurationItem) {
			ci.AccountID, ci.Status, ci.CaptureTime = account, evaluate.StatusOK, now.Add(-time.Hour)
			items = append(items, ci)
		}
		for u := 0; u < benchUsersPerAccount; u++ {
			name := fmt.Sprintf("user-%04d", u)
			arn := "arn:aws:iam::" + account + ":user/" + name
			rotated := now.AddDate(0, 0, -(u % 200)).Format(time.RFC3339)
			used := now.AddDate(0, 0, -(u % 120)).Format(time.RFC3339)
			fmt.Fprintf(&report, "%s,%s,2024-03-01T09:30:00+00:00,%v,%s,2024-03-01T09:30:00+00:00,N/A,%v,true,%s,%s,eu-west-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n",
				name, arn, u%3 == 0, used, u%4 != 0, rotated, used)
			conf := map[string]any{"userName": name, "userId": fmt.Sprintf("AIDA%016d", u), "arn": arn, "path": "/",
				"groupList": []string{"developers"}, "userPolicyList": []any{}, "attachedManagedPolicies": []any{}}
			if u%10 == 0 {
				conf["userPolicyList"] = []any{map[string]string{"policyName": "inline", "policyDocument": policyDoc("s3:GetObject")}}
			}
			add(&evaluate.ConfigurationItem{ResourceType: resource.IAMUserType, ResourceID: fmt.Sprintf("AIDA%s%04d", account, u), ResourceName: name,
				ARN: arn, Region: "global", Configuration: enc(conf)})
		}
		for r := 0; r < benchRolesPerAccount; r++ {
			name := fmt.Sprintf("role-%04d", r)
			conf := map[string]any{"roleName": name, "roleId": fmt.Sprintf("AROA%016d", r), "arn": "arn:aws:iam::" + account + ":role/" + name,
				"assumeRolePolicyDocument": url.QueryEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
				"rolePolicyList":           []any{map[string]string{"policyName": "logs", "policyDocument": policyDoc("logs:CreateLogStream")}}, "attachedManagedPolicies": []any{}}
			add(&evaluate.ConfigurationItem{ResourceType: resource.IAMRoleType, ResourceID: fmt.Sprintf("AROA%s%04d", account, r), ResourceName: name, Region: "global", Configuration: enc(conf)})
		}
		for g := 0; g < benchGroups; g++ {
			name := fmt.Sprintf("group-%03d", g)
			conf := map[string]any{"groupName": name, "groupId": fmt.Sprintf("AGPA%016d", g), "groupPolicyList": []any{}, "attachedManagedPolicies": []any{}}
			add(&evaluate.ConfigurationItem{ResourceType: resource.IAMGroupType, ResourceID: fmt.Sprintf("AGPA%s%03d", account, g), ResourceName: name, Region: "global", Configuration: enc(conf)})
		}
		for p := 0; p < benchPolicies; p++ {
			name := fmt.Sprintf("policy-%03d", p)
			action := "ec2:Describe*"
			switch p % 7 {
			case 0:
				action = "*"
			case 1:
				action = "s3:*"
			}
			conf := map[string]any{"policyName": name, "policyId": fmt.Sprintf("ANPA%016d", p), "arn": "arn:aws:iam::" + account + ":policy/" + name,
				"defaultVersionId": "v1", "attachmentCount": 1, "permissionsBoundaryUsageCount": 0,
				"policyVersionList": []any{map[string]any{"versionId": "v1", "isDefaultVersion": true, "document": policyDoc(action)}}}
			add(&evaluate.ConfigurationItem{ResourceType: resource.IAMPolicyType, ResourceID: fmt.Sprintf("ANPA%s%03d", account, p), ResourceName: name, Region: "global", Configuration: enc(conf)})
		}
		for t := 0; t < benchTrails; t++ {
			name, bucket := fmt.Sprintf("trail-%d", t), fmt.Sprintf("trail-logs-%s-%d", account, t)
			conf := map[string]any{"name": name, "s3BucketName": bucket, "isMultiRegionTrail": t == 0, "homeRegion": "us-east-1",
				"trailARN": "arn:aws:cloudtrail:us-east-1:" + account + ":trail/" + name, "logFileValidationEnabled": t%2 == 0,
				"hasCustomEventSelectors": t == 1, "kmsKeyId": "", "cloudWatchLogsLogGroupArn": ""}
			add(&evaluate.ConfigurationItem{ResourceType: resource.CloudTrailTrailType, ResourceID: name, ResourceName: name, Region: "us-east-1", Configuration: enc(conf)})
			policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::%s/*"}]}`, bucket)
			add(&evaluate.ConfigurationItem{ResourceType: resource.S3BucketType, ResourceID: bucket, ResourceName: bucket, Region: "us-east-1",
				Configuration: enc(map[string]any{"name": bucket}),
				SupplementaryConfiguration: map[string]json.RawMessage{
					"BucketPolicy":                  enc(map[string]any{"policyText": policy}),
					"AccessControlList":             enc(map[string]any{"grantList": []any{}, "owner": map[string]any{"id": "o"}}),
					"BucketLoggingConfiguration":    enc(map[string]any{"destinationBucketName": "access-logs"}),
					"BucketVersioningConfiguration": enc(map[string]any{"status": "Enabled"}),
				}})
			fs[[2]string{account, facts.TrailStatusFile(name)}] = []byte(`{"IsLogging": true, "LatestCloudWatchLogsDeliveryTime": "2026-11-20T11:00:00Z"}`)
			fs[[2]string{account, facts.EventSelectorsFile(name)}] = []byte(`{"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true, "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}]}`)
		}
		fs[[2]string{account, facts.CredentialReportFile}] = []byte(report.String())
		fs[[2]string{account, facts.AccountSummaryFile}] = []byte(`{"SummaryMap": {"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0, "AccountPasswordPresent": 1}}`)
		fs[[2]string{account, facts.PasswordPolicyFile}] = []byte(`{"PasswordPolicy": {"MinimumPasswordLength": 14, "RequireSymbols": true, "RequireNumbers": true, "RequireUppercaseCharacters": true, "RequireLowercaseCharacters": true, "MaxPasswordAge": 90, "PasswordReusePrevention": 24}}`)
		fs[[2]string{account, facts.PublicAccessBlockFile}] = []byte(`{"PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true}}`)
	}
	return items, fs
}

// BenchmarkIAMCloudTrailFamily scans 100,000 generated items with the IAM
// and CloudTrail families: facts answered from memory (as in Lambda, and
// as with facts.Cache over a directory), from a facts directory read on
// every ask, and from that directory through facts.Cache.
func BenchmarkIAMCloudTrailFamily(b *testing.B) {
	items, mem := iamCloudTrailBenchData(b)
	dir := b.TempDir()
	for k, data := range mem {
		p := filepath.Join(dir, k[0], k[1])
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	rules := append(cloudtrailRules(), iamRules()...)
	for _, c := range []struct {
		name  string
		facts evaluate.Facts
	}{
		{"facts-in-memory", mem},
		{"facts-dir", evaluate.FactsDir(dir)},
		{"facts-dir-cached", nil},
	} {
		b.Run(c.name, func(b *testing.B) {
			evaluations := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				f := c.facts
				if f == nil {
					f = facts.Cache(evaluate.FactsDir(dir))
				}
				engine, err := evaluate.NewEngine(rules, evaluate.WithFacts(f), evaluate.WithClock(func() time.Time { return fixtureClock }))
				if err != nil {
					b.Fatal(err)
				}
				evaluations = 0
				for ev, err := range engine.Scan(context.Background(), evaluate.Items(items...)) {
					if err != nil {
						b.Fatal(err)
					}
					if ev.Compliance == evaluate.InsufficientData {
						b.Fatalf("%s %s: %s", ev.RuleID, ev.ResourceID, ev.Annotation)
					}
					evaluations++
				}
			}
			b.ReportMetric(float64(len(items)*b.N)/b.Elapsed().Seconds(), "items/s")
			b.ReportMetric(float64(evaluations), "evaluations")
		})
	}
}
