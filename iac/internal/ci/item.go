package ci

import (
	"bytes"
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/guardrails-go/guardrails/iac/internal/value"
)

// Item is a configuration item produced from one IaC resource.
type Item struct {
	ResourceType     string
	ResourceID       string
	ResourceName     string
	ARN              string
	AccountID        string
	Region           string
	AvailabilityZone string
	Tags             map[string]string
	Relationships    []Relationship
	Configuration    json.RawMessage
	Supplementary    map[string]json.RawMessage
	File             string
	Line             int
	Path             string
	Unknowns         []UnknownValue
}

// Relationship is a relationship of an item, in Config's terms.
type Relationship struct {
	ResourceType string
	ResourceID   string
	ResourceName string
	Name         string
}

// UnknownValue names a value of the item known only after deployment.
type UnknownValue struct {
	// Path is the value's JSON path from the item: "configuration.kmsKeyId",
	// "supplementaryConfiguration.ServerSideEncryptionConfiguration.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyID",
	// "arn", "tags.Owner". For documents that Config records as strings (a
	// bucket policy, an ACL, an IAM policy) the path goes on inside the
	// decoded document: "supplementaryConfiguration.BucketPolicy.policyText.Statement[0].Resource".
	Path string
	// Reason says what the value depends on.
	Reason string
}

// Doc is a JSON document that Config records as a string: a bucket policy's
// policyText, an ACL, a KMS key policy, or (URLEncoded) an IAM policy.
type Doc struct {
	Value      any
	URLEncoded bool
}

// MarshalJSON renders the document as a JSON string.
func (d Doc) MarshalJSON() ([]byte, error) {
	b, err := Marshal(d.Value)
	if err != nil {
		return nil, err
	}
	s := string(b)
	if d.URLEncoded {
		s = EncodeIAM(s)
	}
	return Marshal(s)
}

// EncodeIAM URL-encodes a policy document the way IAM returns it and Config
// records it (RFC 3986 percent-encoding, spaces as %20).
func EncodeIAM(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// Marshal encodes v as compact JSON without HTML escaping.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Builder gathers an item's parts while a mapping runs.
type Builder struct {
	Type   string // AWS resource type, e.g. AWS::S3::Bucket
	ID     string // logical id or Terraform address
	Name   string // defaults to ID
	ARN    any    // string or value.Unknown; nil when unknown and not worth a placeholder
	Config map[string]any
	Supp   map[string]any
	Tags   map[string]any // values are strings or value.Unknown
	Rels   []Relationship
	AZ     string
	Region string // overrides the file's region ("global" for IAM)
	// State holds a mapping's working data until Finish runs (a security
	// group's rules while companions add to them).
	State any
	// Finish, if set, completes the item after every companion was merged.
	Finish func()
	File   string
	Line   int
	Path   string
}

// NewBuilder starts an item of type typ for the resource id.
func NewBuilder(typ, id string) *Builder {
	return &Builder{Type: typ, ID: id, Config: map[string]any{}, Supp: map[string]any{}}
}

// Relate adds a relationship to the resource with item id id.
func (b *Builder) Relate(typ, id, name string) {
	for _, r := range b.Rels {
		if r.ResourceType == typ && r.ResourceID == id && r.Name == name {
			return
		}
	}
	b.Rels = append(b.Rels, Relationship{ResourceType: typ, ResourceID: id, Name: name})
}

// Build renders the item.
func (b *Builder) Build(accountID, region string) (*Item, error) {
	b.Complete()
	it := &Item{
		ResourceType:     b.Type,
		ResourceID:       b.ID,
		ResourceName:     b.Name,
		AccountID:        accountID,
		Region:           region,
		AvailabilityZone: b.AZ,
		Relationships:    b.Rels,
		File:             b.File,
		Line:             b.Line,
		Path:             b.Path,
	}
	if it.ResourceName == "" {
		it.ResourceName = b.ID
	}
	var unknowns []UnknownValue
	conf, err := Marshal(b.Config)
	if err != nil {
		return nil, err
	}
	it.Configuration = conf
	collect(b.Config, "configuration", &unknowns)
	if len(b.Supp) > 0 {
		it.Supplementary = make(map[string]json.RawMessage, len(b.Supp))
		for k, v := range b.Supp {
			raw, err := Marshal(v)
			if err != nil {
				return nil, err
			}
			it.Supplementary[k] = raw
			collect(v, "supplementaryConfiguration."+k, &unknowns)
		}
	}
	switch a := b.ARN.(type) {
	case string:
		it.ARN = a
	case value.Unknown:
		it.ARN = a.Text
		collect(a, "arn", &unknowns)
	}
	if len(b.Tags) > 0 {
		it.Tags = make(map[string]string, len(b.Tags))
		for k, v := range b.Tags {
			switch t := v.(type) {
			case string:
				it.Tags[k] = t
			case value.Unknown:
				it.Tags[k] = t.Text
				collect(t, "tags."+k, &unknowns)
			}
		}
	}
	sort.Slice(unknowns, func(i, j int) bool { return unknowns[i].Path < unknowns[j].Path })
	it.Unknowns = unknowns
	return it, nil
}

// collect appends the paths of the unknown values inside v.
func collect(v any, path string, out *[]UnknownValue) {
	switch x := v.(type) {
	case value.Unknown:
		*out = append(*out, UnknownValue{Path: path, Reason: x.Reason()})
	case Doc:
		collect(x.Value, path, out)
	case map[string]any:
		for k, e := range x {
			collect(e, path+"."+k, out)
		}
	case []any:
		for i, e := range x {
			collect(e, path+"["+strconv.Itoa(i)+"]", out)
		}
	case []map[string]any:
		for i, e := range x {
			collect(e, path+"["+strconv.Itoa(i)+"]", out)
		}
	}
}

// Snapshot saves the top-level keys of the item's configuration,
// supplementary configuration and tags; the returned function restores
// them. A companion that turns out to be invalid is undone this way, so
// that a half-read resource never changes another item.
func (b *Builder) Snapshot() (restore func()) {
	conf := make(map[string]any, len(b.Config))
	for k, v := range b.Config {
		conf[k] = v
	}
	supp := make(map[string]any, len(b.Supp))
	for k, v := range b.Supp {
		supp[k] = v
	}
	rels := b.Rels
	return func() { b.Config, b.Supp, b.Rels = conf, supp, rels }
}

// Complete runs Finish once. Converters complete every item before
// rendering the first, since a Finish may read other items.
func (b *Builder) Complete() {
	if b.Finish != nil {
		f := b.Finish
		b.Finish = nil
		f()
	}
}
