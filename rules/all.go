package rules

import (
	"github.com/guardrails-go/guardrails/evaluate"
)

// All returns every rule of the catalog, in a stable order, as a new slice.
func All() []evaluate.Rule {
	var all []evaluate.Rule
	for _, family := range families {
		all = append(all, family()...)
	}
	return all
}

// families lists the rule families; each returns its rules.
var families = []func() []evaluate.Rule{
	s3Rules,
	cloudtrailRules,
	iamRules,
	dataRules,
	ec2Rules,
}

// ByID returns the rule with the given id.
func ByID(id string) (evaluate.Rule, bool) {
	for _, r := range All() {
		if r.Metadata().ID == id {
			return r, true
		}
	}
	return nil, false
}

// Select returns the rules with the given ids, in the order given; an
// unknown id is an error naming it.
func Select(ids ...string) ([]evaluate.Rule, error) {
	byID := make(map[string]evaluate.Rule)
	for _, r := range All() {
		byID[r.Metadata().ID] = r
	}
	out := make([]evaluate.Rule, 0, len(ids))
	for _, id := range ids {
		r, ok := byID[id]
		if !ok {
			return nil, &UnknownRuleError{ID: id}
		}
		out = append(out, r)
	}
	return out, nil
}

// UnknownRuleError names a rule id the catalog does not have.
type UnknownRuleError struct{ ID string }

func (e *UnknownRuleError) Error() string { return "no rule " + e.ID + " in the catalog" }
