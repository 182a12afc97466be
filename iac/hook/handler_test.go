package hook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/iac/hook"
	"github.com/guardrails-go/guardrails/rules"
)

// resourceRules are the catalog's rules a hook runs: all but account-level.
func resourceRules(t testing.TB) []evaluate.Rule {
	t.Helper()
	var out []evaluate.Rule
	for _, r := range rules.All() {
		for _, typ := range r.Metadata().ResourceTypes {
			if typ != evaluate.AccountResourceType {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

func newHandler(t testing.TB, opts ...hook.Option) *hook.Handler {
	t.Helper()
	h, err := hook.NewHandler(resourceRules(t), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// handlerOf runs only the rules named, so that a test's verdicts do not
// move when the catalog grows.
func handlerOf(t testing.TB, ids ...string) *hook.Handler {
	t.Helper()
	sel, err := rules.Select(ids...)
	if err != nil {
		t.Fatal(err)
	}
	h, err := hook.NewHandler(sel)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// invoke runs an event through aws-lambda-go, as lambda.Start does, and
// decodes the answer.
func invoke(t testing.TB, h *hook.Handler, event []byte) hook.Response {
	t.Helper()
	out, err := lambda.NewHandler(h).Invoke(context.Background(), event)
	if err != nil {
		t.Fatalf("function error: %v", err)
	}
	var resp hook.Response
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&resp); err != nil {
		t.Fatalf("answer %s: %v", out, err)
	}
	switch {
	case resp.HookStatus != hook.StatusSuccess && resp.HookStatus != hook.StatusFailed:
		t.Errorf("hookStatus %q", resp.HookStatus)
	case resp.HookStatus == hook.StatusFailed && resp.ErrorCode != hook.ErrorNonCompliant && resp.ErrorCode != hook.ErrorInternalFailure:
		t.Errorf("errorCode %q", resp.ErrorCode)
	case resp.HookStatus == hook.StatusSuccess && resp.ErrorCode != "":
		t.Errorf("errorCode %q on success", resp.ErrorCode)
	case utf8.RuneCountInString(resp.Message) > hook.MaxMessage:
		t.Errorf("message of %d characters", utf8.RuneCountInString(resp.Message))
	}
	return resp
}

func readEvent(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// payloadServer serves hook payload documents, as S3 serves presigned
// URLs, and records the requests.
type payloadServer struct {
	*httptest.Server
	mu       sync.Mutex
	docs     map[string][]byte
	requests []*http.Request
}

func newPayloadServer(t testing.TB) *payloadServer {
	s := &payloadServer{docs: map[string][]byte{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r)
		doc, ok := s.docs[r.URL.Path]
		s.mu.Unlock()
		if r.URL.Query().Get("X-Amz-Signature") == "" {
			http.Error(w, "AccessDenied", http.StatusForbidden)
			return
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(doc)
	}))
	t.Cleanup(s.Close)
	return s
}

// put stores a payload document and returns its presigned-looking URL.
func (s *payloadServer) put(t testing.TB, path string, doc any) string {
	t.Helper()
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.docs[path] = data
	s.mu.Unlock()
	return s.URL + path + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20261120%2Fus-west-2%2Fs3%2Faws4_request&X-Amz-Expires=300&X-Amz-Signature=deadbeef"
}

func withPayload(t testing.TB, event []byte, url string) []byte {
	t.Helper()
	return bytes.Replace(event, []byte("PAYLOAD_URL"), []byte(url), 1)
}

func fileText(t testing.TB, name string) string {
	return string(readEvent(t, name))
}

// TestResourceTargets: real-shaped resource events, values as strings or
// JSON types, through aws-lambda-go.
func TestResourceTargets(t *testing.T) {
	h := newHandler(t)
	tests := []struct {
		event      string
		wantStatus string
		wantCode   string
		wantIn     []string
		token      string
	}{
		{
			event: "resource-create-sg-strings.json", wantStatus: hook.StatusFailed, wantCode: hook.ErrorNonCompliant,
			token: "4f5c0e2a-7a0b-4b0e-9d0a-5e0f3c1a2b3c",
			wantIn: []string{"restricted-ssh (BastionSecurityGroup)", "vpc-sg-open-only-to-authorized-ports (BastionSecurityGroup)",
				"BastionSecurityGroup restricted-ssh: Security group BastionSecurityGroup allows 0.0.0.0/0 on TCP 22"},
		},
		{
			event: "resource-create-bucket-typed.json", wantStatus: hook.StatusSuccess, token: "123456",
			wantIn: []string{"AWS::S3::Bucket myResource passes"},
		},
		{
			event: "resource-create-ingress-part.json", wantStatus: hook.StatusFailed, wantCode: hook.ErrorNonCompliant,
			token:  "c0ffee00-0000-4000-8000-000000000001",
			wantIn: []string{"restricted-common-ports (OpenRDP)", "::/0 on TCP 3389"},
		},
		{
			event: "resource-update-trail.json", wantStatus: hook.StatusFailed, wantCode: hook.ErrorNonCompliant,
			token: "b9d2f7a4-0c1e-4e55-8f3a-2d6c7e8f9a01",
			wantIn: []string{"cloud-trail-log-file-validation-enabled (OrganizationTrail)",
				"OrganizationTrail cloud-trail-log-file-validation-enabled: Trail main has log file validation disabled (already so before this update)."},
		},
		{
			event: "resource-delete.json", wantStatus: hook.StatusSuccess, token: "123456",
			wantIn: []string{"deleting a resource breaks no configuration rule"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.event, func(t *testing.T) {
			resp := invoke(t, h, readEvent(t, tc.event))
			if resp.HookStatus != tc.wantStatus || resp.ErrorCode != tc.wantCode || resp.ClientRequestToken != tc.token {
				t.Errorf("answer %+v, want %s %s with token %s", resp, tc.wantStatus, tc.wantCode, tc.token)
			}
			for _, want := range tc.wantIn {
				if !strings.Contains(resp.Message, want) {
					t.Errorf("message %q lacks %q", resp.Message, want)
				}
			}
		})
	}
}

// TestResourceAloneIsNotFailedForWhatItCannotSee: a bucket read alone has
// no policy the call shows, a VPC no flow logs, a trail no bucket: the
// rules that need them do not fail it.
func TestResourceAloneIsNotFailedForWhatItCannotSee(t *testing.T) {
	h := newHandler(t)
	for _, tc := range []struct{ typ, props string }{
		{"AWS::EC2::VPC", `{"CidrBlock": "10.0.0.0/16"}`},
		{"AWS::CloudTrail::Trail", `{"IsLogging": true, "S3BucketName": "logs", "EnableLogFileValidation": "true", "KMSKeyId": "alias/trail", "CloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:trail:*", "CloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/trail"}`},
		{"AWS::EC2::SecurityGroup", `{"GroupDescription": "no rules of its own"}`},
		{"AWS::Lambda::Function", `{"FunctionName": "f", "Role": "arn:aws:iam::123456789012:role/f", "Runtime": "python3.12", "Handler": "app.handler", "Code": {"ZipFile": "x"}, "VpcConfig": {"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}}`},
		{"AWS::EC2::Volume", `{"AvailabilityZone": "us-east-1a", "Size": "8", "Encrypted": "false"}`},
		{"AWS::IAM::User", `{"UserName": "alice"}`},
	} {
		event := resourceEvent(t, "CREATE_PRE_PROVISION", tc.typ, "Alone", tc.props, "null")
		if resp := invoke(t, h, event); resp.HookStatus != hook.StatusSuccess {
			t.Errorf("%s alone: %+v", tc.typ, resp)
		}
	}
}

func resourceEvent(t testing.TB, point, typ, id, props, previous string) []byte {
	t.Helper()
	return []byte(fmt.Sprintf(`{"clientRequestToken": "tok-%s", "awsAccountId": "123456789012",
	  "stackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/s/e722ae60-fe62-11e8-9a0e-0ae8cc519968",
	  "hookTypeName": "Acme::Guardrails::Hook", "hookTypeVersion": "00000001", "actionInvocationPoint": %q,
	  "requestData": {"targetName": %q, "targetType": "RESOURCE", "targetLogicalId": %q,
	    "targetModel": {"resourceProperties": %s, "previousResourceProperties": %s}},
	  "requestContext": {"invocation": 1, "callbackContext": null}}`, id, point, typ, id, props, previous))
}

// TestStackTarget: the template is fetched from the payload URL with the
// SDK's HTTP client and scanned; failures already in the previous template
// are marked.
func TestStackTarget(t *testing.T) {
	srv := newPayloadServer(t)
	url := srv.put(t, "/hooks/stack-create.json", map[string]any{
		"template": fileText(t, "stack-template.yaml"), "previousTemplate": fileText(t, "stack-previous.yaml"),
	})
	h := handlerOf(t, "s3-bucket-versioning-enabled", "s3-bucket-server-side-encryption-enabled", "cloud-trail-cloud-watch-logs-enabled",
		"cloud-trail-log-file-validation-enabled", "cmk-backing-key-rotation-enabled")
	resp := invoke(t, h, withPayload(t, readEvent(t, "stack-create.json"), url))
	if resp.HookStatus != hook.StatusFailed || resp.ErrorCode != hook.ErrorNonCompliant || resp.ClientRequestToken != "2a1f0c9e-6b5d-4c3a-9e8f-7d6c5b4a3f21" {
		t.Fatalf("answer %+v", resp)
	}
	for _, want := range []string{
		"guardrails: stack storage fails",
		"s3-bucket-versioning-enabled (Scratch)",
		"cloud-trail-cloud-watch-logs-enabled (Trail)",
		"Scratch s3-bucket-versioning-enabled: Versioning has never been enabled on bucket ${unknown:Scratch} (already so before this update).",
	} {
		if !strings.Contains(resp.Message, want) {
			t.Errorf("message %q lacks %q", resp.Message, want)
		}
	}
	for _, not := range []string{"(Reports", "(Key)", "X-Amz-Signature"} {
		if strings.Contains(resp.Message, not) {
			t.Errorf("message %q names %q", resp.Message, not)
		}
	}
	if len(srv.requests) != 1 || srv.requests[0].Method != http.MethodGet || srv.requests[0].URL.Path != "/hooks/stack-create.json" || srv.requests[0].Header.Get("Authorization") != "" {
		t.Errorf("requests %v", srv.requests)
	}
}

// TestChangeSetTarget: the change set's template, in JSON, is scanned;
// the doc's spelling clientRequesttoken is read.
func TestChangeSetTarget(t *testing.T) {
	srv := newPayloadServer(t)
	template := `{"Resources": {"Logs": {"Type": "AWS::S3::Bucket", "Properties": {"VersioningConfiguration": {"Status": "Enabled"}}},
	  "Key": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": "true"}}}}`
	url := srv.put(t, "/hooks/cs.json", map[string]any{"template": template, "changedResources": []map[string]any{{
		"action": "CREATE", "beforeContext": nil, "afterContext": `{"Properties":{"EnableKeyRotation":"true"}}`,
		"lineNumber": 1, "logicalResourceId": "Key", "resourceType": "AWS::KMS::Key"}}})
	resp := invoke(t, handlerOf(t, "s3-bucket-versioning-enabled", "cmk-backing-key-rotation-enabled"), withPayload(t, readEvent(t, "changeset-update.json"), url))
	if resp.HookStatus != hook.StatusSuccess || resp.ClientRequestToken != "7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918" {
		t.Errorf("answer %+v", resp)
	}
	if !strings.Contains(resp.Message, "change set storage passes") {
		t.Errorf("message %q", resp.Message)
	}
}

// TestOwnErrors: our own errors are InternalFailure, never SUCCESS, and
// echo the token when there is one.
func TestOwnErrors(t *testing.T) {
	srv := newPayloadServer(t)
	good := srv.put(t, "/ok.json", map[string]any{"template": "Resources: {B: {Type: AWS::S3::Bucket}}"})
	notJSON := srv.URL + "/missing.json?X-Amz-Signature=x"
	srv.mu.Lock()
	srv.docs["/garbage.json"] = []byte("<Error><Code>AccessDenied</Code></Error>")
	srv.mu.Unlock()
	stack := func(url string) []byte { return withPayload(t, readEvent(t, "stack-create.json"), url) }
	tests := []struct {
		reason, event, token, want string
	}{
		{"not JSON", "{not json", "", "could not read the hook event"},
		{"a JSON array", `[{"clientRequestToken": "x"}]`, "", "not a JSON object"},
		{"a field of the wrong type", `{"clientRequestToken": "t1", "actionInvocationPoint": "CREATE_PRE_PROVISION", "requestData": {"targetName": "AWS::S3::Bucket", "targetModel": "oops"}}`, "t1", "requestData.targetModel: want hook.TargetModel, got a JSON string"},
		{"an unknown invocation point", `{"clientRequestToken": "t2", "actionInvocationPoint": "CREATE_POST_PROVISION", "requestData": {"targetName": "AWS::S3::Bucket", "targetLogicalId": "B"}}`, "t2", `actionInvocationPoint "CREATE_POST_PROVISION"`},
		{"no target", `{"clientRequestToken": "t3", "actionInvocationPoint": "CREATE_PRE_PROVISION", "requestData": {}}`, "t3", `requestData.targetName "": want a resource type`},
		{"no logical id", `{"clientRequestToken": "t4", "actionInvocationPoint": "CREATE_PRE_PROVISION", "requestData": {"targetName": "AWS::S3::Bucket", "targetModel": {"resourceProperties": {}}}}`, "t4", "targetLogicalId is empty"},
		{"properties of the wrong shape", string(resourceEvent(t, "CREATE_PRE_PROVISION", "AWS::KMS::Key", "K", `{"EnableKeyRotation": "maybe"}`, "null")), "tok-K", `resourceProperties: Properties.EnableKeyRotation: want a boolean, got "maybe"`},
		{"properties not an object", string(resourceEvent(t, "CREATE_PRE_PROVISION", "AWS::KMS::Key", "K", `"EnableKeyRotation"`, "null")), "tok-K", "properties are a string, not a JSON object"},
		{"a bad account id", `{"clientRequestToken": "t5", "awsAccountId": "12345", "actionInvocationPoint": "CREATE_PRE_PROVISION", "requestData": {"targetName": "AWS::S3::Bucket", "targetLogicalId": "B"}}`, "t5", `awsAccountId "12345"`},
		{"no payload URL", string(stack("")), "2a1f0c9e-6b5d-4c3a-9e8f-7d6c5b4a3f21", "requestData.payload is empty"},
		{"a payload that is not a URL", string(stack("s3://bucket/key")), "2a1f0c9e-6b5d-4c3a-9e8f-7d6c5b4a3f21", "not an http(s) URL"},
		{"a payload that is gone", string(stack(notJSON)), "2a1f0c9e-6b5d-4c3a-9e8f-7d6c5b4a3f21", "HTTP 404"},
		{"an expired signature", string(stack(srv.URL + "/ok.json")), "2a1f0c9e-6b5d-4c3a-9e8f-7d6c5b4a3f21", "HTTP 403"},
		{"a payload that is not JSON", string(stack(srv.URL + "/garbage.json?X-Amz-Signature=x")), "2a1f0c9e-6b5d-4c3a-9e8f-7d6c5b4a3f21", "is not the JSON document of a hook"},
		{"a payload server that is down", string(stack("http://127.0.0.1:1/x?X-Amz-Signature=x")), "2a1f0c9e-6b5d-4c3a-9e8f-7d6c5b4a3f21", "fetching the payload from http://127.0.0.1:1/x:"},
		{"a template that is not one", string(stack(srv.put(t, "/bad.json", map[string]any{"template": "just: text"}))), "2a1f0c9e-6b5d-4c3a-9e8f-7d6c5b4a3f21", "no Resources section"},
		{"an empty template", string(stack(srv.put(t, "/empty.json", map[string]any{"template": ""}))), "2a1f0c9e-6b5d-4c3a-9e8f-7d6c5b4a3f21", "the payload holds no template"},
	}
	_ = good
	h := newHandler(t)
	for _, tc := range tests {
		t.Run(tc.reason, func(t *testing.T) {
			resp := invoke(t, h, []byte(tc.event))
			if resp.HookStatus != hook.StatusFailed || resp.ErrorCode != hook.ErrorInternalFailure || resp.ClientRequestToken != tc.token {
				t.Errorf("answer %+v, want InternalFailure with token %q", resp, tc.token)
			}
			if !strings.Contains(resp.Message, tc.want) {
				t.Errorf("message %q lacks %q", resp.Message, tc.want)
			}
			if strings.Contains(resp.Message, "X-Amz-Signature") || strings.Contains(resp.Message, "AKIAEXAMPLE") {
				t.Errorf("message %q shows the presigned URL's secrets", resp.Message)
			}
		})
	}
}

// TestBrokenResourceInStack: one resource that cannot be read is named;
// the others are still evaluated and their failures reported.
func TestBrokenResourceInStack(t *testing.T) {
	srv := newPayloadServer(t)
	tpl := `Resources:
  Broken:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration: {Status: [Enabled]}
  Open:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: open
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}]
`
	url := srv.put(t, "/p.json", map[string]any{"template": tpl})
	resp := invoke(t, newHandler(t), withPayload(t, readEvent(t, "stack-create.json"), url))
	if resp.ErrorCode != hook.ErrorNonCompliant || !strings.Contains(resp.Message, "restricted-ssh (Open)") ||
		!strings.Contains(resp.Message, "Not evaluated: Broken (line 5) Resources.Broken.Properties.VersioningConfiguration.Status: want a string, got a list") {
		t.Errorf("answer %+v", resp)
	}
	url = srv.put(t, "/q.json", map[string]any{"template": strings.SplitN(tpl, "  Open:", 2)[0]})
	resp = invoke(t, newHandler(t), withPayload(t, readEvent(t, "stack-create.json"), url))
	if resp.ErrorCode != hook.ErrorInternalFailure || !strings.Contains(resp.Message, "Broken (line 5)") {
		t.Errorf("only a broken resource: %+v", resp)
	}
}

// TestLongMessage: a stack with many failures is answered within
// MaxMessage characters, naming every failed rule and resource first.
func TestLongMessage(t *testing.T) {
	var b strings.Builder
	b.WriteString("Resources:\n")
	for i := 0; i < 60; i++ {
		fmt.Fprintf(&b, "  UnversionedBucketWithAFairlyLongLogicalId%02d:\n    Type: AWS::S3::Bucket\n", i)
	}
	srv := newPayloadServer(t)
	url := srv.put(t, "/long.json", map[string]any{"template": b.String()})
	selected, err := rules.Select("s3-bucket-versioning-enabled")
	if err != nil {
		t.Fatal(err)
	}
	h, err := hook.NewHandler(selected)
	if err != nil {
		t.Fatal(err)
	}
	resp := invoke(t, h, withPayload(t, readEvent(t, "stack-create.json"), url))
	if resp.ErrorCode != hook.ErrorNonCompliant || len(resp.Message) > hook.MaxMessage {
		t.Fatalf("answer %q (%d bytes)", resp.ErrorCode, len(resp.Message))
	}
	for i := 0; i < 60; i++ {
		id := fmt.Sprintf("UnversionedBucketWithAFairlyLongLogicalId%02d", i)
		if !strings.Contains(resp.Message, id) {
			t.Errorf("message does not name %s", id)
		}
	}
	// Too many to name: as many as fit, and the count of the others.
	b.Reset()
	b.WriteString("Resources:\n")
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&b, "  UnversionedBucketWithAFairlyLongLogicalId%03d:\n    Type: AWS::S3::Bucket\n", i)
	}
	url = srv.put(t, "/longer.json", map[string]any{"template": b.String()})
	resp = invoke(t, h, withPayload(t, readEvent(t, "stack-create.json"), url))
	if len(resp.Message) > hook.MaxMessage || !strings.Contains(resp.Message, "… and ") || !strings.Contains(resp.Message, "UnversionedBucketWithAFairlyLongLogicalId000") {
		t.Errorf("message of %d bytes: ...%s", len(resp.Message), resp.Message[max(0, len(resp.Message)-200):])
	}
}

// TestConfiguration: parameters bind to their rules at construction, and
// account-level rules are refused.
func TestConfiguration(t *testing.T) {
	sel, _ := rules.Select("restricted-common-ports")
	h, err := hook.NewHandler(sel, hook.WithParameters(map[string]map[string]string{"restricted-common-ports": {"blockedPort1": "8080"}}))
	if err != nil {
		t.Fatal(err)
	}
	event := resourceEvent(t, "CREATE_PRE_PROVISION", "AWS::EC2::SecurityGroup", "Web",
		`{"GroupDescription": "web", "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "CidrIp": "0.0.0.0/0"}]}`, "null")
	if resp := invoke(t, h, event); resp.ErrorCode != hook.ErrorNonCompliant || !strings.Contains(resp.Message, "restricted-common-ports (Web)") {
		t.Errorf("blockedPort1 8080: %+v", resp)
	}
	for _, tc := range []struct {
		reason string
		ids    []string
		params map[string]map[string]string
		want   string
	}{
		{"an account-level rule", []string{"iam-password-policy"}, nil, "rule iam-password-policy judges the account"},
		{"a bad parameter", []string{"restricted-common-ports"}, map[string]map[string]string{"restricted-common-ports": {"blockedPort1": "http"}}, "blockedPort1"},
		{"parameters of a rule not run", []string{"restricted-ssh"}, map[string]map[string]string{"restricted-common-ports": {}}, "restricted-common-ports, which is not in the rule set"},
	} {
		sel, err := rules.Select(tc.ids...)
		if err != nil {
			t.Fatal(err)
		}
		_, err = hook.NewHandler(sel, hook.WithParameters(tc.params))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.reason, err, tc.want)
		}
	}
}

// TestEventRoundTrip: the event types keep every field of the real
// samples they model.
func TestEventRoundTrip(t *testing.T) {
	var req hook.Request
	if err := json.Unmarshal(readEvent(t, "resource-create-sg-strings.json"), &req); err != nil {
		t.Fatal(err)
	}
	want := hook.RequestData{TargetName: "AWS::EC2::SecurityGroup", TargetType: "RESOURCE", TargetLogicalID: "BastionSecurityGroup"}
	got := req.RequestData
	got.TargetModel = hook.TargetModel{}
	if diff := cmp.Diff(want, got); diff != "" || req.ActionInvocationPoint != hook.CreatePreProvision || req.AWSAccountID != "123456789012" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	var stack hook.Request
	if err := json.Unmarshal(readEvent(t, "stack-create.json"), &stack); err != nil {
		t.Fatal(err)
	}
	if stack.StackID == "" || stack.RequestData.Payload != "PAYLOAD_URL" {
		t.Errorf("the doc's stackID spelling: %+v", stack)
	}
}

// TestCloudControlMessage: Cloud Control API calls (no stack) keep 1024
// characters; the failed rules are named first.
func TestCloudControlMessage(t *testing.T) {
	var ingress []string
	for p := 1; p <= 60; p++ {
		ingress = append(ingress, fmt.Sprintf(`{"IpProtocol": "tcp", "FromPort": %d, "ToPort": %d, "CidrIp": "0.0.0.0/0"}`, p*100+22, p*100+22))
	}
	ingress = append(ingress, `{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}`, `{"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "CidrIp": "0.0.0.0/0"}`)
	event := fmt.Sprintf(`{"clientRequestToken": "cc-1", "awsAccountId": "123456789012", "stackId": "", "actionInvocationPoint": "CREATE_PRE_PROVISION",
	  "requestData": {"targetName": "AWS::EC2::SecurityGroup", "targetType": "RESOURCE", "targetLogicalId": "MyCloudControlGroup",
	    "targetModel": {"resourceProperties": {"GroupDescription": "wide open", "SecurityGroupIngress": [%s]}}}}`, strings.Join(ingress, ","))
	resp := invoke(t, newHandler(t), []byte(event))
	if resp.ErrorCode != hook.ErrorNonCompliant || len(resp.Message) > hook.MaxCloudControlMessage {
		t.Fatalf("answer %s, message of %d bytes", resp.ErrorCode, len(resp.Message))
	}
	for _, rule := range []string{"restricted-ssh", "restricted-common-ports", "vpc-sg-open-only-to-authorized-ports"} {
		if !strings.Contains(resp.Message, rule+" (MyCloudControlGroup)") {
			t.Errorf("message %q does not name %s", resp.Message, rule)
		}
	}
}
