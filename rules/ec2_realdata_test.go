package rules

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/internal/sharedtest"
)

// TestEC2RealData runs the family over the shared real Config data, as
// captured or published (the fixtures hold adapted copies): the verdicts
// on those files must not drift.
func TestEC2RealData(t *testing.T) {
	dir := sharedtest.Path("realdata")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real data not available (%v); the fixtures under testdata cover the same shapes", err)
	}
	files := []string{
		"aws-config-rdk/example_ci/AWS_EC2_SecurityGroup.json",
		"aws-config-rdk/example_ci/AWS_EC2_NetworkAcl.json",
		"aws-config-rdk/example_ci/AWS_EC2_Instance.json",
		"aws-config-rdk/example_ci/AWS_EC2_Volume.json",
		"cloud-custodian/cwe/event-config-rule-security-group.json",
		"cloud-custodian/cwe/event-config-rule-instance.json",
		"aws-config-developer-guide/sns-notification-sg-created.json",
		"aws-config-developer-guide/get-resource-config-history-security-group.json",
	}
	type key struct{ rule, resource string }
	want := map[key]evaluate.Compliance{
		{"restricted-ssh", "sg-1d56fc66"}:                                  evaluate.NonCompliant,
		{"restricted-common-ports", "sg-1d56fc66"}:                         evaluate.Compliant,
		{"vpc-sg-open-only-to-authorized-ports", "sg-1d56fc66"}:            evaluate.NonCompliant,
		{"vpc-default-security-group-closed", "sg-1d56fc66"}:               evaluate.NotApplicable,
		{"nacl-no-unrestricted-ssh-rdp", "acl-b48fd1d0"}:                   evaluate.NonCompliant,
		{"ec2-instance-no-public-ip", "i-03402838daac1d611"}:               evaluate.NonCompliant,
		{"ec2-imdsv2-check", "i-03402838daac1d611"}:                        evaluate.NonCompliant,
		{"ec2-instance-profile-attached", "i-03402838daac1d611"}:           evaluate.NonCompliant,
		{"ec2-instance-managed-by-systems-manager", "i-03402838daac1d611"}: evaluate.InsufficientData,
		{"encrypted-volumes", "vol-a416b170"}:                              evaluate.Compliant,
		{"restricted-ssh", "sg-e2fb6999"}:                                  evaluate.NonCompliant,
		{"restricted-common-ports", "sg-e2fb6999"}:                         evaluate.Compliant,
		{"vpc-sg-open-only-to-authorized-ports", "sg-e2fb6999"}:            evaluate.NonCompliant,
		{"vpc-default-security-group-closed", "sg-e2fb6999"}:               evaluate.NotApplicable,
		{"ec2-instance-no-public-ip", "i-094bc87c84d56c589"}:               evaluate.Compliant,
		{"ec2-imdsv2-check", "i-094bc87c84d56c589"}:                        evaluate.NonCompliant,
		{"ec2-instance-profile-attached", "i-094bc87c84d56c589"}:           evaluate.NonCompliant,
		{"ec2-instance-managed-by-systems-manager", "i-094bc87c84d56c589"}: evaluate.NotApplicable,
		{"restricted-ssh", "sg-3f1fef43"}:                                  evaluate.Compliant,
		{"restricted-common-ports", "sg-3f1fef43"}:                         evaluate.Compliant,
		{"vpc-sg-open-only-to-authorized-ports", "sg-3f1fef43"}:            evaluate.NotApplicable,
		{"vpc-default-security-group-closed", "sg-3f1fef43"}:               evaluate.NotApplicable,
		{"restricted-ssh", "sg-6fbb3807"}:                                  evaluate.Compliant,
		{"restricted-common-ports", "sg-6fbb3807"}:                         evaluate.Compliant,
		{"vpc-sg-open-only-to-authorized-ports", "sg-6fbb3807"}:            evaluate.NonCompliant,
		{"vpc-default-security-group-closed", "sg-6fbb3807"}:               evaluate.NotApplicable,
	}
	engine, err := evaluate.NewEngine(ec2Rules())
	if err != nil {
		t.Fatal(err)
	}
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join(dir, f)
	}
	got := map[key]evaluate.Compliance{}
	for ev, err := range engine.Scan(context.Background(), evaluate.Files(paths...)) {
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if ev.ResourceType == evaluate.AccountResourceType {
			continue
		}
		got[key{ev.RuleID, ev.ResourceID}] = ev.Compliance
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
}
