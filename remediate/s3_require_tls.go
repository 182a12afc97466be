package remediate

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/guardrails-go/guardrails/rules/policy"
)

func s3RequireTLS() *Remediation {
	return &Remediation{
		ID: "s3-require-tls",
		Summary: "Adds a Deny of every S3 action on the bucket and its objects when aws:SecureTransport is false to the bucket policy, " +
			"keeping every other statement as it was (or creates the policy when there is none).",
		ResourceTypes: []string{bucketType},
		Fixes:         []string{"s3-bucket-ssl-requests-only"},
		APIs:          []string{"s3:GetBucketPolicy", "s3:PutBucketPolicy"},
		run:           runS3RequireTLS,
	}
}

func runS3RequireTLS(r *run) error {
	bucket, arn := r.id, r.bucketARN(r.id)
	var doc *policy.Document // nil: the bucket has no policy
	out, err := r.clients.S3.GetBucketPolicy(r.ctx, &s3.GetBucketPolicyInput{Bucket: &bucket})
	switch {
	case errorCode(err) == "NoSuchBucketPolicy":
	case err != nil:
		return apiError("s3:GetBucketPolicy", arn, err)
	default:
		if doc, err = policy.Parse([]byte(aws.ToString(out.Policy))); err != nil {
			// A policy the analyser cannot read cannot be merged safely.
			return fmt.Errorf("s3:GetBucketPolicy %s: the bucket policy cannot be read, so it is left alone: %w", arn, err)
		}
	}

	detail := "the bucket has no policy; create one that denies requests without TLS"
	if doc != nil {
		check, err := doc.DeniesInsecureTransport(arn)
		if err != nil {
			return fmt.Errorf("remediation s3-require-tls %s: %w", arn, err)
		}
		if check.Enforced {
			r.skip("s3:PutBucketPolicy", arn, "the policy already denies requests without TLS: "+check.Reason)
			return nil
		}
		detail = fmt.Sprintf("the policy does not deny requests without TLS (%s); append a Deny statement after the %d already there", check.Reason, len(doc.Statements))
	}

	deny := policy.DenyInsecureTransport(arn)
	deny.Sid = freeSid(doc, deny.Sid)
	merged, err := doc.Append(deny)
	if err != nil {
		return fmt.Errorf("remediation s3-require-tls %s: adding the statement: %w", arn, err)
	}
	text, err := json.Marshal(merged)
	if err != nil {
		return fmt.Errorf("remediation s3-require-tls %s: writing the policy: %w", arn, err)
	}
	return r.write("s3:PutBucketPolicy", arn, detail+" (Sid "+deny.Sid+")", func(ctx context.Context) error {
		_, err := r.clients.S3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: aws.String(string(text))})
		return err
	})
}

// freeSid returns sid, or sid with a number appended, so that it is not
// already used in doc (a policy's Sids must be unique).
func freeSid(doc *policy.Document, sid string) string {
	used := map[string]bool{}
	if doc != nil {
		for _, st := range doc.Statements {
			used[st.Sid] = true
		}
	}
	candidate := sid
	for n := 2; used[candidate]; n++ {
		candidate = sid + strconv.Itoa(n)
	}
	return candidate
}
