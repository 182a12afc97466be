package tfplan

import (
	"strings"

	"github.com/guardrails-go/guardrails/iac/internal/ci"
	"github.com/guardrails-go/guardrails/iac/internal/value"
)

func init() {
	mappings["aws_s3_bucket"] = mapping{"AWS::S3::Bucket", s3Bucket}
	mappings["aws_s3_account_public_access_block"] = mapping{"AWS::S3::AccountPublicAccessBlock", s3AccountPublicAccessBlock}
	companions["aws_s3_bucket_server_side_encryption_configuration"] = s3Split(s3Encryption)
	companions["aws_s3_bucket_versioning"] = s3Split(s3Versioning)
	companions["aws_s3_bucket_public_access_block"] = s3Split(s3PublicAccessBlock)
	companions["aws_s3_bucket_policy"] = s3Split(s3Policy)
	companions["aws_s3_bucket_logging"] = s3Split(s3Logging)
	companions["aws_s3_bucket_acl"] = s3Split(s3ACL)
	companions["aws_s3_bucket_ownership_controls"] = s3Split(s3Ownership)
	companions["aws_s3_bucket_object_lock_configuration"] = s3Split(s3ObjectLock)
	companions["aws_s3_bucket_replication_configuration"] = s3Split(s3Replication)
	companions["aws_s3_bucket_accelerate_configuration"] = s3Split(s3Accelerate)
}

// s3Bucket maps aws_s3_bucket. AWS provider < 4 configures encryption,
// versioning, logging, ACL and policy inline; from 4 on those are separate
// resources (the companions below) and the inline attributes are computed.
// What nothing configures takes S3's defaults for a new bucket.
func s3Bucket(c *conv, r *res) *ci.Builder {
	v := r.v
	b := ci.NewBuilder("", "")
	b.AZ = "Regional"
	name, ok := v.String("bucket")
	if !ok {
		name = value.ResourceID(r.Address, r.Address+".bucket")
	}
	if u, unknown := name.(value.Unknown); unknown {
		u.Resource = r.Address
		name = u
	}
	b.Config["name"] = name
	b.ARN = value.Concat("arn:", c.partition(), ":s3:::", name)
	supp := ci.BucketDefaults(name)
	b.Supp = supp
	if r.Action != "create" && r.Action != "replace" {
		// A bucket that already exists got the defaults of its creation
		// date: before April 2023, no Block Public Access and ACLs enabled.
		unknown := value.NewUnknown("Block Public Access and ACL defaults of a bucket created before this plan").Typed()
		supp["PublicAccessBlockConfiguration"] = unknown
		supp["BucketOwnershipControls"] = unknown
	}

	if raw, set := c.computed(r, "server_side_encryption_configuration", nil); set {
		if sse, ok := blockOf(v, "server_side_encryption_configuration", raw); ok {
			if rules, ok := sse.Objs("rule"); ok && len(rules) > 0 {
				supp["ServerSideEncryptionConfiguration"] = map[string]any{"rules": sseRules(rules)}
			}
		}
	}
	if raw, set := c.computed(r, "versioning", nil); set {
		if ver, ok := blockOf(v, "versioning", raw); ok {
			enabled := ver.BoolOr("enabled", false)
			status := any("Off")
			switch enabled {
			case true:
				status = "Enabled"
			case false:
				if wasEnabled(r.Before) {
					status = "Suspended"
				}
			default:
				status = enabled
				if u, isUnknown := enabled.(value.Unknown); isUnknown {
					u.Null = false
					status = u
				}
			}
			supp["BucketVersioningConfiguration"] = ci.Versioning(status, ver.BoolOr("mfa_delete", nil))
		}
	}
	if raw, set := c.computed(r, "logging", nil); set {
		if lg, ok := blockOf(v, "logging", raw); ok {
			target, _ := lg.String("target_bucket")
			target = c.refTo(r, append(pathOf(lg), "target_bucket"), target, "aws_s3_bucket", "bucket")
			supp["BucketLoggingConfiguration"] = ci.Logging(nameFromARNValue(target), lg.StringOr("target_prefix", nil))
		}
	}
	if raw, set := c.computed(r, "acl", nil); set {
		switch a := raw.(type) {
		case string:
			if acl := ci.CannedACL(a); acl != nil {
				supp["AccessControlList"] = acl
			} else {
				v.Fail("acl", "unknown canned ACL %q", a)
			}
		case value.Unknown:
			supp["AccessControlList"] = a.Typed()
		}
	}
	if raw, set := c.computed(r, "grant", nil); set {
		if l, ok := raw.([]any); ok && len(l) > 0 {
			if grants, ok := v.Objs("grant"); ok {
				supp["AccessControlList"] = ci.ACL(grantList(grants))
			}
		} else if u, ok := raw.(value.Unknown); ok {
			supp["AccessControlList"] = u.Typed()
		}
	}
	if raw, set := c.computed(r, "policy", nil); set && raw != nil {
		switch p := raw.(type) {
		case string:
			if p != "" {
				supp["BucketPolicy"] = map[string]any{"policyText": ci.PolicyDoc(p)}
			}
		case value.Unknown:
			supp["BucketPolicy"] = map[string]any{"policyText": p.Typed()}
		}
	}
	if raw, set := c.computed(r, "acceleration_status", nil); set {
		if s, ok := raw.(string); ok && s != "" {
			supp["BucketAccelerateConfiguration"] = map[string]any{"status": s}
		}
	}
	lockEnabled, _ := c.computed(r, "object_lock_enabled", false)
	if raw, set := c.computed(r, "object_lock_configuration", nil); set {
		if ol, ok := blockOf(v, "object_lock_configuration", raw); ok {
			if ol.StringOr("object_lock_enabled", nil) == "Enabled" {
				lockEnabled = true
			}
			if lockEnabled == true {
				supp["ObjectLockConfiguration"] = objectLock(ol)
			}
		}
	}
	if lockEnabled == true && supp["ObjectLockConfiguration"] == nil {
		supp["ObjectLockConfiguration"] = map[string]any{"objectLockEnabled": "Enabled"}
	}
	if raw, set := c.computed(r, "replication_configuration", nil); set {
		if rc, ok := blockOf(v, "replication_configuration", raw); ok {
			supp["BucketReplicationConfiguration"] = replication(rc)
		}
	}
	tags(r, b)
	return b
}

// blockOf returns the first block of a list attribute whose value is raw;
// an unknown attribute gives an unknown block.
func blockOf(v *value.Obj, attr string, raw any) (*value.Obj, bool) {
	if u, ok := raw.(value.Unknown); ok {
		return value.UnknownObj(u, attr+"[0]", v.Errors()), true
	}
	return v.Block(attr)
}

func wasEnabled(before map[string]any) bool {
	if before == nil {
		return false
	}
	l, _ := before["versioning"].([]any)
	if len(l) == 0 {
		return false
	}
	m, _ := l[0].(map[string]any)
	return m["enabled"] == true
}

func sseRules(rules []*value.Obj) []any {
	out := make([]any, 0, len(rules))
	for _, rule := range rules {
		var algo, key any
		if def, ok := rule.Block("apply_server_side_encryption_by_default"); ok {
			algo, _ = def.String("sse_algorithm")
			key = emptyAsNil(def.StringOr("kms_master_key_id", nil))
		}
		out = append(out, ci.SSERule(algo, key, rule.BoolOr("bucket_key_enabled", false)))
	}
	return out
}

// emptyAsNil turns "" into nil: the provider writes "" for an unset key.
func emptyAsNil(v any) any {
	if v == "" {
		return nil
	}
	return v
}

func nameFromARNValue(v any) any {
	if s, ok := v.(string); ok {
		return nameFromARN(s)
	}
	return v
}

func grantList(grants []*value.Obj) []any {
	var out []any
	for _, g := range grants {
		perms, _ := g.Strings("permissions")
		var permList []any
		switch p := perms.(type) {
		case []any:
			permList = p
		default:
			if s, ok := g.String("permission"); ok {
				permList = []any{s}
			}
		}
		grantee := g
		if ge, ok := g.Block("grantee"); ok {
			grantee = ge
		}
		typ := grantee.StringOr("type", "")
		for _, p := range permList {
			ps, _ := p.(string)
			perm, ok := ci.Permission(ps)
			if !ok {
				g.Fail("permission", "unknown permission %q", ps)
				continue
			}
			if typ == "Group" {
				uri, _ := grantee.String("uri")
				us, _ := uri.(string)
				group, ok := ci.GroupURI(us)
				if !ok {
					group = us
				}
				out = append(out, ci.Grant(group, true, perm))
			} else {
				id := grantee.StringOr("id", nil)
				if id == nil {
					id = grantee.StringOr("email_address", nil)
				}
				out = append(out, ci.Grant(id, false, perm))
			}
		}
	}
	return out
}

func objectLock(ol *value.Obj) map[string]any {
	m := map[string]any{"objectLockEnabled": "Enabled"}
	if rule, ok := ol.Block("rule"); ok {
		if dr, ok := rule.Block("default_retention"); ok {
			m["rule"] = map[string]any{"defaultRetention": map[string]any{
				"mode":  dr.StringOr("mode", nil),
				"days":  dr.IntOr("days", nil),
				"years": dr.IntOr("years", nil),
			}}
		}
	}
	return m
}

func replication(rc *value.Obj) map[string]any {
	rules := map[string]any{}
	if list, ok := rc.Objs("rules"); ok {
		addRules(rules, list)
	}
	if list, ok := rc.Objs("rule"); ok {
		addRules(rules, list)
	}
	return map[string]any{"roleARN": rc.StringOr("role", nil), "rules": rules}
}

func addRules(rules map[string]any, list []*value.Obj) {
	for i, rule := range list {
		id, _ := rule.StringOr("id", "").(string)
		if id == "" {
			id = "rule-" + string(rune('1'+i))
		}
		dest := map[string]any{}
		if d, ok := rule.Block("destination"); ok {
			dest["bucketARN"] = d.StringOr("bucket", nil)
			dest["storageClass"] = emptyAsNil(d.StringOr("storage_class", nil))
		}
		rules[id] = map[string]any{
			"prefix":            rule.StringOr("prefix", ""),
			"status":            rule.StringOr("status", nil),
			"destinationConfig": dest,
		}
	}
}

func s3AccountPublicAccessBlock(c *conv, r *res) *ci.Builder {
	v := r.v
	b := ci.NewBuilder("", "")
	b.AZ = "Not Applicable"
	b.Config = ci.PublicAccessBlock(v.BoolOr("block_public_acls", false), v.BoolOr("ignore_public_acls", false),
		v.BoolOr("block_public_policy", false), v.BoolOr("restrict_public_buckets", false))
	return b
}

// s3Split wraps a split bucket resource: find the bucket, then merge.
func s3Split(merge func(c *conv, r *res, b *ci.Builder)) companion {
	return func(c *conv, r *res) error {
		_, b, err := c.target(r, "bucket", "aws_s3_bucket", "bucket")
		if err != nil {
			return err
		}
		merge(c, r, b)
		return nil
	}
}

func s3Encryption(c *conv, r *res, b *ci.Builder) {
	if rules, ok := r.v.Objs("rule"); ok && len(rules) > 0 {
		b.Supp["ServerSideEncryptionConfiguration"] = map[string]any{"rules": sseRules(rules)}
	}
}

func s3Versioning(c *conv, r *res, b *ci.Builder) {
	vc, ok := r.v.Block("versioning_configuration")
	if !ok {
		r.v.Fail("versioning_configuration", "is required")
		return
	}
	status := vc.StringOr("status", nil)
	if status == "Disabled" {
		status = "Off"
	}
	mfa := vc.StringOr("mfa_delete", nil)
	var mfaEnabled any
	switch m := mfa.(type) {
	case string:
		mfaEnabled = strings.EqualFold(m, "Enabled")
	case value.Unknown:
		mfaEnabled = m.Typed()
	}
	b.Supp["BucketVersioningConfiguration"] = ci.Versioning(status, mfaEnabled)
}

func s3PublicAccessBlock(c *conv, r *res, b *ci.Builder) {
	v := r.v
	b.Supp["PublicAccessBlockConfiguration"] = ci.PublicAccessBlock(v.BoolOr("block_public_acls", false), v.BoolOr("ignore_public_acls", false),
		v.BoolOr("block_public_policy", false), v.BoolOr("restrict_public_buckets", false))
}

func s3Policy(c *conv, r *res, b *ci.Builder) {
	p, ok := r.v.Raw("policy")
	if !ok {
		r.v.Fail("policy", "is required")
		return
	}
	switch x := p.(type) {
	case string:
		b.Supp["BucketPolicy"] = map[string]any{"policyText": ci.PolicyDoc(x)}
	case value.Unknown:
		b.Supp["BucketPolicy"] = map[string]any{"policyText": x.Typed()}
	default:
		r.v.Fail("policy", "want a JSON string, got %s", value.Kind(p))
	}
}

func s3Logging(c *conv, r *res, b *ci.Builder) {
	target, _ := r.v.String("target_bucket")
	target = c.refTo(r, []string{"target_bucket"}, target, "aws_s3_bucket", "bucket")
	b.Supp["BucketLoggingConfiguration"] = ci.Logging(nameFromARNValue(target), r.v.StringOr("target_prefix", nil))
}

func s3ACL(c *conv, r *res, b *ci.Builder) {
	if a, ok := r.v.String("acl"); ok {
		switch x := a.(type) {
		case string:
			if acl := ci.CannedACL(x); acl != nil {
				b.Supp["AccessControlList"] = acl
			} else {
				r.v.Fail("acl", "unknown canned ACL %q", x)
			}
			return
		case value.Unknown:
			b.Supp["AccessControlList"] = x.Typed()
			return
		}
	}
	if acp, ok := r.v.Block("access_control_policy"); ok {
		if grants, ok := acp.Objs("grant"); ok {
			b.Supp["AccessControlList"] = ci.ACL(grantList(grants))
		}
	}
}

func s3Ownership(c *conv, r *res, b *ci.Builder) {
	if rule, ok := r.v.Block("rule"); ok {
		b.Supp["BucketOwnershipControls"] = ci.Ownership(b.Config["name"], rule.StringOr("object_ownership", nil))
	}
}

func s3ObjectLock(c *conv, r *res, b *ci.Builder) {
	b.Supp["ObjectLockConfiguration"] = objectLock(r.v)
}

func s3Replication(c *conv, r *res, b *ci.Builder) {
	b.Supp["BucketReplicationConfiguration"] = replication(r.v)
}

func s3Accelerate(c *conv, r *res, b *ci.Builder) {
	b.Supp["BucketAccelerateConfiguration"] = map[string]any{"status": r.v.StringOr("status", nil)}
}
