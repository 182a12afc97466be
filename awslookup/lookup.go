package awslookup

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/guardrails-go/guardrails/evaluate"
)

// HistoryAPI reads a resource's configuration history.
type HistoryAPI interface {
	GetResourceConfigHistory(ctx context.Context, in *configservice.GetResourceConfigHistoryInput, optFns ...func(*configservice.Options)) (*configservice.GetResourceConfigHistoryOutput, error)
}

// ListAPI lists the resources Config discovered.
type ListAPI interface {
	ListDiscoveredResources(ctx context.Context, in *configservice.ListDiscoveredResourcesInput, optFns ...func(*configservice.Options)) (*configservice.ListDiscoveredResourcesOutput, error)
}

// BatchGetAPI reads the current items of up to 100 resources.
type BatchGetAPI interface {
	BatchGetResourceConfig(ctx context.Context, in *configservice.BatchGetResourceConfigInput, optFns ...func(*configservice.Options)) (*configservice.BatchGetResourceConfigOutput, error)
}

// RecordersAPI describes the configuration recorders, to tell "none exists"
// from "not recorded".
type RecordersAPI interface {
	DescribeConfigurationRecorders(ctx context.Context, in *configservice.DescribeConfigurationRecordersInput, optFns ...func(*configservice.Options)) (*configservice.DescribeConfigurationRecordersOutput, error)
}

// ConfigAPI is the part of the Config client a Lookup uses.
type ConfigAPI interface {
	HistoryAPI
	ListAPI
	BatchGetAPI
	RecordersAPI
}

var _ ConfigAPI = (*configservice.Client)(nil)

// Resolver answers a query for one resource type in place of Config: it
// returns every resource of the query's type in the query's account and
// region (the lookup fills both from its scope). Errors should wrap
// evaluate.ErrUnknown when the resolver cannot tell.
type Resolver func(ctx context.Context, q evaluate.Query) ([]*evaluate.ConfigurationItem, error)

// Option configures a Lookup.
type Option func(*options)

type options struct {
	resolvers map[string]Resolver
	facts     evaluate.Facts
	account   string
	region    string
	parallel  int
}

// WithResolver makes r answer for resourceType, in place of Config, both
// Resources and Resource (which picks the resource from r's answer). A
// later registration for the same type replaces an earlier one.
func WithResolver(resourceType string, r Resolver) Option {
	return func(o *options) {
		if o.resolvers == nil {
			o.resolvers = make(map[string]Resolver)
		}
		o.resolvers[resourceType] = r
	}
}

// WithFacts sets where account facts come from. Without it, Fact answers
// evaluate.ErrUnknown.
func WithFacts(f evaluate.Facts) Option {
	return func(o *options) { o.facts = f }
}

// WithScope names the account and region the client sees. Queries for
// another account or region then answer evaluate.ErrUnknown instead of
// returning this account's resources.
func WithScope(accountID, region string) Option {
	return func(o *options) { o.account, o.region = accountID, region }
}

// WithParallelReads sets how many BatchGetResourceConfig calls may run at
// once while a listing goes on (default 4).
func WithParallelReads(n int) Option {
	return func(o *options) { o.parallel = n }
}

// Lookup answers from the Config API, caching what it reads. It is safe for
// concurrent use.
type Lookup struct {
	client    ConfigAPI
	o         options
	listings  memo[[]*evaluate.ConfigurationItem]
	history   memo[*evaluate.ConfigurationItem]
	recording memo[*recording]

	mu    sync.RWMutex
	known map[resourceKey]*evaluate.ConfigurationItem // items read by listings

	computed sync.Map // evaluate.Memo values: key → memoValue
}

type memoValue struct {
	v   any
	err error
}

var _ evaluate.Memo = (*Lookup)(nil)

// Memo keeps values rules compute from what the lookup returned (decoded
// related items, indexes) for the lookup's life, one invocation.
func (l *Lookup) Memo(key any, compute func() (any, error)) (any, error) {
	if v, ok := l.computed.Load(key); ok {
		m := v.(memoValue)
		return m.v, m.err
	}
	v, err := compute()
	got, _ := l.computed.LoadOrStore(key, memoValue{v, err})
	m := got.(memoValue)
	return m.v, m.err
}

type resourceKey struct{ resourceType, resourceID string }

var _ evaluate.Lookup = (*Lookup)(nil)

// New returns a Lookup reading through client.
func New(client ConfigAPI, opts ...Option) *Lookup {
	o := options{parallel: 4}
	for _, opt := range opts {
		opt(&o)
	}
	if o.parallel < 1 {
		o.parallel = 1
	}
	return &Lookup{client: client, o: o, known: make(map[resourceKey]*evaluate.ConfigurationItem)}
}

// NewFromConfig returns a Lookup reading with a Config client made from cfg
// (its credentials, region and endpoint settings).
func NewFromConfig(cfg aws.Config, opts ...Option) *Lookup {
	return New(configservice.NewFromConfig(cfg), opts...)
}

// Fact returns an account fact from the facts given with WithFacts.
func (l *Lookup) Fact(ctx context.Context, accountID, region, name string) ([]byte, error) {
	if l.o.facts == nil {
		return nil, fmt.Errorf("%w: fact %s of account %s: no facts provider is configured", evaluate.ErrUnknown, name, accountID)
	}
	return l.o.facts.Fact(ctx, accountID, region, name)
}

// Resources returns the current items of the resources a query selects.
func (l *Lookup) Resources(ctx context.Context, q evaluate.Query) ([]*evaluate.ConfigurationItem, error) {
	if err := l.checkScope(q); err != nil {
		return nil, err
	}
	if q.ResourceType == evaluate.AccountResourceType {
		return nil, fmt.Errorf("%w: %s is not a resource Config lists", evaluate.ErrUnknown, q.ResourceType)
	}
	if q.AccountID == "" {
		q.AccountID = l.o.account
	}
	if q.Region == "" {
		q.Region = l.o.region
	}
	id := q.ResourceID
	q.ResourceID = "" // one listing per type serves every resource
	items, err := l.listings.do(ctx, q.ResourceType, func() ([]*evaluate.ConfigurationItem, error) {
		if r, ok := l.o.resolvers[q.ResourceType]; ok {
			items, err := r(ctx, q)
			if err != nil {
				return nil, fmt.Errorf("resolving %s: %w", q.ResourceType, err)
			}
			return items, nil
		}
		return l.list(ctx, q.ResourceType)
	})
	if err != nil || id == "" {
		return items, err
	}
	var out []*evaluate.ConfigurationItem
	for _, ci := range items {
		if ci.ResourceID == id {
			out = append(out, ci)
		}
	}
	return out, nil
}

func (l *Lookup) checkScope(q evaluate.Query) error {
	if q.AccountID != "" && l.o.account != "" && q.AccountID != l.o.account {
		return fmt.Errorf("%w: %s of account %s: only account %s is visible to this lookup", evaluate.ErrUnknown, q.ResourceType, q.AccountID, l.o.account)
	}
	if q.Region != "" && q.Region != "global" && l.o.region != "" && q.Region != l.o.region {
		return fmt.Errorf("%w: %s in region %s: only region %s is visible to this lookup", evaluate.ErrUnknown, q.ResourceType, q.Region, l.o.region)
	}
	return nil
}

// Resource returns the current item of one resource: from a resolver when
// one is registered for the type, from an earlier listing, or from
// GetResourceConfigHistory.
func (l *Lookup) Resource(ctx context.Context, resourceType, resourceID string) (*evaluate.ConfigurationItem, error) {
	if _, ok := l.o.resolvers[resourceType]; ok {
		items, err := l.Resources(ctx, evaluate.Query{ResourceType: resourceType})
		if err != nil {
			return nil, err
		}
		for _, ci := range items {
			if ci.ResourceID == resourceID {
				return ci, nil
			}
		}
		return nil, fmt.Errorf("%w: no %s %s", evaluate.ErrNotFound, resourceType, resourceID)
	}
	l.mu.RLock()
	ci, ok := l.known[resourceKey{resourceType, resourceID}]
	l.mu.RUnlock()
	if ok {
		return ci, nil
	}
	ci, err := l.history.do(ctx, resourceType+"\x00"+resourceID, func() (*evaluate.ConfigurationItem, error) {
		return l.latest(ctx, resourceType, resourceID)
	})
	if err != nil {
		return nil, err
	}
	switch {
	case ci.Status.Deleted():
		return nil, fmt.Errorf("%w: %s %s was deleted", evaluate.ErrNotFound, resourceType, resourceID)
	case ci.Status == evaluate.StatusResourceNotRecorded:
		return nil, fmt.Errorf("%w: %s %s is not recorded by AWS Config", evaluate.ErrUnknown, resourceType, resourceID)
	}
	return ci, nil
}

// LatestItem returns the latest item Config recorded for a resource,
// whatever its status (a deleted resource's last item says so). It reads
// GetResourceConfigHistory every time, as the item of an oversized change
// notification needs.
func (l *Lookup) LatestItem(ctx context.Context, resourceType, resourceID string) (*evaluate.ConfigurationItem, error) {
	return l.latest(ctx, resourceType, resourceID)
}

func (l *Lookup) latest(ctx context.Context, resourceType, resourceID string) (*evaluate.ConfigurationItem, error) {
	out, err := l.client.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{
		ResourceType: types.ResourceType(resourceType),
		ResourceId:   aws.String(resourceID),
		Limit:        1,
	})
	var notDiscovered *types.ResourceNotDiscoveredException
	switch {
	case errors.As(err, &notDiscovered):
		return nil, l.absent(ctx, resourceType, resourceID, "is not discovered")
	case err != nil:
		return nil, fmt.Errorf("%w: reading %s %s from AWS Config: %w", evaluate.ErrUnknown, resourceType, resourceID, err)
	case len(out.ConfigurationItems) == 0:
		return nil, l.absent(ctx, resourceType, resourceID, "has no configuration history")
	}
	ci, err := evaluate.FromAPI(out.ConfigurationItems[0])
	if err != nil {
		return nil, fmt.Errorf("the item of %s %s from AWS Config: %w", resourceType, resourceID, err)
	}
	return ci, nil
}

// absent says why a resource Config does not know is missing: it does not
// exist when its type is recorded, and is unknown otherwise.
func (l *Lookup) absent(ctx context.Context, resourceType, resourceID, what string) error {
	recorded, err := l.Recorded(ctx, resourceType)
	switch {
	case err != nil:
		return fmt.Errorf("%w: %s %s %s, and whether Config records the type is unknown: %w", evaluate.ErrUnknown, resourceType, resourceID, what, err)
	case !recorded:
		return fmt.Errorf("%w: %s %s %s: AWS Config does not record %s", evaluate.ErrUnknown, resourceType, resourceID, what, resourceType)
	}
	return fmt.Errorf("%w: %s %s %s in AWS Config", evaluate.ErrNotFound, resourceType, resourceID, what)
}

// memo runs each keyed computation once; concurrent callers of a key wait
// for the first. Failures caused by the caller's own cancellation are not
// kept.
type memo[V any] struct {
	mu sync.Mutex
	m  map[string]*memoEntry[V]
}

type memoEntry[V any] struct {
	done chan struct{}
	v    V
	err  error
}

func (m *memo[V]) do(ctx context.Context, key string, fn func() (V, error)) (V, error) {
	m.mu.Lock()
	if m.m == nil {
		m.m = make(map[string]*memoEntry[V])
	}
	if e, ok := m.m[key]; ok {
		m.mu.Unlock()
		select {
		case <-e.done:
			return e.v, e.err
		case <-ctx.Done():
			var zero V
			return zero, ctx.Err()
		}
	}
	e := &memoEntry[V]{done: make(chan struct{})}
	m.m[key] = e
	m.mu.Unlock()
	e.v, e.err = fn()
	if e.err != nil && ctx.Err() != nil {
		m.mu.Lock()
		delete(m.m, key)
		m.mu.Unlock()
	}
	close(e.done)
	return e.v, e.err
}
