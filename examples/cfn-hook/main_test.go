package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/guardrails-go/guardrails/iac/hook"
	"github.com/guardrails-go/guardrails/internal/lambdatest"
)

// sgEvent is a resource target as CloudFormation sends it, numbers as
// strings.
const sgEvent = `{
  "clientRequestToken": "4f5c0e2a-7a0b-4b0e-9d0a-5e0f3c1a2b3c",
  "awsAccountId": "123456789012",
  "stackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/web/e722ae60-fe62-11e8-9a0e-0ae8cc519968",
  "changeSetId": null,
  "hookTypeName": "Guardrails::Hook::Resources",
  "hookTypeVersion": "00000001",
  "hookModel": {"LambdaFunction": "arn:aws:lambda:us-east-1:123456789012:function:guardrails-hook"},
  "actionInvocationPoint": "CREATE_PRE_PROVISION",
  "requestData": {
    "targetName": "AWS::EC2::SecurityGroup",
    "targetType": "RESOURCE",
    "targetLogicalId": "Web",
    "targetModel": {
      "resourceProperties": {"GroupDescription": "web", "SecurityGroupIngress": [
        {"IpProtocol": "tcp", "FromPort": "8080", "ToPort": "8080", "CidrIp": "0.0.0.0/0"},
        {"IpProtocol": "tcp", "FromPort": "22", "ToPort": "22", "CidrIp": "0.0.0.0/0"}]},
      "previousResourceProperties": null
    }
  },
  "requestContext": {"invocation": 1, "callbackContext": null}
}`

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func decode(t testing.TB, out []byte) hook.Response {
	t.Helper()
	var resp hook.Response
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("answer %s: %v", out, err)
	}
	return resp
}

// TestEnvironment: GUARDRAILS_RULES and GUARDRAILS_PARAMS decide what runs;
// settings that do not fit stop the function at start, named.
func TestEnvironment(t *testing.T) {
	tests := []struct {
		reason  string
		env     map[string]string
		wantErr string
		// want: the rules the answer to sgEvent names
		want []string
	}{
		{reason: "default: every resource rule", env: map[string]string{},
			want: []string{"restricted-ssh (Web)", "vpc-sg-open-only-to-authorized-ports (Web)"}},
		{reason: "one rule", env: map[string]string{"GUARDRAILS_RULES": " restricted-common-ports , "},
			want: nil},
		{reason: "one rule with parameters", env: map[string]string{"GUARDRAILS_RULES": "restricted-common-ports", "GUARDRAILS_PARAMS": `{"restricted-common-ports": {"blockedPort1": "8080"}}`},
			want: []string{"restricted-common-ports (Web)"}},
		{reason: "parameters as JSON types", env: map[string]string{"GUARDRAILS_RULES": "restricted-common-ports", "GUARDRAILS_PARAMS": `{"restricted-common-ports": {"blockedPort1": 8080}}`},
			want: []string{"restricted-common-ports (Web)"}},
		{reason: "an unknown rule", env: map[string]string{"GUARDRAILS_RULES": "restricted-sshh"}, wantErr: "GUARDRAILS_RULES: no rule restricted-sshh in the catalog"},
		{reason: "an account-level rule", env: map[string]string{"GUARDRAILS_RULES": "iam-password-policy"}, wantErr: "rule iam-password-policy judges the account"},
		{reason: "parameters not JSON", env: map[string]string{"GUARDRAILS_PARAMS": `{restricted`}, wantErr: "GUARDRAILS_PARAMS: want {\"rule-id\": {\"param\": \"value\"}}"},
		{reason: "parameters of an unknown rule", env: map[string]string{"GUARDRAILS_PARAMS": `{"nope": {}}`}, wantErr: "GUARDRAILS_PARAMS: no rule nope in the catalog"},
		{reason: "a parameter value that does not fit", env: map[string]string{"GUARDRAILS_PARAMS": `{"restricted-common-ports": {"blockedPort1": "http"}}`}, wantErr: "blockedPort1"},
		{reason: "parameters of a rule not selected", env: map[string]string{"GUARDRAILS_RULES": "restricted-ssh", "GUARDRAILS_PARAMS": `{"restricted-common-ports": {}}`}, wantErr: "restricted-common-ports, which is not in the rule set"},
	}
	for _, tc := range tests {
		t.Run(tc.reason, func(t *testing.T) {
			h, err := newHandler(env(tc.env), slog.New(slog.DiscardHandler))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			out, err := lambda.NewHandler(h).Invoke(context.Background(), []byte(sgEvent))
			if err != nil {
				t.Fatal(err)
			}
			resp := decode(t, out)
			if resp.ClientRequestToken != "4f5c0e2a-7a0b-4b0e-9d0a-5e0f3c1a2b3c" {
				t.Errorf("token %q", resp.ClientRequestToken)
			}
			if len(tc.want) == 0 {
				if resp.HookStatus != hook.StatusSuccess {
					t.Errorf("answer %+v, want SUCCESS", resp)
				}
				return
			}
			if resp.HookStatus != hook.StatusFailed || resp.ErrorCode != hook.ErrorNonCompliant {
				t.Errorf("answer %+v, want NonCompliant", resp)
			}
			for _, w := range tc.want {
				if !strings.Contains(resp.Message, w) {
					t.Errorf("message %q lacks %q", resp.Message, w)
				}
			}
		})
	}
}

func TestLogLevel(t *testing.T) {
	for in, want := range map[string]slog.Level{"": slog.LevelInfo, "debug": slog.LevelDebug, "WARN": slog.LevelWarn, "ERROR": slog.LevelError} {
		if got := logLevel(in); got != want {
			t.Errorf("logLevel(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestBinary builds the function as for provided.al2023 and runs it
// against a Runtime API: a resource target, and a stack target whose
// payload is fetched through the HTTP proxy the environment names (as a
// function in a private subnet reaches S3).
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the function")
	}
	bin := lambdatest.Build(t)

	// The proxy stands for the network path to S3: it answers for a host
	// that does not resolve, so a direct request could not succeed.
	var proxied []string
	var mu sync.Mutex
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		proxied = append(proxied, r.Method+" "+r.URL.String())
		mu.Unlock()
		if r.URL.Host != "payloads.s3.example" || r.URL.Query().Get("X-Amz-Signature") == "" {
			http.Error(w, "AccessDenied", http.StatusForbidden)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"template": "Resources:\n  Open:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: open\n      SecurityGroupIngress: [{IpProtocol: '-1', CidrIp: 0.0.0.0/0}]\n"})
	}))
	defer proxy.Close()

	rt := lambdatest.NewRuntimeAPI(t, "arn:aws:lambda:us-east-1:123456789012:function:guardrails-hook")
	home := t.TempDir()
	cmd := exec.Command(bin)
	cmd.Env = []string{
		"AWS_LAMBDA_RUNTIME_API=" + rt.Address(),
		"AWS_REGION=us-east-1",
		"HOME=" + home,
		"HTTP_PROXY=" + proxy.URL,
		"NO_PROXY=",
		"GUARDRAILS_RULES=restricted-ssh,restricted-common-ports",
		"AWS_LAMBDA_LOG_LEVEL=INFO",
	}
	out := &lambdatest.Output{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	a := rt.Invoke(t, []byte(sgEvent))
	resp := decode(t, a.Body)
	if a.Error || resp.ErrorCode != hook.ErrorNonCompliant || !strings.Contains(resp.Message, "restricted-ssh (Web)") || strings.Contains(resp.Message, "restricted-common-ports") {
		t.Errorf("resource target: error %v, answer %+v", a.Error, resp)
	}

	stack := strings.NewReplacer(`"targetName": "AWS::EC2::SecurityGroup"`, `"targetName": "STACK"`, `"targetType": "RESOURCE"`, `"targetType": "STACK", "payload": "http://payloads.s3.example/hooks/p.json?X-Amz-Signature=abc"`).Replace(sgEvent)
	a = rt.Invoke(t, []byte(stack))
	resp = decode(t, a.Body)
	if a.Error || resp.ErrorCode != hook.ErrorNonCompliant || !strings.Contains(resp.Message, "restricted-common-ports (Open); restricted-ssh (Open)") {
		t.Errorf("stack target: error %v, answer %+v\noutput:\n%s", a.Error, resp, out)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(proxied) != 1 || proxied[0] != "GET http://payloads.s3.example/hooks/p.json?X-Amz-Signature=abc" {
		t.Errorf("requests through the proxy: %v", proxied)
	}
	for _, want := range []string{`"msg":"hook evaluated"`, `"hookStatus":"FAILED"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, out)
		}
	}
	if strings.Contains(out.String(), "X-Amz-Signature") {
		t.Errorf("logs show the presigned URL:\n%s", out)
	}
}

// TestBinaryStartFailure: a setting that does not fit stops the function
// at init, with the reason in its log.
func TestBinaryStartFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the function")
	}
	cmd := exec.Command("go", "run", "-tags", "lambda.norpc", ".")
	cmd.Env = append(os.Environ(), "GUARDRAILS_RULES=no-such-rule", "AWS_LAMBDA_RUNTIME_API=127.0.0.1:1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "GUARDRAILS_RULES: no rule no-such-rule in the catalog") {
		t.Errorf("err %v, output %s", err, out)
	}
}
