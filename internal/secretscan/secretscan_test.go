package secretscan

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		reason      string
		name, value string
		want        Kind
	}{
		{"access key id under any name", "DEPLOY_USER", "AKIAZ4TEXAMPLE7QX2PL", AccessKeyID},
		{"temporary access key id", "creds", "ASIAZ4TEXAMPLE7QX2PL", AccessKeyID},
		{"access key id inside a longer value", "BOTO_CONFIG", "key=AKIAZ4TEXAMPLE7QX2PL;region=eu-west-1", AccessKeyID},
		{"too short to be a key id", "ID", "AKIAZ4TEXAMPLE7QX2P", 0},
		{"too long to be a key id", "ID", "AKIAZ4TEXAMPLE7QX2PLX", 0},
		{"lower case is not a key id", "ID", "akiaz4texample7qx2pl", 0},
		{"RSA private key", "CERT", "-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----", PrivateKey},
		{"PKCS#8 private key", "X", "-----BEGIN PRIVATE KEY-----\nMIIE", PrivateKey},
		{"encrypted private key", "X", "-----BEGIN ENCRYPTED PRIVATE KEY-----", PrivateKey},
		{"OpenSSH private key", "X", "-----BEGIN OPENSSH PRIVATE KEY-----", PrivateKey},
		{"PGP private key block", "X", "-----BEGIN PGP PRIVATE KEY BLOCK-----", PrivateKey},
		{"a certificate is public", "CERT", "-----BEGIN CERTIFICATE-----\nMIID", 0},
		{"a public key is public", "KEY", "-----BEGIN PUBLIC KEY-----\nMIIB", 0},
		{"URL with a password", "DATABASE_URL", "postgres://app:Spr1ng-Rain@db.example.com:5432/app", EmbeddedPassword},
		{"URL with an empty user", "REDIS", "redis://:s3cr3t@cache:6379/0", EmbeddedPassword},
		{"URL with a user only", "DATABASE_URL", "postgres://app@db.example.com/app", 0},
		{"URL with a placeholder password", "DATABASE_URL", "postgres://app:${DB_PASSWORD}@db.example.com/app", 0},
		{"URL with a port, no user", "SERVICE_URL", "https://api.example.com:8443/v1", 0},
		{"ADO.NET connection string", "CONN", "Server=db;Database=app;User Id=sa;Password=Winter2026!;", EmbeddedPassword},
		{"JDBC query password", "JDBC", "jdbc:mysql://db:3306/app?user=app&password=Winter2026", EmbeddedPassword},
		{"connection string with an empty password", "CONN", "Server=db;Password=;", 0},
		{"high-entropy password", "DB_PASSWORD", "c0rrect-H0rse-Battery-St4ple!", HighEntropy},
		{"high-entropy token, camel case", "githubToken", "ghp_R8x2KfL0qW7mZ3vT9pYb4nC6dJ1sH5aE2uG8", HighEntropy},
		{"secret access key", "AWS_SECRET_ACCESS_KEY", "q7Lr2vX9mKp4TzW8nB3cH6yJ1fS5dG0aE8uR4iOx", HighEntropy},
		{"API key", "STRIPE_API_KEY", "sk_live_51HqZ2eK8vL4mN7pQ1rS3tU5w", HighEntropy},
		{"placeholder under a secret name", "DB_PASSWORD", "changeme", 0},
		{"short value under a secret name", "API_TOKEN", "abc123", 0},
		{"repeated characters under a secret name", "API_TOKEN", "xxxxxxxxxxxxxxxx", 0},
		{"Secrets Manager ARN", "DB_PASSWORD", "arn:aws:secretsmanager:us-east-2:644160558196:secret:prod/db-AbCdEf", 0},
		{"SSM parameter ARN", "API_KEY", "arn:aws:ssm:us-east-2:644160558196:parameter/prod/api-key", 0},
		{"dynamic reference", "DB_PASSWORD", "{{resolve:secretsmanager:prod/db:SecretString:password}}", 0},
		{"parameter store path", "API_TOKEN", "/prod/omnissm/api-token", 0},
		{"serverless placeholder", "API_TOKEN", "${ssm:/prod/api-token}", 0},
		{"name about a secret, not holding one", "SECRET_NAME", "prod/omnissm/db-credentials-2026", 0},
		{"secret's lifetime", "TOKEN_TTL_SECONDS", "86400", 0},
		{"high entropy under an ordinary name", "BUILD_ID", "q7Lr2vX9mKp4TzW8nB3cH6yJ1fS5dG0a", 0},
		{"key without a qualifier is not secret-like", "CACHE_KEY", "q7Lr2vX9mKp4TzW8nB3cH6yJ1fS5dG0a", 0},
		{"empty value", "DB_PASSWORD", "", 0},
	}
	var s Scanner
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			if got := s.Check(tt.name, tt.value); got != tt.want {
				t.Errorf("Check(%q, value) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestScannerThresholds(t *testing.T) {
	// "Tr0ub4dor&3" has 11 characters and about 3.28 bits per character.
	const name, value = "DB_PASSWORD", "Tr0ub4dor&3"
	tests := []struct {
		reason  string
		scanner Scanner
		want    Kind
	}{
		{"defaults", Scanner{}, HighEntropy},
		{"longer minimum", Scanner{MinLength: 12}, 0},
		{"higher entropy", Scanner{MinEntropy: 3.5}, 0},
		{"lower entropy", Scanner{MinEntropy: 2}, HighEntropy},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			if got := tt.scanner.Check(name, value); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestScanKeepsOrderAndLeavesValuesOut(t *testing.T) {
	values := map[string]string{
		"STAGE":             "prod",
		"DB_PASSWORD":       "c0rrect-H0rse-Battery-St4ple!",
		"AWS_ACCESS_KEY_ID": "AKIAZ4TEXAMPLE7QX2PL",
	}
	got := Scanner{}.Scan([]string{"STAGE", "DB_PASSWORD", "AWS_ACCESS_KEY_ID"}, values)
	want := []Finding{{Name: "DB_PASSWORD", Kind: HighEntropy}, {Name: "AWS_ACCESS_KEY_ID", Kind: AccessKeyID}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Scan (-want +got):\n%s", diff)
	}
	for _, f := range got {
		text := fmt.Sprintf("%+v %v", f, f.Kind)
		for _, v := range values {
			if len(v) > 4 && strings.Contains(text, v) {
				t.Errorf("finding %q holds a value", text)
			}
		}
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{"DB_PASSWORD", []string{"db", "password"}},
		{"dbPassword", []string{"db", "password"}},
		{"APIKey", []string{"api", "key"}},
		{"apiKeyV2", []string{"api", "key", "v2"}},
		{"aws-secret.access_key", []string{"aws", "secret", "access", "key"}},
		{"OAuth2Token", []string{"o", "auth2", "token"}},
		{"__", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Words(tt.name)); diff != "" {
			t.Errorf("Words(%q) (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestSecretLikeName(t *testing.T) {
	tests := map[string]bool{
		"DB_PASSWORD": true, "dbPass": true, "GITHUB_TOKEN": true, "STRIPE_SECRET_KEY": true,
		"PRIVATE_KEY": true, "apiKey": true, "APIKEY": true, "CLIENT_SECRET": true, "BASIC_AUTH": true,
		"SECRET_ARN": false, "TOKEN_TTL": false, "API_KEY_PARAM": false, "PASSWORD_MIN_LENGTH": false,
		"CACHE_KEY": false, "BYPASS_CACHE": false, "TABLE_NAME": false, "": false,
	}
	for name, want := range tests {
		if got := SecretLikeName(name); got != want {
			t.Errorf("SecretLikeName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestEntropy(t *testing.T) {
	tests := []struct {
		s    string
		want float64
	}{
		{"", 0},
		{"aaaa", 0},
		{"ab", 1},
		{"abcd", 2},
		{"0123456789abcdef", 4},
	}
	for _, tt := range tests {
		if got := Entropy(tt.s); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("Entropy(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func ExampleScanner_Check() {
	var s Scanner
	fmt.Println(s.Check("AWS_ACCESS_KEY_ID", "AKIAZ4TEXAMPLE7QX2PL"))
	fmt.Println(s.Check("DB_PASSWORD", "c0rrect-H0rse-Battery-St4ple!"))
	fmt.Println(s.Check("DB_PASSWORD", "{{resolve:secretsmanager:prod/db:SecretString:password}}"))
	// Output:
	// AWS access key id
	// high-entropy secret
	// no secret
}
