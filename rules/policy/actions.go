package policy

// ReadActions are the S3 action patterns that read a bucket or its objects:
// the reading half of S3's "bad actions" (The meaning of "public", S3 User
// Guide): s3:Get* and s3:List*.
var ReadActions = []string{"s3:Get*", "s3:List*"}

// WriteActions are the S3 action patterns that change a bucket or its
// objects: the writing half of S3's "bad actions" (s3:Put*, s3:Delete*,
// s3:AbortMultipartUpload, s3:RestoreObject), plus the actions that write
// objects or lift protections by other names (replication writes, object
// lock bypass, ownership override, S3 Express sessions).
var WriteActions = []string{
	"s3:Put*", "s3:Delete*", "s3:AbortMultipartUpload", "s3:RestoreObject",
	"s3:Replicate*", "s3:InitiateReplication", "s3:Bypass*",
	"s3:ObjectOwnerOverrideToBucketOwner", "s3:Create*", "s3:Update*",
}

// AppliesToAny reports whether the statement's action list (Action, or
// everything outside NotAction) includes at least one action matching
// pattern. pattern may hold wildcards: AppliesToAny("s3:Get*") is true for
// Action "s3:G*", "s3:*", "*", and for NotAction ["s3:PutObject"]. For
// NotAction, each excluded pattern is compared with pattern on its own, so an
// exclusion made of several patterns that only together cover pattern still
// counts as applying: the cautious answer.
func (s *Statement) AppliesToAny(pattern string) bool {
	if s.NotAction != nil {
		for _, n := range s.NotAction {
			if globCovers(n, pattern, true) {
				return false
			}
		}
		return true
	}
	for _, a := range s.Action {
		if globsIntersect(a, pattern, true) {
			return true
		}
	}
	return false
}

// AppliesToAll reports whether the statement's action list includes every
// action matching pattern: AppliesToAll("s3:*") is true for Action "s3:*" or
// "*", and for a NotAction that excludes no S3 action. A list of specific
// actions never covers a wildcard pattern, even if it happens to name every
// action that exists today.
func (s *Statement) AppliesToAll(pattern string) bool {
	if s.NotAction != nil {
		for _, n := range s.NotAction {
			if globsIntersect(n, pattern, true) {
				return false
			}
		}
		return true
	}
	for _, a := range s.Action {
		if globCovers(a, pattern, true) {
			return true
		}
	}
	return false
}

func (s *Statement) appliesToAnyOf(patterns []string) bool {
	for _, p := range patterns {
		if s.AppliesToAny(p) {
			return true
		}
	}
	return false
}
