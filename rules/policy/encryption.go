package policy

import (
	"fmt"
	"strings"
)

// An UploadEncryptionCheck says whether a bucket policy refuses object
// uploads that do not ask for server-side encryption, and why.
type UploadEncryptionCheck struct {
	Enforced   bool   // every object of the bucket is covered
	Statements []int  // the qualifying Deny statements
	Reason     string // why, fit for an annotation
}

// sseHeaderKey is the condition key of the x-amz-server-side-encryption
// request header (AES256, aws:kms or aws:kms:dsse).
const sseHeaderKey = "s3:x-amz-server-side-encryption"

// DeniesUnencryptedUploads checks that the policy denies s3:PutObject
// requests without server-side encryption on every object of the bucket,
// the alternative to default encryption that the managed rule
// s3-bucket-server-side-encryption-enabled accepts ("the bucket policy
// explicitly denies put-object requests without server side encryption that
// uses AES-256 or AWS Key Management Service"). bucket is the bucket's name
// or ARN.
//
// A Deny qualifies when its principal is "*" (or {"AWS": "*"}), its actions
// include s3:PutObject ("s3:PutObject", "s3:Put*", "s3:*", "*", or a
// NotAction that does not exclude it), and its only condition is on
// s3:x-amz-server-side-encryption, either
//
//   - Null = true: the request has no encryption header, or
//   - StringNotEquals, StringNotEqualsIgnoreCase or StringNotLike (with or
//     without IfExists): a negated operator is true when the header is
//     absent, so the statement refuses both uploads without the header and
//     uploads asking for another algorithm; every value S3 accepts for the
//     header (AES256, aws:kms, aws:kms:dsse) is server-side encryption.
//
// Together the qualifying statements must cover every object,
// arn:<partition>:s3:::bucket/*. A Deny with any further condition does not
// qualify (it applies to fewer requests), nor does one on the KMS key id
// alone (s3:x-amz-server-side-encryption-aws-kms-key-id), which the
// managed rule does not name: both are the cautious "not enforced".
//
// The error reports an invalid bucket name or ARN only.
func (d *Document) DeniesUnencryptedUploads(bucket string) (UploadEncryptionCheck, error) {
	t, err := resolveBucket(d, bucket)
	if err != nil {
		return UploadEncryptionCheck{}, err
	}
	var cov denyCoverage
	candidates := 0
	for i := range d.Statements {
		st := &d.Statements[i]
		if st.Effect != Deny || !st.hasConditionKey(sseHeaderKey) {
			continue
		}
		candidates++
		cov.checkDeny(i, st, t, objectUploads, (*Condition).refusesUnencrypted)
	}
	res := UploadEncryptionCheck{Enforced: cov.objects, Statements: cov.statements}
	switch {
	case res.Enforced:
		res.Reason = fmt.Sprintf("%s %s s3:PutObject to every principal on %s when the request does not ask for server-side encryption", labels(d, cov.statements), denyVerb(cov.statements), t.objects)
	case candidates == 0:
		res.Reason = "no Deny statement with a condition on " + sseHeaderKey
	case len(cov.statements) == 0:
		res.Reason = strings.Join(cov.problems, "; ")
	default:
		stmts := make([]string, len(cov.statements))
		for k, i := range cov.statements {
			stmts[k] = fmt.Sprintf("Statement[%d]", i)
		}
		res.Reason = fmt.Sprintf("the %s deny (%s) does not cover every object %s", sseHeaderKey, strings.Join(stmts, ", "), t.objects)
		if len(cov.problems) > 0 {
			res.Reason += "; " + strings.Join(cov.problems, "; ")
		}
	}
	return res, nil
}

func (s *Statement) hasConditionKey(canonicalKey string) bool {
	for k := range s.Conditions {
		if s.Conditions[k].CanonicalKey == canonicalKey {
			return true
		}
	}
	return false
}

// refusesUnencrypted reports whether the condition holds for every upload
// without server-side encryption: Null = true on the header, or a negated
// string operator on it (true when the header is absent).
func (c *Condition) refusesUnencrypted() bool {
	if c.CanonicalKey != sseHeaderKey || c.Qualifier != "" {
		return false
	}
	switch c.Test {
	case "Null":
		return len(c.Values) > 0 && !containsFold(c.Values, "false")
	case "StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike":
		return true
	}
	return false
}
