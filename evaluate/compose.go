package evaluate

import (
	"context"
	"strings"
)

// AllOf is compliant when every check is. A non-compliant check makes the
// whole non-compliant (annotations of all failing checks are joined); else
// a check that lacks data makes it INSUFFICIENT_DATA; checks that do not
// apply are ignored, and when none applies the whole does not either.
// An error of any check is the whole's error.
func AllOf(checks ...Evaluator) Evaluator {
	return EvaluatorFunc(func(ctx context.Context, in *Input) (Result, error) {
		results, err := runAll(ctx, in, checks)
		if err != nil {
			return Result{}, err
		}
		for _, want := range []Compliance{NonCompliant, InsufficientData, Compliant} {
			if r, ok := joined(results, want); ok {
				return r, nil
			}
		}
		return joinedOrEmpty(results, NotApplicable), nil
	})
}

// AnyOf is compliant when one check is. Otherwise a check that lacks data
// makes it INSUFFICIENT_DATA, a non-compliant check makes it non-compliant
// (annotations joined), and when no check applies neither does the whole.
func AnyOf(checks ...Evaluator) Evaluator {
	return EvaluatorFunc(func(ctx context.Context, in *Input) (Result, error) {
		results, err := runAll(ctx, in, checks)
		if err != nil {
			return Result{}, err
		}
		for _, r := range results {
			if r.Compliance == Compliant {
				return r, nil
			}
		}
		for _, want := range []Compliance{InsufficientData, NonCompliant} {
			if r, ok := joined(results, want); ok {
				return r, nil
			}
		}
		return joinedOrEmpty(results, NotApplicable), nil
	})
}

// Not swaps COMPLIANT and NON_COMPLIANT, giving the new verdict the
// annotation for it; other results pass through.
func Not(check Evaluator, compliantAnnotation, nonCompliantAnnotation string) Evaluator {
	return EvaluatorFunc(func(ctx context.Context, in *Input) (Result, error) {
		r, err := check.Evaluate(ctx, in)
		if err != nil {
			return r, err
		}
		switch r.Compliance {
		case Compliant:
			return Result{Compliance: NonCompliant, Annotation: nonCompliantAnnotation}, nil
		case NonCompliant:
			return Result{Compliance: Compliant, Annotation: compliantAnnotation}, nil
		}
		return r, nil
	})
}

// ByResourceType sends each item to the check for its resource type; items
// of other types are not applicable.
func ByResourceType(checks map[string]Evaluator) Evaluator {
	return EvaluatorFunc(func(ctx context.Context, in *Input) (Result, error) {
		c, ok := checks[in.Item.ResourceType]
		if !ok {
			return NotApplicablef("No check for resource type %s.", in.Item.ResourceType), nil
		}
		return c.Evaluate(ctx, in)
	})
}

func runAll(ctx context.Context, in *Input, checks []Evaluator) ([]Result, error) {
	out := make([]Result, 0, len(checks))
	for _, c := range checks {
		r, err := c.Evaluate(ctx, in)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// joined returns a result of compliance c whose annotation joins those of
// every result of c, if there is one.
func joined(results []Result, c Compliance) (Result, bool) {
	var notes []string
	found := false
	for _, r := range results {
		if r.Compliance != c {
			continue
		}
		found = true
		if r.Annotation != "" {
			notes = append(notes, strings.TrimSuffix(r.Annotation, "."))
		}
	}
	if !found {
		return Result{}, false
	}
	note := strings.Join(notes, "; ")
	if note != "" {
		note += "."
	}
	return Result{Compliance: c, Annotation: note}, true
}

func joinedOrEmpty(results []Result, c Compliance) Result {
	r, _ := joined(results, c)
	r.Compliance = c
	return r
}
