package evaluate

import (
	"context"
	"fmt"
	"os"
	"sync"
)

// spillInventory is the Lookup a scan builds: like Inventory, but it keeps
// the items in a temporary file and only a compact index in memory (about
// sixty bytes an item, keyed by a 64-bit hash of type and id, checked on
// every load), so that a snapshot of a million buckets, which
// cloudtrail-bucket-protected may look up, does not hold them all. An item
// is read back and decoded when a rule asks for it, without its Location:
// rules judge related items, they do not report them.
type spillInventory struct {
	file  *os.File
	size  int64
	facts Facts

	mu      sync.RWMutex
	names   []string                // interned types, accounts, regions
	nameIDs map[string]uint32       // name → index in names
	index   map[uint64][]spilled    // by keyHash; more than one on a hash collision
	byScope map[spillScope][]uint64 // key hashes
	scopes  []spillScope            // in the order first seen
	seen    map[[2]uint32]bool      // account, type
	types   map[uint32]bool         // types with at least one item
	unknown map[spillKey][]string   // Unknown of the few items that have it
	memo    sync.Map

	collisions int // keys that share a hash with another
}

type spillKey struct {
	resourceType uint32
	resourceID   string
}

// keyHash hashes a type index and a resource id; a variable so that tests
// can make every key collide.
var keyHash = fnvKeyHash

// fnvKeyHash is FNV-1a of the type index and the resource id.
func fnvKeyHash(t uint32, id string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < 4; i++ {
		h ^= uint64(byte(t >> (8 * i)))
		h *= 1099511628211
	}
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= 1099511628211
	}
	return h
}

type spillScope struct{ resourceType, account, region uint32 }

// spilled locates one item in the file. Its type and id are in the file:
// load checks them, so that a hash collision never mixes two resources.
type spilled struct {
	off             int64
	n               uint32
	resourceType    uint32
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
		index:   make(map[uint64][]spilled),
		byScope: make(map[spillScope][]uint64),
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
	s.seen[[2]uint32{acct, t}] = true
	s.types[t] = true
	h := keyHash(t, ci.ResourceID)
	slot := -1
	for i, e := range s.index[h] {
		if e.resourceType == t && s.idAt(e) == ci.ResourceID {
			slot = i
			break
		}
	}
	if slot >= 0 && s.index[h][slot].captured > captured {
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
	e := spilled{off: s.size, n: uint32(len(data)), resourceType: t, account: acct, region: region,
		deleted: ci.Status.Deleted(), captured: captured}
	s.size += int64(len(data))
	k := spillKey{t, ci.ResourceID}
	if len(ci.Unknown) > 0 {
		s.unknown[k] = ci.Unknown
	} else {
		delete(s.unknown, k)
	}
	if slot >= 0 {
		s.index[h][slot] = e
		return nil
	}
	if len(s.index[h]) > 0 {
		s.collisions++
	}
	s.index[h] = append(s.index[h], e)
	sc := spillScope{t, acct, region}
	if len(s.byScope[sc]) == 0 {
		s.scopes = append(s.scopes, sc)
	}
	s.byScope[sc] = append(s.byScope[sc], h)
	return nil
}

// idAt reads back the resource id of a spilled item, to tell apart two
// resources whose keys hash alike; the caller holds s.mu.
func (s *spillInventory) idAt(e spilled) string {
	ci, err := s.loadEntry(e)
	if err != nil {
		return ""
	}
	return ci.ResourceID
}

// loadEntry reads and decodes an item; the caller holds s.mu.
func (s *spillInventory) loadEntry(e spilled) (*ConfigurationItem, error) {
	data := make([]byte, e.n)
	if _, err := s.file.ReadAt(data, e.off); err != nil {
		return nil, err
	}
	return DecodeItem(data)
}

// find returns the entry of a resource; the caller holds s.mu.
func (s *spillInventory) find(t uint32, id string) (spilled, *ConfigurationItem, bool, error) {
	for _, e := range s.index[keyHash(t, id)] {
		if e.resourceType != t {
			continue
		}
		ci, err := s.loadEntry(e)
		if err != nil {
			return e, nil, true, fmt.Errorf("reading %s %s back from the scan's inventory: %w", s.names[t], id, err)
		}
		if ci.ResourceID == id {
			ci.Unknown = s.unknown[spillKey{t, id}]
			return e, ci, true, nil
		}
	}
	return spilled{}, nil, false, nil
}

func (s *spillInventory) Resource(_ context.Context, resourceType, resourceID string) (*ConfigurationItem, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.lookupName(resourceType)
	var e spilled
	var ci *ConfigurationItem
	var err error
	if ok {
		e, ci, ok, err = s.find(t, resourceID)
	}
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return nil, fmt.Errorf("%w: no %s %s in the scanned input", ErrUnknown, resourceType, resourceID)
	case e.deleted:
		return nil, fmt.Errorf("%w: %s %s was deleted", ErrNotFound, resourceType, resourceID)
	}
	return ci, nil
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
	match := func(e spilled) bool {
		return e.resourceType == t && !e.deleted &&
			(q.AccountID == "" || e.account == acct) && (q.Region == "" || e.region == region)
	}
	var out []*ConfigurationItem
	if q.ResourceID != "" {
		e, ci, ok, err := s.find(t, q.ResourceID)
		if err != nil {
			return nil, err
		}
		if ok && match(e) {
			out = append(out, ci)
		}
		return out, nil
	}
	var hashes []uint64
	if q.AccountID != "" && q.Region != "" {
		hashes = s.byScope[spillScope{t, acct, region}]
	} else {
		for _, sc := range s.scopes {
			if sc.resourceType == t {
				hashes = append(hashes, s.byScope[sc]...)
			}
		}
	}
	var done map[uint64]bool // with collisions, a hash may be listed twice
	if s.collisions > 0 {
		done = make(map[uint64]bool)
	}
	for _, h := range hashes {
		if done != nil {
			if done[h] {
				continue
			}
			done[h] = true
		}
		for _, e := range s.index[h] {
			if !match(e) {
				continue
			}
			ci, err := s.loadEntry(e)
			if err != nil {
				return nil, fmt.Errorf("reading %s back from the scan's inventory: %w", q.ResourceType, err)
			}
			ci.Unknown = s.unknown[spillKey{t, ci.ResourceID}]
			out = append(out, ci)
		}
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
