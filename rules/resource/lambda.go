package resource

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/guardrails-go/guardrails/evaluate"
)

// LambdaFunctionType is the Config resource type of Lambda functions.
const LambdaFunctionType = "AWS::Lambda::Function"

// LambdaFunction is the view of an AWS::Lambda::Function item.
type LambdaFunction struct {
	// Name is the function name (functionName, else the resource name or
	// id).
	Name      string
	ARN       string
	AccountID string
	Region    string
	// SubnetIDs and SecurityGroupIDs are the function's VPC configuration;
	// empty when it is not connected to a VPC.
	SubnetIDs        []string
	SecurityGroupIDs []string
	// Environment holds the environment variables when the item carries
	// them. Config does not record them, so items from Config leave this
	// nil; items built from templates fill configuration.environment.
	Environment *LambdaEnvironment
	// Policy is the function's resource-based policy as Config recorded it
	// (JSON text), "" when the item holds none: Config records
	// supplementaryConfiguration.Policy only for functions that have one.
	Policy string
}

// LambdaEnvironment is a function's environment.
type LambdaEnvironment struct {
	// Variables maps each variable's name to its value.
	Variables map[string]string
}

// Names returns the variable names, sorted.
func (e *LambdaEnvironment) Names() []string {
	names := make([]string, 0, len(e.Variables))
	for n := range e.Variables {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

var lambdaFunctions = evaluate.NewModel(LambdaFunctionType, DecodeLambdaFunction)

// LambdaFunctionOf returns the view of the input's function, decoded once
// per item.
func LambdaFunctionOf(in *evaluate.Input) (*LambdaFunction, error) { return lambdaFunctions.Of(in) }

// DecodeLambdaFunction decodes an AWS::Lambda::Function item.
func DecodeLambdaFunction(ci *evaluate.ConfigurationItem) (*LambdaFunction, error) {
	var conf struct {
		FunctionName string `json:"functionName"`
		FunctionARN  string `json:"functionArn"`
		VPCConfig    *struct {
			SubnetIDs        []string `json:"subnetIds"`
			SecurityGroupIDs []string `json:"securityGroupIds"`
		} `json:"vpcConfig"`
		Environment *struct {
			Variables map[string]json.RawMessage `json:"variables"`
		} `json:"environment"`
	}
	if err := decodeConfiguration(ci, &conf); err != nil {
		return nil, err
	}
	f := &LambdaFunction{
		Name:      nonEmptyOr(conf.FunctionName, nonEmptyOr(ci.ResourceName, ci.ResourceID)),
		ARN:       nonEmptyOr(conf.FunctionARN, ci.ARN),
		AccountID: ci.AccountID,
		Region:    ci.Region,
	}
	if conf.VPCConfig != nil {
		f.SubnetIDs = nonEmpty(conf.VPCConfig.SubnetIDs)
		f.SecurityGroupIDs = nonEmpty(conf.VPCConfig.SecurityGroupIDs)
	}
	if conf.Environment != nil {
		f.Environment = &LambdaEnvironment{Variables: make(map[string]string, len(conf.Environment.Variables))}
		for k, raw := range conf.Environment.Variables {
			var v Text
			// The error leaves the value out: it may be a secret.
			if err := v.UnmarshalJSON(raw); err != nil {
				return nil, fmt.Errorf("configuration.environment.variables.%s: want a string value", k)
			}
			f.Environment.Variables[k] = string(v)
		}
	}
	if raw, ok := ci.SupplementaryConfiguration["Policy"]; ok {
		text, err := jsonText(raw)
		if err != nil {
			return nil, decodeField("supplementaryConfiguration.Policy", raw, new(string))
		}
		f.Policy = text
	}
	return f, nil
}

// nonEmpty drops empty strings.
func nonEmpty(in []string) []string {
	var out []string
	for _, s := range in {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
