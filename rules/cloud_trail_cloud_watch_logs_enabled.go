package rules

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// CloudTrailCloudWatchLogsEnabled checks that a trail sends its events to
// a CloudWatch Logs log group, and with expectedDeliveryWindowAge that it
// delivered there within that many hours. Delivery times are not recorded
// by Config: they come from the trail's status fact
// (cloudtrail-get-trail-status-NAME.json), read only when the parameter is
// given.
func CloudTrailCloudWatchLogsEnabled() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "cloud-trail-cloud-watch-logs-enabled",
		Summary:       "CloudTrail trails send events to CloudWatch Logs.",
		Rationale:     "Events in CloudWatch Logs can raise alarms within minutes; log files in S3 are read after the fact.",
		ResourceTypes: []string{resource.CloudTrailTrailType},
		Trigger:       []evaluate.Trigger{evaluate.Periodic},
		Parameters: []evaluate.Parameter{{
			Name: "expectedDeliveryWindowAge", Type: evaluate.Int,
			Description: "Maximum age in hours of the most recent delivery to CloudWatch Logs.",
		}},
		Severity:    evaluate.Low,
		ManagedRule: "CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED",
		Controls:    []string{"SecurityHub:CloudTrail.5", "CIS-AWS-1.4:3.4"},
		URL:         "https://docs.aws.amazon.com/config/latest/developerguide/cloud-trail-cloud-watch-logs-enabled.html",
		Facts:       []string{facts.TrailStatusFile("NAME")},
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		window := 0
		if p.Has("expectedDeliveryWindowAge") {
			window = p.Int("expectedDeliveryWindowAge")
			if window < 1 {
				return nil, &evaluate.ParamError{Name: "expectedDeliveryWindowAge", Value: p.Raw("expectedDeliveryWindowAge"), Err: errors.New("want at least 1 hour")}
			}
		}
		tf := newTrailFacts()
		return evaluate.EvaluatorFunc(func(ctx context.Context, in *evaluate.Input) (evaluate.Result, error) {
			t, err := resource.CloudTrailTrailOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if t.CloudWatchLogsLogGroupARN == "" {
				return evaluate.NonCompliantf("Trail %s does not send events to CloudWatch Logs.", t.Name), nil
			}
			if window == 0 {
				return evaluate.Compliantf("Trail %s sends events to CloudWatch Logs.", t.Name), nil
			}
			name := facts.TrailStatusFile(t.Name)
			st, err := readFact(ctx, in, tf.status, t.HomeRegion, name, "status of trail "+t.Name)
			if errors.Is(err, evaluate.ErrNotFound) {
				return evaluate.InsufficientDataf("Trail %s is recorded but the API no longer knows it (%s).", t.Name, name), nil
			}
			if err != nil {
				return insufficient(err)
			}
			last := st.LatestCloudWatchLogsDeliveryTime.Time
			if last.IsZero() {
				return evaluate.NonCompliantf("Trail %s has never delivered to CloudWatch Logs.", t.Name), nil
			}
			if age := in.Now.Sub(last); age > time.Duration(window)*time.Hour {
				return evaluate.NonCompliantf("Trail %s last delivered to CloudWatch Logs %s ago (limit %d hours).", t.Name, roundAge(age), window), nil
			}
			return evaluate.Compliantf("Trail %s delivered to CloudWatch Logs within %d hours.", t.Name, window), nil
		}), nil
	})
}

// roundAge writes an age in whole hours, or days beyond two days.
func roundAge(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%d days", days(d))
	}
	return fmt.Sprintf("%d hours", int(d/time.Hour))
}
