package rules

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
	"github.com/guardrails-go/guardrails/rules/policy"
)

// s3AccountPublicAccessBlockType is the Config resource type of an
// account's S3 Block Public Access settings.
const s3AccountPublicAccessBlockType = "AWS::S3::AccountPublicAccessBlock"

// publicAccessBlocks is shared by the rules that read the account's
// public access block fact; it is keyed by content, so sharing is safe.
var publicAccessBlocks = newParsedFacts(facts.ParsePublicAccessBlock)

// bucketExposure is what a bucket lets everyone do, under the Block Public
// Access settings in force, and why: the one answer to "is this bucket
// public for reads or writes" that s3-bucket-public-read-prohibited,
// s3-bucket-public-write-prohibited and cloudtrail-bucket-protected share.
//
// "Public" is S3's meaning, decided by the shared analyser: a bucket
// policy statement for everyone that no condition pins to fixed accounts,
// networks or sources ([policy.Document.Public]), unless
// RestrictPublicBuckets is on; or an ACL grant to AllUsers or
// AuthenticatedUsers, unless IgnorePublicAcls is on or the bucket disables
// ACLs (BucketOwnerEnforced). The settings in force combine the bucket's
// and the account's (the AWS::S3::AccountPublicAccessBlock item, else the
// s3control-get-public-access-block.json fact); BlockPublicAcls and
// BlockPublicPolicy only refuse new grants, so they do not count.
//
// Reading is s3:Get* and s3:List* in a policy, READ or READ_ACP in an ACL;
// writing is s3:Put*, s3:Delete* and the other actions of
// policy.WriteActions, WRITE or WRITE_ACP in an ACL (whoever may write the
// ACL may grant themselves anything); FULL_CONTROL is both.
type bucketExposure struct {
	read, write access
	// account is the bucket's account, and accountMissing how to supply
	// its Block Public Access settings when they are unknown ("" when
	// known).
	account, accountMissing string
}

// access is one direction (reading or writing) of a bucket's exposure.
type access struct {
	// public says how the bucket is public under the settings known to be
	// in force.
	public []string
	// pending are grants that the bucket's own settings do not stop and
	// that the account's settings, unknown, might.
	pending []string
	// gaps name what is not recorded or not known before deployment and
	// could make the bucket public.
	gaps []string
	// stopped says which grants the settings in force stop, for the
	// annotation of a bucket that is not public.
	stopped []string
}

// judge returns how the bucket is public for the direction, or, when it
// is not known to be, why that cannot be told ("" when it is known not to
// be public).
func (e *bucketExposure) judge(a *access) (public []string, unknown string) {
	switch {
	case len(a.public) > 0:
		return a.public, ""
	case len(a.pending) > 0 && e.account == "":
		return nil, fmt.Sprintf("the item names no account, whose Block Public Access settings would decide, and without them it is public: %s", a.pending[0])
	case len(a.pending) > 0:
		return nil, fmt.Sprintf("the Block Public Access settings of account %s are unknown (give %s or its %s item), and without them it is public: %s",
			e.account, e.accountMissing, s3AccountPublicAccessBlockType, a.pending[0])
	case len(a.gaps) > 0:
		return nil, strings.Join(a.gaps, "; ")
	}
	return nil, ""
}

// notPublicBecause says briefly why a bucket found not public for the
// direction (verb "read" or "write") is not.
func (a *access) notPublicBecause(verb string) string {
	if len(a.stopped) == 0 {
		return fmt.Sprintf("neither its policy nor its ACL lets everyone %s", verb)
	}
	return strings.Join(a.stopped, "; ")
}

// grantClass says which directions a grant opens, and which it may open
// once unknown values are known.
type grantClass struct {
	read, write           bool
	maybeRead, maybeWrite bool
}

// exposureOf decides what the bucket lets everyone do, once per view.
func exposureOf(ctx context.Context, in *evaluate.Input, v *s3View) (*bucketExposure, error) {
	v.exposureMu.Lock()
	defer v.exposureMu.Unlock()
	if v.exposure != nil {
		return v.exposure, nil
	}
	e, err := decideExposure(ctx, in, v)
	if err != nil {
		return nil, err
	}
	v.exposure = e
	return e, nil
}

func decideExposure(ctx context.Context, in *evaluate.Input, v *s3View) (*bucketExposure, error) {
	e := &bucketExposure{account: v.AccountID}
	acct, err := readAccountBlock(ctx, in, v.AccountID)
	if err != nil {
		return nil, err
	}
	if !acct.known {
		e.accountMissing = facts.PublicAccessBlockFile
	}
	ci := v.item

	// settle places a grant, or a possible one, given the setting that
	// would stop it: stopped by the bucket or by the known account
	// settings, stopped or not by a bucket setting unknown before
	// deployment, or waiting on the account's unknown settings.
	settle := func(class grantClass, how, short, setting string, bucketStops bool, unknownSetting string, accountStops bool) {
		if short == "" {
			short = how
		}
		stopper := ""
		switch {
		case bucketStops:
			stopper = "the bucket's " + setting
		case acct.known && accountStops:
			stopper = fmt.Sprintf("the %s of account %s", setting, e.account)
		}
		for _, d := range []struct {
			a           *access
			open, maybe bool
		}{{&e.read, class.read, class.maybeRead}, {&e.write, class.write, class.maybeWrite}} {
			switch {
			case !d.open && !d.maybe:
			case stopper != "":
				d.a.stopped = append(d.a.stopped, fmt.Sprintf("%s, but %s stops it", short, stopper))
			case d.maybe || unknownSetting != "":
				gap := how
				if unknownSetting != "" && !d.maybe {
					gap = fmt.Sprintf("%s, unless %s stops it (not known before deployment)", how, unknownSetting)
				}
				d.a.gaps = append(d.a.gaps, gap)
			case !acct.known:
				d.a.pending = append(d.a.pending, how)
			default:
				d.a.public = append(d.a.public, how)
			}
		}
	}
	restrictUnknown := ci.UnknownAt(s3BlockPath + ".restrictPublicBuckets")
	ignoreUnknown := ci.UnknownAt(s3BlockPath + ".ignorePublicAcls")

	// The policy.
	state, unknown, err := v.policyStatus()
	if err != nil {
		return nil, err
	}
	policyStopped := v.bucketBlock.RestrictPublicBuckets
	switch state {
	case policyUnknown:
		settle(grantClass{maybeRead: true, maybeWrite: true}, unknown, "", "RestrictPublicBuckets", policyStopped, "", acct.settings.RestrictPublicBuckets)
	case policyPresent:
		for _, g := range v.doc.Public() {
			u := v.unknownStmts[g.Statement]
			class := grantClass{read: g.Read, write: g.Write}
			how := "policy " + v.showName(g.String())
			short := fmt.Sprintf("policy Statement[%d] grants %s to everyone", g.Statement, strings.Join(g.Actions, ", "))
			if g.NotAction {
				short = fmt.Sprintf("policy Statement[%d] grants every action but %s to everyone", g.Statement, strings.Join(g.Actions, ", "))
			}
			switch {
			case u.condition:
				class = grantClass{maybeRead: true, maybeWrite: true}
				how = fmt.Sprintf("policy %s may allow everyone: its conditions are not known before deployment", v.statementPath(g.Statement))
			case u.action && (!g.Read || !g.Write):
				maybe := grantClass{maybeRead: !g.Read, maybeWrite: !g.Write}
				settle(maybe, fmt.Sprintf("policy %s allows everyone actions not known before deployment", v.statementPath(g.Statement)), short,
					"RestrictPublicBuckets", policyStopped, restrictUnknown, acct.settings.RestrictPublicBuckets)
			}
			settle(class, how, short, "RestrictPublicBuckets", policyStopped, restrictUnknown, acct.settings.RestrictPublicBuckets)
		}
		// An Allow whose principal is not known before deployment is
		// public if the principal turns out to be everyone and no
		// condition pins it.
		for i := range v.doc.Statements {
			st := v.doc.Statements[i]
			if st.Effect != policy.Allow || !v.unknownStmts[i].principal || st.NotPrincipal != nil {
				continue
			}
			st.Principal = &policy.Principal{Wildcard: true}
			probe, err := policy.NewDocument(st)
			if err != nil || len(probe.Public()) == 0 {
				continue
			}
			g := probe.Public()[0]
			how := fmt.Sprintf("policy %s may allow everyone: its principal is not known before deployment", v.statementPath(i))
			maybeAll := v.unknownStmts[i].action
			settle(grantClass{maybeRead: g.Read || maybeAll, maybeWrite: g.Write || maybeAll}, how, "", "RestrictPublicBuckets", policyStopped, "", acct.settings.RestrictPublicBuckets)
		}
	}

	// The ACL.
	ownershipUnknown := unknownUnder(ci, s3OwnershipPath, ".bucketName")
	if v.ACLsDisabled() && ownershipUnknown == "" {
		// The ACL grants nothing; say so of any public grant it holds.
		if v.acl != nil {
			for _, g := range v.acl.PublicGrants() {
				settle(aclGrantClass(g.Permission), fmt.Sprintf("ACL grants %s to %s", g.Permission, path.Base(g.Grantee.URI)), "",
					"Object Ownership BucketOwnerEnforced", true, "", false)
			}
		}
		return e, nil
	}
	aclStopped := v.bucketBlock.IgnorePublicAcls
	maybe := grantClass{maybeRead: true, maybeWrite: true}
	switch {
	case v.ACL == nil && ci.UnknownAt(s3ACLPath) != "":
		settle(maybe, "its ACL is not known before deployment", "", "IgnorePublicAcls", aclStopped, "", acct.settings.IgnorePublicAcls)
	case v.ACL == nil:
		settle(maybe, "Config recorded no AccessControlList for it", "", "IgnorePublicAcls", aclStopped, "", acct.settings.IgnorePublicAcls)
	case v.aclErr != nil:
		if u := unknownUnder(ci, s3ACLPath); u != "" {
			settle(maybe, fmt.Sprintf("its ACL holds values not known before deployment (%s)", u), "", "IgnorePublicAcls", aclStopped, "", acct.settings.IgnorePublicAcls)
			break
		}
		return nil, v.aclErr
	default:
		for _, g := range v.acl.PublicGrants() {
			class := aclGrantClass(g.Permission)
			how := fmt.Sprintf("ACL grants %s to %s", g.Permission, path.Base(g.Grantee.URI))
			if ownershipUnknown != "" {
				class = grantClass{maybeRead: class.read, maybeWrite: class.write}
				how += fmt.Sprintf(", unless the ownership controls disable ACLs (%s, not known before deployment)", ownershipUnknown)
			}
			settle(class, how, "", "IgnorePublicAcls", aclStopped, ignoreUnknown, acct.settings.IgnorePublicAcls)
		}
	}
	return e, nil
}

// aclGrantClass says which directions an ACL permission opens.
func aclGrantClass(p policy.Permission) grantClass {
	switch p {
	case policy.Read, policy.ReadACP:
		return grantClass{read: true}
	case policy.Write, policy.WriteACP:
		return grantClass{write: true}
	}
	return grantClass{read: true, write: true}
}

// accountBlock is an account's Block Public Access settings, as far as
// they are known.
type accountBlock struct {
	settings policy.PublicAccessBlock
	// known says whether the item or the fact told; exists whether the
	// account has settings at all (none is the same as all off).
	known, exists bool
	// unknown says why the settings are not known.
	unknown string
}

// readAccountBlock returns the account's Block Public Access settings: the
// AWS::S3::AccountPublicAccessBlock item, or else the
// s3control-get-public-access-block.json fact, whose
// NoSuchPublicAccessBlockConfiguration error means the account has none.
// A lookup or fact that cannot tell leaves them unknown; an item or fact
// that does not parse is an error.
func readAccountBlock(ctx context.Context, in *evaluate.Input, account string) (accountBlock, error) {
	items, err := in.Lookup.Resources(ctx, evaluate.Query{ResourceType: s3AccountPublicAccessBlockType, AccountID: account})
	if err != nil && !errors.Is(err, evaluate.ErrUnknown) {
		return accountBlock{}, err
	}
	var latest *evaluate.ConfigurationItem
	for _, ci := range items {
		if ci.AccountID == account && (latest == nil || ci.CaptureTime.After(latest.CaptureTime)) {
			latest = ci
		}
	}
	if latest != nil {
		if u := latest.UnknownUnder("configuration"); u != "" {
			return accountBlock{unknown: fmt.Sprintf("the %s of account %s is not known before deployment (%s)", s3AccountPublicAccessBlockType, account, u)}, nil
		}
		p, err := policy.ParsePublicAccessBlock(latest.Configuration)
		if err != nil {
			return accountBlock{}, fmt.Errorf("%s of account %s: configuration: %w", s3AccountPublicAccessBlockType, account, err)
		}
		return accountBlock{settings: p, known: true, exists: true}, nil
	}
	if account == "" {
		return accountBlock{unknown: "the bucket's account is not known"}, nil
	}
	data, err := in.Lookup.Fact(ctx, account, "", facts.PublicAccessBlockFile)
	if err == nil {
		var f *facts.PublicAccessBlock
		if f, err = publicAccessBlocks.get(data); err == nil {
			return accountBlock{known: true, exists: true, settings: policy.PublicAccessBlock{
				BlockPublicAcls: f.BlockPublicAcls, IgnorePublicAcls: f.IgnorePublicAcls,
				BlockPublicPolicy: f.BlockPublicPolicy, RestrictPublicBuckets: f.RestrictPublicBuckets,
			}}, nil
		}
	}
	switch {
	case errors.Is(err, evaluate.ErrNotFound):
		return accountBlock{known: true}, nil
	case errors.Is(err, evaluate.ErrUnknown):
		return accountBlock{unknown: reason(err)}, nil
	}
	return accountBlock{}, err
}
