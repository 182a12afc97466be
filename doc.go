// Package guardrails is an embeddable Go SDK of AWS Config custom rules: it
// checks AWS resource configurations (S3 buckets left public or
// unencrypted, SSH open to the world, trails without log validation, root
// access keys...) in your own code, in Lambda as AWS Config rules, on
// infrastructure as code, and fixes them through SSM Automation.
//
// The packages, one job each:
//
//   - evaluate: configuration items, compliance, the Rule interface,
//     composition, and the Engine that runs rules over items from anywhere.
//   - rules: the catalog, with the AWS managed rules' names, parameters and
//     defaults, so that a managed rule and ours can be swapped.
//   - rules/policy: the shared analysers (IAM policies, ACLs, port ranges).
//   - remediate: dry-run plans and idempotent fixes with the AWS SDK.
//   - configrule: AWS Config custom-rule Lambdas and SSM Automation handlers.
//   - iac: CloudFormation templates and Terraform plans as configuration items.
//   - watch: CloudTrail change detection.
//
// # Quick start
//
// Scan a Config snapshot with the whole catalog:
//
//	engine, err := evaluate.NewEngine(rules.All())
//	if err != nil {
//		log.Fatal(err)
//	}
//	for ev, err := range engine.Scan(ctx, evaluate.Files("snapshot.json.gz")) {
//		if err != nil {
//			log.Print(err) // one bad item never stops the others
//			continue
//		}
//		if ev.Compliance == evaluate.NonCompliant {
//			fmt.Println(ev.RuleID, ev.ResourceID, ev.Annotation)
//		}
//	}
//
// The command examples/scan does this with reports in text, JSON and SARIF.
package guardrails
