package remediate

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const denyTLS = `{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*",` +
	`"Resource":["arn:aws:s3:::example-data","arn:aws:s3:::example-data/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`

// policyParts splits a policy into its top-level elements other than
// Statement and its statements, each as a decoded JSON value, so policies
// compare as JSON whatever their layout.
func policyParts(t *testing.T, text string) (map[string]any, []any) {
	t.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &top); err != nil {
		t.Fatalf("policy is not JSON: %v\n%s", err, text)
	}
	var stmts []any
	raw := top["Statement"]
	delete(top, "Statement")
	if strings.HasPrefix(strings.TrimSpace(string(raw)), "{") {
		var one any
		json.Unmarshal(raw, &one)
		stmts = []any{one}
	} else if err := json.Unmarshal(raw, &stmts); err != nil {
		t.Fatalf("Statement: %v", err)
	}
	rest := map[string]any{}
	for k, v := range top {
		var x any
		json.Unmarshal(v, &x)
		rest[k] = x
	}
	return rest, stmts
}

func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return v
}

func TestS3RequireTLS(t *testing.T) {
	const bucket, arn = "example-data", "arn:aws:s3:::example-data"
	// Written the way people write policies: an Id, odd spacing, single
	// strings and arrays, a JSON false in a condition, key order of their own.
	existing := `{
  "Id": "ExamplePolicy",
  "Version": "2012-10-17",
  "Statement": [
    { "Sid": "AllowCloudFront", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
      "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-data/*",
      "Condition": {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/E1"}}},
    {"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:role/reader"]},"Action":["s3:ListBucket"],
     "Resource":"arn:aws:s3:::example-data","Condition":{"NumericLessThan":{"s3:max-keys":10}}},
    {"Resource":"arn:aws:s3:::example-data/*","Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*",
     "Action":"s3:GetObject","Condition":{"Bool":{"aws:SecureTransport":false}}}
  ]
}`
	single := `{"Version":"2008-10-17","Statement":{"Sid":"Public","Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-data/*"}}`
	enforced := `{"Version":"2012-10-17","Statement":[{"Sid":"HTTPSOnly","Effect":"Deny","Principal":{"AWS":"*"},"Action":"*",` +
		`"Resource":["arn:aws:s3:::example-data","arn:aws:s3:::example-data/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`

	tests := []struct {
		reason   string
		current  string // "" = no policy
		wantTop  map[string]any
		wantSids []string // the Sid of the appended statement, or none
		detail   string
	}{
		{
			reason:   "no policy: one is created",
			wantTop:  map[string]any{"Version": "2012-10-17"},
			wantSids: []string{"DenyInsecureTransport"},
			detail:   "the bucket has no policy; create one that denies requests without TLS (Sid DenyInsecureTransport)",
		},
		{
			reason:   "a policy with a partial deny: every statement kept, the deny appended under a free Sid",
			current:  existing,
			wantTop:  map[string]any{"Version": "2012-10-17", "Id": "ExamplePolicy"},
			wantSids: []string{"DenyInsecureTransport2"},
			detail: "the policy does not deny requests without TLS (Statement[2] (Sid \"DenyInsecureTransport\") denies only s3:GetObject, not every S3 action (s3:* or *)); " +
				"append a Deny statement after the 3 already there (Sid DenyInsecureTransport2)",
		},
		{
			reason:   "a single statement object: kept as the first element",
			current:  single,
			wantTop:  map[string]any{"Version": "2008-10-17"},
			wantSids: []string{"DenyInsecureTransport"},
			detail: "the policy does not deny requests without TLS (no Deny statement with the condition aws:SecureTransport false); " +
				"append a Deny statement after the 1 already there (Sid DenyInsecureTransport)",
		},
		{
			reason:  "a policy that already denies insecure transport: nothing to do",
			current: enforced,
			detail: "the policy already denies requests without TLS: Statement[0] (Sid \"HTTPSOnly\") denies every S3 action to every principal on " +
				"arn:aws:s3:::example-data and arn:aws:s3:::example-data/* when aws:SecureTransport is false",
		},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			sc := scenario{
				rem:    "s3-require-tls",
				target: Target{ResourceID: bucket},
				setup: func(f *fakeAWS) {
					docs := map[string]string{}
					if tt.current != "" {
						docs["policy"] = tt.current
					}
					f.bucket(bucket, docs)
				},
				wantWrites:  []string{},
				wantActions: []Action{{API: "s3:PutBucketPolicy", Resource: arn, Detail: tt.detail}},
			}
			if tt.wantSids != nil {
				sc.wantWrites = []string{"s3:PutBucketPolicy"}
				sc.wantActions[0].Needed, sc.wantActions[0].Applied = true, true
				sc.checkWrites = func(t *testing.T, w []call) {
					gotTop, gotStmts := policyParts(t, string(w[0].Body))
					if diff := cmp.Diff(tt.wantTop, gotTop); diff != "" {
						t.Errorf("policy elements (-want +got):\n%s", diff)
					}
					var want []any
					if tt.current != "" {
						_, want = policyParts(t, tt.current)
					}
					// Every earlier statement, unchanged as JSON, then the deny.
					deny := decodeJSON(t, denyTLS).(map[string]any)
					deny["Sid"] = tt.wantSids[0]
					want = append(want, deny)
					if diff := cmp.Diff(want, gotStmts); diff != "" {
						t.Errorf("statements (-want +got):\n%s", diff)
					}
				}
			}
			runScenario(t, sc)
		})
	}
}

func TestS3RequireTLSUnreadablePolicy(t *testing.T) {
	rem, _ := ByID("s3-require-tls")
	f := newFakeAWS(t)
	f.bucket("example-data", map[string]string{"policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:*","Resource":"*"}]}`})
	_, err := rem.Apply(context.Background(), f.clients(), Target{ResourceID: "example-data"})
	if err == nil || !strings.HasPrefix(err.Error(), "s3:GetBucketPolicy arn:aws:s3:::example-data: the bucket policy cannot be read, so it is left alone: ") {
		t.Errorf("error = %v", err)
	}
	if w := f.writes(); len(w) > 0 {
		t.Errorf("wrote %v", apisOf(w))
	}
}
