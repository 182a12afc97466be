package rules

import "github.com/guardrails-go/guardrails/evaluate"

// cloudtrailRules is the CloudTrail family.
func cloudtrailRules() []evaluate.Rule {
	return []evaluate.Rule{
		CloudtrailEnabled(),
		MultiRegionCloudtrailEnabled(),
		CloudTrailLogFileValidationEnabled(),
		CloudTrailEncryptionEnabled(),
		CloudTrailCloudWatchLogsEnabled(),
		CloudtrailS3DataeventsEnabled(),
		CloudtrailBucketProtected(),
	}
}
