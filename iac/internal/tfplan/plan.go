package tfplan

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/guardrails-go/guardrails/iac/internal/value"
)

// Options are the deployment facts a plan is read with.
type Options struct {
	AccountID string
	Region    string
	Partition string
	// EBSEncryptionByDefault is the account's EBS encryption-by-default
	// setting, or nil when not known.
	EBSEncryptionByDefault *bool
}

// Plan is a parsed plan.
type Plan struct {
	File          string
	FormatVersion string
	opts          Options
	// Instances are the managed resource instances that will exist after
	// apply, in plan order.
	Instances []*Instance
	byAddress map[string]*Instance
	byBase    map[string][]*Instance     // instances by address without their index
	configs   map[string]*configResource // by module-path-qualified config address
	modules   map[string]*configModule   // by module path ("" for root)
	lines     map[string]int
	problems  []error // parts of the plan that could not be read
}

// Instance is one resource instance of the plan.
type Instance struct {
	Address    string // e.g. module.a.aws_s3_bucket.b["x"]
	Type       string
	Name       string
	Index      any    // nil, json.Number or string
	Module     string // module instance path, e.g. module.a[0]; "" for root
	Action     string // create, update, no-op, replace, read
	Values     map[string]any
	Before     map[string]any
	Line       int
	config     *configResource
	moduleCall string // module path without instance keys
}

type planJSON struct {
	FormatVersion    string             `json:"format_version"`
	TerraformVersion string             `json:"terraform_version"`
	PlannedValues    *valuesJSON        `json:"planned_values"`
	ResourceChanges  []changeJSON       `json:"resource_changes"`
	Configuration    *configurationJSON `json:"configuration"`
}

type valuesJSON struct {
	RootModule *moduleValuesJSON `json:"root_module"`
}

type moduleValuesJSON struct {
	Address      string              `json:"address"`
	Resources    []resourceValueJSON `json:"resources"`
	ChildModules []*moduleValuesJSON `json:"child_modules"`
}

type resourceValueJSON struct {
	Address string         `json:"address"`
	Mode    string         `json:"mode"`
	Type    string         `json:"type"`
	Name    string         `json:"name"`
	Index   any            `json:"index"`
	Values  map[string]any `json:"values"`
}

type changeJSON struct {
	Address       string `json:"address"`
	ModuleAddress string `json:"module_address"`
	Mode          string `json:"mode"`
	Type          string `json:"type"`
	Name          string `json:"name"`
	Index         any    `json:"index"`
	Change        struct {
		Actions      []string `json:"actions"`
		Before       any      `json:"before"`
		After        any      `json:"after"`
		AfterUnknown any      `json:"after_unknown"`
	} `json:"change"`
}

type configurationJSON struct {
	RootModule *configModule `json:"root_module"`
}

type configModule struct {
	Resources   []*configResource      `json:"resources"`
	ModuleCalls map[string]*moduleCall `json:"module_calls"`
	Outputs     map[string]struct {
		Expression map[string]any `json:"expression"`
	} `json:"outputs"`
}

type moduleCall struct {
	Expressions map[string]any `json:"expressions"`
	Module      *configModule  `json:"module"`
}

type configResource struct {
	Address     string         `json:"address"`
	Mode        string         `json:"mode"`
	Type        string         `json:"type"`
	Name        string         `json:"name"`
	Expressions map[string]any `json:"expressions"`
}

// Parse reads a plan. It fails when the file is not a plan this reader
// understands; problems of single resources are reported by Convert.
func Parse(data []byte, file string, opts Options) (*Plan, error) {
	data, err := toUTF8(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var pj planJSON
	if err := dec.Decode(&pj); err != nil {
		return nil, fmt.Errorf("%s: not a Terraform plan: %v", file, jsonError(data, err))
	}
	if pj.FormatVersion == "" {
		return nil, fmt.Errorf("%s: not a Terraform plan: no format_version", file)
	}
	major, _, _ := strings.Cut(pj.FormatVersion, ".")
	if major != "0" && major != "1" {
		return nil, fmt.Errorf("%s: Terraform plan format_version %q is not supported (this reader reads 0.x and 1.x)", file, pj.FormatVersion)
	}
	if pj.PlannedValues == nil && pj.ResourceChanges == nil {
		return nil, fmt.Errorf("%s: not a Terraform plan: no planned_values or resource_changes (a state file?)", file)
	}
	p := &Plan{
		File:          file,
		FormatVersion: pj.FormatVersion,
		opts:          opts,
		byAddress:     map[string]*Instance{},
		byBase:        map[string][]*Instance{},
		configs:       map[string]*configResource{},
		modules:       map[string]*configModule{},
		lines:         addressLines(data),
	}
	if pj.Configuration != nil && pj.Configuration.RootModule != nil {
		p.indexConfig(pj.Configuration.RootModule, "")
	}
	if pj.ResourceChanges != nil {
		for i := range pj.ResourceChanges {
			rc := &pj.ResourceChanges[i]
			if rc.Mode != "managed" {
				continue
			}
			if rc.Address == "" || rc.Type == "" {
				p.problems = append(p.problems, fmt.Errorf("resource_changes[%d] has no address or type", i))
				continue
			}
			action := actionOf(rc.Change.Actions)
			if action == "delete" || action == "forget" || action == "" {
				continue // not there after apply: not evaluated
			}
			values, _ := rc.Change.After.(map[string]any)
			if values == nil {
				values = map[string]any{}
			}
			before, _ := rc.Change.Before.(map[string]any)
			p.add(&Instance{
				Address: rc.Address, Type: rc.Type, Name: rc.Name, Index: rc.Index,
				Module: rc.ModuleAddress, Action: action, Values: values, Before: before,
			}, rc.Change.AfterUnknown)
		}
	} else if pj.PlannedValues.RootModule != nil {
		p.addPlanned(pj.PlannedValues.RootModule)
	}
	return p, nil
}

func (p *Plan) addPlanned(m *moduleValuesJSON) {
	for _, r := range m.Resources {
		if r.Mode != "managed" {
			continue
		}
		if r.Address == "" || r.Type == "" {
			p.problems = append(p.problems, fmt.Errorf("planned_values resource at %q has no address or type", m.Address))
			continue
		}
		values := r.Values
		if values == nil {
			values = map[string]any{}
		}
		p.add(&Instance{Address: r.Address, Type: r.Type, Name: r.Name, Index: r.Index, Module: m.Address, Action: "create", Values: values}, nil)
	}
	for _, c := range m.ChildModules {
		if c != nil {
			p.addPlanned(c)
		}
	}
}

func (p *Plan) add(in *Instance, afterUnknown any) {
	if in.Module == "" {
		in.Module = modulePrefix(in.Address)
	}
	in.moduleCall = stripIndexes(in.Module)
	in.config = p.configs[joinAddr(in.moduleCall, in.Type+"."+in.Name)]
	in.Line = p.lines[in.Address]
	if afterUnknown != nil {
		v := p.inject(in, in.Values, afterUnknown, nil)
		if m, ok := v.(map[string]any); ok {
			in.Values = m
		}
	}
	// A computed attribute the configuration leaves out is unknown in the
	// plan only because the provider reads it back after apply: it takes
	// the provider's or AWS's default, which the mappings supply. Without a
	// configuration section nothing can be told apart, and it stays unknown.
	if in.config != nil {
		for k, v := range in.Values {
			if _, unknown := v.(value.Unknown); unknown {
				if _, configured := in.config.Expressions[k]; !configured {
					delete(in.Values, k)
				}
			}
		}
	}
	p.Instances = append(p.Instances, in)
	p.byAddress[in.Address] = in
	base := joinAddr(in.Module, in.Type+"."+in.Name)
	p.byBase[base] = append(p.byBase[base], in)
}

// actionOf names a change's actions: replace for delete+create in either
// order.
func actionOf(actions []string) string {
	switch strings.Join(actions, ",") {
	case "create":
		return "create"
	case "update":
		return "update"
	case "no-op":
		return "no-op"
	case "read":
		return "read"
	case "delete,create", "create,delete":
		return "replace"
	case "delete":
		return "delete"
	case "forget":
		return "forget"
	}
	return ""
}

// inject turns the values marked true in after_unknown into Unknowns.
func (p *Plan) inject(in *Instance, v any, unk any, path []string) any {
	if v == nil && !hasTrue(unk) {
		return nil // nothing unknown below: the value stays absent
	}
	switch u := unk.(type) {
	case bool:
		if u {
			return p.unknownAt(in, path)
		}
		return v
	case map[string]any:
		m, _ := v.(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		for k, e := range u {
			if nv := p.inject(in, m[k], e, append(path, k)); nv != nil {
				m[k] = nv
			}
		}
		return m
	case []any:
		l, _ := v.([]any)
		for i, e := range u {
			for len(l) <= i {
				l = append(l, nil)
			}
			l[i] = p.inject(in, l[i], e, append(path, strconv.Itoa(i)))
		}
		return l
	}
	return v
}

// unknownAt is the Unknown for the attribute at path of in: it names what
// the attribute references in the configuration, if anything.
func (p *Plan) unknownAt(in *Instance, path []string) value.Unknown {
	attr := strings.Join(path, ".")
	refs := p.references(in, path)
	reason := in.Address + "." + attr
	if len(refs) > 0 {
		reason = refs[0]
	}
	u := value.NewUnknown(reason)
	if len(refs) > 0 {
		if target, ok := p.resolve(in, refs); ok && isIDRef(refs, target) {
			u.Resource = target.Address
		}
	}
	return u
}

// isIDRef reports whether the references point at a resource's id (or its
// name, for resources whose id is their name), not some other attribute.
func isIDRef(refs []string, target *Instance) bool {
	for _, r := range refs {
		if strings.HasSuffix(r, ".id") || strings.HasSuffix(r, ".bucket") || strings.HasSuffix(r, ".name") {
			return true
		}
	}
	return false
}

// Configured reports whether the configuration sets the attribute (a
// computed attribute the configuration leaves out takes the provider's or
// AWS's default). Without a configuration section nothing is known.
func (p *Plan) Configured(in *Instance, attr string) (configured, known bool) {
	if in.config == nil {
		return false, false
	}
	_, ok := in.config.Expressions[attr]
	return ok, true
}

// references returns the references of the expression at path (nested
// blocks are lists of expression maps).
func (p *Plan) references(in *Instance, path []string) []string {
	if in.config == nil {
		return nil
	}
	var cur any = in.config.Expressions
	for _, step := range path {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[step]
		case []any:
			i, err := strconv.Atoi(step)
			if err != nil || len(c) == 0 {
				return nil
			}
			if i >= len(c) {
				i = 0 // dynamic blocks: the first block's expressions
			}
			cur = c[i]
		default:
			return nil
		}
		if cur == nil {
			return nil
		}
	}
	if l, ok := cur.([]any); ok && len(l) > 0 {
		cur = l[0]
	}
	m, ok := cur.(map[string]any)
	if !ok {
		return nil
	}
	return stringList(m["references"])
}

// References returns the references of a top-level attribute.
func (p *Plan) References(in *Instance, attr string) []string {
	return p.references(in, []string{attr})
}

func stringList(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, e := range l {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// indexConfig records the configuration's resources and module calls.
func (p *Plan) indexConfig(m *configModule, prefix string) {
	p.modules[prefix] = m
	for _, r := range m.Resources {
		if r != nil {
			p.configs[joinAddr(prefix, r.Address)] = r
		}
	}
	for name, call := range m.ModuleCalls {
		if call != nil && call.Module != nil {
			p.indexConfig(call.Module, joinAddr(prefix, "module."+name))
		}
	}
}

// Resolve returns the instance the references point at.
func (p *Plan) Resolve(in *Instance, refs []string) (*Instance, bool) { return p.resolve(in, refs) }

// resolve follows references from in (in in's module) to a managed
// resource instance: resource references directly, var.X through the
// module call's argument, module.M.out through the module's output.
func (p *Plan) resolve(in *Instance, refs []string) (*Instance, bool) {
	return p.resolveFrom(in.Module, in.Index, refs, 0)
}

func (p *Plan) resolveFrom(module string, index any, refs []string, depth int) (*Instance, bool) {
	if depth > 20 {
		return nil, false
	}
	for _, ref := range refs {
		segs := splitAddress(ref)
		if len(segs) < 2 {
			continue
		}
		switch segs[0].name {
		case "var":
			parent, call := parentModule(module)
			if call == "" {
				continue
			}
			pm := p.modules[stripIndexes(parent)]
			if pm == nil || pm.ModuleCalls[call] == nil {
				continue
			}
			expr, _ := pm.ModuleCalls[call].Expressions[segs[1].name].(map[string]any)
			if t, ok := p.resolveFrom(parent, moduleIndex(module), stringList(expr["references"]), depth+1); ok {
				return t, true
			}
		case "module":
			child := joinAddr(module, "module."+segs[1].name+segs[1].index)
			cm := p.modules[stripIndexes(child)]
			if cm == nil || len(segs) < 3 {
				continue
			}
			out, ok := cm.Outputs[segs[2].name]
			if !ok {
				continue
			}
			if segs[1].index == "" {
				// module.m.out of a module with count or for_each: the one
				// instance of the module, if there is only one.
				if only, ok := p.onlyModuleInstance(child); ok {
					child = only
				}
			}
			if t, ok := p.resolveFrom(child, nil, stringList(out.Expression["references"]), depth+1); ok {
				return t, true
			}
		case "data", "local", "each", "count", "path", "terraform", "self":
			continue
		default:
			base := joinAddr(module, segs[0].name+"."+segs[1].name)
			if segs[1].index != "" {
				if t := p.byAddress[base+segs[1].index]; t != nil {
					return t, true
				}
				continue
			}
			if t := p.byAddress[base]; t != nil {
				return t, true
			}
			// An unindexed reference to a resource with count or for_each
			// (aws_s3_bucket.b[count.index].id is listed as
			// aws_s3_bucket.b): the instance with the referrer's index.
			if index != nil {
				if t := p.byAddress[base+indexSuffix(index)]; t != nil {
					return t, true
				}
			}
			if cands := p.byBase[base]; len(cands) == 1 {
				return cands[0], true
			}
		}
	}
	return nil, false
}

// indexSuffix renders an instance key as in addresses: [0] or ["key"].
func indexSuffix(index any) string {
	switch x := index.(type) {
	case json.Number:
		return "[" + string(x) + "]"
	case string:
		b, _ := json.Marshal(x)
		return "[" + string(b) + "]"
	}
	return ""
}

type segment struct {
	name  string
	index string // "[0]" or ["k"], with brackets; "" when none
}

// splitAddress splits an address or reference on dots outside brackets.
func splitAddress(addr string) []segment {
	var out []segment
	var cur segment
	depth := 0
	inString := false
	start := 0
	for i := 0; i < len(addr); i++ {
		ch := addr[i]
		switch {
		case inString:
			if ch == '\\' {
				i++
			} else if ch == '"' {
				inString = false
			}
		case ch == '"':
			inString = true
		case ch == '[':
			if depth == 0 {
				cur.name = addr[start:i]
				start = i
			}
			depth++
		case ch == ']':
			depth--
			if depth == 0 {
				cur.index = addr[start : i+1]
				start = i + 1
			}
		case ch == '.' && depth == 0:
			if cur.name == "" {
				cur.name = addr[start:i]
			}
			out = append(out, cur)
			cur = segment{}
			start = i + 1
		}
	}
	if cur.name == "" {
		cur.name = addr[start:]
	}
	return append(out, cur)
}

// modulePrefix returns the module instance path of an address.
func modulePrefix(addr string) string {
	segs := splitAddress(addr)
	var parts []string
	for i := 0; i+1 < len(segs); i += 2 {
		if segs[i].name != "module" {
			break
		}
		parts = append(parts, "module."+segs[i+1].name+segs[i+1].index)
	}
	return strings.Join(parts, ".")
}

// stripIndexes drops instance keys from a module path.
func stripIndexes(module string) string {
	if module == "" {
		return ""
	}
	segs := splitAddress(module)
	parts := make([]string, len(segs))
	for i, s := range segs {
		parts[i] = s.name
	}
	return strings.Join(parts, ".")
}

// parentModule splits module.a.module.b[0] into module.a and b.
func parentModule(module string) (parent, call string) {
	segs := splitAddress(module)
	if len(segs) < 2 {
		return "", ""
	}
	var parts []string
	for _, s := range segs[:len(segs)-2] {
		parts = append(parts, s.name+s.index)
	}
	return strings.Join(parts, "."), segs[len(segs)-1].name
}

// moduleIndex returns the instance key of the innermost module call.
func moduleIndex(module string) any {
	segs := splitAddress(module)
	if len(segs) == 0 {
		return nil
	}
	idx := segs[len(segs)-1].index
	if idx == "" {
		return nil
	}
	inner := idx[1 : len(idx)-1]
	if strings.HasPrefix(inner, `"`) {
		var s string
		if json.Unmarshal([]byte(inner), &s) == nil {
			return s
		}
	}
	return json.Number(inner)
}

func joinAddr(prefix, addr string) string {
	if prefix == "" {
		return addr
	}
	return prefix + "." + addr
}

// toUTF8 decodes UTF-16 files (PowerShell writes them with a BOM) and drops
// a UTF-8 BOM.
func toUTF8(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:], nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		var order binary.ByteOrder = binary.LittleEndian
		if data[0] == 0xFE {
			order = binary.BigEndian
		}
		body := data[2:]
		if len(body)%2 != 0 {
			return nil, errors.New("UTF-16 file with an odd number of bytes")
		}
		u := make([]uint16, len(body)/2)
		for i := range u {
			u[i] = order.Uint16(body[2*i:])
		}
		runes := utf16.Decode(u)
		out := make([]byte, 0, len(runes))
		for _, r := range runes {
			out = utf8.AppendRune(out, r)
		}
		return out, nil
	}
	return data, nil
}

// UTF8Head decodes the start of a file for detection.
func UTF8Head(head []byte) []byte {
	if len(head) >= 2 && (head[0] == 0xFF && head[1] == 0xFE || head[0] == 0xFE && head[1] == 0xFF) {
		if len(head)%2 != 0 {
			head = head[:len(head)-1]
		}
		out, _ := toUTF8(head)
		return out
	}
	out, _ := toUTF8(head)
	return out
}

// jsonError adds the line to a JSON syntax error.
func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("line %d: %v", 1+bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n")), err)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("line %d: %s is %s, want %s", 1+bytes.Count(data[:min(int(te.Offset), len(data))], []byte("\n")), te.Field, te.Value, te.Type)
	}
	return err
}

// addressLines maps the addresses of resource_changes to their lines, in
// one pass over the file.
func addressLines(data []byte) map[string]int {
	out := map[string]int{}
	start := bytes.Index(data, []byte(`"resource_changes"`))
	if start < 0 {
		return out
	}
	line := 1 + bytes.Count(data[:start], []byte("\n"))
	pos := start
	key := []byte(`"address"`)
	for {
		i := bytes.Index(data[pos:], key)
		if i < 0 {
			break
		}
		line += bytes.Count(data[pos:pos+i], []byte("\n"))
		pos += i + len(key)
		rest := bytes.TrimLeft(data[pos:], " \t\r\n:")
		if len(rest) == 0 || rest[0] != '"' {
			continue
		}
		if s, ok := quoted(rest); ok {
			if _, seen := out[s]; !seen {
				out[s] = line
			}
		}
	}
	return out
}

// hasTrue reports whether an after_unknown value marks anything unknown.
func hasTrue(unk any) bool {
	switch u := unk.(type) {
	case bool:
		return u
	case map[string]any:
		for _, e := range u {
			if hasTrue(e) {
				return true
			}
		}
	case []any:
		for _, e := range u {
			if hasTrue(e) {
				return true
			}
		}
	}
	return false
}

// quoted decodes the JSON string at the start of b.
func quoted(b []byte) (string, bool) {
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			if s, err := strconv.Unquote(string(b[:i+1])); err == nil {
				return s, true
			}
			var s string
			if json.Unmarshal(b[:i+1], &s) == nil {
				return s, true
			}
			return "", false
		}
	}
	return "", false
}

// onlyModuleInstance returns the module instance path (module.m["k"]) of
// the unindexed module path child when the plan has exactly one instance.
func (p *Plan) onlyModuleInstance(child string) (string, bool) {
	n := len(splitAddress(child))
	found := ""
	for _, in := range p.Instances {
		segs := splitAddress(in.Module)
		if len(segs) < n {
			continue
		}
		var parts, bare []string
		for _, sg := range segs[:n] {
			parts = append(parts, sg.name+sg.index)
			bare = append(bare, sg.name)
		}
		if strings.Join(bare, ".") != stripIndexes(child) {
			continue
		}
		inst := strings.Join(parts, ".")
		if found != "" && found != inst {
			return "", false
		}
		found = inst
	}
	return found, found != ""
}
