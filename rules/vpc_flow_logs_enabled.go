package rules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// VPCFlowLogsEnabled checks that a VPC has an active flow log, and with
// trafficType that its flow logs capture that traffic. A flow log of ALL
// traffic captures ACCEPT and REJECT traffic too, and ACCEPT and REJECT
// logs together capture ALL.
//
// The flow logs come from the lookup: in a scan, the AWS::EC2::FlowLog
// items of the VPC's account and region, or, when the input records none
// for the account, the fact ec2-describe-flow-logs.json (what `aws ec2
// describe-flow-logs` prints); without either the rule answers
// INSUFFICIENT_DATA. In Lambda, package awslookup lists them with
// DescribeFlowLogs.
func VPCFlowLogsEnabled() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "vpc-flow-logs-enabled",
		Summary:       "VPCs have active flow logs (of the given traffic type, when one is given).",
		Rationale:     "Flow logs record who talked to what in a VPC; without them an intrusion or exfiltration leaves no network trace to investigate.",
		ResourceTypes: []string{resource.VPCType},
		Trigger:       []evaluate.Trigger{evaluate.Periodic},
		Parameters: []evaluate.Parameter{{
			Name: "trafficType", Type: evaluate.String,
			Description: "Traffic the flow logs must capture: ACCEPT, REJECT or ALL.",
		}},
		Severity:     evaluate.Medium,
		ManagedRule:  "VPC_FLOW_LOGS_ENABLED",
		Controls:     []string{"SecurityHub:EC2.6", "CIS-AWS-1.2:2.9", "CIS-AWS-1.4:3.9"},
		Remediations: []string{"vpc-enable-flow-logs"},
		Lookups:      []string{resource.FlowLogType},
		Facts:        []string{factDescribeFlowLogs},
		URL:          "https://docs.aws.amazon.com/config/latest/developerguide/vpc-flow-logs-enabled.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		want := strings.ToUpper(strings.TrimSpace(p.String("trafficType")))
		switch want {
		case "", "ACCEPT", "REJECT", "ALL":
		default:
			return nil, &evaluate.ParamError{Name: "trafficType", Value: p.String("trafficType"), Err: errors.New("want ACCEPT, REJECT or ALL")}
		}
		return evaluate.EvaluatorFunc(func(ctx context.Context, in *evaluate.Input) (evaluate.Result, error) {
			vpc, err := resource.VPCOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			logs, missing, err := vpcFlowLogs(ctx, in, vpc.ID)
			if err != nil {
				return evaluate.Result{}, err
			}
			if missing != "" {
				return evaluate.InsufficientDataf("No flow log data for VPC %s (give %s items, or %s from aws ec2 describe-flow-logs): %s.", vpc.ID, resource.FlowLogType, factDescribeFlowLogs, missing), nil
			}
			var active []*resource.FlowLog
			accept, reject := false, false
			for _, fl := range logs {
				if fl.Status != "" && !strings.EqualFold(fl.Status, "ACTIVE") {
					continue
				}
				active = append(active, fl)
				switch strings.ToUpper(fl.TrafficType) {
				case "ALL":
					accept, reject = true, true
				case "ACCEPT":
					accept = true
				case "REJECT":
					reject = true
				}
			}
			if len(active) == 0 {
				return evaluate.NonCompliantf("VPC %s has no active flow log.", vpc.ID), nil
			}
			ok := want == "" || want == "ALL" && accept && reject || want == "ACCEPT" && accept || want == "REJECT" && reject
			if !ok {
				return evaluate.NonCompliantf("VPC %s has flow logs, but none captures %s traffic.", vpc.ID, want), nil
			}
			var names []string
			for i, fl := range active {
				if i == 3 {
					names = append(names, "...")
					break
				}
				names = append(names, fl.ID+" "+fl.TrafficType)
			}
			return evaluate.Compliantf("VPC %s has active flow logs (%s).", vpc.ID, strings.Join(names, ", ")), nil
		}), nil
	})
}

// flowLogIndexKey memoizes the flow logs of an account and region by VPC.
type flowLogIndexKey struct{ account, region string }

// vpcFlowLogs returns the flow logs of the VPC, or why none can be known.
func vpcFlowLogs(ctx context.Context, in *evaluate.Input, vpcID string) ([]*resource.FlowLog, string, error) {
	item := in.Item
	// The flow logs of an account and region, by VPC: built once per
	// lookup, not once per VPC.
	byVPC, err := evaluate.Memoize(in, flowLogIndexKey{item.AccountID, item.Region}, func() (map[string][]*resource.FlowLog, error) {
		items, err := in.Lookup.Resources(ctx, evaluate.Query{ResourceType: resource.FlowLogType, AccountID: item.AccountID, Region: item.Region})
		if err != nil {
			return nil, err
		}
		index := make(map[string][]*resource.FlowLog)
		for _, ci := range items {
			fl, err := resource.DecodeFlowLog(ci)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", resource.FlowLogType, ci.ResourceID, err)
			}
			index[fl.ResourceID] = append(index[fl.ResourceID], fl)
		}
		return index, nil
	})
	if err == nil {
		return byVPC[vpcID], "", nil
	}
	if !errors.Is(err, evaluate.ErrUnknown) {
		return nil, "", err
	}
	data, ferr := in.Lookup.Fact(ctx, item.AccountID, item.Region, factDescribeFlowLogs)
	switch {
	case errors.Is(ferr, evaluate.ErrUnknown):
		return nil, err.Error() + "; " + ferr.Error(), nil
	case errors.Is(ferr, evaluate.ErrNotFound):
		return nil, "", nil
	case ferr != nil:
		return nil, "", ferr
	}
	var out struct {
		FlowLogs []struct {
			ID            string `json:"FlowLogId"`
			ResourceID    string `json:"ResourceId"`
			TrafficType   string `json:"TrafficType"`
			Status        string `json:"FlowLogStatus"`
			DeliverStatus string `json:"DeliverLogsStatus"`
		} `json:"FlowLogs"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, "", fmt.Errorf("fact %s: %v", factDescribeFlowLogs, ec2FactError(err))
	}
	if out.FlowLogs == nil {
		return nil, "", fmt.Errorf("fact %s: no FlowLogs list (want what aws ec2 describe-flow-logs prints)", factDescribeFlowLogs)
	}
	var logs []*resource.FlowLog
	for _, f := range out.FlowLogs {
		if f.ResourceID == vpcID {
			logs = append(logs, &resource.FlowLog{ID: f.ID, ResourceID: f.ResourceID, TrafficType: f.TrafficType, Status: f.Status, DeliverStatus: f.DeliverStatus})
		}
	}
	return logs, "", nil
}

// ec2FactError rewrites encoding/json's errors, which name Go types.
func ec2FactError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("%s: unexpected %s", te.Field, te.Value)
	}
	return err
}
