package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// BenchmarkIAMPolicyBlacklistedCheck scans 100,000 generated users, roles
// and groups with one to four attached managed policies each (one in
// twenty has AdministratorAccess), with three blocked ARNs and an
// exception list of a hundred names.
func BenchmarkIAMPolicyBlacklistedCheck(b *testing.B) {
	const n = 100_000
	attachable := []string{
		"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
		"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", "arn:aws:iam::111122223333:policy/team/deploy",
	}
	items := make([]*evaluate.ConfigurationItem, 0, n)
	for i := range n {
		var policies []map[string]string
		for j := range 1 + i%4 {
			a := attachable[(i+j)%len(attachable)]
			policies = append(policies, map[string]string{"policyArn": a, "policyName": a[strings.LastIndexByte(a, '/')+1:]})
		}
		if i%20 == 0 {
			policies = append(policies, map[string]string{"policyArn": "arn:aws:iam::aws:policy/AdministratorAccess", "policyName": "AdministratorAccess"})
		}
		typ, nameKey, listKey := resource.IAMUserType, "userName", "userPolicyList"
		switch {
		case i%10 == 7:
			typ, nameKey, listKey = resource.IAMGroupType, "groupName", "groupPolicyList"
		case i%10 >= 8:
			typ, nameKey, listKey = resource.IAMRoleType, "roleName", "rolePolicyList"
		}
		name := fmt.Sprintf("identity-%06d", i)
		conf, _ := json.Marshal(map[string]any{nameKey: name, "path": "/", listKey: []any{}, "attachedManagedPolicies": policies})
		items = append(items, &evaluate.ConfigurationItem{
			ResourceType: typ, ResourceID: fmt.Sprintf("AID%017d", i), ResourceName: name, AccountID: "111122223333",
			Region: "global", Status: evaluate.StatusOK, Configuration: conf,
		})
	}
	exceptions := "users:["
	for i := range 100 {
		if i > 0 {
			exceptions += ";"
		}
		exceptions += fmt.Sprintf("identity-%06d", i*20)
	}
	exceptions += "], roles:[break-glass]"
	params := map[string]string{
		"policyArns":    "arn:aws:iam::aws:policy/AdministratorAccess,arn:aws:iam::aws:policy/PowerUserAccess,arn:aws:iam::aws:policy/IAMFullAccess",
		"exceptionList": exceptions,
	}
	b.ResetTimer()
	for b.Loop() {
		engine, err := evaluate.NewEngine([]evaluate.Rule{IAMPolicyBlacklistedCheck()},
			evaluate.WithParameters(map[string]map[string]string{"iam-policy-blacklisted-check": params}))
		if err != nil {
			b.Fatal(err)
		}
		var nonCompliant int
		for ev, err := range engine.Scan(context.Background(), evaluate.Items(items...)) {
			if err != nil {
				b.Fatal(err)
			}
			if ev.Compliance == evaluate.NonCompliant {
				nonCompliant++
			}
		}
		if nonCompliant == 0 {
			b.Fatal("no non-compliant identity")
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
}
