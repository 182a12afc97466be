package rules

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/policy"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// LambdaFunctionPublicAccessProhibited checks that a function's
// resource-based policy (supplementaryConfiguration.Policy) grants nothing
// to everyone. A statement is public as rules/policy decides it (a "*"
// principal or NotPrincipal, unless a condition pins the caller or source
// to fixed values such as aws:SourceAccount or aws:SourceArn), which is how
// the managed rule reads "fixed values". As the managed rule also says, a
// statement that lets Amazon S3 invoke the function must pin the bucket's
// account with aws:SourceAccount (or aws:SourceOwner): bucket ARNs hold no
// account, so aws:SourceArn alone lets a bucket of that name in another
// account invoke it. A function without a policy is compliant.
func LambdaFunctionPublicAccessProhibited() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "lambda-function-public-access-prohibited",
		Summary:       "Lambda function policies grant no access to everyone.",
		Rationale:     "A public function can be invoked by anyone, running your code with its role's permissions and at your cost.",
		ResourceTypes: []string{resource.LambdaFunctionType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters:    []evaluate.Parameter{},
		Severity:      evaluate.Critical,
		ManagedRule:   "LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED",
		Controls:      []string{"SecurityHub:Lambda.1"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/lambda-function-public-access-prohibited.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			f, err := resource.LambdaFunctionOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if unknownBeforeDeployment(in.Item, "supplementaryConfiguration.Policy") {
				return evaluate.InsufficientDataf("The policy of function %s is not known before deployment.", f.Name), nil
			}
			if f.Policy == "" {
				return evaluate.Compliantf("Function %s has no resource-based policy.", f.Name), nil
			}
			doc, err := policy.Parse([]byte(f.Policy))
			if errors.Is(err, policy.ErrNoDocument) {
				return evaluate.Compliantf("Function %s has no resource-based policy.", f.Name), nil
			}
			if err != nil {
				return evaluate.Result{}, fmt.Errorf("supplementaryConfiguration.Policy: %w", err)
			}
			var public []policy.Finding
			for _, g := range doc.Public() {
				public = append(public, g.Finding)
			}
			for i, st := range doc.Statements {
				if invokableByAnyBucket(&st) {
					public = append(public, policy.Finding{Statement: i, Sid: st.Sid,
						Reason: "lets Amazon S3 invoke it for any bucket's account (no aws:SourceAccount condition)"})
				}
			}
			switch len(public) {
			case 0:
				return evaluate.Compliantf("The policy of function %s grants nothing to everyone.", f.Name), nil
			case 1:
				return evaluate.NonCompliantf("Function %s is public: %s.", f.Name, public[0]), nil
			}
			// Several: name them all, and explain the first within the
			// annotation's room.
			sort.Slice(public, func(i, j int) bool { return public[i].Statement < public[j].Statement })
			var labels []string
			for _, p := range public {
				labels = append(labels, strings.TrimSuffix(p.String(), ": "+p.Reason))
			}
			return evaluate.NonCompliantf("Function %s is public in %d statements (%s); the first %s.", f.Name, len(public), strings.Join(labels, ", "), public[0].Reason), nil
		}), nil
	})
}

// invokableByAnyBucket reports whether an Allow statement lets the S3
// service principal in without pinning the source account.
func invokableByAnyBucket(st *policy.Statement) bool {
	if st.Effect != policy.Allow || st.Principal == nil || st.Principal.Everyone() {
		return false // public principals are judged by Document.Public
	}
	s3 := false
	for _, s := range st.Principal.Service {
		s3 = s3 || strings.EqualFold(s, "s3.amazonaws.com")
	}
	if !s3 {
		return false
	}
	for _, c := range st.Conditions {
		if (c.CanonicalKey == "aws:sourceaccount" || c.CanonicalKey == "aws:sourceowner") &&
			!c.IfExists && c.Qualifier != "ForAllValues" && fixedAccounts(c) {
			return false
		}
	}
	return true
}

// fixedAccounts reports whether a condition compares with fixed values
// (no wildcard, no policy variable) using an operator that matches them.
func fixedAccounts(c policy.Condition) bool {
	switch c.Test {
	case "StringEquals", "StringLike", "ArnEquals", "ArnLike":
	default:
		return false
	}
	for _, v := range c.Values {
		if v == "" || strings.ContainsAny(v, "*?") || strings.Contains(v, "${") {
			return false
		}
	}
	return true
}
