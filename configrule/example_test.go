package configrule_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/guardrails-go/guardrails/configrule"
	"github.com/guardrails-go/guardrails/internal/configtest"
	"github.com/guardrails-go/guardrails/rules"
)

// A change notification for a bucket whose versioning is suspended: the
// handler evaluates it and puts one NON_COMPLIANT evaluation. In a Lambda
// the handler is given to lambda.Start and the AWS configuration is the
// default one; here it talks to a local Config endpoint.
func ExampleNewHandler() {
	config := configtest.NewServer()
	defer config.Close()

	h := configrule.NewHandler(rules.S3BucketVersioningEnabled(),
		configrule.WithAWSConfig(config.AWSConfig()),
		configrule.WithLogger(slog.New(slog.DiscardHandler)))
	// lambda.Start(h)

	invoking, _ := json.Marshal(map[string]any{
		"messageType":              "ConfigurationItemChangeNotification",
		"notificationCreationTime": "2026-11-19T07:29:20.100Z",
		"configurationItem": map[string]any{
			"resourceType":                 "AWS::S3::Bucket",
			"resourceId":                   "invoices",
			"awsAccountId":                 "111122223333",
			"awsRegion":                    "eu-west-1",
			"configurationItemStatus":      "OK",
			"configurationItemCaptureTime": "2026-11-19T07:29:16.288Z",
			"configuration":                map[string]any{"name": "invoices"},
			"supplementaryConfiguration": map[string]any{
				"BucketVersioningConfiguration": map[string]any{"status": "Suspended"},
			},
		},
	})
	sum, err := h.Handle(context.Background(), events.ConfigEvent{
		ConfigRuleName: "s3-bucket-versioning-enabled",
		ConfigRuleArn:  "arn:aws:config:eu-west-1:111122223333:config-rule/config-rule-abc123",
		AccountID:      "111122223333",
		InvokingEvent:  string(invoking),
		RuleParameters: `{"isMfaDeleteEnabled": "false"}`,
		ResultToken:    "token",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("put %d, non-compliant %d\n", sum.Put, sum.NonCompliant)
	for _, e := range config.PutEvaluations() {
		fmt.Println(e.ComplianceResourceType, e.ComplianceResourceID, e.ComplianceType, *e.Annotation, e.Time())
	}
	// Output:
	// put 1, non-compliant 1
	// AWS::S3::Bucket invoices NON_COMPLIANT Versioning is suspended on bucket invoices. 2026-11-19 07:29:16.288 +0000 UTC
}
