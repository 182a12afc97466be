// Package hook provides the CloudFormation Lambda hook adapter: a handler
// for the function of an AWS::CloudFormation::LambdaHook that evaluates
// the catalog's rules before CloudFormation provisions anything.
//
//	h, err := hook.NewHandler(rules)
//	...
//	lambda.Start(h)
//
// # Targets
//
// A resource target (TargetOperations RESOURCE, or CLOUD_CONTROL) carries
// the resource's resolved properties; they are read with iac.ReadResource
// and evaluated on their own. Such a call does not show the rest of the
// stack: what other resources would add (a bucket's policy, a security
// group's separate rules, a function's permissions, an identity's
// policies) is unknown, and lookups of other resources and account facts
// answer unknown, so a rule that needs them answers INSUFFICIENT_DATA,
// which never fails the hook. A resource that is part of another (a
// BucketPolicy, a SecurityGroupIngress, an IAM policy) fails a rule only
// when the resource it belongs to fails it with the part and not without
// it: the failure is the part's doing.
//
// Stack and change set targets point to a JSON document holding the
// template, fetched with the SDK's HTTP client; the template is read with
// iac.ReadTemplate and scanned as examples/scan scans it, so rules that
// join resources (a trail and its bucket, a VPC and its flow logs) see
// the other resources of the template. The event does not carry parameter
// values: parameters are unknown, not their Defaults. No account facts are
// read either: rules that need them (the account's Block Public Access
// settings) answer INSUFFICIENT_DATA.
//
// # Answers
//
// A rule NON_COMPLIANT on a resource fails the hook with errorCode
// NonCompliant and a message (at most MaxMessage characters) that names
// each failed rule id and logical id, then the rules' explanations; on an
// update, failures the resource already had before are marked so, which
// helps a roll-out in FailureMode WARN. COMPLIANT, NOT_APPLICABLE and
// INSUFFICIENT_DATA never fail it. DELETE_PRE_PROVISION always succeeds.
// An event that cannot be read, a payload that cannot be fetched, a
// resource that cannot be read or a rule that errs is InternalFailure when
// nothing failed (and listed in the NonCompliant message otherwise), never
// SUCCESS. The client request token is echoed.
package hook
