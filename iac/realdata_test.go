package iac_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/iac"
	"github.com/guardrails-go/guardrails/internal/sharedtest"
)

var realdata = sharedtest.Path("realdata")

// lookupPath reads a value of an item by path ("configuration.a.b[0]",
// "supplementaryConfiguration.K.c"); JSON documents held in strings are
// decoded on the way, as the unknown paths do.
func lookupPath(t *testing.T, it *evaluate.ConfigurationItem, path string) any {
	t.Helper()
	var cur any
	steps := strings.Split(path, ".")
	switch steps[0] {
	case "configuration":
		cur = decode(t, it.Configuration)
		steps = steps[1:]
	case "supplementaryConfiguration":
		cur = decode(t, it.SupplementaryConfiguration[steps[1]])
		steps = steps[2:]
	default:
		t.Fatalf("path %s", path)
	}
	for _, step := range steps {
		name, idx, _ := strings.Cut(step, "[")
		if s, ok := cur.(string); ok && (strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")) {
			cur = decode(t, []byte(s))
		}
		if name != "" {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil
			}
			cur = m[name]
		}
		for idx != "" {
			end := strings.IndexByte(idx, ']')
			i, _ := strconv.Atoi(idx[:end])
			l, ok := cur.([]any)
			if !ok || i >= len(l) {
				return nil
			}
			cur = l[i]
			idx = strings.TrimPrefix(idx[end+1:], "[")
		}
	}
	return cur
}

func decode(t *testing.T, raw []byte) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

// TestRealData reads the real templates and plans: every file is read
// without a file-level error, gives the expected number of items and
// resource errors, and the values the public rule tests turn on are right.
func TestRealData(t *testing.T) {
	if _, err := os.Stat(realdata); err != nil {
		t.Skip("the shared real data is not on this machine")
	}
	type check struct {
		id, path string
		want     any // compared with the value as JSON text
	}
	files := []struct {
		file          string
		items, errors int
		checks        []check
	}{
		{"regula/cfn/kms__key_rotation_infra.yaml", 3, 0, []check{
			{"ValidKey01", "supplementaryConfiguration.KeyRotationStatus", true},
			{"InvalidKey01", "supplementaryConfiguration.KeyRotationStatus", false},
			{"InvalidKey02", "supplementaryConfiguration.KeyRotationStatus", false},
		}},
		{"regula/cfn/cloudtrail__invalid_log_validation_with_valid_infra.yaml", 3, 0, []check{
			{"ValidCloudTrailLogging", "configuration.logFileValidationEnabled", true},
			{"InvalidCloudTrailLogging", "configuration.logFileValidationEnabled", false},
		}},
		{"regula/cfn/s3__invalid_block_public_access_infra.yaml", 2, 0, []check{
			// Left out, Block Public Access takes the default of new buckets
			// (on); given partly, the flags left out are off.
			{"Bucket1", "supplementaryConfiguration.PublicAccessBlockConfiguration.blockPublicPolicy", true},
			{"Bucket2", "supplementaryConfiguration.PublicAccessBlockConfiguration.blockPublicPolicy", false},
		}},
		{"regula/cfn/vpc__ingress_22_infra.yaml", 9, 0, []check{
			{"InvalidSecurityGroup01", "configuration.ipPermissions[0].ipv4Ranges[0].cidrIp", "0.0.0.0/0"},
			{"ValidSecurityGroup04", "configuration.ipPermissions[0].ipv4Ranges[0].cidrIp", "192.168.1.7/32"},
		}},
		{"regula/cfn/s3__valid_https_access_bucket_policy_infra.yaml", 2, 0, []check{
			{"Bucket1", "supplementaryConfiguration.BucketPolicy.policyText.Statement[1].Effect", "Deny"},
			{"Bucket1", "supplementaryConfiguration.BucketPolicy.policyText.Statement[1].Condition.Bool.aws:SecureTransport", false},
		}},
		{"regula/cfn/loader__cfn_intrinsics.yaml", 7, 0, []check{
			{"Function6", "configuration.functionName", "function-${unknown:AWS::Region}"},
			{"Function4", "supplementaryConfiguration.Policy.Statement[0].Principal", "*"},
		}},
		{"aws-cloudformation-templates/VPCFlowLogsS3.cfn.yaml", 2, 0, []check{
			{"VPCFlowLogsBucket", "supplementaryConfiguration.BucketVersioningConfiguration.status", "Enabled"},
			{"VPCFlowLogsBucket", "supplementaryConfiguration.BucketPolicy.policyText.Statement[2].Sid", "DenyNonSSLRequests"},
			{"VPCFlowLogstoS3", "configuration.trafficType", "REJECT"},
		}},
		{"aws-cloudformation-templates/EC2InstanceWithSecurityGroupSample.json", 2, 0, []check{
			{"InstanceSecurityGroup", "configuration.ipPermissions[0].ipv4Ranges[0].cidrIp", "192.168.1.0/0"},
		}},
		{"aws-cloudformation-templates/compliant-bucket.json", 4, 0, nil},
		{"cloudformation-guard/validate__s3-server-side-encryption-template-non-compliant.yaml", 1, 0, []check{
			// BucketEncryption is null: S3's default encryption applies.
			{"MyBucket", "supplementaryConfiguration.ServerSideEncryptionConfiguration.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm", "AES256"},
		}},
		{"opa-aws-cloudformation-hook/templates/s3-bucket-logging-enabled__s3-fail-no-logging.yaml", 1, 0, []check{
			// An empty LoggingConfiguration logs into the bucket itself
			// (CloudFormation's documented default), whatever the OPA test
			// file name says.
			{"S3Bucket", "supplementaryConfiguration.BucketLoggingConfiguration.destinationBucketName", "S3Bucket"},
		}},
		{"regula/tf/kms__key_rotation_infra.json", 3, 0, []check{
			{"aws_kms_key.valid", "supplementaryConfiguration.KeyRotationStatus", true},
			{"aws_kms_key.invalid", "supplementaryConfiguration.KeyRotationStatus", false},
			{"aws_kms_key.blank-invalid", "supplementaryConfiguration.KeyRotationStatus", false},
		}},
		{"regula/tf/cloudtrail__log_file_validation_infra.json", 3, 0, []check{
			{"aws_cloudtrail.valid_trail", "configuration.logFileValidationEnabled", true},
			{"aws_cloudtrail.invalid_trail", "configuration.logFileValidationEnabled", false},
		}},
		{"regula/tf/security_group__ingress_anywhere_ssh_infra.json", 4, 0, []check{
			{"aws_security_group.invalid_sg_2", "configuration.ipPermissions[0].fromPort", 20},
			{"aws_security_group.valid_sg_2", "configuration.ipPermissions[0].ipv4Ranges[0].cidrIp", "10.10.0.0/16"},
		}},
		{"regula/tf/s3__bucketpolicy_allowlist_infra.json", 7, 0, []check{
			{"aws_s3_bucket.allowget-external-policy", "supplementaryConfiguration.BucketPolicy.policyText.Statement[0].Action", "*"},
			{"aws_s3_bucket.allowget-inline-policy", "supplementaryConfiguration.BucketPolicy.policyText.Statement[0].Action", "s3:GetBucket"},
			{"aws_s3_bucket.nopolicy-bucket", "supplementaryConfiguration.BucketPolicy.policyText", nil},
		}},
		{"regula/tf/cloudtrail__issue355_infra.json", 3, 0, nil},
		{"trivy/tfjson__plan.json", 2, 0, []check{
			// The split encryption resource is joined through the configuration's references.
			{"aws_s3_bucket.planbucket", "supplementaryConfiguration.ServerSideEncryptionConfiguration.rules[0].bucketKeyEnabled", true},
			{"aws_s3_bucket.planbucket", "supplementaryConfiguration.BucketVersioningConfiguration.status", "Enabled"},
		}},
		{"trivy/tfjson__module_call.json", 1, 0, nil},
		{"checkov/plan_nested_child_modules_with_connections__tfplan.json", 4, 0, []check{
			{"module.s3_bucket.aws_s3_bucket.this[0]", "supplementaryConfiguration.PublicAccessBlockConfiguration.blockPublicAcls", false},
			{"module.s3_bucket.aws_s3_bucket.this[0]", "supplementaryConfiguration.AccessControlList.grantList[1].grantee", "AllUsers"},
			{"module.s3_module.module.s3_submodule.aws_s3_bucket.submodule_bucket", "supplementaryConfiguration.PublicAccessBlockConfiguration.blockPublicAcls", true},
		}},
		{"checkov/plan_encodings__tfplan_win_utf16.json", 1, 0, nil},
		{"checkov/plan_with_deleted_resources__tfplan.json", 0, 0, nil},
		{"checkov/plan_change_keys__tfplan.json", 0, 2, nil},
		{"checkov/plan_provisioners__tfplan.json", 1, 0, []check{
			{"aws_instance.web", "configuration.metadataOptions.httpTokens", "${unknown:instance metadata defaults of the AMI and account}"},
		}},
		{"checkov/plan_tags__tfplan.json", 21, 0, []check{
			{"aws_s3_bucket.data", "supplementaryConfiguration.AccessControlList.grantList[1].grantee", "AllUsers"},
			{"aws_db_instance.default", "configuration.publiclyAccessible", true},
			{"aws_security_group.web-node", "configuration.ipPermissions[0].fromPort", 22},
		}},
		{"terraform-compliance/test_s3_encryption_success__plan.out.json", 1, 0, []check{
			{"aws_s3_bucket.fail", "supplementaryConfiguration.ServerSideEncryptionConfiguration.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyID", "123456"},
		}},
		{"terraform/show-json__requires-replace__output.json", 0, 0, nil},
	}
	for _, f := range files {
		t.Run(f.file, func(t *testing.T) {
			fh, err := os.Open(filepath.Join(realdata, f.file))
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			var src evaluate.Source
			if strings.HasSuffix(f.file, ".yaml") || strings.Contains(f.file, "cloudformation") {
				src = iac.ReadTemplate(fh, f.file)
			} else {
				src = iac.ReadPlan(fh, f.file)
			}
			items := map[string]*evaluate.ConfigurationItem{}
			var errs []string
			for it, err := range src {
				if err != nil {
					errs = append(errs, err.Error())
					continue
				}
				items[it.ResourceID] = it
			}
			if len(items) != f.items || len(errs) != f.errors {
				t.Errorf("%d items and errors %q, want %d items and %d errors", len(items), errs, f.items, f.errors)
			}
			for _, c := range f.checks {
				it := items[c.id]
				if it == nil {
					t.Errorf("no item %s", c.id)
					continue
				}
				got, _ := json.Marshal(lookupPath(t, it, c.path))
				want, _ := json.Marshal(c.want)
				if string(got) != string(want) {
					t.Errorf("%s %s = %s, want %s", c.id, c.path, got, want)
				}
			}
		})
	}
}

// TestRealDataNeverPanics reads every real template, plan and Config file
// with both readers: whatever the content, the readers answer with items
// or errors.
func TestRealDataNeverPanics(t *testing.T) {
	if _, err := os.Stat(realdata); err != nil {
		t.Skip("the shared real data is not on this machine")
	}
	err := filepath.Walk(realdata, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || info.Size() > 8<<20 {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, src := range []evaluate.Source{
			iac.ReadTemplate(bytes.NewReader(data), path),
			iac.ReadPlan(bytes.NewReader(data), path),
		} {
			for range src {
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
