package iac

import (
	"encoding/json"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/iac/internal/cfn"
	"github.com/guardrails-go/guardrails/iac/internal/ci"
)

// Standalone is the configuration item of one resource read on its own,
// without the template around it.
type Standalone struct {
	// Item is the resource's item. For a resource that Config records as
	// part of another (a bucket policy, a security group rule, an IAM
	// policy), it is the item of that other resource, of its type, with
	// ResourceID the part's logical id: the part is all that is known of it.
	Item *evaluate.ConfigurationItem
	// Without is set for such parts: the other resource's item as far as
	// it is known without the part. A rule that fails Item but not Without
	// fails because of the part.
	Without *evaluate.ConfigurationItem
}

// ReadResource reads one CloudFormation resource from its properties as
// CloudFormation hands them to a hook: a JSON object of resolved values (no
// intrinsic functions), booleans and numbers as JSON values or as their
// text ("true", "22"). It returns no item for a type the package does not
// read, and one Standalone per resource a part belongs to (an IAM policy
// may name several roles, users and groups).
//
// What other resources of a template would add is not seen: the paths they
// fill (a bucket's policy, a security group's rules, a function's resource
// policy, an IAM identity's policies) are listed in Unknown, so a rule that
// needs them answers INSUFFICIENT_DATA instead of failing a resource for
// what the call cannot show. For a part, every path of the item is
// unknown but for what the part sets entirely (a bucket policy is the
// bucket's whole policy).
//
// Errors are *evaluate.Error values naming the resource and the property.
func ReadResource(resourceType, logicalID string, properties json.RawMessage, opts ...Option) ([]Standalone, error) {
	o := collect(opts)
	list, err := cfn.ReadStandalone(resourceType, logicalID, properties, cfn.Options{
		Parameters: o.parameters, AccountID: o.accountID, Region: o.region,
		Partition: o.partition, StackName: o.stackName, EBSEncryptionByDefault: o.ebsDefault,
	})
	if err != nil {
		return nil, standaloneError(err)
	}
	if list == nil {
		return nil, nil
	}
	out := make([]Standalone, len(list))
	for i, s := range list {
		out[i].Item = standaloneItem(s.Item)
		if s.Without != nil {
			out[i].Without = standaloneItem(s.Without)
		}
	}
	return out, nil
}

// ReadsResource reports whether ReadResource reads resources of the
// CloudFormation type resourceType.
func ReadsResource(resourceType string) bool { return cfn.StandaloneSupported(resourceType) }

func standaloneItem(it *ci.Item) *evaluate.ConfigurationItem {
	ci := toItem(it)
	ci.Location = nil // not read from a file
	return ci
}

func standaloneError(err error) error {
	e, ok := sourceError(err, "", ".").(*evaluate.Error)
	if !ok {
		return err
	}
	e.Source = "resource properties"
	if e.Path != "" && e.ResourceID != "" {
		// Name the property from the resource: "Properties.BucketName".
		e.Path = "Properties" + e.Path[len(e.ResourceID):]
		if e.Path == "Properties" {
			e.Path = ""
		}
	}
	return e
}
