package configrule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/guardrails-go/guardrails/awslookup"
	"github.com/guardrails-go/guardrails/evaluate"
)

// RuleAPI is the part of the Config client that reports a rule's results.
type RuleAPI interface {
	PutEvaluations(ctx context.Context, in *configservice.PutEvaluationsInput, optFns ...func(*configservice.Options)) (*configservice.PutEvaluationsOutput, error)
	GetComplianceDetailsByConfigRule(ctx context.Context, in *configservice.GetComplianceDetailsByConfigRuleInput, optFns ...func(*configservice.Options)) (*configservice.GetComplianceDetailsByConfigRuleOutput, error)
}

var _ RuleAPI = (*configservice.Client)(nil)

// MaxPutBatch is the most evaluations one PutEvaluations call carries.
const MaxPutBatch = 100

// testModeToken is the result token with which PutEvaluations only checks
// the evaluations (rdk test-remote sends it).
const testModeToken = "TESTMODE"

// invocation is the work of one event.
type invocation struct {
	h               *Handler
	meta            evaluate.Metadata
	engine          *evaluate.Engine
	event           events.ConfigEvent
	inv             *invokingEvent
	sess            *session
	lookup          *awslookup.Lookup
	account, region string
	log             *slog.Logger
	sum             *Summary

	toPut        []types.Evaluation
	failed       []error
	insufficient []evaluate.Evaluation
	problems     []error
	// aborted is set when the invocation could not evaluate at all; then
	// not even an empty PutEvaluations is sent.
	aborted bool
}

func (r *invocation) run(ctx context.Context) error {
	if r.inv.periodic() {
		r.periodic(ctx)
	} else {
		r.change(ctx)
	}
	r.put(ctx)
	return r.err()
}

// change evaluates the item of a change notification.
func (r *invocation) change(ctx context.Context) {
	ci := r.inv.item
	if r.inv.messageType == OversizedChangeNotification {
		ci = r.inv.summary
		if !ci.Status.Deleted() && ci.Status != evaluate.StatusResourceNotRecorded && !r.event.EventLeftScope {
			full, err := r.lookup.LatestItem(ctx, ci.ResourceType, ci.ResourceID)
			if err != nil {
				r.problems = append(r.problems, fmt.Errorf("reading the oversized item of %s %s: %w", ci.ResourceType, ci.ResourceID, describeAWSError(err, r.sess.role)))
				r.aborted = true
				return
			}
			ci = full
		}
	}
	ts := ci.CaptureTime
	if ts.IsZero() {
		ts = r.inv.notified
	}
	if ts.IsZero() {
		ts = r.h.o.clock()
	}
	switch {
	case r.event.EventLeftScope:
		r.add(ci.ResourceType, ci.ResourceID, evaluate.NotApplicable, "The resource left the rule's scope.", ts, 0)
	case ci.Status == evaluate.StatusResourceNotRecorded:
		r.log.LogAttrs(ctx, slog.LevelInfo, "not evaluated: Config does not record the resource",
			slog.String("resourceType", ci.ResourceType), slog.String("resourceId", ci.ResourceID))
	case r.engine.Covers(ci.ResourceType):
		r.evaluate(ctx, []*evaluate.ConfigurationItem{ci}, ts)
	case r.meta.Account():
		account := r.account
		if account == "" {
			account = ci.AccountID
		}
		r.evaluate(ctx, []*evaluate.ConfigurationItem{evaluate.AccountItem(account, r.region)}, ts)
	case ci.Status.Deleted():
		r.add(ci.ResourceType, ci.ResourceID, evaluate.NotApplicable, "The resource was deleted.", ts, 0)
	default:
		r.add(ci.ResourceType, ci.ResourceID, evaluate.NotApplicable, fmt.Sprintf("The rule does not evaluate %s resources.", ci.ResourceType), ts, 0)
	}
}

// periodic evaluates every resource of the rule's types, or the account,
// then reports vanished resources as NOT_APPLICABLE.
func (r *invocation) periodic(ctx context.Context) {
	ts := r.inv.notified
	if ts.IsZero() {
		ts = r.h.o.clock()
	}
	evalCtx, cancel := r.evaluationContext(ctx)
	defer cancel()
	var items []*evaluate.ConfigurationItem
	if r.meta.Account() {
		if r.account == "" {
			r.problems = append(r.problems, errors.New("the event names no account to evaluate (accountId)"))
			r.aborted = true
			return
		}
		items = append(items, evaluate.AccountItem(r.account, r.region))
	}
	unlisted := map[string]bool{}
	for _, t := range r.meta.ResourceTypes {
		if t == evaluate.AccountResourceType {
			continue
		}
		listed, err := r.lookup.Resources(evalCtx, evaluate.Query{ResourceType: t, AccountID: r.account, Region: r.region})
		if err != nil {
			unlisted[t] = true
			r.problems = append(r.problems, fmt.Errorf("listing %s: %w", t, describeAWSError(err, r.sess.role)))
			continue
		}
		items = append(items, listed...)
	}
	seen := make(map[[2]string]bool, len(items))
	for _, ci := range items {
		seen[[2]string{ci.ResourceType, ci.ResourceID}] = true
	}
	r.evaluate(evalCtx, items, ts)
	if r.h.o.cleanup {
		r.cleanup(ctx, seen, unlisted, ts)
	}
}

// evaluationContext leaves time before the Lambda's deadline to put what
// was evaluated: a fifth of the time left, at most ten seconds.
func (r *invocation) evaluationContext(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	margin := min(time.Until(deadline)/5, 10*time.Second)
	return context.WithDeadline(ctx, deadline.Add(-margin))
}

// evaluate runs the rule on items with the handler's workers and records
// the outcomes in input order.
func (r *invocation) evaluate(ctx context.Context, items []*evaluate.ConfigurationItem, ts time.Time) {
	type outcome struct {
		evs  []evaluate.Evaluation
		err  error
		dur  time.Duration
		done bool
	}
	out := make([]outcome, len(items))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(r.h.o.workers, len(items)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(items) || ctx.Err() != nil {
					return
				}
				start := time.Now()
				evs, err := r.engine.Evaluate(ctx, items[i])
				out[i] = outcome{evs: evs, err: err, dur: time.Since(start), done: true}
			}
		})
	}
	wg.Wait()
	skipped := 0
	for i, o := range out {
		if !o.done {
			skipped++
			continue
		}
		r.sum.Evaluated++
		r.record(ctx, items[i], o.evs, o.err, o.dur, ts)
	}
	if skipped > 0 {
		r.problems = append(r.problems, fmt.Errorf("%d of %d resources were not evaluated before the Lambda's deadline", skipped, len(items)))
	}
}

// record sorts one item's outcome: evaluations to put, results that cannot
// be put, and failures.
func (r *invocation) record(ctx context.Context, ci *evaluate.ConfigurationItem, evs []evaluate.Evaluation, err error, dur time.Duration, ts time.Time) {
	for _, ev := range evs {
		if ev.Compliance == evaluate.InsufficientData {
			r.sum.InsufficientData++
			ev.OrderingTimestamp = ts
			r.insufficient = append(r.insufficient, ev)
			r.log.LogAttrs(ctx, slog.LevelWarn, "insufficient data: not put",
				slog.String("resourceType", ev.ResourceType), slog.String("resourceId", ev.ResourceID),
				slog.String("compliance", string(ev.Compliance)), slog.String("annotation", ev.Annotation),
				slog.Duration("duration", dur))
			continue
		}
		r.add(ev.ResourceType, ev.ResourceID, ev.Compliance, ev.Annotation, ts, dur)
	}
	if err == nil {
		return
	}
	for _, e := range splitErrors(err) {
		r.sum.Failed++
		r.failed = append(r.failed, e)
		r.log.LogAttrs(ctx, slog.LevelError, "evaluation failed",
			slog.String("resourceType", ci.ResourceType), slog.String("resourceId", ci.ResourceID),
			slog.String("error", e.Error()), slog.Duration("duration", dur))
	}
}

func splitErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// add queues an evaluation to put and logs it.
func (r *invocation) add(resourceType, resourceID string, c evaluate.Compliance, annotation string, ts time.Time, dur time.Duration) {
	annotation = evaluate.CutAnnotation(annotation)
	ev := types.Evaluation{
		ComplianceResourceType: aws.String(resourceType),
		ComplianceResourceId:   aws.String(resourceID),
		ComplianceType:         types.ComplianceType(c),
		OrderingTimestamp:      aws.Time(ts),
	}
	// Config wants an annotation of at least one character, or none.
	if annotation != "" {
		ev.Annotation = aws.String(annotation)
	}
	r.toPut = append(r.toPut, ev)
	r.log.LogAttrs(context.Background(), slog.LevelInfo, "evaluation",
		slog.String("resourceType", resourceType), slog.String("resourceId", resourceID),
		slog.String("compliance", string(c)), slog.String("annotation", annotation),
		slog.Duration("duration", dur))
}

// cleanup reports as NOT_APPLICABLE the resources that earlier evaluations
// of this Config rule found COMPLIANT or NON_COMPLIANT and that this run
// did not find, except those of types it could not list.
func (r *invocation) cleanup(ctx context.Context, seen map[[2]string]bool, unlisted map[string]bool, ts time.Time) {
	if r.event.ConfigRuleName == "" {
		r.problems = append(r.problems, errors.New("the event has no configRuleName, so earlier evaluations cannot be cleaned up"))
		return
	}
	p := configservice.NewGetComplianceDetailsByConfigRulePaginator(r.sess.config, &configservice.GetComplianceDetailsByConfigRuleInput{
		ConfigRuleName:  aws.String(r.event.ConfigRuleName),
		ComplianceTypes: []types.ComplianceType{types.ComplianceTypeCompliant, types.ComplianceTypeNonCompliant},
	}, func(o *configservice.GetComplianceDetailsByConfigRulePaginatorOptions) {
		o.Limit = 100
		o.StopOnDuplicateToken = true
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			r.problems = append(r.problems, fmt.Errorf("reading the earlier evaluations of %s: %w", r.event.ConfigRuleName, describeAWSError(err, r.sess.role)))
			return
		}
		for _, res := range out.EvaluationResults {
			if res.EvaluationResultIdentifier == nil || res.EvaluationResultIdentifier.EvaluationResultQualifier == nil {
				continue
			}
			q := res.EvaluationResultIdentifier.EvaluationResultQualifier
			t, id := aws.ToString(q.ResourceType), aws.ToString(q.ResourceId)
			key := [2]string{t, id}
			if q.EvaluationMode == types.EvaluationModeProactive || t == "" || id == "" || unlisted[t] || seen[key] {
				continue
			}
			seen[key] = true
			r.sum.CleanedUp++
			r.add(t, id, evaluate.NotApplicable, "The resource no longer exists.", ts, 0)
		}
	}
}

// put sends the evaluations in batches of MaxPutBatch, sends again those
// Config reports as failed, and records what still fails.
func (r *invocation) put(ctx context.Context) {
	if r.aborted && len(r.toPut) == 0 {
		return
	}
	token := r.event.ResultToken
	r.sum.TestMode = token == testModeToken
	pending := r.toPut
	if len(pending) == 0 {
		// Every invocation answers, even with nothing to report, so Config
		// sees the evaluation finish (as rdklib does).
		if _, err := r.sess.config.PutEvaluations(ctx, &configservice.PutEvaluationsInput{
			Evaluations: []types.Evaluation{}, ResultToken: aws.String(token), TestMode: r.sum.TestMode,
		}); err != nil {
			r.problems = append(r.problems, fmt.Errorf("PutEvaluations: %w", describeAWSError(err, r.sess.role)))
		}
		return
	}
	backoff := r.h.o.putBackoff
	for round := 0; ; round++ {
		var failed []types.Evaluation
		for start := 0; start < len(pending); start += MaxPutBatch {
			batch := pending[start:min(start+MaxPutBatch, len(pending))]
			out, err := r.sess.config.PutEvaluations(ctx, &configservice.PutEvaluationsInput{
				Evaluations: batch, ResultToken: aws.String(token), TestMode: r.sum.TestMode,
			})
			if err != nil {
				r.problems = append(r.problems, fmt.Errorf("PutEvaluations of %d evaluations (%s and others): %w",
					len(batch), describeEvaluation(batch[0]), describeAWSError(err, r.sess.role)))
				continue
			}
			rejected := make(map[[3]string]bool, len(out.FailedEvaluations))
			for _, f := range out.FailedEvaluations {
				rejected[evaluationKey(f)] = true
			}
			for _, ev := range batch {
				if rejected[evaluationKey(ev)] {
					failed = append(failed, ev)
					continue
				}
				r.count(ev)
			}
		}
		if len(failed) == 0 {
			return
		}
		if round == r.h.o.putRetries {
			r.problems = append(r.problems, &RejectedError{Evaluations: failed})
			return
		}
		r.log.LogAttrs(ctx, slog.LevelWarn, "PutEvaluations reported failed evaluations: sending them again",
			slog.Int("failed", len(failed)), slog.Int("round", round+1))
		t := time.NewTimer(backoff << round)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			r.problems = append(r.problems, &RejectedError{Evaluations: failed})
			return
		}
		pending = failed
	}
}

func (r *invocation) count(ev types.Evaluation) {
	r.sum.Put++
	switch ev.ComplianceType {
	case types.ComplianceTypeCompliant:
		r.sum.Compliant++
	case types.ComplianceTypeNonCompliant:
		r.sum.NonCompliant++
	case types.ComplianceTypeNotApplicable:
		r.sum.NotApplicable++
	}
}

func evaluationKey(ev types.Evaluation) [3]string {
	return [3]string{aws.ToString(ev.ComplianceResourceType), aws.ToString(ev.ComplianceResourceId), string(ev.ComplianceType)}
}

func describeEvaluation(ev types.Evaluation) string {
	return fmt.Sprintf("%s %s %s", aws.ToString(ev.ComplianceResourceType), aws.ToString(ev.ComplianceResourceId), ev.ComplianceType)
}

// RejectedError names the evaluations PutEvaluations still reported as
// failed after the retries.
type RejectedError struct {
	Evaluations []types.Evaluation
}

func (e *RejectedError) Error() string {
	names := make([]string, len(e.Evaluations))
	for i, ev := range e.Evaluations {
		names[i] = describeEvaluation(ev)
	}
	return fmt.Sprintf("PutEvaluations rejected %d evaluations: %s", len(names), listSome(names, 5))
}

func (r *invocation) err() error {
	e := &InvocationError{Rule: r.meta.ID, Failed: r.failed, Problems: r.problems}
	if r.h.o.insufficient == FailOnInsufficientData {
		e.InsufficientData = r.insufficient
	}
	if len(e.Failed) == 0 && len(e.Problems) == 0 && len(e.InsufficientData) == 0 {
		return nil
	}
	return e
}

// InvocationError reports what an invocation could not do. The
// evaluations it could make were put.
type InvocationError struct {
	// Rule is the id of the rule that ran.
	Rule string
	// Failed holds an *evaluate.Error for each resource the rule failed
	// (an error or a panic) to decide.
	Failed []error
	// InsufficientData holds the results that were not put, with
	// FailOnInsufficientData.
	InsufficientData []evaluate.Evaluation
	// Problems are the other failures: a listing, the item of an oversized
	// notification, the clean-up, PutEvaluations.
	Problems []error
}

func (e *InvocationError) Error() string {
	var parts []string
	if n := len(e.Failed); n > 0 {
		msgs := make([]string, n)
		for i, err := range e.Failed {
			var ee *evaluate.Error
			if errors.As(err, &ee) {
				msgs[i] = ee.Message()
			} else {
				msgs[i] = err.Error()
			}
		}
		parts = append(parts, fmt.Sprintf("the rule failed on %d resources: %s", n, listSome(msgs, 5)))
	}
	if n := len(e.InsufficientData); n > 0 {
		msgs := make([]string, n)
		for i, ev := range e.InsufficientData {
			msgs[i] = fmt.Sprintf("%s %s: %s", ev.ResourceType, ev.ResourceID, ev.Annotation)
		}
		parts = append(parts, fmt.Sprintf("%d resources lack data to decide: %s", n, listSome(msgs, 5)))
	}
	for _, p := range e.Problems {
		parts = append(parts, p.Error())
	}
	return "configrule: rule " + e.Rule + ": " + strings.Join(parts, "; ")
}

// Unwrap returns the failures and problems, for errors.Is and errors.As.
func (e *InvocationError) Unwrap() []error {
	return append(append([]error(nil), e.Failed...), e.Problems...)
}

// listSome joins the first n items and says how many more there are.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, "; ")
	}
	return strings.Join(items[:n], "; ") + fmt.Sprintf("; and %d more", len(items)-n)
}
