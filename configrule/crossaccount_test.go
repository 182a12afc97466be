package configrule_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/configrule"
	"github.com/guardrails-go/guardrails/internal/configtest"
	"github.com/guardrails-go/guardrails/rules"
)

func TestCrossAccount(t *testing.T) {
	for _, tc := range []struct {
		name, reason   string
		crossAccount   bool
		roleArn        string
		params         string
		roleNameOption string
		wantRole       string // "" for the Lambda's own credentials
		wantKey        string
		wantErr        string
	}{
		{
			name: "off", reason: "without the option every call uses the Lambda's credentials",
			roleArn: "arn:aws:iam::444455556666:role/config-role", wantKey: configtest.AccessKeyID,
		},
		{
			name: "executionRoleArn", reason: "the event's role is assumed",
			crossAccount: true, roleArn: "arn:aws:iam::444455556666:role/config-role",
			wantRole: "arn:aws:iam::444455556666:role/config-role", wantKey: "ASIA444455556666",
		},
		{
			name: "ExecutionRoleName parameter", reason: "as rdklib: the named role in the account of executionRoleArn, the parameter not passed to the rule",
			crossAccount: true, roleArn: "arn:aws:iam::444455556666:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
			params:   `{"ExecutionRoleName": "GuardrailsAudit", "isMfaDeleteEnabled": "false"}`,
			wantRole: "arn:aws:iam::444455556666:role/GuardrailsAudit", wantKey: "ASIA444455556666",
		},
		{
			name: "role name option", reason: "WithExecutionRoleName, for organization rules",
			crossAccount: true, roleNameOption: "GuardrailsAudit", roleArn: "arn:aws:iam::777788889999:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
			wantRole: "arn:aws:iam::777788889999:role/GuardrailsAudit", wantKey: "ASIA777788889999",
		},
		{
			name: "no executionRoleArn", reason: "nothing to assume: the Lambda's credentials",
			crossAccount: true, wantKey: configtest.AccessKeyID,
		},
		{
			name: "denied", reason: "a role that cannot be assumed fails before any evaluation, with advice",
			crossAccount: true, roleArn: "arn:aws:iam::444455556666:role/denied-role",
			wantRole: "arn:aws:iam::444455556666:role/denied-role",
			wantErr:  "assuming the execution role arn:aws:iam::444455556666:role/denied-role",
		},
		{
			name: "role name option without cross-account", reason: "a role name is useless without cross-account access: an error, not ignored",
			roleNameOption: "GuardrailsAudit", roleArn: "arn:aws:iam::777788889999:role/config-role",
			wantErr: `execution role name "GuardrailsAudit" is set, but cross-account access is off`,
		},
		{
			name: "not a role", reason: "executionRoleArn must be an IAM role",
			crossAccount: true, roleArn: "arn:aws:s3:::bucket",
			wantErr: `executionRoleArn "arn:aws:s3:::bucket" is not an IAM role ARN`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := configtest.New(t)
			opts := []configrule.Option{configrule.WithCrossAccount(tc.crossAccount)}
			if tc.roleNameOption != "" {
				opts = append(opts, configrule.WithExecutionRoleName(tc.roleNameOption))
			}
			h, _ := handler(t, s, rules.S3BucketVersioningEnabled(), opts...)
			ev := changeEvent(t, readItem(t, "s3-bucket-versioning-enabled.json"), tc.params)
			ev.ExecutionRoleArn = tc.roleArn
			for range 2 { // the second invocation uses the cached credentials
				_, err := invoke(t, h, payload(t, ev))
				if tc.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
						t.Fatalf("%s: err = %v, want %q", tc.reason, err, tc.wantErr)
					}
					if n := len(s.Requests("PutEvaluations")); n != 0 {
						t.Errorf("%d PutEvaluations calls after a failed AssumeRole", n)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", tc.reason, err)
				}
			}
			assumed := s.Requests("AssumeRole")
			if tc.wantRole == "" {
				if len(assumed) != 0 {
					t.Errorf("%s: %d AssumeRole calls, want none", tc.reason, len(assumed))
				}
			} else if tc.wantErr == "" {
				if len(assumed) != 1 {
					t.Fatalf("%s: %d AssumeRole calls over two invocations, want 1 (cached)", tc.reason, len(assumed))
				}
				form, _ := url.ParseQuery(string(assumed[0].Body))
				got := map[string]string{"RoleArn": form.Get("RoleArn"), "RoleSessionName": form.Get("RoleSessionName"), "DurationSeconds": form.Get("DurationSeconds")}
				want := map[string]string{"RoleArn": tc.wantRole, "RoleSessionName": "guardrails-config-rule", "DurationSeconds": "900"}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("AssumeRole request (-want +got):\n%s", diff)
				}
				if key := assumed[0].AccessKey(); key != configtest.AccessKeyID {
					t.Errorf("AssumeRole signed with %q, want the Lambda's key", key)
				}
			}
			if tc.wantErr != "" {
				return
			}
			for _, r := range s.Requests("PutEvaluations") {
				if key := r.AccessKey(); key != tc.wantKey {
					t.Errorf("PutEvaluations signed with %q, want %q", key, tc.wantKey)
				}
				token := r.Header.Get("X-Amz-Security-Token")
				if (tc.wantRole != "") != (token == "token-for-"+tc.wantRole) {
					t.Errorf("session token %q with role %q", token, tc.wantRole)
				}
			}
		})
	}
}
