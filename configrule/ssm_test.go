package configrule

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/internal/awsfake"
	"github.com/guardrails-go/guardrails/remediate"
)

const versioningEnabled = `<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>`

// fakeVersioning installs a bucket whose versioning state the fake keeps.
func fakeVersioning(f *awsfake.Fake, bucket, initial string) {
	state := initial
	f.On("s3:GetBucketVersioning", func(c awsfake.Call) awsfake.Reply {
		if c.Path != "/"+bucket {
			return awsfake.ErrorReply("s3:GetBucketVersioning", 404, "NoSuchBucket", "The specified bucket does not exist")
		}
		return awsfake.OK(state)
	})
	f.On("s3:PutBucketVersioning", func(c awsfake.Call) awsfake.Reply {
		state = string(c.Body)
		return awsfake.Reply{Status: 200}
	})
}

func newSSMTestHandler(t *testing.T, f *awsfake.Fake, opts ...SSMOption) lambda.Handler {
	t.Helper()
	c := f.Clients()
	h, err := NewSSMHandler(&remediate.Clients{S3: c.S3, S3Control: c.S3Control, EC2: c.EC2, CloudTrail: c.CloudTrail,
		IAM: c.IAM, KMS: c.KMS, RDS: c.RDS, Region: awsfake.Region}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	// As the Lambda runtime does: lambda.Start(h) wraps h the same way.
	return lambda.NewHandler(h)
}

func TestSSMHandlerApplyAndDryRun(t *testing.T) {
	tests := []struct {
		reason  string
		payload string
		writes  int
		want    string
	}{
		{
			reason:  "apply",
			payload: `{"remediation":"s3-enable-versioning","resourceType":"AWS::S3::Bucket","resourceId":"example-data","parameters":{},"dryRun":false}`,
			writes:  1,
			want: `{"remediation":"s3-enable-versioning","resourceType":"AWS::S3::Bucket","resourceId":"example-data","dryRun":false,"changed":true,` +
				`"actions":[{"api":"s3:PutBucketVersioning","resource":"arn:aws:s3:::example-data","needed":true,"applied":true,"detail":"versioning is never enabled; enable it"}]}`,
		},
		{
			reason:  "dry run: reads only",
			payload: `{"remediation":"s3-enable-versioning","resourceId":"example-data","dryRun":true}`,
			want: `{"remediation":"s3-enable-versioning","resourceType":"AWS::S3::Bucket","resourceId":"example-data","dryRun":true,"changed":false,` +
				`"actions":[{"api":"s3:PutBucketVersioning","resource":"arn:aws:s3:::example-data","needed":true,"applied":false,"detail":"versioning is never enabled; enable it"}]}`,
		},
		{
			reason:  "dry run as SSM may pass a Boolean parameter, as text",
			payload: `{"remediation":"s3-enable-versioning","resourceId":"example-data","dryRun":"true"}`,
			want: `{"remediation":"s3-enable-versioning","resourceType":"AWS::S3::Bucket","resourceId":"example-data","dryRun":true,"changed":false,` +
				`"actions":[{"api":"s3:PutBucketVersioning","resource":"arn:aws:s3:::example-data","needed":true,"applied":false,"detail":"versioning is never enabled; enable it"}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			f := awsfake.New(t)
			fakeVersioning(f, "example-data", `<VersioningConfiguration/>`)
			out, err := newSSMTestHandler(t, f).Invoke(context.Background(), []byte(tt.payload))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(decode(t, tt.want), decode(t, string(out))); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			if got := len(f.Writes()); got != tt.writes {
				t.Errorf("%d writes, want %d", got, tt.writes)
			}
		})
	}
}

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return v
}

// TestSSMHandlerRefusals checks that bad payloads are function errors
// raised before any AWS request.
func TestSSMHandlerRefusals(t *testing.T) {
	lc := &lambdacontext.LambdaContext{InvokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:guardrails"}
	tests := []struct {
		reason  string
		payload string
		opts    []SSMOption
		want    string
	}{
		{"empty payload", ``, nil, "refused: the payload is not a JSON object"},
		{"malformed JSON", `{"remediation":`, nil, "refused: the payload is not a JSON object: unexpected end of JSON input"},
		{"an array", `[{"remediation":"s3-enable-versioning"}]`, nil, "refused: the payload is not a JSON object"},
		{"a string", `"s3-enable-versioning"`, nil, "refused: the payload is not a JSON object"},
		{"null", `null`, nil, "refused: the payload is not a JSON object"},
		{"a misspelt field", `{"remediation":"s3-enable-versioning","resourceId":"example-data","dryrun":true}`, nil,
			`refused: unknown field "dryrun" in the payload (known: remediation, resourceType, resourceId, parameters, dryRun)`},
		{"no remediation", `{"resourceId":"example-data"}`, nil, "refused: the payload has no remediation"},
		{"remediation not a string", `{"remediation":7,"resourceId":"example-data"}`, nil, "refused: remediation is not a string"},
		{"no resource id", `{"remediation":"s3-enable-versioning"}`, nil, "refused: the payload has no resourceId"},
		{"unknown remediation", `{"remediation":"s3-delete-bucket","resourceId":"example-data"}`, nil, `refused: unknown remediation "s3-delete-bucket" (known: `},
		{"remediation not enabled here", `{"remediation":"s3-enable-versioning","resourceId":"example-data"}`, []SSMOption{SSMAllow("kms-enable-key-rotation")},
			`refused: remediation "s3-enable-versioning" is not enabled in this function (it runs kms-enable-key-rotation)`},
		{"a bucket name that is not one", `{"remediation":"s3-enable-versioning","resourceId":"../etc"}`, nil,
			`refused: remediation s3-enable-versioning: invalid remediation target: resourceId "../etc" does not fit AWS::S3::Bucket`},
		{"a resource type the remediation does not take", `{"remediation":"s3-enable-versioning","resourceType":"AWS::EC2::VPC","resourceId":"vpc-0a1b2c3d"}`, nil,
			`refused: remediation s3-enable-versioning: invalid remediation target: remediation s3-enable-versioning does not apply to resource type "AWS::EC2::VPC"`},
		{"a security group id for a bucket", `{"remediation":"ec2-revoke-world-open-ingress","resourceType":"AWS::EC2::SecurityGroup","resourceId":"example-data"}`, nil,
			`does not fit AWS::EC2::SecurityGroup: it is not a security group id sg-…`},
		{"a missing required parameter", `{"remediation":"s3-enable-access-logging","resourceId":"example-data","parameters":{"targetPrefix":"x/"}}`, nil,
			"refused: remediation s3-enable-access-logging: invalid remediation target: parameter targetBucket is required"},
		{"an unknown parameter", `{"remediation":"s3-enable-versioning","resourceId":"example-data","parameters":{"mfa":"x"}}`, nil,
			"unknown parameter mfa"},
		{"a parameter that is an object", `{"remediation":"ec2-revoke-world-open-ingress","resourceId":"sg-0123456789abcdef0","parameters":{"ports":{"from":22}}}`, nil,
			"refused: parameter ports is not a string, number or boolean"},
		{"parameters not an object", `{"remediation":"s3-enable-versioning","resourceId":"example-data","parameters":["a"]}`, nil,
			"refused: parameters is not a JSON object"},
		{"dryRun neither true nor false", `{"remediation":"s3-enable-versioning","resourceId":"example-data","dryRun":"yes"}`, nil,
			`refused: dryRun is "\"yes\"", not true or false`},
		{"another account than the function's", `{"remediation":"s3-account-block-public-access","resourceId":"210987654321"}`, nil,
			"refused: remediation s3-account-block-public-access: invalid remediation target: resourceId 210987654321 is not the account these clients act in (123456789012)"},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			f := awsfake.New(t) // no handlers: any request fails the test
			ctx := lambdacontext.NewContext(context.Background(), lc)
			out, err := newSSMTestHandler(t, f, tt.opts...).Invoke(ctx, []byte(tt.payload))
			if err == nil {
				t.Fatalf("no error; answer %s", out)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\ndoes not contain %q", err, tt.want)
			}
			var se *SSMError
			if !errors.As(err, &se) || !se.Refused {
				t.Errorf("error is not a refused *SSMError: %#v", err)
			}
			if calls := f.APIs(); len(calls) > 0 {
				t.Errorf("requests were made: %v", calls)
			}
		})
	}
}

func TestSSMHandlerAWSErrors(t *testing.T) {
	t.Run("a denied write names the API and the bucket", func(t *testing.T) {
		f := awsfake.New(t)
		fakeVersioning(f, "example-data", `<VersioningConfiguration/>`)
		f.Fail("s3:PutBucketVersioning", 403, "AccessDenied", "Access Denied")
		_, err := newSSMTestHandler(t, f).Invoke(context.Background(), []byte(`{"remediation":"s3-enable-versioning","resourceId":"example-data"}`))
		want := "remediation s3-enable-versioning on example-data failed: s3:PutBucketVersioning arn:aws:s3:::example-data: AccessDenied: Access Denied"
		if err == nil || err.Error() != want {
			t.Errorf("error:\n got %v\nwant %s", err, want)
		}
	})
	t.Run("a failure after a write lists what was applied", func(t *testing.T) {
		f := awsfake.New(t)
		sg := "sg-0123456789abcdef0"
		f.Reply("ec2:DescribeSecurityGroups", awsfake.OK(`<DescribeSecurityGroupsResponse><securityGroupInfo><item><ownerId>123456789012</ownerId><groupId>`+sg+`</groupId><groupName>default</groupName></item></securityGroupInfo></DescribeSecurityGroupsResponse>`))
		f.Reply("ec2:DescribeSecurityGroupRules", awsfake.OK(`<DescribeSecurityGroupRulesResponse><securityGroupRuleSet>`+
			`<item><securityGroupRuleId>sgr-in</securityGroupRuleId><groupId>`+sg+`</groupId><isEgress>false</isEgress><ipProtocol>-1</ipProtocol><fromPort>-1</fromPort><toPort>-1</toPort><cidrIpv4>10.0.0.0/8</cidrIpv4></item>`+
			`<item><securityGroupRuleId>sgr-out</securityGroupRuleId><groupId>`+sg+`</groupId><isEgress>true</isEgress><ipProtocol>-1</ipProtocol><fromPort>-1</fromPort><toPort>-1</toPort><cidrIpv4>0.0.0.0/0</cidrIpv4></item>`+
			`</securityGroupRuleSet></DescribeSecurityGroupRulesResponse>`))
		f.Reply("ec2:RevokeSecurityGroupIngress", awsfake.OK(`<RevokeSecurityGroupIngressResponse><return>true</return></RevokeSecurityGroupIngressResponse>`))
		f.Fail("ec2:RevokeSecurityGroupEgress", 503, "RequestLimitExceeded", "Request limit exceeded.")
		_, err := newSSMTestHandler(t, f).Invoke(context.Background(), []byte(`{"remediation":"ec2-close-default-security-group","resourceId":"`+sg+`"}`))
		arn := "arn:aws:ec2:us-east-1:123456789012:security-group/" + sg
		want := "remediation ec2-close-default-security-group on " + sg + " failed: ec2:RevokeSecurityGroupEgress " + arn +
			": RequestLimitExceeded: Request limit exceeded. (gave up after 2 attempts); already applied: ec2:RevokeSecurityGroupIngress " + arn
		if err == nil || err.Error() != want {
			t.Errorf("error:\n got %v\nwant %s", err, want)
		}
	})
}

func TestSSMHandlerClock(t *testing.T) {
	// The clock decides which keys are stale: a key created 100 days
	// before it is deactivated.
	f := awsfake.New(t)
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Reply("iam:ListUsers", awsfake.OK(`<ListUsersResponse><ListUsersResult><Users><member><UserName>alice</UserName><UserId>AIDAIJBD5UKDCJ3FVAIMU</UserId><Arn>arn:aws:iam::123456789012:user/alice</Arn><Path>/</Path><CreateDate>2020-01-01T00:00:00Z</CreateDate></member></Users><IsTruncated>false</IsTruncated></ListUsersResult></ListUsersResponse>`))
	f.Reply("iam:ListAccessKeys", awsfake.OK(`<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata><member><UserName>alice</UserName><AccessKeyId>AKIAOLD0000000000001</AccessKeyId><Status>Active</Status><CreateDate>`+
		now.AddDate(0, 0, -100).Format(time.RFC3339)+`</CreateDate></member></AccessKeyMetadata><IsTruncated>false</IsTruncated></ListAccessKeysResult></ListAccessKeysResponse>`))
	f.Reply("iam:GetAccessKeyLastUsed", awsfake.OK(`<GetAccessKeyLastUsedResponse><GetAccessKeyLastUsedResult><UserName>alice</UserName><AccessKeyLastUsed><ServiceName>N/A</ServiceName><Region>N/A</Region></AccessKeyLastUsed></GetAccessKeyLastUsedResult></GetAccessKeyLastUsedResponse>`))
	out, err := newSSMTestHandler(t, f, SSMClock(func() time.Time { return now })).Invoke(context.Background(),
		[]byte(`{"remediation":"iam-deactivate-stale-access-keys","resourceType":"AWS::IAM::User","resourceId":"AIDAIJBD5UKDCJ3FVAIMU","dryRun":true}`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "created 100 days ago, never used: older than 90 days") {
		t.Errorf("answer %s", out)
	}
}

func TestNewSSMHandlerErrors(t *testing.T) {
	if _, err := NewSSMHandler(nil); err == nil {
		t.Error("nil clients: no error")
	}
	if _, err := NewSSMHandler(&remediate.Clients{}, SSMAllow("no-such")); err == nil || !strings.Contains(err.Error(), `unknown remediation "no-such"`) {
		t.Errorf("error = %v", err)
	}
}

func TestDecodeSSMRequest(t *testing.T) {
	got, err := DecodeSSMRequest([]byte(`{"remediation":"r","resourceId":"id","parameters":{"a":"x","n":90,"b":true,"z":null}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := SSMRequest{Remediation: "r", ResourceID: "id", Parameters: map[string]string{"a": "x", "n": "90", "b": "true"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
