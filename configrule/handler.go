package configrule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"

	"github.com/guardrails-go/guardrails/awslookup"
	"github.com/guardrails-go/guardrails/evaluate"
)

// ExecutionRoleNameParameter is the rule parameter that, as in rdklib, names
// the role to assume in the evaluated account: the role of that name in the
// account of the event's executionRoleArn. It is taken out of the
// parameters before they reach the rule, and needs WithCrossAccount(true).
const ExecutionRoleNameParameter = "ExecutionRoleName"

// InsufficientDataMode says what happens to INSUFFICIENT_DATA results, which
// PutEvaluations does not accept for custom rules.
type InsufficientDataMode int

const (
	// SkipInsufficientData logs each one (WARN, with the rule's reason) and
	// puts nothing for it: the resource keeps its earlier evaluation. It is
	// never turned into another compliance type.
	SkipInsufficientData InsufficientDataMode = iota
	// FailOnInsufficientData also makes the invocation return an error
	// naming them, after the other evaluations were put, so Config records
	// a failed evaluation.
	FailOnInsufficientData
)

// Option configures a Handler.
type Option func(*handlerOptions)

type handlerOptions struct {
	awsConfig     *aws.Config
	logger        *slog.Logger
	crossAccount  bool
	roleName      string
	facts         func(aws.Config) evaluate.Facts
	resolvers     map[string]func(aws.Config) awslookup.Resolver
	ruleID        string
	insufficient  InsufficientDataMode
	cleanup       bool
	workers       int
	clock         func() time.Time
	configOptions []func(*configservice.Options)
	maxAttempts   int
	putRetries    int
	putBackoff    time.Duration
}

// WithAWSConfig sets the AWS configuration of every call (credentials,
// region, endpoints, HTTP client). Without it the handler loads the
// default configuration (config.LoadDefaultConfig) on its first invocation.
func WithAWSConfig(cfg aws.Config) Option {
	return func(o *handlerOptions) { o.awsConfig = &cfg }
}

// WithLogger sets the structured logger. The default writes JSON to
// standard output at level INFO.
func WithLogger(l *slog.Logger) Option {
	return func(o *handlerOptions) { o.logger = l }
}

// WithCrossAccount lets the handler assume the event's executionRoleArn (or
// the role named by ExecutionRoleName in that account) for every call, as
// organization rules and rules of other accounts need. Without it every
// call uses the Lambda's own credentials.
func WithCrossAccount(enabled bool) Option {
	return func(o *handlerOptions) { o.crossAccount = enabled }
}

// WithExecutionRoleName sets the role to assume in the evaluated account,
// as the ExecutionRoleName rule parameter does (the parameter wins).
func WithExecutionRoleName(name string) Option {
	return func(o *handlerOptions) { o.roleName = name }
}

// WithFacts sets how account facts are read: newFacts is called once per
// invocation with that invocation's AWS configuration (the assumed role's
// for cross-account rules).
func WithFacts(newFacts func(aws.Config) evaluate.Facts) Option {
	return func(o *handlerOptions) { o.facts = newFacts }
}

// WithResolver registers a resolver for a resource type, built once per
// invocation from that invocation's AWS configuration; see
// awslookup.WithResolver.
func WithResolver(resourceType string, newResolver func(aws.Config) awslookup.Resolver) Option {
	return func(o *handlerOptions) {
		if o.resolvers == nil {
			o.resolvers = make(map[string]func(aws.Config) awslookup.Resolver)
		}
		o.resolvers[resourceType] = newResolver
	}
}

// WithRuleID makes a catalog handler run the rule with this id whatever
// the Config rule is named. "" leaves the choice to the event's
// configRuleName.
func WithRuleID(id string) Option {
	return func(o *handlerOptions) { o.ruleID = id }
}

// WithInsufficientData sets what happens to INSUFFICIENT_DATA results; the
// default is SkipInsufficientData.
func WithInsufficientData(m InsufficientDataMode) Option {
	return func(o *handlerOptions) { o.insufficient = m }
}

// WithCleanup sets whether a periodic run reports resources that earlier
// evaluations named but that no longer exist as NOT_APPLICABLE (default
// true, as rdklib does).
func WithCleanup(enabled bool) Option {
	return func(o *handlerOptions) { o.cleanup = enabled }
}

// WithWorkers sets how many resources a periodic run evaluates at once
// (default 8: rules wait on lookups more than they compute).
func WithWorkers(n int) Option {
	return func(o *handlerOptions) { o.workers = n }
}

// WithClock sets the clock rules see as Input.Now.
func WithClock(now func() time.Time) Option {
	return func(o *handlerOptions) { o.clock = now }
}

// WithConfigOptions adjusts the Config client, after the handler's own
// settings.
func WithConfigOptions(fns ...func(*configservice.Options)) Option {
	return func(o *handlerOptions) { o.configOptions = append(o.configOptions, fns...) }
}

// WithMaxAttempts bounds the attempts of each AWS call (default 5). The
// Config client uses the SDK's adaptive retry mode unless the AWS
// configuration sets a retry mode or retryer of its own.
func WithMaxAttempts(n int) Option {
	return func(o *handlerOptions) { o.maxAttempts = n }
}

// WithPutRetries sets how often evaluations PutEvaluations reports as
// failed are sent again (default 2), waiting backoff, then twice as long.
func WithPutRetries(n int, backoff time.Duration) Option {
	return func(o *handlerOptions) { o.putRetries, o.putBackoff = n, backoff }
}

// Handler is an AWS Config custom-rule Lambda handler: give it to
// lambda.Start. It is safe for concurrent use and keeps, across warm
// invocations, the prepared rules (by rule and parameters) and the AWS
// clients (by role and region).
type Handler struct {
	single  evaluate.Rule
	catalog map[string]evaluate.Rule
	o       handlerOptions
	setup   error

	enginesMu sync.Mutex
	engines   map[engineKey]*evaluate.Engine

	baseOnce sync.Once
	base     aws.Config
	baseErr  error

	sessionsMu sync.Mutex
	sessions   map[sessionKey]*session
}

// NewHandler returns a handler running rule, whatever the Config rule is
// named. A problem with the rule is reported by every invocation.
func NewHandler(rule evaluate.Rule, opts ...Option) *Handler {
	h := newHandler(opts)
	if rule == nil && h.setup == nil {
		h.setup = errors.New("configrule: NewHandler was given a nil rule")
	}
	h.single = rule
	return h
}

// NewCatalogHandler returns a handler that serves a catalog: it runs the
// rule chosen with WithRuleID, or else the rule whose id is the event's
// configRuleName.
func NewCatalogHandler(catalog []evaluate.Rule, opts ...Option) *Handler {
	h := newHandler(opts)
	h.catalog = make(map[string]evaluate.Rule, len(catalog))
	for _, r := range catalog {
		if r == nil {
			h.setup = errors.New("configrule: the catalog holds a nil rule")
			continue
		}
		h.catalog[r.Metadata().ID] = r
	}
	if h.o.ruleID != "" && h.catalog[h.o.ruleID] == nil {
		h.setup = fmt.Errorf("configrule: rule %q, chosen to run, is not in the catalog", h.o.ruleID)
	}
	return h
}

func newHandler(opts []Option) *Handler {
	o := handlerOptions{cleanup: true, workers: 8, clock: time.Now, maxAttempts: 5, putRetries: 2, putBackoff: 200 * time.Millisecond}
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.New(slog.NewJSONHandler(os.Stdout, nil))
	}
	if o.workers < 1 {
		o.workers = 1
	}
	if o.maxAttempts < 1 {
		o.maxAttempts = 1
	}
	h := &Handler{o: o, engines: make(map[engineKey]*evaluate.Engine), sessions: make(map[sessionKey]*session)}
	if o.roleName != "" && !o.crossAccount {
		h.setup = fmt.Errorf("configrule: execution role name %q is set, but cross-account access is off (WithCrossAccount)", o.roleName)
	}
	return h
}

// Summary is what an invocation did; Invoke returns it as its payload.
type Summary struct {
	// Rule is the id of the rule that ran.
	Rule           string `json:"rule"`
	ConfigRuleName string `json:"configRuleName"`
	MessageType    string `json:"messageType"`
	// Evaluated counts the resources evaluated.
	Evaluated int `json:"evaluated"`
	// Put counts the evaluations PutEvaluations accepted, of which
	// Compliant, NonCompliant and NotApplicable.
	Put           int `json:"put"`
	Compliant     int `json:"compliant"`
	NonCompliant  int `json:"nonCompliant"`
	NotApplicable int `json:"notApplicable"`
	// InsufficientData counts the results that were not put.
	InsufficientData int `json:"insufficientData"`
	// CleanedUp counts the vanished resources reported NOT_APPLICABLE.
	CleanedUp int `json:"cleanedUp"`
	// Failed counts the resources a rule failed on.
	Failed   int  `json:"failed"`
	TestMode bool `json:"testMode"`
}

// Invoke handles one Lambda invocation: payload is a Config rule event
// (events.ConfigEvent as JSON); the answer is the Summary as JSON. It makes
// Handler a lambda.Handler.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var ev events.ConfigEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("configrule: the payload is not a Config rule event: %v", describeJSONError(err))
	}
	sum, err := h.Handle(ctx, ev)
	if err != nil {
		return nil, err
	}
	return json.Marshal(sum)
}

// Handle evaluates what a Config rule event asks for and puts the
// evaluations. Evaluations that could be made are put even when others
// failed; the error then names what failed (an *InvocationError when
// evaluations were attempted).
func (h *Handler) Handle(ctx context.Context, ev events.ConfigEvent) (Summary, error) {
	start := time.Now()
	sum := Summary{ConfigRuleName: ev.ConfigRuleName}
	log := h.o.logger.With("configRule", ev.ConfigRuleName)
	fail := func(err error) (Summary, error) {
		log.LogAttrs(ctx, slog.LevelError, "invocation failed", slog.String("error", err.Error()),
			slog.Duration("duration", time.Since(start)))
		return sum, err
	}
	if h.setup != nil {
		return fail(h.setup)
	}
	rule, err := h.pick(ev.ConfigRuleName)
	if err != nil {
		return fail(err)
	}
	meta := rule.Metadata()
	sum.Rule = meta.ID
	log = log.With("rule", meta.ID)
	if ev.ResultToken == "" {
		return fail(errors.New("configrule: the event has no resultToken, so no evaluation can be put"))
	}
	inv, err := decodeInvokingEvent(ev.InvokingEvent)
	if err != nil {
		return fail(fmt.Errorf("configrule: %w", err))
	}
	sum.MessageType = inv.messageType
	log = log.With("messageType", inv.messageType)
	params, roleName, err := ruleParameters(ev.RuleParameters)
	if err != nil {
		return fail(fmt.Errorf("configrule: rule %s: %w", meta.ID, err))
	}
	engine, err := h.engine(rule, ev.RuleParameters, params)
	if err != nil {
		return fail(fmt.Errorf("configrule: %w", err))
	}
	sess, err := h.session(ctx, ev, roleName)
	if err == nil {
		err = sess.assume(ctx)
	}
	if err != nil {
		return fail(fmt.Errorf("configrule: %w", err))
	}
	account := ev.AccountID
	if account == "" {
		account = inv.accountID
	}
	if account == "" && inv.item != nil {
		account = inv.item.AccountID
	}
	lookupOpts := []awslookup.Option{awslookup.WithScope(account, sess.cfg.Region)}
	if h.o.facts != nil {
		lookupOpts = append(lookupOpts, awslookup.WithFacts(h.o.facts(sess.cfg)))
	}
	for t, newResolver := range h.o.resolvers {
		lookupOpts = append(lookupOpts, awslookup.WithResolver(t, newResolver(sess.cfg)))
	}
	run := &invocation{
		h: h, meta: meta, engine: engine, event: ev, inv: inv, sess: sess,
		lookup:  awslookup.New(sess.config, lookupOpts...),
		account: account, region: sess.cfg.Region, log: log, sum: &sum,
	}
	err = run.run(withLookup(ctx, run.lookup))
	level := slog.LevelInfo
	if err != nil {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.Int("evaluated", sum.Evaluated), slog.Int("put", sum.Put),
		slog.Int("compliant", sum.Compliant), slog.Int("nonCompliant", sum.NonCompliant),
		slog.Int("notApplicable", sum.NotApplicable), slog.Int("insufficientData", sum.InsufficientData),
		slog.Int("cleanedUp", sum.CleanedUp), slog.Int("failed", sum.Failed),
		slog.Bool("testMode", sum.TestMode), slog.Duration("duration", time.Since(start)),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	log.LogAttrs(ctx, level, "invocation", attrs...)
	return sum, err
}

// pick chooses the rule an event runs.
func (h *Handler) pick(configRuleName string) (evaluate.Rule, error) {
	if h.single != nil {
		return h.single, nil
	}
	if h.o.ruleID != "" {
		return h.catalog[h.o.ruleID], nil
	}
	if r, ok := h.catalog[configRuleName]; ok {
		return r, nil
	}
	if configRuleName == "" {
		return nil, errors.New("configrule: no rule to run: the event has no configRuleName and no rule was chosen (GUARDRAILS_RULE in the example Lambda, WithRuleID in Go)")
	}
	return nil, fmt.Errorf("configrule: no rule to run: the Config rule %q is not a catalog rule id; name the Config rule after a catalog id or choose the rule (GUARDRAILS_RULE in the example Lambda, WithRuleID in Go)", truncate(configRuleName, 80))
}

// ruleParameters decodes the event's ruleParameters, taking out the
// reserved ExecutionRoleName.
func ruleParameters(s string) (map[string]string, string, error) {
	params, err := evaluate.ParseRuleParameters(s)
	if err != nil {
		return nil, "", err
	}
	role := strings.TrimSpace(params[ExecutionRoleNameParameter])
	delete(params, ExecutionRoleNameParameter)
	return params, role, nil
}

type engineKey struct{ rule, params string }

// maxEngines bounds the prepared rules kept across invocations.
const maxEngines = 256

// engine returns the prepared engine for a rule and its parameters. Its
// lookup reads the invocation's lookup from the context, so one engine
// serves every invocation.
func (h *Handler) engine(rule evaluate.Rule, rawParams string, params map[string]string) (*evaluate.Engine, error) {
	key := engineKey{rule.Metadata().ID, rawParams}
	h.enginesMu.Lock()
	e, ok := h.engines[key]
	h.enginesMu.Unlock()
	if ok {
		return e, nil
	}
	var opts []evaluate.Option
	opts = append(opts, evaluate.WithLookup(contextLookup{}), evaluate.WithWorkers(1), evaluate.WithClock(h.o.clock))
	if len(params) > 0 {
		opts = append(opts, evaluate.WithParameters(map[string]map[string]string{key.rule: params}))
	}
	e, err := evaluate.NewEngine([]evaluate.Rule{rule}, opts...)
	if err != nil {
		return nil, err
	}
	h.enginesMu.Lock()
	if len(h.engines) >= maxEngines {
		clear(h.engines)
	}
	h.engines[key] = e
	h.enginesMu.Unlock()
	return e, nil
}

type lookupKey struct{}

func withLookup(ctx context.Context, l evaluate.Lookup) context.Context {
	return context.WithValue(ctx, lookupKey{}, l)
}

// contextLookup is the engine's lookup: it answers with the lookup of the
// invocation the context belongs to.
type contextLookup struct{}

func lookupOf(ctx context.Context) (evaluate.Lookup, error) {
	if l, ok := ctx.Value(lookupKey{}).(evaluate.Lookup); ok {
		return l, nil
	}
	return nil, fmt.Errorf("%w: no lookup outside an invocation", evaluate.ErrUnknown)
}

func (contextLookup) Resource(ctx context.Context, resourceType, resourceID string) (*evaluate.ConfigurationItem, error) {
	l, err := lookupOf(ctx)
	if err != nil {
		return nil, err
	}
	return l.Resource(ctx, resourceType, resourceID)
}

func (contextLookup) Resources(ctx context.Context, q evaluate.Query) ([]*evaluate.ConfigurationItem, error) {
	l, err := lookupOf(ctx)
	if err != nil {
		return nil, err
	}
	return l.Resources(ctx, q)
}

func (contextLookup) Fact(ctx context.Context, accountID, region, name string) ([]byte, error) {
	l, err := lookupOf(ctx)
	if err != nil {
		return nil, err
	}
	return l.Fact(ctx, accountID, region, name)
}
