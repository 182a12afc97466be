// Package value holds the neutral value tree that both IaC readers resolve
// into: JSON-like Go values (nil, bool, string, json.Number, []any,
// map[string]any) plus [Unknown], a value known only after deployment.
package value
