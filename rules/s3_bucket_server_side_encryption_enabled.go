package rules

import (
	"context"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/policy"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// S3BucketServerSideEncryptionEnabled checks that a bucket encrypts new
// objects by default (SSE-S3, SSE-KMS or DSSE-KMS) or that its policy
// refuses uploads that do not ask for server-side encryption, the two ways
// the managed rule accepts ([policy.Document.DeniesUnencryptedUploads]
// says which policies count).
//
// Default encryption is the requirement and the policy the exception that
// must be shown: a bucket without default encryption whose item records no
// BucketPolicy at all (Config always records one, so such items are made
// by other tools) is NON_COMPLIANT, the safer outcome where the managed
// rule's page is silent. A policy that an item built from a template marks
// as known only after deployment is INSUFFICIENT_DATA.
func S3BucketServerSideEncryptionEnabled() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "s3-bucket-server-side-encryption-enabled",
		Summary:       "S3 buckets encrypt new objects by default, or their policy refuses unencrypted uploads.",
		Rationale:     "Default encryption protects every object at rest, whatever the client sends, so no object lands unencrypted by mistake.",
		ResourceTypes: []string{resource.S3BucketType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters:    []evaluate.Parameter{},
		Severity:      evaluate.High,
		ManagedRule:   "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
		Controls:      []string{"SecurityHub:S3.4", "CIS-AWS-1.4:2.1.1"},
		Remediations:  []string{"s3-enable-default-encryption"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-server-side-encryption-enabled.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			v, err := s3ViewOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if alg, key, ok := defaultEncryption(v.S3Bucket); ok {
				if key != "" {
					return evaluate.Compliantf("Bucket %s encrypts new objects by default with %s (key %s).", v.Name, alg, key), nil
				}
				return evaluate.Compliantf("Bucket %s encrypts new objects by default with %s.", v.Name, alg), nil
			}
			state, unknownPolicy, err := v.policyStatus()
			if err != nil {
				return evaluate.Result{}, err
			}
			if state == policyUnknown && v.item.UnknownUnder(s3PolicyPath) == "" {
				state = policyAbsent // not recorded: nothing shows the exception
			}
			why := ""
			unknownDeny := ""
			if state == policyPresent {
				check, err := v.doc.DeniesUnencryptedUploads(v.bucketARN())
				if err != nil {
					return evaluate.Result{}, err
				}
				if check.Enforced {
					return evaluate.Compliantf("Bucket %s has no default encryption, but its policy refuses unencrypted uploads: %s.", v.Name, v.showName(check.Reason)), nil
				}
				why = ", and its policy does not refuse unencrypted uploads: " + v.showName(check.Reason)
				unknownDeny = v.anyUnknownStatement(policy.Deny, stmtUnknowns.any)
			}
			switch u := unknownUnder(in.Item, s3EncryptionPath, ".kmsMasterKeyID", ".bucketKeyEnabled"); {
			case u != "":
				return evaluate.InsufficientDataf("The default encryption of bucket %s is not known before deployment (%s).", v.Name, u), nil
			case state == policyUnknown:
				return evaluate.InsufficientDataf("Bucket %s has no default encryption, and %s: it might refuse unencrypted uploads.", v.Name, unknownPolicy), nil
			case unknownDeny != "":
				return evaluate.InsufficientDataf("Bucket %s has no default encryption, and its policy's %s is not known before deployment.", v.Name, unknownDeny), nil
			}
			return evaluate.NonCompliantf("Bucket %s has no default encryption%s.", v.Name, why), nil
		}), nil
	})
}

// defaultEncryption returns the algorithm and key of the bucket's default
// encryption rule, if it has one that encrypts.
func defaultEncryption(b *resource.S3Bucket) (alg, key string, ok bool) {
	if b.Encryption == nil {
		return "", "", false
	}
	for _, r := range b.Encryption.Rules {
		if r.Default == nil {
			continue
		}
		switch a := r.Default.SSEAlgorithm; strings.ToLower(a) {
		case "aes256", "aws:kms", "aws:kms:dsse":
			return a, r.Default.KMSMasterKeyID, true
		}
	}
	return "", "", false
}
