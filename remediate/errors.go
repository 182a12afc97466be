package remediate

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// APIError is an AWS call that failed. Its message names the API and the
// resource; Unwrap gives the SDK's error, so errors.As finds the
// smithy.APIError (ErrorCode, ErrorMessage) inside.
type APIError struct {
	// API is the operation, "s3:PutBucketPolicy".
	API string
	// Resource is the ARN the call acted on.
	Resource string
	Err      error
}

func (e *APIError) Error() string {
	msg := e.Err.Error()
	var ae smithy.APIError
	if errors.As(e.Err, &ae) {
		msg = ae.ErrorCode()
		if m := ae.ErrorMessage(); m != "" {
			msg += ": " + m
		}
	}
	var maxAttempts *retry.MaxAttemptsError
	if errors.As(e.Err, &maxAttempts) {
		msg += fmt.Sprintf(" (gave up after %d attempts)", maxAttempts.Attempt)
	}
	return fmt.Sprintf("%s %s: %s", e.API, e.Resource, msg)
}

func (e *APIError) Unwrap() error { return e.Err }

func apiError(api, resource string, err error) error {
	return &APIError{API: api, Resource: resource, Err: err}
}

// errorCode returns the AWS error code of err, or "".
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
