package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/internal/configtest"
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

// runtimeAPI is a Lambda Runtime API: it hands out the queued events and
// collects the answers.
type runtimeAPI struct {
	*httptest.Server
	events    chan []byte
	answers   chan answer
	done      chan struct{}
	firstNext chan time.Time
	once      sync.Once
}

type answer struct {
	error bool
	body  []byte
}

func newRuntimeAPI(t testing.TB) *runtimeAPI {
	r := &runtimeAPI{events: make(chan []byte, 8), answers: make(chan answer, 8), done: make(chan struct{}), firstNext: make(chan time.Time, 1)}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(func() { close(r.done); r.Close() })
	return r
}

func (r *runtimeAPI) serve(w http.ResponseWriter, req *http.Request) {
	const prefix = "/2018-06-01/runtime/"
	path := strings.TrimPrefix(req.URL.Path, prefix)
	switch {
	case req.Method == http.MethodGet && path == "invocation/next":
		r.once.Do(func() { r.firstNext <- time.Now() })
		select {
		case ev := <-r.events:
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", fmt.Sprintf("req-%d", time.Now().UnixNano()))
			w.Header().Set("Lambda-Runtime-Deadline-Ms", fmt.Sprint(time.Now().Add(time.Minute).UnixMilli()))
			w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:eu-west-1:111122223333:function:guardrails")
			w.Header().Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
			_, _ = w.Write(ev)
		case <-r.done:
			http.Error(w, "shutting down", http.StatusGone)
		}
	case req.Method == http.MethodPost && strings.HasPrefix(path, "invocation/"):
		body, _ := io.ReadAll(req.Body)
		r.answers <- answer{error: strings.HasSuffix(path, "/error"), body: body}
		w.WriteHeader(http.StatusAccepted)
	case req.Method == http.MethodPost && path == "init/error":
		body, _ := io.ReadAll(req.Body)
		r.answers <- answer{error: true, body: body}
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, req)
	}
}

func (r *runtimeAPI) invoke(t testing.TB, ev []byte) answer {
	t.Helper()
	r.events <- ev
	select {
	case a := <-r.answers:
		return a
	case <-time.After(30 * time.Second):
		t.Fatal("no answer from the function")
	}
	return answer{}
}

// output collects what the function writes, read while it runs.
type output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// waitFor waits a little for the function to write s: its output is
// copied from a pipe.
func (o *output) waitFor(s string) bool {
	for range 100 {
		if strings.Contains(o.String(), s) {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// buildBootstrap builds the function as for provided.al2023, for this
// machine's platform.
func buildBootstrap(t testing.TB) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH to build the function")
	}
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command(goBin, "build", "-tags", "lambda.norpc", "-ldflags=-s -w", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// start runs the function against the runtime API and the Config server.
func start(t testing.TB, bin string, rt *runtimeAPI, cfg *configtest.Server, env ...string) (*exec.Cmd, *output) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(bin)
	cmd.Env = append([]string{
		"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(rt.URL, "http://"),
		"AWS_REGION=eu-west-1",
		"AWS_ACCESS_KEY_ID=" + configtest.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + configtest.SecretAccessKey,
		"AWS_ENDPOINT_URL_CONFIG_SERVICE=" + cfg.URL,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"HOME=" + home,
	}, env...)
	out := &output{}
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
	bin := buildBootstrap(t)

	t.Run("rule from configRuleName", func(t *testing.T) {
		rt, cfg := newRuntimeAPI(t), configtest.New(t)
		started := time.Now()
		_, out := start(t, bin, rt, cfg)
		select {
		case first := <-rt.firstNext:
			t.Logf("start-up to the first request for work: %v", first.Sub(started))
		case <-time.After(10 * time.Second):
			t.Fatalf("the function never asked for work:\n%s", out)
		}
		a := rt.invoke(t, bucketEvent(t, "s3-bucket-versioning-enabled"))
		if a.error {
			t.Fatalf("function error %s\n%s", a.body, out)
		}
		var sum struct {
			Rule         string
			Put          int
			NonCompliant int
		}
		if err := json.Unmarshal(a.body, &sum); err != nil || sum.Rule != "s3-bucket-versioning-enabled" || sum.Put != 1 || sum.NonCompliant != 1 {
			t.Errorf("answer %s: %v", a.body, err)
		}
		want := []string{"AWS::S3::Bucket/old-archive=NON_COMPLIANT"}
		if diff := cmp.Diff(want, configtest.SortedKeys(cfg.PutEvaluations())); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}

		// An event of a Config rule that is not a catalog id fails clearly.
		a = rt.invoke(t, bucketEvent(t, "my-versioning-rule"))
		if !a.error || !strings.Contains(string(a.body), `the Config rule \"my-versioning-rule\" is not a catalog rule id`) {
			t.Errorf("answer %s, want a function error naming the rule", a.body)
		}
		if !out.waitFor(`"msg":"evaluation"`) {
			t.Errorf("no evaluation log record in:\n%s", out)
		}
	})

	t.Run("GUARDRAILS_RULE", func(t *testing.T) {
		rt, cfg := newRuntimeAPI(t), configtest.New(t)
		_, out := start(t, bin, rt, cfg, "GUARDRAILS_RULE=s3-bucket-versioning-enabled")
		a := rt.invoke(t, bucketEvent(t, "OrgConfigRule-versioning-ab12cd"))
		if a.error {
			t.Fatalf("function error %s\n%s", a.body, out)
		}
		if n := len(cfg.PutEvaluations()); n != 1 {
			t.Errorf("%d evaluations put, want 1", n)
		}
	})

	t.Run("unknown GUARDRAILS_RULE", func(t *testing.T) {
		rt, cfg := newRuntimeAPI(t), configtest.New(t)
		cmd, out := start(t, bin, rt, cfg, "GUARDRAILS_RULE=no-such-rule")
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err == nil || !out.waitFor(`GUARDRAILS_RULE=\"no-such-rule\" is not a rule of the catalog`) {
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
	bin := buildBootstrap(b)
	cfg := configtest.New(b)
	var total time.Duration
	for b.Loop() {
		rt := newRuntimeAPI(b)
		started := time.Now()
		cmd, out := start(b, bin, rt, cfg)
		select {
		case first := <-rt.firstNext:
			total += first.Sub(started)
		case <-time.After(10 * time.Second):
			b.Fatalf("the function never asked for work:\n%s", out)
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	b.ReportMetric(float64(total.Microseconds())/1e3/float64(b.N), "ms/start")
}
