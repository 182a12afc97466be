// Command ssm-remediation is the guardrails remediation Lambda for SSM
// Automation's aws:invokeLambdaFunction: it runs one remediation of the
// remediate catalog on the resource AWS Config passes, and answers with
// what it changed.
//
// Build for the provided.al2023 runtime:
//
//	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -o bootstrap ./examples/ssm-remediation
//
// Environment:
//
//	GUARDRAILS_REMEDIATIONS  comma-separated remediation ids this function
//	                         runs (default: all); others are refused.
//
// The SDK is configured the standard way (config.LoadDefaultConfig), so
// AWS_REGION, the AWS_ENDPOINT_URL_<SERVICE> variables and the default HTTP
// client (which honours HTTP_PROXY and HTTPS_PROXY) apply.
//
// The SSM documents in documents/ and the IAM policy in policy.json are
// generated from the catalog; go test -run TestGenerated -update rewrites
// them. See README.md.
package main

import (
	"context"
	"log"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/guardrails-go/guardrails/configrule"
	"github.com/guardrails-go/guardrails/remediate"
)

func main() {
	h, err := newHandler(context.Background(), os.Getenv("GUARDRAILS_REMEDIATIONS"))
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}

// newHandler builds the handler from the standard SDK configuration and the
// list of allowed remediations ("" for all).
func newHandler(ctx context.Context, allowed string) (*configrule.SSMHandler, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	var opts []configrule.SSMOption
	for _, id := range strings.Split(allowed, ",") {
		if id = strings.TrimSpace(id); id != "" {
			opts = append(opts, configrule.SSMAllow(id))
		}
	}
	return configrule.NewSSMHandler(remediate.NewClients(cfg), opts...)
}
