package rules

import (
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
)

// dataRules is the data family: KMS keys, RDS databases and snapshots,
// Lambda functions and CloudFront distributions.
func dataRules() []evaluate.Rule {
	return []evaluate.Rule{
		CMKBackingKeyRotationEnabled(),
		KMSCMKNotScheduledForDeletion(),
		RDSStorageEncrypted(),
		RDSInstancePublicAccessCheck(),
		RDSSnapshotsPublicProhibited(),
		RDSSnapshotEncrypted(),
		DBInstanceBackupEnabled(),
		RDSMultiAZSupport(),
		LambdaFunctionPublicAccessProhibited(),
		LambdaInsideVPC(),
		LambdaEnvironmentNoPlaintextSecrets(),
		CloudFrontOriginAccessIdentityEnabled(),
		CloudFrontViewerPolicyHTTPS(),
	}
}

// unknownBeforeDeployment reports whether the item marks the value at path,
// a value containing it or a value inside it as not known before
// deployment (items built from templates and plans).
func unknownBeforeDeployment(ci *evaluate.ConfigurationItem, path string) bool {
	return ci.UnknownUnder(path) != ""
}

// unknownAsWhole reports whether the value at path, or a value containing
// it, is not known before deployment; values inside it may still be.
func unknownAsWhole(ci *evaluate.ConfigurationItem, path string) bool {
	return ci.UnknownAt(path) != ""
}

// unknownMembers returns the names of the members of the object at path
// whose values are not known before deployment, in the item's order.
func unknownMembers(ci *evaluate.ConfigurationItem, path string) []string {
	var names []string
	for _, u := range ci.Unknown {
		if rest, ok := strings.CutPrefix(u, path+"."); ok && rest != "" {
			names = append(names, rest)
		}
	}
	return names
}
