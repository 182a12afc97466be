package remediate

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

func cloudtrailEnableLogFileValidation() *Remediation {
	return &Remediation{
		ID:            "cloudtrail-enable-log-file-validation",
		Summary:       "Turns log file integrity validation (signed digest files) on for a trail.",
		ResourceTypes: []string{trailType},
		Fixes:         []string{"cloud-trail-log-file-validation-enabled"},
		APIs:          []string{"cloudtrail:GetTrail", "cloudtrail:UpdateTrail"},
		run:           runCloudTrailEnableLogFileValidation,
	}
}

func runCloudTrailEnableLogFileValidation(r *run) error {
	t, arn, err := r.trail()
	if err != nil {
		return err
	}
	if aws.ToBool(t.LogFileValidationEnabled) {
		r.skip("cloudtrail:UpdateTrail", arn, "log file validation is already on")
		return nil
	}
	return r.write("cloudtrail:UpdateTrail", arn, "log file validation is off; turn it on", func(ctx context.Context) error {
		_, err := r.clients.CloudTrail.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: &arn, EnableLogFileValidation: aws.Bool(true)})
		return err
	})
}
