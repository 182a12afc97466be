package policy

import (
	"strings"
	"testing"
)

func TestMatchAction(t *testing.T) {
	tests := []struct {
		pattern, action string
		want            bool
	}{
		{"s3:GetObject", "s3:GetObject", true},
		{"s3:getobject", "S3:GetObject", true},
		{"s3:Get*", "s3:GetObjectVersion", true},
		{"s3:Get*", "s3:PutObject", false},
		{"s3:*", "s3:PutBucketPolicy", true},
		{"*", "kms:Decrypt", true},
		{"*:*", "kms:Decrypt", true},
		{"s3:*Object", "s3:DeleteObject", true},
		{"s3:*Object", "s3:DeleteObjectVersion", false},
		{"s3:Get?bject", "s3:GetObject", true},
		{"s3:Get?bject", "s3:Getbject", false},
		{"s3:?", "s3:", false},
		{"ec2:Describe*", "ec2:DescribeInstances", true},
		{"ec2:Describe*", "ec2:Describe", true},
		{"", "", true},
		{"", "s3:GetObject", false},
		{"s3:*Get*Object*", "s3:GetBucketObjectLockConfiguration", true},
	}
	for _, tt := range tests {
		if got := MatchAction(tt.pattern, tt.action); got != tt.want {
			t.Errorf("MatchAction(%q, %q) = %v, want %v", tt.pattern, tt.action, got, tt.want)
		}
	}
}

func TestMatchResource(t *testing.T) {
	tests := []struct {
		pattern, arn string
		want         bool
	}{
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b.txt", true},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false},
		{"arn:aws:s3:::bucket*", "arn:aws:s3:::bucket", true},
		{"arn:aws:s3:::Bucket", "arn:aws:s3:::bucket", false}, // resources are case-sensitive
		{"arn:aws:s3:::b/k?y", "arn:aws:s3:::b/kéy", true},    // '?' is one character, not one byte
		{"*", "anything", true},
	}
	for _, tt := range tests {
		if got := MatchResource(tt.pattern, tt.arn); got != tt.want {
			t.Errorf("MatchResource(%q, %q) = %v, want %v", tt.pattern, tt.arn, got, tt.want)
		}
	}
}

func TestGlobCoversAndIntersect(t *testing.T) {
	tests := []struct {
		p, q                 string
		covers, intersect    bool
		coversFold, foldOnly bool
	}{
		{p: "s3:*", q: "s3:Get*", covers: true, intersect: true},
		{p: "s3:Get*", q: "s3:*", covers: false, intersect: true},
		{p: "*", q: "anything*", covers: true, intersect: true},
		{p: "arn:aws:s3:::b*", q: "arn:aws:s3:::b/*", covers: true, intersect: true},
		{p: "arn:aws:s3:::b/?", q: "arn:aws:s3:::b/*", covers: false, intersect: true},
		{p: "arn:aws:s3:::b/*", q: "arn:aws:s3:::c/*", covers: false, intersect: false},
		{p: "s3:G*", q: "s3:*Object", covers: false, intersect: true},
		{p: "s3:Put*", q: "s3:Get*", covers: false, intersect: false},
		{p: "a*b", q: "a?b", covers: true, intersect: true},
		{p: "a?b", q: "a*b", covers: false, intersect: true},
		{p: "*x*", q: "*x", covers: true, intersect: true},
		{p: "S3:*", q: "s3:Get*", covers: false, intersect: false, coversFold: true},
	}
	for _, tt := range tests {
		if got := globCovers(tt.p, tt.q, false); got != tt.covers {
			t.Errorf("globCovers(%q, %q) = %v, want %v", tt.p, tt.q, got, tt.covers)
		}
		if got := globsIntersect(tt.p, tt.q, false); got != tt.intersect {
			t.Errorf("globsIntersect(%q, %q) = %v, want %v", tt.p, tt.q, got, tt.intersect)
		}
		if tt.coversFold {
			if !globCovers(tt.p, tt.q, true) || !globsIntersect(tt.p, tt.q, true) {
				t.Errorf("with case folding, %q should cover and intersect %q", tt.p, tt.q)
			}
		}
	}
}

// TestGlobsAgainstEnumeration checks covers and intersect against their
// definitions, by enumerating every string up to a length over a small
// alphabet: intersect must be exact; covers must never claim coverage that
// does not hold, and may miss true coverings only when p mixes '?' with '*'
// ("?*" covers "*a": every string q matches has a first character); callers
// treat a miss as "not covered", the cautious outcome.
func TestGlobsAgainstEnumeration(t *testing.T) {
	const maxLen = 5
	strs := enumerate("ab", maxLen)
	pats := enumerate("ab*?", 3)
	matched := make(map[string][]bool, len(pats))
	for _, p := range pats {
		m := make([]bool, len(strs))
		for i, s := range strs {
			m[i] = matchGlob(p, s, false)
		}
		matched[p] = m
	}
	for _, p := range pats {
		for _, q := range pats {
			mp, mq := matched[p], matched[q]
			inter, cov := false, true
			for i := range strs {
				if mp[i] && mq[i] {
					inter = true
				}
				if mq[i] && !mp[i] {
					cov = false
				}
			}
			// Patterns of length 3 can match strings longer than maxLen only
			// through '*', where the enumeration is representative.
			if got := globsIntersect(p, q, false); got != inter {
				t.Errorf("globsIntersect(%q, %q) = %v, enumeration says %v", p, q, got, inter)
			}
			got := globCovers(p, q, false)
			if got && !cov {
				t.Errorf("globCovers(%q, %q) = true, but %q matches a string %q does not", p, q, q, p)
			}
			if !got && cov && !strings.ContainsRune(p, '?') {
				t.Errorf("globCovers(%q, %q) = false, but every string %q matches, %q matches", p, q, q, p)
			}
		}
	}
}

func enumerate(alphabet string, maxLen int) []string {
	out := []string{""}
	level := []string{""}
	for n := 1; n <= maxLen; n++ {
		var next []string
		for _, s := range level {
			for i := 0; i < len(alphabet); i++ {
				next = append(next, s+alphabet[i:i+1])
			}
		}
		out = append(out, next...)
		level = next
	}
	return out
}
