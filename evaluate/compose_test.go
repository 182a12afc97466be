package evaluate

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func fixed(c Compliance, note string) Evaluator {
	return EvaluatorFunc(func(context.Context, *Input) (Result, error) { return Result{c, note}, nil })
}

func TestComposition(t *testing.T) {
	c, n := fixed(Compliant, "c ok"), fixed(NonCompliant, "n bad")
	n2, na, id := fixed(NonCompliant, "n2 bad."), fixed(NotApplicable, "na"), fixed(InsufficientData, "id lacks x")
	tests := []struct {
		reason string
		ev     Evaluator
		want   Result
	}{
		{"all of: every check compliant", AllOf(c, c), Result{Compliant, "c ok; c ok."}},
		{"all of: failures joined", AllOf(c, n, n2), Result{NonCompliant, "n bad; n2 bad."}},
		{"all of: no data beats compliant", AllOf(c, id), Result{InsufficientData, "id lacks x."}},
		{"all of: non-compliant beats no data", AllOf(id, n), Result{NonCompliant, "n bad."}},
		{"all of: not applicable ignored", AllOf(na, c), Result{Compliant, "c ok."}},
		{"all of: nothing applies", AllOf(na, na), Result{NotApplicable, "na; na."}},
		{"any of: one compliant is enough", AnyOf(n, c), Result{Compliant, "c ok"}},
		{"any of: all fail", AnyOf(n, n2), Result{NonCompliant, "n bad; n2 bad."}},
		{"any of: no data beats failure", AnyOf(n, id), Result{InsufficientData, "id lacks x."}},
		{"not: swaps", Not(c, "fine", "must not"), Result{NonCompliant, "must not"}},
		{"not: swaps back", Not(n, "fine", "must not"), Result{Compliant, "fine"}},
		{"not: passes no data through", Not(id, "fine", "must not"), Result{InsufficientData, "id lacks x"}},
		{"by type: dispatch", ByResourceType(map[string]Evaluator{"AWS::S3::Bucket": n}), Result{NonCompliant, "n bad"}},
		{"by type: other type", ByResourceType(map[string]Evaluator{"AWS::EC2::VPC": n}), Result{NotApplicable, "No check for resource type AWS::S3::Bucket."}},
	}
	in := &Input{Item: bucketItem("b")}
	for _, tc := range tests {
		got, err := tc.ev.Evaluate(context.Background(), in)
		if err != nil {
			t.Errorf("%s: %v", tc.reason, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", tc.reason, diff)
		}
	}
	boom := EvaluatorFunc(func(context.Context, *Input) (Result, error) { return Result{}, errors.New("boom") })
	for _, ev := range []Evaluator{AllOf(c, boom), AnyOf(boom, c), Not(boom, "", "")} {
		if _, err := ev.Evaluate(context.Background(), in); err == nil || err.Error() != "boom" {
			t.Errorf("error %v, want boom", err)
		}
	}
}
