package rules

import "fmt"

// unexpectedValueError reports a recorded value a rule does not know how to
// judge; the rule says so instead of guessing.
type unexpectedValueError struct {
	Field string
	Value string
}

func (e *unexpectedValueError) Error() string {
	return fmt.Sprintf("%s: unexpected value %q", e.Field, e.Value)
}
