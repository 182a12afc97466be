package rules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/internal/secretscan"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// LambdaConfigurationFactPrefix starts the name of the fact that holds a
// function's configuration: "lambda-get-function-configuration-NAME.json"
// holds what `aws lambda get-function-configuration --function-name NAME`
// prints.
const LambdaConfigurationFactPrefix = "lambda-get-function-configuration-"

// LambdaConfigurationFact returns the name of the fact that holds the
// configuration of the function named function.
func LambdaConfigurationFact(function string) string {
	return LambdaConfigurationFactPrefix + function + ".json"
}

// LambdaEnvironmentNoPlaintextSecrets checks that no environment variable
// of a function holds a plaintext secret: an AWS access key id, a PEM
// private key, a password inside a URL or connection string, or a value
// with the entropy of a token or password under a secret-like name
// (DB_PASSWORD, apiKey, GITHUB_TOKEN; not SECRET_ARN or TOKEN_TTL). Values
// that point to a secret kept elsewhere (ARNs, {{resolve:...}}, Parameter
// Store paths, placeholders) are fine. Annotations name variables, never
// values.
//
// Config does not record environment variables. The rule reads them from
// the item when it carries configuration.environment.variables (items
// built from templates), else from the fact
// lambda-get-function-configuration-NAME.json: in a scan a file holding
// the output of `aws lambda get-function-configuration`, in Lambda the
// Lambda API through package facts. Without either it answers
// INSUFFICIENT_DATA. A function the Lambda API no longer knows is not
// applicable. AWS managed rules offer no such check.
func LambdaEnvironmentNoPlaintextSecrets() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "lambda-environment-no-plaintext-secrets",
		Summary:       "Lambda functions keep no plaintext secrets in environment variables.",
		Rationale:     "Environment variables are shown to anyone who may read the function's configuration and are copied into templates and logs; secrets belong in Secrets Manager or Parameter Store.",
		ResourceTypes: []string{resource.LambdaFunctionType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters: []evaluate.Parameter{
			{Name: "ignoreVariables", Type: evaluate.CSV, Description: "Comma-separated variable names never to report (known false positives)."},
			{Name: "minimumLength", Type: evaluate.Int, Default: strconv.Itoa(secretscan.DefaultMinLength), Description: "Shortest value, in characters, judged by its entropy."},
			{Name: "minimumEntropy", Type: evaluate.String, Default: "3.0", Description: "Shannon entropy in bits per character from which a value under a secret-like name is reported (0 to 8)."},
		},
		Severity: evaluate.High,
		Facts:    []string{LambdaConfigurationFact("<function-name>")},
		URL:      "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		scanner := secretscan.Scanner{MinLength: p.Int("minimumLength")}
		if scanner.MinLength < 1 {
			return nil, &evaluate.ParamError{Name: "minimumLength", Value: p.Raw("minimumLength"), Err: errors.New("want at least 1")}
		}
		entropy, err := strconv.ParseFloat(strings.TrimSpace(p.String("minimumEntropy")), 64)
		if err != nil || entropy <= 0 || entropy > 8 {
			return nil, &evaluate.ParamError{Name: "minimumEntropy", Value: p.Raw("minimumEntropy"), Err: errors.New("want a number of bits per character above 0 and at most 8, such as 3.5")}
		}
		scanner.MinEntropy = entropy
		ignore := map[string]bool{}
		for _, n := range p.List("ignoreVariables") {
			ignore[n] = true
		}
		return evaluate.EvaluatorFunc(func(ctx context.Context, in *evaluate.Input) (evaluate.Result, error) {
			f, err := resource.LambdaFunctionOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if unknownAsWhole(in.Item, "configuration.environment.variables") {
				return evaluate.InsufficientDataf("The environment variables of function %s are not known before deployment.", f.Name), nil
			}
			env, unknown := f.Environment, unknownMembers(in.Item, "configuration.environment.variables")
			if env == nil {
				var res *evaluate.Result
				env, res, err = lambdaEnvironmentFact(ctx, in.Lookup, f)
				if err != nil {
					return evaluate.Result{}, err
				}
				if res != nil {
					return *res, nil
				}
			}
			var names []string
			for _, n := range env.Names() {
				if !ignore[n] {
					names = append(names, n)
				}
			}
			if findings := scanner.Scan(names, env.Variables); len(findings) > 0 {
				return evaluate.NonCompliantf("Function %s keeps plaintext secrets in environment %s.", f.Name, describeFindings(findings)), nil
			}
			var unknownSecrets []string
			for _, n := range unknown {
				if !ignore[n] && secretscan.SecretLikeName(n) {
					unknownSecrets = append(unknownSecrets, n)
				}
			}
			if len(unknownSecrets) > 0 {
				sort.Strings(unknownSecrets)
				return evaluate.InsufficientDataf("The values of environment variables %s of function %s are not known before deployment.", strings.Join(unknownSecrets, ", "), f.Name), nil
			}
			if len(names) == 0 {
				return evaluate.Compliantf("Function %s has no environment variables to check.", f.Name), nil
			}
			return evaluate.Compliantf("None of the %d environment variables of function %s holds a plaintext secret.", len(names), f.Name), nil
		}), nil
	})
}

// lambdaEnvironmentFact reads the function's environment from its
// configuration fact. A result instead of an environment means the rule
// cannot read one (not applicable or insufficient data).
func lambdaEnvironmentFact(ctx context.Context, lookup evaluate.Lookup, f *resource.LambdaFunction) (*resource.LambdaEnvironment, *evaluate.Result, error) {
	name := LambdaConfigurationFact(f.Name)
	data, err := lookup.Fact(ctx, f.AccountID, f.Region, name)
	switch {
	case errors.Is(err, evaluate.ErrNotFound):
		r := evaluate.NotApplicablef("Function %s no longer exists (the Lambda API does not know it).", f.Name)
		return nil, &r, nil
	case errors.Is(err, evaluate.ErrUnknown):
		r := evaluate.InsufficientDataf("Config does not record environment variables: give %s (aws lambda get-function-configuration output) for function %s.", name, f.Name)
		return nil, &r, nil
	case err != nil:
		return nil, nil, fmt.Errorf("fact %s: %w", name, err)
	}
	env, decryptError, err := decodeFunctionConfiguration(data, f)
	switch {
	case err != nil:
		return nil, nil, fmt.Errorf("fact %s: %w", name, err)
	case decryptError != "":
		r := evaluate.InsufficientDataf("Lambda could not decrypt the environment of function %s (%s).", f.Name, decryptError)
		return nil, &r, nil
	}
	return env, nil, nil
}

// decodeFunctionConfiguration reads the JSON of GetFunctionConfiguration.
// When Lambda could not decrypt the variables, it returns the error code
// Lambda gave instead. Its errors never quote the variables' values.
func decodeFunctionConfiguration(data []byte, f *resource.LambdaFunction) (env *resource.LambdaEnvironment, decryptError string, err error) {
	var conf struct {
		FunctionName string `json:"FunctionName"`
		FunctionArn  string `json:"FunctionArn"`
		Environment  *struct {
			Variables map[string]json.RawMessage `json:"Variables"`
			Error     *struct {
				ErrorCode string `json:"ErrorCode"`
			} `json:"Error"`
		} `json:"Environment"`
	}
	if err := json.Unmarshal(data, &conf); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, "", fmt.Errorf("not JSON (error at byte %d)", se.Offset)
		case errors.As(err, &te) && te.Field != "":
			return nil, "", fmt.Errorf("%s: unexpected type; want the output of aws lambda get-function-configuration", te.Field)
		}
		return nil, "", errors.New("want the JSON object aws lambda get-function-configuration prints")
	}
	if conf.FunctionName != "" && conf.FunctionName != f.Name && (conf.FunctionArn == "" || conf.FunctionArn != f.ARN) {
		return nil, "", fmt.Errorf("describes function %s, not %s", conf.FunctionName, f.Name)
	}
	env = &resource.LambdaEnvironment{Variables: map[string]string{}}
	if conf.Environment == nil {
		return env, "", nil
	}
	if e := conf.Environment.Error; e != nil && len(conf.Environment.Variables) == 0 {
		if e.ErrorCode == "" {
			return nil, "an error without a code", nil
		}
		return nil, e.ErrorCode, nil
	}
	for k, raw := range conf.Environment.Variables {
		var v resource.Text
		if err := v.UnmarshalJSON(raw); err != nil {
			return nil, "", fmt.Errorf("Environment.Variables.%s: want a string value", k)
		}
		env.Variables[k] = string(v)
	}
	return env, "", nil
}

// describeFindings names the variables and what each holds; past three it
// counts the rest, to stay within an annotation's room.
func describeFindings(fs []secretscan.Finding) string {
	const shown = 3
	var parts []string
	for i, f := range fs {
		if i == shown {
			parts = append(parts, fmt.Sprintf("and %d more", len(fs)-shown))
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", f.Name, f.Kind))
	}
	word := "variable"
	if len(fs) > 1 {
		word = "variables"
	}
	return word + " " + strings.Join(parts, ", ")
}
