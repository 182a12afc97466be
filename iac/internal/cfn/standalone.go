package cfn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/guardrails-go/guardrails/iac/internal/ci"
)

// Standalone is the item of one resource read on its own, without the
// template around it: what a CloudFormation hook sees of a resource.
type Standalone struct {
	Item *ci.Item
	// Without is set when the resource is part of another one (a bucket
	// policy, a security group rule): the item of that other resource as
	// far as it is known without this part. Comparing the two tells what
	// this part changes.
	Without *ci.Item
}

// partRef names the property of a part (a companion) that designates the
// resource it belongs to.
type partRef struct {
	prop     string // property holding the reference
	typ      string // type of the resource referred to
	nameProp string // property of that resource the reference may be a name for
	list     bool   // the property is a list of references
}

// partOf lists the companion types a standalone read supports. Parts that
// change nothing any rule reads on their own (instance profiles, group
// memberships, volume attachments, subnet associations, managed policy
// attachments) are left out: read alone they decide nothing.
var partOf = map[string][]partRef{
	"AWS::S3::BucketPolicy":          {{prop: "Bucket", typ: "AWS::S3::Bucket", nameProp: "BucketName"}},
	"AWS::EC2::SecurityGroupIngress": {{prop: "GroupId", typ: "AWS::EC2::SecurityGroup"}, {prop: "GroupName", typ: "AWS::EC2::SecurityGroup"}},
	"AWS::EC2::SecurityGroupEgress":  {{prop: "GroupId", typ: "AWS::EC2::SecurityGroup"}},
	"AWS::EC2::NetworkAclEntry":      {{prop: "NetworkAclId", typ: "AWS::EC2::NetworkAcl"}},
	"AWS::Lambda::Permission":        {{prop: "FunctionName", typ: "AWS::Lambda::Function", nameProp: "FunctionName"}},
	"AWS::IAM::RolePolicy":           {{prop: "RoleName", typ: "AWS::IAM::Role", nameProp: "RoleName"}},
	"AWS::IAM::UserPolicy":           {{prop: "UserName", typ: "AWS::IAM::User", nameProp: "UserName"}},
	"AWS::IAM::GroupPolicy":          {{prop: "GroupName", typ: "AWS::IAM::Group", nameProp: "GroupName"}},
	"AWS::IAM::Policy": {
		{prop: "Roles", typ: "AWS::IAM::Role", nameProp: "RoleName", list: true},
		{prop: "Users", typ: "AWS::IAM::User", nameProp: "UserName", list: true},
		{prop: "Groups", typ: "AWS::IAM::Group", nameProp: "GroupName", list: true},
	},
}

// wholeBy lists what a part sets entirely: a bucket has one policy, and
// the BucketPolicy resource is all of it.
var wholeBy = map[string][]string{
	"AWS::S3::BucketPolicy": {"supplementaryConfiguration.BucketPolicy"},
}

// filledByOthers lists, by item type, the paths that other resources of a
// template add to or set (companions). Read alone, a resource cannot know
// them: they are unknown, so that no rule decides on what it cannot see.
var filledByOthers = map[string][]string{
	"AWS::S3::Bucket":         {"supplementaryConfiguration.BucketPolicy"},
	"AWS::EC2::SecurityGroup": {"configuration.ipPermissions", "configuration.ipPermissionsEgress"},
	"AWS::EC2::NetworkAcl":    {"configuration.entries", "configuration.associations"},
	"AWS::EC2::Volume":        {"configuration.attachments", "configuration.state"},
	"AWS::Lambda::Function":   {"supplementaryConfiguration.Policy"},
	"AWS::IAM::Role":          {"configuration.rolePolicyList", "configuration.attachedManagedPolicies", "configuration.instanceProfileList"},
	"AWS::IAM::User":          {"configuration.userPolicyList", "configuration.attachedManagedPolicies", "configuration.groupList"},
	"AWS::IAM::Group":         {"configuration.groupPolicyList", "configuration.attachedManagedPolicies"},
	"AWS::IAM::Policy":        {"configuration.attachmentCount"},
}

// stubProperties are what a resource needs to be read when only one of its
// parts is known: required properties, unknown.
var stubProperties = map[string]map[string]any{
	"AWS::IAM::Role": {"AssumeRolePolicyDocument": map[string]any{"Ref": unknownParameter}},
}

const (
	partID           = "GuardrailsPart"
	unknownParameter = "GuardrailsUnknown"
	seenAlone        = "the rest of the stack, which a resource-level call does not show"
)

// StandaloneSupported reports whether ReadStandalone reads resources of
// the CloudFormation type typ.
func StandaloneSupported(typ string) bool {
	_, primary := mappings[typ]
	_, part := partOf[typ]
	return primary || part
}

// ReadStandalone reads one resource from its resolved properties (a JSON
// object; values may be JSON types or their text, as hooks receive them).
// It returns no item for types it does not read; a resource that is a part
// of others gives one Standalone per resource it belongs to.
func ReadStandalone(typ, id string, props []byte, opts Options) ([]Standalone, error) {
	fail := func(prop string, err error) error {
		return &ci.Error{Resource: id, Type: typ, Property: prop, Err: err}
	}
	if id == "" {
		return nil, fail("", errors.New("no logical id"))
	}
	properties := map[string]json.RawMessage{}
	if trimmed := bytes.TrimSpace(props); len(trimmed) > 0 && !bytes.Equal(trimmed, []byte("null")) {
		if trimmed[0] != '{' {
			return nil, fail("", fmt.Errorf("properties are %s, not a JSON object", jsonKind(trimmed)))
		}
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		if err := dec.Decode(&properties); err != nil {
			return nil, fail("", fmt.Errorf("properties are not a JSON object: %v", err))
		}
	}
	if _, primary := mappings[typ]; primary {
		it, err := readOne(typ, id, properties, opts)
		if err != nil {
			return nil, err
		}
		markUnknown(it, filledByOthers[it.ResourceType])
		return []Standalone{{Item: it}}, nil
	}
	refs, isPart := partOf[typ]
	if !isPart {
		return nil, nil
	}
	var out []Standalone
	for _, ref := range refs {
		raw, ok := properties[ref.prop]
		if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			continue
		}
		var targets []json.RawMessage
		if ref.list {
			if err := json.Unmarshal(raw, &targets); err != nil {
				return nil, fail(ref.prop, errors.New("want a list of names"))
			}
		} else {
			targets = []json.RawMessage{raw}
		}
		for _, target := range targets {
			s, err := readPart(typ, id, properties, ref, target, opts)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		names := make([]string, 0, len(refs))
		for _, r := range refs {
			names = append(names, r.prop)
		}
		return nil, fail(refs[0].prop, fmt.Errorf("is required (%s)", strings.Join(names, " or ")))
	}
	return out, nil
}

// readPart reads a part with a stub of the resource it belongs to.
func readPart(typ, id string, properties map[string]json.RawMessage, ref partRef, target json.RawMessage, opts Options) (Standalone, error) {
	target = bytes.TrimSpace(target)
	var name any
	if err := json.Unmarshal(target, &name); err != nil {
		return Standalone{}, &ci.Error{Resource: id, Type: typ, Property: ref.prop, Err: err}
	}
	text, isText := name.(string)
	if !isText {
		return Standalone{}, &ci.Error{Resource: id, Type: typ, Property: ref.prop, Err: fmt.Errorf("want a name or id, got %s", jsonKind(target))}
	}
	stub := map[string]any{}
	for k, v := range stubProperties[ref.typ] {
		stub[k] = v
	}
	if ref.nameProp != "" {
		switch ref.typ {
		case "AWS::Lambda::Function":
			text = functionName(text)
		case "AWS::S3::Bucket":
			text = arnName(text)
		}
		stub[ref.nameProp] = text
	}
	part := make(map[string]any, len(properties))
	for k, v := range properties {
		part[k] = v
	}
	// Only this reference: the others of a list property, and the other
	// properties that designate targets, are read in their own stub.
	for _, other := range partOf[typ] {
		delete(part, other.prop)
	}
	// The stub takes the part's logical id, so that what rules say of it
	// names the resource the hook was called for.
	ref2 := map[string]any{"Ref": id}
	if ref.list {
		part[ref.prop] = []any{ref2}
	} else {
		part[ref.prop] = ref2
	}
	pid := partID
	if pid == id {
		pid += "2"
	}
	resources := map[string]any{
		id:  map[string]any{"Type": ref.typ, "Properties": stub},
		pid: map[string]any{"Type": typ, "Properties": part},
	}
	with, err := convertResources(resources, id, opts)
	if err != nil {
		var e *ci.Error
		if errors.As(err, &e) && e.Resource == pid {
			e.Resource, e.Type = id, typ
		}
		return Standalone{}, err
	}
	delete(resources, pid)
	without, err := convertResources(resources, id, opts)
	if err != nil {
		return Standalone{}, err
	}
	// The part is all that is known of its resource: everything else is
	// unknown, but for what the part sets entirely.
	for _, it := range []*ci.Item{with, without} {
		if ref.nameProp != "" {
			it.ResourceName = text
		} else {
			it.ResourceName = id
		}
		var paths []string
		for _, p := range topLevelPaths(it) {
			whole := false
			if it == with {
				for _, w := range wholeBy[typ] {
					whole = whole || w == p
				}
			}
			if !whole {
				paths = append(paths, p)
			}
		}
		markUnknown(it, paths)
	}
	return Standalone{Item: with, Without: without}, nil
}

// readOne converts a template of one resource.
func readOne(typ, id string, properties map[string]json.RawMessage, opts Options) (*ci.Item, error) {
	return convertResources(map[string]any{id: map[string]any{"Type": typ, "Properties": properties}}, id, opts)
}

// convertResources converts a template made of resources and returns
// the item of the resource want, or the first error.
func convertResources(resources map[string]any, want string, opts Options) (*ci.Item, error) {
	doc := map[string]any{
		"Parameters": map[string]any{unknownParameter: map[string]any{"Type": "String"}},
		"Resources":  resources,
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	t, err := Parse(data, "", opts)
	if err != nil {
		_, inner := FileErrorLine(err)
		return nil, inner
	}
	var item *ci.Item
	var first error
	Convert(t, func(it *ci.Item, err error) bool {
		if err != nil {
			var e *ci.Error
			if errors.As(err, &e) {
				e.File, e.Line = "", 0
			}
			if first == nil {
				first = err
			}
			return true
		}
		if it.ResourceID == want {
			item = it
		}
		return true
	})
	if first != nil {
		return nil, first
	}
	if item == nil {
		return nil, fmt.Errorf("resource %s gave no item", want)
	}
	item.File, item.Line, item.Path = "", 0, ""
	return item, nil
}

// topLevelPaths lists the item's configuration and supplementary keys, and
// its tags, as paths.
func topLevelPaths(it *ci.Item) []string {
	var conf map[string]json.RawMessage
	_ = json.Unmarshal(it.Configuration, &conf)
	paths := make([]string, 0, len(conf)+len(it.Supplementary)+1)
	for k := range conf {
		paths = append(paths, "configuration."+k)
	}
	for k := range it.Supplementary {
		paths = append(paths, "supplementaryConfiguration."+k)
	}
	paths = append(paths, "tags")
	sort.Strings(paths)
	return paths
}

// markUnknown adds paths to the item's unknown values.
func markUnknown(it *ci.Item, paths []string) {
	if len(paths) == 0 {
		return
	}
	have := make(map[string]bool, len(it.Unknowns))
	for _, u := range it.Unknowns {
		have[u.Path] = true
	}
	for _, p := range paths {
		if !have[p] {
			it.Unknowns = append(it.Unknowns, ci.UnknownValue{Path: p, Reason: seenAlone})
		}
	}
	sort.Slice(it.Unknowns, func(i, j int) bool { return it.Unknowns[i].Path < it.Unknowns[j].Path })
}

func jsonKind(b []byte) string {
	switch b[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}
