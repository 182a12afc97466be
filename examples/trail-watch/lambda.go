package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/guardrails-go/guardrails/remediate"
	"github.com/guardrails-go/guardrails/watch"
	"github.com/guardrails-go/guardrails/watch/watchlambda"
)

// startLambda builds the handler once, from the environment, and serves
// invocations. A configuration error stops the function at init, where it
// is seen at once.
func startLambda() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Error("loading the AWS configuration", "error", err.Error())
		os.Exit(1)
	}
	h, err := newHandler(ctx, cfg, os.Getenv, log)
	if err != nil {
		log.Error("configuration", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}

// callerAccount finds the account the function runs in.
var callerAccount = func(ctx context.Context, cfg aws.Config) (string, error) {
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("sts:GetCallerIdentity: %w", err)
	}
	return aws.ToString(out.Account), nil
}

// newHandler reads the GUARDRAILS_* variables.
func newHandler(ctx context.Context, cfg aws.Config, getenv func(string) string, log *slog.Logger) (*watchlambda.Handler, error) {
	topic := strings.TrimSpace(getenv("GUARDRAILS_TOPIC_ARN"))
	if topic == "" {
		return nil, fmt.Errorf("GUARDRAILS_TOPIC_ARN is not set: the function publishes its findings there")
	}
	minSev := watch.Low
	if v := strings.TrimSpace(getenv("GUARDRAILS_MIN_SEVERITY")); v != "" {
		s, err := watch.ParseSeverity(v)
		if err != nil {
			return nil, fmt.Errorf("GUARDRAILS_MIN_SEVERITY: %w", err)
		}
		minSev = s
	}
	opts := []watch.Option{
		watch.WithMinSeverity(minSev),
		watch.WithIgnorePrincipals(strings.Split(getenv("GUARDRAILS_IGNORE_PRINCIPALS"), ",")...),
	}
	mode, err := watch.ParseResponseMode(getenv("GUARDRAILS_REMEDIATE"))
	if err != nil {
		return nil, fmt.Errorf("GUARDRAILS_REMEDIATE: %w", err)
	}
	if mode != watch.ResponseOff {
		var params map[string]map[string]string
		if v := strings.TrimSpace(getenv("GUARDRAILS_REMEDIATION_PARAMS")); v != "" {
			if err := json.Unmarshal([]byte(v), &params); err != nil {
				return nil, fmt.Errorf("GUARDRAILS_REMEDIATION_PARAMS: want {\"remediation-id\": {\"param\": \"value\"}}: %v", err)
			}
		}
		account, err := callerAccount(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("GUARDRAILS_REMEDIATE=%s needs the function's account: %w", mode, err)
		}
		opts = append(opts, watch.WithResponse(watch.ResponseConfig{
			Mode: mode, AccountID: account, Parameters: params, Clients: regionalClients(cfg),
		}))
	}
	w, err := watch.New(opts...)
	if err != nil {
		return nil, err
	}
	sink, err := watch.NewSNS(sns.NewFromConfig(cfg), topic)
	if err != nil {
		return nil, fmt.Errorf("GUARDRAILS_TOPIC_ARN: %w", err)
	}
	return watchlambda.New(w, s3.NewFromConfig(cfg), sink, watchlambda.WithLogger(log)), nil
}

// regionalClients builds remediation clients per region, once each.
func regionalClients(cfg aws.Config) func(string) (*remediate.Clients, error) {
	var mu sync.Mutex
	byRegion := map[string]*remediate.Clients{}
	return func(region string) (*remediate.Clients, error) {
		if region == "" {
			region = cfg.Region
		}
		mu.Lock()
		defer mu.Unlock()
		if c, ok := byRegion[region]; ok {
			return c, nil
		}
		rc := cfg.Copy()
		rc.Region = region
		c := remediate.NewClients(rc)
		byRegion[region] = c
		return c, nil
	}
}
