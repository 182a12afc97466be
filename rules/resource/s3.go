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
	// ARN is the item's ARN ("arn:aws:s3:::name", or another partition's);
	// "" when not recorded.
	ARN string
	// Owner is the canonical user id of the bucket's owner
	// (configuration.owner.id); "" when not recorded.
	Owner string
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
	// ObjectOwnership is the Object Ownership setting of the bucket's
	// ownership controls: "BucketOwnerEnforced" (ACLs disabled),
	// "BucketOwnerPreferred" or "ObjectWriter"; "" when the bucket has no
	// ownership controls or Config recorded none (OwnershipRecorded).
	ObjectOwnership   string
	OwnershipRecorded bool
}

// ACLsDisabled reports whether the bucket's ownership controls disable
// ACLs (BucketOwnerEnforced): its ACL then grants nothing.
func (b *S3Bucket) ACLsDisabled() bool { return b.ObjectOwnership == "BucketOwnerEnforced" }

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
		Name  string `json:"name"`
		Owner *struct {
			ID string `json:"id"`
		} `json:"owner"`
	}
	if err := decodeConfiguration(ci, &conf); err != nil {
		return nil, err
	}
	b := &S3Bucket{Name: conf.Name, AccountID: ci.AccountID, Region: ci.Region, ARN: ci.ARN}
	if conf.Owner != nil {
		b.Owner = conf.Owner.ID
	}
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
	var own s3OwnershipControls
	if ok, err := decodeSupplementary(ci, "BucketOwnershipControls", &own); err != nil {
		return nil, err
	} else if ok {
		b.OwnershipRecorded = true
		b.ObjectOwnership = own.objectOwnership()
	}
	return b, nil
}

// s3OwnershipControls reads BucketOwnershipControls. Config records the
// AWS SDK for Java's request object, {"bucketName", "ownershipControls":
// {"rules": [{...}]}}, whose rule member is the field objectOwnership or,
// serialized through its getter, ownership; the S3 API's
// {"OwnershipControls": {"Rules": [{"ObjectOwnership"}]}} and a bare
// {"rules": [...]} are read too (member names match without regard to
// case).
type s3OwnershipControls struct {
	OwnershipControls *struct {
		Rules []s3OwnershipRule `json:"rules"`
	} `json:"ownershipControls"`
	Rules []s3OwnershipRule `json:"rules"`
}

type s3OwnershipRule struct {
	ObjectOwnership string `json:"objectOwnership"`
	Ownership       string `json:"ownership"`
}

func (o *s3OwnershipControls) objectOwnership() string {
	rules := o.Rules
	if o.OwnershipControls != nil {
		rules = o.OwnershipControls.Rules
	}
	for _, r := range rules {
		if r.ObjectOwnership != "" {
			return r.ObjectOwnership
		}
		if r.Ownership != "" {
			return r.Ownership
		}
	}
	return ""
}
