package rules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/internal/secretscan"
	"github.com/guardrails-go/guardrails/internal/sharedtest"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// TestLambdaSecretsStayOutOfAnnotations runs every fixture of
// lambda-environment-no-plaintext-secrets and checks that no variable's
// value appears in the annotation or the error.
func TestLambdaSecretsStayOutOfAnnotations(t *testing.T) {
	rule, _ := ByID("lambda-environment-no-plaintext-secrets")
	ran := 0
	for _, f := range fixtures(t) {
		if f.rule != "lambda-environment-no-plaintext-secrets" {
			continue
		}
		raw, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		values := environmentValues(t, raw)
		facts, _ := filepath.Glob(strings.TrimSuffix(f.path, ".json") + ".facts/*")
		for _, p := range facts {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			var out struct {
				Environment struct {
					Variables map[string]any
				}
			}
			if json.Unmarshal(b, &out) == nil {
				for k, v := range out.Environment.Variables {
					values[k] = fmt.Sprint(v)
				}
			}
		}
		ev, err := runFixture(t, rule, f, raw)
		text := ev.Annotation
		if err != nil {
			text = err.Error()
		}
		for name, v := range values {
			// Only secrets must stay out; ordinary values may coincide
			// with names (a function called like its table).
			if secretscan.SecretLikeName(name) || (secretscan.Scanner{}).Check(name, v) != 0 {
				for _, part := range strings.Fields(v) {
					if len(part) >= 6 && strings.Contains(text, part) {
						t.Errorf("%s: %q quotes the value of %s", f.name, text, name)
					}
				}
			}
		}
		ran++
	}
	if ran < 10 {
		t.Fatalf("ran %d fixtures, want the rule's whole set", ran)
	}
}

// environmentValues returns the variables of
// configuration.environment.variables in an item of either shape.
func environmentValues(t *testing.T, raw []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	ci, err := evaluate.DecodeItem(raw)
	if err != nil || ci.Configuration == nil {
		return out
	}
	var conf struct {
		Environment struct {
			Variables map[string]any `json:"variables"`
		} `json:"environment"`
	}
	if err := json.Unmarshal(ci.Configuration, &conf); err != nil {
		t.Fatal(err)
	}
	for k, v := range conf.Environment.Variables {
		out[k] = fmt.Sprint(v)
	}
	return out
}

// factLookup answers facts from a function and knows no resources.
type factLookup func(name string) ([]byte, error)

func (l factLookup) Resource(context.Context, string, string) (*evaluate.ConfigurationItem, error) {
	return nil, evaluate.ErrUnknown
}

func (l factLookup) Resources(context.Context, evaluate.Query) ([]*evaluate.ConfigurationItem, error) {
	return nil, evaluate.ErrUnknown
}

func (l factLookup) Fact(_ context.Context, _, _, name string) ([]byte, error) { return l(name) }

// evaluateItem runs one rule on one item with a lookup.
func evaluateItem(t *testing.T, id string, params map[string]string, lookup evaluate.Lookup, ci *evaluate.ConfigurationItem) (evaluate.Evaluation, error) {
	t.Helper()
	rule, ok := ByID(id)
	if !ok {
		t.Fatalf("no rule %s", id)
	}
	opts := []evaluate.Option{evaluate.WithClock(func() time.Time { return fixtureClock }),
		evaluate.WithParameters(map[string]map[string]string{id: params})}
	if lookup != nil {
		opts = append(opts, evaluate.WithLookup(lookup))
	}
	engine, err := evaluate.NewEngine([]evaluate.Rule{rule}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := engine.Evaluate(context.Background(), ci)
	if err != nil {
		return evaluate.Evaluation{}, err
	}
	if len(evs) != 1 {
		t.Fatalf("%d evaluations, want 1", len(evs))
	}
	return evs[0], nil
}

func item(t *testing.T, resourceType, id string, conf, supp string) *evaluate.ConfigurationItem {
	t.Helper()
	if supp == "" {
		supp = "{}"
	}
	ci, err := evaluate.DecodeItem([]byte(fmt.Sprintf(`{"configurationItemStatus": "OK", "resourceType": %q, "resourceId": %q,
		"awsAccountId": "111122223333", "awsRegion": "eu-west-1", "configuration": %s, "supplementaryConfiguration": %s}`,
		resourceType, id, conf, supp)))
	if err != nil {
		t.Fatal(err)
	}
	return ci
}

func TestLambdaEnvironmentFactOutcomes(t *testing.T) {
	fn := item(t, resource.LambdaFunctionType, "orders", `{"functionName": "orders", "functionArn": "arn:aws:lambda:eu-west-1:111122223333:function:orders"}`, "")
	tests := []struct {
		reason   string
		fact     func(name string) ([]byte, error)
		want     evaluate.Compliance
		wantText string
		wantErr  string
	}{
		{
			reason: "the fact is asked under the function's name",
			fact: func(name string) ([]byte, error) {
				if name != "lambda-get-function-configuration-orders.json" {
					return nil, fmt.Errorf("%w: asked for %s", evaluate.ErrUnknown, name)
				}
				return []byte(`{"FunctionName": "orders", "Environment": {"Variables": {"STAGE": "prod"}}}`), nil
			},
			want: evaluate.Compliant, wantText: "None of the 1 environment variables",
		},
		{
			reason: "the Lambda API no longer knows the function",
			fact: func(string) ([]byte, error) {
				return nil, fmt.Errorf("%w: function orders", evaluate.ErrNotFound)
			},
			want: evaluate.NotApplicable, wantText: "no longer exists",
		},
		{
			reason: "no fact source",
			fact: func(string) ([]byte, error) {
				return nil, fmt.Errorf("%w: not allowed to call lambda:GetFunctionConfiguration", evaluate.ErrUnknown)
			},
			want: evaluate.InsufficientData, wantText: "lambda-get-function-configuration-orders.json",
		},
		{
			reason:  "an API failure is an error",
			fact:    func(string) ([]byte, error) { return nil, errors.New("throttled") },
			wantErr: "fact lambda-get-function-configuration-orders.json: throttled",
		},
		{
			reason:  "a number where the variables belong",
			fact:    func(string) ([]byte, error) { return []byte(`{"Environment": {"Variables": 12345678}}`), nil },
			wantErr: "Environment.Variables: unexpected type",
		},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			ev, err := evaluateItem(t, "lambda-environment-no-plaintext-secrets", nil, factLookup(tt.fact), fn)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v (%v), want an error containing %q", ev, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "12345678") {
					t.Errorf("error %q quotes the value", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ev.Compliance != tt.want || !strings.Contains(ev.Annotation, tt.wantText) {
				t.Errorf("got %s %q, want %s containing %q", ev.Compliance, ev.Annotation, tt.want, tt.wantText)
			}
		})
	}
}

// TestDataRulesBeforeDeployment checks items built from templates whose
// values are not known before deployment: the rules answer
// INSUFFICIENT_DATA instead of guessing, unless what is known decides.
func TestDataRulesBeforeDeployment(t *testing.T) {
	rds := `{"dBInstanceIdentifier": "orders", "engine": "postgres", "storageEncrypted": true, "kmsKeyId": "${unknown:Ref Key}",
		"publiclyAccessible": false, "multiAZ": false, "backupRetentionPeriod": 7, "preferredBackupWindow": "03:00-03:30"}`
	fn := `{"functionName": "orders", "vpcConfig": {"subnetIds": ["${unknown:ImportValue}"]},
		"environment": {"variables": {"STAGE": "prod", "DB_PASSWORD": "${unknown:Ref DbPassword}", "QUEUE_URL": "${unknown:Ref Queue}"}}}`
	tests := []struct {
		reason  string
		rule    string
		params  map[string]string
		ci      *evaluate.ConfigurationItem
		unknown []string
		want    evaluate.Compliance
	}{
		{"storage encryption unknown", "rds-storage-encrypted", nil,
			item(t, resource.RDSDBInstanceType, "Orders", rds, ""), []string{"configuration.storageEncrypted"}, evaluate.InsufficientData},
		{"key unknown, no key asked", "rds-storage-encrypted", nil,
			item(t, resource.RDSDBInstanceType, "Orders", rds, ""), []string{"configuration.kmsKeyId"}, evaluate.Compliant},
		{"key unknown, key asked", "rds-storage-encrypted", map[string]string{"kmsKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"},
			item(t, resource.RDSDBInstanceType, "Orders", rds, ""), []string{"configuration.kmsKeyId"}, evaluate.InsufficientData},
		{"public access unknown", "rds-instance-public-access-check", nil,
			item(t, resource.RDSDBInstanceType, "Orders", rds, ""), []string{"configuration.publiclyAccessible"}, evaluate.InsufficientData},
		{"Multi-AZ unknown", "rds-multi-az-support", nil,
			item(t, resource.RDSDBInstanceType, "Orders", rds, ""), []string{"configuration.multiAZ"}, evaluate.InsufficientData},
		{"retention unknown", "db-instance-backup-enabled", nil,
			item(t, resource.RDSDBInstanceType, "Orders", rds, ""), []string{"configuration.backupRetentionPeriod"}, evaluate.InsufficientData},
		{"window unknown, window asked", "db-instance-backup-enabled", map[string]string{"preferredBackupWindow": "03:00-03:30"},
			item(t, resource.RDSDBInstanceType, "Orders", rds, ""), []string{"configuration.preferredBackupWindow"}, evaluate.InsufficientData},
		{"rotation unknown", "cmk-backing-key-rotation-enabled", nil,
			item(t, resource.KMSKeyType, "Key", `{"keyId": "Key"}`, `{"KeyRotationStatus": "${unknown:Ref Rotate}"}`),
			[]string{"supplementaryConfiguration.KeyRotationStatus"}, evaluate.InsufficientData},
		{"subnets unknown", "lambda-inside-vpc", nil,
			item(t, resource.LambdaFunctionType, "Orders", fn, ""), []string{"configuration.vpcConfig.subnetIds[0]"}, evaluate.InsufficientData},
		{"secret-like variable unknown", "lambda-environment-no-plaintext-secrets", nil,
			item(t, resource.LambdaFunctionType, "Orders", fn, ""),
			[]string{"configuration.environment.variables.DB_PASSWORD", "configuration.environment.variables.QUEUE_URL"}, evaluate.InsufficientData},
		{"only ordinary variables unknown", "lambda-environment-no-plaintext-secrets", nil,
			item(t, resource.LambdaFunctionType, "Orders", fn, ""),
			[]string{"configuration.environment.variables.QUEUE_URL"}, evaluate.Compliant},
		{"whole environment unknown", "lambda-environment-no-plaintext-secrets", nil,
			item(t, resource.LambdaFunctionType, "Orders", `{"functionName": "orders", "environment": {}}`, ""),
			[]string{"configuration.environment"}, evaluate.InsufficientData},
		{"function policy unknown", "lambda-function-public-access-prohibited", nil,
			item(t, resource.LambdaFunctionType, "Orders", fn, `{"Policy": "${unknown:GetAtt}"}`),
			[]string{"supplementaryConfiguration.Policy"}, evaluate.InsufficientData},
		{"one viewer policy unknown", "cloudfront-viewer-policy-https", nil,
			item(t, resource.CloudFrontDistributionType, "Cdn", `{"distributionConfig": {"defaultCacheBehavior": {"viewerProtocolPolicy": "https-only"},
				"cacheBehaviors": {"items": [{"pathPattern": "/api/*", "viewerProtocolPolicy": "${unknown:If}"}]}}}`, ""),
			[]string{"configuration.distributionConfig.cacheBehaviors.items[0].viewerProtocolPolicy"}, evaluate.InsufficientData},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			tt.ci.Unknown = tt.unknown
			ev, err := evaluateItem(t, tt.rule, tt.params, nil, tt.ci)
			if err != nil {
				t.Fatal(err)
			}
			if ev.Compliance != tt.want {
				t.Errorf("got %s (%q), want %s", ev.Compliance, ev.Annotation, tt.want)
			}
		})
	}
}

// TestDataViewsReadRealData decodes every real item of the family's types
// in ../shared/realdata with the views.
func TestDataViewsReadRealData(t *testing.T) {
	dir := sharedtest.Path("realdata")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no real data here (%v); the fixtures under testdata are built from it", err)
	}
	decoders := map[string]func(*evaluate.ConfigurationItem) error{
		resource.KMSKeyType:               func(ci *evaluate.ConfigurationItem) error { _, err := resource.DecodeKMSKey(ci); return err },
		resource.RDSDBInstanceType:        func(ci *evaluate.ConfigurationItem) error { _, err := resource.DecodeRDSDBInstance(ci); return err },
		resource.RDSDBSnapshotType:        func(ci *evaluate.ConfigurationItem) error { _, err := resource.DecodeRDSSnapshot(ci); return err },
		resource.RDSDBClusterSnapshotType: func(ci *evaluate.ConfigurationItem) error { _, err := resource.DecodeRDSSnapshot(ci); return err },
		resource.LambdaFunctionType:       func(ci *evaluate.ConfigurationItem) error { _, err := resource.DecodeLambdaFunction(ci); return err },
		resource.CloudFrontDistributionType: func(ci *evaluate.ConfigurationItem) error {
			_, err := resource.DecodeCloudFrontDistribution(ci)
			return err
		},
	}
	seen := map[string]int{}
	for _, p := range []string{"aws-config-rdk/example_ci", "cloud-custodian/config", "cloud-custodian/placebo", "aws-config-developer-guide"} {
		for ci, err := range evaluate.Files(filepath.Join(dir, p)) {
			if err != nil || ci == nil || ci.Configuration == nil {
				continue // other types' files and shapes are other tests' business
			}
			decode, ok := decoders[ci.ResourceType]
			if !ok {
				continue
			}
			if err := decode(ci); err != nil {
				t.Errorf("%s %s: %v", ci.ResourceType, ci.ResourceID, err)
			}
			seen[ci.ResourceType]++
		}
	}
	// The one real cluster snapshot is a placebo recording whose times are
	// Python datetime objects, which no AWS output holds; its fixture has
	// them converted.
	want := map[string]bool{}
	got := map[string]bool{}
	for typ := range decoders {
		want[typ] = typ != resource.RDSDBClusterSnapshotType
		got[typ] = seen[typ] > 0
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("types with real items read (-want +got):\n%s", diff)
	}
}
