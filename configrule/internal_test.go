package configrule

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/guardrails-go/guardrails/evaluate"
)

func testRule() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID: "t", ResourceTypes: []string{"AWS::S3::Bucket"}, Trigger: []evaluate.Trigger{evaluate.OnChange}, Severity: evaluate.Low,
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(context.Context, *evaluate.Input) (evaluate.Result, error) {
			return evaluate.Compliantf("ok"), nil
		}), nil
	})
}

// TestConfigClientRetries checks the Config client's retry settings: the
// SDK's adaptive mode with bounded attempts, unless the AWS configuration
// chose otherwise.
func TestConfigClientRetries(t *testing.T) {
	for _, tc := range []struct {
		name, reason string
		cfg          aws.Config
		opts         []Option
		wantMode     aws.RetryMode
		wantAttempts int
	}{
		{name: "default", reason: "adaptive, 5 attempts", wantMode: aws.RetryModeAdaptive, wantAttempts: 5},
		{name: "bounded", reason: "WithMaxAttempts", opts: []Option{WithMaxAttempts(8)}, wantMode: aws.RetryModeAdaptive, wantAttempts: 8},
		{name: "configured", reason: "AWS_RETRY_MODE=standard and AWS_MAX_ATTEMPTS=2 win", cfg: aws.Config{RetryMode: aws.RetryModeStandard, RetryMaxAttempts: 2}, wantMode: aws.RetryModeStandard, wantAttempts: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Region = "eu-west-1"
			cfg.Credentials = credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")
			h := NewHandler(testRule(), append([]Option{WithAWSConfig(cfg)}, tc.opts...)...)
			s, err := h.session(context.Background(), events.ConfigEvent{}, "")
			if err != nil {
				t.Fatal(err)
			}
			o := s.config.Options()
			if o.RetryMode != tc.wantMode || o.Retryer.MaxAttempts() != tc.wantAttempts {
				t.Errorf("%s: retry mode %q with %d attempts, want %q with %d", tc.reason, o.RetryMode, o.Retryer.MaxAttempts(), tc.wantMode, tc.wantAttempts)
			}
		})
	}
}

func TestSessionsAreKeptPerRoleAndRegion(t *testing.T) {
	cfg := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")}
	h := NewHandler(testRule(), WithAWSConfig(cfg), WithCrossAccount(true))
	ev := events.ConfigEvent{ConfigRuleArn: "arn:aws:config:us-east-2:111122223333:config-rule/config-rule-1", ExecutionRoleArn: "arn:aws:iam::111122223333:role/a"}
	a, _ := h.session(context.Background(), ev, "")
	b, _ := h.session(context.Background(), ev, "")
	c, _ := h.session(context.Background(), ev, "other")
	if a != b || a == c {
		t.Errorf("sessions: same role reused %v, other role apart %v", a == b, a != c)
	}
	if a.cfg.Region != "us-east-2" || c.role != "arn:aws:iam::111122223333:role/other" {
		t.Errorf("region %s role %s", a.cfg.Region, c.role)
	}
}

// FuzzDecodeInvokingEvent checks that no invokingEvent makes the decoder
// panic, and that what it accepts is usable.
func FuzzDecodeInvokingEvent(f *testing.F) {
	files, _ := filepath.Glob("testdata/*event*.json")
	files = append(files, mustGlob("testdata/powertools-*.json")...)
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		var ev events.ConfigEvent
		if json.Unmarshal(data, &ev) == nil && ev.InvokingEvent != "" {
			f.Add(ev.InvokingEvent)
		}
	}
	for _, s := range []string{
		``, `{}`, `[]`, `null`, `"x"`, `{"messageType":null}`,
		`{"messageType":"ConfigurationItemChangeNotification","configurationItem":null}`,
		`{"messageType":"ConfigurationItemChangeNotification","configurationItem":{"resourceType":"AWS::S3::Bucket","resourceId":"b","configuration":"{\"a\":1}"}}`,
		`{"messageType":"OversizedConfigurationItemChangeNotification","configurationItemSummary":{"resourceType":"A::B::C","resourceId":"x","configurationStateId":0}}`,
		`{"messageType":"ScheduledNotification","notificationCreationTime":"2016-07-13T21:50:00.373Z"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ev, err := decodeInvokingEvent(s)
		if err != nil {
			if ev != nil {
				t.Errorf("an error and an event: %v", err)
			}
			return
		}
		switch ev.messageType {
		case ChangeNotification:
			if ev.item == nil || ev.item.ResourceType == "" || ev.item.ResourceID == "" {
				t.Errorf("accepted a change without a usable item: %q", s)
			}
		case OversizedChangeNotification:
			if ev.summary == nil || ev.summary.ResourceType == "" || ev.summary.ResourceID == "" {
				t.Errorf("accepted an oversized notification without a usable summary: %q", s)
			}
		case ScheduledNotification, SnapshotDeliveryCompleted:
		default:
			t.Errorf("accepted message type %q", ev.messageType)
		}
	})
}

func mustGlob(pattern string) []string {
	m, _ := filepath.Glob(pattern)
	return m
}
