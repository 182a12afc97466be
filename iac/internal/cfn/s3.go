package cfn

import (
	"github.com/guardrails-go/guardrails/iac/internal/ci"
	"github.com/guardrails-go/guardrails/iac/internal/value"
)

func init() {
	mappings["AWS::S3::Bucket"] = mapping{"AWS::S3::Bucket", s3Bucket}
	companions["AWS::S3::BucketPolicy"] = s3BucketPolicy
}

// s3Bucket maps AWS::S3::Bucket. Properties left out take S3's defaults
// for a new bucket (ci.BucketDefaults).
func s3Bucket(c *conv, r *res) *ci.Builder {
	p := r.props
	b := ci.NewBuilder("", "")
	name, err := c.t.name(r.Resource)
	if err != nil {
		r.errs.Add("BucketName", "%s", errMsg(err))
		return b
	}
	c.nameIs("AWS::S3::Bucket", name, r.LogicalID)
	b.Config["name"] = name
	b.ARN = value.Concat("arn:", c.partition(), ":s3:::", name)
	b.AZ = "Regional"
	supp := ci.BucketDefaults(name)
	b.Supp = supp

	if enc, ok := p.Obj("BucketEncryption"); ok {
		if rules, ok := enc.Objs("ServerSideEncryptionConfiguration"); ok {
			out := make([]any, 0, len(rules))
			for _, rule := range rules {
				var algo, key any
				if def, ok := rule.Obj("ServerSideEncryptionByDefault"); ok {
					algo, _ = def.String("SSEAlgorithm")
					key, _ = def.String("KMSMasterKeyID")
				}
				out = append(out, ci.SSERule(algo, key, rule.BoolOr("BucketKeyEnabled", false)))
			}
			supp["ServerSideEncryptionConfiguration"] = map[string]any{"rules": out}
		}
	}
	if v, ok := p.Obj("VersioningConfiguration"); ok {
		supp["BucketVersioningConfiguration"] = ci.Versioning(v.StringOr("Status", "Off"), nil)
	}
	if l, ok := p.Obj("LoggingConfiguration"); ok {
		// Without a destination, S3 writes the logs into the bucket itself.
		dest := c.refTo("AWS::S3::Bucket", l.StringOr("DestinationBucketName", name))
		supp["BucketLoggingConfiguration"] = ci.Logging(dest, l.StringOr("LogFilePrefix", nil))
	}
	if pab, ok := p.Obj("PublicAccessBlockConfiguration"); ok {
		// A configuration given replaces the default: flags left out are false.
		supp["PublicAccessBlockConfiguration"] = ci.PublicAccessBlock(
			pab.BoolOr("BlockPublicAcls", false), pab.BoolOr("IgnorePublicAcls", false),
			pab.BoolOr("BlockPublicPolicy", false), pab.BoolOr("RestrictPublicBuckets", false))
	}
	if v, ok := p.String("AccessControl"); ok {
		switch x := v.(type) {
		case string:
			acl := ci.CannedACL(x)
			if acl == nil {
				p.Fail("AccessControl", "unknown canned ACL %q", x)
			} else {
				supp["AccessControlList"] = acl
			}
		case value.Unknown:
			supp["AccessControlList"] = x.Typed()
		}
	}
	if oc, ok := p.Obj("OwnershipControls"); ok {
		if rules, ok := oc.Objs("Rules"); ok && len(rules) > 0 {
			supp["BucketOwnershipControls"] = ci.Ownership(name, rules[0].StringOr("ObjectOwnership", "BucketOwnerEnforced"))
		}
	}
	if a, ok := p.Obj("AccelerateConfiguration"); ok {
		supp["BucketAccelerateConfiguration"] = map[string]any{"status": a.StringOr("AccelerationStatus", nil)}
	}
	lockCfg, hasLockCfg := p.Obj("ObjectLockConfiguration")
	lock := p.BoolOr("ObjectLockEnabled", nil)
	if lock == nil && hasLockCfg {
		lock = lockCfg.StringOr("ObjectLockEnabled", nil) == "Enabled"
	}
	if lock == true {
		olc := map[string]any{"objectLockEnabled": "Enabled"}
		if ol := lockCfg; hasLockCfg {
			if rule, ok := ol.Obj("Rule"); ok {
				if dr, ok := rule.Obj("DefaultRetention"); ok {
					olc["rule"] = map[string]any{"defaultRetention": map[string]any{
						"mode":  dr.StringOr("Mode", nil),
						"days":  dr.IntOr("Days", nil),
						"years": dr.IntOr("Years", nil),
					}}
				}
			}
		}
		supp["ObjectLockConfiguration"] = olc
	}
	if rc, ok := p.Obj("ReplicationConfiguration"); ok {
		rules := map[string]any{}
		if list, ok := rc.Objs("Rules"); ok {
			for i, rule := range list {
				id := rule.StringOr("Id", nil)
				key, isStr := id.(string)
				if !isStr {
					key = "rule-" + string(rune('1'+i))
				}
				dest := map[string]any{}
				if d, ok := rule.Obj("Destination"); ok {
					dest["bucketARN"] = d.StringOr("Bucket", nil)
					dest["storageClass"] = d.StringOr("StorageClass", nil)
				}
				rules[key] = map[string]any{
					"prefix":            rule.StringOr("Prefix", ""),
					"status":            rule.StringOr("Status", nil),
					"destinationConfig": dest,
				}
			}
		}
		supp["BucketReplicationConfiguration"] = map[string]any{"roleARN": rc.StringOr("Role", nil), "rules": rules}
	}
	tags(r, b)
	return b
}

// s3BucketPolicy merges AWS::S3::BucketPolicy into its bucket's item.
func s3BucketPolicy(c *conv, r *res) error {
	_, b, err := c.target(r, "Bucket", "AWS::S3::Bucket", nil)
	if err != nil {
		return err
	}
	doc, ok := r.props.Raw("PolicyDocument")
	if !ok {
		r.props.Fail("PolicyDocument", "is required")
		return nil
	}
	switch doc.(type) {
	case map[string]any, string, value.Unknown:
	default:
		r.props.Fail("PolicyDocument", "want a policy document, got %s", value.Kind(doc))
		return nil
	}
	b.Supp["BucketPolicy"] = map[string]any{"policyText": ci.PolicyDoc(doc)}
	return nil
}
