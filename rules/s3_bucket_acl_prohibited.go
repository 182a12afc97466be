package rules

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/policy"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// S3BucketACLProhibited checks that a bucket does not manage access through
// its ACL: ACLs are disabled (Object Ownership BucketOwnerEnforced), or the
// ACL grants nothing to anyone but the bucket owner.
//
// The managed rule's page says only "NON_COMPLIANT if ACLs are configured
// for user access"; every grant to another canonical user, an e-mail
// grantee or a group counts here, including the LogDelivery group of legacy
// server access logging (give the logging service access through the target
// bucket's policy instead), the safer reading.
func S3BucketACLProhibited() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "s3-bucket-acl-prohibited",
		Summary:       "S3 buckets do not grant access through ACLs.",
		Rationale:     "ACLs are a second, legacy way to grant access that policies and access reviews overlook; disabling them leaves one place to look.",
		ResourceTypes: []string{resource.S3BucketType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters:    []evaluate.Parameter{},
		Severity:      evaluate.Medium,
		ManagedRule:   "S3_BUCKET_ACL_PROHIBITED",
		Controls:      []string{"SecurityHub:S3.12"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-acl-prohibited.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			v, err := s3ViewOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			ownershipUnknown := unknownUnder(in.Item, s3OwnershipPath, ".bucketName")
			if v.ACLsDisabled() && ownershipUnknown == "" {
				return evaluate.Compliantf("Bucket %s disables ACLs (Object Ownership BucketOwnerEnforced).", v.Name), nil
			}
			switch {
			case v.acl == nil && in.Item.UnknownAt(s3ACLPath) != "":
				return evaluate.InsufficientDataf("The ACL of bucket %s is not known before deployment (%s).", v.Name, in.Item.UnknownAt(s3ACLPath)), nil
			case v.acl == nil:
				return evaluate.InsufficientDataf("Config recorded no AccessControlList for bucket %s, and its ownership controls do not disable ACLs.", v.Name), nil
			case v.aclErr != nil:
				if u := unknownUnder(in.Item, s3ACLPath); u != "" {
					return evaluate.InsufficientDataf("The ACL of bucket %s holds values not known before deployment (%s).", v.Name, u), nil
				}
				return evaluate.Result{}, v.aclErr
			}
			owner := v.acl.Owner
			if owner == "" {
				owner = v.Owner
			}
			var others, maybe []string
			for _, g := range v.acl.Grants {
				if g.Grantee.Type == policy.CanonicalUser && g.Grantee.ID == owner && owner != "" {
					continue
				}
				who := grantee(g.Grantee)
				if g.Grantee.Type == policy.CanonicalUser && (owner == "" || strings.Contains(g.Grantee.ID, unknownMark)) {
					maybe = append(maybe, who)
					continue
				}
				others = append(others, fmt.Sprintf("%s to %s", g.Permission, who))
			}
			switch {
			case len(others) > 0 && ownershipUnknown != "":
				return evaluate.InsufficientDataf("Bucket %s's ACL grants %s; whether its ownership controls disable ACLs is not known before deployment (%s).", v.Name, joinList(others), ownershipUnknown), nil
			case len(others) > 0:
				return evaluate.NonCompliantf("Bucket %s grants access through its ACL (%s): %s.", v.Name, ownershipName(v.S3Bucket), joinList(others)), nil
			case len(maybe) > 0 && owner == "":
				return evaluate.InsufficientDataf("Bucket %s's ACL grants access to %s, and the item names no owner to tell whether that is the owner.", v.Name, joinList(maybe)), nil
			case len(maybe) > 0:
				return evaluate.InsufficientDataf("Bucket %s's ACL grants access to %s, not known before deployment; it may be the owner.", v.Name, joinList(maybe)), nil
			}
			return evaluate.Compliantf("Bucket %s's ACL grants access to the bucket owner only.", v.Name), nil
		}), nil
	})
}

// grantee names an ACL grantee for an annotation.
func grantee(g policy.Grantee) string {
	switch g.Type {
	case policy.Group:
		return path.Base(g.URI)
	case policy.AmazonCustomerByEmail:
		return "an e-mail grantee"
	}
	id := g.ID
	if len(id) > 16 && !strings.Contains(id, unknownMark) {
		id = id[:8] + "…" // canonical ids are 64 hex digits; the start is enough to find it
	}
	return "canonical user " + id
}

// ownershipName is the bucket's Object Ownership for an annotation.
func ownershipName(b *resource.S3Bucket) string {
	if b.ObjectOwnership != "" {
		return "Object Ownership " + b.ObjectOwnership
	}
	return "no ownership controls"
}
