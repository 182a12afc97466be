// Package remediate provides remediations: small, safe fixes for the
// resources that the rules catalog finds non-compliant, applied through the
// AWS SDK for Go v2.
//
// Each [Remediation] has an ID, the rule IDs it fixes, typed parameters
// (whose values arrive as strings, as SSM Automation and AWS Config pass
// them), the API calls it makes and the exact IAM actions they need. It can
// be planned (read the current state, list the writes it would make, write
// nothing) or applied.
//
// # Safety
//
// Every remediation reads the current state first and writes only what is
// wrong. Applying twice makes no second write. A remediation never deletes
// data, never removes a statement, grant or setting it did not add, and never
// weakens a setting that is already stronger than requested: a bucket already
// encrypted with SSE-KMS is not switched to SSE-S3, public access block flags
// are only turned on, a password policy is strengthened field by field,
// access keys are deactivated and never deleted.
//
// # Use
//
//	clients := remediate.NewClients(cfg) // cfg from config.LoadDefaultConfig
//	r, ok := remediate.ByID("s3-enable-versioning")
//	if !ok { ... }
//	target := remediate.Target{ResourceID: "my-bucket"}
//	plan, err := r.Plan(ctx, clients, target)   // reads only
//	res, err := r.Apply(ctx, clients, target)   // fixes what is wrong
//
// [All] returns the catalog as a fresh slice; there is no global registry to
// mutate. [PolicyFor] computes the least-privilege IAM policy for a set of
// remediations from their declared actions. Package remediate/ssmdoc
// generates the SSM Automation documents and AWS Config remediation
// configurations that run them through the configrule SSM handler.
//
// # Errors
//
// A target that does not fit (a resource id of the wrong shape, a missing or
// malformed parameter) is refused with an error wrapping [ErrInvalidTarget]
// before any AWS request. AWS errors are returned as [*APIError], which names
// the API and the resource ARN and wraps the SDK's error, so errors.As still
// finds the smithy.APIError inside.
package remediate
