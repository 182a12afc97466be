package tfplan

import (
	"github.com/guardrails-go/guardrails/iac/internal/ci"
	"github.com/guardrails-go/guardrails/iac/internal/value"
)

func init() {
	mappings["aws_cloudtrail"] = mapping{"AWS::CloudTrail::Trail", cloudTrail}
}

func cloudTrail(c *conv, r *res) *ci.Builder {
	v := r.v
	b := ci.NewBuilder("", "")
	b.AZ = "Regional"
	name := v.StringOr("name", value.ResourceID(r.Address, r.Address+".name"))
	arn := value.Concat("arn:", c.partition(), ":cloudtrail:", c.regionOf(r), ":", c.account(), ":trail/", name)
	b.Config["name"] = name
	b.Config["trailARN"] = arn
	b.ARN = arn
	bucket, _ := v.String("s3_bucket_name")
	bucket = c.refTo(r, []string{"s3_bucket_name"}, bucket, "aws_s3_bucket", "bucket")
	if bucket == nil {
		v.Fail("s3_bucket_name", "is required")
	}
	b.Config["s3BucketName"] = bucket
	b.Config["s3KeyPrefix"] = emptyAsNil(v.StringOr("s3_key_prefix", nil))
	b.Config["includeGlobalServiceEvents"] = v.BoolOr("include_global_service_events", true)
	b.Config["isMultiRegionTrail"] = v.BoolOr("is_multi_region_trail", false)
	b.Config["isOrganizationTrail"] = v.BoolOr("is_organization_trail", false)
	b.Config["homeRegion"] = homeRegion(c, r)
	b.Config["logFileValidationEnabled"] = v.BoolOr("enable_log_file_validation", false)
	b.Config["cloudWatchLogsLogGroupArn"] = emptyAsNil(v.StringOr("cloud_watch_logs_group_arn", nil))
	b.Config["cloudWatchLogsRoleArn"] = emptyAsNil(v.StringOr("cloud_watch_logs_role_arn", nil))
	b.Config["kmsKeyId"] = emptyAsNil(v.StringOr("kms_key_id", nil))
	if s := v.StringOr("sns_topic_name", ""); s != "" {
		b.Config["snsTopicName"] = s
	}
	b.Config["hasCustomEventSelectors"] = nonEmpty(v, "event_selector") || nonEmpty(v, "advanced_event_selector")
	b.Config["hasInsightSelectors"] = nonEmpty(v, "insight_selector")
	tags(r, b)
	b.Supp["Tags"] = ci.KeyValueTags(b.Tags)
	return b
}

func homeRegion(c *conv, r *res) any {
	if s := c.region(r.Instance); s != "" {
		return s
	}
	return value.NewUnknown("region")
}

// nonEmpty reports whether a block list attribute has a block (or may).
func nonEmpty(v *value.Obj, attr string) bool {
	raw, ok := v.Raw(attr)
	if !ok {
		return false
	}
	if l, isList := raw.([]any); isList {
		return len(l) > 0
	}
	return true
}
