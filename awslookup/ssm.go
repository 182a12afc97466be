package awslookup

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// DescribeInstanceInformationAPI is the part of the Systems Manager client
// that ManagedInstanceResolver calls.
type DescribeInstanceInformationAPI interface {
	DescribeInstanceInformation(ctx context.Context, in *ssm.DescribeInstanceInformationInput, optFns ...func(*ssm.Options)) (*ssm.DescribeInstanceInformationOutput, error)
}

var _ DescribeInstanceInformationAPI = (*ssm.Client)(nil)

// ManagedInstanceResolver answers queries for
// AWS::SSM::ManagedInstanceInventory with the EC2 instances Systems Manager
// manages in the query's region (the client's region when the query names
// none), listed with DescribeInstanceInformation. Each becomes an item of
// that type whose resource id is the instance id and whose configuration
// holds an "AWS:InstanceInformation" entry in the shape of Config's
// inventory items, with the agent's PingStatus (Online, ConnectionLost,
// Inactive) added: the API reports the agent's ping, not the inventory's
// InstanceStatus, so that field is left out rather than invented. The
// client must belong to the queried account. An API error wraps
// evaluate.ErrUnknown and the SDK's error.
func ManagedInstanceResolver(client DescribeInstanceInformationAPI) Resolver {
	return func(ctx context.Context, q evaluate.Query) ([]*evaluate.ConfigurationItem, error) {
		if q.ResourceType != resource.ManagedInstanceInventoryType {
			return nil, fmt.Errorf("the managed instance resolver answers %s queries, not %s", resource.ManagedInstanceInventoryType, q.ResourceType)
		}
		region := q.Region
		opt := func(o *ssm.Options) {
			if q.Region != "" {
				o.Region = q.Region
			}
			region = o.Region
		}
		in := &ssm.DescribeInstanceInformationInput{
			// On-premises managed nodes (mi-...) are not EC2 instances.
			Filters: []ssmtypes.InstanceInformationStringFilter{{Key: aws.String("ResourceType"), Values: []string{"EC2Instance"}}},
		}
		var items []*evaluate.ConfigurationItem
		pages := ssm.NewDescribeInstanceInformationPaginator(client, in)
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx, opt)
			if err != nil {
				return nil, fmt.Errorf("%w: ssm:DescribeInstanceInformation in %s: %w", evaluate.ErrUnknown, region, err)
			}
			for i := range out.InstanceInformationList {
				ci, err := managedInstanceItem(&out.InstanceInformationList[i], q.AccountID, region)
				if err != nil {
					return nil, err
				}
				items = append(items, ci)
			}
		}
		return items, nil
	}
}

// instanceInformation is one entry of AWS:InstanceInformation, with
// Systems Manager's attribute names.
type instanceInformation struct {
	InstanceID       string     `json:"InstanceId"`
	AgentVersion     string     `json:"AgentVersion,omitempty"`
	ComputerName     string     `json:"ComputerName,omitempty"`
	IPAddress        string     `json:"IpAddress,omitempty"`
	PlatformName     string     `json:"PlatformName,omitempty"`
	PlatformType     string     `json:"PlatformType,omitempty"`
	PlatformVersion  string     `json:"PlatformVersion,omitempty"`
	ResourceType     string     `json:"ResourceType,omitempty"`
	PingStatus       string     `json:"PingStatus,omitempty"`
	LastPingDateTime *time.Time `json:"LastPingDateTime,omitempty"`
}

func managedInstanceItem(info *ssmtypes.InstanceInformation, account, region string) (*evaluate.ConfigurationItem, error) {
	id := aws.ToString(info.InstanceId)
	if id == "" {
		return nil, fmt.Errorf("ssm:DescribeInstanceInformation in %s returned an instance without InstanceId", region)
	}
	entry := instanceInformation{
		InstanceID:       id,
		AgentVersion:     aws.ToString(info.AgentVersion),
		ComputerName:     aws.ToString(info.ComputerName),
		IPAddress:        aws.ToString(info.IPAddress),
		PlatformName:     aws.ToString(info.PlatformName),
		PlatformType:     string(info.PlatformType),
		PlatformVersion:  aws.ToString(info.PlatformVersion),
		ResourceType:     string(info.ResourceType),
		PingStatus:       string(info.PingStatus),
		LastPingDateTime: info.LastPingDateTime,
	}
	conf := map[string]any{
		"AWS:InstanceInformation": map[string]any{
			"SchemaVersion": "1.0",
			"Content":       map[string]instanceInformation{id: entry},
		},
	}
	raw, err := json.Marshal(conf)
	if err != nil {
		return nil, err
	}
	ci := &evaluate.ConfigurationItem{
		ResourceType:  resource.ManagedInstanceInventoryType,
		ResourceID:    id,
		AccountID:     account,
		Region:        region,
		Status:        evaluate.StatusOK,
		Configuration: raw,
		Relationships: []evaluate.Relationship{{ResourceType: resource.EC2InstanceType, ResourceID: id, Name: "Is associated with Instance"}},
	}
	if info.LastPingDateTime != nil {
		ci.CaptureTime = *info.LastPingDateTime
	}
	return ci, nil
}
