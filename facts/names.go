package facts

import (
	"fmt"
	"strings"
)

// The names of the account facts, as file names in a facts directory and
// as the names rules pass to evaluate.Lookup.Fact.
const (
	// CredentialReportFile is the IAM credential report: the CSV text AWS
	// returns, decoded from the base64 the CLI prints.
	CredentialReportFile = "iam-credential-report.csv"
	// PasswordPolicyFile is the output of aws iam get-account-password-policy.
	PasswordPolicyFile = "iam-get-account-password-policy.json"
	// AccountSummaryFile is the output of aws iam get-account-summary.
	AccountSummaryFile = "iam-get-account-summary.json"
	// EBSEncryptionByDefaultFile is the output of aws ec2
	// get-ebs-encryption-by-default, for one region.
	EBSEncryptionByDefaultFile = "ec2-get-ebs-encryption-by-default.json"
	// PublicAccessBlockFile is the output of aws s3control
	// get-public-access-block: the account-level S3 public access block.
	PublicAccessBlockFile = "s3control-get-public-access-block.json"
	// PublicSnapshotsFile is the output of aws ec2 describe-snapshots
	// --owner-ids self --restorable-by-user-ids all, for one region: the
	// account's EBS snapshots that anyone may create volumes from.
	PublicSnapshotsFile = "ec2-describe-snapshots-public.json"
)

// The prefixes of the per-trail facts; the trail's name and ".json"
// follow.
const (
	trailStatusPrefix    = "cloudtrail-get-trail-status-"
	eventSelectorsPrefix = "cloudtrail-get-event-selectors-"
)

// TrailStatusFile is the name of the fact holding the output of aws cloudtrail
// get-trail-status --name NAME, read in the trail's home region.
func TrailStatusFile(trailName string) string { return trailStatusPrefix + trailName + ".json" }

// EventSelectorsFile is the name of the fact holding the output of aws
// cloudtrail get-event-selectors --trail-name NAME, read in the trail's
// home region.
func EventSelectorsFile(trailName string) string { return eventSelectorsPrefix + trailName + ".json" }

// Names lists the fixed fact names, for documentation and checks. The
// per-trail names are made by [TrailStatusFile] and [EventSelectorsFile].
func Names() []string {
	return []string{CredentialReportFile, PasswordPolicyFile, AccountSummaryFile, EBSEncryptionByDefaultFile, PublicAccessBlockFile, PublicSnapshotsFile}
}

// trailFact splits a per-trail fact name into its kind (a prefix) and the
// trail name.
func trailFact(name string) (prefix, trail string, ok bool) {
	for _, p := range []string{trailStatusPrefix, eventSelectorsPrefix} {
		if rest, found := strings.CutPrefix(name, p); found {
			trail, found = strings.CutSuffix(rest, ".json")
			if found && validTrailName(trail) {
				return p, trail, true
			}
		}
	}
	return "", "", false
}

// validTrailName accepts CloudTrail's trail names: letters, digits,
// periods, underscores and dashes, starting with a letter or digit.
func validTrailName(s string) bool {
	if len(s) < 1 || len(s) > 128 {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case i > 0 && (r == '.' || r == '_' || r == '-'):
		default:
			return false
		}
	}
	return true
}

// Error is a fact that cannot be read: malformed, or of the wrong shape.
// It names the fact and, where it can, the line and the field.
type Error struct {
	Fact  string
	Line  int // 0 when not known
	Field string
	Err   error
}

func (e *Error) Error() string {
	s := e.Fact
	if e.Line > 0 {
		s += fmt.Sprintf(" line %d", e.Line)
	}
	if e.Field != "" {
		s += " " + e.Field
	}
	return s + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }
