package cfn

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/guardrails-go/guardrails/iac/internal/value"
)

// Options are the deployment facts a template is resolved with.
type Options struct {
	// Parameters are the stack parameter values by name; list parameters
	// take comma-separated values, as the CLI does.
	Parameters map[string]string
	AccountID  string
	Region     string
	Partition  string
	StackName  string
	// EBSEncryptionByDefault is the account's EBS encryption-by-default
	// setting, or nil when not known.
	EBSEncryptionByDefault *bool
}

// Template is a parsed template.
type Template struct {
	File       string
	opts       Options
	root       *yaml.Node
	params     map[string]*parameter
	mappings   *yaml.Node
	conditions map[string]*yaml.Node
	condState  map[string]condResult
	resources  map[string]*Resource
	order      []*Resource // file order
	budget     int         // nodes left to visit; guards against alias bombs
	partition  any
}

// Resource is one entry of the Resources section.
type Resource struct {
	LogicalID string
	Type      string
	Line      int // line of the logical id key
	node      *yaml.Node
	props     *yaml.Node    // Properties mapping, or nil
	slot      *[]*yaml.Node // the Resources content holding node, to free it
	index     int
	condition string
	condLine  int

	resolving map[string]bool // property names being resolved (cycle guard)
	resolved  map[string]any  // resolved top-level properties
	propErr   map[string]error
}

type parameter struct {
	name  string
	typ   string
	value any // string, []any of strings, or value.Unknown
}

type condResult struct {
	done    bool
	running bool
	val     any // bool or value.Unknown
	err     error
}

// maxDepth bounds the nesting of resolved values.
const maxDepth = 2000

// Parse reads a template. It fails only when the file as a whole cannot be
// used; problems of single resources are reported by Resources.
func Parse(data []byte, file string, opts Options) (*Template, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := cleanYAMLError(err)
		return nil, fileErr(file, line, fmt.Errorf("not a YAML or JSON template: %s", msg))
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, fileErr(file, 0, errors.New("empty template"))
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fileErr(file, root.Line, fmt.Errorf("template is %s, not an object", nodeKind(root)))
	}
	t := &Template{
		File:       file,
		opts:       opts,
		root:       root,
		params:     map[string]*parameter{},
		conditions: map[string]*yaml.Node{},
		condState:  map[string]condResult{},
		resources:  map[string]*Resource{},
		// Every node of a well-formed template is visited a few times at
		// most; aliases beyond this budget are a bomb.
		budget: 20*len(data) + 100000,
	}
	t.partition = t.partitionValue()
	var resourcesNode *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], deref(root.Content[i+1])
		switch k.Value {
		case "Parameters":
			if err := t.readParameters(v); err != nil {
				return nil, err
			}
		case "Mappings":
			t.mappings = v
		case "Conditions":
			if v.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(v.Content); j += 2 {
					t.conditions[v.Content[j].Value] = v.Content[j+1]
				}
			}
		case "Resources":
			resourcesNode = v
		}
	}
	if resourcesNode == nil {
		return nil, fileErr(file, root.Line, errors.New("no Resources section"))
	}
	if resourcesNode.Kind != yaml.MappingNode {
		return nil, fileErr(file, resourcesNode.Line, fmt.Errorf("Resources is %s, not an object", nodeKind(resourcesNode)))
	}
	for i := 0; i+1 < len(resourcesNode.Content); i += 2 {
		k, v := resourcesNode.Content[i], deref(resourcesNode.Content[i+1])
		r := &Resource{LogicalID: k.Value, Line: k.Line, node: v, slot: &resourcesNode.Content, index: i + 1}
		if _, dup := t.resources[r.LogicalID]; dup {
			return nil, fileErr(file, k.Line, fmt.Errorf("resource %s is defined twice", r.LogicalID))
		}
		t.resources[r.LogicalID] = r
		t.order = append(t.order, r)
		if v.Kind != yaml.MappingNode {
			continue // reported by Check
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			kk, vv := v.Content[j], deref(v.Content[j+1])
			switch kk.Value {
			case "Type":
				if vv.Kind == yaml.ScalarNode {
					r.Type = vv.Value
				}
			case "Properties":
				r.props = vv
			case "Condition":
				if vv.Kind == yaml.ScalarNode {
					r.condition = vv.Value
					r.condLine = vv.Line
				}
			}
		}
	}
	return t, nil
}

// Resources returns the resources in file order.
func (t *Template) Resources() []*Resource { return t.order }

// Resource returns the resource with the logical id, or nil.
func (t *Template) Resource(id string) *Resource { return t.resources[id] }

// Check validates the shape of a resource entry.
func (t *Template) Check(r *Resource) error {
	if strings.HasPrefix(r.LogicalID, "Fn::ForEach::") {
		return errors.New("Fn::ForEach (AWS::LanguageExtensions) is not supported: its resources are not read")
	}
	if r.node.Kind != yaml.MappingNode {
		return fmt.Errorf("resource is %s, not an object", nodeKind(r.node))
	}
	if r.Type == "" {
		return errors.New("no Type")
	}
	if r.props != nil && r.props.Kind != yaml.MappingNode && !isNull(r.props) {
		return fmt.Errorf("Properties is %s, not an object", nodeKind(r.props))
	}
	return nil
}

// Deployed evaluates the resource's Condition: false means the resource is
// not created. An unknown condition counts as deployed.
func (t *Template) Deployed(r *Resource) (bool, error) {
	if r.condition == "" {
		return true, nil
	}
	v, err := t.condition(r.condition, r.condLine)
	if err != nil {
		return false, err
	}
	b, isBool := v.(bool)
	return !isBool || b, nil
}

// Properties resolves all the properties of r.
func (t *Template) Properties(r *Resource) (map[string]any, error) {
	out := map[string]any{}
	if r.props == nil || r.props.Kind != yaml.MappingNode {
		return out, nil
	}
	for i := 0; i+1 < len(r.props.Content); i += 2 {
		name := r.props.Content[i].Value
		v, err := t.Property(r, name)
		if err != nil {
			return nil, err
		}
		if v != nil && !value.IsNoValue(v) {
			out[name] = v
		}
	}
	return out, nil
}

// Property resolves one top-level property of r; absent gives nil.
func (t *Template) Property(r *Resource, name string) (any, error) {
	if v, ok := r.resolved[name]; ok {
		return v, nil
	}
	if err, ok := r.propErr[name]; ok {
		return nil, err
	}
	if r.props == nil || r.props.Kind != yaml.MappingNode {
		return nil, nil
	}
	var node *yaml.Node
	for i := 0; i+1 < len(r.props.Content); i += 2 {
		if r.props.Content[i].Value == name {
			node = r.props.Content[i+1]
		}
	}
	if node == nil {
		return nil, nil
	}
	if r.resolving[name] {
		return nil, &resolveError{line: node.Line, path: name, msg: fmt.Sprintf("circular reference through property %s of %s", name, r.LogicalID)}
	}
	if r.resolving == nil {
		r.resolving, r.resolved, r.propErr = map[string]bool{}, map[string]any{}, map[string]error{}
	}
	r.resolving[name] = true
	v, err := t.resolve(node, &scope{path: name})
	delete(r.resolving, name)
	if err != nil {
		r.propErr[name] = err
		return nil, err
	}
	r.resolved[name] = v
	return v, nil
}

// LineOf returns the line of the property at path (dotted, with [i]
// indexes) in r, or of its nearest ancestor that exists, or of r itself.
func (t *Template) LineOf(r *Resource, path string) int {
	if r.props == nil || path == "" {
		return r.Line
	}
	n := r.props
	line := r.Line
	for _, step := range splitPath(path) {
		n = deref(n)
		if n == nil {
			break
		}
		var next *yaml.Node
		switch {
		case strings.HasPrefix(step, "["):
			var i int
			fmt.Sscanf(step, "[%d]", &i)
			if n.Kind == yaml.SequenceNode && i >= 0 && i < len(n.Content) {
				next = n.Content[i]
				line = next.Line
			}
		case n.Kind == yaml.MappingNode:
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == step {
					line = n.Content[j].Line
					next = n.Content[j+1]
				}
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	return line
}

func splitPath(path string) []string {
	var out []string
	for _, part := range strings.Split(path, ".") {
		for part != "" {
			i := strings.IndexByte(part, '[')
			switch {
			case i < 0:
				out = append(out, part)
				part = ""
			case i > 0:
				out = append(out, part[:i])
				part = part[i:]
			default:
				j := strings.IndexByte(part, ']')
				if j < 0 {
					return out
				}
				out = append(out, part[:j+1])
				part = part[j+1:]
			}
		}
	}
	return out
}

func (t *Template) readParameters(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		if isNull(n) {
			return nil
		}
		return fileErr(t.File, n.Line, fmt.Errorf("Parameters is %s, not an object", nodeKind(n)))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		name := n.Content[i].Value
		def := deref(n.Content[i+1])
		p := &parameter{name: name}
		var defNode *yaml.Node
		if def.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(def.Content); j += 2 {
				switch def.Content[j].Value {
				case "Type":
					p.typ = deref(def.Content[j+1]).Value
				case "Default":
					defNode = deref(def.Content[j+1])
				}
			}
		}
		raw, given := t.opts.Parameters[name]
		switch {
		case strings.HasPrefix(p.typ, "AWS::SSM::Parameter::Value"):
			// The value is read from Parameter Store at deploy time; Default
			// and the given value are the parameter's name.
			p.value = value.NewUnknown("SSM parameter " + name)
		case given:
			p.value = parameterValue(p.typ, raw)
		case defNode != nil && defNode.Kind == yaml.ScalarNode && defNode.Tag != "!!null":
			p.value = parameterValue(p.typ, defNode.Value)
		case defNode != nil && defNode.Kind == yaml.SequenceNode:
			var parts []string
			for _, e := range defNode.Content {
				parts = append(parts, deref(e).Value)
			}
			p.value = parameterValue(p.typ, strings.Join(parts, ","))
		default:
			p.value = value.NewUnknown("parameter " + name)
		}
		t.params[name] = p
	}
	return nil
}

// parameterValue types a parameter value: lists are split on commas, all
// else is a string (Ref of a Number parameter gives a string too).
func parameterValue(typ, raw string) any {
	if typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<") {
		if raw == "" {
			return []any{}
		}
		var out []any
		for _, s := range strings.Split(raw, ",") {
			out = append(out, strings.TrimSpace(s))
		}
		return out
	}
	return raw
}

// partitionValue is AWS::Partition: given, derived from the region, or unknown.
func (t *Template) partitionValue() any {
	if t.opts.Partition != "" {
		return t.opts.Partition
	}
	switch r := t.opts.Region; {
	case r == "":
		return value.NewUnknown("AWS::Partition")
	case strings.HasPrefix(r, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(r, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(r, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(r, "us-isob-"):
		return "aws-iso-b"
	}
	return "aws"
}

func (t *Template) pseudo(name string) (any, bool) {
	orUnknown := func(s string) any {
		if s == "" {
			return value.NewUnknown(name)
		}
		return s
	}
	switch name {
	case "AWS::Region":
		return orUnknown(t.opts.Region), true
	case "AWS::AccountId":
		return orUnknown(t.opts.AccountID), true
	case "AWS::StackName":
		return orUnknown(t.opts.StackName), true
	case "AWS::Partition":
		return t.partition, true
	case "AWS::URLSuffix":
		switch t.partition {
		case "aws-cn":
			return "amazonaws.com.cn", true
		case "aws", "aws-us-gov":
			return "amazonaws.com", true
		}
		return value.NewUnknown(name), true
	case "AWS::NoValue":
		return value.NoValue, true
	case "AWS::StackId", "AWS::NotificationARNs":
		return value.NewUnknown(name), true
	}
	return nil, false
}

// resolveError is a problem found while resolving a value.
type resolveError struct {
	line int
	path string
	msg  string
}

func (e *resolveError) Error() string {
	if e.path != "" {
		return "property " + e.path + ": " + e.msg
	}
	return e.msg
}

// ErrorLine returns the line and property path of a resolve error.
func ErrorLine(err error) (line int, path string, msg string, ok bool) {
	var re *resolveError
	if errors.As(err, &re) {
		return re.line, re.path, re.msg, true
	}
	return 0, "", "", false
}

type fileError struct {
	File string
	Line int
	Err  error
}

func (e *fileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *fileError) Unwrap() error { return e.Err }

func fileErr(file string, line int, err error) error {
	return &fileError{File: file, Line: line, Err: err}
}

// FileErrorLine returns the line of an error from Parse.
func FileErrorLine(err error) (int, error) {
	var fe *fileError
	if errors.As(err, &fe) {
		return fe.Line, fe.Err
	}
	return 0, err
}

// cleanYAMLError splits "yaml: line 3: message" into the line and message.
func cleanYAMLError(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
		if i := strings.IndexByte(msg, ':'); i >= 0 {
			return line, strings.TrimSpace(msg[i+1:])
		}
	}
	return 0, msg
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		return n.Content[0]
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "an object"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "null"
		}
		return "a scalar"
	}
	return "not a value"
}

// sortedKeys returns m's keys sorted (for stable messages).
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// LooksLikeJSON reports whether data starts, after blanks, with '{'.
func LooksLikeJSON(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n\ufeff"), []byte("{"))
}

// release drops the YAML tree and the resolved values once a conversion
// no longer needs them; the template cannot be resolved again after.
func (t *Template) release() {
	t.root, t.mappings, t.conditions = nil, nil, nil
	for _, r := range t.order {
		r.node, r.props, r.resolved, r.propErr = nil, nil, nil, nil
	}
}

// forget drops what a mapped resource no longer needs: its YAML nodes and
// the resolved properties other resources never read (they read names).
func (t *Template) forget(r *Resource) {
	keep := map[string]bool{nameProperty[r.Type]: true, "Path": true, "ManagedPolicyName": true, "TopicName": true}
	for k := range r.resolved {
		if !keep[k] {
			delete(r.resolved, k)
		}
	}
	r.node, r.props = nil, nil
	if r.slot != nil {
		(*r.slot)[r.index] = nil // the YAML tree no longer holds the resource
	}
}
