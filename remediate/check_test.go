package remediate

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestRefusedBeforeAnyRequest checks that bad targets are refused with
// ErrInvalidTarget and a message naming what is wrong, before any request.
func TestRefusedBeforeAnyRequest(t *testing.T) {
	tests := []struct {
		reason    string
		rem       string
		target    Target
		wantError string
	}{
		{"empty resource id", "s3-enable-versioning", Target{}, "resourceId is empty"},
		{"bucket name with a slash", "s3-enable-versioning", Target{ResourceID: "bucket/../other"}, `resourceId "bucket/../other" does not fit AWS::S3::Bucket: a bucket name has only lower-case letters`},
		{"bucket name with upper case", "s3-enable-versioning", Target{ResourceID: "MyBucket"}, "a bucket name has only lower-case letters"},
		{"bucket name too short", "s3-enable-versioning", Target{ResourceID: "ab"}, "a bucket name has 3 to 63 characters, not 2"},
		{"bucket name too long", "s3-enable-versioning", Target{ResourceID: strings.Repeat("a", 64)}, "a bucket name has 3 to 63 characters, not 64"},
		{"bucket name with adjacent dots", "s3-enable-versioning", Target{ResourceID: "a..b"}, "no two adjacent dots"},
		{"bucket name as an IP address", "s3-enable-versioning", Target{ResourceID: "192.168.5.4"}, "a bucket name is not an IP address"},
		{"bucket name with a reserved prefix", "s3-enable-versioning", Target{ResourceID: "xn--bucket"}, `does not start with "xn--"`},
		{"bucket name with a reserved suffix", "s3-enable-versioning", Target{ResourceID: "data-s3alias"}, `does not end with "-s3alias"`},
		{"a resource type the remediation does not take", "s3-enable-versioning", Target{ResourceType: "AWS::EC2::Instance", ResourceID: "i-0123456789abcdef0"}, `does not apply to resource type "AWS::EC2::Instance" (it takes AWS::S3::Bucket)`},
		{"security group id", "ec2-revoke-world-open-ingress", Target{ResourceID: "sg-xyz"}, "it is not a security group id sg-…"},
		{"instance id", "ec2-require-imdsv2", Target{ResourceID: "i-12"}, "it is not an instance id i-…"},
		{"VPC id", "vpc-enable-flow-logs", Target{ResourceID: "vpc", Parameters: map[string]string{"destination": "g", "deliverLogsPermissionArn": "arn:aws:iam::123456789012:role/r"}}, "it is not a VPC id vpc-…"},
		{"IAM user name instead of unique id", "iam-deactivate-stale-access-keys", Target{ResourceID: "alice"}, "it is not an IAM user unique id AIDA…"},
		{"KMS alias instead of key id", "kms-enable-key-rotation", Target{ResourceID: "alias/data"}, "it is not a KMS key id"},
		{"RDS instance name instead of DbiResourceId", "rds-disable-public-access", Target{ResourceID: "prod"}, "it is not an RDS DbiResourceId db-…"},
		{"account id", "s3-account-block-public-access", Target{ResourceID: "12345"}, "it is not a 12-digit account id"},
		{"another account than the clients'", "s3-account-block-public-access", Target{ResourceID: "210987654321", AccountID: testAccount}, "resourceId 210987654321 is not the account these clients act in (123456789012)"},
		{"trail name too short", "cloudtrail-enable-log-file-validation", Target{ResourceID: "ab"}, "a trail name has 3 to 128"},
		{"trail name with adjacent punctuation", "cloudtrail-enable-log-file-validation", Target{ResourceID: "my--trail"}, "no adjacent dots, underscores or hyphens"},
		{"malformed trail ARN", "cloudtrail-enable-log-file-validation", Target{ResourceID: "arn:aws:s3:::bucket"}, "a trail ARN is arn:<partition>:cloudtrail"},
		{"unknown parameter", "s3-enable-versioning", Target{ResourceID: "data-bucket", Parameters: map[string]string{"mfaDelete": "true"}}, "unknown parameter mfaDelete (the remediation takes no parameters)"},
		{"misspelt parameter", "s3-enable-default-encryption", Target{ResourceID: "data-bucket", Parameters: map[string]string{"kmsKeyID": keyA}}, "unknown parameter kmsKeyID (the remediation takes parameters sseAlgorithm, kmsKeyId, bucketKeyEnabled)"},
		{"value not allowed", "s3-enable-default-encryption", Target{ResourceID: "data-bucket", Parameters: map[string]string{"sseAlgorithm": "aws:kms:dsse"}}, `parameter sseAlgorithm: "aws:kms:dsse" is not one of AES256, aws:kms`},
		{"conditionally required parameter", "s3-enable-default-encryption", Target{ResourceID: "data-bucket", Parameters: map[string]string{"sseAlgorithm": "aws:kms"}}, "parameter kmsKeyId is required when sseAlgorithm is aws:kms"},
		{"parameter that does not go with another", "s3-enable-default-encryption", Target{ResourceID: "data-bucket", Parameters: map[string]string{"kmsKeyId": keyA}}, "parameter kmsKeyId is only used when sseAlgorithm is aws:kms"},
		{"malformed KMS key", "cloudtrail-enable-encryption", Target{ResourceID: "main", Parameters: map[string]string{"kmsKeyId": "my key"}}, `parameter kmsKeyId: "my key" is not a KMS key id, key ARN, alias name`},
		{"required parameter missing", "cloudtrail-enable-encryption", Target{ResourceID: "main"}, "parameter kmsKeyId is required"},
		{"required target bucket missing", "s3-enable-access-logging", Target{ResourceID: "data-bucket"}, "parameter targetBucket is required"},
		{"boolean not lower case", "s3-enable-default-encryption", Target{ResourceID: "data-bucket", Parameters: map[string]string{"bucketKeyEnabled": "True"}}, `parameter bucketKeyEnabled: "True" is not a boolean (want true or false)`},
		{"integer that is not one", "iam-deactivate-stale-access-keys", Target{ResourceID: userID, Parameters: map[string]string{"maxAccessKeyAge": "90d"}}, `parameter maxAccessKeyAge: "90d" is not an integer`},
		{"integer out of range", "iam-strengthen-password-policy", Target{ResourceID: testAccount, Parameters: map[string]string{"PasswordReusePrevention": "25"}}, "parameter PasswordReusePrevention: 25 is out of range [1, 24]"},
		{"port out of range", "ec2-revoke-world-open-ingress", Target{ResourceID: sgID, Parameters: map[string]string{"ports": "22,70000"}}, `parameter ports: item 2 "70000": "70000" is not a port (0-65535)`},
		{"reversed port range", "ec2-revoke-world-open-ingress", Target{ResourceID: sgID, Parameters: map[string]string{"ports": "100-20"}}, `parameter ports: item 1 "100-20": range ends before it starts`},
		{"flow log to CloudWatch without a role", "vpc-enable-flow-logs", Target{ResourceID: "vpc-0a1b2c3d4e5f60718", Parameters: map[string]string{"destination": "/vpc/logs"}}, "parameter deliverLogsPermissionArn is required when destinationType is cloud-watch-logs"},
		{"flow log role that is not a role ARN", "vpc-enable-flow-logs", Target{ResourceID: "vpc-0a1b2c3d4e5f60718", Parameters: map[string]string{"destination": "/vpc/logs", "deliverLogsPermissionArn": "flow-logs"}}, `parameter deliverLogsPermissionArn: "flow-logs" is not an IAM role ARN`},
		{"flow log to a malformed bucket", "vpc-enable-flow-logs", Target{ResourceID: "vpc-0a1b2c3d4e5f60718", Parameters: map[string]string{"destinationType": "s3", "destination": "Bad_Bucket"}}, `parameter destination: "Bad_Bucket": a bucket name has only lower-case letters`},
		{"a bucket logging into itself", "s3-enable-access-logging", Target{ResourceID: "data-bucket", Parameters: map[string]string{"targetBucket": "data-bucket"}}, "parameter targetBucket: a bucket does not log into itself"},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			rem, ok := ByID(tt.rem)
			if !ok {
				t.Fatalf("no remediation %s", tt.rem)
			}
			if err := rem.Check(tt.target); !errors.Is(err, ErrInvalidTarget) || !strings.Contains(err.Error(), tt.wantError) {
				t.Errorf("Check: %v, want ErrInvalidTarget saying %q", err, tt.wantError)
			}
			f := newFakeAWS(t) // no handlers: any request fails the test
			c := f.clients()
			for _, run := range []func() (*Result, error){
				func() (*Result, error) { return rem.Plan(context.Background(), c, tt.target) },
				func() (*Result, error) { return rem.Apply(context.Background(), c, tt.target) },
			} {
				_, err := run()
				if !errors.Is(err, ErrInvalidTarget) {
					t.Fatalf("error %v, want ErrInvalidTarget", err)
				}
				if !strings.Contains(err.Error(), tt.wantError) {
					t.Errorf("error %q does not say %q", err, tt.wantError)
				}
			}
			if calls := f.apis(); len(calls) > 0 {
				t.Errorf("requests were made: %v", calls)
			}
		})
	}
}

// TestMissingClient checks that a Clients without the service a
// remediation needs gives an error, not a panic.
func TestMissingClient(t *testing.T) {
	rem, _ := ByID("kms-enable-key-rotation")
	_, err := rem.Plan(context.Background(), &Clients{Region: testRegion}, Target{ResourceID: keyAID})
	if err == nil || err.Error() != "remediation kms-enable-key-rotation: no kms client (it calls kms:DescribeKey)" {
		t.Errorf("error = %v", err)
	}
	if _, err := rem.Plan(context.Background(), nil, Target{ResourceID: keyAID}); err == nil {
		t.Error("nil clients: no error")
	}
}
