package awslookup

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/guardrails-go/guardrails/evaluate"
)

// MaxBatch is the most resources one BatchGetResourceConfig call reads.
const MaxBatch = 100

// unknownInBatchItems are the item paths BatchGetResourceConfig leaves out.
var unknownInBatchItems = []string{"tags", "relationships"}

// unprocessedRounds bounds how often keys Config left unprocessed are asked
// for again.
const unprocessedRounds = 4

// list reads every resource of a type: the listing's pages come one after
// the other (each needs the previous page's token), and each page is read
// with BatchGetResourceConfig while the next one is listed.
func (l *Lookup) list(ctx context.Context, resourceType string) ([]*evaluate.ConfigurationItem, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type page struct {
		keys  []types.ResourceKey
		items []*evaluate.ConfigurationItem
		err   error
	}
	var (
		pages []*page
		wg    sync.WaitGroup
		slots = make(chan struct{}, l.o.parallel)
		seen  = make(map[string]bool)
		order = make(map[string]int)
	)
	wait := func() { wg.Wait() }
	p := configservice.NewListDiscoveredResourcesPaginator(l.client, &configservice.ListDiscoveredResourcesInput{
		ResourceType: types.ResourceType(resourceType),
	}, func(o *configservice.ListDiscoveredResourcesPaginatorOptions) {
		o.Limit = MaxBatch
		o.StopOnDuplicateToken = true
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			cancel()
			wait()
			return nil, fmt.Errorf("%w: listing %s through AWS Config: %w", evaluate.ErrUnknown, resourceType, err)
		}
		var keys []types.ResourceKey
		for _, id := range out.ResourceIdentifiers {
			rid := aws.ToString(id.ResourceId)
			if rid == "" || seen[rid] {
				continue
			}
			seen[rid] = true
			order[rid] = len(order)
			keys = append(keys, types.ResourceKey{ResourceType: types.ResourceType(resourceType), ResourceId: aws.String(rid)})
		}
		for len(keys) > 0 {
			n := min(len(keys), MaxBatch)
			pg := &page{keys: keys[:n]}
			keys = keys[n:]
			pages = append(pages, pg)
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				wait()
				return nil, fmt.Errorf("%w: listing %s: %w", evaluate.ErrUnknown, resourceType, ctx.Err())
			}
			wg.Add(1)
			go func() {
				defer func() { <-slots; wg.Done() }()
				pg.items, pg.err = l.batchGet(ctx, pg.keys)
				if pg.err != nil {
					cancel()
				}
			}()
		}
	}
	wait()
	var items []*evaluate.ConfigurationItem
	for _, pg := range pages {
		if pg.err != nil {
			return nil, fmt.Errorf("%w: reading %s through AWS Config: %w", evaluate.ErrUnknown, resourceType, pg.err)
		}
		items = append(items, pg.items...)
	}
	if len(order) == 0 {
		recorded, err := l.Recorded(ctx, resourceType)
		switch {
		case err != nil:
			return nil, fmt.Errorf("%w: AWS Config lists no %s, and whether it records the type is unknown: %w", evaluate.ErrUnknown, resourceType, err)
		case !recorded:
			return nil, fmt.Errorf("%w: AWS Config does not record %s", evaluate.ErrUnknown, resourceType)
		}
		return nil, nil
	}
	// BatchGetResourceConfig answers in any order: keep the listing's.
	sortByOrder(items, order)
	l.mu.Lock()
	for _, ci := range items {
		l.known[resourceKey{ci.ResourceType, ci.ResourceID}] = ci
	}
	l.mu.Unlock()
	return items, nil
}

// batchGet reads up to MaxBatch resources, asking again for the keys Config
// leaves unprocessed. Deleted and unrecorded resources are left out.
func (l *Lookup) batchGet(ctx context.Context, keys []types.ResourceKey) ([]*evaluate.ConfigurationItem, error) {
	var items []*evaluate.ConfigurationItem
	for round := 0; len(keys) > 0; round++ {
		if round == unprocessedRounds {
			return nil, fmt.Errorf("AWS Config left %d resources unprocessed after %d calls, first %s", len(keys), round, aws.ToString(keys[0].ResourceId))
		}
		if round > 0 {
			t := time.NewTimer(time.Duration(round) * 50 * time.Millisecond)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			}
		}
		out, err := l.client.BatchGetResourceConfig(ctx, &configservice.BatchGetResourceConfigInput{ResourceKeys: keys})
		if err != nil {
			return nil, err
		}
		for _, base := range out.BaseConfigurationItems {
			ci, err := evaluate.FromBaseItem(base)
			if err != nil {
				return nil, fmt.Errorf("the item of %s %s: %w", base.ResourceType, aws.ToString(base.ResourceId), err)
			}
			if ci.Status.Deleted() || ci.Status == evaluate.StatusResourceNotRecorded {
				continue
			}
			// BatchGetResourceConfig returns neither tags nor relationships:
			// say they are unknown rather than let them read as none.
			ci.Unknown = append(ci.Unknown, unknownInBatchItems...)
			items = append(items, ci)
		}
		keys = out.UnprocessedResourceKeys
	}
	return items, nil
}

func sortByOrder(items []*evaluate.ConfigurationItem, order map[string]int) {
	pos := func(ci *evaluate.ConfigurationItem) int {
		if i, ok := order[ci.ResourceID]; ok {
			return i
		}
		return len(order)
	}
	slices.SortStableFunc(items, func(a, b *evaluate.ConfigurationItem) int { return pos(a) - pos(b) })
}
