package remediate

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func iamStrengthenPasswordPolicy() *Remediation {
	return &Remediation{
		ID: "iam-strengthen-password-policy",
		Summary: "Strengthens the account password policy field by field to at least the iam-password-policy parameters; " +
			"a field already stronger is kept, and so are AllowUsersToChangePassword and HardExpiry.",
		ResourceTypes: []string{accountType},
		Fixes:         []string{"iam-password-policy"},
		Parameters: []Parameter{
			{Name: "RequireUppercaseCharacters", Type: BooleanParameter, Default: "true", Description: "Require at least one upper-case letter."},
			{Name: "RequireLowercaseCharacters", Type: BooleanParameter, Default: "true", Description: "Require at least one lower-case letter."},
			{Name: "RequireSymbols", Type: BooleanParameter, Default: "true", Description: "Require at least one symbol."},
			{Name: "RequireNumbers", Type: BooleanParameter, Default: "true", Description: "Require at least one digit."},
			{Name: "MinimumPasswordLength", Type: IntegerParameter, Default: "14", Min: 6, Max: 128, Description: "The minimum password length."},
			{Name: "PasswordReusePrevention", Type: IntegerParameter, Default: "24", Min: 1, Max: 24, Description: "How many previous passwords cannot be reused."},
			{Name: "MaxPasswordAge", Type: IntegerParameter, Default: "90", Min: 1, Max: 1095, Description: "The days a password stays valid."},
		},
		APIs: []string{"iam:GetAccountPasswordPolicy", "iam:UpdateAccountPasswordPolicy"},
		run:  runIAMStrengthenPasswordPolicy,
	}
}

// passwordPolicy holds the fields of an account password policy; zero
// values mean "not required" (no minimum, no expiry, no reuse limit).
type passwordPolicy struct {
	upper, lower, symbols, numbers bool
	minLength, reuse, maxAge       int
	allowChange, hardExpiry        bool
}

// strengthen returns p made at least as strong as want in every field.
func (p passwordPolicy) strengthen(want passwordPolicy) passwordPolicy {
	out := p
	out.upper = p.upper || want.upper
	out.lower = p.lower || want.lower
	out.symbols = p.symbols || want.symbols
	out.numbers = p.numbers || want.numbers
	out.minLength = max(p.minLength, want.minLength)
	out.reuse = max(p.reuse, want.reuse)
	// A shorter maximum age is stronger; zero means passwords never expire.
	if want.maxAge > 0 && (p.maxAge == 0 || want.maxAge < p.maxAge) {
		out.maxAge = want.maxAge
	}
	return out
}

// changes lists the fields that differ: "MinimumPasswordLength 8 → 14".
func (p passwordPolicy) changes(to passwordPolicy) []string {
	var out []string
	add := func(name string, from, to any) {
		if from != to {
			out = append(out, fmt.Sprintf("%s %v → %v", name, from, to))
		}
	}
	add("MinimumPasswordLength", p.minLength, to.minLength)
	add("RequireUppercaseCharacters", p.upper, to.upper)
	add("RequireLowercaseCharacters", p.lower, to.lower)
	add("RequireSymbols", p.symbols, to.symbols)
	add("RequireNumbers", p.numbers, to.numbers)
	add("PasswordReusePrevention", p.reuse, to.reuse)
	add("MaxPasswordAge", p.maxAge, to.maxAge)
	return out
}

func runIAMStrengthenPasswordPolicy(r *run) error {
	arn := r.accountARN("iam", "")
	var cur passwordPolicy
	exists := true
	out, err := r.clients.IAM.GetAccountPasswordPolicy(r.ctx, &iam.GetAccountPasswordPolicyInput{})
	switch {
	case errorCode(err) == "NoSuchEntity":
		exists = false
	case err != nil:
		return apiError("iam:GetAccountPasswordPolicy", arn, err)
	case out.PasswordPolicy != nil:
		pp := out.PasswordPolicy
		cur = passwordPolicy{
			upper: pp.RequireUppercaseCharacters, lower: pp.RequireLowercaseCharacters,
			symbols: pp.RequireSymbols, numbers: pp.RequireNumbers,
			minLength: int(aws.ToInt32(pp.MinimumPasswordLength)), reuse: int(aws.ToInt32(pp.PasswordReusePrevention)),
			maxAge: int(aws.ToInt32(pp.MaxPasswordAge)), allowChange: pp.AllowUsersToChangePassword, hardExpiry: aws.ToBool(pp.HardExpiry),
		}
	}
	v := r.values
	next := cur.strengthen(passwordPolicy{
		upper: v.boolean("RequireUppercaseCharacters"), lower: v.boolean("RequireLowercaseCharacters"),
		symbols: v.boolean("RequireSymbols"), numbers: v.boolean("RequireNumbers"),
		minLength: v.integer("MinimumPasswordLength"), reuse: v.integer("PasswordReusePrevention"), maxAge: v.integer("MaxPasswordAge"),
	})
	changes := cur.changes(next)
	if len(changes) == 0 {
		r.skip("iam:UpdateAccountPasswordPolicy", arn, "the password policy already meets every requested field")
		return nil
	}
	detail := "strengthen " + strings.Join(changes, ", ")
	if !exists {
		detail = "the account has no password policy; create one with " + strings.Join(changes, ", ")
	}
	// UpdateAccountPasswordPolicy replaces the whole policy: every field is
	// sent, the untouched ones with their current values.
	in := &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength:      aws.Int32(int32(next.minLength)),
		RequireUppercaseCharacters: next.upper,
		RequireLowercaseCharacters: next.lower,
		RequireSymbols:             next.symbols,
		RequireNumbers:             next.numbers,
		AllowUsersToChangePassword: next.allowChange,
		HardExpiry:                 aws.Bool(next.hardExpiry),
	}
	if next.reuse > 0 {
		in.PasswordReusePrevention = aws.Int32(int32(next.reuse))
	}
	if next.maxAge > 0 {
		in.MaxPasswordAge = aws.Int32(int32(next.maxAge))
	}
	return r.write("iam:UpdateAccountPasswordPolicy", arn, detail, func(ctx context.Context) error {
		_, err := r.clients.IAM.UpdateAccountPasswordPolicy(ctx, in)
		return err
	})
}
