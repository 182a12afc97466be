package evaluate

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Trigger says when Config runs a rule.
type Trigger string

// The triggers.
const (
	// OnChange rules run when a resource of their types changes.
	OnChange Trigger = "change"
	// Periodic rules run on a schedule.
	Periodic Trigger = "periodic"
)

// Severity ranks how much a finding matters.
type Severity string

// The severities, highest first.
const (
	Critical      Severity = "CRITICAL"
	High          Severity = "HIGH"
	Medium        Severity = "MEDIUM"
	Low           Severity = "LOW"
	Informational Severity = "INFORMATIONAL"
)

// Metadata describes a rule. The engine stamps it onto evaluations, so a
// rule's evaluator never repeats it.
type Metadata struct {
	// ID is the rule's name: the AWS managed rule's name where one exists,
	// such as "s3-bucket-ssl-requests-only".
	ID        string `json:"id"`
	Summary   string `json:"summary"`
	Rationale string `json:"rationale"`
	// ResourceTypes are the types the rule evaluates; AccountResourceType
	// makes it an account-level rule, evaluated once per account.
	ResourceTypes []string    `json:"resourceTypes"`
	Trigger       []Trigger   `json:"trigger"`
	Parameters    []Parameter `json:"parameters"`
	Severity      Severity    `json:"severity"`
	// ManagedRule is the AWS managed rule's identifier, such as
	// "S3_BUCKET_SSL_REQUESTS_ONLY", or "" when AWS has none.
	ManagedRule string `json:"managedRule"`
	// Controls are compliance controls the rule checks, such as
	// "SecurityHub:S3.5" or "CIS-AWS-1.4:2.1.2".
	Controls []string `json:"controls"`
	// Remediations are the ids of remediations that fix what the rule finds.
	Remediations []string `json:"remediations"`
	// Lookups are the resource types the rule reads through Lookup besides
	// the item it evaluates. A scan keeps the items of these types.
	Lookups []string `json:"lookups,omitempty"`
	// Facts are the account facts the rule reads through Lookup.Fact.
	Facts []string `json:"facts,omitempty"`
	// URL points to the documentation of the managed rule or the check.
	URL string `json:"url,omitempty"`
}

// Account reports whether the rule evaluates the account as a whole.
func (m *Metadata) Account() bool {
	for _, t := range m.ResourceTypes {
		if t == AccountResourceType {
			return true
		}
	}
	return false
}

// Rule is one rule: its metadata, and a way to prepare its evaluator once
// its parameters are known.
type Rule interface {
	Metadata() Metadata
	// Prepare checks the parameters and returns the evaluator used for
	// every resource. An error names the parameter at fault.
	Prepare(p Params) (Evaluator, error)
}

// Evaluator decides one resource. An error means "could not decide", not
// "non-compliant".
type Evaluator interface {
	Evaluate(ctx context.Context, in *Input) (Result, error)
}

// EvaluatorFunc adapts a function to Evaluator.
type EvaluatorFunc func(ctx context.Context, in *Input) (Result, error)

// Evaluate calls f.
func (f EvaluatorFunc) Evaluate(ctx context.Context, in *Input) (Result, error) {
	return f(ctx, in)
}

// NewRule returns a Rule made of metadata and a prepare function.
func NewRule(m Metadata, prepare func(Params) (Evaluator, error)) Rule {
	return &rule{meta: m, prepare: prepare}
}

type rule struct {
	meta    Metadata
	prepare func(Params) (Evaluator, error)
}

func (r *rule) Metadata() Metadata                  { return r.meta }
func (r *rule) Prepare(p Params) (Evaluator, error) { return r.prepare(p) }

// Input is what an evaluator sees for one resource.
type Input struct {
	// Item is the resource. For account-level rules it is an item of type
	// AccountResourceType whose ResourceID is the account id.
	Item *ConfigurationItem
	// Lookup answers questions about other resources and account facts.
	// It is never nil.
	Lookup Lookup
	// Now is the time of the evaluation, for rules about ages.
	Now time.Time

	models []modelEntry
}

type modelEntry struct {
	key any
	val any
	err error
}

// Model decodes the configuration of one resource type into T. Every rule of
// that type shares the decoded value: an item is decoded once per model, not
// once per rule.
type Model[T any] struct {
	resourceType string
	decode       func(*ConfigurationItem) (T, error)
}

// NewModel returns a Model for items of resourceType.
func NewModel[T any](resourceType string, decode func(*ConfigurationItem) (T, error)) *Model[T] {
	return &Model[T]{resourceType: resourceType, decode: decode}
}

// ResourceType is the type the model reads.
func (m *Model[T]) ResourceType() string { return m.resourceType }

// Of returns the decoded configuration of the input's item, decoding it on
// first use.
func (m *Model[T]) Of(in *Input) (T, error) {
	for _, e := range in.models {
		if e.key == m {
			v, _ := e.val.(T)
			return v, e.err
		}
	}
	v, err := m.Decode(in.Item)
	in.models = append(in.models, modelEntry{key: m, val: v, err: err})
	return v, err
}

// Related decodes an item found through in.Lookup. When the lookup keeps
// computed values ([Memo], as an Inventory does), each related item is
// decoded once for all the items that look it up, not once per look.
func (m *Model[T]) Related(in *Input, ci *ConfigurationItem) (T, error) {
	if ci == nil {
		return m.Decode(ci)
	}
	key := relatedKey{m, ci.ResourceType, ci.ResourceID, ci.AccountID, ci.CaptureTime.UnixNano()}
	return Memoize(in, key, func() (T, error) { return m.Decode(ci) })
}

// relatedKey names a related item by resource, not by pointer: a lookup
// may return a fresh item each time (the scan's inventory reads items back
// from a file).
type relatedKey struct {
	model                               any
	resourceType, resourceID, accountID string
	captured                            int64
}

// Memo is implemented by lookups that keep values computed from what they
// return (decoded views, indexes), for as long as the lookup lives: a scan,
// or one Lambda invocation.
type Memo interface {
	// Memo returns the value compute gave for key, calling it on first use.
	Memo(key any, compute func() (any, error)) (any, error)
}

// Memoize returns compute's value for key, computed once per lookup when
// in.Lookup is a [Memo] and on every call otherwise. Keys are compared with
// ==; use a key type of your own package so that keys never collide.
func Memoize[T any](in *Input, key any, compute func() (T, error)) (T, error) {
	m, ok := in.Lookup.(Memo)
	if !ok {
		return compute()
	}
	v, err := m.Memo(key, func() (any, error) { return compute() })
	t, _ := v.(T)
	return t, err
}

// Decode decodes an item without caching.
func (m *Model[T]) Decode(ci *ConfigurationItem) (T, error) {
	var zero T
	if ci == nil {
		return zero, fmt.Errorf("no item to decode as %s", m.resourceType)
	}
	if ci.ResourceType != m.resourceType {
		return zero, fmt.Errorf("item of type %s decoded as %s", ci.ResourceType, m.resourceType)
	}
	return m.decode(ci)
}

// MarshalJSON writes the metadata with empty lists as [] rather than null,
// so that consumers can rely on the field types.
func (m Metadata) MarshalJSON() ([]byte, error) {
	type plain Metadata
	p := plain(m)
	for _, s := range []*[]string{&p.ResourceTypes, &p.Controls, &p.Remediations} {
		if *s == nil {
			*s = []string{}
		}
	}
	if p.Trigger == nil {
		p.Trigger = []Trigger{}
	}
	if p.Parameters == nil {
		p.Parameters = []Parameter{}
	}
	return json.Marshal(p)
}
