package policy

import (
	"fmt"
	"strings"
)

// PublicAccessBlock is an S3 Block Public Access configuration, of an
// account or of a bucket. A setting that is absent is false, as in S3.
//
// What each setting does, per the S3 API reference:
//
//   - BlockPublicAcls rejects requests that would set a public ACL (PUT
//     bucket/object ACL, PUT object and create bucket with a public ACL). It
//     does not affect ACLs already in place.
//   - IgnorePublicAcls makes S3 ignore every public ACL on the bucket and its
//     objects: existing public grants stop granting anything.
//   - BlockPublicPolicy rejects a PUT bucket policy that is public. It does
//     not affect the policy already in place.
//   - RestrictPublicBuckets, when the bucket's policy is public, restricts
//     access to AWS service principals and authorized users of the bucket
//     owner's account: the public (and cross-account) grants of the policy
//     stop working.
//
// So a public ACL is ineffective only under IgnorePublicAcls, and a public
// policy only under RestrictPublicBuckets ([PublicAccessBlock.BlocksPublicACLs],
// [PublicAccessBlock.BlocksPublicPolicy]); the Block settings only prevent
// new public grants.
type PublicAccessBlock struct {
	BlockPublicAcls       bool
	IgnorePublicAcls      bool
	BlockPublicPolicy     bool
	RestrictPublicBuckets bool
}

// Combine returns the settings in force when p and q both apply (an account's
// and a bucket's): S3 applies the most restrictive combination, so each
// setting is on when either has it on.
func (p PublicAccessBlock) Combine(q PublicAccessBlock) PublicAccessBlock {
	return PublicAccessBlock{
		BlockPublicAcls:       p.BlockPublicAcls || q.BlockPublicAcls,
		IgnorePublicAcls:      p.IgnorePublicAcls || q.IgnorePublicAcls,
		BlockPublicPolicy:     p.BlockPublicPolicy || q.BlockPublicPolicy,
		RestrictPublicBuckets: p.RestrictPublicBuckets || q.RestrictPublicBuckets,
	}
}

// BlocksPublicACLs reports whether public ACL grants are ineffective now
// (IgnorePublicAcls). BlockPublicAcls alone leaves existing public grants in
// force.
func (p PublicAccessBlock) BlocksPublicACLs() bool { return p.IgnorePublicAcls }

// BlocksPublicPolicy reports whether a public bucket policy is ineffective for
// everyone outside the owner's account and AWS services now
// (RestrictPublicBuckets). BlockPublicPolicy alone leaves an existing public
// policy in force.
func (p PublicAccessBlock) BlocksPublicPolicy() bool { return p.RestrictPublicBuckets }

// All reports whether all four settings are on.
func (p PublicAccessBlock) All() bool {
	return p.BlockPublicAcls && p.IgnorePublicAcls && p.BlockPublicPolicy && p.RestrictPublicBuckets
}

// Off lists the names of the settings that are off, in the API's order.
func (p PublicAccessBlock) Off() []string {
	var out []string
	for _, s := range []struct {
		name string
		on   bool
	}{{"BlockPublicAcls", p.BlockPublicAcls}, {"IgnorePublicAcls", p.IgnorePublicAcls}, {"BlockPublicPolicy", p.BlockPublicPolicy}, {"RestrictPublicBuckets", p.RestrictPublicBuckets}} {
		if !s.on {
			out = append(out, s.name)
		}
	}
	return out
}

// ParsePublicAccessBlock decodes a Block Public Access configuration as AWS
// Config (configuration of AWS::S3::AccountPublicAccessBlock,
// supplementaryConfiguration.PublicAccessBlockConfiguration of a bucket),
// CloudTrail (requestParameters.PublicAccessBlockConfiguration, or the whole
// requestParameters) and the S3 API record it: an object with the four
// settings in either spelling (blockPublicAcls, BlockPublicAcls), possibly
// inside a PublicAccessBlockConfiguration member, possibly as a JSON string.
// Values may be JSON booleans or the strings "true" and "false". Other
// members (xmlns, bucketName) are ignored. JSON null is the zero
// configuration: nothing blocked.
func ParsePublicAccessBlock(data []byte) (PublicAccessBlock, error) {
	var p PublicAccessBlock
	if strings.TrimSpace(string(data)) == "null" {
		return p, nil
	}
	v, err := decodeLayers(string(data))
	if err != nil {
		return p, err
	}
	base := ""
	if v.kind == jsonObject {
		if inner := member(&v, "PublicAccessBlockConfiguration"); inner != nil {
			base = "PublicAccessBlockConfiguration"
			if inner.kind == jsonNull {
				return p, nil
			}
			v = *inner
			if v.kind == jsonString {
				if v, err = decodeLayers(v.text); err != nil {
					return p, err
				}
			}
		}
	}
	if v.kind != jsonObject {
		return p, errorAt(base, "must be an object, found "+v.kind.String())
	}
	for _, f := range []struct {
		name string
		dst  *bool
	}{
		{"BlockPublicAcls", &p.BlockPublicAcls},
		{"IgnorePublicAcls", &p.IgnorePublicAcls},
		{"BlockPublicPolicy", &p.BlockPublicPolicy},
		{"RestrictPublicBuckets", &p.RestrictPublicBuckets},
	} {
		m := member(&v, f.name)
		if m == nil || m.kind == jsonNull {
			continue
		}
		switch {
		case m.kind == jsonBool:
			*f.dst = m.text == "true"
		case m.kind == jsonString && strings.EqualFold(m.text, "true"):
			*f.dst = true
		case m.kind == jsonString && strings.EqualFold(m.text, "false"):
			*f.dst = false
		default:
			return p, errorAt(path(base, f.name), fmt.Sprintf("must be true or false, found %s", describeValue(m)))
		}
	}
	return p, nil
}

func describeValue(v *jsonValue) string {
	if v.kind == jsonString {
		return fmt.Sprintf("%q", v.text)
	}
	if v.kind == jsonNumber {
		return v.text
	}
	return v.kind.String()
}
