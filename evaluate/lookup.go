package evaluate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
)

// ErrUnknown means the lookup cannot say: the data is not in the scanned
// input, no fact file was given, or the API was not reachable. A rule that
// meets it answers INSUFFICIENT_DATA (or is skipped), never guesses.
var ErrUnknown = errors.New("unknown")

// ErrNotFound means the lookup knows the resource does not exist.
var ErrNotFound = errors.New("not found")

// Query selects resources of one type, optionally in one account and
// region, and optionally one resource: with ResourceID set, an empty answer
// means the resource is known not to exist there (the lookup knows the
// type's items), which Resource cannot say.
type Query struct {
	ResourceType string
	AccountID    string // "" for any account
	Region       string // "" for any region
	ResourceID   string // "" for every resource
}

// Matches reports whether an item is one the query selects.
func (q Query) Matches(ci *ConfigurationItem) bool {
	return ci.ResourceType == q.ResourceType &&
		(q.AccountID == "" || ci.AccountID == q.AccountID) &&
		(q.Region == "" || ci.Region == q.Region) &&
		(q.ResourceID == "" || ci.ResourceID == q.ResourceID)
}

// Lookup answers a rule's questions beyond the item it evaluates. In a scan
// it is backed by the scanned items and fact files; in Lambda by the AWS
// APIs. Errors wrap ErrUnknown or ErrNotFound with a reason a rule can put
// in its annotation.
type Lookup interface {
	// Resource returns the current item of one resource.
	Resource(ctx context.Context, resourceType, resourceID string) (*ConfigurationItem, error)
	// Resources returns the items a query selects. It returns an error
	// wrapping ErrUnknown when it cannot list them all.
	Resources(ctx context.Context, q Query) ([]*ConfigurationItem, error)
	// Fact returns an account fact that configuration items cannot hold,
	// such as the credential report or the password policy, in the form
	// the AWS CLI prints it. Names are file names, such as
	// "iam-get-account-password-policy.json".
	Fact(ctx context.Context, accountID, region, name string) ([]byte, error)
}

// Facts supplies account facts.
type Facts interface {
	Fact(ctx context.Context, accountID, region, name string) ([]byte, error)
}

// FactsDir returns facts read from files in dir. A fact is looked up as
// dir/ACCOUNT/REGION/NAME, then dir/ACCOUNT/NAME, then dir/NAME; files at
// the top apply to every account, so a multi-account scan should use
// account directories. Each file is read once: rules that read a fact per
// resource (the credential report, per user) get the same bytes.
func FactsDir(dir string) Facts { return FactsFS(os.DirFS(dir)) }

// FactsFS is FactsDir over a file system, such as an embedded one.
func FactsFS(fsys fs.FS) Facts { return &factsFS{fsys: fsys} }

type factsFS struct {
	fsys  fs.FS
	cache sync.Map // path → factFile
}

type factFile struct {
	data []byte
	err  error
}

func (d *factsFS) read(p string) ([]byte, error) {
	if v, ok := d.cache.Load(p); ok {
		f := v.(factFile)
		return f.data, f.err
	}
	data, err := fs.ReadFile(d.fsys, p)
	v, _ := d.cache.LoadOrStore(p, factFile{data, err})
	f := v.(factFile)
	return f.data, f.err
}

func (d *factsFS) Fact(_ context.Context, accountID, region, name string) ([]byte, error) {
	if !fs.ValidPath(name) || strings.Contains(name, "/") {
		return nil, fmt.Errorf("%w: %q is not a fact file name", ErrUnknown, name)
	}
	var candidates []string
	if accountID != "" && fs.ValidPath(accountID) {
		if region != "" && fs.ValidPath(region) {
			candidates = append(candidates, path.Join(accountID, region, name))
		}
		candidates = append(candidates, path.Join(accountID, name))
	}
	candidates = append(candidates, name)
	for _, p := range candidates {
		data, err := d.read(p)
		if err == nil {
			return data, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("fact %s: %w", p, err)
		}
	}
	return nil, fmt.Errorf("%w: no fact file %s for account %s", ErrUnknown, name, accountID)
}

// noFacts knows no facts.
type noFacts struct{}

func (noFacts) Fact(_ context.Context, accountID, _, name string) ([]byte, error) {
	return nil, fmt.Errorf("%w: fact %s of account %s is not available (give a facts directory)", ErrUnknown, name, accountID)
}

// Inventory is a Lookup over items held in memory, such as those of a scan.
// Of several items of one resource (a history file) the latest capture
// wins. A resource type counts as known in an account once one item of it
// has been added there: Resources answers ErrUnknown for types it never saw,
// since an absent type may just not be recorded.
type Inventory struct {
	mu      sync.RWMutex
	items   map[resourceKey]*ConfigurationItem
	byType  map[string][]resourceKey
	byScope map[scopeKey][]resourceKey // type, account and region
	seen    map[[2]string]bool         // account, type
	facts   Facts
	memo    sync.Map // key → memoValue
}

type resourceKey struct{ resourceType, resourceID string }

type scopeKey struct{ resourceType, account, region string }

type memoValue struct {
	v   any
	err error
}

var _ Memo = (*Inventory)(nil)

// Memo keeps one computed value per key for the inventory's life, so that
// a related item (a flow log, a trail's bucket) is decoded once in a scan.
// Concurrent first calls may compute twice; one result is kept.
func (inv *Inventory) Memo(key any, compute func() (any, error)) (any, error) {
	if v, ok := inv.memo.Load(key); ok {
		m := v.(memoValue)
		return m.v, m.err
	}
	v, err := compute()
	got, _ := inv.memo.LoadOrStore(key, memoValue{v, err})
	m := got.(memoValue)
	return m.v, m.err
}

// NewInventory returns an empty inventory whose facts come from facts (nil
// for none).
func NewInventory(facts Facts) *Inventory {
	if facts == nil {
		facts = noFacts{}
	}
	return &Inventory{
		items:   make(map[resourceKey]*ConfigurationItem),
		byType:  make(map[string][]resourceKey),
		byScope: make(map[scopeKey][]resourceKey),
		seen:    make(map[[2]string]bool),
		facts:   facts,
	}
}

// Add records an item.
func (inv *Inventory) Add(ci *ConfigurationItem) {
	if ci == nil || ci.Status == StatusResourceNotRecorded {
		return
	}
	k := resourceKey{ci.ResourceType, ci.ResourceID}
	inv.mu.Lock()
	defer inv.mu.Unlock()
	inv.seen[[2]string{ci.AccountID, ci.ResourceType}] = true
	old, ok := inv.items[k]
	if !ok {
		inv.byType[ci.ResourceType] = append(inv.byType[ci.ResourceType], k)
		sk := scopeKey{ci.ResourceType, ci.AccountID, ci.Region}
		inv.byScope[sk] = append(inv.byScope[sk], k)
	} else if old.CaptureTime.After(ci.CaptureTime) {
		return
	}
	inv.items[k] = ci
}

// Resource returns the item of a resource. A resource the inventory does not
// hold is unknown rather than absent: it may be in another account.
func (inv *Inventory) Resource(_ context.Context, resourceType, resourceID string) (*ConfigurationItem, error) {
	inv.mu.RLock()
	ci, ok := inv.items[resourceKey{resourceType, resourceID}]
	inv.mu.RUnlock()
	switch {
	case !ok:
		return nil, fmt.Errorf("%w: no %s %s in the scanned input", ErrUnknown, resourceType, resourceID)
	case ci.Status.Deleted():
		return nil, fmt.Errorf("%w: %s %s was deleted", ErrNotFound, resourceType, resourceID)
	}
	return ci, nil
}

// Resources returns the items of a type, in the order they were added.
func (inv *Inventory) Resources(_ context.Context, q Query) ([]*ConfigurationItem, error) {
	inv.mu.RLock()
	defer inv.mu.RUnlock()
	if q.AccountID != "" && !inv.seen[[2]string{q.AccountID, q.ResourceType}] {
		return nil, fmt.Errorf("%w: no %s items of account %s in the scanned input", ErrUnknown, q.ResourceType, q.AccountID)
	}
	if q.AccountID == "" && len(inv.byType[q.ResourceType]) == 0 {
		return nil, fmt.Errorf("%w: no %s items in the scanned input", ErrUnknown, q.ResourceType)
	}
	if q.ResourceID != "" {
		ci, ok := inv.items[resourceKey{q.ResourceType, q.ResourceID}]
		if !ok || ci.Status.Deleted() || !q.Matches(ci) {
			return nil, nil
		}
		return []*ConfigurationItem{ci}, nil
	}
	keys := inv.byType[q.ResourceType]
	if q.AccountID != "" && q.Region != "" {
		keys = inv.byScope[scopeKey{q.ResourceType, q.AccountID, q.Region}]
	}
	var out []*ConfigurationItem
	for _, k := range keys {
		ci := inv.items[k]
		if ci.Status.Deleted() || !q.Matches(ci) {
			continue
		}
		out = append(out, ci)
	}
	return out, nil
}

// Fact returns a fact from the inventory's fact source.
func (inv *Inventory) Fact(ctx context.Context, accountID, region, name string) ([]byte, error) {
	return inv.facts.Fact(ctx, accountID, region, name)
}
