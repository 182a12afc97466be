package cfn

import (
	"github.com/guardrails-go/guardrails/iac/internal/ci"
	"github.com/guardrails-go/guardrails/iac/internal/value"
)

func init() {
	mappings["AWS::CloudFront::Distribution"] = mapping{"AWS::CloudFront::Distribution", cloudFrontDistribution}
}

func strs(o *value.Obj, key string) []any {
	v, ok := o.Strings(key)
	if !ok {
		return nil
	}
	if l, isList := v.([]any); isList {
		return l
	}
	return []any{v}
}

func cacheBehavior(o *value.Obj) map[string]any {
	methods := strs(o, "AllowedMethods")
	if methods == nil {
		methods = []any{"HEAD", "GET"}
	}
	cached := strs(o, "CachedMethods")
	if cached == nil {
		cached = []any{"HEAD", "GET"}
	}
	m := map[string]any{
		"targetOriginId":         o.StringOr("TargetOriginId", nil),
		"viewerProtocolPolicy":   o.StringOr("ViewerProtocolPolicy", nil),
		"allowedMethods":         ci.Quantity(methods, "cachedMethods", ci.Quantity(cached)),
		"compress":               o.BoolOr("Compress", false),
		"smoothStreaming":        o.BoolOr("SmoothStreaming", false),
		"fieldLevelEncryptionId": o.StringOr("FieldLevelEncryptionId", ""),
	}
	for _, k := range []struct{ from, to string }{
		{"CachePolicyId", "cachePolicyId"}, {"OriginRequestPolicyId", "originRequestPolicyId"},
		{"ResponseHeadersPolicyId", "responseHeadersPolicyId"}, {"RealtimeLogConfigArn", "realtimeLogConfigArn"},
		{"PathPattern", "pathPattern"},
	} {
		if v, ok := o.String(k.from); ok {
			m[k.to] = v
		}
	}
	for _, k := range []struct{ from, to string }{{"DefaultTTL", "defaultTTL"}, {"MinTTL", "minTTL"}, {"MaxTTL", "maxTTL"}} {
		if v, ok := o.Int(k.from); ok {
			m[k.to] = v
		}
	}
	var lambdas []any
	if list, ok := o.Objs("LambdaFunctionAssociations"); ok {
		for _, l := range list {
			lambdas = append(lambdas, map[string]any{
				"eventType":         l.StringOr("EventType", nil),
				"lambdaFunctionARN": l.StringOr("LambdaFunctionARN", nil),
				"includeBody":       l.BoolOr("IncludeBody", false),
			})
		}
	}
	m["lambdaFunctionAssociations"] = ci.Quantity(lambdas)
	var functions []any
	if list, ok := o.Objs("FunctionAssociations"); ok {
		for _, f := range list {
			functions = append(functions, map[string]any{
				"eventType":   f.StringOr("EventType", nil),
				"functionARN": f.StringOr("FunctionARN", nil),
			})
		}
	}
	m["functionAssociations"] = ci.Quantity(functions)
	return m
}

func cloudFrontDistribution(c *conv, r *res) *ci.Builder {
	b := ci.NewBuilder("", "")
	b.AZ = "Not Applicable"
	b.Region = "global"
	dc, ok := r.props.Obj("DistributionConfig")
	if !ok {
		r.props.Fail("DistributionConfig", "is required")
		return b
	}
	id := value.ResourceID(r.LogicalID, r.LogicalID+".Id")
	arn := value.Concat("arn:", c.partition(), ":cloudfront::", c.account(), ":distribution/", id)
	b.ARN = arn
	b.Config["id"] = r.LogicalID
	b.Config["arn"] = arn
	b.Config["domainName"] = value.NewUnknown(r.LogicalID + ".DomainName")

	d := map[string]any{
		"enabled":           dc.BoolOr("Enabled", nil),
		"comment":           dc.StringOr("Comment", ""),
		"defaultRootObject": dc.StringOr("DefaultRootObject", ""),
		"priceClass":        dc.StringOr("PriceClass", "PriceClass_All"),
		"httpVersion":       dc.StringOr("HttpVersion", "http1.1"),
		"isIPV6Enabled":     dc.BoolOr("IPV6Enabled", false),
		"webACLId":          dc.StringOr("WebACLId", ""),
		"aliases":           ci.Quantity(strs(dc, "Aliases")),
	}
	logging := map[string]any{"enabled": false, "bucket": "", "prefix": "", "includeCookies": false}
	if l, ok := dc.Obj("Logging"); ok {
		logging = map[string]any{
			"enabled":        true,
			"bucket":         l.StringOr("Bucket", nil),
			"prefix":         l.StringOr("Prefix", ""),
			"includeCookies": l.BoolOr("IncludeCookies", false),
		}
	}
	d["logging"] = logging

	var origins []any
	if list, ok := dc.Objs("Origins"); ok {
		for _, o := range list {
			om := map[string]any{
				"id":                 o.StringOr("Id", nil),
				"domainName":         o.StringOr("DomainName", nil),
				"originPath":         o.StringOr("OriginPath", ""),
				"connectionAttempts": o.IntOr("ConnectionAttempts", ci.Int(3)),
				"connectionTimeout":  o.IntOr("ConnectionTimeout", ci.Int(10)),
				"customHeaders":      ci.Quantity(nil),
			}
			if v, ok := o.String("OriginAccessControlId"); ok {
				om["originAccessControlId"] = v
			}
			if s3, ok := o.Obj("S3OriginConfig"); ok {
				om["s3OriginConfig"] = map[string]any{"originAccessIdentity": s3.StringOr("OriginAccessIdentity", "")}
			}
			if co, ok := o.Obj("CustomOriginConfig"); ok {
				protocols := strs(co, "OriginSSLProtocols")
				var sslProtocols any
				if protocols != nil {
					sslProtocols = ci.Quantity(protocols)
				} else {
					sslProtocols = value.NewUnknown("CloudFront's default origin SSL protocols").Typed()
				}
				om["customOriginConfig"] = map[string]any{
					"httpPort":               co.IntOr("HTTPPort", ci.Int(80)),
					"httpsPort":              co.IntOr("HTTPSPort", ci.Int(443)),
					"originProtocolPolicy":   co.StringOr("OriginProtocolPolicy", nil),
					"originReadTimeout":      co.IntOr("OriginReadTimeout", ci.Int(30)),
					"originKeepaliveTimeout": co.IntOr("OriginKeepaliveTimeout", ci.Int(5)),
					"originSslProtocols":     sslProtocols,
				}
			}
			origins = append(origins, om)
		}
	}
	d["origins"] = ci.Quantity(origins)
	if dcb, ok := dc.Obj("DefaultCacheBehavior"); ok {
		d["defaultCacheBehavior"] = cacheBehavior(dcb)
	}
	var behaviors []any
	if list, ok := dc.Objs("CacheBehaviors"); ok {
		for _, cb := range list {
			behaviors = append(behaviors, cacheBehavior(cb))
		}
	}
	d["cacheBehaviors"] = ci.Quantity(behaviors)
	vc := map[string]any{"cloudFrontDefaultCertificate": true, "minimumProtocolVersion": "TLSv1", "certificateSource": "cloudfront"}
	if v, ok := dc.Obj("ViewerCertificate"); ok {
		vc = map[string]any{"minimumProtocolVersion": v.StringOr("MinimumProtocolVersion", "TLSv1")}
		switch {
		case v.Has("AcmCertificateArn"):
			vc["acmCertificateArn"], _ = v.String("AcmCertificateArn")
			vc["certificateSource"] = "acm"
			vc["sslSupportMethod"] = v.StringOr("SslSupportMethod", nil)
			vc["cloudFrontDefaultCertificate"] = false
		case v.Has("IamCertificateId"):
			vc["iamCertificateId"], _ = v.String("IamCertificateId")
			vc["certificateSource"] = "iam"
			vc["sslSupportMethod"] = v.StringOr("SslSupportMethod", nil)
			vc["cloudFrontDefaultCertificate"] = false
		default:
			vc["cloudFrontDefaultCertificate"] = v.BoolOr("CloudFrontDefaultCertificate", true)
			vc["certificateSource"] = "cloudfront"
		}
	}
	d["viewerCertificate"] = vc
	geo := map[string]any{"restrictionType": "none", "quantity": ci.Int(0)}
	if rs, ok := dc.Obj("Restrictions"); ok {
		if g, ok := rs.Obj("GeoRestriction"); ok {
			locs := strs(g, "Locations")
			geo = ci.Quantity(locs)
			geo["restrictionType"] = g.StringOr("RestrictionType", "none")
		}
	}
	d["restrictions"] = map[string]any{"geoRestriction": geo}
	d["originGroups"] = ci.Quantity(nil)
	d["customErrorResponses"] = ci.Quantity(nil)
	b.Config["distributionConfig"] = d
	tags(r, b)
	return b
}
