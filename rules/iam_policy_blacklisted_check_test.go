package rules

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/iac"
)

func TestIAMExceptionList(t *testing.T) {
	cases := []struct {
		reason  string
		value   string
		want    map[string]map[string]bool
		wantErr string
	}{
		{reason: "none", value: "", want: map[string]map[string]bool{}},
		{
			reason: "the page's example",
			value:  "users:[user1;user2], groups:[group1;group2], roles:[role1;role2;role3]",
			want: map[string]map[string]bool{
				"user":  {"user1": true, "user2": true},
				"group": {"group1": true, "group2": true},
				"role":  {"role1": true, "role2": true, "role3": true},
			},
		},
		{
			reason: "spaces, an empty list, a repeated type and a trailing comma",
			value:  " roles: [ deploy ; ci-runner ] ,users:[], Roles:[break-glass],",
			want:   map[string]map[string]bool{"role": {"deploy": true, "ci-runner": true, "break-glass": true}},
		},
		{reason: "names with IAM's other characters", value: "users:[ana+ops@example.com;svc=build.bot_1]",
			want: map[string]map[string]bool{"user": {"ana+ops@example.com": true, "svc=build.bot_1": true}}},
		{reason: "commas between names", value: "users:[user1,user2]", wantErr: "separate names with ';'"},
		{reason: "an ARN instead of a name", value: "roles:[arn:aws:iam::444455556666:role/Admin]", wantErr: `entry 1: "arn:aws:iam::444455556666:role/Admin" is an ARN; give the role's name`},
		{reason: "an unknown type", value: "users:[a], policies:[b]", wantErr: `entry 2: unknown resource type "policies"`},
		{reason: "no brackets", value: "users:alice", wantErr: `entry 1 "users:alice": want users:[name;name]`},
		{reason: "no type", value: "[alice]", wantErr: `entry 1 "[alice]": want users:[name;name]`},
		{reason: "an unclosed bracket", value: "users:[alice, roles:[b]", wantErr: "nested '['"},
		{reason: "a bracket never closed", value: "users:[alice", wantErr: "'[' without ']'"},
		{reason: "a stray bracket", value: "users:alice]", wantErr: "']' without '[' at position 12"},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			got, err := parseIAMExceptionList(c.value)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestIAMPolicyBlacklistedCheckParameters(t *testing.T) {
	cases := []struct {
		reason  string
		params  map[string]string
		wantErr string // "" when Prepare succeeds
	}{
		{reason: "defaults", params: nil},
		{reason: "several ARNs, customer managed with a path", params: map[string]string{"policyArns": "arn:aws:iam::aws:policy/AdministratorAccess,arn:aws:iam::111122223333:policy/team/PowerUser"}},
		{reason: "a policy name", params: map[string]string{"policyArns": "arn:aws:iam::aws:policy/AdministratorAccess,PowerUserAccess"}, wantErr: `parameter policyArns = "arn:aws:iam::aws:policy/AdministratorAccess,PowerUserAccess": item 2 "PowerUserAccess" is not a managed policy ARN`},
		{reason: "a role ARN", params: map[string]string{"policyArns": "arn:aws:iam::111122223333:role/Admin"}, wantErr: "item 1 \"arn:aws:iam::111122223333:role/Admin\" is not a managed policy ARN"},
		{reason: "only commas", params: map[string]string{"policyArns": ",,"}, wantErr: "parameter policyArns"},
		{reason: "a bad exception list", params: map[string]string{"exceptionList": "users:[a,b]"}, wantErr: "parameter exceptionList"},
	}
	rule := IAMPolicyBlacklistedCheck()
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			p, err := evaluate.BindParams(rule.Metadata().Parameters, c.params)
			if err != nil {
				t.Fatal(err)
			}
			_, err = rule.Prepare(p)
			if c.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var pe *evaluate.ParamError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %v, want a *evaluate.ParamError containing %q", err, c.wantErr)
			}
		})
	}
}

func TestPolicyARNKey(t *testing.T) {
	cases := []struct {
		arn, want string
		ok        bool
	}{
		{"arn:aws:iam::aws:policy/AdministratorAccess", "aws:policy/AdministratorAccess", true},
		{"arn:aws-cn:iam::aws:policy/AdministratorAccess", "aws:policy/AdministratorAccess", true},
		{"arn:aws:iam::111122223333:policy/service-role/Deploy", "111122223333:policy/service-role/Deploy", true},
		// A template's partition, known after deployment, does not matter.
		{"arn:${unknown:AWS::Partition}:iam::aws:policy/AdministratorAccess", "aws:policy/AdministratorAccess", true},
		// An unknown account or name does.
		{"arn:aws:iam::${unknown:AWS::AccountId}:policy/Deploy", "", false},
		{"arn:aws:iam::aws:policy/${unknown:parameter Name}", "", false},
		{"${unknown:parameter AdminPolicy}", "", false},
		{"arn:aws:iam::aws:role/Admin", "", false},
		{"arn:aws:s3:::aws:policy/x", "", false},
		{"arn:aws:iam::aws:policy/", "", false},
		{"arn::iam::aws:policy/x", "", false},
		{"AdministratorAccess", "", false},
	}
	for _, c := range cases {
		got, ok := policyARNKey(c.arn)
		if got != c.want || ok != c.ok {
			t.Errorf("policyARNKey(%q) = %q, %v; want %q, %v", c.arn, got, ok, c.want, c.ok)
		}
	}
}

// TestIAMPolicyBlacklistedCheckBeforeDeployment runs the rule on items
// read from a CloudFormation template, where names and ARNs may be known
// only after deployment.
func TestIAMPolicyBlacklistedCheckBeforeDeployment(t *testing.T) {
	const template = `
Parameters:
  ExtraPolicy: {Type: String}
  UserName: {Type: String}
Resources:
  Admin:
    Type: AWS::IAM::Role
    Properties:
      RoleName: admin
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: []}
      ManagedPolicyArns:
        - !Sub arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess
        - !Ref ExtraPolicy
  Reader:
    Type: AWS::IAM::Role
    Properties:
      RoleName: reader
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: []}
      ManagedPolicyArns: [!Sub "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess"]
  Extra:
    Type: AWS::IAM::Role
    Properties:
      RoleName: extra
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: []}
      ManagedPolicyArns: [!Ref ExtraPolicy, arn:aws:iam::aws:policy/ReadOnlyAccess]
  Operator:
    Type: AWS::IAM::User
    Properties:
      UserName: !Ref UserName
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
  Auditor:
    Type: AWS::IAM::User
    Properties:
      UserName: !Ref UserName
      ManagedPolicyArns: [arn:aws:iam::aws:policy/SecurityAudit]
`
	items := map[string]*evaluate.ConfigurationItem{}
	for ci, err := range iac.ReadTemplate(strings.NewReader(template), "stack.yaml") {
		if err != nil {
			t.Fatal(err)
		}
		items[ci.ResourceID] = ci
	}
	cases := []struct {
		reason string
		id     string
		params map[string]string
		want   evaluate.Compliance
		note   string
	}{
		{reason: "only the partition is unknown: AdministratorAccess is attached whatever it is", id: "Admin",
			want: evaluate.NonCompliant, note: "The role admin has blocked policies attached: arn:${unknown:AWS::Partition}:iam::aws:policy/AdministratorAccess."},
		{reason: "only the partition is unknown, and the policy is not blocked", id: "Reader",
			want: evaluate.Compliant, note: "The role reader has none"},
		{reason: "a policy ARN from a parameter may be a blocked one", id: "Extra",
			want: evaluate.InsufficientData, note: "A policy attached to role extra is not known before deployment (configuration.attachedManagedPolicies[0].policyArn)."},
		{reason: "the same policy, not blocked by the parameter given", id: "Extra",
			params: map[string]string{"policyArns": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
			want:   evaluate.NonCompliant, note: "arn:aws:iam::aws:policy/ReadOnlyAccess"},
		{reason: "an unknown user name, and no user excepted", id: "Operator",
			want: evaluate.NonCompliant, note: "The user Operator has blocked policies attached"},
		{reason: "an unknown user name while users are excepted", id: "Operator",
			params: map[string]string{"exceptionList": "users:[break-glass]"},
			want:   evaluate.InsufficientData, note: "whether it is in exceptionList is not known before deployment"},
		{reason: "an unknown user name matters not when only roles are excepted", id: "Operator",
			params: map[string]string{"exceptionList": "roles:[break-glass]"},
			want:   evaluate.NonCompliant},
		{reason: "an unknown user name matters not without a blocked policy", id: "Auditor",
			params: map[string]string{"exceptionList": "users:[break-glass]"},
			want:   evaluate.Compliant},
		{reason: "a known role name in exceptionList", id: "Admin",
			params: map[string]string{"exceptionList": "roles:[admin]"},
			want:   evaluate.NotApplicable, note: "The role admin is in exceptionList."},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			ci := items[c.id]
			if ci == nil {
				t.Fatalf("no item %s in the template", c.id)
			}
			rule := IAMPolicyBlacklistedCheck()
			engine, err := evaluate.NewEngine([]evaluate.Rule{rule},
				evaluate.WithParameters(map[string]map[string]string{rule.Metadata().ID: c.params}))
			if err != nil {
				t.Fatal(err)
			}
			evs, err := engine.Evaluate(context.Background(), ci)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1 {
				t.Fatalf("%d evaluations, want 1", len(evs))
			}
			if evs[0].Compliance != c.want || !strings.Contains(evs[0].Annotation, c.note) {
				t.Errorf("got %s (%q), want %s with %q", evs[0].Compliance, evs[0].Annotation, c.want, c.note)
			}
		})
	}
}
