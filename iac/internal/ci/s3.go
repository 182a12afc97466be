package ci

import (
	"strings"

	"github.com/guardrails-go/guardrails/iac/internal/value"
)

// S3 bucket supplementary configuration as Config records it. The key names
// and casings follow the Config resource schema for AWS::S3::Bucket and the
// real items in aws-config-rdk and cloud-custodian; AccessControlList and
// BucketPolicy.policyText are JSON strings (Doc).

// BucketOwner is the canonical user id of the bucket owner: unknown until
// the bucket exists in an account.
var BucketOwner = value.NewUnknown("canonical user id of the bucket owner")

// BucketDefaults returns the supplementary configuration of a general
// purpose bucket created today with nothing configured: S3 applies SSE-S3
// default encryption (since January 2023), turns Block Public Access on and
// disables ACLs with BucketOwnerEnforced (since April 2023); versioning is
// off, logging, policy and acceleration unset. The values are shared
// between buckets: mappings replace a key, never change a value in place.
func BucketDefaults(name any) map[string]any {
	return map[string]any{
		"AccessControlList":                 defaultACL,
		"BucketAccelerateConfiguration":     defaultAccelerate,
		"BucketLoggingConfiguration":        defaultLogging,
		"BucketNotificationConfiguration":   defaultNotification,
		"BucketPolicy":                      defaultPolicy,
		"BucketVersioningConfiguration":     defaultVersioning,
		"IsRequesterPaysEnabled":            false,
		"PublicAccessBlockConfiguration":    defaultPublicAccessBlock,
		"ServerSideEncryptionConfiguration": defaultEncryption,
		"BucketOwnershipControls":           Ownership(name, "BucketOwnerEnforced"),
	}
}

var (
	defaultACL               = CannedACL("private")
	defaultAccelerate        = map[string]any{"status": nil}
	defaultLogging           = map[string]any{"destinationBucketName": nil, "logFilePrefix": nil}
	defaultNotification      = map[string]any{"configurations": map[string]any{}}
	defaultPolicy            = map[string]any{"policyText": nil}
	defaultVersioning        = map[string]any{"status": "Off", "isMfaDeleteEnabled": nil}
	defaultPublicAccessBlock = PublicAccessBlock(true, true, true, true)
	defaultEncryption        = map[string]any{"rules": []any{SSERule("AES256", nil, false)}}
)

// SSERule is one rule of ServerSideEncryptionConfiguration.
func SSERule(algorithm, kmsKeyID, bucketKeyEnabled any) map[string]any {
	return map[string]any{
		"applyServerSideEncryptionByDefault": map[string]any{
			"sseAlgorithm":   algorithm,
			"kmsMasterKeyID": kmsKeyID,
		},
		"bucketKeyEnabled": bucketKeyEnabled,
	}
}

// PublicAccessBlock is a PublicAccessBlockConfiguration (bucket
// supplementary, or the configuration of AWS::S3::AccountPublicAccessBlock).
func PublicAccessBlock(blockPublicAcls, ignorePublicAcls, blockPublicPolicy, restrictPublicBuckets any) map[string]any {
	return map[string]any{
		"blockPublicAcls":       blockPublicAcls,
		"ignorePublicAcls":      ignorePublicAcls,
		"blockPublicPolicy":     blockPublicPolicy,
		"restrictPublicBuckets": restrictPublicBuckets,
	}
}

// Versioning is a BucketVersioningConfiguration: status is "Enabled",
// "Suspended" or "Off".
func Versioning(status, mfaDelete any) map[string]any {
	return map[string]any{"status": status, "isMfaDeleteEnabled": mfaDelete}
}

// Logging is a BucketLoggingConfiguration.
func Logging(bucket, prefix any) map[string]any {
	return map[string]any{"destinationBucketName": bucket, "logFilePrefix": prefix}
}

// Ownership is BucketOwnershipControls with one rule.
func Ownership(bucket, ownership any) map[string]any {
	return map[string]any{
		"bucketName": bucket,
		"ownershipControls": map[string]any{
			"rules": []any{map[string]any{"ownership": ownership}},
		},
	}
}

// BucketPolicy is the BucketPolicy supplementary with its document.
func BucketPolicy(doc any) map[string]any {
	if doc == nil {
		return map[string]any{"policyText": nil}
	}
	if s, ok := doc.(string); ok {
		return map[string]any{"policyText": s}
	}
	if u, ok := doc.(value.Unknown); ok {
		return map[string]any{"policyText": u.Typed()}
	}
	return map[string]any{"policyText": Doc{Value: doc}}
}

// Grant is one entry of an ACL's grantList. grantee is a group name
// (AllUsers, AuthenticatedUsers, LogDelivery) or a canonical user id.
func Grant(grantee any, group bool, permission string) map[string]any {
	if group {
		return map[string]any{"grantee": grantee, "permission": permission}
	}
	return map[string]any{"grantee": map[string]any{"id": grantee, "displayName": nil}, "permission": permission}
}

// ACL is the AccessControlList supplementary (a JSON string) with grants.
func ACL(grants []any) Doc {
	return Doc{Value: map[string]any{
		"grantSet":           nil,
		"grantList":          grants,
		"owner":              map[string]any{"displayName": nil, "id": BucketOwner},
		"isRequesterCharged": false,
	}}
}

// CannedACL returns the ACL a canned ACL sets on a bucket; name is the S3
// header value ("public-read") or the CloudFormation enum ("PublicRead").
// An unknown name gives nil.
func CannedACL(name string) any {
	owner := Grant(BucketOwner, false, "FullControl")
	switch normalizeCanned(name) {
	case "private", "bucketownerread", "bucketownerfullcontrol":
		return ACL([]any{owner})
	case "publicread":
		return ACL([]any{owner, Grant("AllUsers", true, "Read")})
	case "publicreadwrite":
		return ACL([]any{owner, Grant("AllUsers", true, "Read"), Grant("AllUsers", true, "Write")})
	case "authenticatedread":
		return ACL([]any{owner, Grant("AuthenticatedUsers", true, "Read")})
	case "logdeliverywrite":
		return ACL([]any{owner, Grant("LogDelivery", true, "Write"), Grant("LogDelivery", true, "ReadAcp")})
	case "awsexecread":
		return ACL([]any{owner, Grant(value.NewUnknown("canonical user id of Amazon EC2"), false, "Read")})
	}
	return nil
}

func normalizeCanned(name string) string {
	return strings.ToLower(strings.ReplaceAll(name, "-", ""))
}

// Permission maps an S3 permission (READ, WRITE_ACP, ...) to Config's name.
func Permission(p string) (string, bool) {
	switch strings.ToUpper(p) {
	case "FULL_CONTROL":
		return "FullControl", true
	case "READ":
		return "Read", true
	case "WRITE":
		return "Write", true
	case "READ_ACP":
		return "ReadAcp", true
	case "WRITE_ACP":
		return "WriteAcp", true
	}
	return "", false
}

// GroupURI maps an S3 group grantee URI to Config's group name.
func GroupURI(uri string) (string, bool) {
	switch {
	case strings.HasSuffix(uri, "/global/AllUsers"):
		return "AllUsers", true
	case strings.HasSuffix(uri, "/global/AuthenticatedUsers"):
		return "AuthenticatedUsers", true
	case strings.HasSuffix(uri, "/s3/LogDelivery"):
		return "LogDelivery", true
	}
	return "", false
}
