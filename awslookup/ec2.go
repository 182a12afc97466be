package awslookup

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// DescribeFlowLogsAPI is the part of the EC2 client that FlowLogResolver
// calls.
type DescribeFlowLogsAPI interface {
	DescribeFlowLogs(ctx context.Context, in *ec2.DescribeFlowLogsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeFlowLogsOutput, error)
}

var _ DescribeFlowLogsAPI = (*ec2.Client)(nil)

// FlowLogResolver answers queries for AWS::EC2::FlowLog with every flow log
// of the query's region (the client's region when the query names none),
// listed with DescribeFlowLogs and returned as Config items: the
// configuration holds Config's fields (flowLogId, resourceId, trafficType,
// flowLogStatus, deliverLogsStatus, ...). The client must belong to the
// queried account; the items carry the query's account id. Flow logs of
// subnets and network interfaces are included, as Config records them too.
// An API error wraps evaluate.ErrUnknown and the SDK's error.
func FlowLogResolver(client DescribeFlowLogsAPI) Resolver {
	return func(ctx context.Context, q evaluate.Query) ([]*evaluate.ConfigurationItem, error) {
		if q.ResourceType != resource.FlowLogType {
			return nil, fmt.Errorf("the flow log resolver answers %s queries, not %s", resource.FlowLogType, q.ResourceType)
		}
		region := q.Region
		opt := func(o *ec2.Options) {
			if q.Region != "" {
				o.Region = q.Region
			}
			region = o.Region
		}
		var items []*evaluate.ConfigurationItem
		pages := ec2.NewDescribeFlowLogsPaginator(client, &ec2.DescribeFlowLogsInput{})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx, opt)
			if err != nil {
				return nil, fmt.Errorf("%w: ec2:DescribeFlowLogs in %s: %w", evaluate.ErrUnknown, region, err)
			}
			for i := range out.FlowLogs {
				ci, err := flowLogItem(&out.FlowLogs[i], q.AccountID, region)
				if err != nil {
					return nil, err
				}
				items = append(items, ci)
			}
		}
		return items, nil
	}
}

// flowLogConfiguration is an AWS::EC2::FlowLog configuration as Config
// records it.
type flowLogConfiguration struct {
	FlowLogID                string      `json:"flowLogId"`
	ResourceID               string      `json:"resourceId"`
	TrafficType              string      `json:"trafficType,omitempty"`
	FlowLogStatus            string      `json:"flowLogStatus,omitempty"`
	DeliverLogsStatus        string      `json:"deliverLogsStatus,omitempty"`
	DeliverLogsErrorMessage  string      `json:"deliverLogsErrorMessage,omitempty"`
	DeliverLogsPermissionArn string      `json:"deliverLogsPermissionArn,omitempty"`
	LogDestinationType       string      `json:"logDestinationType,omitempty"`
	LogDestination           string      `json:"logDestination,omitempty"`
	LogGroupName             string      `json:"logGroupName,omitempty"`
	LogFormat                string      `json:"logFormat,omitempty"`
	MaxAggregationInterval   *int32      `json:"maxAggregationInterval,omitempty"`
	CreationTime             *time.Time  `json:"creationTime,omitempty"`
	Tags                     []configTag `json:"tags"`
}

// configTag is a tag inside a configuration, as Config writes it.
type configTag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func flowLogItem(fl *ec2types.FlowLog, account, region string) (*evaluate.ConfigurationItem, error) {
	conf := flowLogConfiguration{
		FlowLogID:                aws.ToString(fl.FlowLogId),
		ResourceID:               aws.ToString(fl.ResourceId),
		TrafficType:              string(fl.TrafficType),
		FlowLogStatus:            aws.ToString(fl.FlowLogStatus),
		DeliverLogsStatus:        aws.ToString(fl.DeliverLogsStatus),
		DeliverLogsErrorMessage:  aws.ToString(fl.DeliverLogsErrorMessage),
		DeliverLogsPermissionArn: aws.ToString(fl.DeliverLogsPermissionArn),
		LogDestinationType:       string(fl.LogDestinationType),
		LogDestination:           aws.ToString(fl.LogDestination),
		LogGroupName:             aws.ToString(fl.LogGroupName),
		LogFormat:                aws.ToString(fl.LogFormat),
		MaxAggregationInterval:   fl.MaxAggregationInterval,
		CreationTime:             fl.CreationTime,
		Tags:                     []configTag{},
	}
	if conf.FlowLogID == "" {
		return nil, fmt.Errorf("ec2:DescribeFlowLogs in %s returned a flow log without FlowLogId", region)
	}
	ci := &evaluate.ConfigurationItem{
		ResourceType: resource.FlowLogType,
		ResourceID:   conf.FlowLogID,
		AccountID:    account,
		Region:       region,
		Status:       evaluate.StatusOK,
	}
	if fl.CreationTime != nil {
		ci.ResourceCreationTime = *fl.CreationTime
	}
	for _, t := range fl.Tags {
		k, v := aws.ToString(t.Key), aws.ToString(t.Value)
		conf.Tags = append(conf.Tags, configTag{k, v})
		if ci.Tags == nil {
			ci.Tags = map[string]string{}
		}
		ci.Tags[k] = v
	}
	raw, err := json.Marshal(conf)
	if err != nil {
		return nil, err
	}
	ci.Configuration = raw
	return ci, nil
}
