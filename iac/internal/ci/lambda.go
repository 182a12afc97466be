package ci

import "github.com/guardrails-go/guardrails/iac/internal/value"

// LambdaEnvironment renders a function's environment as
// configuration.environment: {"variables": {name: value}}, the shape of
// GetFunctionConfiguration. Config does not record it, but a template or
// plan states it, and the secrets rule reads it from there. A function
// without variables gets empty ones, so that the rule knows there are none.
// block names the Environment property (a Terraform block is a list of one
// object), key the variables inside it.
func LambdaEnvironment(o *value.Obj, block, key string) map[string]any {
	vars := map[string]any{}
	env := map[string]any{"variables": vars}
	e, ok := o.Block(block)
	if !ok {
		return env
	}
	if u, unknown := e.Unknown(); unknown {
		env["variables"] = u.Typed()
		return env
	}
	v, ok := e.Obj(key)
	if !ok {
		return env
	}
	if u, unknown := v.Unknown(); unknown {
		env["variables"] = u.Typed()
		return env
	}
	for name := range v.Map() {
		if s, ok := v.String(name); ok {
			vars[name] = s
		}
	}
	return env
}
