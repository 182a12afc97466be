package remediate_test

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/guardrails-go/guardrails/remediate"
)

func ExampleByID() {
	r, ok := remediate.ByID("ec2-revoke-world-open-ingress")
	if !ok {
		return
	}
	fmt.Println(r.Fixes)
	for _, p := range r.Parameters {
		fmt.Printf("%s (%s) default %q\n", p.Name, p.Type, p.Default)
	}
	fmt.Println(r.Actions)
	// Output:
	// [restricted-ssh restricted-common-ports]
	// ports (PortRanges) default "20,21,22,3306,3389,4333"
	// [ec2:DescribeSecurityGroupRules ec2:DescribeSecurityGroups ec2:RevokeSecurityGroupIngress]
}

func ExampleRemediation_Check() {
	r, _ := remediate.ByID("s3-enable-default-encryption")
	err := r.Check(remediate.Target{
		ResourceID: "example-bucket",
		Parameters: map[string]string{"sseAlgorithm": "aws:kms"},
	})
	fmt.Println(err)
	// Output:
	// invalid remediation target: parameter kmsKeyId is required when sseAlgorithm is aws:kms
}

func ExamplePolicyFor() {
	versioning, _ := remediate.ByID("s3-enable-versioning")
	flowLogs, _ := remediate.ByID("vpc-enable-flow-logs")
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.Encode(remediate.PolicyFor(versioning, flowLogs))
	// Output:
	// {
	//   "Version": "2012-10-17",
	//   "Statement": [
	//     {
	//       "Sid": "Remediate",
	//       "Effect": "Allow",
	//       "Action": [
	//         "ec2:CreateFlowLogs",
	//         "ec2:DescribeFlowLogs",
	//         "ec2:DescribeVpcs",
	//         "logs:CreateLogDelivery",
	//         "logs:DeleteLogDelivery",
	//         "s3:GetBucketVersioning",
	//         "s3:PutBucketVersioning"
	//       ],
	//       "Resource": "*"
	//     },
	//     {
	//       "Sid": "PassRoleToVpcFlowLogsAmazonawsCom",
	//       "Effect": "Allow",
	//       "Action": [
	//         "iam:PassRole"
	//       ],
	//       "Resource": "*",
	//       "Condition": {
	//         "StringEquals": {
	//           "iam:PassedToService": "vpc-flow-logs.amazonaws.com"
	//         }
	//       }
	//     }
	//   ]
	// }
}
