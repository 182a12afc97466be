package rules

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
)

// IAMPasswordPolicy checks the account password policy against the
// parameters: each required character class must be required, the minimum
// length and the number of remembered passwords must be at least the
// parameters, and passwords must expire within MaxPasswordAge days. An
// account without a password policy (IAM's default) is non-compliant, as in
// the managed rule. A policy that leaves MinimumPasswordLength out has
// IAM's default of 6. A boolean parameter false, or a number 0, asks
// nothing.
func IAMPasswordPolicy() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "iam-password-policy",
		Summary:       "The account password policy meets the given requirements.",
		Rationale:     "Long, varied, expiring and unrepeated passwords resist guessing and limit how long a leaked one works.",
		ResourceTypes: []string{evaluate.AccountResourceType},
		Trigger:       []evaluate.Trigger{evaluate.Periodic},
		Parameters: []evaluate.Parameter{
			{Name: "RequireUppercaseCharacters", Type: evaluate.Bool, Default: "true", Description: "Require at least one uppercase character in password."},
			{Name: "RequireLowercaseCharacters", Type: evaluate.Bool, Default: "true", Description: "Require at least one lowercase character in password."},
			{Name: "RequireSymbols", Type: evaluate.Bool, Default: "true", Description: "Require at least one symbol in password."},
			{Name: "RequireNumbers", Type: evaluate.Bool, Default: "true", Description: "Require at least one number in password."},
			{Name: "MinimumPasswordLength", Type: evaluate.Int, Default: "14", Description: "Password minimum length."},
			{Name: "PasswordReusePrevention", Type: evaluate.Int, Default: "24", Description: "Number of passwords before allowing reuse."},
			{Name: "MaxPasswordAge", Type: evaluate.Int, Default: "90", Description: "Number of days before password expiration."},
		},
		Severity:     evaluate.Medium,
		ManagedRule:  "IAM_PASSWORD_POLICY",
		Controls:     []string{"SecurityHub:IAM.7", "CIS-AWS-1.4:1.8", "CIS-AWS-1.4:1.9"},
		Remediations: []string{"iam-strengthen-password-policy"},
		URL:          "https://docs.aws.amazon.com/config/latest/developerguide/iam-password-policy.html",
		Facts:        []string{facts.PasswordPolicyFile},
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		want := passwordRequirements{
			upper: p.Bool("RequireUppercaseCharacters"), lower: p.Bool("RequireLowercaseCharacters"),
			symbols: p.Bool("RequireSymbols"), numbers: p.Bool("RequireNumbers"),
			minLength: p.Int("MinimumPasswordLength"), reuse: p.Int("PasswordReusePrevention"), maxAge: p.Int("MaxPasswordAge"),
		}
		for _, n := range []struct {
			name  string
			value int
		}{{"MinimumPasswordLength", want.minLength}, {"PasswordReusePrevention", want.reuse}, {"MaxPasswordAge", want.maxAge}} {
			if n.value < 0 {
				return nil, &evaluate.ParamError{Name: n.name, Value: p.Raw(n.name), Err: errors.New("want 0 or more")}
			}
		}
		policies := newParsedFacts(facts.ParsePasswordPolicy)
		return evaluate.EvaluatorFunc(func(ctx context.Context, in *evaluate.Input) (evaluate.Result, error) {
			account := in.Item.AccountID
			pol, err := readFact(ctx, in, policies, "", facts.PasswordPolicyFile, "password policy")
			if errors.Is(err, evaluate.ErrNotFound) {
				return evaluate.NonCompliantf("Account %s has no password policy (IAM's default applies).", account), nil
			}
			if err != nil {
				return insufficient(err)
			}
			if fails := want.check(pol); len(fails) > 0 {
				return evaluate.NonCompliantf("The password policy of account %s: %s.", account, strings.Join(fails, "; ")), nil
			}
			return evaluate.Compliantf("The password policy of account %s meets the requirements.", account), nil
		}), nil
	})
}

type passwordRequirements struct {
	upper, lower, symbols, numbers bool
	minLength, reuse, maxAge       int
}

// iamDefaultMinimumPasswordLength is what IAM applies when a policy leaves
// the length out.
const iamDefaultMinimumPasswordLength = 6

// check lists the requirements the policy does not meet.
func (w passwordRequirements) check(p *facts.PasswordPolicy) []string {
	var fails []string
	for _, c := range []struct {
		want, have bool
		what       string
	}{
		{w.upper, p.RequireUppercaseCharacters, "uppercase"},
		{w.lower, p.RequireLowercaseCharacters, "lowercase"},
		{w.symbols, p.RequireSymbols, "symbols"},
		{w.numbers, p.RequireNumbers, "numbers"},
	} {
		if c.want && !c.have {
			fails = append(fails, c.what+" not required")
		}
	}
	length := iamDefaultMinimumPasswordLength
	if p.MinimumPasswordLength != nil {
		length = *p.MinimumPasswordLength
	}
	if length < w.minLength {
		fails = append(fails, fmt.Sprintf("minimum length %d < %d", length, w.minLength))
	}
	reuse := 0
	if p.PasswordReusePrevention != nil {
		reuse = *p.PasswordReusePrevention
	}
	if reuse < w.reuse {
		fails = append(fails, fmt.Sprintf("reuse prevention %d < %d", reuse, w.reuse))
	}
	if w.maxAge > 0 {
		switch {
		case p.MaxPasswordAge == nil || *p.MaxPasswordAge == 0:
			fails = append(fails, fmt.Sprintf("passwords never expire (want %d days at most)", w.maxAge))
		case *p.MaxPasswordAge > w.maxAge:
			fails = append(fails, fmt.Sprintf("max age %d > %d days", *p.MaxPasswordAge, w.maxAge))
		}
	}
	return fails
}
