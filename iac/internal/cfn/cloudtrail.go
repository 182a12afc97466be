package cfn

import (
	"github.com/guardrails-go/guardrails/iac/internal/ci"
)

func init() {
	mappings["AWS::CloudTrail::Trail"] = mapping{"AWS::CloudTrail::Trail", cloudTrail}
}

func cloudTrail(c *conv, r *res) *ci.Builder {
	p := r.props
	b := ci.NewBuilder("", "")
	b.AZ = "Regional"
	name, err := c.t.name(r.Resource)
	if err != nil {
		r.errs.Add("TrailName", "%s", errMsg(err))
		return b
	}
	arn := c.t.arn("cloudtrail", true, "trail/", name)
	b.Config["name"] = name
	b.Config["trailARN"] = arn
	b.ARN = arn
	bucket, ok := p.String("S3BucketName")
	if !ok {
		p.Fail("S3BucketName", "is required")
	}
	b.Config["s3BucketName"] = c.refTo("AWS::S3::Bucket", bucket)
	b.Config["s3KeyPrefix"] = p.StringOr("S3KeyPrefix", nil)
	b.Config["includeGlobalServiceEvents"] = p.BoolOr("IncludeGlobalServiceEvents", true)
	b.Config["isMultiRegionTrail"] = p.BoolOr("IsMultiRegionTrail", false)
	b.Config["isOrganizationTrail"] = p.BoolOr("IsOrganizationTrail", false)
	b.Config["homeRegion"] = c.region()
	b.Config["logFileValidationEnabled"] = p.BoolOr("EnableLogFileValidation", false)
	b.Config["cloudWatchLogsLogGroupArn"] = p.StringOr("CloudWatchLogsLogGroupArn", nil)
	b.Config["cloudWatchLogsRoleArn"] = p.StringOr("CloudWatchLogsRoleArn", nil)
	b.Config["kmsKeyId"] = p.StringOr("KMSKeyId", nil)
	if topic, ok := p.String("SnsTopicName"); ok {
		b.Config["snsTopicName"] = topic
	}
	b.Config["hasCustomEventSelectors"] = p.Has("EventSelectors") || p.Has("AdvancedEventSelectors")
	b.Config["hasInsightSelectors"] = p.Has("InsightSelectors")
	tags(r, b)
	tagList := make([]any, 0, len(b.Tags))
	for _, k := range sortedKeys(b.Tags) {
		tagList = append(tagList, map[string]any{"key": k, "value": b.Tags[k]})
	}
	b.Supp["Tags"] = tagList
	return b
}
