package policy

import "errors"

// ErrNoDocument is returned (wrapped) by [Parse] when the input holds no
// policy at all: empty text, JSON null, or a JSON string holding one of them.
// AWS Config records a bucket without a policy as "policyText": null; callers
// test for this with errors.Is and treat the resource as having no policy.
var ErrNoDocument = errors.New("no policy document")

// An Error reports a malformed document, an ACL or a public access block
// configuration, naming the place: Path is the element ("Statement[2].Condition.StringEquals"),
// empty when the problem concerns the whole input (such as invalid JSON).
type Error struct {
	Path string
	Msg  string
	err  error
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// Unwrap returns the underlying error, such as [ErrNoDocument].
func (e *Error) Unwrap() error { return e.err }

func errorAt(path, msg string) *Error { return &Error{Path: path, Msg: msg} }
