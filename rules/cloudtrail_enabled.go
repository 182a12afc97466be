package rules

import (
	"context"
	"fmt"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// CloudtrailEnabled checks that a trail logs the evaluated region of the
// account (a trail of that home region, or a multi-region trail), with the
// bucket, topic and log group the parameters name, and is logging.
// Config does not record whether a trail is logging, so a compliant answer
// needs the trail's status fact (cloudtrail-get-trail-status-NAME.json);
// without it the rule says INSUFFICIENT_DATA rather than assume a stopped
// trail logs.
func CloudtrailEnabled() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "cloudtrail-enabled",
		Summary:       "A CloudTrail trail logs the account's region.",
		Rationale:     "Without a trail there is no lasting record of who did what in the account.",
		ResourceTypes: []string{evaluate.AccountResourceType},
		Trigger:       []evaluate.Trigger{evaluate.Periodic},
		Parameters:    trailParamDefs,
		Severity:      evaluate.High,
		ManagedRule:   "CLOUD_TRAIL_ENABLED",
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/cloudtrail-enabled.html",
		Lookups:       []string{resource.CloudTrailTrailType},
		Facts:         []string{facts.TrailStatusFile("NAME")},
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		want := bindTrailParams(p)
		tf := newTrailFacts()
		return evaluate.EvaluatorFunc(func(ctx context.Context, in *evaluate.Input) (evaluate.Result, error) {
			trails, err := accountTrails(ctx, in)
			if err != nil {
				return insufficient(err)
			}
			account, region := in.Item.AccountID, regionName(in.Item.Region)
			var v trailVerdict
			for _, t := range trails {
				if m := want.mismatch(t); m != "" {
					v.fail(t, "%s", m)
					continue
				}
				logging, err := tf.logging(ctx, in, t)
				if err != nil {
					if err := v.judge(err); err != nil {
						return evaluate.Result{}, err
					}
					continue
				}
				if !logging {
					v.fail(t, "is not logging")
					continue
				}
				v.ok = fmt.Sprintf("Trail %s logs %s of account %s.", t.Name, region, account)
				break
			}
			return v.result(fmt.Sprintf("No CloudTrail trail logs %s of account %s.", region, account)), nil
		}), nil
	})
}
