package rules

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// EC2InstanceManagedBySystemsManager checks that a running instance is
// managed by Systems Manager: an AWS::SSM::ManagedInstanceInventory item
// exists for it, and neither says the agent's instance is Stopped or
// Terminated nor (for items from DescribeInstanceInformation) that the
// agent lost its connection. Instances that are not running are
// NOT_APPLICABLE: the managed rule never reports them.
//
// The inventory is read through the lookup. In a scan, an instance without
// an inventory item is NON_COMPLIANT only when the input records SSM
// inventory for its account; when it records none the rule cannot tell
// and answers INSUFFICIENT_DATA. Changes to an inventory item are judged
// when its instance is evaluated.
func EC2InstanceManagedBySystemsManager() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "ec2-instance-managed-by-systems-manager",
		Summary:       "Running EC2 instances are managed by Systems Manager.",
		Rationale:     "Systems Manager patches, inventories and reaches instances without SSH keys or open ports; unmanaged instances drift unseen.",
		ResourceTypes: []string{resource.EC2InstanceType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters:    []evaluate.Parameter{},
		Severity:      evaluate.Medium,
		ManagedRule:   "EC2_INSTANCE_MANAGED_BY_SSM",
		Controls:      []string{"SecurityHub:SSM.1"},
		Lookups:       []string{resource.ManagedInstanceInventoryType},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/ec2-instance-managed-by-systems-manager.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(ctx context.Context, in *evaluate.Input) (evaluate.Result, error) {
			inst, err := resource.EC2InstanceOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			switch inst.State {
			case "running":
			case "":
				return evaluate.InsufficientDataf("Instance %s records no state, so whether it must be managed is unknown.", inst.ID), nil
			default:
				return evaluate.NotApplicablef("Instance %s is %s; only running instances are judged.", inst.ID, inst.State), nil
			}
			mi, res, err := ssmManagedInstance(ctx, in, inst.ID)
			if err != nil || mi == nil {
				return res, err
			}
			switch {
			case strings.EqualFold(mi.InstanceStatus, "Stopped"), strings.EqualFold(mi.InstanceStatus, "Terminated"):
				return evaluate.NonCompliantf("Instance %s is running, but Systems Manager reports its instance status %s.", inst.ID, mi.InstanceStatus), nil
			case strings.EqualFold(mi.PingStatus, "ConnectionLost"), strings.EqualFold(mi.PingStatus, "Inactive"):
				return evaluate.NonCompliantf("Instance %s is running, but its SSM Agent's ping status is %s.", inst.ID, mi.PingStatus), nil
			}
			detail := ""
			if mi.AgentVersion != "" {
				detail = " (SSM Agent " + mi.AgentVersion + ")"
			}
			return evaluate.Compliantf("Instance %s is managed by Systems Manager%s.", inst.ID, detail), nil
		}), nil
	})
}

// managedInstance finds the instance's SSM inventory. It returns the
// inventory, or the result to give when there is none (NON_COMPLIANT when
// the inventory is known and lacks the instance, INSUFFICIENT_DATA when
// it is not known).
func ssmManagedInstance(ctx context.Context, in *evaluate.Input, id string) (*resource.ManagedInstance, evaluate.Result, error) {
	ci, err := in.Lookup.Resource(ctx, resource.ManagedInstanceInventoryType, id)
	if err == nil && ci.AccountID != "" && in.Item.AccountID != "" && ci.AccountID != in.Item.AccountID {
		err = fmt.Errorf("%w: the inventory of %s found is of account %s", evaluate.ErrUnknown, id, ci.AccountID)
	}
	switch {
	case err == nil:
		mi, err := resource.DecodeManagedInstance(ci)
		if err != nil {
			return nil, evaluate.Result{}, fmt.Errorf("%s %s: %w", resource.ManagedInstanceInventoryType, id, err)
		}
		return mi, evaluate.Result{}, nil
	case errors.Is(err, evaluate.ErrNotFound):
		return nil, evaluate.NonCompliantf("Instance %s is running, but its Systems Manager inventory was deleted: it is not managed.", id), nil
	case !errors.Is(err, evaluate.ErrUnknown):
		return nil, evaluate.Result{}, err
	}
	// Not found by id: tell "not managed" from "inventory not recorded".
	item := in.Item
	all, err := in.Lookup.Resources(ctx, evaluate.Query{ResourceType: resource.ManagedInstanceInventoryType, AccountID: item.AccountID, Region: item.Region, ResourceID: id})
	switch {
	case errors.Is(err, evaluate.ErrUnknown):
		return nil, evaluate.InsufficientDataf("Instance %s: no Systems Manager inventory is known for account %s (%v).", id, item.AccountID, err), nil
	case err != nil:
		return nil, evaluate.Result{}, err
	}
	for _, ci := range all { // a lookup may ignore ResourceID: check it
		if ci.ResourceID != id {
			continue
		}
		mi, err := resource.DecodeManagedInstance(ci)
		if err != nil {
			return nil, evaluate.Result{}, fmt.Errorf("%s %s: %w", resource.ManagedInstanceInventoryType, id, err)
		}
		return mi, evaluate.Result{}, nil
	}
	return nil, evaluate.NonCompliantf("Instance %s is running but is not managed by Systems Manager (no managed instance inventory).", id), nil
}
