package rules

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/policy"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// s3Rules is the S3 family.
func s3Rules() []evaluate.Rule {
	return []evaluate.Rule{
		S3BucketServerSideEncryptionEnabled(),
		S3DefaultEncryptionKMS(),
		S3BucketSSLRequestsOnly(),
		S3BucketPublicReadProhibited(),
		S3BucketPublicWriteProhibited(),
		S3BucketLevelPublicAccessProhibited(),
		S3AccountLevelPublicAccessBlocksPeriodic(),
		S3BucketVersioningEnabled(),
		S3BucketLoggingEnabled(),
		S3BucketPolicyGranteeCheck(),
		S3BucketPolicyNotMorePermissive(),
		S3BucketACLProhibited(),
		S3BucketBlacklistedActionsProhibited(),
		S3BucketRestrictedToVPCEndpoint(),
	}
}

// The supplementary paths the family reads, as IaC items name their
// unknown values.
const (
	s3PolicyPath     = "supplementaryConfiguration.BucketPolicy.policyText"
	s3ACLPath        = "supplementaryConfiguration.AccessControlList"
	s3BlockPath      = "supplementaryConfiguration.PublicAccessBlockConfiguration"
	s3OwnershipPath  = "supplementaryConfiguration.BucketOwnershipControls"
	s3EncryptionPath = "supplementaryConfiguration.ServerSideEncryptionConfiguration"
	s3VersioningPath = "supplementaryConfiguration.BucketVersioningConfiguration"
	s3LoggingPath    = "supplementaryConfiguration.BucketLoggingConfiguration"
)

// unknownMark starts every placeholder an IaC item holds for a value known
// only after deployment ("${unknown:Key.Arn}").
const unknownMark = "${unknown:"

// nameStandIn replaces a bucket name that is not known before deployment
// (a CloudFormation bucket without BucketName) wherever the bucket's own
// policy names it, so that "arn:aws:s3:::${unknown:Logs}/*" is read as the
// bucket's objects, which it is.
const nameStandIn = "bucket-name-known-after-deployment"

// s3View is a bucket with its policy and ACL parsed, decoded once per item
// for all the family's rules. A policy or ACL that does not parse is kept as
// an error for the rules that read it, so that one malformed policy does
// not stop the versioning rule.
type s3View struct {
	*resource.S3Bucket
	item *evaluate.ConfigurationItem
	// policyName is the name the policy decisions are asked about: the
	// bucket's name, or nameStandIn when the name is unknown.
	policyName string
	// doc is the parsed policy; nil when the bucket has none.
	doc       *policy.Document
	policyErr error
	// unknownStmts maps the index of each statement holding values known
	// only after deployment to what is unknown in it.
	unknownStmts map[int]stmtUnknowns
	acl          *policy.ACL
	aclErr       error
	// bucketBlock is the bucket's own Block Public Access settings.
	bucketBlock policy.PublicAccessBlock
	// exposure is what the bucket lets everyone do, once decided for the
	// input (the public read and write rules both ask). A view is shared
	// between goroutines when it comes from a lookup (Related), so
	// exposureMu guards it.
	exposureMu sync.Mutex
	exposure   *bucketExposure
}

// stmtUnknowns says which parts of a statement are not known before
// deployment.
type stmtUnknowns struct {
	principal, action, resource, condition bool
}

func (u stmtUnknowns) any() bool { return u.principal || u.action || u.resource || u.condition }

var s3Views = evaluate.NewModel(resource.S3BucketType, decodeS3View)

// s3ViewOf returns the input's bucket view, decoded once per item.
func s3ViewOf(in *evaluate.Input) (*s3View, error) { return s3Views.Of(in) }

func decodeS3View(ci *evaluate.ConfigurationItem) (*s3View, error) {
	b, err := resource.DecodeS3Bucket(ci)
	if err != nil {
		return nil, err
	}
	v := &s3View{S3Bucket: b, item: ci, policyName: b.Name}
	nameUnknown := strings.Contains(b.Name, unknownMark)
	if nameUnknown {
		v.policyName = nameStandIn
	}
	if p := b.PublicAccessBlock; p != nil {
		v.bucketBlock = policy.PublicAccessBlock{
			BlockPublicAcls: p.BlockPublicAcls.True(), IgnorePublicAcls: p.IgnorePublicAcls.True(),
			BlockPublicPolicy: p.BlockPublicPolicy.True(), RestrictPublicBuckets: p.RestrictPublicBuckets.True(),
		}
	}
	if b.Policy != "" {
		v.doc, v.policyErr = policy.Parse([]byte(b.Policy))
		switch {
		case errors.Is(v.policyErr, policy.ErrNoDocument):
			v.doc, v.policyErr = nil, nil
		case v.policyErr != nil:
			v.policyErr = fmt.Errorf("%s: %w", s3PolicyPath, v.policyErr)
		default:
			v.unknownStmts = markUnknowns(v.doc, b.Name, nameUnknown)
		}
	}
	if b.ACL != nil {
		v.acl, v.aclErr = policy.ParseACL(b.ACL)
		if v.aclErr != nil {
			v.aclErr = fmt.Errorf("%s: %w", s3ACLPath, v.aclErr)
		}
	}
	return v, nil
}

// markUnknowns replaces the bucket's unknown name by the stand-in in the
// places a policy names resources, and reports the statements that still
// hold placeholders.
func markUnknowns(doc *policy.Document, name string, nameUnknown bool) map[int]stmtUnknowns {
	var out map[int]stmtUnknowns
	replace := func(list []string) bool {
		found := false
		for i, s := range list {
			if nameUnknown {
				s = strings.ReplaceAll(s, name, nameStandIn)
				list[i] = s
			}
			if strings.Contains(s, unknownMark) {
				found = true
			}
		}
		return found
	}
	for i := range doc.Statements {
		st := &doc.Statements[i]
		var u stmtUnknowns
		for _, p := range []*policy.Principal{st.Principal, st.NotPrincipal} {
			if p == nil {
				continue
			}
			for _, list := range [][]string{p.AWS, p.Service, p.Federated, p.CanonicalUser} {
				u.principal = replace(list) || u.principal
			}
		}
		u.action = replace(st.Action) || u.action
		u.action = replace(st.NotAction) || u.action
		u.resource = replace(st.Resource) || u.resource
		u.resource = replace(st.NotResource) || u.resource
		for k := range st.Conditions {
			u.condition = replace(st.Conditions[k].Values) || u.condition
		}
		if u.any() {
			if out == nil {
				out = map[int]stmtUnknowns{}
			}
			out[i] = u
		}
	}
	return out
}

// policyState is what a rule can say about the bucket's policy before
// reading it: present (doc set), absent, or not known.
type policyState int

const (
	policyPresent policyState = iota
	policyAbsent
	policyUnknown
)

// policyStatus tells whether the bucket has a policy. unknown names what
// is missing when the state is policyUnknown; err is a policy that does not
// parse (unless its text holds values unknown before deployment, which
// makes it unknown instead).
func (v *s3View) policyStatus() (state policyState, unknown string, err error) {
	if u := v.item.UnknownAt(s3PolicyPath); u != "" {
		return policyUnknown, fmt.Sprintf("its policy is not known before deployment (%s)", u), nil
	}
	if v.policyErr != nil {
		if u := v.item.UnknownUnder(s3PolicyPath); u != "" {
			return policyUnknown, fmt.Sprintf("its policy holds values not known before deployment (%s)", u), nil
		}
		return 0, "", v.policyErr
	}
	switch {
	case v.doc != nil:
		return policyPresent, "", nil
	case !v.PolicyRecorded:
		return policyUnknown, "Config recorded no BucketPolicy for it", nil
	}
	return policyAbsent, "", nil
}

// unknownStatement names the first statement among idx whose parts named
// by want are not known before deployment, or "".
func (v *s3View) unknownStatement(want func(stmtUnknowns) bool, idx ...int) string {
	for _, i := range idx {
		if u, ok := v.unknownStmts[i]; ok && want(u) {
			return v.statementPath(i)
		}
	}
	return ""
}

// anyUnknownStatement names the first statement of the given effect (""
// for any) holding parts named by want that are not known before
// deployment, or "".
func (v *s3View) anyUnknownStatement(effect policy.Effect, want func(stmtUnknowns) bool) string {
	for i := range v.doc.Statements {
		if effect != "" && v.doc.Statements[i].Effect != effect {
			continue
		}
		if s := v.unknownStatement(want, i); s != "" {
			return s
		}
	}
	return ""
}

func (v *s3View) statementPath(i int) string {
	return fmt.Sprintf("%s.Statement[%d]", s3PolicyPath, i)
}

// showName puts the bucket's unknown name back into a reason the analyser
// wrote about the stand-in.
func (v *s3View) showName(reason string) string {
	if v.policyName == nameStandIn {
		return strings.ReplaceAll(reason, nameStandIn, v.Name)
	}
	return reason
}

// bucketARN is the bucket's ARN in its partition, for the policy
// decisions.
func (v *s3View) bucketARN() string {
	partition := "aws"
	if rest, ok := strings.CutPrefix(v.ARN, "arn:"); ok {
		if p, _, found := strings.Cut(rest, ":"); found && p != "" && !strings.Contains(p, unknownMark) {
			partition = p
		}
	}
	return "arn:" + partition + ":s3:::" + v.policyName
}

// unknownUnder returns the first unknown path under p that is not one of
// the ignored members (compared by their last element, e.g. ".id"), or "".
func unknownUnder(ci *evaluate.ConfigurationItem, p string, ignore ...string) string {
	for _, u := range ci.Unknown {
		if u != p && !strings.HasPrefix(u, p+".") && !strings.HasPrefix(u, p+"[") && !strings.HasPrefix(p, u+".") && !strings.HasPrefix(p, u+"[") {
			continue
		}
		skip := false
		for _, suffix := range ignore {
			if strings.HasSuffix(u, suffix) {
				skip = true
				break
			}
		}
		if !skip {
			return u
		}
	}
	return ""
}

// findingsText joins findings for an annotation, the bucket's unknown name
// shown as itself.
func (v *s3View) findingsText(fs []policy.Finding) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = v.showName(f.String())
	}
	return strings.Join(parts, "; ")
}

// isAccountID reports whether s is a 12-digit account id.
func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// joinList joins the first few values for an annotation.
func joinList(list []string) string {
	const most = 5
	if len(list) > most {
		return strings.Join(list[:most], ", ") + fmt.Sprintf(" and %d more", len(list)-most)
	}
	return strings.Join(list, ", ")
}
