package iac_test

import (
	"fmt"
	"strings"

	"github.com/guardrails-go/guardrails/iac"
)

// A template's resources become configuration items named by their logical
// ids; values known only after deployment are listed by path.
func ExampleReadTemplate() {
	template := `
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-logs
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt Key.Arn
`
	for it, err := range iac.ReadTemplate(strings.NewReader(template), "stack.yaml", iac.WithAccount("123456789012"), iac.WithRegion("eu-west-1")) {
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(it.ResourceType, it.ResourceID, it.Location)
		if it.ResourceType == "AWS::S3::Bucket" {
			fmt.Println(string(it.SupplementaryConfiguration["ServerSideEncryptionConfiguration"]))
			for _, p := range it.Unknown {
				if strings.HasPrefix(p, "supplementaryConfiguration.ServerSide") {
					fmt.Println("unknown:", p)
				}
			}
		}
	}
	// Output:
	// AWS::KMS::Key Key stack.yaml:3 Resources.Key
	// AWS::S3::Bucket Logs stack.yaml:7 Resources.Logs
	// {"rules":[{"applyServerSideEncryptionByDefault":{"kmsMasterKeyID":"${unknown:Key.Arn}","sseAlgorithm":"aws:kms"},"bucketKeyEnabled":false}]}
	// unknown: supplementaryConfiguration.ServerSideEncryptionConfiguration.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyID
}

// A plan's split bucket resources are merged into the bucket's item through
// the configuration's references, since the bucket id is unknown at plan
// time.
func ExampleReadPlan() {
	plan := `{"format_version": "1.2",
 "resource_changes": [
  {"address": "aws_s3_bucket.logs", "mode": "managed", "type": "aws_s3_bucket", "name": "logs",
   "change": {"actions": ["create"], "after": {"bucket": "acme-logs"}, "after_unknown": {"id": true, "versioning": true}}},
  {"address": "aws_s3_bucket_versioning.logs", "mode": "managed", "type": "aws_s3_bucket_versioning", "name": "logs",
   "change": {"actions": ["create"], "after": {"versioning_configuration": [{"status": "Enabled"}]}, "after_unknown": {"bucket": true}}}],
 "configuration": {"root_module": {"resources": [
  {"address": "aws_s3_bucket.logs", "mode": "managed", "type": "aws_s3_bucket", "name": "logs", "expressions": {"bucket": {"constant_value": "acme-logs"}}},
  {"address": "aws_s3_bucket_versioning.logs", "mode": "managed", "type": "aws_s3_bucket_versioning", "name": "logs",
   "expressions": {"bucket": {"references": ["aws_s3_bucket.logs.id", "aws_s3_bucket.logs"]}}}]}}}`
	for it, err := range iac.ReadPlan(strings.NewReader(plan), "plan.json") {
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(it.ResourceType, it.ResourceID, string(it.SupplementaryConfiguration["BucketVersioningConfiguration"]))
	}
	// Output:
	// AWS::S3::Bucket aws_s3_bucket.logs {"isMfaDeleteEnabled":null,"status":"Enabled"}
}

// Parameter files come in two shapes; both give the same values.
func ExampleParseParameters() {
	cli, _ := iac.ParseParameters([]byte(`[{"ParameterKey": "Env", "ParameterValue": "prod"}]`))
	plain, _ := iac.ParseParameters([]byte(`{"Env": "prod"}`))
	fmt.Println(cli["Env"], plain["Env"])
	// Output:
	// prod prod
}

func ExampleIsTemplate() {
	fmt.Println(iac.IsTemplate([]byte("AWSTemplateFormatVersion: 2010-09-09\nResources: {}\n")))
	fmt.Println(iac.IsTemplate([]byte(`{"configurationItems": [{"resourceType": "AWS::S3::Bucket"}]}`)))
	fmt.Println(iac.IsPlan([]byte(`{"format_version": "1.2", "planned_values": {}}`)))
	// Output:
	// true
	// false
	// true
}
