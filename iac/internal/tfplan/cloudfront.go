package tfplan

import (
	"github.com/guardrails-go/guardrails/iac/internal/ci"
	"github.com/guardrails-go/guardrails/iac/internal/value"
)

func init() {
	mappings["aws_cloudfront_distribution"] = mapping{"AWS::CloudFront::Distribution", cloudFrontDistribution}
}

func strList(o *value.Obj, attr string) []any {
	l, ok := o.Strings(attr)
	if !ok {
		return nil
	}
	return listOf(l)
}

func cacheBehavior(o *value.Obj) map[string]any {
	m := map[string]any{
		"targetOriginId":         o.StringOr("target_origin_id", nil),
		"viewerProtocolPolicy":   o.StringOr("viewer_protocol_policy", nil),
		"allowedMethods":         ci.Quantity(strList(o, "allowed_methods"), "cachedMethods", ci.Quantity(strList(o, "cached_methods"))),
		"compress":               o.BoolOr("compress", false),
		"smoothStreaming":        o.BoolOr("smooth_streaming", false),
		"fieldLevelEncryptionId": o.StringOr("field_level_encryption_id", ""),
	}
	for _, k := range []struct{ from, to string }{
		{"cache_policy_id", "cachePolicyId"}, {"origin_request_policy_id", "originRequestPolicyId"},
		{"response_headers_policy_id", "responseHeadersPolicyId"}, {"realtime_log_config_arn", "realtimeLogConfigArn"},
		{"path_pattern", "pathPattern"},
	} {
		if s := o.StringOr(k.from, ""); s != "" {
			m[k.to] = s
		}
	}
	for _, k := range []struct{ from, to string }{{"default_ttl", "defaultTTL"}, {"min_ttl", "minTTL"}, {"max_ttl", "maxTTL"}} {
		if n, ok := o.Int(k.from); ok {
			m[k.to] = n
		}
	}
	var lambdas []any
	if list, ok := o.Objs("lambda_function_association"); ok {
		for _, l := range list {
			lambdas = append(lambdas, map[string]any{
				"eventType":         l.StringOr("event_type", nil),
				"lambdaFunctionARN": l.StringOr("lambda_arn", nil),
				"includeBody":       l.BoolOr("include_body", false),
			})
		}
	}
	m["lambdaFunctionAssociations"] = ci.Quantity(lambdas)
	var functions []any
	if list, ok := o.Objs("function_association"); ok {
		for _, f := range list {
			functions = append(functions, map[string]any{
				"eventType":   f.StringOr("event_type", nil),
				"functionARN": f.StringOr("function_arn", nil),
			})
		}
	}
	m["functionAssociations"] = ci.Quantity(functions)
	return m
}

func cloudFrontDistribution(c *conv, r *res) *ci.Builder {
	v := r.v
	b := ci.NewBuilder("", "")
	b.AZ = "Not Applicable"
	b.Region = "global"
	id := value.NewUnknown(r.Address + ".id")
	arn := value.Concat("arn:", c.partition(), ":cloudfront::", c.account(), ":distribution/", id)
	b.ARN = arn
	b.Config["id"] = r.Address
	b.Config["arn"] = arn
	b.Config["domainName"] = value.NewUnknown(r.Address + ".domain_name")
	d := map[string]any{
		"enabled":           v.BoolOr("enabled", nil),
		"comment":           v.StringOr("comment", ""),
		"defaultRootObject": v.StringOr("default_root_object", ""),
		"priceClass":        v.StringOr("price_class", "PriceClass_All"),
		"httpVersion":       v.StringOr("http_version", "http2"),
		"isIPV6Enabled":     v.BoolOr("is_ipv6_enabled", false),
		"webACLId":          v.StringOr("web_acl_id", ""),
		"aliases":           ci.Quantity(strList(v, "aliases")),
	}
	logging := map[string]any{"enabled": false, "bucket": "", "prefix": "", "includeCookies": false}
	if l, ok := v.Block("logging_config"); ok {
		logging = map[string]any{
			"enabled":        true,
			"bucket":         l.StringOr("bucket", nil),
			"prefix":         l.StringOr("prefix", ""),
			"includeCookies": l.BoolOr("include_cookies", false),
		}
	}
	d["logging"] = logging
	var origins []any
	if list, ok := v.Objs("origin"); ok {
		for _, o := range list {
			om := map[string]any{
				"id":                 o.StringOr("origin_id", nil),
				"domainName":         o.StringOr("domain_name", nil),
				"originPath":         o.StringOr("origin_path", ""),
				"connectionAttempts": o.IntOr("connection_attempts", ci.Int(3)),
				"connectionTimeout":  o.IntOr("connection_timeout", ci.Int(10)),
				"customHeaders":      ci.Quantity(nil),
			}
			if s := o.StringOr("origin_access_control_id", ""); s != "" {
				om["originAccessControlId"] = s
			}
			if s3, ok := o.Block("s3_origin_config"); ok {
				om["s3OriginConfig"] = map[string]any{"originAccessIdentity": s3.StringOr("origin_access_identity", "")}
			}
			if co, ok := o.Block("custom_origin_config"); ok {
				om["customOriginConfig"] = map[string]any{
					"httpPort":               co.IntOr("http_port", ci.Int(80)),
					"httpsPort":              co.IntOr("https_port", ci.Int(443)),
					"originProtocolPolicy":   co.StringOr("origin_protocol_policy", nil),
					"originReadTimeout":      co.IntOr("origin_read_timeout", ci.Int(30)),
					"originKeepaliveTimeout": co.IntOr("origin_keepalive_timeout", ci.Int(5)),
					"originSslProtocols":     ci.Quantity(strList(co, "origin_ssl_protocols")),
				}
			}
			origins = append(origins, om)
		}
	}
	d["origins"] = ci.Quantity(origins)
	if dcb, ok := v.Block("default_cache_behavior"); ok {
		d["defaultCacheBehavior"] = cacheBehavior(dcb)
	}
	var behaviors []any
	if list, ok := v.Objs("ordered_cache_behavior"); ok {
		for _, cb := range list {
			behaviors = append(behaviors, cacheBehavior(cb))
		}
	}
	d["cacheBehaviors"] = ci.Quantity(behaviors)
	vc := map[string]any{"cloudFrontDefaultCertificate": true, "minimumProtocolVersion": "TLSv1", "certificateSource": "cloudfront"}
	if cert, ok := v.Block("viewer_certificate"); ok {
		vc = map[string]any{"minimumProtocolVersion": cert.StringOr("minimum_protocol_version", "TLSv1")}
		switch {
		case cert.StringOr("acm_certificate_arn", "") != "":
			vc["acmCertificateArn"] = cert.StringOr("acm_certificate_arn", nil)
			vc["certificateSource"] = "acm"
			vc["sslSupportMethod"] = cert.StringOr("ssl_support_method", nil)
			vc["cloudFrontDefaultCertificate"] = false
		case cert.StringOr("iam_certificate_id", "") != "":
			vc["iamCertificateId"] = cert.StringOr("iam_certificate_id", nil)
			vc["certificateSource"] = "iam"
			vc["sslSupportMethod"] = cert.StringOr("ssl_support_method", nil)
			vc["cloudFrontDefaultCertificate"] = false
		default:
			vc["cloudFrontDefaultCertificate"] = cert.BoolOr("cloudfront_default_certificate", true)
			vc["certificateSource"] = "cloudfront"
		}
	}
	d["viewerCertificate"] = vc
	geo := map[string]any{"restrictionType": "none", "quantity": ci.Int(0)}
	if rs, ok := v.Block("restrictions"); ok {
		if g, ok := rs.Block("geo_restriction"); ok {
			geo = ci.Quantity(strList(g, "locations"))
			geo["restrictionType"] = g.StringOr("restriction_type", "none")
		}
	}
	d["restrictions"] = map[string]any{"geoRestriction": geo}
	d["originGroups"] = ci.Quantity(nil)
	d["customErrorResponses"] = ci.Quantity(nil)
	b.Config["distributionConfig"] = d
	tags(r, b)
	return b
}
