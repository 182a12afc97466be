package ssmdoc

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/guardrails-go/guardrails/remediate"
)

// Parameter names every document has besides the remediation's own.
const (
	ParamAutomationAssumeRole = "AutomationAssumeRole"
	ParamResourceID           = "ResourceId"
	ParamResourceType         = "ResourceType"
	ParamFunctionName         = "FunctionName"
	ParamDryRun               = "DryRun"
)

// DefaultFunctionName is the default of the FunctionName parameter.
const DefaultFunctionName = "guardrails-ssm-remediation"

// StepName is the name of the document's one step.
const StepName = "Remediate"

// Automation is an SSM Automation document.
type Automation struct {
	SchemaVersion string               `yaml:"schemaVersion" json:"schemaVersion"`
	Description   string               `yaml:"description" json:"description"`
	AssumeRole    string               `yaml:"assumeRole" json:"assumeRole"`
	Parameters    map[string]Parameter `yaml:"parameters" json:"parameters"`
	MainSteps     []Step               `yaml:"mainSteps" json:"mainSteps"`
	Outputs       []string             `yaml:"outputs" json:"outputs"`
}

// Parameter is a document parameter. Default is a pointer so that an
// optional parameter can default to "" (without a default, SSM requires a
// value).
type Parameter struct {
	Type          string   `yaml:"type" json:"type"`
	Description   string   `yaml:"description" json:"description"`
	Default       any      `yaml:"default,omitempty" json:"default,omitempty"`
	AllowedValues []string `yaml:"allowedValues,omitempty" json:"allowedValues,omitempty"`
}

// Step is an Automation step.
type Step struct {
	Name           string         `yaml:"name" json:"name"`
	Action         string         `yaml:"action" json:"action"`
	MaxAttempts    int            `yaml:"maxAttempts" json:"maxAttempts"`
	TimeoutSeconds int            `yaml:"timeoutSeconds" json:"timeoutSeconds"`
	OnFailure      string         `yaml:"onFailure" json:"onFailure"`
	IsEnd          bool           `yaml:"isEnd" json:"isEnd"`
	Inputs         map[string]any `yaml:"inputs" json:"inputs"`
}

// Option changes a generated document or configuration.
type Option func(*options)

type options struct {
	functionName  any
	resourceType  string
	role          any
	rule          any
	document      any
	automatic     bool
	attempts      int
	retrySeconds  int
	params        map[string]string
	timeoutSecond int
}

func newOptions(opts []Option) options {
	o := options{functionName: DefaultFunctionName, automatic: true, attempts: 3, retrySeconds: 60, timeoutSecond: 120}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithFunctionName sets the remediation Lambda: the default of the
// document's FunctionName parameter (a string), or the value the
// configuration passes (a string or an intrinsic function).
func WithFunctionName(name any) Option { return func(o *options) { o.functionName = name } }

// WithResourceType sets the Config resource type, for remediations that
// take several; the default is the remediation's first.
func WithResourceType(t string) Option { return func(o *options) { o.resourceType = t } }

// WithAutomationRole sets the role SSM Automation assumes (configuration).
func WithAutomationRole(arn any) Option { return func(o *options) { o.role = arn } }

// WithDocument names the SSM document the configuration runs.
func WithDocument(name any) Option { return func(o *options) { o.document = name } }

// WithAutomatic sets whether Config runs the remediation by itself
// (default true), how many times it tries (default 3) and how far apart
// the tries are counted (seconds, default 60).
func WithAutomatic(automatic bool, attempts, retrySeconds int) Option {
	return func(o *options) { o.automatic, o.attempts, o.retrySeconds = automatic, attempts, retrySeconds }
}

// WithParameters sets the remediation's parameter values in the
// configuration; the others take the document's defaults.
func WithParameters(p map[string]string) Option { return func(o *options) { o.params = p } }

// Document returns the Automation document for a remediation.
func Document(r *remediate.Remediation, opts ...Option) (*Automation, error) {
	o := newOptions(opts)
	fn, ok := o.functionName.(string)
	if !ok {
		return nil, fmt.Errorf("ssmdoc: document %s: the FunctionName default must be a string", r.ID)
	}
	params := map[string]Parameter{
		ParamAutomationAssumeRole: {Type: "String", Default: "",
			Description: "(Optional) The ARN of the role SSM Automation assumes; it needs lambda:InvokeFunction on the function."},
		ParamResourceID: {Type: "String",
			Description: "(Required) " + resourceIDText(r)},
		ParamFunctionName: {Type: "String", Default: fn,
			Description: "(Optional) The name or ARN of the guardrails remediation Lambda."},
		ParamDryRun: {Type: "Boolean", Default: false,
			Description: "(Optional) Plan only: read the state and list the writes without making them."},
	}
	payloadParams := map[string]any{}
	for _, p := range r.Parameters {
		if _, clash := params[p.Name]; clash {
			return nil, fmt.Errorf("ssmdoc: document %s: parameter %s clashes with a document parameter", r.ID, p.Name)
		}
		dp := Parameter{Type: "String", AllowedValues: p.AllowedValues}
		if p.Required {
			dp.Description = "(Required) " + p.Description
		} else {
			dp.Description = "(Optional) " + p.Description
			dp.Default = p.Default // "" when it has none, so SSM does not ask for it
		}
		params[p.Name] = dp
		payloadParams[p.Name] = "{{ " + p.Name + " }}"
	}
	payload := map[string]any{
		"remediation": r.ID,
		"resourceId":  "{{ " + ParamResourceID + " }}",
		"dryRun":      "{{ " + ParamDryRun + " }}",
		"parameters":  payloadParams,
	}
	typ, err := resourceType(r, o)
	if err != nil {
		return nil, err
	}
	if len(r.ResourceTypes) > 1 {
		params[ParamResourceType] = Parameter{Type: "String", Default: typ, AllowedValues: r.ResourceTypes,
			Description: "(Optional) The AWS Config resource type of ResourceId."}
		payload["resourceType"] = "{{ " + ParamResourceType + " }}"
	} else {
		payload["resourceType"] = typ
	}
	return &Automation{
		SchemaVersion: "0.3",
		Description: fmt.Sprintf("### guardrails remediation %s\n\n%s\n\nFixes the findings of %s. Runs the guardrails remediation Lambda, "+
			"which reads the current state first and writes only what is wrong.\n", r.ID, r.Summary, strings.Join(r.Fixes, ", ")),
		AssumeRole: "{{ " + ParamAutomationAssumeRole + " }}",
		Parameters: params,
		MainSteps: []Step{{
			Name:           StepName,
			Action:         "aws:invokeLambdaFunction",
			MaxAttempts:    1,
			TimeoutSeconds: o.timeoutSecond,
			OnFailure:      "Abort",
			IsEnd:          true,
			Inputs: map[string]any{
				"FunctionName":   "{{ " + ParamFunctionName + " }}",
				"InvocationType": "RequestResponse",
				"InputPayload":   payload,
			},
		}},
		Outputs: []string{StepName + ".Payload"},
	}, nil
}

func resourceType(r *remediate.Remediation, o options) (string, error) {
	if o.resourceType == "" {
		return r.ResourceTypes[0], nil
	}
	for _, t := range r.ResourceTypes {
		if t == o.resourceType {
			return t, nil
		}
	}
	return "", fmt.Errorf("ssmdoc: remediation %s does not take resource type %s (it takes %s)", r.ID, o.resourceType, strings.Join(r.ResourceTypes, ", "))
}

func resourceIDText(r *remediate.Remediation) string {
	var kinds []string
	for _, t := range r.ResourceTypes {
		kinds = append(kinds, resourceIDKinds[t])
	}
	return "The resource AWS Config passes as RESOURCE_ID: " + strings.Join(kinds, ", or ") + "."
}

var resourceIDKinds = map[string]string{
	"AWS::::Account":          "the account id (AWS::::Account)",
	"AWS::S3::Bucket":         "the bucket name (AWS::S3::Bucket)",
	"AWS::EC2::SecurityGroup": "the security group id sg-… (AWS::EC2::SecurityGroup)",
	"AWS::EC2::Instance":      "the instance id i-… (AWS::EC2::Instance)",
	"AWS::EC2::VPC":           "the VPC id vpc-… (AWS::EC2::VPC)",
	"AWS::CloudTrail::Trail":  "the trail name or ARN (AWS::CloudTrail::Trail)",
	"AWS::IAM::User":          "the user's unique id AIDA… (AWS::IAM::User)",
	"AWS::KMS::Key":           "the key id (AWS::KMS::Key)",
	"AWS::RDS::DBInstance":    "the DbiResourceId db-… (AWS::RDS::DBInstance)",
}

// YAML renders the document as YAML, indented by two spaces.
func (a *Automation) YAML() ([]byte, error) { return marshalYAML(a) }

// YAML renders the resource as YAML, indented by two spaces.
func (r *Resource) YAML() ([]byte, error) { return marshalYAML(r) }

func marshalYAML(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
