package awslookup_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/guardrails-go/guardrails/awslookup"
	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/internal/configtest"
)

// A lookup lists a type through Config and tells "none exists" from "not
// recorded". Here the local Config endpoint records buckets only.
func ExampleLookup_Resources() {
	config := configtest.NewServer()
	defer config.Close()
	config.SetRecorders(`[{"name":"default","recordingGroup":{"resourceTypes":["AWS::S3::Bucket","AWS::EC2::VPC"]}}]`)
	for _, name := range []string{"invoices", "logs"} {
		config.AddItems(&evaluate.ConfigurationItem{
			ResourceType: "AWS::S3::Bucket", ResourceID: name, AccountID: "111122223333", Region: "eu-west-1",
			Status: evaluate.StatusOK, Configuration: json.RawMessage(`{"name":"` + name + `"}`),
		})
	}

	l := awslookup.NewFromConfig(config.AWSConfig(), awslookup.WithScope("111122223333", "eu-west-1"))
	ctx := context.Background()
	buckets, err := l.Resources(ctx, evaluate.Query{ResourceType: "AWS::S3::Bucket"})
	fmt.Println(len(buckets), "buckets", err)
	vpcs, err := l.Resources(ctx, evaluate.Query{ResourceType: "AWS::EC2::VPC"})
	fmt.Println(len(vpcs), "VPCs", err)
	_, err = l.Resources(ctx, evaluate.Query{ResourceType: "AWS::EC2::FlowLog"})
	fmt.Println(errors.Is(err, evaluate.ErrUnknown), err)
	// Output:
	// 2 buckets <nil>
	// 0 VPCs <nil>
	// true unknown: AWS Config does not record AWS::EC2::FlowLog
}
