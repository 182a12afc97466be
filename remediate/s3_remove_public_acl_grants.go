package remediate

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The grantee groups that stand for everyone.
const (
	allUsersURI           = "http://acs.amazonaws.com/groups/global/AllUsers"
	authenticatedUsersURI = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
)

func s3RemovePublicACLGrants() *Remediation {
	return &Remediation{
		ID:            "s3-remove-public-acl-grants",
		Summary:       "Removes the bucket ACL grants to AllUsers and AuthenticatedUsers, keeping the owner and every other grant.",
		ResourceTypes: []string{bucketType},
		Fixes:         []string{"s3-bucket-public-read-prohibited", "s3-bucket-public-write-prohibited"},
		APIs:          []string{"s3:GetBucketOwnershipControls", "s3:GetBucketAcl", "s3:PutBucketAcl"},
		run:           runS3RemovePublicACLGrants,
	}
}

func runS3RemovePublicACLGrants(r *run) error {
	bucket, arn := r.id, r.bucketARN(r.id)

	// With BucketOwnerEnforced, ACLs are disabled: they grant nothing and
	// PutBucketAcl would be refused.
	own, err := r.clients.S3.GetBucketOwnershipControls(r.ctx, &s3.GetBucketOwnershipControlsInput{Bucket: &bucket})
	switch {
	case errorCode(err) == "OwnershipControlsNotFoundError":
	case err != nil:
		return apiError("s3:GetBucketOwnershipControls", arn, err)
	case own.OwnershipControls != nil:
		for _, rule := range own.OwnershipControls.Rules {
			if rule.ObjectOwnership == s3types.ObjectOwnershipBucketOwnerEnforced {
				r.skip("s3:PutBucketAcl", arn, "ACLs are disabled (object ownership BucketOwnerEnforced); no grant has effect")
				return nil
			}
		}
	}

	acl, err := r.clients.S3.GetBucketAcl(r.ctx, &s3.GetBucketAclInput{Bucket: &bucket})
	if err != nil {
		return apiError("s3:GetBucketAcl", arn, err)
	}
	var keep []s3types.Grant
	var removed []string
	for _, g := range acl.Grants {
		if g.Grantee != nil && g.Grantee.Type == s3types.TypeGroup {
			switch uri := aws.ToString(g.Grantee.URI); uri {
			case allUsersURI, authenticatedUsersURI:
				removed = append(removed, fmt.Sprintf("%s to %s", g.Permission, uri[strings.LastIndex(uri, "/")+1:]))
				continue
			}
		}
		keep = append(keep, g)
	}
	if len(removed) == 0 {
		r.skip("s3:PutBucketAcl", arn, "the bucket ACL grants nothing to AllUsers or AuthenticatedUsers")
		return nil
	}
	if acl.Owner == nil || aws.ToString(acl.Owner.ID) == "" {
		return fmt.Errorf("s3:GetBucketAcl %s: the ACL has no owner id, so it cannot be written back", arn)
	}
	detail := fmt.Sprintf("remove grants %s; keep %d other grants", strings.Join(removed, ", "), len(keep))
	return r.write("s3:PutBucketAcl", arn, detail, func(ctx context.Context) error {
		_, err := r.clients.S3.PutBucketAcl(ctx, &s3.PutBucketAclInput{
			Bucket:              &bucket,
			AccessControlPolicy: &s3types.AccessControlPolicy{Owner: acl.Owner, Grants: keep},
		})
		return err
	})
}
