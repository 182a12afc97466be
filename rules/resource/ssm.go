package resource

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/guardrails-go/guardrails/evaluate"
)

// ManagedInstanceInventoryType is the Config resource type of the Systems
// Manager inventory of a managed instance; its resource id is the
// instance id.
const ManagedInstanceInventoryType = "AWS::SSM::ManagedInstanceInventory"

// ManagedInstance is the view of an AWS::SSM::ManagedInstanceInventory
// item: what Systems Manager knows of the instance.
type ManagedInstance struct {
	InstanceID string
	// InstanceStatus is the inventory's AWS:InstanceInformation
	// InstanceStatus ("Active", "Stopped", "Terminated"), or the item's
	// supplementaryConfiguration.instanceStatus; "" when not recorded.
	InstanceStatus string
	// PingStatus is the agent's ping status (Online, ConnectionLost,
	// Inactive) when the item came from DescribeInstanceInformation (see
	// package awslookup); Config's own items do not record it.
	PingStatus   string
	AgentVersion string
	PlatformName string
}

// instanceInformation is one entry of the AWS:InstanceInformation content.
type instanceInformation struct {
	InstanceID     string `json:"InstanceId"`
	InstanceStatus string `json:"InstanceStatus"`
	PingStatus     string `json:"PingStatus"`
	AgentVersion   string `json:"AgentVersion"`
	PlatformName   string `json:"PlatformName"`
}

// DecodeManagedInstance decodes an AWS::SSM::ManagedInstanceInventory
// item. The AWS:InstanceInformation content is read whether Config wrote
// it as an object keyed by instance id, as one entry, or as a list.
func DecodeManagedInstance(ci *evaluate.ConfigurationItem) (*ManagedInstance, error) {
	if ci.ResourceType != ManagedInstanceInventoryType {
		return nil, fmt.Errorf("item of type %s decoded as %s", ci.ResourceType, ManagedInstanceInventoryType)
	}
	var conf struct {
		Info *struct {
			Content json.RawMessage `json:"Content"`
		} `json:"AWS:InstanceInformation"`
	}
	if err := decodeConfiguration(ci, &conf); err != nil {
		return nil, err
	}
	mi := &ManagedInstance{InstanceID: ci.ResourceID}
	if conf.Info != nil {
		info, err := pickInstanceInformation(conf.Info.Content, ci.ResourceID)
		if err != nil {
			return nil, err
		}
		if info != nil {
			mi.InstanceStatus, mi.PingStatus = info.InstanceStatus, info.PingStatus
			mi.AgentVersion, mi.PlatformName = info.AgentVersion, info.PlatformName
		}
	}
	var status Text
	if ok, err := decodeSupplementary(ci, "instanceStatus", &status); err != nil {
		return nil, err
	} else if ok && mi.InstanceStatus == "" {
		mi.InstanceStatus = string(status)
	}
	return mi, nil
}

// pickInstanceInformation finds the entry of the instance in the content.
func pickInstanceInformation(content json.RawMessage, id string) (*instanceInformation, error) {
	const field = `configuration.AWS:InstanceInformation.Content`
	content = bytes.TrimSpace(content)
	if len(content) == 0 || string(content) == "null" {
		return nil, nil
	}
	var entries []instanceInformation
	if content[0] == '{' {
		// Config's own shape, keyed by instance id, in one pass.
		var byID map[string]instanceInformation
		if json.Unmarshal(content, &byID) == nil {
			if e, ok := byID[id]; ok {
				if e.InstanceID == "" {
					e.InstanceID = id
				}
				return &e, nil
			}
		}
	}
	switch content[0] {
	case '[':
		if err := decodeField(field, content, &entries); err != nil {
			return nil, err
		}
	case '{':
		var byKey map[string]json.RawMessage
		if err := decodeField(field, content, &byKey); err != nil {
			return nil, err
		}
		if _, single := byKey["InstanceId"]; single {
			var one instanceInformation
			if err := decodeField(field, content, &one); err != nil {
				return nil, err
			}
			return &one, nil
		}
		for key, raw := range byKey {
			var e instanceInformation
			if err := decodeField(field+"."+key, raw, &e); err != nil {
				return nil, err
			}
			if e.InstanceID == "" {
				e.InstanceID = key
			}
			entries = append(entries, e)
		}
	default:
		return nil, fmt.Errorf("%s: want an object or an array, got %s", field, truncate(string(content)))
	}
	for i := range entries {
		if entries[i].InstanceID == id {
			return &entries[i], nil
		}
	}
	if len(entries) == 1 {
		return &entries[0], nil
	}
	return nil, nil
}
