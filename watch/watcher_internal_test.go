package watch

import (
	"fmt"
	"testing"
)

// The set of reported event ids stays bounded however many findings a
// session reports, and recognises every id within the last
// MaxRemembered/2.
func TestSeenSetIsBounded(t *testing.T) {
	s := newSeenSet()
	const n = 5 * MaxRemembered
	for i := range n {
		s.add(fmt.Sprint("id-", i))
		if size := len(s.young) + len(s.old); size > MaxRemembered {
			t.Fatalf("after %d ids the set holds %d, over %d", i+1, size, MaxRemembered)
		}
	}
	for i := n - MaxRemembered/2; i < n; i++ {
		if !s.has(fmt.Sprint("id-", i)) {
			t.Fatalf("id-%d, among the last %d, is not recognised", i, MaxRemembered/2)
		}
	}
	if s.has("id-never-added") {
		t.Error("an id never added is recognised")
	}
}

func TestGlobMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"arn:aws:iam::1:role/r", "arn:aws:iam::1:role/r", true},
		{"arn:aws:iam::1:role/r", "arn:aws:iam::1:role/r2", false},
		{"arn:aws:iam::*:role/r", "arn:aws:iam::1:role/r", true},
		{"arn:aws:sts::*:assumed-role/guardrails-*", "arn:aws:sts::1:assumed-role/guardrails-remediation/s", true},
		{"*:role/r", "arn:aws:iam::1:role/r", true},
		{"arn:*:role/*/x", "arn:aws:iam::1:role/a/b/x", true},
		{"arn:*:role/*/x", "arn:aws:iam::1:role/a/b/y", false},
		{"arn:aws:iam::1:role/r", "", false},
		{"a*a", "a", false},
	} {
		if got := globMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v", tc.pattern, tc.s, got)
		}
	}
}
