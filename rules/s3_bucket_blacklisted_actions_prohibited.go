package rules

import (
	"context"
	"errors"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/policy"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// S3BucketBlacklistedActionsProhibited checks that the bucket policy does
// not allow principals outside the bucket's account to perform the listed
// actions ([policy.Document.BlacklistedActions] says who is outside). As the
// managed rule documents, only the Principal element is considered, not
// conditions. A bucket without a policy is COMPLIANT; an item that names
// no account cannot tell inside from outside and is INSUFFICIENT_DATA.
//
// The managed rule has no default for blacklistedActionPattern (it cannot
// be created without one); here it defaults to the list Security Hub's
// S3.6 passes, s3BlacklistDefault, so that the rule runs in a scan of the
// whole catalog. A given value behaves as the managed rule's.
func S3BucketBlacklistedActionsProhibited() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "s3-bucket-blacklisted-actions-prohibited",
		Summary:       "S3 bucket policies do not allow other accounts the blacklisted actions.",
		Rationale:     "Letting another account change a bucket's policy, ACL or encryption hands it control of the bucket.",
		ResourceTypes: []string{resource.S3BucketType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters: []evaluate.Parameter{{
			Name: "blacklistedActionPattern", Type: evaluate.CSV, Default: s3BlacklistDefault,
			Description: "Comma-separated action patterns other accounts must not be allowed, such as s3:GetBucket*,s3:DeleteObject; by default Security Hub S3.6's list.",
		}},
		Severity:    evaluate.High,
		ManagedRule: "S3_BUCKET_BLACKLISTED_ACTIONS_PROHIBITED",
		Controls:    []string{"SecurityHub:S3.6"},
		URL:         "https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-blacklisted-actions-prohibited.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		patterns := p.List("blacklistedActionPattern")
		if len(patterns) == 0 {
			return nil, &evaluate.ParamError{Name: "blacklistedActionPattern", Value: p.Raw("blacklistedActionPattern"), Err: errors.New("no action pattern")}
		}
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			v, err := s3ViewOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			state, why, err := v.policyStatus()
			switch {
			case err != nil:
				return evaluate.Result{}, err
			case state == policyAbsent:
				return evaluate.Compliantf("Bucket %s has no bucket policy.", v.Name), nil
			case state == policyUnknown:
				return evaluate.InsufficientDataf("Bucket %s: %s.", v.Name, why), nil
			case !isAccountID(v.AccountID):
				return evaluate.InsufficientDataf("Bucket %s: the item names no account, so principals outside it cannot be told.", v.Name), nil
			}
			findings, err := v.doc.BlacklistedActions(v.AccountID, patterns)
			if err != nil {
				return evaluate.Result{}, err
			}
			principalOrAction := func(u stmtUnknowns) bool { return u.principal || u.action }
			var definite []policy.Finding
			for _, f := range findings {
				if v.unknownStatement(principalOrAction, f.Statement) == "" {
					definite = append(definite, f)
				}
			}
			if len(definite) > 0 {
				return evaluate.NonCompliantf("The policy of bucket %s allows other accounts blacklisted actions: %s.", v.Name, v.findingsText(definite)), nil
			}
			// A statement flagged or not, whose principal or actions are
			// not known yet, may turn out to allow a blacklisted action to
			// another account.
			for i := range v.doc.Statements {
				if v.doc.Statements[i].Effect != policy.Allow {
					continue
				}
				if u := v.unknownStatement(principalOrAction, i); u != "" {
					return evaluate.InsufficientDataf("Bucket %s: %s is not known before deployment; it may allow a blacklisted action to another account.", v.Name, u), nil
				}
			}
			return evaluate.Compliantf("The policy of bucket %s allows no other account any of %s.", v.Name, joinList(patterns)), nil
		}), nil
	})
}

// s3BlacklistDefault is the blacklistedActionPattern Security Hub's control
// S3.6 uses: the actions that hand control of a bucket to whoever holds
// them.
const s3BlacklistDefault = "s3:DeleteBucketPolicy,s3:PutBucketAcl,s3:PutBucketPolicy,s3:PutEncryptionConfiguration,s3:PutObjectAcl"
