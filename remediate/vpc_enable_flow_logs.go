package remediate

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

var (
	logGroupName = regexp.MustCompile(`^[A-Za-z0-9._/#-]{1,512}$`)
	logGroupARN  = regexp.MustCompile(`^arn:aws[a-z-]*:logs:[a-z0-9-]+:[0-9]{12}:log-group:[A-Za-z0-9._/#-]{1,512}(:\*)?$`)
	s3ARN        = regexp.MustCompile(`^arn:aws[a-z-]*:s3:::([^/]+)(/.*)?$`)
	iamRoleARN   = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$`)
)

func vpcEnableFlowLogs() *Remediation {
	return &Remediation{
		ID:            "vpc-enable-flow-logs",
		Summary:       "Creates a VPC flow log to CloudWatch Logs or S3 unless the VPC already has one for the traffic type (or ALL).",
		ResourceTypes: []string{vpcType},
		Fixes:         []string{"vpc-flow-logs-enabled"},
		Parameters: []Parameter{
			{Name: "destinationType", Type: StringParameter, Default: "cloud-watch-logs", AllowedValues: []string{"cloud-watch-logs", "s3"},
				Description: "Where the flow log goes."},
			{Name: "destination", Type: StringParameter, Required: true,
				Description: "A log group name or ARN for cloud-watch-logs; a bucket name or ARN (with an optional /prefix) for s3."},
			{Name: "deliverLogsPermissionArn", Type: StringParameter, validate: checkRoleARN,
				Description: "The IAM role that lets flow logs write to CloudWatch Logs; required for cloud-watch-logs."},
			{Name: "trafficType", Type: StringParameter, Default: "ALL", AllowedValues: []string{"ALL", "ACCEPT", "REJECT"},
				Description: "The traffic to log."},
		},
		APIs: []string{"ec2:DescribeVpcs", "ec2:DescribeFlowLogs", "ec2:CreateFlowLogs"},
		// CreateFlowLogs passes the role (CloudWatch Logs) or sets up log
		// delivery (S3) on the caller's behalf.
		extraActions: []string{"iam:PassRole", "logs:CreateLogDelivery", "logs:DeleteLogDelivery"},
		passRoleTo:   []string{"vpc-flow-logs.amazonaws.com"},
		check:        checkFlowLogDestination,
		run:          runVPCEnableFlowLogs,
	}
}

func checkRoleARN(s string) error {
	if !iamRoleARN.MatchString(s) {
		return fmt.Errorf("%q is not an IAM role ARN", s)
	}
	return nil
}

func checkFlowLogDestination(_ string, v values) error {
	dest := v.str("destination")
	switch v.str("destinationType") {
	case "cloud-watch-logs":
		if !logGroupName.MatchString(dest) && !logGroupARN.MatchString(dest) {
			return invalid("parameter destination: %q is not a log group name or ARN", dest)
		}
		if v.str("deliverLogsPermissionArn") == "" {
			return invalid("parameter deliverLogsPermissionArn is required when destinationType is cloud-watch-logs")
		}
	case "s3":
		bucket := dest
		if m := s3ARN.FindStringSubmatch(dest); m != nil {
			bucket = m[1]
		} else if b, _, ok := strings.Cut(dest, "/"); ok {
			bucket = b
		}
		if err := checkBucketName(bucket); err != nil {
			return invalid("parameter destination: %q: %v", dest, err)
		}
		if v.str("deliverLogsPermissionArn") != "" {
			return invalid("parameter deliverLogsPermissionArn is only used when destinationType is cloud-watch-logs")
		}
	}
	return nil
}

func runVPCEnableFlowLogs(r *run) error {
	vpc := r.id
	unknownARN := r.ec2ARN("", "vpc", vpc)
	vpcs, err := r.clients.EC2.DescribeVpcs(r.ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpc}})
	if err != nil {
		return apiError("ec2:DescribeVpcs", unknownARN, err)
	}
	arn := ""
	for _, v := range vpcs.Vpcs {
		if aws.ToString(v.VpcId) == vpc {
			arn = r.ec2ARN(aws.ToString(v.OwnerId), "vpc", vpc)
		}
	}
	if arn == "" {
		return fmt.Errorf("ec2:DescribeVpcs %s: the VPC was not in the answer", unknownARN)
	}

	traffic := ec2types.TrafficType(r.values.str("trafficType"))
	p := ec2.NewDescribeFlowLogsPaginator(r.clients.EC2, &ec2.DescribeFlowLogsInput{
		Filter: []ec2types.Filter{{Name: aws.String("resource-id"), Values: []string{vpc}}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(r.ctx)
		if err != nil {
			return apiError("ec2:DescribeFlowLogs", arn, err)
		}
		for _, fl := range page.FlowLogs {
			if aws.ToString(fl.ResourceId) != vpc {
				continue
			}
			if fl.TrafficType == traffic || fl.TrafficType == ec2types.TrafficTypeAll {
				dest := aws.ToString(fl.LogDestination)
				if dest == "" {
					dest = aws.ToString(fl.LogGroupName)
				}
				r.skip("ec2:CreateFlowLogs", arn, fmt.Sprintf("flow log %s already captures %s traffic to %s", aws.ToString(fl.FlowLogId), fl.TrafficType, dest))
				return nil
			}
		}
	}

	in := &ec2.CreateFlowLogsInput{
		ResourceIds:        []string{vpc},
		ResourceType:       ec2types.FlowLogsResourceTypeVpc,
		TrafficType:        traffic,
		LogDestinationType: ec2types.LogDestinationType(r.values.str("destinationType")),
	}
	dest := r.values.str("destination")
	switch in.LogDestinationType {
	case ec2types.LogDestinationTypeCloudWatchLogs:
		if strings.HasPrefix(dest, "arn:") {
			in.LogDestination = aws.String(dest)
		} else {
			in.LogGroupName = aws.String(dest)
		}
		in.DeliverLogsPermissionArn = aws.String(r.values.str("deliverLogsPermissionArn"))
	case ec2types.LogDestinationTypeS3:
		if !strings.HasPrefix(dest, "arn:") {
			dest = "arn:" + r.partition() + ":s3:::" + dest
		}
		in.LogDestination = aws.String(dest)
	}
	detail := fmt.Sprintf("no flow log captures %s traffic; create one to %s %s", traffic, in.LogDestinationType, dest)
	return r.write("ec2:CreateFlowLogs", arn, detail, func(ctx context.Context) error {
		out, err := r.clients.EC2.CreateFlowLogs(ctx, in)
		if err != nil {
			return err
		}
		if len(out.Unsuccessful) > 0 {
			var msgs []string
			for _, u := range out.Unsuccessful {
				if u.Error != nil {
					msgs = append(msgs, aws.ToString(u.Error.Code)+": "+aws.ToString(u.Error.Message))
				}
			}
			return fmt.Errorf("the flow log was not created: %s", strings.Join(msgs, "; "))
		}
		return nil
	})
}
