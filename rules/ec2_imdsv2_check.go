package rules

import (
	"context"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// EC2IMDSv2Check checks that an instance requires IMDSv2: its
// metadataOptions.httpTokens is "required". "optional" is NON_COMPLIANT,
// as for the managed rule, even when the metadata endpoint is disabled
// (enabling it again would serve IMDSv1).
//
// An item without metadataOptions is NON_COMPLIANT: the documentation
// makes only "required" compliant, EC2 launches instances with httpTokens
// "optional" unless told otherwise, and Config records metadataOptions for
// every instance since IMDSv2 exists, so an item without them describes an
// instance that served IMDSv1 when it was recorded. Metadata options that
// infrastructure as code leaves unknown until deployment give
// INSUFFICIENT_DATA. Terminated instances are NOT_APPLICABLE.
func EC2IMDSv2Check() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "ec2-imdsv2-check",
		Summary:       "EC2 instances require IMDSv2 (metadata httpTokens required).",
		Rationale:     "IMDSv2's session tokens stop SSRF and open proxies from reading the instance's role credentials through the metadata service.",
		ResourceTypes: []string{resource.EC2InstanceType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters:    []evaluate.Parameter{},
		Severity:      evaluate.High,
		ManagedRule:   "EC2_IMDSV2_CHECK",
		Controls:      []string{"SecurityHub:EC2.8"},
		Remediations:  []string{"ec2-require-imdsv2"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/ec2-imdsv2-check.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			inst, err := resource.EC2InstanceOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if res, gone := instanceGone(inst); gone {
				return res, nil
			}
			if u := firstUnknownPath(in.Item, "configuration.metadataOptions.httpTokens"); u != "" {
				return evaluate.InsufficientDataf("Instance %s: %s is not known until deployment.", inst.ID, u), nil
			}
			mo := inst.MetadataOptions
			if mo == nil || mo.HTTPTokens == "" {
				return evaluate.NonCompliantf("Instance %s records no metadataOptions.httpTokens, so IMDSv2 is not required (EC2's default is optional).", inst.ID), nil
			}
			switch strings.ToLower(mo.HTTPTokens) {
			case "required":
				return evaluate.Compliantf("Instance %s requires IMDSv2 (httpTokens required).", inst.ID), nil
			case "optional":
				if strings.EqualFold(mo.HTTPEndpoint, "disabled") {
					return evaluate.NonCompliantf("Instance %s allows IMDSv1 (httpTokens optional); its metadata endpoint is disabled, but enabling it would serve IMDSv1.", inst.ID), nil
				}
				return evaluate.NonCompliantf("Instance %s allows IMDSv1 (httpTokens optional).", inst.ID), nil
			}
			return evaluate.Result{}, &unexpectedValueError{Field: "configuration.metadataOptions.httpTokens", Value: mo.HTTPTokens}
		}), nil
	})
}
