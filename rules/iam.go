package rules

import "github.com/guardrails-go/guardrails/evaluate"

// iamRules is the IAM family.
func iamRules() []evaluate.Rule {
	return []evaluate.Rule{
		IAMRootAccessKeyCheck(),
		RootAccountMFAEnabled(),
		AccessKeysRotated(),
		IAMUserUnusedCredentialsCheck(),
		MFAEnabledForIAMConsoleAccess(),
		IAMUserMFAEnabled(),
		IAMPasswordPolicy(),
		IAMUserNoPoliciesCheck(),
		IAMNoInlinePolicyCheck(),
		IAMPolicyNoStatementsWithAdminAccess(),
		IAMPolicyNoStatementsWithFullAccess(),
		IAMPolicyBlacklistedCheck(),
	}
}
