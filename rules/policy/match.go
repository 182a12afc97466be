package policy

import (
	"strings"
	"unicode/utf8"
)

// Patterns in policies use two wildcards: '*' matches any run of characters,
// '?' exactly one. Actions compare without regard to case; resources and
// principals are case-sensitive. Besides plain matching, the analysers need
// two questions about pairs of patterns, answered here:
//
//   - covers(p, q): does p match every string that q matches? ("s3:*" covers
//     "s3:Get*"; a Deny on "arn:aws:s3:::b*" covers the objects "arn:aws:s3:::b/*").
//   - intersect(a, b): is there a string both match? ("s3:G*" and "s3:*Object").
//
// covers answers "no" for a few exotic pairs where the true answer is "yes"
// (p = "?*", q = "*?"); every caller treats "no" as the cautious outcome.

// MatchAction reports whether an action pattern from a policy, such as
// "s3:Get*" or "*", matches action ("s3:GetObject"). Matching ignores case,
// as IAM does; '*' matches any run of characters and '?' one character.
func MatchAction(pattern, action string) bool {
	return matchGlob(pattern, action, true)
}

// MatchResource reports whether a resource pattern from a policy, such as
// "arn:aws:s3:::bucket/*", matches the ARN arn. Matching is case-sensitive.
func MatchResource(pattern, arn string) bool {
	return matchGlob(pattern, arn, false)
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func sameByte(a, b byte, fold bool) bool {
	return a == b || (fold && lowerASCII(a) == lowerASCII(b))
}

// symbolWidth is the length in bytes of the character at s[i].
func symbolWidth(s string, i int) int {
	if s[i] < utf8.RuneSelf {
		return 1
	}
	_, w := utf8.DecodeRuneInString(s[i:])
	return w
}

// sameSymbol compares the literal characters at p[i] and q[j], returning their
// widths.
func sameSymbol(p string, i int, q string, j int, fold bool) (wp, wq int, ok bool) {
	wp, wq = symbolWidth(p, i), symbolWidth(q, j)
	if wp != wq {
		return wp, wq, false
	}
	if wp == 1 {
		return 1, 1, sameByte(p[i], q[j], fold)
	}
	return wp, wq, p[i:i+wp] == q[j:j+wq]
}

func matchGlob(p, s string, fold bool) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch c := p[pi]; {
			case c == '*':
				starP, starS = pi, si
				pi++
				continue
			case c == '?':
				pi++
				si += symbolWidth(s, si)
				continue
			default:
				if wp, ws, ok := sameSymbol(p, pi, s, si, fold); ok {
					pi += wp
					si += ws
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		pi = starP + 1
		starS += symbolWidth(s, starS)
		si = starS
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// globCovers reports whether pattern p matches every string pattern q matches.
func globCovers(p, q string, fold bool) bool {
	if p == "*" {
		return true
	}
	if p == q {
		return true
	}
	if !hasWildcard(p) {
		return !hasWildcard(q) && fold && strings.EqualFold(p, q)
	}
	// The common shape, a literal prefix and one trailing '*' ("s3:*",
	// "arn:aws:s3:::bucket/*"), covers q when q starts with the same literal
	// characters.
	if n := len(p) - 1; p[n] == '*' && !hasWildcard(p[:n]) {
		if len(q) < n || hasWildcard(q[:n]) {
			return false
		}
		return q[:n] == p[:n] || (fold && strings.EqualFold(q[:n], p[:n]))
	}
	// cur[j] = covers(p[i+w:], q[j:]) for the previous (higher) i; computed
	// from the end of p backwards. Positions inside a multi-byte character are
	// never reached, because every step moves by whole characters.
	lq := len(q)
	var buf [256]bool
	next := buf[:0]
	if 2*(lq+1) > len(buf) {
		next = make([]bool, 2*(lq+1))
	} else {
		next = buf[:2*(lq+1)]
	}
	cur, nxt := next[:lq+1], next[lq+1:]
	// nxt holds covers(p[len(p):], q[j:]): true only at the end of q.
	nxt[lq] = true
	// rows indexed by byte position in p; walk character starts from the end.
	for i := len(p); i > 0; {
		_, w := utf8.DecodeLastRuneInString(p[:i])
		i -= w
		for j := lq; j >= 0; j-- {
			var v bool
			switch {
			case p[i] == '*':
				v = nxt[j] || (j < lq && cur[j+symbolWidth(q, j)])
			case j == lq || q[j] == '*':
				v = false
			case p[i] == '?':
				v = nxt[j+symbolWidth(q, j)]
			case q[j] == '?':
				v = false
			default:
				_, wq, ok := sameSymbol(p, i, q, j, fold)
				v = ok && nxt[j+wq]
			}
			cur[j] = v
		}
		cur, nxt = nxt, cur
	}
	return nxt[0]
}

// globsIntersect reports whether some string matches both patterns.
func globsIntersect(a, b string, fold bool) bool {
	if a == "*" || b == "*" {
		return true
	}
	if !hasWildcard(a) {
		return matchGlob(b, a, fold)
	}
	if !hasWildcard(b) {
		return matchGlob(a, b, fold)
	}
	la, lb := len(a), len(b)
	visited := make([]bool, (la+1)*(lb+1))
	type state struct{ i, j int }
	stack := []state{{0, 0}}
	visited[0] = true
	push := func(i, j int) {
		if k := i*(lb+1) + j; !visited[k] {
			visited[k] = true
			stack = append(stack, state{i, j})
		}
	}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s.i == la && s.j == lb {
			return true
		}
		if s.i < la && a[s.i] == '*' {
			push(s.i+1, s.j)
		}
		if s.j < lb && b[s.j] == '*' {
			push(s.i, s.j+1)
		}
		if s.i == la || s.j == lb {
			continue
		}
		// Both consume one character.
		ca, cb := a[s.i], b[s.j]
		ni, nj := s.i, s.j
		wa, wb := symbolWidth(a, s.i), symbolWidth(b, s.j)
		if ca != '*' {
			ni += wa
		}
		if cb != '*' {
			nj += wb
		}
		if ca != '*' && ca != '?' && cb != '*' && cb != '?' {
			if _, _, ok := sameSymbol(a, s.i, b, s.j, fold); !ok {
				continue
			}
		}
		if ni != s.i || nj != s.j {
			push(ni, nj)
		}
	}
	return false
}
