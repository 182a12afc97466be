package rules

import (
	"context"
	"fmt"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// EncryptedVolumes checks that an attached EBS volume is encrypted, and
// with kmsId that it is encrypted with that key. Volumes attached to no
// instance are NOT_APPLICABLE, as the managed rule judges attached
// volumes only. kmsId is a key id or key ARN (several may be given,
// comma-separated); aliases are refused, since an item records the key's
// ARN and an alias cannot be resolved offline.
func EncryptedVolumes() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "encrypted-volumes",
		Summary:       "Attached EBS volumes are encrypted (with the given KMS key, when one is given).",
		Rationale:     "Encryption at rest protects the data of a volume, its snapshots and its backups if storage or snapshots are exposed.",
		ResourceTypes: []string{resource.EC2VolumeType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters: []evaluate.Parameter{{
			Name: "kmsId", Type: evaluate.String,
			Description: "ID or ARN of the KMS key the volumes must be encrypted with.",
		}},
		Severity:    evaluate.Medium,
		ManagedRule: "ENCRYPTED_VOLUMES",
		Controls:    []string{"SecurityHub:EC2.3"},
		URL:         "https://docs.aws.amazon.com/config/latest/developerguide/encrypted-volumes.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		var keys []string
		if raw := p.String("kmsId"); raw != "" {
			for i, k := range strings.Split(raw, ",") {
				k = strings.TrimSpace(k)
				if err := checkVolumeKeyParam(k); err != nil {
					return nil, &evaluate.ParamError{Name: "kmsId", Value: raw, Err: fmt.Errorf("item %d %q: %v", i+1, k, err)}
				}
				keys = append(keys, k)
			}
		}
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			v, err := resource.EC2VolumeOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if !v.Attached() {
				if u := firstUnknownPath(in.Item, "configuration.attachments", "configuration.state"); u != "" {
					return evaluate.InsufficientDataf("Volume %s: %s is not known until deployment.", v.ID, u), nil
				}
				return evaluate.NotApplicablef("Volume %s is not attached to an instance.", v.ID), nil
			}
			if u := firstUnknownPath(in.Item, "configuration.encrypted", "configuration.kmsKeyId"); u != "" {
				return evaluate.InsufficientDataf("Volume %s: %s is not known until deployment.", v.ID, u), nil
			}
			switch {
			case !v.Encrypted.Set:
				return evaluate.InsufficientDataf("Volume %s records no encrypted flag.", v.ID), nil
			case !v.Encrypted.Value:
				return evaluate.NonCompliantf("Attached volume %s is not encrypted.", v.ID), nil
			case len(keys) == 0:
				return evaluate.Compliantf("Attached volume %s is encrypted.", v.ID), nil
			case v.KMSKeyID == "":
				return evaluate.InsufficientDataf("Volume %s is encrypted but records no kmsKeyId to compare with kmsId.", v.ID), nil
			}
			for _, k := range keys {
				if sameVolumeKey(k, v.KMSKeyID) {
					return evaluate.Compliantf("Attached volume %s is encrypted with KMS key %s.", v.ID, v.KMSKeyID), nil
				}
			}
			return evaluate.NonCompliantf("Attached volume %s is encrypted with KMS key %s, not with kmsId %s.", v.ID, v.KMSKeyID, strings.Join(keys, ",")), nil
		}), nil
	})
}

// checkVolumeKeyParam accepts a key id or a key ARN.
func checkVolumeKeyParam(k string) error {
	switch {
	case k == "":
		return fmt.Errorf("empty")
	case strings.HasPrefix(k, "alias/") || strings.Contains(k, ":alias/"):
		return fmt.Errorf("an alias; give the key id or the key ARN (aliases cannot be resolved from configuration items)")
	case strings.HasPrefix(k, "arn:"):
		if !strings.Contains(k, ":kms:") || !strings.Contains(k, ":key/") {
			return fmt.Errorf("not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)")
		}
	case strings.ContainsAny(k, ":/ "):
		return fmt.Errorf("not a KMS key id or key ARN")
	}
	return nil
}

// sameVolumeKey compares the parameter's key with the volume's: ARNs as a
// whole, and a bare key id with the id part of the volume's key.
func sameVolumeKey(param, volume string) bool {
	if strings.HasPrefix(param, "arn:") && strings.HasPrefix(volume, "arn:") {
		return param == volume
	}
	return volumeKeyID(param) == volumeKeyID(volume)
}

func volumeKeyID(k string) string {
	if i := strings.LastIndex(k, ":key/"); i >= 0 {
		return k[i+len(":key/"):]
	}
	return k
}
