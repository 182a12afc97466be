package watch

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/policy"
)

const iamSource = "iam.amazonaws.com"

func iamDetections() []Detection {
	return []Detection{
		{
			ID:          "iam-root-access-key-created",
			Summary:     "An access key created for the root user itself: long-term credentials with every permission in the account, which no policy can restrict.",
			Severity:    Critical,
			EventSource: iamSource,
			EventNames:  []string{"CreateAccessKey"},
			Rules:       []string{"iam-root-access-key-check"},
			judge:       judgeRootAccessKey,
		},
		{
			ID:          "iam-mfa-device-removed",
			Summary:     "An MFA device deactivated or deleted: the user (or the root user) can sign in with a password alone.",
			Severity:    High,
			EventSource: iamSource,
			EventNames:  []string{"DeactivateMFADevice", "DeleteVirtualMFADevice"},
			Rules:       []string{"iam-user-mfa-enabled", "mfa-enabled-for-iam-console-access", "root-account-mfa-enabled"},
			judge:       judgeMFARemoved,
		},
		{
			ID:           "iam-password-policy-weakened",
			Summary:      "The account password policy deleted, or replaced by one below the iam-password-policy rule's defaults.",
			Severity:     Medium,
			EventSource:  iamSource,
			EventNames:   []string{"DeleteAccountPasswordPolicy", "UpdateAccountPasswordPolicy"},
			Rules:        []string{"iam-password-policy"},
			Remediations: []string{"iam-strengthen-password-policy"},
			judge:        judgePasswordPolicy,
		},
		{
			ID:          "iam-admin-policy-attached",
			Summary:     "The AWS managed policy AdministratorAccess attached to a user, group or role.",
			Severity:    High,
			EventSource: iamSource,
			EventNames:  []string{"AttachUserPolicy", "AttachGroupPolicy", "AttachRolePolicy"},
			Rules:       []string{"iam-policy-blacklisted-check", "iam-user-no-policies-check"},
			judge:       judgeAdminAttached,
		},
		{
			ID:          "iam-inline-admin-policy",
			Summary:     "An inline policy put on a user, group or role that allows every action (*) on every resource (*).",
			Severity:    High,
			EventSource: iamSource,
			EventNames:  []string{"PutUserPolicy", "PutGroupPolicy", "PutRolePolicy"},
			Rules:       []string{"iam-no-inline-policy-check", "iam-user-no-policies-check"},
			judge:       judgeInlineAdmin,
		},
	}
}

func (c *call) iamARN(resource string) string {
	return fmt.Sprintf("arn:%s:iam::%s:%s", c.partition(), c.account(), resource)
}

func judgeRootAccessKey(c *call) (*verdict, error) {
	if c.rec.UserIdentity.Type != "Root" {
		return nil, nil
	}
	if err := c.params.object(); err != nil {
		return nil, err
	}
	user, err := c.params.get("userName").str()
	if err != nil {
		return nil, err
	}
	if user != "" {
		return nil, nil // the root user creating a key for an IAM user
	}
	arn := c.rec.UserIdentity.ARN
	if arn == "" {
		arn = c.iamARN("root")
	}
	return &verdict{
		severity:  Critical,
		summary:   fmt.Sprintf("An access key was created for the root user of account %s.", c.account()),
		rules:     []string{"iam-root-access-key-check"},
		resources: []string{arn},
	}, nil
}

func judgeMFARemoved(c *call) (*verdict, error) {
	if err := c.params.object(); err != nil {
		return nil, err
	}
	user, err := c.params.get("userName").str()
	if err != nil {
		return nil, err
	}
	serial, err := c.params.get("serialNumber").str()
	if err != nil {
		return nil, err
	}
	if user == "" && serial == "" {
		return nil, c.params.errorf("neither userName nor serialNumber: the device cannot be told")
	}
	root := strings.HasSuffix(serial, ":mfa/root-account-mfa-device") || user == "" && c.rec.UserIdentity.Type == "Root"
	v := &verdict{severity: High}
	what := "deactivated"
	if c.rec.EventName == "DeleteVirtualMFADevice" {
		what = "deleted"
	}
	device := "An MFA device"
	if serial != "" {
		device = "MFA device " + serial
	}
	switch {
	case root:
		v.rules = []string{"root-account-mfa-enabled"}
		v.summary = fmt.Sprintf("%s of the root user %s: the root user can sign in with a password alone.", device, what)
		v.resources = []string{c.iamARN("root")}
	case user != "":
		v.rules = []string{"iam-user-mfa-enabled", "mfa-enabled-for-iam-console-access"}
		v.summary = fmt.Sprintf("%s of IAM user %s %s: the user can sign in with a password alone.", device, user, what)
		v.resources = []string{c.iamARN("user/" + user)}
	default:
		v.rules = []string{"iam-user-mfa-enabled", "mfa-enabled-for-iam-console-access"}
		v.summary = fmt.Sprintf("Virtual %s %s.", strings.TrimPrefix(device, "An "), what)
	}
	if strings.HasPrefix(serial, "arn:") {
		v.resources = appendNew(v.resources, serial)
	}
	return v, nil
}

// passwordPolicyFact is the fact name the iam-password-policy rule reads:
// the output of aws iam get-account-password-policy.
const passwordPolicyFact = "iam-get-account-password-policy.json"

func judgePasswordPolicy(c *call) (*verdict, error) {
	v := &verdict{
		severity:     Medium,
		rules:        []string{"iam-password-policy"},
		remediations: []string{"iam-strengthen-password-policy"},
		resources:    []string{c.accountARN("iam", "")},
		target:       c.accountTarget(),
	}
	if c.rec.EventName == "DeleteAccountPasswordPolicy" {
		v.summary = fmt.Sprintf("Password policy of account %s deleted: IAM users' passwords need only meet the IAM defaults.", c.account())
		return v, nil
	}
	fact, err := passwordPolicySet(c.params)
	if err != nil {
		return nil, err
	}
	item := evaluate.AccountItem(c.account(), c.rec.AWSRegion)
	res, err := c.askRule("iam-password-policy", item, map[string][]byte{passwordPolicyFact: fact})
	if err != nil {
		return nil, err
	}
	switch res.Compliance {
	case evaluate.Compliant, evaluate.NotApplicable:
		return nil, nil
	case evaluate.NonCompliant:
		v.summary = fmt.Sprintf("Password policy of account %s updated below the iam-password-policy defaults: %s", c.account(), sentence(res.Annotation))
		return v, nil
	}
	return nil, fmt.Errorf("rule iam-password-policy could not judge the policy the call sets: %s", res.Annotation)
}

// passwordPolicySet renders the policy an UpdateAccountPasswordPolicy call
// sets as GetAccountPasswordPolicy would then return it. The call replaces
// the whole policy: what the request leaves out takes the API's default.
func passwordPolicySet(p value) ([]byte, error) {
	if err := p.object(); err != nil {
		return nil, err
	}
	out := map[string]any{}
	minLen, set, err := p.getFold("minimumPasswordLength").integer()
	if err != nil {
		return nil, err
	}
	if !set {
		minLen = 6 // the API's default
	}
	out["MinimumPasswordLength"] = minLen
	for _, b := range []struct{ req, out string }{
		{"requireSymbols", "RequireSymbols"},
		{"requireNumbers", "RequireNumbers"},
		{"requireUppercaseCharacters", "RequireUppercaseCharacters"},
		{"requireLowercaseCharacters", "RequireLowercaseCharacters"},
		{"allowUsersToChangePassword", "AllowUsersToChangePassword"},
		{"hardExpiry", "HardExpiry"},
	} {
		v, _, err := p.getFold(b.req).boolean()
		if err != nil {
			return nil, err
		}
		out[b.out] = v
	}
	age, set, err := p.getFold("maxPasswordAge").integer()
	if err != nil {
		return nil, err
	}
	out["ExpirePasswords"] = set && age > 0
	if set && age > 0 {
		out["MaxPasswordAge"] = age
	}
	reuse, set, err := p.getFold("passwordReusePrevention").integer()
	if err != nil {
		return nil, err
	}
	if set && reuse > 0 {
		out["PasswordReusePrevention"] = reuse
	}
	return json.Marshal(map[string]any{"PasswordPolicy": out})
}

var adminPolicyARN = regexp.MustCompile(`^arn:aws[a-z-]*:iam::aws:policy/AdministratorAccess$`)

// principalOf names the user, group or role an IAM call is about.
func (c *call) principalOf() (kind, name string, err error) {
	for _, k := range []string{"user", "group", "role"} {
		v := c.params.get(k + "Name")
		if v.null() {
			continue
		}
		name, err = requiredStr(v)
		return k, name, err
	}
	return "", "", c.params.errorf("names no userName, groupName or roleName")
}

func judgeAdminAttached(c *call) (*verdict, error) {
	if err := c.params.object(); err != nil {
		return nil, err
	}
	arn, err := requiredStr(c.params.get("policyArn"))
	if err != nil {
		return nil, err
	}
	if !adminPolicyARN.MatchString(arn) {
		return nil, nil
	}
	kind, name, err := c.principalOf()
	if err != nil {
		return nil, err
	}
	v := &verdict{
		severity:  High,
		summary:   fmt.Sprintf("AdministratorAccess attached to IAM %s %s: it can now do anything in account %s.", kind, name, c.account()),
		rules:     []string{"iam-policy-blacklisted-check"},
		resources: []string{c.iamARN(kind + "/" + name)},
	}
	if kind == "user" {
		v.rules = append(v.rules, "iam-user-no-policies-check")
	}
	return v, nil
}

func judgeInlineAdmin(c *call) (*verdict, error) {
	if err := c.params.object(); err != nil {
		return nil, err
	}
	pv := c.params.get("policyDocument")
	if pv.null() {
		return nil, pv.errorf("missing: the policy the call puts is not in the record, so it cannot be judged")
	}
	doc, err := policy.Parse(pv.raw())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pv.path, err)
	}
	admin := doc.AdminAccess()
	if len(admin) == 0 {
		return nil, nil
	}
	kind, name, err := c.principalOf()
	if err != nil {
		return nil, err
	}
	policyName, err := c.params.get("policyName").str()
	if err != nil {
		return nil, err
	}
	v := &verdict{
		severity:  High,
		summary:   fmt.Sprintf("Inline policy %s put on IAM %s %s allows every action on every resource: %s.", policyName, kind, name, admin[0]),
		rules:     []string{"iam-no-inline-policy-check"},
		resources: []string{c.iamARN(kind + "/" + name)},
	}
	if kind == "user" {
		v.rules = append(v.rules, "iam-user-no-policies-check")
	}
	return v, nil
}
