// Package rules is the catalog of guardrails' AWS Config rules.
//
// Each rule carries the AWS managed rule's name, parameters and defaults
// where one exists, so a managed rule and ours can be swapped; rules no
// managed rule offers say so (their ManagedRule is ""). One file holds one
// rule: its metadata literal and its evaluator. [All] returns a fresh slice
// of every rule and [ByID] finds one; there is no global registry to fill.
//
// Rules read typed views of configuration items from package
// rules/resource and decide policies, ACLs and port ranges with the shared
// analysers of rules/policy, so a rule, a remediation and a CloudTrail
// detection that ask the same question get the same answer.
//
// # Fixtures
//
// Every rule has fixtures under testdata/<rule-id>/<expected>/, where
// expected is compliant, non_compliant, not_applicable or
// insufficient_data: real-shaped configuration items in both the
// notification and the API shape, run by one test for the whole catalog.
package rules
