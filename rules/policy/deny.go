package policy

import (
	"fmt"
	"strings"
)

// A bucketTarget is the bucket a deny check is about.
type bucketTarget struct {
	name      string
	bucketARN string // arn:<partition>:s3:::<name>
	objects   string // arn:<partition>:s3:::<name>/*
}

// resolveBucket accepts a bucket name or ARN. For a bare name the partition is
// taken from the S3 ARNs the policy itself uses (arn:aws-cn:s3:::...), else
// "aws".
func resolveBucket(d *Document, bucket string) (bucketTarget, error) {
	name, partition := bucket, ""
	if rest, ok := strings.CutPrefix(bucket, "arn:"); ok {
		p, n, found := strings.Cut(rest, ":s3:::")
		if !found || p == "" || hasWildcard(p) || strings.ContainsRune(p, ':') {
			return bucketTarget{}, fmt.Errorf("bucket %q: not an S3 bucket ARN (arn:<partition>:s3:::<name>)", bucket)
		}
		name, partition = n, p
	}
	if !validBucketName(name) {
		return bucketTarget{}, fmt.Errorf("bucket %q: not a bucket name", bucket)
	}
	if partition == "" {
		partition = documentPartition(d)
	}
	arn := "arn:" + partition + ":s3:::" + name
	return bucketTarget{name: name, bucketARN: arn, objects: arn + "/*"}, nil
}

// validBucketName accepts current names and the legacy us-east-1 ones
// (upper case, underscores, up to 255 characters); it rejects anything that
// would read as a pattern or an object path.
func validBucketName(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

func documentPartition(d *Document) string {
	for i := range d.Statements {
		st := &d.Statements[i]
		for _, list := range [...][]string{st.Resource, st.NotResource} {
			for _, r := range list {
				rest, ok := strings.CutPrefix(r, "arn:")
				if !ok {
					continue
				}
				if p, _, found := strings.Cut(rest, ":s3:"); found && p != "" && !hasWildcard(p) && !strings.ContainsRune(p, ':') {
					return p
				}
			}
		}
	}
	return "aws"
}

// coversARN reports whether the statement's resources include arn.
func (s *Statement) coversARN(arn string) bool {
	if s.NotResource != nil {
		for _, r := range s.NotResource {
			if matchGlob(r, arn, false) {
				return false
			}
		}
		return true
	}
	for _, r := range s.Resource {
		if matchGlob(r, arn, false) {
			return true
		}
	}
	return false
}

// coversPattern reports whether the statement's resources include every ARN
// that pattern matches.
func (s *Statement) coversPattern(pattern string) bool {
	if s.NotResource != nil {
		for _, r := range s.NotResource {
			if globsIntersect(r, pattern, false) {
				return false
			}
		}
		return true
	}
	for _, r := range s.Resource {
		if globCovers(r, pattern, false) {
			return true
		}
	}
	return false
}

// denyCoverage is what the qualifying Deny statements of a check cover.
type denyCoverage struct {
	statements      []int
	bucket, objects bool
	problems        []string
}

// actionScope is what a Deny must cover: every action matching pattern.
// phrase names it in reasons ("every S3 action (s3:* or *)").
type actionScope struct {
	pattern string
	phrase  string
}

var (
	everyS3Action = actionScope{"s3:*", "every S3 action (s3:* or *)"}
	objectUploads = actionScope{"s3:PutObject", "s3:PutObject"}
)

// checkDeny examines a candidate Deny statement: it must apply to every
// principal and every action of scope, and have no condition other than the
// ones the check accepts (any other condition narrows the deny).
func (c *denyCoverage) checkDeny(i int, st *Statement, t bucketTarget, scope actionScope, accept func(*Condition) bool) bool {
	label := statementLabel(i, st.Sid)
	switch {
	case st.NotPrincipal != nil:
		c.problems = append(c.problems, label+" uses NotPrincipal, so it does not deny every principal")
		return false
	case st.Principal == nil:
		c.problems = append(c.problems, label+" has no Principal element")
		return false
	case !st.Principal.Everyone():
		c.problems = append(c.problems, label+` denies only some principals, not "*"`)
		return false
	case !st.AppliesToAll(scope.pattern):
		if st.NotAction != nil {
			what, _, _ := strings.Cut(scope.phrase, " (")
			c.problems = append(c.problems, label+" excludes "+strings.Join(st.NotAction, ", ")+" through NotAction, so it does not deny "+what)
		} else {
			c.problems = append(c.problems, label+" denies only "+strings.Join(st.Action, ", ")+", not "+scope.phrase)
		}
		return false
	}
	for k := range st.Conditions {
		cond := &st.Conditions[k]
		if !accept(cond) {
			c.problems = append(c.problems, fmt.Sprintf("%s is narrowed by the condition %s %s, so it does not apply to every such request", label, cond.Operator, cond.Key))
			return false
		}
	}
	c.statements = append(c.statements, i)
	if st.coversARN(t.bucketARN) {
		c.bucket = true
	}
	if st.coversPattern(t.objects) {
		c.objects = true
	}
	return true
}

// missing describes which part of the bucket the qualifying statements leave
// out, or "" when they cover both.
func (c *denyCoverage) missing(what string, t bucketTarget) string {
	stmts := make([]string, len(c.statements))
	for k, i := range c.statements {
		stmts[k] = fmt.Sprintf("Statement[%d]", i)
	}
	who := fmt.Sprintf("the %s (%s)", what, strings.Join(stmts, ", "))
	switch {
	case c.bucket && c.objects:
		return ""
	case c.objects:
		return fmt.Sprintf("%s covers the objects %s but not the bucket %s", who, t.objects, t.bucketARN)
	case c.bucket:
		return fmt.Sprintf("%s covers the bucket %s but not its objects %s", who, t.bucketARN, t.objects)
	default:
		return fmt.Sprintf("%s covers neither the bucket %s nor its objects %s", who, t.bucketARN, t.objects)
	}
}

// A TransportCheck says whether a bucket policy refuses requests that do not
// use TLS, and why.
type TransportCheck struct {
	Enforced      bool   // the bucket and its objects are both covered
	CoversBucket  bool   // a qualifying Deny covers arn:...:s3:::bucket
	CoversObjects bool   // a qualifying Deny covers arn:...:s3:::bucket/*
	Statements    []int  // the qualifying Deny statements
	Reason        string // why, fit for an annotation
}

// DeniesInsecureTransport checks that the policy denies requests over plain
// HTTP to the bucket and to all its objects, as the managed rule
// s3-bucket-ssl-requests-only requires. bucket is the bucket's name or ARN.
//
// A Deny qualifies when its principal is "*" (or {"AWS": "*"}), its actions
// cover every S3 action ("s3:*", "*", or a NotAction that excludes no S3
// action), and its only condition is aws:SecureTransport = false under Bool
// or BoolIfExists (the string "false" or the JSON false). A Deny of a subset
// of actions, such as s3:GetObject alone, does not qualify: HTTP requests for
// the other actions would still be allowed. A Deny with any further
// condition does not qualify either. The qualifying statements must cover
// together both arn:<partition>:s3:::bucket and every object
// arn:<partition>:s3:::bucket/* (wildcards count: "arn:aws:s3:::bucket*",
// "arn:aws:s3:::*", "*"); the Reason says which part is missing. An Allow
// conditioned on aws:SecureTransport = true denies nothing and does not count.
//
// The error reports an invalid bucket name or ARN only.
func (d *Document) DeniesInsecureTransport(bucket string) (TransportCheck, error) {
	t, err := resolveBucket(d, bucket)
	if err != nil {
		return TransportCheck{}, err
	}
	var cov denyCoverage
	candidates, allowTrue := 0, -1
	for i := range d.Statements {
		st := &d.Statements[i]
		if st.Effect != Deny {
			if allowTrue < 0 && st.hasSecureTransport("true") {
				allowTrue = i
			}
			continue
		}
		if !st.hasSecureTransport("false") {
			continue
		}
		candidates++
		cov.checkDeny(i, st, t, everyS3Action, (*Condition).insecureTransport)
	}
	res := TransportCheck{
		Enforced:      cov.bucket && cov.objects,
		CoversBucket:  cov.bucket,
		CoversObjects: cov.objects,
		Statements:    cov.statements,
	}
	switch {
	case res.Enforced:
		res.Reason = fmt.Sprintf("%s %s every S3 action to every principal on %s and %s when aws:SecureTransport is false", labels(d, cov.statements), denyVerb(cov.statements), t.bucketARN, t.objects)
	case candidates == 0:
		res.Reason = "no Deny statement with the condition aws:SecureTransport false"
		if allowTrue >= 0 {
			res.Reason += fmt.Sprintf(" (Statement[%d] allows requests with aws:SecureTransport true, which does not deny plain HTTP requests)", allowTrue)
		}
	case len(cov.statements) == 0:
		res.Reason = strings.Join(cov.problems, "; ")
	default:
		res.Reason = cov.missing("aws:SecureTransport deny", t)
		if len(cov.problems) > 0 {
			res.Reason += "; " + strings.Join(cov.problems, "; ")
		}
	}
	return res, nil
}

func labels(d *Document, idx []int) string {
	parts := make([]string, len(idx))
	for k, i := range idx {
		parts[k] = statementLabel(i, d.Statements[i].Sid)
	}
	return strings.Join(parts, " and ")
}

// denyVerb agrees with the statements labels names.
func denyVerb(idx []int) string {
	if len(idx) > 1 {
		return "deny"
	}
	return "denies"
}

// hasSecureTransport reports whether a condition of the statement tests
// aws:SecureTransport with Bool against value.
func (s *Statement) hasSecureTransport(value string) bool {
	for k := range s.Conditions {
		c := &s.Conditions[k]
		if c.CanonicalKey == "aws:securetransport" && c.Test == "Bool" && c.Qualifier == "" && containsFold(c.Values, value) {
			return true
		}
	}
	return false
}

// insecureTransport reports whether the condition holds for requests over
// plain HTTP: aws:SecureTransport is false under Bool or BoolIfExists (the key
// is always present in S3 requests, so IfExists changes nothing).
func (c *Condition) insecureTransport() bool {
	return c.CanonicalKey == "aws:securetransport" && c.Test == "Bool" && c.Qualifier == "" && containsFold(c.Values, "false")
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// A VPCRestriction says whether a bucket policy refuses every request that
// does not come through given VPC endpoints or VPCs.
type VPCRestriction struct {
	Restricted    bool
	Endpoints     []string // aws:SourceVpce values the qualifying Deny statements let through
	VPCs          []string // aws:SourceVpc values they let through
	CoversBucket  bool
	CoversObjects bool
	Statements    []int
	Reason        string
}

// RestrictedToVPC checks, for the custom rule s3-bucket-restricted-to-vpc-endpoint,
// that the policy has a Deny for every principal and every S3 action on the
// bucket and its objects whose only conditions are StringNotEquals (or
// StringNotEqualsIfExists, or the IgnoreCase forms) on aws:SourceVpce or
// aws:SourceVpc. Several keys in one Deny let a request through when any of
// them matches, so the endpoints and VPCs are reported together. When
// both allowedEndpoints and allowedVPCs are empty, any endpoints and VPCs
// are accepted. When either is given, every endpoint the policy lets
// through must be in allowedEndpoints and every VPC in allowedVPCs, an empty
// list admitting none: a VPC exception lets through every endpoint of that
// VPC, so a policy restricted to vpc-1 does not restrict access to the one
// endpoint vpce-1 even when that endpoint is in vpc-1.
//
// The error reports an invalid bucket name or ARN only.
func (d *Document) RestrictedToVPC(bucket string, allowedEndpoints, allowedVPCs []string) (VPCRestriction, error) {
	t, err := resolveBucket(d, bucket)
	if err != nil {
		return VPCRestriction{}, err
	}
	var cov denyCoverage
	var res VPCRestriction
	candidates := 0
	for i := range d.Statements {
		st := &d.Statements[i]
		if st.Effect != Deny || !st.hasVPCCondition() {
			continue
		}
		candidates++
		if cov.checkDeny(i, st, t, everyS3Action, (*Condition).vpcNotEquals) {
			for k := range st.Conditions {
				c := &st.Conditions[k]
				if c.CanonicalKey == "aws:sourcevpce" {
					res.Endpoints = appendUnique(res.Endpoints, c.Values...)
				} else {
					res.VPCs = appendUnique(res.VPCs, c.Values...)
				}
			}
		}
	}
	res.CoversBucket, res.CoversObjects, res.Statements = cov.bucket, cov.objects, cov.statements
	switch {
	case candidates == 0:
		res.Reason = "no Deny statement with a condition on aws:SourceVpce or aws:SourceVpc"
		return res, nil
	case len(cov.statements) == 0:
		res.Reason = strings.Join(cov.problems, "; ")
		return res, nil
	}
	if m := cov.missing("VPC deny", t); m != "" {
		res.Reason = m
		return res, nil
	}
	if len(allowedEndpoints) > 0 || len(allowedVPCs) > 0 {
		if v, ok := outside(res.Endpoints, allowedEndpoints); !ok {
			res.Reason = fmt.Sprintf("the policy lets requests through the VPC endpoint %s, which is not among the allowed endpoints%s", v, noneGiven(allowedEndpoints))
			return res, nil
		}
		if v, ok := outside(res.VPCs, allowedVPCs); !ok {
			res.Reason = fmt.Sprintf("the policy lets requests through the VPC %s, which is not among the allowed VPCs%s", v, noneGiven(allowedVPCs))
			return res, nil
		}
	}
	res.Restricted = true
	var via []string
	if len(res.Endpoints) > 0 {
		via = append(via, "VPC endpoints "+strings.Join(res.Endpoints, ", "))
	}
	if len(res.VPCs) > 0 {
		via = append(via, "VPCs "+strings.Join(res.VPCs, ", "))
	}
	res.Reason = fmt.Sprintf("%s %s every S3 action on %s and %s to requests not coming through %s", labels(d, cov.statements), denyVerb(cov.statements), t.bucketARN, t.objects, strings.Join(via, " or "))
	return res, nil
}

func (s *Statement) hasVPCCondition() bool {
	for k := range s.Conditions {
		switch s.Conditions[k].CanonicalKey {
		case "aws:sourcevpce", "aws:sourcevpc":
			return true
		}
	}
	return false
}

func (c *Condition) vpcNotEquals() bool {
	switch c.CanonicalKey {
	case "aws:sourcevpce", "aws:sourcevpc":
	default:
		return false
	}
	return c.Qualifier == "" && (c.Test == "StringNotEquals" || c.Test == "StringNotEqualsIgnoreCase")
}

// outside returns the first value not in allowed (compared without regard to
// case).
func outside(values, allowed []string) (string, bool) {
	for _, v := range values {
		if !containsFold(allowed, v) {
			return v, false
		}
	}
	return "", true
}

func noneGiven(list []string) string {
	if len(list) == 0 {
		return " (none given)"
	}
	return ""
}

func appendUnique(list []string, values ...string) []string {
	for _, v := range values {
		if !containsFold(list, v) {
			list = append(list, v)
		}
	}
	return list
}
