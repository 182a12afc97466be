package watch

import (
	"context"
	"fmt"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
)

// call is one record being judged, with the helpers detections share.
type call struct {
	ctx    context.Context
	rec    *Record
	params value
	rules  func(id string) (evaluate.Rule, bool)
}

func newCall(ctx context.Context, rec *Record, rules func(string) (evaluate.Rule, bool)) (*call, error) {
	p, err := paramsOf(rec)
	if err != nil {
		return nil, err
	}
	return &call{ctx: ctx, rec: rec, params: p, rules: rules}, nil
}

// response returns the record's response elements for reading; absent
// when the record has none or they are not JSON (they only add detail).
func (c *call) response() value {
	return rawValueOf(c.rec.ResponseElements, "responseElements")
}

// partition is the ARN partition of the call: from the caller's ARN when
// it has one, else from the region.
func (c *call) partition() string {
	if p, ok := strings.CutPrefix(c.rec.UserIdentity.ARN, "arn:"); ok {
		if part, _, found := strings.Cut(p, ":"); found && strings.HasPrefix(part, "aws") {
			return part
		}
	}
	r := c.rec.AWSRegion
	switch {
	case strings.HasPrefix(r, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(r, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

func (c *call) account() string { return c.rec.AccountID() }

// arn builds an ARN in the call's partition, region and account.
func (c *call) arn(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", c.partition(), service, c.rec.AWSRegion, c.account(), resource)
}

func (c *call) bucketARN(bucket string) string {
	return "arn:" + c.partition() + ":s3:::" + bucket
}

// recordResources returns the ARNs of the record's resources of a type
// ("" for all).
func (c *call) recordResources(typ string) []string {
	var out []string
	for _, r := range c.rec.Resources {
		if r.ARN != "" && (typ == "" || r.Type == typ) {
			out = appendNew(out, r.ARN)
		}
	}
	return out
}

// requiredStr reads a string parameter the judgement needs.
func requiredStr(v value) (string, error) {
	s, err := v.str()
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", v.errorf("missing: the request cannot be judged without it")
	}
	return s, nil
}

// bucket reads the bucket a request names.
func (c *call) bucket() (string, error) {
	return requiredStr(c.params.get("bucketName"))
}

// accountARN names an account-level setting, which has no ARN of its own,
// as package remediate names it: arn:<partition>:<service>:<region>:<account>:account
// (region empty for global services).
func (c *call) accountARN(service, region string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:account", c.partition(), service, region, c.account())
}

// accountTarget targets the account the call acted in.
func (c *call) accountTarget() *Target {
	if c.account() == "" {
		return nil
	}
	return &Target{ResourceType: accountType, ResourceID: c.account()}
}
