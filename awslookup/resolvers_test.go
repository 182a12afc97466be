package awslookup

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules"
)

// resolverLookup is a Lookup over resolvers alone, as package awslookup's
// lookup is for the types it has resolvers for.
type resolverLookup map[string]func(context.Context, evaluate.Query) ([]*evaluate.ConfigurationItem, error)

func (l resolverLookup) Resource(_ context.Context, typ, id string) (*evaluate.ConfigurationItem, error) {
	return nil, fmt.Errorf("%w: %s %s is not fetched by id here", evaluate.ErrUnknown, typ, id)
}

func (l resolverLookup) Resources(ctx context.Context, q evaluate.Query) ([]*evaluate.ConfigurationItem, error) {
	r, ok := l[q.ResourceType]
	if !ok {
		return nil, fmt.Errorf("%w: no resolver for %s", evaluate.ErrUnknown, q.ResourceType)
	}
	return r(ctx, q)
}

func (l resolverLookup) Fact(_ context.Context, _, _, name string) ([]byte, error) {
	return nil, fmt.Errorf("%w: no fact %s", evaluate.ErrUnknown, name)
}

// judge evaluates items with one catalog rule through the lookup.
func judge(t *testing.T, ruleID string, lookup evaluate.Lookup, items ...*evaluate.ConfigurationItem) map[string]evaluate.Evaluation {
	t.Helper()
	rule, ok := rules.ByID(ruleID)
	if !ok {
		t.Fatalf("no rule %s", ruleID)
	}
	engine, err := evaluate.NewEngine([]evaluate.Rule{rule}, evaluate.WithLookup(lookup),
		evaluate.WithClock(func() time.Time { return time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC) }))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]evaluate.Evaluation{}
	for _, ci := range items {
		evs, err := engine.Evaluate(context.Background(), ci)
		if err != nil {
			t.Fatalf("%s: %v", ci.ResourceID, err)
		}
		for _, ev := range evs {
			out[ev.ResourceID] = ev
		}
	}
	return out
}
