package rules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
	"github.com/guardrails-go/guardrails/rules/policy"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// s3AccountPublicAccessBlockType is the Config resource type of an
// account's S3 Block Public Access settings.
const s3AccountPublicAccessBlockType = "AWS::S3::AccountPublicAccessBlock"

// CloudtrailBucketProtected checks the S3 bucket a trail delivers to: it
// is not public, it has server access logging and versioning is enabled.
// No managed rule offers this (CIS asks for it as two checks).
//
// "Public" is S3's meaning, decided by the shared analyser: a bucket
// policy statement for everyone that no condition pins to fixed accounts or
// networks, unless RestrictPublicBuckets is on; or an ACL grant to AllUsers
// or AuthenticatedUsers, unless IgnorePublicAcls is on or the bucket
// disables ACLs (BucketOwnerEnforced). The block settings in force combine
// the bucket's and the account's (the AWS::S3::AccountPublicAccessBlock
// item, else the s3control-get-public-access-block.json fact).
//
// The bucket is looked up among the input's items; a bucket the input does
// not hold, usually one in a log archive account, is INSUFFICIENT_DATA:
// scan that account too.
func CloudtrailBucketProtected() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "cloudtrail-bucket-protected",
		Summary:       "The S3 bucket of a CloudTrail trail is not public, logs access and keeps versions.",
		Rationale:     "An attacker who can read the trail's bucket learns everything, and one who can overwrite it erases their tracks.",
		ResourceTypes: []string{resource.CloudTrailTrailType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange, evaluate.Periodic},
		Severity:      evaluate.High,
		Controls:      []string{"SecurityHub:CloudTrail.6", "SecurityHub:CloudTrail.7", "CIS-AWS-1.4:3.3", "CIS-AWS-1.4:3.6"},
		Lookups:       []string{resource.S3BucketType, s3AccountPublicAccessBlockType},
		Facts:         []string{facts.PublicAccessBlockFile},
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		blocks := newParsedFacts(facts.ParsePublicAccessBlock)
		return evaluate.EvaluatorFunc(func(ctx context.Context, in *evaluate.Input) (evaluate.Result, error) {
			t, err := resource.CloudTrailTrailOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if t.S3BucketName == "" {
				return evaluate.Result{}, fmt.Errorf("trail %s: configuration.s3BucketName: missing", t.Name)
			}
			ci, err := in.Lookup.Resource(ctx, resource.S3BucketType, t.S3BucketName)
			switch {
			case errors.Is(err, evaluate.ErrNotFound):
				return evaluate.NonCompliantf("Trail %s delivers to bucket %s, which no longer exists.", t.Name, t.S3BucketName), nil
			case errors.Is(err, evaluate.ErrUnknown):
				return evaluate.InsufficientDataf("Bucket %s of trail %s is not in the input (in another account, such as a log archive?): scan its account too.", t.S3BucketName, t.Name), nil
			case err != nil:
				return evaluate.Result{}, err
			}
			b, err := resource.DecodeS3Bucket(ci)
			if err != nil {
				return evaluate.Result{}, fmt.Errorf("bucket %s: %w", t.S3BucketName, err)
			}
			var fails []string
			public, unknown, err := bucketPublic(ctx, in, b, blocks)
			if err != nil {
				return evaluate.Result{}, fmt.Errorf("bucket %s: %w", b.Name, err)
			}
			if public != "" {
				fails = append(fails, "is public: "+public)
			}
			if !b.Logging.Enabled() {
				fails = append(fails, "has no server access logging")
			}
			switch {
			case b.Versioning == nil || b.Versioning.Status == "" || b.Versioning.Status == "Off":
				fails = append(fails, "has never had versioning")
			case b.Versioning.Status == "Suspended":
				fails = append(fails, "has versioning suspended")
			case b.Versioning.Status != "Enabled":
				return evaluate.Result{}, &unexpectedValueError{Field: "bucket " + b.Name + " supplementaryConfiguration.BucketVersioningConfiguration.status", Value: b.Versioning.Status}
			}
			switch {
			case len(fails) > 0:
				return evaluate.NonCompliantf("Bucket %s of trail %s %s.", b.Name, t.Name, strings.Join(fails, "; ")), nil
			case unknown != "":
				return evaluate.InsufficientDataf("Bucket %s of trail %s: %s.", b.Name, t.Name, unknown), nil
			}
			return evaluate.Compliantf("Bucket %s of trail %s is not public, logs access and keeps versions.", b.Name, t.Name), nil
		}), nil
	})
}

// bucketPublic says how the bucket is public ("" when it is not), or why
// that cannot be told (unknown).
func bucketPublic(ctx context.Context, in *evaluate.Input, b *resource.S3Bucket, blocks *parsedFacts[*facts.PublicAccessBlock]) (public, unknown string, err error) {
	var policyGrants []policy.Grant
	policyKnown := b.PolicyRecorded
	if b.Policy != "" {
		doc, err := policy.Parse([]byte(b.Policy))
		if err != nil {
			return "", "", fmt.Errorf("bucket policy: %w", err)
		}
		policyGrants = doc.Public()
	}
	var aclGrants []policy.ACLGrant
	aclKnown := b.ACL != nil
	if aclKnown {
		acl, err := policy.ParseACL(b.ACL)
		if err != nil {
			return "", "", fmt.Errorf("supplementaryConfiguration.AccessControlList: %w", err)
		}
		if !aclsDisabled(b.OwnershipControls) {
			aclGrants = acl.PublicGrants()
		}
	}
	var bucketBlock policy.PublicAccessBlock
	if p := b.PublicAccessBlock; p != nil {
		bucketBlock = policy.PublicAccessBlock{
			BlockPublicAcls: p.BlockPublicAcls.True(), IgnorePublicAcls: p.IgnorePublicAcls.True(),
			BlockPublicPolicy: p.BlockPublicPolicy.True(), RestrictPublicBuckets: p.RestrictPublicBuckets.True(),
		}
	}
	accountBlock, accountKnown, err := accountPublicAccessBlock(ctx, in, b.AccountID, blocks)
	if err != nil {
		return "", "", err
	}
	block := bucketBlock.Combine(accountBlock)

	// What is public under the settings known to be in force. A grant the
	// bucket's own settings do not stop may still be stopped by the
	// account's, when those are unknown.
	var how []string
	if len(policyGrants) > 0 && !block.BlocksPublicPolicy() {
		how = append(how, "policy "+policyGrants[0].String())
	}
	if len(aclGrants) > 0 && !block.BlocksPublicACLs() {
		how = append(how, fmt.Sprintf("ACL grants %s to %s", aclGrants[0].Permission, path.Base(aclGrants[0].Grantee.URI)))
	}
	var gaps []string
	if !policyKnown && !block.BlocksPublicPolicy() {
		gaps = append(gaps, "its policy is not recorded")
	}
	if !aclKnown && !block.BlocksPublicACLs() {
		gaps = append(gaps, "its ACL is not recorded")
	}
	if len(how) > 0 && !accountKnown {
		gaps = append(gaps, fmt.Sprintf("the Block Public Access settings of account %s are unknown (give %s or its %s item), and without them it is public: %s",
			b.AccountID, facts.PublicAccessBlockFile, s3AccountPublicAccessBlockType, how[0]))
		return "", strings.Join(gaps, "; "), nil
	}
	if len(how) > 0 {
		return strings.Join(how, "; "), "", nil
	}
	return "", strings.Join(gaps, "; "), nil
}

// accountPublicAccessBlock returns the account's Block Public Access
// settings: the Config item, or the fact; known is false when neither
// says. An account without settings blocks nothing.
func accountPublicAccessBlock(ctx context.Context, in *evaluate.Input, account string, blocks *parsedFacts[*facts.PublicAccessBlock]) (policy.PublicAccessBlock, bool, error) {
	var none policy.PublicAccessBlock
	if account == "" {
		return none, false, nil
	}
	items, err := in.Lookup.Resources(ctx, evaluate.Query{ResourceType: s3AccountPublicAccessBlockType, AccountID: account})
	if err == nil && len(items) > 0 {
		p, err := policy.ParsePublicAccessBlock(items[0].Configuration)
		if err != nil {
			return none, false, fmt.Errorf("%s of account %s: %w", s3AccountPublicAccessBlockType, account, err)
		}
		return p, true, nil
	}
	if err != nil && !errors.Is(err, evaluate.ErrUnknown) {
		return none, false, err
	}
	data, err := in.Lookup.Fact(ctx, account, "", facts.PublicAccessBlockFile)
	if errors.Is(err, evaluate.ErrUnknown) {
		return none, false, nil
	}
	if errors.Is(err, evaluate.ErrNotFound) {
		return none, true, nil
	}
	if err != nil {
		return none, false, err
	}
	f, err := blocks.get(data)
	switch {
	case errors.Is(err, evaluate.ErrNotFound):
		return none, true, nil
	case errors.Is(err, evaluate.ErrUnknown):
		return none, false, nil
	case err != nil:
		return none, false, err
	}
	return policy.PublicAccessBlock{BlockPublicAcls: f.BlockPublicAcls, IgnorePublicAcls: f.IgnorePublicAcls,
		BlockPublicPolicy: f.BlockPublicPolicy, RestrictPublicBuckets: f.RestrictPublicBuckets}, true, nil
}

// aclsDisabled reports whether the bucket's ownership controls disable
// ACLs (BucketOwnerEnforced), as Config records them:
// {"bucketName": ..., "ownershipControls": {"rules": [{"objectOwnership": ...}]}}.
func aclsDisabled(raw json.RawMessage) bool {
	if len(raw) == 0 {
		return false
	}
	var oc struct {
		OwnershipControls *struct {
			Rules []struct {
				ObjectOwnership string `json:"objectOwnership"`
			} `json:"rules"`
		} `json:"ownershipControls"`
		Rules []struct {
			ObjectOwnership string `json:"objectOwnership"`
		} `json:"rules"`
	}
	if json.Unmarshal(raw, &oc) != nil {
		return false
	}
	rules := oc.Rules
	if oc.OwnershipControls != nil {
		rules = oc.OwnershipControls.Rules
	}
	for _, r := range rules {
		if r.ObjectOwnership == "BucketOwnerEnforced" {
			return true
		}
	}
	return false
}
