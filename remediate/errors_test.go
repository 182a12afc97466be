package remediate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

// TestAWSErrors checks that access denied and throttling come back as
// errors naming the API and the resource, that throttling was retried by
// the SDK (a bounded number of times), and that the SDK's error stays
// reachable with errors.As.
func TestAWSErrors(t *testing.T) {
	tests := []struct {
		reason    string
		rem       string
		target    Target
		setup     func(f *fakeAWS)
		failing   string // the API that fails
		status    int
		code      string
		wantError string
		attempts  int // calls of the failing API
	}{
		{
			reason: "S3 write denied", rem: "s3-enable-versioning", target: Target{ResourceID: "example-data"},
			setup:   func(f *fakeAWS) { f.bucket("example-data", nil) },
			failing: "s3:PutBucketVersioning", status: 403, code: "AccessDenied",
			wantError: "s3:PutBucketVersioning arn:aws:s3:::example-data: AccessDenied: the fake says no", attempts: 1,
		},
		{
			reason: "bucket policy write denied", rem: "s3-require-tls", target: Target{ResourceID: "example-data"},
			setup:   func(f *fakeAWS) { f.bucket("example-data", nil) },
			failing: "s3:PutBucketPolicy", status: 403, code: "AccessDenied",
			wantError: "s3:PutBucketPolicy arn:aws:s3:::example-data: AccessDenied: the fake says no", attempts: 1,
		},
		{
			reason: "S3 read throttled (SlowDown), retried", rem: "s3-enable-versioning", target: Target{ResourceID: "example-data"},
			setup:   func(f *fakeAWS) { f.bucket("example-data", nil) },
			failing: "s3:GetBucketVersioning", status: 503, code: "SlowDown",
			wantError: fmt.Sprintf("s3:GetBucketVersioning arn:aws:s3:::example-data: SlowDown: the fake says no (gave up after %d attempts)", maxAttempts), attempts: maxAttempts,
		},
		{
			reason: "S3 Control throttled", rem: "s3-account-block-public-access", target: Target{ResourceID: testAccount},
			setup:   func(f *fakeAWS) {},
			failing: "s3control:GetPublicAccessBlock", status: 503, code: "SlowDown",
			wantError: fmt.Sprintf("s3control:GetPublicAccessBlock arn:aws:s3::123456789012:account: SlowDown: the fake says no (gave up after %d attempts)", maxAttempts), attempts: maxAttempts,
		},
		{
			reason: "EC2 throttled (RequestLimitExceeded), retried", rem: "ec2-revoke-world-open-ingress", target: Target{ResourceID: sgID},
			setup: func(f *fakeAWS) {
				f.securityGroup(sgID, "web", []fakeRule{{id: "sgr-01", proto: "tcp", from: 22, to: 22, cidr4: "0.0.0.0/0"}})
			},
			failing: "ec2:RevokeSecurityGroupIngress", status: 503, code: "RequestLimitExceeded",
			wantError: fmt.Sprintf("ec2:RevokeSecurityGroupIngress %s: RequestLimitExceeded: the fake says no (gave up after %d attempts)", sgARN, maxAttempts), attempts: maxAttempts,
		},
		{
			reason: "EC2 write denied (UnauthorizedOperation)", rem: "ec2-require-imdsv2", target: Target{ResourceID: "i-0123456789abcdef0"},
			setup: func(f *fakeAWS) {
				f.reply("ec2:DescribeInstances", ok200(`<DescribeInstancesResponse><reservationSet><item><ownerId>123456789012</ownerId><instancesSet><item><instanceId>i-0123456789abcdef0</instanceId><metadataOptions><httpTokens>optional</httpTokens></metadataOptions></item></instancesSet></item></reservationSet></DescribeInstancesResponse>`))
			},
			failing: "ec2:ModifyInstanceMetadataOptions", status: 403, code: "UnauthorizedOperation",
			wantError: "ec2:ModifyInstanceMetadataOptions arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0: UnauthorizedOperation: the fake says no", attempts: 1,
		},
		{
			reason: "IAM throttled", rem: "iam-strengthen-password-policy", target: Target{ResourceID: testAccount},
			setup:   func(f *fakeAWS) {},
			failing: "iam:GetAccountPasswordPolicy", status: 400, code: "Throttling",
			wantError: fmt.Sprintf("iam:GetAccountPasswordPolicy arn:aws:iam::123456789012:account: Throttling: the fake says no (gave up after %d attempts)", maxAttempts), attempts: maxAttempts,
		},
		{
			reason: "KMS denied", rem: "kms-enable-key-rotation", target: Target{ResourceID: keyAID},
			setup:   func(f *fakeAWS) { f.keys(map[string]fakeKey{keyAID: {arn: keyA}}) },
			failing: "kms:GetKeyRotationStatus", status: 400, code: "AccessDeniedException",
			wantError: "kms:GetKeyRotationStatus " + keyA + ": AccessDeniedException: the fake says no", attempts: 1,
		},
		{
			reason: "KMS throttled", rem: "kms-enable-key-rotation", target: Target{ResourceID: keyAID},
			setup:   func(f *fakeAWS) {},
			failing: "kms:DescribeKey", status: 400, code: "ThrottlingException",
			wantError: fmt.Sprintf("kms:DescribeKey %s: ThrottlingException: the fake says no (gave up after %d attempts)", keyAID, maxAttempts), attempts: maxAttempts,
		},
		{
			reason: "CloudTrail denied", rem: "cloudtrail-enable-log-file-validation", target: Target{ResourceID: "main"},
			setup:   func(f *fakeAWS) { f.trails(trail("main", testRegion, nil)) },
			failing: "cloudtrail:UpdateTrail", status: 400, code: "AccessDeniedException",
			wantError: "cloudtrail:UpdateTrail " + trailARNMain + ": AccessDeniedException: the fake says no", attempts: 1,
		},
		{
			reason: "RDS throttled", rem: "rds-disable-public-access", target: Target{ResourceID: "db-HHTTSRD6HXUIKXPFPI6WFVZ4PA"},
			setup:   func(f *fakeAWS) {},
			failing: "rds:DescribeDBInstances", status: 400, code: "Throttling",
			wantError: fmt.Sprintf("rds:DescribeDBInstances arn:aws:rds:us-east-1::db (DbiResourceId db-HHTTSRD6HXUIKXPFPI6WFVZ4PA): Throttling: the fake says no (gave up after %d attempts)", maxAttempts), attempts: maxAttempts,
		},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			rem, _ := ByID(tt.rem)
			f := newFakeAWS(t)
			tt.setup(f)
			f.fail(tt.failing, tt.status, tt.code, "the fake says no")
			_, err := rem.Apply(context.Background(), f.clients(), tt.target)
			if err == nil {
				t.Fatal("Apply succeeded, want an error")
			}
			if got := err.Error(); got != tt.wantError {
				t.Errorf("error:\n got %s\nwant %s", got, tt.wantError)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.API != tt.failing {
				t.Errorf("errors.As(*APIError) = %v, API %q; want API %s", apiErr != nil, apiErr.API, tt.failing)
			}
			var smithyErr smithy.APIError
			if !errors.As(err, &smithyErr) || smithyErr.ErrorCode() != tt.code {
				t.Errorf("errors.As(smithy.APIError): code %v, want %s", smithyErr, tt.code)
			}
			n := 0
			for _, api := range f.apis() {
				if api == tt.failing {
					n++
				}
			}
			if n != tt.attempts {
				t.Errorf("%s was called %d times, want %d", tt.failing, n, tt.attempts)
			}
		})
	}
}

// TestPartialApply checks that when a later write fails, the result still
// reports the write already made.
func TestPartialApply(t *testing.T) {
	rem, _ := ByID("ec2-close-default-security-group")
	f := newFakeAWS(t)
	f.securityGroup(sgID, "default", []fakeRule{
		{id: "sgr-a1", proto: "-1", from: -1, to: -1, peerGroup: sgID},
		{id: "sgr-e1", egress: true, proto: "-1", from: -1, to: -1, cidr4: "0.0.0.0/0"},
	})
	f.fail("ec2:RevokeSecurityGroupEgress", 403, "UnauthorizedOperation", "no")
	res, err := rem.Apply(context.Background(), f.clients(), Target{ResourceID: sgID})
	if err == nil || !strings.HasPrefix(err.Error(), "ec2:RevokeSecurityGroupEgress "+sgARN+": UnauthorizedOperation") {
		t.Fatalf("error = %v, want the egress revoke named", err)
	}
	want := []Action{{API: "ec2:RevokeSecurityGroupIngress", Resource: sgARN, Needed: true, Applied: true, Detail: "revoke sgr-a1 all protocols from " + sgID}}
	if res == nil || !res.Changed {
		t.Fatalf("result = %+v, want changed", res)
	}
	if diff := cmp.Diff(want, res.Actions); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
}

// TestRefusedAfterReading covers the states a remediation reads and then
// refuses to act on, without writing.
func TestRefusedAfterReading(t *testing.T) {
	tests := []struct {
		reason    string
		rem       string
		target    Target
		setup     func(f *fakeAWS)
		wantError string
	}{
		{
			reason: "a security group that is not a default one is never closed",
			rem:    "ec2-close-default-security-group", target: Target{ResourceID: sgID},
			setup: func(f *fakeAWS) {
				f.securityGroup(sgID, "web", []fakeRule{{id: "sgr-1", proto: "tcp", from: 443, to: 443, cidr4: "0.0.0.0/0"}})
			},
			wantError: `remediation ec2-close-default-security-group: ` + sgARN + ` is "web", not a default security group; refusing to close it`,
		},
		{
			reason: "a trail is updated only from its home region",
			rem:    "cloudtrail-enable-log-file-validation", target: Target{ResourceID: "eu-trail"},
			setup:     func(f *fakeAWS) { f.trails(trail("eu-trail", "eu-west-1", nil)) },
			wantError: "trail arn:aws:cloudtrail:eu-west-1:123456789012:trail/eu-trail has home region eu-west-1; a trail is updated only from its home region, and these clients act in us-east-1",
		},
		{
			reason: "an account without a trail gets none created",
			rem:    "cloudtrail-enable-multi-region", target: Target{ResourceType: "AWS::::Account", ResourceID: testAccount},
			setup:     func(f *fakeAWS) { f.trails(trail("eu", "eu-west-1", nil)) },
			wantError: "remediation cloudtrail-enable-multi-region: account 123456789012 has no trail in us-east-1 to make multi-region; it creates none (a trail needs a bucket)",
		},
		{
			reason: "an account with two trails: which to convert is not guessed",
			rem:    "cloudtrail-enable-multi-region", target: Target{ResourceType: "AWS::::Account", ResourceID: testAccount},
			setup:     func(f *fakeAWS) { f.trails(trail("a", testRegion, nil), trail("b", testRegion, nil)) },
			wantError: "remediation cloudtrail-enable-multi-region: account 123456789012 has 2 trails in us-east-1 (a, b); name the one to convert as the resourceId",
		},
		{
			reason: "a multi-Region replica key: rotation belongs to the primary",
			rem:    "kms-enable-key-rotation", target: Target{ResourceID: keyAID},
			setup:     func(f *fakeAWS) { f.keys(map[string]fakeKey{keyAID: {arn: keyA, multiRegion: "REPLICA"}}) },
			wantError: "kms key " + keyA + ": a multi-Region replica key; turn rotation on for the primary key arn:aws:kms:eu-west-1:123456789012:key/" + keyAID + " in eu-west-1",
		},
		{
			reason: "an asymmetric key cannot rotate",
			rem:    "kms-enable-key-rotation", target: Target{ResourceID: keyAID},
			setup:     func(f *fakeAWS) { f.keys(map[string]fakeKey{keyAID: {arn: keyA, spec: "RSA_2048"}}) },
			wantError: "kms key " + keyA + ": automatic rotation does not exist for key spec RSA_2048",
		},
		{
			reason: "a key pending deletion",
			rem:    "kms-enable-key-rotation", target: Target{ResourceID: keyAID},
			setup:     func(f *fakeAWS) { f.keys(map[string]fakeKey{keyAID: {arn: keyA, state: "PendingDeletion"}}) },
			wantError: "kms key " + keyA + ": the key is PendingDeletion; rotation can be turned on only for an enabled key",
		},
		{
			reason: "an unknown IAM user id",
			rem:    "iam-deactivate-stale-access-keys", target: Target{ResourceID: "AIDAUNKNOWN0000000000"},
			setup:     func(f *fakeAWS) { f.iamUsers(nil) },
			wantError: "iam:ListUsers arn:aws:iam:::user (unique id AIDAUNKNOWN0000000000): no IAM user has this unique id",
		},
		{
			reason: "an unknown DbiResourceId",
			rem:    "rds-disable-public-access", target: Target{ResourceID: "db-AAAAAAAAAAAAAAAAAAAAAAAAAA"},
			setup: func(f *fakeAWS) {
				f.reply("rds:DescribeDBInstances", ok200(`<DescribeDBInstancesResponse><DescribeDBInstancesResult><DBInstances/></DescribeDBInstancesResult></DescribeDBInstancesResponse>`))
			},
			wantError: "rds:DescribeDBInstances arn:aws:rds:us-east-1::db (DbiResourceId db-AAAAAAAAAAAAAAAAAAAAAAAAAA): no DB instance has this DbiResourceId",
		},
		{
			reason: "a flow log EC2 did not create is an error",
			rem:    "vpc-enable-flow-logs",
			target: Target{ResourceID: "vpc-0a1b2c3d4e5f60718", Parameters: map[string]string{"destinationType": "s3", "destination": "arn:aws:s3:::logs"}},
			setup: func(f *fakeAWS) {
				f.reply("ec2:DescribeVpcs", ok200(`<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-0a1b2c3d4e5f60718</vpcId><ownerId>123456789012</ownerId></item></vpcSet></DescribeVpcsResponse>`))
				f.reply("ec2:DescribeFlowLogs", ok200(`<DescribeFlowLogsResponse><flowLogSet/></DescribeFlowLogsResponse>`))
				f.reply("ec2:CreateFlowLogs", ok200(`<CreateFlowLogsResponse><flowLogIdSet/><unsuccessful><item><resourceId>vpc-0a1b2c3d4e5f60718</resourceId><error><code>400</code><message>Access Denied for LogDestination: logs</message></error></item></unsuccessful></CreateFlowLogsResponse>`))
			},
			wantError: "ec2:CreateFlowLogs arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0a1b2c3d4e5f60718: the flow log was not created: 400: Access Denied for LogDestination: logs",
		},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			rem, _ := ByID(tt.rem)
			f := newFakeAWS(t)
			tt.setup(f)
			_, err := rem.Apply(context.Background(), f.clients(), tt.target)
			if err == nil || err.Error() != tt.wantError {
				t.Errorf("error:\n got %v\nwant %s", err, tt.wantError)
			}
			if w := f.writes(); len(w) > 0 && tt.rem != "vpc-enable-flow-logs" {
				t.Errorf("wrote %v", apisOf(w))
			}
		})
	}
}
