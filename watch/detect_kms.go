package watch

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/guardrails-go/guardrails/rules/policy"
)

const kmsSource = "kms.amazonaws.com"

func kmsDetections() []Detection {
	return []Detection{
		{
			ID:           "kms-key-rotation-disabled",
			Summary:      "Automatic rotation of a customer managed KMS key turned off.",
			Severity:     Medium,
			EventSource:  kmsSource,
			EventNames:   []string{"DisableKeyRotation"},
			Rules:        []string{"cmk-backing-key-rotation-enabled"},
			Remediations: []string{"kms-enable-key-rotation"},
			judge: func(c *call) (*verdict, error) {
				return c.keyVerdict(Medium, "Automatic rotation of KMS key %s turned off.",
					[]string{"cmk-backing-key-rotation-enabled"}, "kms-enable-key-rotation")
			},
		},
		{
			ID:          "kms-key-deletion-scheduled",
			Summary:     "A KMS key scheduled for deletion: once deleted, everything encrypted under it is lost for good. It can be cancelled (CancelKeyDeletion) until the date given.",
			Severity:    High,
			EventSource: kmsSource,
			EventNames:  []string{"ScheduleKeyDeletion"},
			Rules:       []string{"kms-cmk-not-scheduled-for-deletion"},
			judge: func(c *call) (*verdict, error) {
				v, err := c.keyVerdict(High, "KMS key %s scheduled for deletion.", []string{"kms-cmk-not-scheduled-for-deletion"})
				if err != nil {
					return nil, err
				}
				days, set, err := c.params.get("pendingWindowInDays").integer()
				if err != nil {
					return nil, err
				}
				if !set {
					days = 30 // the API's default
				}
				v.summary = strings.TrimSuffix(v.summary, ".") + fmt.Sprintf(" in %d days", days)
				if len(c.rec.ResponseElements) > 0 {
					date, _ := c.response().get("deletionDate").str()
					if date != "" {
						v.summary += " (" + date + ")"
					}
				}
				v.summary += "; cancel with CancelKeyDeletion before then."
				return v, nil
			},
		},
		{
			ID:          "kms-key-disabled",
			Summary:     "A KMS key disabled: data encrypted under it cannot be decrypted until it is enabled again.",
			Severity:    Medium,
			EventSource: kmsSource,
			EventNames:  []string{"DisableKey"},
			judge: func(c *call) (*verdict, error) {
				return c.keyVerdict(Medium, "KMS key %s disabled: data encrypted under it cannot be decrypted.", nil)
			},
		},
		{
			ID:          "kms-key-policy-public",
			Summary:     "A key policy (PutKeyPolicy, or CreateKey with a policy) that lets everyone use the key.",
			Severity:    High,
			EventSource: kmsSource,
			EventNames:  []string{"PutKeyPolicy", "CreateKey"},
			judge:       judgeKeyPolicy,
		},
	}
}

var keyIDPattern = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)

// keyOf reads the key a request names (an id, an ARN or an alias) and
// returns its ARN and, when the record says, its key id.
func (c *call) keyOf() (ref, arn, id string, err error) {
	ref, err = requiredStr(c.params.get("keyId"))
	if err != nil {
		return "", "", "", err
	}
	for _, a := range c.recordResources("AWS::KMS::Key") {
		arn = a
	}
	switch {
	case strings.HasPrefix(ref, "arn:"):
		if _, rest, ok := strings.Cut(ref, ":key/"); ok {
			id = rest
		}
		if arn == "" {
			arn = ref
		}
	case keyIDPattern.MatchString(ref):
		id = ref
	}
	if id == "" && arn != "" {
		if _, rest, ok := strings.Cut(arn, ":key/"); ok {
			id = rest
		}
	}
	if arn == "" && id != "" {
		arn = c.arn("kms", "key/"+id)
	}
	return ref, arn, id, nil
}

func (c *call) keyVerdict(sev Severity, format string, rules []string, remediations ...string) (*verdict, error) {
	ref, arn, id, err := c.keyOf()
	if err != nil {
		return nil, err
	}
	v := &verdict{severity: sev, summary: fmt.Sprintf(format, ref), rules: rules, remediations: remediations}
	if arn != "" {
		v.resources = []string{arn}
	}
	if id != "" {
		v.target = &Target{ResourceType: keyType, ResourceID: id}
	} else {
		v.noTarget = fmt.Sprintf("the record names the key as %q, not by its key id", ref)
	}
	return v, nil
}

func judgeKeyPolicy(c *call) (*verdict, error) {
	pv := c.params.get("policy")
	if pv.null() {
		if c.rec.EventName == "CreateKey" {
			return nil, nil // the default key policy: the account only
		}
		return nil, pv.errorf("missing: the key policy the call sets is not in the record, so it cannot be judged")
	}
	doc, err := policy.Parse(pv.raw())
	if err != nil {
		if errors.Is(err, policy.ErrNoDocument) && c.rec.EventName == "CreateKey" {
			return nil, nil
		}
		return nil, fmt.Errorf("%s: %w", pv.path, err)
	}
	grants := doc.Public()
	if len(grants) == 0 {
		return nil, nil
	}
	v := &verdict{severity: High}
	ref := "(new key)"
	if c.rec.EventName == "PutKeyPolicy" {
		var arn string
		if ref, arn, _, err = c.keyOf(); err != nil {
			return nil, err
		}
		if arn != "" {
			v.resources = []string{arn}
		}
	} else {
		v.resources = c.recordResources("AWS::KMS::Key")
		if len(c.rec.ResponseElements) > 0 {
			a, _ := c.response().get("keyMetadata").get("arn").str()
			if a != "" {
				ref = a
				v.resources = appendNew(v.resources, a)
			}
		}
	}
	v.summary = fmt.Sprintf("Key policy of KMS key %s opened to everyone: %s.", ref, grants[0])
	return v, nil
}
