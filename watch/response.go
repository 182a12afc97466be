package watch

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/guardrails-go/guardrails/remediate"
)

// ResponseMode says what the watcher does with a finding's remediations.
type ResponseMode string

// The response modes.
const (
	// ResponseOff runs no remediation (the default).
	ResponseOff ResponseMode = "off"
	// ResponseDryRun plans each remediation: it reads the current state
	// and lists the writes it would make, writing nothing.
	ResponseDryRun ResponseMode = "dry-run"
	// ResponseApply applies each remediation.
	ResponseApply ResponseMode = "apply"
)

// ParseResponseMode reads off, dry-run or apply ("" is off).
func ParseResponseMode(s string) (ResponseMode, error) {
	switch m := ResponseMode(strings.ToLower(strings.TrimSpace(s))); m {
	case "", ResponseOff:
		return ResponseOff, nil
	case ResponseDryRun, ResponseApply:
		return m, nil
	}
	return "", fmt.Errorf("response mode %q: want off, dry-run or apply", s)
}

// ResponseConfig configures the watcher's optional response.
type ResponseConfig struct {
	Mode ResponseMode
	// AccountID is the account the clients act in. Findings of other
	// accounts (an organization trail's logs hold many) get no response.
	AccountID string
	// Clients returns the clients for a region; findings are remediated
	// in the region of the call.
	Clients func(region string) (*remediate.Clients, error)
	// Parameters are remediation parameters by remediation id, such as
	// {"s3-enable-access-logging": {"targetBucket": "my-logs"}}.
	Parameters map[string]map[string]string
}

// WithResponse makes the watcher run the remediations of each finding of
// MEDIUM or above through package remediate, in dry run unless the mode is
// ResponseApply, and attach each plan or result to the finding. Failed
// calls and INFORMATIONAL changes get no response.
func WithResponse(cfg ResponseConfig) Option {
	return func(o *options) {
		if err := checkResponse(cfg); err != nil {
			o.fail(err)
			return
		}
		o.respond = nil
		if cfg.Mode == ResponseDryRun || cfg.Mode == ResponseApply {
			o.respond = &responder{cfg: cfg}
		}
	}
}

func checkResponse(cfg ResponseConfig) error {
	switch cfg.Mode {
	case "", ResponseOff:
		return nil
	case ResponseDryRun, ResponseApply:
	default:
		return fmt.Errorf("response mode %q: want off, dry-run or apply", cfg.Mode)
	}
	if len(cfg.AccountID) != 12 || strings.Trim(cfg.AccountID, "0123456789") != "" {
		return fmt.Errorf("response: account id %q: want the 12 digits of the account the clients act in", cfg.AccountID)
	}
	if cfg.Clients == nil {
		return fmt.Errorf("response: no clients")
	}
	for id, params := range cfg.Parameters {
		r, ok := remediate.ByID(id)
		if !ok {
			return fmt.Errorf("response: parameters for unknown remediation %q", id)
		}
		for name := range params {
			known := false
			for _, p := range r.Parameters {
				known = known || p.Name == name
			}
			if !known {
				return fmt.Errorf("response: remediation %s has no parameter %q", id, name)
			}
		}
	}
	return nil
}

type responder struct{ cfg ResponseConfig }

// run plans or applies each remediation of a finding.
func (r *responder) run(ctx context.Context, f *Finding, v *verdict) []Response {
	var out []Response
	for _, id := range f.Remediations {
		out = append(out, r.one(ctx, id, f, v))
	}
	return out
}

func (r *responder) one(ctx context.Context, id string, f *Finding, v *verdict) Response {
	resp := Response{Remediation: id, DryRun: r.cfg.Mode != ResponseApply}
	rem, ok := remediate.ByID(id)
	if !ok {
		resp.Error = "no remediation " + id + " in the catalog"
		return resp
	}
	if f.AccountID != r.cfg.AccountID {
		resp.Error = fmt.Sprintf("the change is in account %s; the watcher responds in account %s only", f.AccountID, r.cfg.AccountID)
		return resp
	}
	if v.target == nil {
		why := v.noTarget
		if why == "" {
			why = "the record does not name the resource"
		}
		resp.Error = "no target: " + why
		return resp
	}
	resp.ResourceType, resp.ResourceID = v.target.ResourceType, v.target.ResourceID
	params := maps.Clone(r.cfg.Parameters[id])
	if params == nil {
		params = map[string]string{}
	}
	maps.Copy(params, v.target.Parameters)
	t := remediate.Target{
		ResourceType: v.target.ResourceType,
		ResourceID:   v.target.ResourceID,
		Parameters:   params,
		AccountID:    r.cfg.AccountID,
	}
	if err := rem.Check(t); err != nil {
		resp.Error = err.Error()
		return resp
	}
	clients, err := r.cfg.Clients(f.AWSRegion)
	if err != nil {
		resp.Error = fmt.Sprintf("clients for region %s: %v", f.AWSRegion, err)
		return resp
	}
	var res *remediate.Result
	if r.cfg.Mode == ResponseApply {
		res, err = rem.Apply(ctx, clients, t)
	} else {
		res, err = rem.Plan(ctx, clients, t)
	}
	if res != nil {
		resp.DryRun, resp.Changed = res.DryRun, res.Changed
		for _, a := range res.Actions {
			resp.Actions = append(resp.Actions, Action{API: a.API, Resource: a.Resource, Needed: a.Needed, Applied: a.Applied, Detail: a.Detail})
		}
	}
	if err != nil {
		resp.Error = err.Error()
	}
	return resp
}
