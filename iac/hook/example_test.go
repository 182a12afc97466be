package hook_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/guardrails-go/guardrails/iac/hook"
	"github.com/guardrails-go/guardrails/rules"
)

// A resource target: CloudFormation sends the security group's resolved
// properties before creating it, numbers as strings.
func ExampleHandler_Invoke() {
	selected, _ := rules.Select("restricted-ssh")
	h, err := hook.NewHandler(selected)
	if err != nil {
		fmt.Println(err)
		return
	}
	event := []byte(`{
	  "clientRequestToken": "4f5c0e2a",
	  "awsAccountId": "123456789012",
	  "stackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/web/e722ae60-fe62-11e8-9a0e-0ae8cc519968",
	  "actionInvocationPoint": "CREATE_PRE_PROVISION",
	  "requestData": {
	    "targetName": "AWS::EC2::SecurityGroup", "targetType": "RESOURCE", "targetLogicalId": "Bastion",
	    "targetModel": {"resourceProperties": {"GroupDescription": "bastion",
	      "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": "22", "ToPort": "22", "CidrIp": "0.0.0.0/0"}]}}
	  }
	}`)
	out, err := h.Invoke(context.Background(), event)
	if err != nil {
		fmt.Println(err)
		return
	}
	var resp hook.Response
	_ = json.Unmarshal(out, &resp)
	fmt.Println(resp.HookStatus, resp.ErrorCode, resp.ClientRequestToken)
	fmt.Println(resp.Message)
	// Output:
	// FAILED NonCompliant 4f5c0e2a
	// guardrails: AWS::EC2::SecurityGroup Bastion fails 1 rule: restricted-ssh (Bastion). Bastion restricted-ssh: Security group Bastion allows 0.0.0.0/0 on TCP 22.
}
