package rules_test

import (
	"context"
	"fmt"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules"
)

// A function built from a template carries its environment variables; the
// rule names the variables holding secrets, never their values.
func ExampleLambdaEnvironmentNoPlaintextSecrets() {
	ci, err := evaluate.DecodeItem([]byte(`{
		"configurationItemStatus": "OK", "resourceType": "AWS::Lambda::Function", "resourceId": "Orders",
		"awsAccountId": "111122223333", "awsRegion": "eu-west-1",
		"configuration": {"functionName": "orders", "environment": {"variables": {
			"STAGE": "prod",
			"DB_PASSWORD_ARN": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db-AbCdEf",
			"LEGACY_KEY_ID": "AKIAZ4TEXAMPLE7QX2PL"}}}}`))
	if err != nil {
		panic(err)
	}
	engine, err := evaluate.NewEngine([]evaluate.Rule{rules.LambdaEnvironmentNoPlaintextSecrets()})
	if err != nil {
		panic(err)
	}
	evs, err := engine.Evaluate(context.Background(), ci)
	if err != nil {
		panic(err)
	}
	fmt.Println(evs[0].Compliance)
	fmt.Println(evs[0].Annotation)
	// Output:
	// NON_COMPLIANT
	// Function orders keeps plaintext secrets in environment variable LEGACY_KEY_ID (AWS access key id).
}
