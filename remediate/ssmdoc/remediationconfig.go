package ssmdoc

import (
	"fmt"
	"sort"

	"github.com/guardrails-go/guardrails/remediate"
)

// Resource is a CloudFormation resource.
type Resource struct {
	Type       string                             `yaml:"Type" json:"Type"`
	Properties RemediationConfigurationProperties `yaml:"Properties" json:"Properties"`
}

// RemediationConfigurationProperties are the properties of an
// AWS::Config::RemediationConfiguration. Fields typed any take a string or
// an intrinsic function.
type RemediationConfigurationProperties struct {
	ConfigRuleName           any                       `yaml:"ConfigRuleName" json:"ConfigRuleName"`
	TargetType               string                    `yaml:"TargetType" json:"TargetType"`
	TargetId                 any                       `yaml:"TargetId" json:"TargetId"`
	ResourceType             string                    `yaml:"ResourceType" json:"ResourceType"`
	Automatic                bool                      `yaml:"Automatic" json:"Automatic"`
	MaximumAutomaticAttempts int                       `yaml:"MaximumAutomaticAttempts" json:"MaximumAutomaticAttempts"`
	RetryAttemptSeconds      int                       `yaml:"RetryAttemptSeconds" json:"RetryAttemptSeconds"`
	Parameters               map[string]ParameterValue `yaml:"Parameters" json:"Parameters"`
}

// ParameterValue is a remediation parameter: the resource's id, or a
// static value.
type ParameterValue struct {
	ResourceValue *ResourceValue `yaml:"ResourceValue,omitempty" json:"ResourceValue,omitempty"`
	StaticValue   *StaticValue   `yaml:"StaticValue,omitempty" json:"StaticValue,omitempty"`
}

// ResourceValue binds a parameter to the resource; Value is RESOURCE_ID.
type ResourceValue struct {
	Value string `yaml:"Value" json:"Value"`
}

// StaticValue is a fixed parameter value.
type StaticValue struct {
	Values []any `yaml:"Values" json:"Values"`
}

func static(v any) ParameterValue { return ParameterValue{StaticValue: &StaticValue{Values: []any{v}}} }

// RemediationConfiguration returns the AWS::Config::RemediationConfiguration
// that runs the remediation's document for a Config rule. The rule, the
// document and the automation role are required options' values
// (WithDocument, WithAutomationRole) besides the rule name.
func RemediationConfiguration(r *remediate.Remediation, ruleName any, opts ...Option) (*Resource, error) {
	o := newOptions(opts)
	switch {
	case ruleName == nil || ruleName == "":
		return nil, fmt.Errorf("ssmdoc: remediation configuration %s: no rule name", r.ID)
	case o.document == nil:
		return nil, fmt.Errorf("ssmdoc: remediation configuration %s: no document (WithDocument)", r.ID)
	case o.role == nil:
		return nil, fmt.Errorf("ssmdoc: remediation configuration %s: no automation role (WithAutomationRole); Config runs the document with it", r.ID)
	case o.attempts < 1 || o.attempts > 25:
		return nil, fmt.Errorf("ssmdoc: remediation configuration %s: MaximumAutomaticAttempts %d is not within 1 to 25", r.ID, o.attempts)
	case o.retrySeconds < 1 || o.retrySeconds > 2678000:
		return nil, fmt.Errorf("ssmdoc: remediation configuration %s: RetryAttemptSeconds %d is not within 1 to 2678000", r.ID, o.retrySeconds)
	}
	if err := r.CheckParameters(o.params); err != nil {
		return nil, fmt.Errorf("ssmdoc: remediation configuration %s: %w", r.ID, err)
	}
	typ, err := resourceType(r, o)
	if err != nil {
		return nil, err
	}
	params := map[string]ParameterValue{
		ParamResourceID:           {ResourceValue: &ResourceValue{Value: "RESOURCE_ID"}},
		ParamAutomationAssumeRole: static(o.role),
		ParamFunctionName:         static(o.functionName),
	}
	if len(r.ResourceTypes) > 1 {
		params[ParamResourceType] = static(typ)
	}
	names := make([]string, 0, len(o.params))
	for name := range o.params {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if v := o.params[name]; v != "" {
			params[name] = static(v)
		}
	}
	return &Resource{
		Type: "AWS::Config::RemediationConfiguration",
		Properties: RemediationConfigurationProperties{
			ConfigRuleName:           ruleName,
			TargetType:               "SSM_DOCUMENT",
			TargetId:                 o.document,
			ResourceType:             typ,
			Automatic:                o.automatic,
			MaximumAutomaticAttempts: o.attempts,
			RetryAttemptSeconds:      o.retrySeconds,
			Parameters:               params,
		},
	}, nil
}
