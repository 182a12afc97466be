// The SSM Automation half of package configrule: a Lambda handler for
// SSM Automation's aws:invokeLambdaFunction that runs one remediation from
// the remediate catalog on the resource AWS Config names. It decodes the
// payload, refuses a bad one before any AWS request, plans or applies the
// remediation, and answers with the remediate.Result. Documents and
// remediation configurations that invoke it come from remediate/ssmdoc.

package configrule

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/guardrails-go/guardrails/remediate"
)

// SSMRequest is the payload SSM Automation passes to the handler:
//
//	{"remediation": "s3-enable-versioning", "resourceType": "AWS::S3::Bucket",
//	 "resourceId": "my-bucket", "parameters": {"name": "value"}, "dryRun": false}
type SSMRequest struct {
	// Remediation is the remediation id.
	Remediation string `json:"remediation"`
	// ResourceType is the AWS Config resource type; empty means the
	// remediation's default.
	ResourceType string `json:"resourceType,omitempty"`
	// ResourceID is what AWS Config passes as RESOURCE_ID.
	ResourceID string `json:"resourceId"`
	// Parameters are the remediation's parameter values, as strings.
	Parameters map[string]string `json:"parameters,omitempty"`
	// DryRun plans without writing.
	DryRun bool `json:"dryRun"`
}

// SSMError is the function error of the handler. Refused errors come
// before any AWS request; the others name the failing API and resource.
type SSMError struct {
	// Refused is true when the payload was refused before any request.
	Refused     bool
	Remediation string
	ResourceID  string
	// Applied are the writes made before a failure.
	Applied []remediate.Action
	Err     error
}

func (e *SSMError) Error() string {
	if e.Refused {
		return "refused: " + e.Err.Error()
	}
	msg := fmt.Sprintf("remediation %s on %s failed: %v", e.Remediation, e.ResourceID, e.Err)
	if len(e.Applied) > 0 {
		done := make([]string, len(e.Applied))
		for i, a := range e.Applied {
			done[i] = a.API + " " + a.Resource
		}
		msg += "; already applied: " + strings.Join(done, ", ")
	}
	return msg
}

func (e *SSMError) Unwrap() error { return e.Err }

func refuse(format string, args ...any) error {
	return &SSMError{Refused: true, Err: fmt.Errorf(format, args...)}
}

// SSMOption changes an [SSMHandler].
type SSMOption func(*ssmOptions)

type ssmOptions struct {
	allowed []string
	now     func() time.Time
}

// SSMAllow limits the handler to the given remediations; others are
// refused. The default allows the whole catalog (the function's IAM policy
// still decides what can be done).
func SSMAllow(ids ...string) SSMOption {
	return func(o *ssmOptions) { o.allowed = append(o.allowed, ids...) }
}

// SSMClock sets the clock the remediations judge ages by.
func SSMClock(now func() time.Time) SSMOption {
	return func(o *ssmOptions) { o.now = now }
}

// SSMHandler runs remediations for SSM Automation. Start it with
// lambda.Start(h): it implements lambda.Handler, so every payload, even
// malformed JSON, reaches its own checks. [SSMHandler.Handle] is the same
// handler as a function of a json.RawMessage.
type SSMHandler struct {
	clients      *remediate.Clients
	remediations map[string]*remediate.Remediation
	known        []string
	opts         ssmOptions
}

// NewSSMHandler returns a handler acting with the given clients. It fails
// on an unknown id passed to SSMAllow.
func NewSSMHandler(clients *remediate.Clients, opts ...SSMOption) (*SSMHandler, error) {
	if clients == nil {
		return nil, errors.New("configrule: NewSSMHandler: no clients")
	}
	h := &SSMHandler{clients: clients, remediations: map[string]*remediate.Remediation{}}
	for _, opt := range opts {
		opt(&h.opts)
	}
	for _, r := range remediate.All() {
		if len(h.opts.allowed) == 0 || slices.Contains(h.opts.allowed, r.ID) {
			h.remediations[r.ID] = r
			h.known = append(h.known, r.ID)
		}
	}
	for _, id := range h.opts.allowed {
		if _, ok := h.remediations[id]; !ok {
			return nil, fmt.Errorf("configrule: NewSSMHandler: unknown remediation %q", id)
		}
	}
	return h, nil
}

// Invoke implements lambda.Handler.
func (h *SSMHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	res, err := h.Handle(ctx, payload)
	if err != nil {
		return nil, err
	}
	return json.Marshal(res)
}

// Handle runs one request: it decodes and checks the payload (refusing it
// with an *SSMError before any AWS request), then plans (dryRun) or applies
// the remediation.
func (h *SSMHandler) Handle(ctx context.Context, payload json.RawMessage) (*remediate.Result, error) {
	req, err := DecodeSSMRequest(payload)
	if err != nil {
		return nil, err
	}
	rem, ok := h.remediations[req.Remediation]
	if !ok {
		if _, exists := remediate.ByID(req.Remediation); exists {
			return nil, refuse("remediation %q is not enabled in this function (it runs %s)", req.Remediation, strings.Join(h.known, ", "))
		}
		return nil, refuse("unknown remediation %q (known: %s)", req.Remediation, strings.Join(h.known, ", "))
	}
	target := remediate.Target{
		ResourceType: req.ResourceType,
		ResourceID:   req.ResourceID,
		Parameters:   req.Parameters,
		AccountID:    functionAccount(ctx),
	}
	if err := rem.Check(target); err != nil {
		return nil, &SSMError{Refused: true, Remediation: rem.ID, ResourceID: req.ResourceID, Err: fmt.Errorf("remediation %s: %w", rem.ID, err)}
	}
	var opts []remediate.Option
	if h.opts.now != nil {
		opts = append(opts, remediate.WithClock(h.opts.now))
	}
	run := rem.Apply
	if req.DryRun {
		run = rem.Plan
	}
	res, err := run(ctx, h.clients, target, opts...)
	if err != nil {
		e := &SSMError{Remediation: rem.ID, ResourceID: req.ResourceID, Err: err}
		if res != nil {
			for _, a := range res.Actions {
				if a.Applied {
					e.Applied = append(e.Applied, a)
				}
			}
		}
		return nil, e
	}
	return res, nil
}

// functionAccount is the account of the running function, from its ARN
// (arn:aws:lambda:<region>:<account>:function:<name>), or "" outside Lambda.
func functionAccount(ctx context.Context) string {
	lc, ok := lambdacontext.FromContext(ctx)
	if !ok {
		return ""
	}
	parts := strings.Split(lc.InvokedFunctionArn, ":")
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// DecodeSSMRequest decodes a payload strictly: a JSON object with the known
// fields only (a misspelt "dryrun" must not turn a dry run into an apply),
// parameter values that are strings (numbers and booleans are taken as
// their text, null as absent), and dryRun a boolean or "true"/"false" (SSM
// may pass a Boolean parameter as text). Errors are *SSMError refusals.
func DecodeSSMRequest(payload []byte) (SSMRequest, error) {
	var req SSMRequest
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return req, refuse("the payload is not a JSON object")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &fields); err != nil {
		return req, refuse("the payload is not a JSON object: %v", err)
	}
	known := []string{"remediation", "resourceType", "resourceId", "parameters", "dryRun"}
	for name := range fields {
		if !slices.Contains(known, name) {
			return req, refuse("unknown field %q in the payload (known: %s)", name, strings.Join(known, ", "))
		}
	}
	str := func(name string, required bool) (string, error) {
		raw, ok := fields[name]
		if !ok || string(raw) == "null" {
			if required {
				return "", refuse("the payload has no %s", name)
			}
			return "", nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", refuse("%s is not a string", name)
		}
		if required && s == "" {
			return "", refuse("%s is empty", name)
		}
		return s, nil
	}
	var err error
	if req.Remediation, err = str("remediation", true); err != nil {
		return req, err
	}
	if req.ResourceID, err = str("resourceId", true); err != nil {
		return req, err
	}
	if req.ResourceType, err = str("resourceType", false); err != nil {
		return req, err
	}
	if raw, ok := fields["parameters"]; ok && string(raw) != "null" {
		var params map[string]json.RawMessage
		if err := json.Unmarshal(raw, &params); err != nil {
			return req, refuse("parameters is not a JSON object")
		}
		req.Parameters = map[string]string{}
		for name, v := range params {
			var s string
			switch text := string(bytes.TrimSpace(v)); {
			case text == "null":
				continue
			case text == "true" || text == "false":
				s = text
			case strings.HasPrefix(text, `"`):
				if err := json.Unmarshal(v, &s); err != nil {
					return req, refuse("parameter %s: %v", name, err)
				}
			default:
				var n json.Number
				if err := json.Unmarshal(v, &n); err != nil {
					return req, refuse("parameter %s is not a string, number or boolean", name)
				}
				s = n.String()
			}
			req.Parameters[name] = s
		}
	}
	if raw, ok := fields["dryRun"]; ok {
		switch text := string(bytes.TrimSpace(raw)); text {
		case "true", `"true"`:
			req.DryRun = true
		case "false", `"false"`, "null":
		default:
			return req, refuse("dryRun is %s, not true or false", strconv.Quote(text))
		}
	}
	return req, nil
}
