package watch

import (
	"context"
	"fmt"
	"time"

	"github.com/guardrails-go/guardrails/evaluate"
)

// askRule runs a catalog rule, with its default parameters, on the state a
// call sets: when a call replaces a whole state (a password policy), the
// rule itself decides, so the watcher and the rule never disagree.
func (c *call) askRule(ruleID string, item *evaluate.ConfigurationItem, facts map[string][]byte) (evaluate.Result, error) {
	r, ok := c.rules(ruleID)
	if !ok {
		return evaluate.Result{}, fmt.Errorf("rule %s is not in the catalog, so the request cannot be judged", ruleID)
	}
	meta := r.Metadata()
	params, err := evaluate.BindParams(meta.Parameters, nil)
	if err != nil {
		return evaluate.Result{}, fmt.Errorf("rule %s: %w", ruleID, err)
	}
	ev, err := r.Prepare(params)
	if err != nil {
		return evaluate.Result{}, fmt.Errorf("rule %s: %w", ruleID, err)
	}
	now := time.Now()
	if t, err := time.Parse(time.RFC3339, c.rec.EventTime); err == nil {
		now = t
	}
	res, err := ev.Evaluate(c.ctx, &evaluate.Input{Item: item, Lookup: callLookup{facts}, Now: now})
	if err != nil {
		return res, fmt.Errorf("rule %s: %w", ruleID, err)
	}
	return res, nil
}

// callLookup knows the facts a call sets and nothing else.
type callLookup struct{ facts map[string][]byte }

func (callLookup) Resource(_ context.Context, resourceType, resourceID string) (*evaluate.ConfigurationItem, error) {
	return nil, fmt.Errorf("%w: a CloudTrail record does not show %s %s", evaluate.ErrUnknown, resourceType, resourceID)
}

func (callLookup) Resources(_ context.Context, q evaluate.Query) ([]*evaluate.ConfigurationItem, error) {
	return nil, fmt.Errorf("%w: a CloudTrail record does not list %s resources", evaluate.ErrUnknown, q.ResourceType)
}

func (l callLookup) Fact(_ context.Context, accountID, _, name string) ([]byte, error) {
	if b, ok := l.facts[name]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("%w: the call does not set fact %s of account %s", evaluate.ErrUnknown, name, accountID)
}
