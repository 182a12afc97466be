package configrule_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/configservice"

	"github.com/guardrails-go/guardrails/configrule"
	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/internal/configtest"
)

// now is the clock of every test handler.
var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// syncBuffer collects log output written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// records decodes the JSON log records.
func (s *syncBuffer) records(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(s.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// noDelay is a backoff that does not wait, so retries cost no test time.
type noDelay struct{}

func (noDelay) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

// fastRetries keeps the SDK's adaptive retryer but without its waits.
func fastRetries(o *configservice.Options) {
	o.Retryer = retry.NewAdaptiveMode(func(ao *retry.AdaptiveModeOptions) {
		ao.StandardOptions = append(ao.StandardOptions, func(so *retry.StandardOptions) {
			so.Backoff = noDelay{}
			so.MaxAttempts = 3
		})
	})
}

// handler builds a handler for rule talking to s, logging into the
// returned buffer.
func handler(t testing.TB, s *configtest.Server, rule evaluate.Rule, opts ...configrule.Option) (*configrule.Handler, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	base := []configrule.Option{
		configrule.WithAWSConfig(s.AWSConfig()),
		configrule.WithLogger(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		configrule.WithClock(func() time.Time { return now }),
		configrule.WithConfigOptions(fastRetries),
		configrule.WithPutRetries(2, time.Millisecond),
	}
	return configrule.NewHandler(rule, append(base, opts...)...), logs
}

// invoke drives the handler through aws-lambda-go, as lambda.Start does.
func invoke(t testing.TB, h *configrule.Handler, payload []byte) (configrule.Summary, error) {
	t.Helper()
	out, err := lambda.NewHandler(h).Invoke(context.Background(), payload)
	if err != nil {
		return configrule.Summary{}, err
	}
	var sum configrule.Summary
	if err := json.Unmarshal(out, &sum); err != nil {
		t.Fatalf("the handler answered %s: %v", out, err)
	}
	return sum, nil
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func readEvent(t testing.TB, name string) events.ConfigEvent {
	t.Helper()
	var ev events.ConfigEvent
	if err := json.Unmarshal(readFile(t, name), &ev); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ev
}

func readItem(t testing.TB, name string) *evaluate.ConfigurationItem {
	t.Helper()
	ci, err := evaluate.DecodeItem(readFile(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ci
}

func payload(t testing.TB, ev events.ConfigEvent) []byte {
	t.Helper()
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// changeEvent wraps an item into a change-notification event, as Config
// sends it.
func changeEvent(t testing.TB, ci *evaluate.ConfigurationItem, ruleParameters string) events.ConfigEvent {
	t.Helper()
	item, err := json.Marshal(ci)
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := json.Marshal(map[string]any{
		"configurationItemDiff":    nil,
		"configurationItem":        json.RawMessage(item),
		"notificationCreationTime": "2026-11-19T07:29:20.100Z",
		"messageType":              "ConfigurationItemChangeNotification",
		"recordVersion":            "1.3",
	})
	return events.ConfigEvent{
		Version:          "1.0",
		InvokingEvent:    string(inv),
		RuleParameters:   ruleParameters,
		ResultToken:      "token-1",
		ExecutionRoleArn: "arn:aws:iam::111122223333:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
		ConfigRuleArn:    "arn:aws:config:eu-west-1:111122223333:config-rule/config-rule-abc123",
		ConfigRuleName:   "s3-bucket-versioning-enabled",
		ConfigRuleID:     "config-rule-abc123",
		AccountID:        "111122223333",
	}
}

// periodicEvent is a ScheduledNotification event.
func periodicEvent(ruleName string) events.ConfigEvent {
	return events.ConfigEvent{
		Version:          "1.0",
		InvokingEvent:    `{"awsAccountId":"111122223333","notificationCreationTime":"2026-11-20T06:00:00.250Z","messageType":"ScheduledNotification","recordVersion":"1.0"}`,
		RuleParameters:   "{}",
		ResultToken:      "token-periodic",
		ExecutionRoleArn: "arn:aws:iam::111122223333:role/config-role",
		ConfigRuleArn:    "arn:aws:config:eu-west-1:111122223333:config-rule/config-rule-p1",
		ConfigRuleName:   ruleName,
		ConfigRuleID:     "config-rule-p1",
		AccountID:        "111122223333",
	}
}

// buckets returns n copies of a bucket item, named bucket-0000...
func buckets(t testing.TB, n int) []*evaluate.ConfigurationItem {
	base := readItem(t, "s3-bucket-versioning-enabled.json")
	out := make([]*evaluate.ConfigurationItem, n)
	for i := range out {
		ci := *base
		ci.ResourceID = fmt.Sprintf("bucket-%04d", i)
		ci.ResourceName = ci.ResourceID
		ci.ARN = "arn:aws:s3:::" + ci.ResourceID
		ci.Configuration = json.RawMessage(fmt.Sprintf(`{"name":%q}`, ci.ResourceID))
		out[i] = &ci
	}
	return out
}

// got is an evaluation as the wire carried it, for comparisons.
type got struct {
	Type, ID, Compliance, Annotation string
	Time                             time.Time
}

func wire(evs []configtest.Evaluation) []got {
	out := make([]got, len(evs))
	for i, e := range evs {
		out[i] = got{Type: e.ComplianceResourceType, ID: e.ComplianceResourceID, Compliance: e.ComplianceType, Annotation: aws.ToString(e.Annotation), Time: e.Time()}
	}
	return out
}

// bucketRule is a periodic S3 rule for tests: buckets whose name ends in
// "-nc" are non-compliant; behaviour maps a bucket name to a panic, an
// error or INSUFFICIENT_DATA.
func bucketRule(behaviour map[string]string) evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "test-bucket-rule",
		ResourceTypes: []string{"AWS::S3::Bucket"},
		Trigger:       []evaluate.Trigger{evaluate.Periodic, evaluate.OnChange},
		Severity:      evaluate.Low,
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			switch behaviour[in.Item.ResourceID] {
			case "panic":
				panic("the rule broke on " + in.Item.ResourceID)
			case "error":
				return evaluate.Result{}, errors.New("cannot read the bucket policy")
			case "insufficient":
				return evaluate.InsufficientDataf("No policy fact for bucket %s.", in.Item.ResourceID), nil
			case "long":
				return evaluate.NonCompliantf("%s", strings.Repeat("é", 200)), nil
			case "silent":
				return evaluate.Result{Compliance: evaluate.Compliant}, nil
			}
			if strings.HasSuffix(in.Item.ResourceID, "-nc") {
				return evaluate.NonCompliantf("Bucket %s is bad.", in.Item.ResourceID), nil
			}
			return evaluate.Compliantf("Bucket %s is fine.", in.Item.ResourceID), nil
		}), nil
	})
}
