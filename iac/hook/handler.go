package hook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/iac"
)

// HTTPClient fetches the payload of stack and change set targets. The
// SDK's default client (awshttp.NewBuildableClient) satisfies it and honours
// HTTP_PROXY and HTTPS_PROXY.
type HTTPClient interface {
	Do(*http.Request) (*http.Response, error)
}

var _ HTTPClient = (*awshttp.BuildableClient)(nil)

// MaxPayload bounds the payload document a stack or change set target
// points to: a template (at most 1 MB) and the previous one, escaped.
const MaxPayload = 16 << 20

// Option configures a Handler.
type Option func(*options)

type options struct {
	params map[string]map[string]string
	client HTTPClient
	logger *slog.Logger
	clock  func() time.Time
}

// WithParameters sets rule parameters by rule id, as strings (as Config
// passes them).
func WithParameters(p map[string]map[string]string) Option {
	return func(o *options) { o.params = p }
}

// WithHTTPClient sets the client that fetches stack and change set
// payloads; the default is the SDK's.
func WithHTTPClient(c HTTPClient) Option { return func(o *options) { o.client = c } }

// WithLogger sets where the handler logs each invocation; the default
// discards.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithClock sets the clock evaluations are stamped with.
func WithClock(now func() time.Time) Option { return func(o *options) { o.clock = now } }

// Handler answers CloudFormation Lambda hook invocations. Build it once
// (rule ids and parameters are checked then), at Lambda init; it is safe
// for concurrent use.
type Handler struct {
	// stack evaluates templates with the lookups of a scan: the other
	// resources of the template.
	stack *evaluate.Engine
	// alone evaluates a resource read on its own: lookups are unknown.
	alone  *evaluate.Engine
	client HTTPClient
	logger *slog.Logger
	meta   map[string]evaluate.Metadata
}

// NewHandler prepares the rules. Account-level rules are refused: a hook
// judges the resources of a stack, not the account.
func NewHandler(rules []evaluate.Rule, opts ...Option) (*Handler, error) {
	o := options{clock: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if o.client == nil {
		o.client = awshttp.NewBuildableClient()
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	var errs []error
	for _, r := range rules {
		if r == nil {
			continue
		}
		m := r.Metadata()
		resourceLevel := false
		for _, t := range m.ResourceTypes {
			resourceLevel = resourceLevel || t != evaluate.AccountResourceType
		}
		if !resourceLevel {
			errs = append(errs, fmt.Errorf("rule %s judges the account, not the resources a hook sees", m.ID))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	common := []evaluate.Option{evaluate.WithParameters(o.params), evaluate.WithClock(o.clock), evaluate.WithWorkers(1)}
	stack, err := evaluate.NewEngine(rules, common...)
	if err != nil {
		return nil, err
	}
	alone, err := evaluate.NewEngine(rules, append(common, evaluate.WithLookup(unseen{}))...)
	if err != nil {
		return nil, err
	}
	h := &Handler{stack: stack, alone: alone, client: o.client, logger: o.logger, meta: map[string]evaluate.Metadata{}}
	for _, m := range stack.Rules() {
		h.meta[m.ID] = m
	}
	return h, nil
}

// unseen is the lookup of a resource read on its own: the rest of the
// stack and of the account is not known.
type unseen struct{}

func (unseen) Resource(_ context.Context, typ, id string) (*evaluate.ConfigurationItem, error) {
	return nil, fmt.Errorf("%w: a resource-level hook call does not show %s %s", evaluate.ErrUnknown, typ, id)
}

func (unseen) Resources(_ context.Context, q evaluate.Query) ([]*evaluate.ConfigurationItem, error) {
	return nil, fmt.Errorf("%w: a resource-level hook call does not show other %s resources", evaluate.ErrUnknown, q.ResourceType)
}

func (unseen) Fact(_ context.Context, _, _, name string) ([]byte, error) {
	return nil, fmt.Errorf("%w: a hook has no account facts (%s)", evaluate.ErrUnknown, name)
}

// Invoke decodes a hook event and answers it; it implements lambda.Handler
// so that lambda.Start(h) passes every payload here. A payload that is not
// a hook event is answered with InternalFailure, never SUCCESS.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var req Request
	var resp Response
	if err := decodeRequest(payload, &req); err != nil {
		resp = Response{HookStatus: StatusFailed, ErrorCode: ErrorInternalFailure, ClientRequestToken: req.ClientRequestToken,
			Message: cut("guardrails could not read the hook event: " + err.Error())}
		h.logger.ErrorContext(ctx, "hook event not readable", slog.String("error", err.Error()))
	} else {
		resp = h.Handle(ctx, &req)
	}
	return json.Marshal(resp)
}

func decodeRequest(payload []byte, req *Request) error {
	payload = bytes.TrimSpace(payload)
	if len(payload) == 0 || payload[0] != '{' {
		return errors.New("not a JSON object")
	}
	if err := json.Unmarshal(payload, req); err != nil {
		// Keep the token when the rest is broken, to echo it.
		var token struct {
			ClientRequestToken string `json:"clientRequestToken"`
		}
		_ = json.Unmarshal(payload, &token)
		req.ClientRequestToken = token.ClientRequestToken
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return fmt.Errorf("%s: want %s, got a JSON %s", te.Field, te.Type, te.Value)
		}
		return err
	}
	return nil
}

// Handle evaluates the request's target with the rules.
func (h *Handler) Handle(ctx context.Context, req *Request) Response {
	start := time.Now()
	o := h.evaluate(ctx, req)
	o.cloudControl = req.StackID == ""
	resp := o.response(req.ClientRequestToken)
	attrs := []slog.Attr{
		slog.String("clientRequestToken", req.ClientRequestToken),
		slog.String("invocationPoint", req.ActionInvocationPoint),
		slog.String("target", req.RequestData.TargetName),
		slog.String("logicalId", req.RequestData.TargetLogicalID),
		slog.String("stackId", req.StackID),
		slog.String("hookStatus", resp.HookStatus),
		slog.Int("evaluations", o.evaluations),
		slog.Int("failures", len(o.failures)),
		slog.Duration("duration", time.Since(start)),
	}
	level := slog.LevelInfo
	if resp.ErrorCode != "" {
		attrs = append(attrs, slog.String("errorCode", resp.ErrorCode), slog.String("message", resp.Message))
		if resp.ErrorCode == ErrorInternalFailure {
			level = slog.LevelError
		} else {
			level = slog.LevelWarn
		}
	}
	h.logger.LogAttrs(ctx, level, "hook evaluated", attrs...)
	return resp
}

// outcome is what an invocation found.
type outcome struct {
	// subject names what was evaluated, for the message.
	subject     string
	failures    []failure
	undecided   int
	evaluations int
	// problems are errors that kept something from being evaluated.
	problems []string
	// internal is set when nothing could be evaluated.
	internal error
	// skip is set when nothing is to be evaluated, with the reason.
	skip string
	// cloudControl: the call comes from Cloud Control (no stack), which
	// keeps shorter messages.
	cloudControl bool
}

// failure is one rule failing one resource.
type failure struct {
	rule, resourceID, annotation string
	// before: the resource failed the rule before this update too.
	before bool
}

func (h *Handler) evaluate(ctx context.Context, req *Request) outcome {
	switch req.ActionInvocationPoint {
	case CreatePreProvision, UpdatePreProvision:
	case DeletePreProvision:
		return outcome{skip: "deleting a resource breaks no configuration rule"}
	case "":
		return outcome{internal: errors.New("the event has no actionInvocationPoint")}
	default:
		return outcome{internal: fmt.Errorf("actionInvocationPoint %q: want %s, %s or %s", req.ActionInvocationPoint, CreatePreProvision, UpdatePreProvision, DeletePreProvision)}
	}
	rd := req.RequestData
	opts, err := readOptions(req)
	if err != nil {
		return outcome{internal: err}
	}
	switch {
	case rd.TargetName == TargetStack || rd.TargetType == TargetStack:
		return h.template(ctx, req, "stack", opts)
	case rd.TargetName == TargetChangeSet || rd.TargetType == TargetChangeSet:
		return h.template(ctx, req, "change set", opts)
	}
	typ := rd.TargetName
	if !isResourceType(typ) {
		typ = rd.TargetType
	}
	if !isResourceType(typ) {
		return outcome{internal: fmt.Errorf("requestData.targetName %q: want a resource type (AWS::S3::Bucket), STACK or CHANGE_SET", rd.TargetName)}
	}
	return h.resource(ctx, req, typ, opts)
}

var resourceType = regexp.MustCompile(`^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+$`)

func isResourceType(s string) bool { return resourceType.MatchString(s) }

var stackARN = regexp.MustCompile(`^arn:([a-z0-9-]+):cloudformation:([a-z0-9-]+):(\d{12}):stack/([^/]+)/`)

// readOptions gives the reader what the event tells of the deployment:
// account, region, partition and stack name. Parameter values are not in
// the event, so parameters are unknown rather than their Defaults.
func readOptions(req *Request) ([]iac.Option, error) {
	opts := []iac.Option{iac.WithUnknownParameters()}
	account := req.AWSAccountID
	if m := stackARN.FindStringSubmatch(req.StackID); m != nil {
		opts = append(opts, iac.WithPartition(m[1]), iac.WithRegion(m[2]), iac.WithStackName(m[4]))
		if account == "" {
			account = m[3]
		}
	}
	if account != "" {
		if len(account) != 12 || strings.Trim(account, "0123456789") != "" {
			return nil, fmt.Errorf("awsAccountId %q is not a 12-digit account id", account)
		}
		opts = append(opts, iac.WithAccount(account))
	}
	return opts, nil
}

// resource evaluates one resource from its properties.
func (h *Handler) resource(ctx context.Context, req *Request, typ string, opts []iac.Option) outcome {
	id := req.RequestData.TargetLogicalID
	o := outcome{subject: typ + " " + id}
	if id == "" {
		o.internal = errors.New("requestData.targetLogicalId is empty")
		return o
	}
	if !iac.ReadsResource(typ) {
		o.skip = "guardrails has no rule that reads " + typ + " on its own"
		return o
	}
	model := req.RequestData.TargetModel
	failed, err := h.readAndJudge(ctx, typ, id, model.ResourceProperties, opts, &o)
	if err != nil {
		o.internal = fmt.Errorf("requestData.targetModel.resourceProperties: %v", err)
		return o
	}
	o.failures = failed
	if len(failed) > 0 && req.ActionInvocationPoint == UpdatePreProvision && !isNull(model.PreviousResourceProperties) {
		var prev outcome
		before, err := h.readAndJudge(ctx, typ, id, model.PreviousResourceProperties, opts, &prev)
		if err == nil {
			markBefore(o.failures, before)
		}
	}
	return o
}

// readAndJudge reads and evaluates a resource, and returns its failures.
// A part of another resource fails a rule only when the other resource
// without it would not.
func (h *Handler) readAndJudge(ctx context.Context, typ, id string, props json.RawMessage, opts []iac.Option, o *outcome) ([]failure, error) {
	if isNull(props) {
		props = json.RawMessage("{}")
	}
	list, err := iac.ReadResource(typ, id, props, opts...)
	if err != nil {
		var e *evaluate.Error
		if errors.As(err, &e) {
			if e.Path != "" {
				return nil, fmt.Errorf("%s: %v", e.Path, e.Err)
			}
			return nil, e.Err
		}
		return nil, err
	}
	var out []failure
	for _, s := range list {
		evs, err := h.alone.Evaluate(ctx, s.Item)
		o.count(evs, err)
		var baseline map[string]bool
		if s.Without != nil {
			without, _ := h.alone.Evaluate(ctx, s.Without)
			baseline = map[string]bool{}
			for _, ev := range without {
				baseline[ev.RuleID] = ev.Compliance == evaluate.NonCompliant
			}
		}
		for _, ev := range evs {
			if ev.Compliance != evaluate.NonCompliant || baseline[ev.RuleID] {
				continue
			}
			out = append(out, failure{rule: ev.RuleID, resourceID: id, annotation: ev.Annotation})
		}
	}
	return dedupe(out), nil
}

// count tallies the evaluations and rule errors of one item.
func (o *outcome) count(evs []evaluate.Evaluation, err error) {
	o.evaluations += len(evs)
	for _, ev := range evs {
		if ev.Compliance == evaluate.InsufficientData {
			o.undecided++
		}
	}
	for _, e := range splitErrors(err) {
		o.problems = append(o.problems, describeError(e))
	}
}

func splitErrors(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func describeError(err error) string {
	var e *evaluate.Error
	if errors.As(err, &e) {
		var b strings.Builder
		if e.ResourceID != "" {
			b.WriteString(e.ResourceID)
		}
		if e.Line > 0 {
			fmt.Fprintf(&b, " (line %d)", e.Line)
		}
		if e.Path != "" && e.Path != "Resources."+e.ResourceID {
			b.WriteString(" " + e.Path)
		}
		if e.RuleID != "" {
			b.WriteString(" rule " + e.RuleID)
		}
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
		return strings.TrimSpace(b.String())
	}
	return err.Error()
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

// template evaluates the template a stack or change set target points to.
func (h *Handler) template(ctx context.Context, req *Request, kind string, opts []iac.Option) outcome {
	o := outcome{subject: kind + " " + stackName(req)}
	payload, err := h.fetch(ctx, req.RequestData.Payload)
	if err != nil {
		o.internal = err
		return o
	}
	tpl, err := templateText(payload.Template, "template")
	if err != nil {
		o.internal = err
		return o
	}
	if len(tpl) == 0 {
		o.internal = errors.New("the payload holds no template")
		return o
	}
	o.failures = h.judgeTemplate(ctx, tpl, opts, &o)
	if len(o.failures) > 0 {
		prev, err := templateText(payload.PreviousTemplate, "previousTemplate")
		if err == nil && len(prev) > 0 {
			var p outcome
			markBefore(o.failures, h.judgeTemplate(ctx, prev, opts, &p))
		}
	}
	return o
}

// judgeTemplate scans a template as examples/scan does and returns its
// failures.
func (h *Handler) judgeTemplate(ctx context.Context, tpl []byte, opts []iac.Option, o *outcome) []failure {
	var out []failure
	src := iac.ReadTemplate(bytes.NewReader(tpl), "template", opts...)
	for ev, err := range h.stack.Scan(ctx, src) {
		if err != nil {
			o.problems = append(o.problems, describeError(err))
			continue
		}
		o.count([]evaluate.Evaluation{ev}, nil)
		if ev.Compliance == evaluate.NonCompliant {
			out = append(out, failure{rule: ev.RuleID, resourceID: ev.ResourceID, annotation: ev.Annotation})
		}
	}
	return dedupe(out)
}

// templateText returns a payload's template: a string holding JSON or
// YAML text, or (tolerated) the template as a JSON object.
func templateText(raw json.RawMessage, field string) ([]byte, error) {
	t := bytes.TrimSpace(raw)
	switch {
	case len(t) == 0 || bytes.Equal(t, []byte("null")):
		return nil, nil
	case t[0] == '"':
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return nil, fmt.Errorf("payload %s: %v", field, err)
		}
		return []byte(s), nil
	case t[0] == '{':
		return t, nil
	}
	return nil, fmt.Errorf("payload %s: want the template text, got %s", field, jsonKind(t))
}

func jsonKind(b []byte) string {
	switch b[0] {
	case '[':
		return "a list"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}

// fetch reads the payload document at a presigned URL.
func (h *Handler) fetch(ctx context.Context, rawURL string) (*Payload, error) {
	if rawURL == "" {
		return nil, errors.New("requestData.payload is empty: no template to evaluate")
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("requestData.payload is not an http(s) URL")
	}
	// The query holds the signature: it stays out of messages and logs.
	where := u.Scheme + "://" + u.Host + u.Path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("fetching the payload from %s: %v", where, err)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("fetching the payload from %s: %v", where, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching the payload from %s: HTTP %d", where, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxPayload+1))
	if err != nil {
		return nil, fmt.Errorf("reading the payload from %s: %v", where, err)
	}
	if len(body) > MaxPayload {
		return nil, fmt.Errorf("the payload at %s is larger than %d MiB", where, MaxPayload>>20)
	}
	var p Payload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("the payload at %s is not the JSON document of a hook: %v", where, err)
	}
	return &p, nil
}

// stackName is the stack's name from its ARN, or the target's logical id.
func stackName(req *Request) string {
	if m := stackARN.FindStringSubmatch(req.StackID); m != nil {
		return m[4]
	}
	return req.RequestData.TargetLogicalID
}

// markBefore flags the failures that the previous version had too.
func markBefore(now, before []failure) {
	was := map[[2]string]bool{}
	for _, f := range before {
		was[[2]string{f.rule, f.resourceID}] = true
	}
	for i := range now {
		now[i].before = was[[2]string{now[i].rule, now[i].resourceID}]
	}
}

// dedupe keeps the first failure of each rule and resource (a part that
// belongs to several resources fails once per rule).
func dedupe(fs []failure) []failure {
	seen := map[[2]string]bool{}
	out := fs[:0]
	for _, f := range fs {
		k := [2]string{f.rule, f.resourceID}
		if !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out
}
