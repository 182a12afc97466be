// Package configrule provides the AWS Config custom-rule Lambda adapter:
//
//	lambda.Start(configrule.NewHandler(rules.S3BucketVersioningEnabled()))
//
// turns a rule of package evaluate into a production-grade custom rule.
//
// # What an invocation does
//
// The handler decodes the event's invokingEvent for each message type:
// ConfigurationItemChangeNotification (the item in the event),
// OversizedConfigurationItemChangeNotification (the item is read with
// GetResourceConfigHistory), and the periodic ScheduledNotification and
// older ConfigurationSnapshotDeliveryCompleted. It decodes ruleParameters
// into the rule's typed parameters; invalid parameters fail the invocation
// with an error naming the parameter before anything is put.
//
// A change evaluates the item. A resource that left the rule's scope
// (eventLeftScope) or was deleted is NOT_APPLICABLE; a resource Config does
// not record (ResourceNotRecorded) is not evaluated; an item of a type the
// rule does not evaluate is NOT_APPLICABLE, as in rdklib.
//
// A periodic run lists the rule's resource types through Config (package
// awslookup: ListDiscoveredResources, then BatchGetResourceConfig in
// batches of 100) and evaluates them on several goroutines; an
// account-level rule evaluates the account once, as resource type
// AWS::::Account with the account id. Then, as rdklib does, resources that
// earlier evaluations found COMPLIANT or NON_COMPLIANT
// (GetComplianceDetailsByConfigRule) but that no longer exist are reported
// NOT_APPLICABLE; resources that exist but could not be evaluated, and
// types that could not be listed, are left alone. Evaluation stops in time
// to put what was evaluated before the Lambda's deadline. Items listed this
// way carry neither the top-level tags nor relationships, which
// BatchGetResourceConfig does not return; their Unknown field says so.
//
// # Putting evaluations
//
// PutEvaluations receives batches of at most 100 evaluations; the Config
// client uses the SDK's adaptive retry mode with bounded attempts for
// throttling; evaluations Config reports as failed are sent again, and if
// they still fail the invocation's error names them. The result token
// TESTMODE sets TestMode. The ordering timestamp is the item's capture
// time for changes and the notification time for periodic runs.
// Annotations are cut to Config's 256 characters; empty ones are left out.
//
// INSUFFICIENT_DATA, which PutEvaluations does not accept from custom
// rules, is never put and never turned into another compliance type: each
// such result is logged (WARN) with the rule's reason, and with
// [FailOnInsufficientData] the invocation also fails naming them.
//
// A rule that errors or panics on one resource does not lose the others:
// they are put, and the invocation then returns an [InvocationError]
// naming what failed.
//
// # Accounts and credentials
//
// With [WithCrossAccount], every call (lookups, listing, PutEvaluations)
// uses the credentials of the event's executionRoleArn, or of the role the
// rule parameter ExecutionRoleName names in that account (as rdklib's
// ExecutionRoleName), assumed with STS and cached until shortly before they
// expire. Without it, calls use the Lambda's own credentials.
//
// # Logs
//
// Logs are structured (log/slog, JSON by default): one record per
// evaluation with rule, resource, compliance, annotation and duration, one
// per failure, and a summary per invocation. They never hold credentials,
// result tokens or configurations.
//
// # SSM Automation
//
// The package also holds the adapter for remediations: [SSMHandler], made
// by [NewSSMHandler], is the Lambda an SSM Automation document's
// aws:invokeLambdaFunction step calls. It runs one remediation of package
// remediate on the resource AWS Config names (the payload
// {"remediation", "resourceType", "resourceId", "parameters", "dryRun"}),
// refuses bad payloads (an unknown remediation, a resource id that does not
// fit the type, a missing parameter, unknown fields) before any AWS
// request, plans without writing when dryRun is set, and answers with the
// actions made or planned. The documents and the matching
// AWS::Config::RemediationConfiguration come from package remediate/ssmdoc.
package configrule
