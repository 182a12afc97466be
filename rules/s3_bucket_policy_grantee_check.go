package rules

import (
	"context"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/policy"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// S3BucketPolicyGranteeCheck checks that every Allow statement of the
// bucket policy is restricted to the principals, IP ranges or VPCs given
// ([policy.Document.GranteesOutside] says how each is matched). A bucket
// without a policy is COMPLIANT, as the managed rule documents.
//
// An account id in awsPrincipals stands for the account principal
// ("111122223333" or its root ARN), not every role in it; give
// "arn:aws:iam::111122223333:role/*" for those, as the managed rule's page
// shows. With no parameter at all, every Allow statement that names a
// principal is outside.
func S3BucketPolicyGranteeCheck() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "s3-bucket-policy-grantee-check",
		Summary:       "S3 bucket policies grant access only to the principals, IP ranges or VPCs allowed.",
		Rationale:     "A bucket policy that names an unexpected account or network gives it your data, often without anyone noticing.",
		ResourceTypes: []string{resource.S3BucketType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters: []evaluate.Parameter{
			{Name: "awsPrincipals", Type: evaluate.CSV, Description: "Comma-separated account ids and IAM principal ARNs; '*' matches partially (arn:aws:iam::111122223333:role/*)."},
			{Name: "servicePrincipals", Type: evaluate.CSV, Description: "Comma-separated service principals, such as cloudtrail.amazonaws.com."},
			{Name: "federatedUsers", Type: evaluate.CSV, Description: "Comma-separated identity providers, such as cognito-identity.amazonaws.com or a SAML provider ARN."},
			{Name: "ipAddresses", Type: evaluate.CSV, Description: "Comma-separated IP addresses and CIDR ranges."},
			{Name: "vpcIds", Type: evaluate.CSV, Description: "Comma-separated VPC ids."},
		},
		Severity:    evaluate.Medium,
		ManagedRule: "S3_BUCKET_POLICY_GRANTEE_CHECK",
		URL:         "https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy-grantee-check.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		allow := policy.GranteeAllowlist{
			AWSPrincipals:     p.List("awsPrincipals"),
			ServicePrincipals: p.List("servicePrincipals"),
			FederatedUsers:    p.List("federatedUsers"),
			IPAddresses:       p.List("ipAddresses"),
			VPCIDs:            p.List("vpcIds"),
		}
		if _, err := (&policy.Document{}).GranteesOutside(allow); err != nil {
			return nil, &evaluate.ParamError{Name: "ipAddresses", Value: p.Raw("ipAddresses"), Err: err}
		}
		return policyFindingsRule("grants access outside the allowed grantees", "grants access only to allowed grantees",
			func(v *s3View) ([]policy.Finding, error) { return v.doc.GranteesOutside(allow) },
			func(u stmtUnknowns) bool { return u.principal || u.condition }), nil
	})
}

// policyFindingsRule is an evaluator for the rules that judge each Allow
// statement of a bucket policy: a bucket without a policy is COMPLIANT, a
// finding is NON_COMPLIANT, unless its statement holds values not known
// before deployment in the parts the rule reads (unknown), which makes it
// INSUFFICIENT_DATA.
func policyFindingsRule(bad, good string, find func(*s3View) ([]policy.Finding, error), unknown func(stmtUnknowns) bool) evaluate.Evaluator {
	return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
		v, err := s3ViewOf(in)
		if err != nil {
			return evaluate.Result{}, err
		}
		state, why, err := v.policyStatus()
		switch {
		case err != nil:
			return evaluate.Result{}, err
		case state == policyUnknown:
			return evaluate.InsufficientDataf("Bucket %s: %s.", v.Name, why), nil
		case state == policyAbsent:
			return evaluate.Compliantf("Bucket %s has no bucket policy.", v.Name), nil
		}
		findings, err := find(v)
		if err != nil {
			return evaluate.Result{}, err
		}
		var definite []policy.Finding
		maybe := ""
		for _, f := range findings {
			if u := v.unknownStatement(unknown, f.Statement); u != "" {
				if maybe == "" {
					maybe = u
				}
				continue
			}
			definite = append(definite, f)
		}
		switch {
		case len(definite) > 0:
			return evaluate.NonCompliantf("The policy of bucket %s %s: %s.", v.Name, bad, v.findingsText(definite)), nil
		case maybe != "":
			return evaluate.InsufficientDataf("Bucket %s: %s is not known before deployment.", v.Name, maybe), nil
		}
		return evaluate.Compliantf("The policy of bucket %s %s.", v.Name, good), nil
	})
}
