package resource

import (
	"encoding/json"

	"github.com/guardrails-go/guardrails/evaluate"
)

// S3BucketType is the Config resource type of S3 buckets.
const S3BucketType = "AWS::S3::Bucket"

// S3Bucket is the view of an AWS::S3::Bucket item.
type S3Bucket struct {
	Name      string
	AccountID string
	Region    string
	// Encryption is the default encryption; nil when Config recorded none.
	Encryption *S3Encryption
	// Versioning is nil when Config recorded no versioning configuration.
	Versioning *S3Versioning
	// Logging is nil when Config recorded no logging configuration.
	Logging *S3Logging
	// PublicAccessBlock is the bucket-level block; nil when none is set.
	PublicAccessBlock *S3PublicAccessBlock
	// Policy is the bucket policy document as JSON text; "" when the bucket
	// has none. PolicyRecorded says whether Config recorded the policy at
	// all (a BucketPolicy key, even with a null policyText).
	Policy         string
	PolicyRecorded bool
	// ACL is the AccessControlList as Config records it, decoded from its
	// string; nil when not recorded.
	ACL json.RawMessage
	// OwnershipControls is the BucketOwnershipControls value as recorded;
	// nil when not recorded.
	OwnershipControls json.RawMessage
}

// S3Encryption is a bucket's default encryption.
type S3Encryption struct {
	Rules []S3EncryptionRule `json:"rules"`
}

// S3EncryptionRule is one rule of a default encryption configuration.
type S3EncryptionRule struct {
	Default *struct {
		SSEAlgorithm   string `json:"sseAlgorithm"`
		KMSMasterKeyID string `json:"kmsMasterKeyID"`
	} `json:"applyServerSideEncryptionByDefault"`
	BucketKeyEnabled Bool `json:"bucketKeyEnabled"`
}

// S3Versioning is a bucket's versioning configuration.
type S3Versioning struct {
	// Status is "Enabled", "Suspended" or "Off".
	Status string `json:"status"`
	// MFADelete is whether MFA delete is enabled; unset when null.
	MFADelete Bool `json:"isMfaDeleteEnabled"`
}

// S3Logging is a bucket's server access logging configuration.
type S3Logging struct {
	DestinationBucket string `json:"destinationBucketName"`
	Prefix            string `json:"logFilePrefix"`
}

// Enabled reports whether access logs are delivered somewhere.
func (l *S3Logging) Enabled() bool { return l != nil && l.DestinationBucket != "" }

// S3PublicAccessBlock is a public access block configuration, at bucket or
// account level.
type S3PublicAccessBlock struct {
	BlockPublicAcls       Bool `json:"blockPublicAcls"`
	IgnorePublicAcls      Bool `json:"ignorePublicAcls"`
	BlockPublicPolicy     Bool `json:"blockPublicPolicy"`
	RestrictPublicBuckets Bool `json:"restrictPublicBuckets"`
}

var s3Buckets = evaluate.NewModel(S3BucketType, DecodeS3Bucket)

// S3BucketOf returns the view of the input's bucket, decoded once per item.
func S3BucketOf(in *evaluate.Input) (*S3Bucket, error) { return s3Buckets.Of(in) }

// DecodeS3Bucket decodes an AWS::S3::Bucket item.
func DecodeS3Bucket(ci *evaluate.ConfigurationItem) (*S3Bucket, error) {
	var conf struct {
		Name string `json:"name"`
	}
	if err := decodeConfiguration(ci, &conf); err != nil {
		return nil, err
	}
	b := &S3Bucket{Name: conf.Name, AccountID: ci.AccountID, Region: ci.Region}
	if b.Name == "" {
		b.Name = ci.ResourceName
	}
	if b.Name == "" {
		b.Name = ci.ResourceID
	}
	var enc S3Encryption
	if ok, err := decodeSupplementary(ci, "ServerSideEncryptionConfiguration", &enc); err != nil {
		return nil, err
	} else if ok && len(enc.Rules) > 0 {
		b.Encryption = &enc
	}
	var ver S3Versioning
	if ok, err := decodeSupplementary(ci, "BucketVersioningConfiguration", &ver); err != nil {
		return nil, err
	} else if ok {
		b.Versioning = &ver
	}
	var lg S3Logging
	if ok, err := decodeSupplementary(ci, "BucketLoggingConfiguration", &lg); err != nil {
		return nil, err
	} else if ok {
		b.Logging = &lg
	}
	var pab S3PublicAccessBlock
	if ok, err := decodeSupplementary(ci, "PublicAccessBlockConfiguration", &pab); err != nil {
		return nil, err
	} else if ok {
		b.PublicAccessBlock = &pab
	}
	var pol struct {
		PolicyText json.RawMessage `json:"policyText"`
	}
	if raw, ok := ci.SupplementaryConfiguration["BucketPolicy"]; ok {
		b.PolicyRecorded = true
		if err := decodeField("supplementaryConfiguration.BucketPolicy", raw, &pol); err != nil {
			return nil, err
		}
		text, err := jsonText(pol.PolicyText)
		if err != nil {
			return nil, decodeField("supplementaryConfiguration.BucketPolicy.policyText", pol.PolicyText, new(string))
		}
		b.Policy = text
	}
	if raw, ok := ci.SupplementaryConfiguration["AccessControlList"]; ok && string(raw) != "null" {
		b.ACL = raw
	}
	if raw, ok := ci.SupplementaryConfiguration["BucketOwnershipControls"]; ok && string(raw) != "null" {
		b.OwnershipControls = raw
	}
	return b, nil
}

// RelatedS3Bucket decodes a bucket found through the input's lookup (a
// trail's bucket), once per lookup.
func RelatedS3Bucket(in *evaluate.Input, ci *evaluate.ConfigurationItem) (*S3Bucket, error) {
	return s3Buckets.Related(in, ci)
}
