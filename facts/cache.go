package facts

import (
	"context"
	"fmt"
	"sync"

	"github.com/guardrails-go/guardrails/evaluate"
)

// Cache returns facts that remember f's answers, errors included, for the
// life of the returned value. Rules ask for the same fact once per
// resource (the credential report for each user); in a scan, wrap
// evaluate.FactsDir in Cache so that each file is read once.
func Cache(f evaluate.Facts) evaluate.Facts {
	return &cached{facts: f, entries: map[[3]string]*factEntry{}}
}

type cached struct {
	facts   evaluate.Facts
	mu      sync.Mutex
	entries map[[3]string]*factEntry
}

func (c *cached) Fact(ctx context.Context, accountID, region, name string) ([]byte, error) {
	key := [3]string{accountID, region, name}
	c.mu.Lock()
	e, ok := c.entries[key]
	if !ok {
		e = &factEntry{done: make(chan struct{})}
		c.entries[key] = e
	}
	c.mu.Unlock()
	if ok {
		select {
		case <-e.done:
			return e.data, e.err
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: fact %s: %v", evaluate.ErrUnknown, name, ctx.Err())
		}
	}
	e.data, e.err = c.facts.Fact(ctx, accountID, region, name)
	if e.err != nil && ctx.Err() != nil {
		c.mu.Lock()
		delete(c.entries, key)
		c.mu.Unlock()
	}
	close(e.done)
	return e.data, e.err
}
