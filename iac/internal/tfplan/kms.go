package tfplan

import (
	"github.com/guardrails-go/guardrails/iac/internal/ci"
	"github.com/guardrails-go/guardrails/iac/internal/value"
)

func init() {
	mappings["aws_kms_key"] = mapping{"AWS::KMS::Key", kmsKey}
	companions["aws_kms_key_policy"] = kmsKeyPolicy
}

func kmsKey(c *conv, r *res) *ci.Builder {
	v := r.v
	b := ci.NewBuilder("", "")
	b.AZ = "Not Applicable"
	arn := value.Concat("arn:", c.partition(), ":kms:", c.regionOf(r), ":", c.account(), ":key/", value.NewUnknown(r.Address+".key_id"))
	enabled := v.BoolOr("is_enabled", true)
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
	spec := v.StringOr("customer_master_key_spec", "SYMMETRIC_DEFAULT")
	if s, ok := v.String("key_spec"); ok {
		spec = s
	}
	b.Config["keyId"] = r.Address
	b.Config["arn"] = arn
	b.ARN = arn
	b.Config["awsaccountId"] = c.account()
	b.Config["description"] = v.StringOr("description", "")
	b.Config["enabled"] = enabled
	b.Config["keyState"] = state
	b.Config["keyManager"] = "CUSTOMER"
	b.Config["keyUsage"] = v.StringOr("key_usage", "ENCRYPT_DECRYPT")
	b.Config["keySpec"] = spec
	b.Config["customerMasterKeySpec"] = spec
	b.Config["origin"] = "AWS_KMS"
	if v.Has("custom_key_store_id") {
		b.Config["origin"] = "AWS_CLOUDHSM"
	}
	b.Config["multiRegion"] = v.BoolOr("multi_region", false)
	b.Supp["KeyRotationStatus"] = v.BoolOr("enable_key_rotation", false)
	if p, ok := v.Raw("policy"); ok {
		b.Supp["Policy"] = ci.PolicyDoc(p)
	} else {
		b.Supp["Policy"] = ci.Doc{Value: ci.DefaultKeyPolicy(c.partition(), c.account())}
	}
	tags(r, b)
	return b
}

func kmsKeyPolicy(c *conv, r *res) error {
	_, b, err := c.target(r, "key_id", "aws_kms_key", "key_id")
	if err != nil {
		return err
	}
	p, ok := r.v.Raw("policy")
	if !ok {
		r.v.Fail("policy", "is required")
		return nil
	}
	b.Supp["Policy"] = ci.PolicyDoc(p)
	return nil
}
