package rules

import (
	"testing"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// TestUnknownsOfResourcesReadAlone: items read from one resource of a
// template (a CloudFormation hook's resource target) mark unknown what
// other resources would add. A rule decides on what is known, and answers
// INSUFFICIENT_DATA only when the unknown part matters.
func TestUnknownsOfResourcesReadAlone(t *testing.T) {
	user := `{"userName": "alice", "userPolicyList": [], "attachedManagedPolicies": [], "groupList": []}`
	userInline := `{"userName": "bob", "userPolicyList": [{"policyName": "p", "policyDocument": "%7B%7D"}], "attachedManagedPolicies": [], "groupList": []}`
	role := `{"roleName": "app", "rolePolicyList": [], "attachedManagedPolicies": [], "instanceProfileList": []}`
	instance := `{"instanceId": "Web", "state": {"code": 16, "name": "running"}, "subnetId": "subnet-1",
	  "networkInterfaces": [{"subnetId": "subnet-1", "vpcId": "${unknown:VPC of the subnet}"}],
	  "iamInstanceProfile": {"arn": "arn:aws:iam::111122223333:instance-profile/app", "id": "${unknown:Web instance profile id}"}}`
	tests := []struct {
		reason  string
		rule    string
		params  map[string]string
		ci      *evaluate.ConfigurationItem
		unknown []string
		want    evaluate.Compliance
	}{
		{"user without inline policies of its own, others may add some", "iam-no-inline-policy-check", nil,
			item(t, resource.IAMUserType, "Alice", user, ""), []string{"configuration.userPolicyList"}, evaluate.InsufficientData},
		{"user with an inline policy, others may add more", "iam-no-inline-policy-check", nil,
			item(t, resource.IAMUserType, "Bob", userInline, ""), []string{"configuration.userPolicyList"}, evaluate.NonCompliant},
		{"role without inline policies, its list unknown", "iam-no-inline-policy-check", nil,
			item(t, resource.IAMRoleType, "App", role, ""), []string{"configuration.rolePolicyList"}, evaluate.InsufficientData},
		{"role without inline policies, only attachments unknown", "iam-no-inline-policy-check", nil,
			item(t, resource.IAMRoleType, "App", role, ""), []string{"configuration.attachedManagedPolicies"}, evaluate.Compliant},
		{"user without policies, attachments unknown", "iam-user-no-policies-check", nil,
			item(t, resource.IAMUserType, "Alice", user, ""), []string{"configuration.attachedManagedPolicies"}, evaluate.InsufficientData},
		{"user with an inline policy, attachments unknown", "iam-user-no-policies-check", nil,
			item(t, resource.IAMUserType, "Bob", userInline, ""), []string{"configuration.attachedManagedPolicies"}, evaluate.NonCompliant},
		{"interface's VPC unknown: no public address either way", "ec2-instance-no-public-ip", nil,
			item(t, resource.EC2InstanceType, "Web", instance, ""), []string{"configuration.networkInterfaces[0].vpcId"}, evaluate.Compliant},
		{"interface's association unknown", "ec2-instance-no-public-ip", nil,
			item(t, resource.EC2InstanceType, "Web", instance, ""), []string{"configuration.networkInterfaces[0].association.publicIp"}, evaluate.InsufficientData},
		{"interfaces unknown as a whole", "ec2-instance-no-public-ip", nil,
			item(t, resource.EC2InstanceType, "Web", instance, ""), []string{"configuration.networkInterfaces"}, evaluate.InsufficientData},
		{"profile id unknown, a profile is attached", "ec2-instance-profile-attached", nil,
			item(t, resource.EC2InstanceType, "Web", instance, ""), []string{"configuration.iamInstanceProfile.id"}, evaluate.Compliant},
		{"profile ARN unknown, a list to match", "ec2-instance-profile-attached", map[string]string{"IamInstanceProfileArnList": "arn:aws:iam::111122223333:instance-profile/app"},
			item(t, resource.EC2InstanceType, "Web", instance, ""), []string{"configuration.iamInstanceProfile.arn"}, evaluate.InsufficientData},
		{"profile ARN partly unknown, no list: attached all the same", "ec2-instance-profile-attached", nil,
			item(t, resource.EC2InstanceType, "Web", instance, ""), []string{"configuration.iamInstanceProfile.arn"}, evaluate.Compliant},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			tt.ci.Unknown = tt.unknown
			ev, err := evaluateItem(t, tt.rule, tt.params, nil, tt.ci)
			if err != nil {
				t.Fatal(err)
			}
			if ev.Compliance != tt.want {
				t.Errorf("got %s (%q), want %s", ev.Compliance, ev.Annotation, tt.want)
			}
		})
	}
}
