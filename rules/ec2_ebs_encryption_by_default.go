package rules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// EC2EBSEncryptionByDefault checks that EBS encryption by default is on
// in the account and region. Config items do not record it: the rule
// reads the fact ec2-get-ebs-encryption-by-default.json, what `aws ec2
// get-ebs-encryption-by-default` prints ({"EbsEncryptionByDefault": true}),
// and answers INSUFFICIENT_DATA without it.
func EC2EBSEncryptionByDefault() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "ec2-ebs-encryption-by-default",
		Summary:       "EBS encryption by default is enabled in each account and region.",
		Rationale:     "With encryption by default every new volume and snapshot copy is encrypted, whoever creates it and however.",
		ResourceTypes: []string{evaluate.AccountResourceType},
		Trigger:       []evaluate.Trigger{evaluate.Periodic},
		Parameters:    []evaluate.Parameter{},
		Severity:      evaluate.Medium,
		ManagedRule:   "EC2_EBS_ENCRYPTION_BY_DEFAULT",
		Controls:      []string{"SecurityHub:EC2.7", "CIS-AWS-1.4:2.2.1"},
		Remediations:  []string{"ec2-enable-ebs-encryption-by-default"},
		Facts:         []string{factEBSEncryptionByDefault},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/ec2-ebs-encryption-by-default.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(ctx context.Context, in *evaluate.Input) (evaluate.Result, error) {
			acct, region := in.Item.AccountID, in.Item.Region
			if acct == "" {
				acct = in.Item.ResourceID
			}
			where := "account " + acct
			if region != "" {
				where += " in " + region
			}
			data, err := in.Lookup.Fact(ctx, acct, region, factEBSEncryptionByDefault)
			switch {
			case errors.Is(err, evaluate.ErrUnknown):
				return evaluate.InsufficientDataf("No EBS encryption-by-default fact for %s: give %s (aws ec2 get-ebs-encryption-by-default) in -facts DIR.", where, factEBSEncryptionByDefault), nil
			case err != nil:
				return evaluate.Result{}, err
			}
			var fact struct {
				Enabled *resource.Bool `json:"EbsEncryptionByDefault"`
			}
			if err := json.Unmarshal(data, &fact); err != nil {
				return evaluate.Result{}, fmt.Errorf("fact %s: %v", factEBSEncryptionByDefault, ec2FactError(err))
			}
			if fact.Enabled == nil || !fact.Enabled.Set {
				return evaluate.Result{}, fmt.Errorf("fact %s: no EbsEncryptionByDefault (want what aws ec2 get-ebs-encryption-by-default prints)", factEBSEncryptionByDefault)
			}
			if !fact.Enabled.Value {
				return evaluate.NonCompliantf("EBS encryption by default is disabled for %s.", where), nil
			}
			return evaluate.Compliantf("EBS encryption by default is enabled for %s.", where), nil
		}), nil
	})
}
