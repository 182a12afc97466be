package facts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/guardrails-go/guardrails/evaluate"
)

// LambdaFunctionConfigurationPrefix starts the names of the per-function
// facts "lambda-get-function-configuration-NAME.json", which hold what
// `aws lambda get-function-configuration --function-name NAME` prints
// (rule lambda-environment-no-plaintext-secrets reads their
// Environment.Variables, which Config does not record).
const LambdaFunctionConfigurationPrefix = "lambda-get-function-configuration-"

// LambdaGetFunctionConfigurationAPI is the part of the Lambda client that
// LambdaFunctionConfiguration calls.
type LambdaGetFunctionConfigurationAPI interface {
	GetFunctionConfiguration(ctx context.Context, in *lambda.GetFunctionConfigurationInput, optFns ...func(*lambda.Options)) (*lambda.GetFunctionConfigurationOutput, error)
}

var _ LambdaGetFunctionConfigurationAPI = (*lambda.Client)(nil)

// lambdaFunctionName is what Lambda accepts as a function name.
var lambdaFunctionName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// LambdaFunctionConfiguration returns a fetcher of the facts named
// "lambda-get-function-configuration-NAME.json": it calls
// GetFunctionConfiguration for function NAME in the region asked (the
// client's region when "") and renders the answer as the AWS CLI prints it.
// The client's credentials decide the account; accountID is not used.
//
// Errors: a name not of that form is an error; a function Lambda does not
// know wraps evaluate.ErrNotFound; a call the credentials may not make
// (AccessDeniedException) wraps evaluate.ErrUnknown, so the rule answers
// INSUFFICIENT_DATA; other failures are returned as they are. No error
// holds a variable's value.
func LambdaFunctionConfiguration(client LambdaGetFunctionConfigurationAPI) func(ctx context.Context, accountID, region, name string) ([]byte, error) {
	return func(ctx context.Context, _, region, name string) ([]byte, error) {
		function, ok := strings.CutPrefix(name, LambdaFunctionConfigurationPrefix)
		function, hasSuffix := strings.CutSuffix(function, ".json")
		if !ok || !hasSuffix || !lambdaFunctionName.MatchString(function) {
			return nil, fmt.Errorf("fact %q: want %sNAME.json with a Lambda function name", name, LambdaFunctionConfigurationPrefix)
		}
		var opts []func(*lambda.Options)
		if region != "" {
			opts = append(opts, func(o *lambda.Options) { o.Region = region })
		}
		out, err := client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(function)}, opts...)
		if err != nil {
			var notFound *types.ResourceNotFoundException
			var apiErr smithy.APIError
			switch {
			case errors.As(err, &notFound):
				return nil, fmt.Errorf("%w: Lambda has no function %s (lambda:GetFunctionConfiguration)", evaluate.ErrNotFound, function)
			case errors.As(err, &apiErr) && apiErr.ErrorCode() == "AccessDeniedException":
				return nil, fmt.Errorf("%w: not allowed to call lambda:GetFunctionConfiguration on function %s", evaluate.ErrUnknown, function)
			}
			return nil, fmt.Errorf("lambda:GetFunctionConfiguration on function %s: %w", function, err)
		}
		return json.MarshalIndent(renderLambdaConfiguration(out), "", "    ")
	}
}

// lambdaConfigurationJSON is the part of GetFunctionConfiguration's answer
// that the facts keep, under the names the API and the CLI use.
type lambdaConfigurationJSON struct {
	FunctionName  string                 `json:"FunctionName,omitempty"`
	FunctionArn   string                 `json:"FunctionArn,omitempty"`
	Runtime       string                 `json:"Runtime,omitempty"`
	Role          string                 `json:"Role,omitempty"`
	Handler       string                 `json:"Handler,omitempty"`
	CodeSize      int64                  `json:"CodeSize"`
	Description   string                 `json:"Description"`
	Timeout       *int32                 `json:"Timeout,omitempty"`
	MemorySize    *int32                 `json:"MemorySize,omitempty"`
	LastModified  string                 `json:"LastModified,omitempty"`
	CodeSha256    string                 `json:"CodeSha256,omitempty"`
	Version       string                 `json:"Version,omitempty"`
	VpcConfig     *lambdaVpcConfigJSON   `json:"VpcConfig,omitempty"`
	Environment   *lambdaEnvironmentJSON `json:"Environment,omitempty"`
	KMSKeyArn     string                 `json:"KMSKeyArn,omitempty"`
	RevisionId    string                 `json:"RevisionId,omitempty"`
	State         string                 `json:"State,omitempty"`
	PackageType   string                 `json:"PackageType,omitempty"`
	Architectures []string               `json:"Architectures,omitempty"`
}

type lambdaVpcConfigJSON struct {
	SubnetIds        []string `json:"SubnetIds"`
	SecurityGroupIds []string `json:"SecurityGroupIds"`
	VpcId            string   `json:"VpcId"`
}

type lambdaEnvironmentJSON struct {
	Variables map[string]string           `json:"Variables,omitempty"`
	Error     *lambdaEnvironmentErrorJSON `json:"Error,omitempty"`
}

type lambdaEnvironmentErrorJSON struct {
	ErrorCode string `json:"ErrorCode,omitempty"`
	Message   string `json:"Message,omitempty"`
}

func renderLambdaConfiguration(out *lambda.GetFunctionConfigurationOutput) lambdaConfigurationJSON {
	c := lambdaConfigurationJSON{
		FunctionName: aws.ToString(out.FunctionName), FunctionArn: aws.ToString(out.FunctionArn),
		Runtime: string(out.Runtime), Role: aws.ToString(out.Role), Handler: aws.ToString(out.Handler),
		CodeSize: out.CodeSize, Description: aws.ToString(out.Description),
		Timeout: out.Timeout, MemorySize: out.MemorySize, LastModified: aws.ToString(out.LastModified),
		CodeSha256: aws.ToString(out.CodeSha256), Version: aws.ToString(out.Version),
		KMSKeyArn: aws.ToString(out.KMSKeyArn), RevisionId: aws.ToString(out.RevisionId),
		State: string(out.State), PackageType: string(out.PackageType),
	}
	for _, a := range out.Architectures {
		c.Architectures = append(c.Architectures, string(a))
	}
	if v := out.VpcConfig; v != nil {
		c.VpcConfig = &lambdaVpcConfigJSON{SubnetIds: stringsOrEmpty(v.SubnetIds), SecurityGroupIds: stringsOrEmpty(v.SecurityGroupIds), VpcId: aws.ToString(v.VpcId)}
	}
	if e := out.Environment; e != nil {
		c.Environment = &lambdaEnvironmentJSON{Variables: e.Variables}
		if e.Error != nil {
			c.Environment.Error = &lambdaEnvironmentErrorJSON{ErrorCode: aws.ToString(e.Error.ErrorCode), Message: aws.ToString(e.Error.Message)}
		}
	}
	return c
}

func stringsOrEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
