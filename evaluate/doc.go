// Package evaluate provides the core of guardrails: AWS Config's
// configuration item, compliance and evaluations, the Rule interface, the
// composition of rules from smaller checks, and an Engine that runs a rule
// set over items from anywhere. It makes no AWS calls.
//
// # Items
//
// [ConfigurationItem] decodes both shapes AWS produces: the notification
// and snapshot shape, and the API shape of GetResourceConfigHistory and
// BatchGetResourceConfig, where the configuration and each supplementary
// value are JSON strings. Rules see one normalised shape. [FromAPI] and
// [FromBaseItem] convert the SDK's types.
//
// # Rules
//
// A [Rule] has [Metadata] (id, resource types, trigger, parameters,
// severity, the managed rule it mirrors, controls, remediations) and
// prepares an [Evaluator] once its parameters are bound: Config passes
// parameters as a JSON string of strings ([ParseRuleParameters]), and
// [BindParams] checks them against the declarations with errors that name
// the parameter. [AllOf], [AnyOf], [Not] and [ByResourceType] build rules
// from smaller checks. A [Model] decodes an item's configuration into a
// typed view once, however many rules read it.
//
// # Engine
//
// [NewEngine] checks rule ids and parameters and indexes rules by resource
// type, once. [Engine.Evaluate] evaluates one item; [Engine.Scan] evaluates
// a [Source] of any size on GOMAXPROCS goroutines, in input order, with
// memory that does not grow with the source. A rule that errors or panics
// yields an [*Error] for that rule and item; the others go on. Deleted
// resources are NOT_APPLICABLE; ResourceNotRecorded items are not
// evaluated. Account-level rules (resource type AWS::::Account) run once
// per account and region seen.
//
// # Sources and lookups
//
// [Files] reads items, snapshot and history files (plain or gzip, detected
// by content) and directories of them, streaming: a file of millions of
// items is never held whole. One broken item is an error naming the file,
// line and item; the items around it are still read. [Reader] adds formats,
// such as CloudFormation templates and Terraform plans (package iac).
//
// Rules that need more than their item (a VPC's flow logs, a trail's
// bucket, the account's password policy) ask a [Lookup]. In a scan the
// engine backs it with an [Inventory] of the scanned items and [FactsDir];
// in Lambda, package awslookup backs it with the AWS APIs. When the answer
// is not known the lookup says so ([ErrUnknown]) and the rule answers
// INSUFFICIENT_DATA rather than guessing.
package evaluate
