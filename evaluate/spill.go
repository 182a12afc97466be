package evaluate

import (
	"context"
	"fmt"
	"os"
	"sync"
)

// spillInventory is the Lookup a scan builds: like Inventory, but it keeps
// the items in a temporary file and only a compact index in memory (about
// a hundred bytes an item), so that a snapshot of a million buckets, which
// cloudtrail-bucket-protected may look up, does not hold them all. An item
// is read back and decoded when a rule asks for it, without its Location:
// rules judge related items, they do not report them.
type spillInventory struct {
	file  *os.File
	size  int64
	facts Facts

	mu      sync.RWMutex
	names   []string          // interned types, accounts, regions
	nameIDs map[string]uint32 // name → index in names
	index   map[spillKey]spilled
	byScope map[spillScope][]string // resource ids
	scopes  []spillScope            // in the order first seen
	seen    map[[2]uint32]bool      // account, type
	types   map[uint32]bool         // types with at least one item
	unknown map[spillKey][]string   // Unknown of the few items that have it
	memo    sync.Map
}

type spillKey struct {
	resourceType uint32
	resourceID   string
}

type spillScope struct{ resourceType, account, region uint32 }

// spilled locates one item in the file.
type spilled struct {
	off             int64
	n               uint32
	account, region uint32
	deleted         bool
	captured        int64 // capture time, Unix nanoseconds
}

func newSpillInventory(facts Facts) (*spillInventory, error) {
	f, err := os.CreateTemp("", "guardrails-inventory-*.json")
	if err != nil {
		return nil, err
	}
	// The file is only ever read through this handle: unlink it now, so
	// that nothing is left behind whatever happens to the process.
	_ = os.Remove(f.Name())
	if facts == nil {
		facts = noFacts{}
	}
	return &spillInventory{
		file: f, facts: facts,
		nameIDs: make(map[string]uint32),
		index:   make(map[spillKey]spilled),
		byScope: make(map[spillScope][]string),
		seen:    make(map[[2]uint32]bool),
		types:   make(map[uint32]bool),
		unknown: make(map[spillKey][]string),
	}, nil
}

// close releases the file.
func (s *spillInventory) close() { s.file.Close() }

// intern returns the index of a name, adding it; the caller holds s.mu.
func (s *spillInventory) intern(name string) uint32 {
	if id, ok := s.nameIDs[name]; ok {
		return id
	}
	id := uint32(len(s.names))
	s.names = append(s.names, name)
	s.nameIDs[name] = id
	return id
}

// lookupName returns the index of a known name; the caller holds s.mu.
func (s *spillInventory) lookupName(name string) (uint32, bool) {
	id, ok := s.nameIDs[name]
	return id, ok
}

// add writes the item and indexes it; of several items of one resource the
// latest capture wins, as in Inventory. raw, when not nil, is the item as
// read (ci then holds its envelope only); else ci is written as JSON.
func (s *spillInventory) add(ci *ConfigurationItem, raw []byte) error {
	if ci == nil || ci.Status == StatusResourceNotRecorded {
		return nil
	}
	captured := ci.CaptureTime.UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	t, acct, region := s.intern(ci.ResourceType), s.intern(ci.AccountID), s.intern(ci.Region)
	k := spillKey{t, ci.ResourceID}
	s.seen[[2]uint32{acct, t}] = true
	s.types[t] = true
	old, exists := s.index[k]
	if exists && old.captured > captured {
		return nil
	}
	data := raw
	if data == nil {
		var err error
		if data, err = ci.MarshalJSON(); err != nil {
			return err
		}
	}
	if _, err := s.file.WriteAt(data, s.size); err != nil {
		return err
	}
	s.index[k] = spilled{off: s.size, n: uint32(len(data)), account: acct, region: region,
		deleted: ci.Status.Deleted(), captured: captured}
	s.size += int64(len(data))
	if len(ci.Unknown) > 0 {
		s.unknown[k] = ci.Unknown
	} else {
		delete(s.unknown, k)
	}
	if !exists {
		sc := spillScope{t, acct, region}
		if len(s.byScope[sc]) == 0 {
			s.scopes = append(s.scopes, sc)
		}
		s.byScope[sc] = append(s.byScope[sc], ci.ResourceID)
	}
	return nil
}

// load reads an item back; the caller holds s.mu for reading.
func (s *spillInventory) load(k spillKey, e spilled) (*ConfigurationItem, error) {
	data := make([]byte, e.n)
	if _, err := s.file.ReadAt(data, e.off); err != nil {
		return nil, fmt.Errorf("reading %s %s back from the scan's inventory: %w", s.names[k.resourceType], k.resourceID, err)
	}
	ci, err := DecodeItem(data)
	if err != nil {
		return nil, fmt.Errorf("reading %s %s back from the scan's inventory: %w", s.names[k.resourceType], k.resourceID, err)
	}
	ci.Unknown = s.unknown[k]
	return ci, nil
}

func (s *spillInventory) Resource(_ context.Context, resourceType, resourceID string) (*ConfigurationItem, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.lookupName(resourceType)
	var e spilled
	if ok {
		e, ok = s.index[spillKey{t, resourceID}]
	}
	switch {
	case !ok:
		return nil, fmt.Errorf("%w: no %s %s in the scanned input", ErrUnknown, resourceType, resourceID)
	case e.deleted:
		return nil, fmt.Errorf("%w: %s %s was deleted", ErrNotFound, resourceType, resourceID)
	}
	return s.load(spillKey{t, resourceID}, e)
}

func (s *spillInventory) Resources(_ context.Context, q Query) ([]*ConfigurationItem, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, typeKnown := s.lookupName(q.ResourceType)
	acct, acctKnown := s.lookupName(q.AccountID)
	region, regionKnown := s.lookupName(q.Region)
	switch {
	case q.AccountID != "" && (!typeKnown || !acctKnown || !s.seen[[2]uint32{acct, t}]):
		return nil, fmt.Errorf("%w: no %s items of account %s in the scanned input", ErrUnknown, q.ResourceType, q.AccountID)
	case q.AccountID == "" && (!typeKnown || !s.types[t]):
		return nil, fmt.Errorf("%w: no %s items in the scanned input", ErrUnknown, q.ResourceType)
	case q.Region != "" && !regionKnown:
		return nil, nil
	}
	var ids []string
	switch {
	case q.ResourceID != "":
		ids = []string{q.ResourceID}
	case q.AccountID != "" && q.Region != "":
		ids = s.byScope[spillScope{t, acct, region}]
	default:
		for _, sc := range s.scopes {
			if sc.resourceType == t {
				ids = append(ids, s.byScope[sc]...)
			}
		}
	}
	var out []*ConfigurationItem
	for _, id := range ids {
		k := spillKey{t, id}
		e, ok := s.index[k]
		if !ok || e.deleted || q.AccountID != "" && e.account != acct || q.Region != "" && e.region != region {
			continue
		}
		ci, err := s.load(k, e)
		if err != nil {
			return nil, err
		}
		out = append(out, ci)
	}
	return out, nil
}

func (s *spillInventory) Fact(ctx context.Context, accountID, region, name string) ([]byte, error) {
	return s.facts.Fact(ctx, accountID, region, name)
}

// Memo keeps values rules compute from lookups for the scan, as
// Inventory.Memo does.
func (s *spillInventory) Memo(key any, compute func() (any, error)) (any, error) {
	if v, ok := s.memo.Load(key); ok {
		m := v.(memoValue)
		return m.v, m.err
	}
	v, err := compute()
	got, _ := s.memo.LoadOrStore(key, memoValue{v, err})
	m := got.(memoValue)
	return m.v, m.err
}
