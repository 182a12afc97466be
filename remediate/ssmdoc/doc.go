// Package ssmdoc provides generators that wire a remediation into AWS
// Config and SSM Automation: the Automation document that invokes the
// remediation Lambda, and the AWS::Config::RemediationConfiguration that
// runs the document for a Config rule's non-compliant resources.
//
// # The document
//
// [Document] returns an Automation document (schemaVersion 0.3) with the
// parameters AutomationAssumeRole, ResourceId, FunctionName, DryRun and the
// remediation's own (all strings, as SSM and Config pass them, with the
// remediation's defaults), one aws:invokeLambdaFunction step whose
// InputPayload is the payload the configrule SSM handler takes, and the
// step's Payload as output.
//
// # The remediation configuration
//
// [RemediationConfiguration] returns the CloudFormation resource: TargetType
// SSM_DOCUMENT, ResourceId bound to RESOURCE_ID, and static values for the
// role, the function and the parameters. Property values that name other
// template resources (the rule, the document, the role) may be intrinsic
// functions such as map[string]any{"Ref": "Rule"}.
//
// The least-privilege IAM policy of the function is remediate.PolicyFor.
package ssmdoc
