// Command cfn-hook is the Lambda function of a CloudFormation Lambda hook
// (AWS::CloudFormation::LambdaHook): CloudFormation calls it before it
// provisions a resource, a stack or a change set, and it fails the
// operation (or warns, with FailureMode WARN) when a rule of the guardrails
// catalog finds the resource non-compliant. The work is package
// iac/hook's; this command reads its settings from the environment:
//
//	GUARDRAILS_RULES=id,id     catalog rules to run (default: for each resource,
//	                           every rule of the catalog that applies to its type)
//	GUARDRAILS_PARAMS=JSON     rule parameters, {"rule-id": {"param": "value"}}
//	AWS_LAMBDA_LOG_LEVEL=...   DEBUG, INFO (default), WARN or ERROR
//
// A setting that does not fit (an unknown rule, a parameter the rule does
// not take) stops the function at start, naming it.
//
// Build it for the provided.al2023 runtime:
//
//	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -ldflags="-s -w" -o bootstrap ./examples/cfn-hook
package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/iac/hook"
	"github.com/guardrails-go/guardrails/rules"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: logLevel(os.Getenv("AWS_LAMBDA_LOG_LEVEL"))}))
	h, err := newHandler(os.Getenv, logger)
	if err != nil {
		logger.Error("cannot start", slog.String("error", err.Error()))
		os.Exit(1)
	}
	lambda.Start(h)
}

// newHandler builds the hook handler from the environment.
func newHandler(getenv func(string) string, logger *slog.Logger) (*hook.Handler, error) {
	selected, err := selectRules(getenv("GUARDRAILS_RULES"))
	if err != nil {
		return nil, err
	}
	params, err := parseParams(getenv("GUARDRAILS_PARAMS"))
	if err != nil {
		return nil, err
	}
	return hook.NewHandler(selected,
		hook.WithParameters(params),
		hook.WithLogger(logger),
		// The SDK's default client: it honours HTTP_PROXY and HTTPS_PROXY,
		// as a function in a private subnet needs to reach S3.
		hook.WithHTTPClient(awshttp.NewBuildableClient()),
	)
}

// selectRules reads GUARDRAILS_RULES; empty means every rule that judges
// resources (account-level rules judge no resource a hook sees).
func selectRules(value string) ([]evaluate.Rule, error) {
	var ids []string
	for _, id := range strings.Split(value, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) > 0 {
		selected, err := rules.Select(ids...)
		if err != nil {
			return nil, fmt.Errorf("GUARDRAILS_RULES: %w", err)
		}
		return selected, nil
	}
	var out []evaluate.Rule
	for _, r := range rules.All() {
		for _, t := range r.Metadata().ResourceTypes {
			if t != evaluate.AccountResourceType {
				out = append(out, r)
				break
			}
		}
	}
	return out, nil
}

// parseParams reads GUARDRAILS_PARAMS: {"rule-id": {"param": "value"}},
// string values as Config passes them (numbers and booleans are taken as
// their text).
func parseParams(value string) (map[string]map[string]string, error) {
	if strings.TrimSpace(value) == "" {
		return nil, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(value), &raw); err != nil {
		return nil, fmt.Errorf(`GUARDRAILS_PARAMS: want {"rule-id": {"param": "value"}}: %v`, err)
	}
	out := make(map[string]map[string]string, len(raw))
	for id, v := range raw {
		if _, ok := rules.ByID(id); !ok {
			return nil, fmt.Errorf("GUARDRAILS_PARAMS: no rule %s in the catalog", id)
		}
		p, err := evaluate.ParseRuleParameters(string(v))
		if err != nil {
			return nil, fmt.Errorf("GUARDRAILS_PARAMS: rule %s: %v", id, err)
		}
		out[id] = p
	}
	return out, nil
}

// logLevel reads Lambda's AWS_LAMBDA_LOG_LEVEL; INFO when unset.
func logLevel(v string) slog.Level {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "TRACE", "DEBUG":
		return slog.LevelDebug
	case "WARN":
		return slog.LevelWarn
	case "ERROR", "FATAL":
		return slog.LevelError
	}
	return slog.LevelInfo
}
