package resource

import (
	"errors"
	"regexp"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
)

// CloudFrontDistributionType is the Config resource type of CloudFront
// distributions.
const CloudFrontDistributionType = "AWS::CloudFront::Distribution"

// CloudFrontDistribution is the view of an AWS::CloudFront::Distribution
// item.
type CloudFrontDistribution struct {
	ID         string
	DomainName string
	Origins    []CloudFrontOrigin
	// DefaultCacheBehavior is nil when Config recorded none.
	DefaultCacheBehavior *CloudFrontCacheBehavior
	CacheBehaviors       []CloudFrontCacheBehavior
}

// CloudFrontOrigin is one origin of a distribution.
type CloudFrontOrigin struct {
	ID         string
	DomainName string
	// S3 is true for an origin of the S3 type (it has an s3OriginConfig).
	S3 bool
	// OriginAccessIdentity is s3OriginConfig.originAccessIdentity, such as
	// "origin-access-identity/cloudfront/E15MNIMTCFKK4C".
	OriginAccessIdentity string
	// OriginAccessControlID is the origin access control (OAC) in use.
	OriginAccessControlID string
}

// s3RESTEndpoint matches the REST endpoints of S3 buckets
// (bucket.s3.amazonaws.com, bucket.s3.eu-west-1.amazonaws.com,
// bucket.s3-eu-west-1.amazonaws.com, bucket.s3.dualstack...), not the
// website endpoints (bucket.s3-website-...), which serve only public
// objects.
var s3RESTEndpoint = regexp.MustCompile(`(?i)^[a-z0-9.\-]+\.s3([.\-](dualstack\.)?[a-z]{2}(-gov)?-[a-z]+-\d)?\.amazonaws\.com(\.cn)?$`)

// S3Bucket reports whether the origin is an S3 bucket reached through its
// REST endpoint: an origin of the S3 type, or a custom origin whose domain
// is a bucket's REST endpoint.
func (o *CloudFrontOrigin) S3Bucket() bool {
	return o.S3 || s3RESTEndpoint.MatchString(o.DomainName)
}

// Restricted reports whether the origin lets only CloudFront read the
// bucket, through an origin access identity or an origin access control.
func (o *CloudFrontOrigin) Restricted() bool {
	return o.OriginAccessIdentity != "" || o.OriginAccessControlID != ""
}

// CloudFrontCacheBehavior is the default or a path-specific cache
// behavior.
type CloudFrontCacheBehavior struct {
	// PathPattern is "" for the default cache behavior.
	PathPattern    string
	TargetOriginID string
	// ViewerProtocolPolicy is "allow-all", "https-only" or
	// "redirect-to-https".
	ViewerProtocolPolicy string
}

var cloudFrontDistributions = evaluate.NewModel(CloudFrontDistributionType, DecodeCloudFrontDistribution)

// CloudFrontDistributionOf returns the view of the input's distribution,
// decoded once per item.
func CloudFrontDistributionOf(in *evaluate.Input) (*CloudFrontDistribution, error) {
	return cloudFrontDistributions.Of(in)
}

type cloudFrontBehaviorConfig struct {
	PathPattern          string `json:"pathPattern"`
	TargetOriginID       string `json:"targetOriginId"`
	ViewerProtocolPolicy string `json:"viewerProtocolPolicy"`
}

// DecodeCloudFrontDistribution decodes an AWS::CloudFront::Distribution
// item.
func DecodeCloudFrontDistribution(ci *evaluate.ConfigurationItem) (*CloudFrontDistribution, error) {
	var conf struct {
		ID                 string `json:"id"`
		DomainName         string `json:"domainName"`
		DistributionConfig *struct {
			Origins *struct {
				Items []struct {
					ID             string `json:"id"`
					DomainName     string `json:"domainName"`
					S3OriginConfig *struct {
						OriginAccessIdentity string `json:"originAccessIdentity"`
					} `json:"s3OriginConfig"`
					OriginAccessControlID string `json:"originAccessControlId"`
				} `json:"items"`
			} `json:"origins"`
			DefaultCacheBehavior *cloudFrontBehaviorConfig `json:"defaultCacheBehavior"`
			CacheBehaviors       *struct {
				Items []cloudFrontBehaviorConfig `json:"items"`
			} `json:"cacheBehaviors"`
		} `json:"distributionConfig"`
	}
	if err := decodeConfiguration(ci, &conf); err != nil {
		return nil, err
	}
	if conf.DistributionConfig == nil {
		return nil, errors.New("configuration.distributionConfig: not recorded")
	}
	d := &CloudFrontDistribution{ID: nonEmptyOr(conf.ID, ci.ResourceID), DomainName: conf.DomainName}
	dc := conf.DistributionConfig
	if dc.Origins != nil {
		for _, o := range dc.Origins.Items {
			origin := CloudFrontOrigin{
				ID: o.ID, DomainName: strings.TrimSuffix(o.DomainName, "."),
				OriginAccessControlID: o.OriginAccessControlID,
			}
			if o.S3OriginConfig != nil {
				origin.S3 = true
				origin.OriginAccessIdentity = strings.TrimSpace(o.S3OriginConfig.OriginAccessIdentity)
			}
			d.Origins = append(d.Origins, origin)
		}
	}
	if b := dc.DefaultCacheBehavior; b != nil {
		d.DefaultCacheBehavior = &CloudFrontCacheBehavior{TargetOriginID: b.TargetOriginID, ViewerProtocolPolicy: b.ViewerProtocolPolicy}
	}
	if dc.CacheBehaviors != nil {
		for _, b := range dc.CacheBehaviors.Items {
			d.CacheBehaviors = append(d.CacheBehaviors, CloudFrontCacheBehavior{
				PathPattern: b.PathPattern, TargetOriginID: b.TargetOriginID, ViewerProtocolPolicy: b.ViewerProtocolPolicy,
			})
		}
	}
	return d, nil
}
