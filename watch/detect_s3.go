package watch

import (
	"errors"
	"fmt"
	"strings"

	"github.com/guardrails-go/guardrails/rules/policy"
)

const s3Source = "s3.amazonaws.com"

func s3Detections() []Detection {
	return []Detection{
		{
			ID:           "s3-bucket-policy-weakened",
			Summary:      "A bucket policy that grants read or write to everyone (CRITICAL), or that no longer denies requests over plain HTTP because it was put without the aws:SecureTransport deny or deleted (MEDIUM).",
			Severity:     Critical,
			EventSource:  s3Source,
			EventNames:   []string{"PutBucketPolicy", "DeleteBucketPolicy"},
			Rules:        []string{"s3-bucket-public-read-prohibited", "s3-bucket-public-write-prohibited", "s3-bucket-ssl-requests-only"},
			Remediations: []string{"s3-block-public-access", "s3-require-tls"},
			judge:        judgeBucketPolicy,
		},
		{
			ID:           "s3-bucket-acl-public",
			Summary:      "A bucket ACL (PutBucketAcl, or CreateBucket with an ACL) that grants AllUsers or AuthenticatedUsers access: anyone, or any AWS account, can read or write.",
			Severity:     Critical,
			EventSource:  s3Source,
			EventNames:   []string{"PutBucketAcl", "CreateBucket"},
			Rules:        []string{"s3-bucket-public-read-prohibited", "s3-bucket-public-write-prohibited"},
			Remediations: []string{"s3-remove-public-acl-grants", "s3-block-public-access"},
			judge:        judgeBucketACL,
		},
		{
			ID:           "s3-bucket-public-access-block-weakened",
			Summary:      "The bucket's Block Public Access settings put with a setting off, or deleted: a public policy or ACL on the bucket is no longer neutralised.",
			Severity:     High,
			EventSource:  s3Source,
			EventNames:   []string{"PutBucketPublicAccessBlock", "DeleteBucketPublicAccessBlock"},
			Rules:        []string{"s3-bucket-level-public-access-prohibited"},
			Remediations: []string{"s3-block-public-access"},
			judge:        judgeBucketPublicAccessBlock,
		},
		{
			ID:           "s3-account-public-access-block-weakened",
			Summary:      "The account-level Block Public Access settings put with a setting off, or deleted: every bucket of the account loses the account-wide guard.",
			Severity:     Critical,
			EventSource:  s3Source,
			EventNames:   []string{"PutAccountPublicAccessBlock", "DeleteAccountPublicAccessBlock"},
			Rules:        []string{"s3-account-level-public-access-blocks-periodic"},
			Remediations: []string{"s3-account-block-public-access"},
			judge:        judgeAccountPublicAccessBlock,
		},
		{
			ID:           "s3-bucket-encryption-deleted",
			Summary:      "The bucket's default encryption configuration deleted.",
			Severity:     Medium,
			EventSource:  s3Source,
			EventNames:   []string{"DeleteBucketEncryption"},
			Rules:        []string{"s3-bucket-server-side-encryption-enabled"},
			Remediations: []string{"s3-enable-default-encryption"},
			judge: func(c *call) (*verdict, error) {
				b, err := c.bucket()
				if err != nil {
					return nil, err
				}
				return bucketVerdict(c, b, Medium, fmt.Sprintf("Default encryption of bucket %s deleted.", b),
					[]string{"s3-bucket-server-side-encryption-enabled"}, "s3-enable-default-encryption"), nil
			},
		},
		{
			ID:           "s3-bucket-versioning-suspended",
			Summary:      "Versioning suspended on a bucket: objects overwritten or deleted from now on keep no earlier version.",
			Severity:     Medium,
			EventSource:  s3Source,
			EventNames:   []string{"PutBucketVersioning"},
			Rules:        []string{"s3-bucket-versioning-enabled"},
			Remediations: []string{"s3-enable-versioning"},
			judge:        judgeVersioning,
		},
		{
			ID:           "s3-bucket-logging-disabled",
			Summary:      "Server access logging turned off on a bucket (PutBucketLogging without LoggingEnabled).",
			Severity:     Medium,
			EventSource:  s3Source,
			EventNames:   []string{"PutBucketLogging"},
			Rules:        []string{"s3-bucket-logging-enabled"},
			Remediations: []string{"s3-enable-access-logging"},
			judge:        judgeLogging,
		},
		{
			ID:          "s3-bucket-deleted",
			Summary:     "A bucket deleted. It was empty (S3 refuses to delete a bucket that is not), but its name can now be claimed by anyone, and anything that still writes to it (logs, replication) fails or writes to the new owner.",
			Severity:    Informational,
			EventSource: s3Source,
			EventNames:  []string{"DeleteBucket"},
			judge: func(c *call) (*verdict, error) {
				b, err := c.bucket()
				if err != nil {
					return nil, err
				}
				return bucketVerdict(c, b, Informational, fmt.Sprintf("Bucket %s deleted.", b), nil), nil
			},
		},
	}
}

// bucketVerdict is a verdict about one bucket, its remediations aimed at it.
func bucketVerdict(c *call, bucket string, sev Severity, summary string, rules []string, remediations ...string) *verdict {
	return &verdict{
		severity: sev, summary: summary, rules: rules, remediations: remediations,
		resources: []string{c.bucketARN(bucket)},
		target:    &Target{ResourceType: bucketType, ResourceID: bucket},
	}
}

func judgeBucketPolicy(c *call) (*verdict, error) {
	bucket, err := c.bucket()
	if err != nil {
		return nil, err
	}
	if c.rec.EventName == "DeleteBucketPolicy" {
		return bucketVerdict(c, bucket, Medium,
			fmt.Sprintf("Bucket policy of %s deleted: requests over plain HTTP are no longer denied.", bucket),
			[]string{"s3-bucket-ssl-requests-only"}, "s3-require-tls"), nil
	}
	pv := c.params.get("bucketPolicy")
	if pv.null() {
		return nil, pv.errorf("missing: the policy the call sets is not in the record, so it cannot be judged")
	}
	doc, err := policy.Parse(pv.raw())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pv.path, err)
	}
	var vs []*verdict
	if grants := doc.Public(); len(grants) > 0 {
		var rules []string
		var what []string
		for _, g := range grants {
			if g.Read || g.NotAction {
				rules = appendNew(rules, "s3-bucket-public-read-prohibited")
				what = appendNew(what, "read")
			}
			if g.Write || g.NotAction {
				rules = appendNew(rules, "s3-bucket-public-write-prohibited")
				what = appendNew(what, "write")
			}
		}
		access := strings.Join(what, " and ")
		if access == "" {
			access = "access"
		}
		vs = append(vs, bucketVerdict(c, bucket, Critical,
			fmt.Sprintf("Bucket policy of %s grants %s to everyone: %s.", bucket, access, grants[0]),
			rules, "s3-block-public-access"))
	}
	tls, err := doc.DeniesInsecureTransport(bucket)
	if err != nil {
		return nil, err
	}
	if !tls.Enforced {
		vs = append(vs, bucketVerdict(c, bucket, Medium,
			fmt.Sprintf("Bucket policy of %s does not deny requests over plain HTTP: %s", bucket, sentence(tls.Reason)),
			[]string{"s3-bucket-ssl-requests-only"}, "s3-require-tls"))
	}
	return combine(vs), nil
}

// combine merges verdicts of one detection: the highest severity first.
func combine(vs []*verdict) *verdict {
	ds := make([]*Detection, len(vs))
	_, v := mergeVerdicts(ds, vs)
	return v
}

// sentence ends s with a period.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}

// aclHeaders are the request headers that set an ACL, as CloudTrail
// records them in requestParameters.
func aclHeaders(p value) (map[string][]string, error) {
	headers := make(map[string][]string)
	var err error
	p.members(func(key []byte, m value) bool {
		k := string(key)
		lk := strings.ToLower(k)
		if lk != "x-amz-acl" && !strings.HasPrefix(lk, "x-amz-grant-") {
			return true
		}
		m.path = p.path + "." + k
		headers[k], err = m.strs()
		return err == nil
	})
	return headers, err
}

func judgeBucketACL(c *call) (*verdict, error) {
	if err := c.params.object(); err != nil {
		return nil, err
	}
	headers, err := aclHeaders(c.params)
	if err != nil {
		return nil, err
	}
	acl := &policy.ACL{}
	if len(headers) > 0 {
		if acl, err = policy.ACLFromHeaders(headers); err != nil {
			return nil, fmt.Errorf("requestParameters: %w", err)
		}
	}
	if body := c.params.get("AccessControlPolicy"); !body.null() {
		fromBody, err := policy.ParseACL(c.params.raw())
		if err != nil {
			return nil, fmt.Errorf("requestParameters.AccessControlPolicy: %w", err)
		}
		acl.Grants = append(acl.Grants, fromBody.Grants...)
	} else if len(headers) == 0 && c.rec.EventName == "PutBucketAcl" {
		return nil, c.params.errorf("neither x-amz-acl, x-amz-grant-* nor AccessControlPolicy: the ACL the call sets is not in the record")
	}
	perms := acl.PublicPermissions()
	if len(perms) == 0 {
		return nil, nil
	}
	var rules, names []string
	for _, p := range perms {
		names = append(names, string(p))
		switch p {
		case policy.Read, policy.ReadACP:
			rules = appendNew(rules, "s3-bucket-public-read-prohibited")
		case policy.Write, policy.WriteACP:
			rules = appendNew(rules, "s3-bucket-public-write-prohibited")
		}
	}
	bucket, err := c.bucket()
	if err != nil {
		return nil, err
	}
	who := "everyone"
	for _, g := range acl.PublicGrants() {
		who = "everyone (" + strings.TrimPrefix(g.Grantee.URI, "http://acs.amazonaws.com/groups/global/") + ")"
		break
	}
	return bucketVerdict(c, bucket, Critical,
		fmt.Sprintf("%s makes bucket %s public: its ACL grants %s to %s.", c.rec.EventName, bucket, strings.Join(names, ", "), who),
		rules, "s3-remove-public-acl-grants", "s3-block-public-access"), nil
}

// publicAccessBlockOf reads the configuration a Put*PublicAccessBlock call
// sets; the record must hold it.
func publicAccessBlockOf(c *call) (policy.PublicAccessBlock, error) {
	cfg := c.params.getFold("PublicAccessBlockConfiguration")
	if cfg.null() {
		return policy.PublicAccessBlock{}, cfg.errorf("missing: the settings the call sets are not in the record, so they cannot be judged")
	}
	pab, err := policy.ParsePublicAccessBlock(cfg.raw())
	if err != nil {
		var pe *policy.Error
		if errors.As(err, &pe) && pe.Path != "" {
			return pab, fmt.Errorf("%s.%s: %s", cfg.path, pe.Path, pe.Msg)
		}
		return pab, fmt.Errorf("%s: %w", cfg.path, err)
	}
	return pab, nil
}

func judgeBucketPublicAccessBlock(c *call) (*verdict, error) {
	rules := []string{"s3-bucket-level-public-access-prohibited"}
	if c.rec.EventName == "DeleteBucketPublicAccessBlock" {
		bucket, err := c.bucket()
		if err != nil {
			return nil, err
		}
		return bucketVerdict(c, bucket, High,
			fmt.Sprintf("Block Public Access settings of bucket %s deleted: a public policy or ACL on it now takes effect.", bucket),
			rules, "s3-block-public-access"), nil
	}
	pab, err := publicAccessBlockOf(c)
	if err != nil {
		return nil, err
	}
	if pab.All() {
		return nil, nil
	}
	bucket, err := c.bucket()
	if err != nil {
		return nil, err
	}
	return bucketVerdict(c, bucket, High,
		fmt.Sprintf("Block Public Access of bucket %s put with %s off.", bucket, strings.Join(pab.Off(), ", ")),
		rules, "s3-block-public-access"), nil
}

func judgeAccountPublicAccessBlock(c *call) (*verdict, error) {
	v := &verdict{
		severity:     Critical,
		rules:        []string{"s3-account-level-public-access-blocks-periodic"},
		remediations: []string{"s3-account-block-public-access"},
		resources:    []string{c.accountARN("s3", "")},
		target:       c.accountTarget(),
	}
	if c.rec.EventName == "DeleteAccountPublicAccessBlock" {
		v.summary = fmt.Sprintf("Account-level Block Public Access settings of account %s deleted: no bucket of the account has the account-wide guard.", c.account())
		return v, nil
	}
	pab, err := publicAccessBlockOf(c)
	if err != nil {
		return nil, err
	}
	if pab.All() {
		return nil, nil // reported by the catch-all, at INFORMATIONAL
	}
	v.summary = fmt.Sprintf("Account-level Block Public Access of account %s put with %s off.", c.account(), strings.Join(pab.Off(), ", "))
	return v, nil
}

func judgeVersioning(c *call) (*verdict, error) {
	cfg := c.params.getFold("VersioningConfiguration")
	if err := cfg.object(); err != nil {
		return nil, err
	}
	if cfg.null() {
		return nil, cfg.errorf("missing: the versioning state the call sets is not in the record")
	}
	status, err := cfg.getFold("Status").str()
	if err != nil {
		return nil, err
	}
	switch status {
	case "Enabled", "":
		// "" is a request that only changes MFA delete.
		return nil, nil
	case "Suspended", "Disabled":
		bucket, err := c.bucket()
		if err != nil {
			return nil, err
		}
		return bucketVerdict(c, bucket, Medium,
			fmt.Sprintf("Versioning of bucket %s set to %s: objects overwritten or deleted from now on keep no earlier version.", bucket, status),
			[]string{"s3-bucket-versioning-enabled"}, "s3-enable-versioning"), nil
	}
	return nil, cfg.getFold("Status").errorf("unexpected versioning status %q (want Enabled or Suspended)", status)
}

func judgeLogging(c *call) (*verdict, error) {
	status := c.params.getFold("BucketLoggingStatus")
	if err := status.object(); err != nil {
		return nil, err
	}
	if status.null() {
		return nil, status.errorf("missing: the logging state the call sets is not in the record")
	}
	enabled := status.getFold("LoggingEnabled")
	if err := enabled.object(); err != nil {
		return nil, err
	}
	if !enabled.null() {
		return nil, nil
	}
	bucket, err := c.bucket()
	if err != nil {
		return nil, err
	}
	return bucketVerdict(c, bucket, Medium,
		fmt.Sprintf("Server access logging of bucket %s turned off.", bucket),
		[]string{"s3-bucket-logging-enabled"}, "s3-enable-access-logging"), nil
}
