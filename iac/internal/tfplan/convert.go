package tfplan

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/guardrails-go/guardrails/iac/internal/ci"
	"github.com/guardrails-go/guardrails/iac/internal/value"
)

// mapping turns one resource instance into the builder of an item.
type mapping struct {
	configType string
	build      func(c *conv, r *res) *ci.Builder
}

// companion merges a resource Config records as part of another one.
type companion func(c *conv, r *res) error

var (
	mappings   = map[string]mapping{}
	companions = map[string]companion{}
)

// SupportedTypes lists the Terraform types that produce items or feed
// other items.
func SupportedTypes() []string {
	var out []string
	for t := range mappings {
		out = append(out, t)
	}
	for t := range companions {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

type res struct {
	*Instance
	v    *value.Obj
	errs *value.Errors
}

type conv struct {
	p        *Plan
	builders map[string]*ci.Builder
	res      map[string]*res
	fail     map[string]error
	touched  []func()
}

// Convert turns the plan's resources into configuration items and calls
// yield for each item or per-resource error, in plan order.
func Convert(p *Plan, yield func(*ci.Item, error) bool) {
	c := &conv{p: p, builders: map[string]*ci.Builder{}, res: map[string]*res{}, fail: map[string]error{}}
	for _, err := range p.problems {
		if !yield(nil, &ci.Error{File: p.File, Err: err}) {
			return
		}
	}
	var pending []*res
	for _, in := range p.Instances {
		m, isPrimary := mappings[in.Type]
		_, isCompanion := companions[in.Type]
		if !isPrimary && !isCompanion {
			continue
		}
		errs := &value.Errors{}
		r := &res{Instance: in, v: value.NewObj(in.Values, "", errs), errs: errs}
		c.res[in.Address] = r
		if isPrimary {
			b := m.build(c, r)
			if err := errs.Err(); err != nil {
				c.fail[in.Address] = c.wrap(in, err)
				continue
			}
			b.Type = m.configType
			b.ID = in.Address
			b.File = p.File
			b.Line = in.Line
			b.Path = in.Address
			c.builders[in.Address] = b
		}
		if isCompanion {
			pending = append(pending, r)
		}
	}
	for _, r := range pending {
		undo := c.snapshot()
		err := companions[r.Type](c, r)
		if err == nil {
			err = r.errs.Err()
		}
		if err != nil {
			undo()
			c.fail[r.Address] = c.wrap(r.Instance, err)
		}
	}
	c.res = nil
	for _, in := range p.Instances {
		if b := c.builders[in.Address]; b != nil {
			b.Complete()
		}
	}
	for _, in := range p.Instances {
		if err, bad := c.fail[in.Address]; bad {
			if !yield(nil, err) {
				return
			}
			continue
		}
		b, ok := c.builders[in.Address]
		if !ok {
			continue
		}
		region := c.region(in)
		if b.Region != "" {
			region = b.Region
		}
		item, err := b.Build(p.opts.AccountID, region)
		if err != nil {
			err = c.wrap(in, err)
		}
		delete(c.builders, in.Address)
		in.Values, in.Before = nil, nil
		if !yield(item, err) {
			return
		}
	}
}

func (c *conv) wrap(in *Instance, err error) error {
	e := &ci.Error{File: c.p.File, Line: in.Line, Resource: in.Address, Type: in.Type, Err: err}
	var pe *value.PropertyError
	if errors.As(err, &pe) {
		e.Property, e.Err = pe.Path, errors.New(pe.Msg)
	}
	return e
}

// region is the resource's region: its own (provider 6 sets "region" per
// resource), else the one given.
func (c *conv) region(in *Instance) string {
	if s, ok := in.Values["region"].(string); ok && s != "" {
		return s
	}
	return c.p.opts.Region
}

func (c *conv) account() any {
	if c.p.opts.AccountID != "" {
		return c.p.opts.AccountID
	}
	return value.NewUnknown("account id")
}

func (c *conv) partition() any {
	if c.p.opts.Partition != "" {
		return c.p.opts.Partition
	}
	switch r := c.p.opts.Region; {
	case r == "":
		return value.NewUnknown("partition")
	case strings.HasPrefix(r, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(r, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// computed returns an optional attribute: its planned value (possibly
// unknown), or def when the configuration leaves it out (the provider's or
// AWS's default; see Parse).
func (c *conv) computed(r *res, attr string, def any) (any, bool) {
	v, ok := r.v.Raw(attr)
	if !ok {
		return def, false
	}
	return v, true
}

// target returns the builder of the resource of type typ that a
// companion's attribute designates: through the configuration's
// references, or by a known name equal to the target's nameAttr.
func (c *conv) target(r *res, attr, typ, nameAttr string) (*Instance, *ci.Builder, error) {
	refs := c.p.References(r.Instance, attr)
	if t, ok := c.p.Resolve(r.Instance, refs); ok {
		if t.Type != typ && !(typ == "aws_security_group" && t.Type == "aws_default_security_group") &&
			!(typ == "aws_network_acl" && t.Type == "aws_default_network_acl") {
			return nil, nil, propErr(attr, "references %s, not a %s", t.Address, typ)
		}
		if b := c.builders[t.Address]; b != nil {
			return t, c.touch(b), nil
		}
		if c.fail[t.Address] != nil {
			return nil, nil, propErr(attr, "%s could not be read, see its error", t.Address)
		}
	}
	v, ok := r.v.Raw(attr)
	if !ok {
		return nil, nil, propErr(attr, "is not set")
	}
	if s, isStr := v.(string); isStr {
		s = nameFromARN(s)
		for _, cand := range c.p.Instances {
			if cand.Type != typ && !(typ == "aws_security_group" && cand.Type == "aws_default_security_group") {
				continue
			}
			for _, key := range []string{nameAttr, "id"} {
				if key != "" && cand.Values[key] == s {
					if b := c.builders[cand.Address]; b != nil {
						return cand, c.touch(b), nil
					}
					if c.fail[cand.Address] != nil {
						return nil, nil, propErr(attr, "%s could not be read, see its error", cand.Address)
					}
				}
			}
		}
		return nil, nil, propErr(attr, "%s %q is not in this plan, so its configuration is not known", typ, s)
	}
	if u, isUnknown := v.(value.Unknown); isUnknown {
		return nil, nil, propErr(attr, "is known only after apply (%s) and references no %s of this plan", u.Reason(), typ)
	}
	return nil, nil, propErr(attr, "want a reference to a %s, got %s", typ, value.Kind(v))
}

// nameFromARN returns the name part of an S3 bucket ARN; other values are
// returned as they are.
func nameFromARN(s string) string {
	if strings.HasPrefix(s, "arn:") && strings.Contains(s, ":s3:::") {
		return s[strings.Index(s, ":s3:::")+len(":s3:::"):]
	}
	return s
}

// tags reads "tags" (falling back to "tags_all") into the item's tags.
func tags(r *res, b *ci.Builder) {
	raw, ok := r.v.Raw("tags_all")
	if _, unknown := raw.(value.Unknown); !ok || unknown {
		raw, ok = r.v.Raw("tags")
	}
	m, isMap := raw.(map[string]any)
	if !ok || !isMap {
		return
	}
	b.Tags = map[string]any{}
	for k, v := range m {
		if s, ok := value.AsString(v); ok {
			b.Tags[k] = s
		}
	}
}

// ref returns an id attribute as Config shows it: for a reference to a
// resource of the plan, that resource's address.
func (c *conv) ref(r *res, attr string) any {
	v, ok := r.v.Raw(attr)
	if !ok {
		return nil
	}
	if id, isRef := ci.RefID(v); isRef {
		return id
	}
	return v
}

// refList is ref for list attributes (security group ids, subnet ids):
// elements, or a whole list, that are unknown because they reference
// resources of the plan become those resources' addresses.
func (c *conv) refList(r *res, o *value.Obj, attr string) []any {
	v, ok := o.Strings(attr)
	if !ok {
		return []any{}
	}
	l, isList := v.([]any)
	unknownParts := !isList
	for _, e := range l {
		if _, unknown := e.(value.Unknown); unknown {
			unknownParts = true
		}
	}
	if !unknownParts {
		out := make([]any, len(l))
		for i, e := range l {
			out[i] = ci.Ref(e)
		}
		return out
	}
	var out []any
	for _, e := range l {
		if _, unknown := e.(value.Unknown); !unknown {
			out = append(out, e)
		}
	}
	seen := map[string]bool{}
	var unresolved []string
	for _, ref := range c.p.references(r.Instance, append(pathOf(o), attr)) {
		if t, ok := c.p.Resolve(r.Instance, []string{ref}); ok {
			if !seen[t.Address] {
				seen[t.Address] = true
				out = append(out, t.Address)
			}
		} else if !isPrefixRef(ref) {
			unresolved = append(unresolved, ref)
		}
	}
	if len(out) == 0 || len(unresolved) > 0 {
		reason := r.Address + "." + attr
		if len(unresolved) > 0 {
			reason = unresolved[0]
		}
		out = append(out, value.NewUnknown(reason))
	}
	return out
}

// isPrefixRef reports whether a reference is only the prefix Terraform
// lists beside a longer one (aws_vpc.main beside aws_vpc.main.id).
func isPrefixRef(ref string) bool {
	segs := splitAddress(ref)
	return len(segs) == 2 && segs[0].name != "var" && segs[0].name != "local" && segs[0].name != "module"
}

// pathOf turns an Obj's path ("vpc_config[0]") into expression path steps.
func pathOf(o *value.Obj) []string {
	var out []string
	for _, part := range strings.Split(o.Path(), ".") {
		for part != "" {
			j := strings.IndexByte(part, '[')
			if j < 0 {
				out = append(out, part)
				break
			}
			if j > 0 {
				out = append(out, part[:j])
			}
			k := strings.IndexByte(part, ']')
			if k < j {
				break
			}
			out = append(out, part[j+1:k])
			part = part[k+1:]
		}
	}
	return out
}

// regionOf is the region for ARNs: the resource's, the one given, or unknown.
func (c *conv) regionOf(r *res) any {
	if s := c.region(r.Instance); s != "" {
		return s
	}
	return value.NewUnknown("region")
}

// propErr is an error about the attribute attr.
func propErr(attr, format string, args ...any) error {
	return &value.PropertyError{Path: attr, Msg: fmt.Sprintf(format, args...)}
}

// snapshot starts recording the items a companion touches; the returned
// function restores them. Companions that keep working state (security
// group rules, network ACL entries, a function policy) check their errors
// before adding to it.
func (c *conv) snapshot() func() {
	c.touched = c.touched[:0]
	return func() {
		for _, u := range c.touched {
			u()
		}
	}
}

// touch records b's values before a companion changes them.
func (c *conv) touch(b *ci.Builder) *ci.Builder {
	if b != nil {
		c.touched = append(c.touched, b.Snapshot())
	}
	return b
}

// refTo returns the Config value of an attribute (at path) that may
// designate a resource of type typ of the plan: that resource's address
// (its item id) when the configuration references it or its known name
// (nameAttr) equals the value; the value as it is otherwise.
func (c *conv) refTo(r *res, path []string, v any, typ, nameAttr string) any {
	if t, ok := c.p.Resolve(r.Instance, c.p.references(r.Instance, path)); ok && t.Type == typ {
		return t.Address
	}
	if s, ok := v.(string); ok && s != "" {
		name := nameFromARN(s)
		for _, cand := range c.p.Instances {
			if cand.Type == typ && cand.Values[nameAttr] == name {
				return cand.Address
			}
		}
	}
	return v
}
