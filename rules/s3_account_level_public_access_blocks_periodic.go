package rules

import (
	"context"
	"errors"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
	"github.com/guardrails-go/guardrails/rules/policy"
)

// S3AccountLevelPublicAccessBlocksPeriodic checks the account's S3 Block
// Public Access settings against the four parameters, each "True" (the
// default: the setting must be on) or "False" (the rule does not require
// it). The settings are read from the account's
// AWS::S3::AccountPublicAccessBlock item, or else from the
// s3control-get-public-access-block.json fact.
//
// An account with no settings at all is NON_COMPLIANT, as Security Hub's
// S3.1 says ("fails if any of the settings are not configured"). The page
// says the rule is NON_COMPLIANT when the settings "do not match" the
// parameters; "False" is read as "not enforced", so a setting that is on
// where the parameter says False is still COMPLIANT: blocking more is never
// the risk the rule looks for.
func S3AccountLevelPublicAccessBlocksPeriodic() evaluate.Rule {
	settings := []string{"IgnorePublicAcls", "BlockPublicPolicy", "BlockPublicAcls", "RestrictPublicBuckets"}
	params := make([]evaluate.Parameter, len(settings))
	for i, s := range settings {
		params[i] = evaluate.Parameter{Name: s, Type: evaluate.String, Default: "True",
			Description: "Whether " + s + " must be on (True or False)."}
	}
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "s3-account-level-public-access-blocks-periodic",
		Summary:       "The account's S3 Block Public Access settings are on.",
		Rationale:     "Account-level Block Public Access keeps every bucket of the account private, including buckets created tomorrow by someone in a hurry.",
		ResourceTypes: []string{evaluate.AccountResourceType},
		Trigger:       []evaluate.Trigger{evaluate.Periodic},
		Parameters:    params,
		Severity:      evaluate.Medium,
		ManagedRule:   "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC",
		Controls:      []string{"SecurityHub:S3.1", "CIS-AWS-1.4:2.1.5"},
		Remediations:  []string{"s3-account-block-public-access"},
		Lookups:       []string{s3AccountPublicAccessBlockType},
		Facts:         []string{facts.PublicAccessBlockFile},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/s3-account-level-public-access-blocks-periodic.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		var want policy.PublicAccessBlock
		targets := map[string]*bool{
			"IgnorePublicAcls": &want.IgnorePublicAcls, "BlockPublicPolicy": &want.BlockPublicPolicy,
			"BlockPublicAcls": &want.BlockPublicAcls, "RestrictPublicBuckets": &want.RestrictPublicBuckets,
		}
		for _, s := range settings {
			switch v := p.String(s); strings.ToLower(v) {
			case "true":
				*targets[s] = true
			case "false":
			default:
				return nil, &evaluate.ParamError{Name: s, Value: v, Err: errors.New("want True or False")}
			}
		}
		return evaluate.EvaluatorFunc(func(ctx context.Context, in *evaluate.Input) (evaluate.Result, error) {
			account := in.Item.AccountID
			acct, err := readAccountBlock(ctx, in, account)
			if err != nil {
				return evaluate.Result{}, err
			}
			if !acct.known {
				return evaluate.InsufficientDataf("The S3 Block Public Access settings of account %s are unknown (%s): give %s or its %s item.",
					account, acct.unknown, facts.PublicAccessBlockFile, s3AccountPublicAccessBlockType), nil
			}
			var missing []string
			for _, s := range []struct {
				name       string
				want, have bool
			}{
				{"BlockPublicAcls", want.BlockPublicAcls, acct.settings.BlockPublicAcls},
				{"IgnorePublicAcls", want.IgnorePublicAcls, acct.settings.IgnorePublicAcls},
				{"BlockPublicPolicy", want.BlockPublicPolicy, acct.settings.BlockPublicPolicy},
				{"RestrictPublicBuckets", want.RestrictPublicBuckets, acct.settings.RestrictPublicBuckets},
			} {
				if s.want && !s.have {
					missing = append(missing, s.name)
				}
			}
			switch {
			case len(missing) > 0 && !acct.exists:
				return evaluate.NonCompliantf("Account %s has no account-level S3 Block Public Access settings (%s required).", account, strings.Join(missing, ", ")), nil
			case len(missing) > 0:
				return evaluate.NonCompliantf("Account %s has %s off at the account level.", account, strings.Join(missing, ", ")), nil
			case !acct.exists:
				return evaluate.Compliantf("Account %s has no account-level S3 Block Public Access settings, and the parameters require none.", account), nil
			}
			return evaluate.Compliantf("Account %s has the required S3 Block Public Access settings on.", account), nil
		}), nil
	})
}
