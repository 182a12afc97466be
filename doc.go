// Package guardrails is an embeddable Go SDK of AWS Config custom rules.
//
// The work is split into packages with one job each: evaluate holds the
// configuration item, compliance, rules and the engine; rules is the catalog.
package guardrails
