package rules

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// EC2InstanceProfileAttached checks that an instance has an IAM instance
// profile, and with IamInstanceProfileArnList that it is one of those
// listed. Terminated instances are NOT_APPLICABLE.
func EC2InstanceProfileAttached() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "ec2-instance-profile-attached",
		Summary:       "EC2 instances have an IAM instance profile (one of the allowed ones, when listed).",
		Rationale:     "An instance profile gives software on the instance short-lived credentials, so no long-term access keys need to be stored on it.",
		ResourceTypes: []string{resource.EC2InstanceType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters: []evaluate.Parameter{{
			Name: "IamInstanceProfileArnList", Type: evaluate.CSV,
			Description: "Comma-separated ARNs of the IAM instance profiles that instances may have.",
		}},
		Severity:    evaluate.Medium,
		ManagedRule: "EC2_INSTANCE_PROFILE_ATTACHED",
		URL:         "https://docs.aws.amazon.com/config/latest/developerguide/ec2-instance-profile-attached.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		allowed := p.List("IamInstanceProfileArnList")
		for i, arn := range allowed {
			if !strings.HasPrefix(arn, "arn:") || !strings.Contains(arn, ":instance-profile/") {
				return nil, &evaluate.ParamError{Name: "IamInstanceProfileArnList", Value: p.Raw("IamInstanceProfileArnList"),
					Err: fmt.Errorf("item %d %q is not an instance profile ARN (arn:aws:iam::ACCOUNT:instance-profile/NAME)", i+1, arn)}
			}
		}
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			inst, err := resource.EC2InstanceOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if res, gone := instanceGone(inst); gone {
				return res, nil
			}
			if u := firstUnknownPath(in.Item, "configuration.iamInstanceProfile"); u != "" {
				return evaluate.InsufficientDataf("Instance %s: %s is not known until deployment.", inst.ID, u), nil
			}
			arn := inst.InstanceProfileARN
			if arn == "" {
				return evaluate.NonCompliantf("Instance %s has no IAM instance profile attached.", inst.ID), nil
			}
			if len(allowed) > 0 && !slices.Contains(allowed, arn) {
				return evaluate.NonCompliantf("Instance %s has instance profile %s, which IamInstanceProfileArnList does not list.", inst.ID, arn), nil
			}
			return evaluate.Compliantf("Instance %s has IAM instance profile %s attached.", inst.ID, arn), nil
		}), nil
	})
}
