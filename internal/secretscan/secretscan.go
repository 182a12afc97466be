package secretscan

import (
	"math"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is a kind of plaintext secret.
type Kind int

// The kinds of secret, from the most certain.
const (
	// AccessKeyID is an AWS access key id (AKIA… or ASIA…).
	AccessKeyID Kind = iota + 1
	// PrivateKey is a PEM private key block.
	PrivateKey
	// EmbeddedPassword is a password inside a URL (scheme://user:password@)
	// or a connection string (Password=…).
	EmbeddedPassword
	// HighEntropy is a value with the randomness of a token or password
	// under a name that says it is a secret.
	HighEntropy
)

// String names the kind briefly, for annotations that must stay short.
func (k Kind) String() string {
	switch k {
	case AccessKeyID:
		return "AWS access key id"
	case PrivateKey:
		return "private key"
	case EmbeddedPassword:
		return "embedded password"
	case HighEntropy:
		return "high-entropy secret"
	}
	return "no secret"
}

// Finding is one variable holding a plaintext secret. It never holds the
// value.
type Finding struct {
	Name string
	Kind Kind
}

// Defaults of a Scanner's thresholds.
const (
	DefaultMinLength  = 8
	DefaultMinEntropy = 3.0
)

// Scanner decides whether values are plaintext secrets. The zero value
// uses the defaults.
type Scanner struct {
	// MinLength is the shortest value (in characters) judged by entropy;
	// 0 means DefaultMinLength.
	MinLength int
	// MinEntropy is the Shannon entropy, in bits per character, from which
	// a value under a secret-like name counts as a secret; 0 means
	// DefaultMinEntropy.
	MinEntropy float64
}

var (
	accessKeyID = regexp.MustCompile(`(?:^|[^A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?:$|[^A-Z0-9])`)
	privateKey  = regexp.MustCompile(`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----`)
	// urlPassword matches scheme://user:password@ with a non-empty password.
	urlPassword = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.\-]*://[^/:@\s]*:([^/@\s]+)@`)
	// connPassword matches Password=… in ADO.NET, JDBC and ODBC strings.
	connPassword = regexp.MustCompile(`(?i)(?:^|[;&?\s])(?:password|pwd)=([^;&\s]+)`)
	ssmPath      = regexp.MustCompile(`^(?:/[A-Za-z0-9_.\-]+)+/?$`)
)

// Check returns the kind of secret the variable holds, or 0 for none.
func (s Scanner) Check(name, value string) Kind {
	value = strings.TrimSpace(value)
	if value == "" || Reference(value) {
		return 0
	}
	switch {
	case accessKeyID.MatchString(value):
		return AccessKeyID
	case privateKey.MatchString(value):
		return PrivateKey
	case embeddedPassword(value):
		return EmbeddedPassword
	}
	if !SecretLikeName(name) {
		return 0
	}
	minLen, minEntropy := s.MinLength, s.MinEntropy
	if minLen <= 0 {
		minLen = DefaultMinLength
	}
	if minEntropy <= 0 {
		minEntropy = DefaultMinEntropy
	}
	if utf8.RuneCountInString(value) >= minLen && Entropy(value) >= minEntropy {
		return HighEntropy
	}
	return 0
}

// Scan checks every variable and returns the findings in the order of
// names.
func (s Scanner) Scan(names []string, values map[string]string) []Finding {
	var out []Finding
	for _, n := range names {
		if k := s.Check(n, values[n]); k != 0 {
			out = append(out, Finding{Name: n, Kind: k})
		}
	}
	return out
}

func embeddedPassword(value string) bool {
	for _, re := range []*regexp.Regexp{urlPassword, connPassword} {
		for _, m := range re.FindAllStringSubmatch(value, -1) {
			if !placeholder(m[1]) {
				return true
			}
		}
	}
	return false
}

// Reference reports whether a value points to a secret kept elsewhere
// instead of holding it: an ARN (Secrets Manager, SSM, KMS, ...), a
// CloudFormation dynamic reference ({{resolve:...}}), a template
// placeholder (${...}, {{...}}, <...>), or a Parameter Store path.
func Reference(value string) bool {
	v := strings.TrimSpace(value)
	lower := strings.ToLower(v)
	switch {
	case strings.HasPrefix(lower, "arn:"),
		strings.HasPrefix(lower, "{{resolve:"),
		strings.HasPrefix(lower, "ssm:/"),
		strings.HasPrefix(lower, "secretsmanager:"),
		placeholder(v),
		ssmPath.MatchString(v):
		return true
	}
	return false
}

// placeholder reports whether the whole value is a template placeholder.
func placeholder(v string) bool {
	return strings.HasPrefix(v, "${") && strings.HasSuffix(v, "}") ||
		strings.HasPrefix(v, "{{") && strings.HasSuffix(v, "}}") ||
		strings.HasPrefix(v, "<") && strings.HasSuffix(v, ">") ||
		strings.HasPrefix(v, "%") && strings.HasSuffix(v, "%") && len(v) > 2
}

// secretWords are name words that say the value is a secret.
var secretWords = map[string]bool{
	"password": true, "passwd": true, "pwd": true, "pass": true, "passphrase": true,
	"secret": true, "secrets": true, "token": true, "tokens": true, "apikey": true,
	"credential": true, "credentials": true, "creds": true, "auth": true,
	"privatekey": true, "secretkey": true, "accesskey": true, "signingkey": true,
	"encryptionkey": true, "masterkey": true, "clientsecret": true, "sessiontoken": true,
}

// keyQualifiers make "key" a secret word when they come just before it
// (API_KEY, PRIVATE_KEY, ...).
var keyQualifiers = map[string]bool{
	"api": true, "private": true, "secret": true, "access": true, "signing": true,
	"encryption": true, "master": true, "license": true, "app": true, "client": true,
}

// referenceWords, as the last word of a name, say the variable holds
// something about a secret (its ARN, name, lifetime), not the secret.
var referenceWords = map[string]bool{
	"arn": true, "name": true, "names": true, "id": true, "ids": true, "param": true,
	"parameter": true, "path": true, "file": true, "url": true, "uri": true,
	"endpoint": true, "host": true, "domain": true, "header": true, "port": true,
	"ttl": true, "region": true, "enabled": true, "disabled": true, "length": true,
	"timeout": true, "type": true, "mode": true, "version": true, "prefix": true,
	"policy": true, "rotation": true, "expiry": true, "expiration": true,
	"seconds": true, "minutes": true, "hours": true, "days": true, "ms": true,
	"bucket": true, "table": true, "field": true, "location": true, "provider": true,
}

// SecretLikeName reports whether a variable name says it holds a secret,
// such as DB_PASSWORD, apiKey, GITHUB_TOKEN or STRIPE_SECRET_KEY, and not
// something about one, such as SECRET_ARN or TOKEN_TTL.
func SecretLikeName(name string) bool {
	words := Words(name)
	if len(words) == 0 || referenceWords[words[len(words)-1]] {
		return false
	}
	for i, w := range words {
		if secretWords[w] {
			return true
		}
		if w == "key" && i > 0 && keyQualifiers[words[i-1]] {
			return true
		}
	}
	return false
}

// Words splits a variable name into lower-case words at separators and
// camel-case boundaries: "dbPassword" and "DB_PASSWORD" give [db password],
// "APIKey" gives [api key].
func Words(name string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	runes := []rune(name)
	for i, r := range runes {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if i > 0 && unicode.IsUpper(r) && len(cur) > 0 {
			prev := runes[i-1]
			nextLower := i+1 < len(runes) && unicode.IsLower(runes[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || unicode.IsUpper(prev) && nextLower {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

// Entropy returns the Shannon entropy of s in bits per character.
func Entropy(s string) float64 {
	counts := map[rune]int{}
	n := 0
	for _, r := range s {
		counts[r]++
		n++
	}
	if n == 0 {
		return 0
	}
	var h float64
	for _, c := range counts {
		p := float64(c) / float64(n)
		h -= p * math.Log2(p)
	}
	return h
}
