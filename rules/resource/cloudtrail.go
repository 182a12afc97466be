package resource

import (
	"github.com/guardrails-go/guardrails/evaluate"
)

// CloudTrailTrailType is the Config resource type of CloudTrail trails.
const CloudTrailTrailType = "AWS::CloudTrail::Trail"

// CloudTrailTrail is the view of an AWS::CloudTrail::Trail item: the
// trail as DescribeTrails returns it. Config records neither the trail's
// logging status nor its event selectors (only whether it has custom ones);
// rules read those as facts.
type CloudTrailTrail struct {
	Name      string
	ARN       string
	AccountID string
	// Region is where Config recorded the item; HomeRegion is where the
	// trail was created (they differ only for copies of multi-region
	// trails). HomeRegion falls back to Region when not recorded.
	Region     string
	HomeRegion string

	S3BucketName              string
	S3KeyPrefix               string
	SNSTopicARN               string
	CloudWatchLogsLogGroupARN string
	CloudWatchLogsRoleARN     string
	// KMSKeyID is the key that encrypts the log files; "" when the trail
	// uses S3's default encryption.
	KMSKeyID string

	IsMultiRegionTrail         Bool
	IncludeGlobalServiceEvents Bool
	LogFileValidationEnabled   Bool
	// HasCustomEventSelectors is false for a trail that logs every
	// management event, read and write, and no data events (the default
	// selector).
	HasCustomEventSelectors Bool
	HasInsightSelectors     Bool
	IsOrganizationTrail     Bool
}

var cloudTrailTrails = evaluate.NewModel(CloudTrailTrailType, DecodeCloudTrailTrail)

// CloudTrailTrailOf returns the view of the input's trail, decoded once per
// item.
func CloudTrailTrailOf(in *evaluate.Input) (*CloudTrailTrail, error) {
	return cloudTrailTrails.Of(in)
}

// DecodeCloudTrailTrail decodes an AWS::CloudTrail::Trail item.
func DecodeCloudTrailTrail(ci *evaluate.ConfigurationItem) (*CloudTrailTrail, error) {
	var conf struct {
		Name                       string `json:"name"`
		TrailARN                   string `json:"trailARN"`
		HomeRegion                 string `json:"homeRegion"`
		S3BucketName               string `json:"s3BucketName"`
		S3KeyPrefix                string `json:"s3KeyPrefix"`
		SNSTopicARN                string `json:"snsTopicARN"`
		CloudWatchLogsLogGroupArn  string `json:"cloudWatchLogsLogGroupArn"`
		CloudWatchLogsRoleArn      string `json:"cloudWatchLogsRoleArn"`
		KMSKeyID                   string `json:"kmsKeyId"`
		IsMultiRegionTrail         Bool   `json:"isMultiRegionTrail"`
		IncludeGlobalServiceEvents Bool   `json:"includeGlobalServiceEvents"`
		LogFileValidationEnabled   Bool   `json:"logFileValidationEnabled"`
		HasCustomEventSelectors    Bool   `json:"hasCustomEventSelectors"`
		HasInsightSelectors        Bool   `json:"hasInsightSelectors"`
		IsOrganizationTrail        Bool   `json:"isOrganizationTrail"`
	}
	if err := decodeConfiguration(ci, &conf); err != nil {
		return nil, err
	}
	t := &CloudTrailTrail{
		Name: conf.Name, ARN: conf.TrailARN, AccountID: ci.AccountID, Region: ci.Region, HomeRegion: conf.HomeRegion,
		S3BucketName: conf.S3BucketName, S3KeyPrefix: conf.S3KeyPrefix, SNSTopicARN: conf.SNSTopicARN,
		CloudWatchLogsLogGroupARN: conf.CloudWatchLogsLogGroupArn, CloudWatchLogsRoleARN: conf.CloudWatchLogsRoleArn,
		KMSKeyID: conf.KMSKeyID, IsMultiRegionTrail: conf.IsMultiRegionTrail, IncludeGlobalServiceEvents: conf.IncludeGlobalServiceEvents,
		LogFileValidationEnabled: conf.LogFileValidationEnabled, HasCustomEventSelectors: conf.HasCustomEventSelectors,
		HasInsightSelectors: conf.HasInsightSelectors, IsOrganizationTrail: conf.IsOrganizationTrail,
	}
	if t.Name == "" {
		t.Name = ci.ResourceName
	}
	if t.Name == "" {
		t.Name = ci.ResourceID
	}
	if t.ARN == "" {
		t.ARN = ci.ARN
	}
	if t.HomeRegion == "" {
		t.HomeRegion = ci.Region
	}
	return t, nil
}

// CoversRegion reports whether the trail logs events of region: a
// multi-region trail logs every region, another trail only its home region.
func (t *CloudTrailTrail) CoversRegion(region string) bool {
	return t.IsMultiRegionTrail.True() || region == "" || t.HomeRegion == region
}
