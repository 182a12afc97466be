// Command config-rule-lambda is an AWS Config custom-rule Lambda that
// serves the whole guardrails catalog.
//
// It runs the rule named by the environment variable GUARDRAILS_RULE, or
// else the rule whose id is the event's configRuleName; any other event
// fails with an error saying so. Parameters come from the event's
// ruleParameters. The AWS configuration is the SDK's default
// (config.LoadDefaultConfig), so AWS_REGION, AWS_ENDPOINT_URL_CONFIG_SERVICE
// and the other standard variables apply.
//
// Other settings (all optional):
//
//	GUARDRAILS_CROSS_ACCOUNT=true          assume the event's executionRoleArn
//	GUARDRAILS_EXECUTION_ROLE_NAME=NAME    assume role NAME in the evaluated account instead
//	GUARDRAILS_INSUFFICIENT_DATA=fail      fail invocations whose rule lacked data (default: log and skip)
//	AWS_LAMBDA_LOG_LEVEL=DEBUG|INFO|WARN|ERROR   the log level (Lambda sets it with JSON logging)
//
// Build it for the provided.al2023 runtime:
//
//	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -ldflags="-s -w" -o bootstrap ./examples/config-rule-lambda
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/guardrails-go/guardrails/awslookup"
	"github.com/guardrails-go/guardrails/configrule"
	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
	"github.com/guardrails-go/guardrails/rules"
	"github.com/guardrails-go/guardrails/rules/resource"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: logLevel(os.Getenv("AWS_LAMBDA_LOG_LEVEL"))}))
	opts, err := options(os.Getenv, logger)
	if err != nil {
		logger.Error("cannot start", slog.String("error", err.Error()))
		os.Exit(1)
	}
	lambda.Start(configrule.NewCatalogHandler(rules.All(), opts...))
}

// options reads the environment into the handler's options.
func options(getenv func(string) string, logger *slog.Logger) ([]configrule.Option, error) {
	ruleID := strings.TrimSpace(getenv("GUARDRAILS_RULE"))
	if ruleID != "" {
		if _, ok := rules.ByID(ruleID); !ok {
			return nil, fmt.Errorf("GUARDRAILS_RULE=%q is not a rule of the catalog", ruleID)
		}
	}
	crossAccount := false
	if v := strings.TrimSpace(getenv("GUARDRAILS_CROSS_ACCOUNT")); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("GUARDRAILS_CROSS_ACCOUNT=%q is not true or false", v)
		}
		crossAccount = b
	}
	roleName := strings.TrimSpace(getenv("GUARDRAILS_EXECUTION_ROLE_NAME"))
	if roleName != "" && !crossAccount {
		return nil, fmt.Errorf("GUARDRAILS_EXECUTION_ROLE_NAME=%q needs GUARDRAILS_CROSS_ACCOUNT=true", roleName)
	}
	insufficient := configrule.SkipInsufficientData
	switch v := strings.TrimSpace(getenv("GUARDRAILS_INSUFFICIENT_DATA")); v {
	case "", "skip":
	case "fail":
		insufficient = configrule.FailOnInsufficientData
	default:
		return nil, fmt.Errorf("GUARDRAILS_INSUFFICIENT_DATA=%q is not skip or fail", v)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	return []configrule.Option{
		configrule.WithAWSConfig(cfg),
		// Account facts (credential report, password policy, EBS default
		// encryption, trail status, Lambda environments) through the APIs.
		configrule.WithFacts(func(cfg aws.Config) evaluate.Facts { return facts.NewAWS(cfg, "") }),
		// Flow logs and SSM-managed instances come from their services,
		// whether or not Config records those types.
		configrule.WithResolver(resource.FlowLogType, func(cfg aws.Config) awslookup.Resolver {
			return awslookup.FlowLogResolver(ec2.NewFromConfig(cfg))
		}),
		configrule.WithResolver(resource.ManagedInstanceInventoryType, func(cfg aws.Config) awslookup.Resolver {
			return awslookup.ManagedInstanceResolver(ssm.NewFromConfig(cfg))
		}),
		configrule.WithLogger(logger),
		configrule.WithRuleID(ruleID),
		configrule.WithCrossAccount(crossAccount),
		configrule.WithExecutionRoleName(roleName),
		configrule.WithInsufficientData(insufficient),
	}, nil
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
