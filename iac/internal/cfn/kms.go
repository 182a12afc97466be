package cfn

import (
	"github.com/guardrails-go/guardrails/iac/internal/ci"
	"github.com/guardrails-go/guardrails/iac/internal/value"
)

func init() {
	mappings["AWS::KMS::Key"] = mapping{"AWS::KMS::Key", kmsKey}
}

func kmsKey(c *conv, r *res) *ci.Builder {
	p := r.props
	b := ci.NewBuilder("", "")
	b.AZ = "Not Applicable"
	keyID := value.ResourceID(r.LogicalID, r.LogicalID+".KeyId")
	arn := c.t.arn("kms", true, "key/", keyID)
	enabled := p.BoolOr("Enabled", true)
	state := any("Enabled")
	switch enabled {
	case false:
		state = "Disabled"
	case true:
	default:
		u := enabled.(value.Unknown)
		u.Null = false
		state = u
	}
	spec := p.StringOr("KeySpec", "SYMMETRIC_DEFAULT")
	b.Config["keyId"] = r.LogicalID
	b.Config["arn"] = arn
	b.ARN = arn
	b.Config["awsaccountId"] = c.account()
	b.Config["description"] = p.StringOr("Description", "")
	b.Config["enabled"] = enabled
	b.Config["keyState"] = state
	b.Config["keyManager"] = "CUSTOMER"
	b.Config["keyUsage"] = p.StringOr("KeyUsage", "ENCRYPT_DECRYPT")
	b.Config["keySpec"] = spec
	b.Config["customerMasterKeySpec"] = spec
	b.Config["origin"] = p.StringOr("Origin", "AWS_KMS")
	b.Config["multiRegion"] = p.BoolOr("MultiRegion", false)
	// Rotation can only be on for symmetric encryption keys; it is off
	// unless asked for.
	b.Supp["KeyRotationStatus"] = p.BoolOr("EnableKeyRotation", false)
	if policy, ok := p.Raw("KeyPolicy"); ok {
		b.Supp["Policy"] = ci.PolicyDoc(policy)
	} else {
		b.Supp["Policy"] = ci.Doc{Value: ci.DefaultKeyPolicy(c.partition(), c.account())}
	}
	tags(r, b)
	return b
}
