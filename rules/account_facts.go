package rules

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
)

// parsedFacts keeps the last few facts a rule parsed, so that a fact read
// once per resource (the credential report, per user) is parsed once per
// content. A fact is the same when it is the same slice (a caching lookup)
// or has the same bytes (a facts directory read again).
type parsedFacts[T any] struct {
	parse   func([]byte) (T, error)
	mu      sync.Mutex
	entries [8]parsedFact[T]
	next    int
}

type parsedFact[T any] struct {
	data []byte
	val  T
	err  error
}

func newParsedFacts[T any](parse func([]byte) (T, error)) *parsedFacts[T] {
	return &parsedFacts[T]{parse: parse}
}

func (p *parsedFacts[T]) get(data []byte) (T, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.entries {
		if e.data != nil && len(e.data) == len(data) &&
			(len(data) == 0 || &e.data[0] == &data[0] || bytes.Equal(e.data, data)) {
			return e.val, e.err
		}
	}
	v, err := p.parse(data)
	if data == nil {
		data = []byte{}
	}
	p.entries[p.next] = parsedFact[T]{data: data, val: v, err: err}
	p.next = (p.next + 1) % len(p.entries)
	return v, err
}

// missingFactError is a fact the rule could not read: the rule answers
// INSUFFICIENT_DATA with the annotation, naming the file that would settle
// it.
type missingFactError struct {
	annotation string
	err        error
}

// reason is why the lookup could not give a fact, without the "unknown"
// every such error starts with.
func reason(err error) string {
	return strings.TrimPrefix(err.Error(), evaluate.ErrUnknown.Error()+": ")
}

func (e *missingFactError) Error() string { return e.annotation }
func (e *missingFactError) Unwrap() error { return e.err }

// readFact reads a fact and parses it. A fact the lookup does not know
// (evaluate.ErrUnknown, from the lookup or recorded in the fact) is a
// *missingFactError; "does not exist" answers come back wrapping
// evaluate.ErrNotFound, for the rule to judge; anything else is an error
// the rule returns.
func readFact[T any](ctx context.Context, in *evaluate.Input, cache *parsedFacts[T], region, name, what string) (T, error) {
	var zero T
	account := in.Item.AccountID
	data, err := in.Lookup.Fact(ctx, account, region, name)
	if err == nil {
		var v T
		v, err = cache.get(data)
		if err == nil {
			return v, nil
		}
	}
	switch {
	case errors.Is(err, evaluate.ErrNotFound):
		return zero, err
	case errors.Is(err, evaluate.ErrUnknown):
		return zero, &missingFactError{
			annotation: fmt.Sprintf("No %s for account %s (%s): %s.", what, account, name, reason(err)),
			err:        err,
		}
	}
	return zero, err
}

// insufficient turns a *missingFactError into the INSUFFICIENT_DATA result
// it stands for; other errors stay errors.
func insufficient(err error) (evaluate.Result, error) {
	var mf *missingFactError
	if errors.As(err, &mf) {
		return evaluate.InsufficientDataf("%s", mf.annotation), nil
	}
	return evaluate.Result{}, err
}

// credentialReports is shared by the rules that read the credential
// report, so that one report is parsed once however many of them run. It
// is keyed by content, so sharing it between engines is safe.
var credentialReports = newParsedFacts(facts.ParseCredentialReport)

// credentialRow finds the credential report row of the input's IAM user.
func credentialRow(ctx context.Context, in *evaluate.Input, name, arn string) (*facts.Credential, error) {
	rep, err := readFact(ctx, in, credentialReports, "", facts.CredentialReportFile, "credential report")
	if err != nil {
		return nil, err
	}
	row, err := rep.User(name, arn)
	if errors.Is(err, evaluate.ErrUnknown) {
		return nil, &missingFactError{annotation: fmt.Sprintf("User %s is not in the credential report; generate it again.", name), err: err}
	}
	return row, err
}

// rootFromReport is the root-user rules' fallback when the account summary
// could not be read (summaryErr): the credential report's <root_account>
// row. Missing facts come back as a *missingFactError (INSUFFICIENT_DATA
// through insufficient); other errors as they are.
func rootFromReport(ctx context.Context, in *evaluate.Input, summaryErr error) (*facts.Credential, error) {
	var mf *missingFactError
	if !errors.As(summaryErr, &mf) {
		return nil, summaryErr
	}
	account := in.Item.AccountID
	rep, err := readFact(ctx, in, credentialReports, "", facts.CredentialReportFile, "credential report")
	if errors.As(err, &mf) {
		return nil, &missingFactError{err: err, annotation: fmt.Sprintf(
			"No account summary or credential report for account %s: give %s or %s in the facts directory.",
			account, facts.AccountSummaryFile, facts.CredentialReportFile)}
	}
	if err != nil {
		return nil, err
	}
	root, err := rep.Root()
	if err != nil {
		return nil, &missingFactError{annotation: fmt.Sprintf("The credential report of account %s has no <root_account> row.", account), err: err}
	}
	return root, nil
}

// dayParam reads an int parameter counting days, of at least one day, as
// days and as a duration.
func dayParam(p evaluate.Params, name string) (int, time.Duration, error) {
	days := p.Int(name)
	if days < 1 {
		return 0, 0, &evaluate.ParamError{Name: name, Value: p.Raw(name), Err: fmt.Errorf("want at least 1 day")}
	}
	return days, time.Duration(days) * 24 * time.Hour, nil
}
