package rules

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// S3DefaultEncryptionKMS checks that a bucket's default encryption uses an
// AWS KMS key (SSE-KMS or DSSE-KMS), and with kmsKeyArns that the key is
// one of those listed.
//
// The bucket may name its key by key ARN, key id, alias name or alias ARN.
// A key id is read as the key of that id in the bucket's account and
// Region, where S3 looks it up. An alias matches when its ARN is listed;
// otherwise it is INSUFFICIENT_DATA, since the item does not say which key
// the alias points to. SSE-KMS without a key id uses the AWS managed key
// aws/s3, whose ARN the item does not hold: with kmsKeyArns given that is
// NON_COMPLIANT, the safer answer where the managed rule's page is silent
// (list a customer managed key, or the aws/s3 key's ARN will not be
// recognised). The managed rule also lists AWS::KMS::Key among its
// resource types to re-evaluate buckets when keys change; here keys are not
// evaluated themselves.
func S3DefaultEncryptionKMS() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "s3-default-encryption-kms",
		Summary:       "S3 buckets encrypt new objects by default with an AWS KMS key (one of kmsKeyArns, when given).",
		Rationale:     "A KMS key adds its own access control and an audit trail of every decryption, and can be disabled to cut off access to the data.",
		ResourceTypes: []string{resource.S3BucketType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters: []evaluate.Parameter{{
			Name: "kmsKeyArns", Type: evaluate.CSV,
			Description: "Comma-separated ARNs of the KMS keys allowed for default encryption; any KMS key when empty.",
		}},
		Severity:     evaluate.Medium,
		ManagedRule:  "S3_DEFAULT_ENCRYPTION_KMS",
		Controls:     []string{"SecurityHub:S3.17"},
		Remediations: []string{"s3-enable-default-encryption"},
		URL:          "https://docs.aws.amazon.com/config/latest/developerguide/s3-default-encryption-kms.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		allowed := p.List("kmsKeyArns")
		for _, a := range allowed {
			if !strings.HasPrefix(a, "arn:") || !strings.Contains(a, ":kms:") {
				return nil, &evaluate.ParamError{Name: "kmsKeyArns", Value: a, Err: errors.New("not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)")}
			}
		}
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			v, err := s3ViewOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			alg, key, ok := defaultEncryption(v.S3Bucket)
			if !ok {
				if u := unknownUnder(in.Item, s3EncryptionPath, ".kmsMasterKeyID", ".bucketKeyEnabled"); u != "" {
					return evaluate.InsufficientDataf("The default encryption of bucket %s is not known before deployment (%s).", v.Name, u), nil
				}
				return evaluate.NonCompliantf("Bucket %s has no default encryption.", v.Name), nil
			}
			if a := strings.ToLower(alg); a != "aws:kms" && a != "aws:kms:dsse" {
				return evaluate.NonCompliantf("Bucket %s encrypts by default with %s, not with a KMS key.", v.Name, alg), nil
			}
			if len(allowed) == 0 {
				if key == "" {
					return evaluate.Compliantf("Bucket %s encrypts by default with %s and the AWS managed key aws/s3.", v.Name, alg), nil
				}
				return evaluate.Compliantf("Bucket %s encrypts by default with %s (key %s).", v.Name, alg, key), nil
			}
			switch {
			case key == "" && in.Item.UnknownUnder(s3EncryptionPath) != "":
				return evaluate.InsufficientDataf("The KMS key of bucket %s is not known before deployment (%s).", v.Name, in.Item.UnknownUnder(s3EncryptionPath)), nil
			case key == "":
				return evaluate.NonCompliantf("Bucket %s encrypts by default with %s and the AWS managed key aws/s3, not one of kmsKeyArns.", v.Name, alg), nil
			case strings.Contains(key, unknownMark):
				return evaluate.InsufficientDataf("The KMS key of bucket %s is not known before deployment (%s).", v.Name, key), nil
			}
			arn, isAlias, err := kmsKeyARN(key, v.S3Bucket)
			if err != nil {
				return evaluate.InsufficientDataf("Bucket %s encrypts with key %s: %v.", v.Name, key, err), nil
			}
			for _, a := range allowed {
				if a == arn {
					return evaluate.Compliantf("Bucket %s encrypts by default with %s and key %s, one of kmsKeyArns.", v.Name, alg, arn), nil
				}
			}
			if isAlias {
				return evaluate.InsufficientDataf("Bucket %s encrypts with the alias %s, which is not in kmsKeyArns; the item does not say which key it points to (list the alias ARN, or name the key by its ARN).", v.Name, arn), nil
			}
			return evaluate.NonCompliantf("Bucket %s encrypts by default with key %s, which is not one of kmsKeyArns.", v.Name, arn), nil
		}), nil
	})
}

// kmsKeyARN turns the key a bucket names (key ARN, key id, alias name or
// alias ARN) into an ARN, completing ids and alias names with the bucket's
// partition, Region and account, where S3 resolves them.
func kmsKeyARN(key string, b *resource.S3Bucket) (arn string, alias bool, err error) {
	if strings.HasPrefix(key, "arn:") {
		parts := strings.SplitN(key, ":", 6)
		if len(parts) != 6 || parts[2] != "kms" {
			return "", false, fmt.Errorf("%q is not a KMS key or alias ARN", key)
		}
		return key, strings.HasPrefix(parts[5], "alias/"), nil
	}
	if b.AccountID == "" || b.Region == "" {
		return "", false, errors.New("the item names no account or Region to complete the key id with")
	}
	partition := "aws"
	if rest, ok := strings.CutPrefix(b.ARN, "arn:"); ok {
		if p, _, found := strings.Cut(rest, ":"); found && p != "" {
			partition = p
		}
	}
	prefix := "arn:" + partition + ":kms:" + b.Region + ":" + b.AccountID + ":"
	if strings.HasPrefix(key, "alias/") {
		return prefix + key, true, nil
	}
	return prefix + "key/" + key, false, nil
}
