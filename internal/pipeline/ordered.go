// Package pipeline runs work on several goroutines and delivers the results
// in the order the work came in.
package pipeline

import (
	"context"
	"sync"
)

// Ordered calls produce, which sends units of work; fn runs on workers
// goroutines; consume receives each result in the order its work was sent.
// At most 2*workers units are in flight, so memory stays bounded however
// long the stream. When consume returns false or ctx is done, Ordered stops
// producing, waits for every goroutine to end and returns.
func Ordered[In, Out any](ctx context.Context, workers int,
	produce func(send func(In) bool),
	fn func(In) Out,
	consume func(Out) bool,
) {
	if workers < 1 {
		workers = 1
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type job struct {
		seq int
		in  In
	}
	type done struct {
		seq int
		out Out
	}
	window := 2 * workers
	slots := make(chan struct{}, window) // in-flight work, released by the consumer
	jobs := make(chan job)
	results := make(chan done, window)

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(jobs)
		seq := 0
		produce(func(in In) bool {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return false
			}
			select {
			case jobs <- job{seq, in}:
				seq++
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	var workersWG sync.WaitGroup
	for range workers {
		workersWG.Add(1)
		go func() {
			defer workersWG.Done()
			for j := range jobs {
				out := fn(j.in)
				select {
				case results <- done{j.seq, out}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		workersWG.Wait()
		close(results)
	}()

	pending := make(map[int]Out, window)
	next := 0
	stopped := false
	for d := range results {
		if stopped {
			continue // drain so that workers can finish
		}
		pending[d.seq] = d.out
		for {
			out, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-slots
			if !consume(out) || ctx.Err() != nil {
				stopped = true
				cancel()
				break
			}
		}
	}
	wg.Wait()
}
