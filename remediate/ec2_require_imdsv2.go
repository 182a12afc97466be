package remediate

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func ec2RequireIMDSv2() *Remediation {
	return &Remediation{
		ID:            "ec2-require-imdsv2",
		Summary:       "Requires session tokens (IMDSv2) for the instance metadata service of an instance; other metadata options stay.",
		ResourceTypes: []string{instanceType},
		Fixes:         []string{"ec2-imdsv2-check"},
		APIs:          []string{"ec2:DescribeInstances", "ec2:ModifyInstanceMetadataOptions"},
		run:           runEC2RequireIMDSv2,
	}
}

func runEC2RequireIMDSv2(r *run) error {
	id := r.id
	unknownARN := r.ec2ARN("", "instance", id)
	out, err := r.clients.EC2.DescribeInstances(r.ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		return apiError("ec2:DescribeInstances", unknownARN, err)
	}
	var inst *ec2types.Instance
	var arn string
	for _, res := range out.Reservations {
		for i := range res.Instances {
			if aws.ToString(res.Instances[i].InstanceId) == id {
				inst, arn = &res.Instances[i], r.ec2ARN(aws.ToString(res.OwnerId), "instance", id)
			}
		}
	}
	if inst == nil {
		return fmt.Errorf("ec2:DescribeInstances %s: the instance was not in the answer", unknownARN)
	}
	var tokens ec2types.HttpTokensState
	if inst.MetadataOptions != nil {
		tokens = inst.MetadataOptions.HttpTokens
	}
	if tokens == ec2types.HttpTokensStateRequired {
		r.skip("ec2:ModifyInstanceMetadataOptions", arn, "IMDSv2 is already required (HttpTokens required)")
		return nil
	}
	return r.write("ec2:ModifyInstanceMetadataOptions", arn, fmt.Sprintf("HttpTokens is %q; set it to required", tokens), func(ctx context.Context) error {
		_, err := r.clients.EC2.ModifyInstanceMetadataOptions(ctx, &ec2.ModifyInstanceMetadataOptionsInput{
			InstanceId: aws.String(id),
			HttpTokens: ec2types.HttpTokensStateRequired,
		})
		return err
	})
}
