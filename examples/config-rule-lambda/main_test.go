package main

import (
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/internal/configtest"
	"github.com/guardrails-go/guardrails/internal/lambdatest"
)

func TestOptions(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-1")
	for _, tc := range []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{name: "defaults", env: map[string]string{}},
		{name: "a catalog rule", env: map[string]string{"GUARDRAILS_RULE": "s3-bucket-versioning-enabled", "GUARDRAILS_CROSS_ACCOUNT": "true", "GUARDRAILS_INSUFFICIENT_DATA": "fail"}},
		{name: "unknown rule", env: map[string]string{"GUARDRAILS_RULE": "s3-bucket-versioning"}, wantErr: `GUARDRAILS_RULE="s3-bucket-versioning" is not a rule of the catalog`},
		{name: "bad bool", env: map[string]string{"GUARDRAILS_CROSS_ACCOUNT": "yes please"}, wantErr: `GUARDRAILS_CROSS_ACCOUNT="yes please" is not true or false`},
		{name: "role name alone", env: map[string]string{"GUARDRAILS_EXECUTION_ROLE_NAME": "Audit"}, wantErr: `GUARDRAILS_EXECUTION_ROLE_NAME="Audit" needs GUARDRAILS_CROSS_ACCOUNT=true`},
		{name: "bad mode", env: map[string]string{"GUARDRAILS_INSUFFICIENT_DATA": "compliant"}, wantErr: `GUARDRAILS_INSUFFICIENT_DATA="compliant" is not skip or fail`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := options(func(k string) string { return tc.env[k] }, slog.New(slog.DiscardHandler))
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestLogLevel(t *testing.T) {
	for in, want := range map[string]slog.Level{"": slog.LevelInfo, "debug": slog.LevelDebug, "TRACE": slog.LevelDebug, "WARN": slog.LevelWarn, "FATAL": slog.LevelError, "ERROR": slog.LevelError, "INFO": slog.LevelInfo} {
		if got := logLevel(in); got != want {
			t.Errorf("logLevel(%q) = %v, want %v", in, got, want)
		}
	}
}

// start runs the function against the runtime API and the Config server.
func start(t testing.TB, bin string, rt *lambdatest.RuntimeAPI, cfg *configtest.Server, env ...string) (*exec.Cmd, *lambdatest.Output) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(bin)
	cmd.Env = append([]string{
		"AWS_LAMBDA_RUNTIME_API=" + rt.Address(),
		"AWS_REGION=eu-west-1",
		"AWS_ACCESS_KEY_ID=" + configtest.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + configtest.SecretAccessKey,
		"AWS_ENDPOINT_URL_CONFIG_SERVICE=" + cfg.URL,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"HOME=" + home,
	}, env...)
	out := &lambdatest.Output{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd, out
}

func bucketEvent(t testing.TB, configRuleName string) []byte {
	t.Helper()
	item, err := os.ReadFile("../../rules/testdata/s3-bucket-versioning-enabled/non_compliant/suspended.json")
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := json.Marshal(map[string]any{
		"configurationItem": json.RawMessage(item), "notificationCreationTime": "2026-11-19T07:29:20.100Z",
		"messageType": "ConfigurationItemChangeNotification", "recordVersion": "1.3",
	})
	b, _ := json.Marshal(events.ConfigEvent{
		Version: "1.0", InvokingEvent: string(inv), RuleParameters: `{"isMfaDeleteEnabled":"false"}`, ResultToken: "token-1",
		ConfigRuleArn:  "arn:aws:config:eu-west-1:111122223333:config-rule/config-rule-abc123",
		ConfigRuleName: configRuleName, ConfigRuleID: "config-rule-abc123", AccountID: "111122223333",
		ExecutionRoleArn: "arn:aws:iam::111122223333:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
	})
	return b
}

// TestBootstrap runs the built function as Lambda would: through the
// Runtime API, with the Config endpoint from AWS_ENDPOINT_URL_CONFIG_SERVICE.
func TestBootstrap(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the function")
	}
	bin := lambdatest.Build(t)

	t.Run("rule from configRuleName", func(t *testing.T) {
		rt, cfg := lambdatest.NewRuntimeAPI(t, functionARN), configtest.New(t)
		started := time.Now()
		_, out := start(t, bin, rt, cfg)
		select {
		case first := <-rt.FirstNext:
			t.Logf("start-up to the first request for work: %v", first.Sub(started))
		case <-time.After(10 * time.Second):
			t.Fatalf("the function never asked for work:\n%s", out)
		}
		a := rt.Invoke(t, bucketEvent(t, "s3-bucket-versioning-enabled"))
		if a.Error {
			t.Fatalf("function error %s\n%s", a.Body, out)
		}
		var sum struct {
			Rule         string
			Put          int
			NonCompliant int
		}
		if err := json.Unmarshal(a.Body, &sum); err != nil || sum.Rule != "s3-bucket-versioning-enabled" || sum.Put != 1 || sum.NonCompliant != 1 {
			t.Errorf("answer %s: %v", a.Body, err)
		}
		want := []string{"AWS::S3::Bucket/old-archive=NON_COMPLIANT"}
		if diff := cmp.Diff(want, configtest.SortedKeys(cfg.PutEvaluations())); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}

		// An event of a Config rule that is not a catalog id fails clearly.
		a = rt.Invoke(t, bucketEvent(t, "my-versioning-rule"))
		if !a.Error || !strings.Contains(string(a.Body), `the Config rule \"my-versioning-rule\" is not a catalog rule id`) {
			t.Errorf("answer %s, want a function error naming the rule", a.Body)
		}
		if !out.WaitFor(`"msg":"evaluation"`) {
			t.Errorf("no evaluation log record in:\n%s", out)
		}
	})

	t.Run("GUARDRAILS_RULE", func(t *testing.T) {
		rt, cfg := lambdatest.NewRuntimeAPI(t, functionARN), configtest.New(t)
		_, out := start(t, bin, rt, cfg, "GUARDRAILS_RULE=s3-bucket-versioning-enabled")
		a := rt.Invoke(t, bucketEvent(t, "OrgConfigRule-versioning-ab12cd"))
		if a.Error {
			t.Fatalf("function error %s\n%s", a.Body, out)
		}
		if n := len(cfg.PutEvaluations()); n != 1 {
			t.Errorf("%d evaluations put, want 1", n)
		}
	})

	t.Run("unknown GUARDRAILS_RULE", func(t *testing.T) {
		rt, cfg := lambdatest.NewRuntimeAPI(t, functionARN), configtest.New(t)
		cmd, out := start(t, bin, rt, cfg, "GUARDRAILS_RULE=no-such-rule")
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err == nil || !out.WaitFor(`GUARDRAILS_RULE=\"no-such-rule\" is not a rule of the catalog`) {
				t.Errorf("exit %v, output:\n%s", err, out)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the function did not exit")
		}
	})
}

// BenchmarkStartup measures the built function's start-up: from the start
// of the process to its first request for work.
func BenchmarkStartup(b *testing.B) {
	bin := lambdatest.Build(b)
	cfg := configtest.New(b)
	var total time.Duration
	for b.Loop() {
		rt := lambdatest.NewRuntimeAPI(b, functionARN)
		started := time.Now()
		cmd, out := start(b, bin, rt, cfg)
		select {
		case first := <-rt.FirstNext:
			total += first.Sub(started)
		case <-time.After(10 * time.Second):
			b.Fatalf("the function never asked for work:\n%s", out)
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	b.ReportMetric(float64(total.Microseconds())/1e3/float64(b.N), "ms/start")
}

// functionARN is the function the Runtime API names in invocations.
const functionARN = "arn:aws:lambda:eu-west-1:111122223333:function:guardrails"
