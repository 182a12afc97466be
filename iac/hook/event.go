package hook

import (
	"encoding/json"
)

// Invocation points, as CloudFormation names them.
const (
	CreatePreProvision = "CREATE_PRE_PROVISION"
	UpdatePreProvision = "UPDATE_PRE_PROVISION"
	DeletePreProvision = "DELETE_PRE_PROVISION"
)

// Target types. A resource target's targetType is "RESOURCE" or, in some
// documented examples, the resource type itself.
const (
	TargetResource  = "RESOURCE"
	TargetStack     = "STACK"
	TargetChangeSet = "CHANGE_SET"
)

// Hook statuses and error codes of a Lambda hook's answer.
const (
	StatusSuccess = "SUCCESS"
	StatusFailed  = "FAILED"

	ErrorNonCompliant    = "NonCompliant"
	ErrorInternalFailure = "InternalFailure"
)

// MaxMessage is the longest message CloudFormation keeps; longer ones are
// cut. MaxCloudControlMessage is Cloud Control's, for calls without a stack.
const (
	MaxMessage             = 4096
	MaxCloudControlMessage = 1024
)

// Request is the event CloudFormation sends to the Lambda function of an
// AWS::CloudFormation::LambdaHook. Unknown keys (those of registry hooks:
// credentials, log group, encryption key) are ignored. Keys are matched
// without regard to case, which also reads the spellings of the
// documentation's syntax blocks (clientRequesttoken, stackID).
type Request struct {
	// ClientRequestToken identifies the request; the answer echoes it.
	ClientRequestToken string `json:"clientRequestToken"`
	// AWSAccountID is the account the stack deploys to.
	AWSAccountID string `json:"awsAccountId"`
	// StackID is the stack's ARN, arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID;
	// empty for Cloud Control API calls.
	StackID string `json:"stackId"`
	// ChangeSetID is the change set's ARN, when the operation runs one.
	ChangeSetID     string          `json:"changeSetId"`
	HookTypeName    string          `json:"hookTypeName"`
	HookTypeVersion string          `json:"hookTypeVersion"`
	HookModel       json.RawMessage `json:"hookModel,omitempty"`
	// ActionInvocationPoint is CREATE_PRE_PROVISION, UPDATE_PRE_PROVISION
	// or DELETE_PRE_PROVISION.
	ActionInvocationPoint string          `json:"actionInvocationPoint"`
	RequestData           RequestData     `json:"requestData"`
	RequestContext        json.RawMessage `json:"requestContext,omitempty"`
}

// RequestData describes the target of the hook.
type RequestData struct {
	// TargetName is the resource type (AWS::S3::Bucket), or STACK, or
	// CHANGE_SET.
	TargetName string `json:"targetName"`
	// TargetType is RESOURCE (or the resource type), STACK or CHANGE_SET.
	TargetType string `json:"targetType"`
	// TargetLogicalID is the resource's logical id, the stack's name, or
	// the change set's ARN.
	TargetLogicalID string `json:"targetLogicalId"`
	// TargetModel holds a resource target's properties.
	TargetModel TargetModel `json:"targetModel"`
	// Payload is, for stack and change set targets, a presigned URL of a
	// JSON document holding the template.
	Payload string `json:"payload,omitempty"`
}

// TargetModel is a resource target's properties, resolved (no intrinsic
// functions); booleans and numbers may be strings.
type TargetModel struct {
	ResourceProperties json.RawMessage `json:"resourceProperties,omitempty"`
	// PreviousResourceProperties are the properties before an update; null
	// on create.
	PreviousResourceProperties json.RawMessage `json:"previousResourceProperties,omitempty"`
}

// Payload is the document at a stack or change set target's payload URL.
type Payload struct {
	// Template is the template as submitted, JSON or YAML text; empty on
	// delete.
	Template json.RawMessage `json:"template"`
	// PreviousTemplate is the stack's template before the operation.
	PreviousTemplate json.RawMessage `json:"previousTemplate"`
	// ChangedResources lists a change set's changes.
	ChangedResources []ChangedResource `json:"changedResources"`
}

// ChangedResource is one change of a change set.
type ChangedResource struct {
	Action            string `json:"action"`
	LogicalResourceID string `json:"logicalResourceId"`
	ResourceType      string `json:"resourceType"`
	LineNumber        *int   `json:"lineNumber"`
}

// Response is the answer of a Lambda hook.
type Response struct {
	// HookStatus is SUCCESS or FAILED (IN_PROGRESS is never answered).
	HookStatus string `json:"hookStatus"`
	// ErrorCode is NonCompliant or InternalFailure when FAILED.
	ErrorCode string `json:"errorCode,omitempty"`
	// Message says what was found, in at most MaxMessage characters.
	Message string `json:"message,omitempty"`
	// ClientRequestToken echoes the request's.
	ClientRequestToken string `json:"clientRequestToken"`
}
