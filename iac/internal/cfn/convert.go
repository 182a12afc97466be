package cfn

import (
	"errors"

	"fmt"
	"go.yaml.in/yaml/v3"
	"sort"
	"strconv"
	"strings"

	"github.com/guardrails-go/guardrails/iac/internal/ci"
	"github.com/guardrails-go/guardrails/iac/internal/value"
)

// mapping turns one resource into the builder of a configuration item.
type mapping struct {
	configType string
	build      func(c *conv, r *res) *ci.Builder
}

// companion merges a resource that Config records as part of another one
// (a bucket policy, a security group rule) into that one's builder.
type companion func(c *conv, r *res) error

// mappings by CloudFormation type; filled by the per-service files.
var mappings = map[string]mapping{}

// companions by CloudFormation type; they run after every mapping.
var companions = map[string]companion{}

// SupportedTypes lists the CloudFormation types that produce items or feed
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

// res is a resource being converted.
type res struct {
	*Resource
	props *value.Obj
	errs  *value.Errors
}

type conv struct {
	t        *Template
	builders map[string]*ci.Builder
	res      map[string]*res
	// names indexes the physical names the template sets, by type, so that
	// companions that reference a resource by name find it.
	names map[string]map[string]string
	fail  map[string]error
	// touched restores the items the running companion changed.
	touched []func()
}

// Convert turns the template's resources into configuration items and
// calls yield for each item or per-resource error, in file order.
func Convert(t *Template, yield func(*ci.Item, error) bool) {
	c := &conv{
		t:        t,
		builders: map[string]*ci.Builder{},
		res:      map[string]*res{},
		names:    map[string]map[string]string{},
		fail:     map[string]error{},
	}
	// Index the names the template gives, so that a reference by name
	// (a log bucket's name) is known to designate a resource of the file.
	for _, r := range t.order {
		if _, named := nameProperty[r.Type]; named && r.node.Kind == yaml.MappingNode {
			if ok, err := t.Deployed(r); err == nil && ok {
				if name, err := t.name(r); err == nil {
					c.nameIs(r.Type, name, r.LogicalID)
				}
			}
		}
	}
	var pending []*res
	for _, r := range t.order {
		m, isPrimary := mappings[r.Type]
		_, isCompanion := companions[r.Type]
		if err := t.Check(r); err != nil {
			c.fail[r.LogicalID] = c.wrap(r, err)
			continue
		}
		if !isPrimary && !isCompanion {
			continue
		}
		ok, err := t.Deployed(r)
		if err != nil {
			c.fail[r.LogicalID] = c.wrap(r, err)
			continue
		}
		if !ok {
			continue
		}
		props, err := t.Properties(r)
		if err != nil {
			c.fail[r.LogicalID] = c.wrap(r, err)
			continue
		}
		errs := &value.Errors{}
		rr := &res{Resource: r, props: value.NewObj(props, "", errs), errs: errs}
		c.res[r.LogicalID] = rr
		if isPrimary {
			b := m.build(c, rr)
			if err := errs.Err(); err != nil {
				c.fail[r.LogicalID] = c.wrap(r, err)
				continue
			}
			b.Type = m.configType
			b.ID = r.LogicalID
			b.File = t.File
			b.Line = r.Line
			b.Path = "Resources." + r.LogicalID
			c.builders[r.LogicalID] = b
		}
		if isCompanion {
			pending = append(pending, rr)
		} else {
			t.forget(r)
		}
	}
	for _, rr := range pending {
		if c.fail[rr.LogicalID] != nil {
			continue
		}
		undo := c.snapshot()
		err := companions[rr.Type](c, rr)
		if err == nil {
			err = rr.errs.Err()
		}
		if err != nil {
			undo()
			c.fail[rr.LogicalID] = c.wrap(rr.Resource, err)
		}
	}
	// Every value is resolved and merged: let the YAML tree and the
	// resolved properties go before the items are rendered.
	t.release()
	c.res = nil
	for _, r := range t.order {
		if b := c.builders[r.LogicalID]; b != nil {
			b.Complete()
		}
	}
	for _, r := range t.order {
		if err, bad := c.fail[r.LogicalID]; bad {
			if !yield(nil, err) {
				return
			}
			continue
		}
		b, ok := c.builders[r.LogicalID]
		if !ok {
			continue
		}
		region := t.opts.Region
		if b.Region != "" {
			region = b.Region
		}
		item, err := b.Build(t.opts.AccountID, region)
		if err != nil {
			err = &ci.Error{File: t.File, Line: r.Line, Resource: r.LogicalID, Type: r.Type, Err: err}
		}
		delete(c.builders, r.LogicalID)
		if !yield(item, err) {
			return
		}
	}
}

// wrap turns an error about r into a ci.Error with its line and property.
func (c *conv) wrap(r *Resource, err error) error {
	e := &ci.Error{File: c.t.File, Line: r.Line, Resource: r.LogicalID, Type: r.Type, Err: err}
	if line, path, msg, ok := ErrorLine(err); ok {
		if line > 0 {
			e.Line = line
		}
		e.Property, e.Err = path, errors.New(msg)
		return e
	}
	var pe *value.PropertyError
	if errors.As(err, &pe) {
		e.Line = c.t.LineOf(r, pe.Path)
		e.Property, e.Err = pe.Path, errors.New(pe.Msg)
	}
	return e
}

// nameIs records that the resource id of CloudFormation type typ has the
// physical name v, when v is known.
//
// Names built from unknown parts are indexed by their text: the same
// expression (a Sub of the same parameters) names the same resource.
func (c *conv) nameIs(typ string, v any, id string) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case value.Unknown:
		if len(x.Reasons) == 1 && x.Reasons[0] == id {
			return // a name CloudFormation generates
		}
		s = x.Text
	}
	if s == "" {
		return
	}
	if c.names[typ] == nil {
		c.names[typ] = map[string]string{}
	}
	c.names[typ][s] = id
}

// target returns the id and builder of the resource of type typ that a
// companion's property value designates: a Ref/GetAtt of the resource, or
// its physical name. extract, if set, turns an ARN into a name first.
func (c *conv) target(r *res, key string, typ string, extract func(string) string) (string, *ci.Builder, error) {
	v, ok := r.props.Raw(key)
	if !ok {
		return "", nil, &value.PropertyError{Path: key, Msg: "is required"}
	}
	return c.targetOf(v, key, typ, extract)
}

func (c *conv) targetOf(v any, key string, typ string, extract func(string) string) (string, *ci.Builder, error) {
	if u, ok := v.(value.Unknown); ok {
		text := u.Text
		if extract != nil {
			text = masked(text, extract)
		}
		if id, named := c.names[typ][text]; named {
			return c.found(id, key)
		}
		// A value built from the generated name of one resource of the
		// right type designates that resource.
		var found string
		for _, reason := range u.Reasons {
			if r := c.t.resources[reason]; r != nil && r.Type == typ {
				if found != "" {
					found = ""
					break
				}
				found = reason
			}
		}
		if b := c.builders[found]; b != nil {
			return found, c.touch(b), nil
		}
	}
	if id, ok := ci.RefID(v); ok {
		b, found := c.builders[id]
		if !found || c.t.resources[id].Type != typ {
			if c.fail[id] != nil {
				return "", nil, &value.PropertyError{Path: key, Msg: fmt.Sprintf("%s could not be read, see its error", id)}
			}
			return "", nil, &value.PropertyError{Path: key, Msg: fmt.Sprintf("%s is not a %s of this template", id, typ)}
		}
		return id, c.touch(b), nil
	}
	switch s := v.(type) {
	case string:
		name := s
		if extract != nil {
			name = extract(s)
		}
		if id, ok := c.names[typ][name]; ok {
			return c.found(id, key)
		}
		return "", nil, &value.PropertyError{Path: key, Msg: fmt.Sprintf("%s %q is not created by this template, so its configuration is not known", typ, s)}
	case value.Unknown:
		return "", nil, &value.PropertyError{Path: key, Msg: fmt.Sprintf("which %s is not known before deployment (%s)", typ, s.Reason())}
	}
	return "", nil, &value.PropertyError{Path: key, Msg: fmt.Sprintf("want a reference to a %s, got %s", typ, value.Kind(v))}
}

// tags reads a Tags property ([{Key, Value}]) into the item's tags.
func tags(r *res, b *ci.Builder) {
	list, ok := r.props.Objs("Tags")
	if !ok {
		return
	}
	b.Tags = map[string]any{}
	for _, t := range list {
		k, kok := t.String("Key")
		v, _ := t.String("Value")
		if ks, isStr := k.(string); kok && isStr {
			if v == nil {
				v = ""
			}
			b.Tags[ks] = v
		}
	}
}

// arnName returns the last segment of an ARN after ':' or '/'.
func arnName(s string) string {
	if !strings.HasPrefix(s, "arn:") {
		return s
	}
	return s[strings.LastIndexAny(s, ":/")+1:]
}

// partition and account for ARNs.
func (c *conv) partition() any { return c.t.partition }

func (c *conv) account() any { v, _ := c.t.pseudo("AWS::AccountId"); return v }

func (c *conv) region() any { v, _ := c.t.pseudo("AWS::Region"); return v }

// masked applies extract to a text with unknown placeholders, which are
// kept whole (their reasons may contain ':' and '/').
func masked(text string, extract func(string) string) string {
	var saved []string
	var b strings.Builder
	for {
		i := strings.Index(text, "${unknown:")
		if i < 0 {
			b.WriteString(text)
			break
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			b.WriteString(text)
			break
		}
		b.WriteString(text[:i])
		b.WriteString("\x00" + strconv.Itoa(len(saved)) + "\x00")
		saved = append(saved, text[i:i+j+1])
		text = text[i+j+1:]
	}
	out := extract(b.String())
	for i, s := range saved {
		out = strings.Replace(out, "\x00"+strconv.Itoa(i)+"\x00", s, 1)
	}
	return out
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

// refTo returns the Config value of a field that may name a resource of
// type typ of the template: that resource's logical id (its item id) when
// it does, the value as it is otherwise.
func (c *conv) refTo(typ string, v any) any {
	switch x := v.(type) {
	case value.Unknown:
		if x.Resource != "" {
			return x.Resource
		}
		if id, ok := c.names[typ][x.Text]; ok {
			return id
		}
	case string:
		if id, ok := c.names[typ][x]; ok {
			return id
		}
	}
	return v
}

// found returns the builder of the resource id a companion's property key
// designates, or an error when that resource could not be read.
func (c *conv) found(id, key string) (string, *ci.Builder, error) {
	b := c.builders[id]
	if b == nil {
		return "", nil, &value.PropertyError{Path: key, Msg: fmt.Sprintf("%s could not be read, see its error", id)}
	}
	return id, c.touch(b), nil
}
