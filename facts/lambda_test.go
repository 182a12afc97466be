package facts_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
	"github.com/guardrails-go/guardrails/rules"
)

// lambdaServer answers GetFunctionConfiguration as the Lambda REST-JSON
// API does and records the requests.
type lambdaServer struct {
	mu       sync.Mutex
	requests []string // "METHOD PATH region"
	answer   func(function string) (status int, errType string, body string)
}

func (s *lambdaServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The signing scope names the region: .../20261120/eu-west-1/lambda/aws4_request
	region := ""
	if auth := r.Header.Get("Authorization"); auth != "" {
		if _, scope, ok := strings.Cut(auth, "Credential="); ok {
			if parts := strings.Split(scope, "/"); len(parts) > 3 {
				region = parts[2] + "/" + parts[3]
			}
		}
	}
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path+" "+region)
	s.mu.Unlock()
	function, ok := strings.CutPrefix(r.URL.Path, "/2015-03-31/functions/")
	function, ok2 := strings.CutSuffix(function, "/configuration")
	if !ok || !ok2 {
		http.Error(w, "unexpected path", http.StatusBadRequest)
		return
	}
	status, errType, body := s.answer(function)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Requestid", "2cb1a1d4-5e6f-4a1b-9c3d-7e8f9a0b1c2d")
	if errType != "" {
		w.Header().Set("X-Amzn-Errortype", errType)
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func newLambdaClient(t *testing.T, h http.Handler) *lambda.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return lambda.New(lambda.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""),
		HTTPClient:       srv.Client(),
		RetryMaxAttempts: 1,
	})
}

const ordersConfiguration = `{
    "FunctionName": "orders",
    "FunctionArn": "arn:aws:lambda:eu-west-1:111122223333:function:orders",
    "Runtime": "python3.12",
    "Role": "arn:aws:iam::111122223333:role/orders",
    "Handler": "app.handler",
    "CodeSize": 4096,
    "Description": "",
    "Timeout": 30,
    "MemorySize": 256,
    "LastModified": "2026-11-02T09:14:55.000+0000",
    "CodeSha256": "2Yx1mK0Q0cZ7bq1w5i3vH1f9m8Fj4qXo6e2lWc4p3pE=",
    "Version": "$LATEST",
    "VpcConfig": {"SubnetIds": [], "SecurityGroupIds": [], "VpcId": ""},
    "Environment": {"Variables": {"STAGE": "prod", "DB_PASSWORD": "c0rrect-H0rse-Battery-St4ple!"}},
    "TracingConfig": {"Mode": "PassThrough"},
    "RevisionId": "7c2f0b1e-3d4a-4b5c-8d9e-0f1a2b3c4d5e",
    "State": "Active",
    "LastUpdateStatus": "Successful",
    "PackageType": "Zip",
    "Architectures": ["arm64"]
}`

func TestLambdaFunctionConfiguration(t *testing.T) {
	srv := &lambdaServer{answer: func(function string) (int, string, string) {
		switch function {
		case "orders":
			return 200, "", ordersConfiguration
		case "gone":
			return 404, "ResourceNotFoundException", `{"Type":"User","Message":"Function not found: arn:aws:lambda:eu-west-1:111122223333:function:gone"}`
		case "locked":
			return 403, "AccessDeniedException", `{"Message":"User: arn:aws:sts::111122223333:assumed-role/config/x is not authorized to perform: lambda:GetFunctionConfiguration"}`
		}
		return 400, "InvalidParameterValueException", `{"Type":"User","message":"bad"}`
	}}
	fetch := facts.LambdaFunctionConfiguration(newLambdaClient(t, srv))
	ctx := context.Background()

	got, err := fetch(ctx, "111122223333", "eu-west-1", "lambda-get-function-configuration-orders.json")
	if err != nil {
		t.Fatal(err)
	}
	var rendered, want map[string]any
	if err := json.Unmarshal(got, &rendered); err != nil {
		t.Fatalf("rendered fact is not JSON: %v", err)
	}
	_ = json.Unmarshal([]byte(ordersConfiguration), &want)
	// The fact keeps the fields the CLI prints that rules may read; the
	// rest (TracingConfig, LastUpdateStatus) are left out.
	delete(want, "TracingConfig")
	delete(want, "LastUpdateStatus")
	if diff := cmp.Diff(want, rendered); diff != "" {
		t.Errorf("rendered fact (-want +got):\n%s", diff)
	}

	tests := []struct {
		reason, region, name string
		wantIs               error
		wantText             string
	}{
		{"a function Lambda does not know", "eu-west-1", "lambda-get-function-configuration-gone.json", evaluate.ErrNotFound, "no function gone"},
		{"credentials that may not call the API", "", "lambda-get-function-configuration-locked.json", evaluate.ErrUnknown, "not allowed to call lambda:GetFunctionConfiguration"},
		{"another API error", "eu-west-1", "lambda-get-function-configuration-odd.json", nil, "InvalidParameterValueException"},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			_, err := fetch(ctx, "111122223333", tt.region, tt.name)
			if err == nil || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("got %v, want an error containing %q", err, tt.wantText)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v does not wrap %v", err, tt.wantIs)
			}
			if tt.wantIs == nil && (errors.Is(err, evaluate.ErrNotFound) || errors.Is(err, evaluate.ErrUnknown)) {
				t.Errorf("error %v wraps a lookup sentinel", err)
			}
		})
	}

	wantRequests := []string{
		"GET /2015-03-31/functions/orders/configuration eu-west-1/lambda",
		"GET /2015-03-31/functions/gone/configuration eu-west-1/lambda",
		"GET /2015-03-31/functions/locked/configuration us-east-1/lambda", // no region: the client's
		"GET /2015-03-31/functions/odd/configuration eu-west-1/lambda",
	}
	if diff := cmp.Diff(wantRequests, srv.requests); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestLambdaFunctionConfigurationRefusesOtherNames(t *testing.T) {
	srv := &lambdaServer{answer: func(string) (int, string, string) { return 200, "", ordersConfiguration }}
	fetch := facts.LambdaFunctionConfiguration(newLambdaClient(t, srv))
	for _, name := range []string{
		"iam-get-account-password-policy.json",
		"lambda-get-function-configuration-.json",
		"lambda-get-function-configuration-orders",
		"lambda-get-function-configuration-../../etc/passwd.json",
		"lambda-get-function-configuration-arn:aws:lambda:eu-west-1:111122223333:function:orders.json",
	} {
		if _, err := fetch(context.Background(), "111122223333", "eu-west-1", name); err == nil || !strings.Contains(err.Error(), "want lambda-get-function-configuration-NAME.json") {
			t.Errorf("%s: got %v, want a refusal", name, err)
		}
	}
	if len(srv.requests) != 0 {
		t.Errorf("refused names reached the API: %v", srv.requests)
	}
}

// TestLambdaFactFeedsTheRule runs rule lambda-environment-no-plaintext-secrets
// with facts fetched from the Lambda API: the fact's name is the one the
// rule asks for, and the rule reads what the fetcher renders.
func TestLambdaFactFeedsTheRule(t *testing.T) {
	if got, want := rules.LambdaConfigurationFact("orders"), facts.LambdaFunctionConfigurationPrefix+"orders.json"; got != want {
		t.Fatalf("the rule asks for %q, the fetcher serves %q", got, want)
	}
	srv := &lambdaServer{answer: func(string) (int, string, string) { return 200, "", ordersConfiguration }}
	fetch := facts.LambdaFunctionConfiguration(newLambdaClient(t, srv))
	rule, _ := rules.ByID("lambda-environment-no-plaintext-secrets")
	engine, err := evaluate.NewEngine([]evaluate.Rule{rule}, evaluate.WithLookup(lambdaFacts(fetch)),
		evaluate.WithClock(func() time.Time { return time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC) }))
	if err != nil {
		t.Fatal(err)
	}
	ci, err := evaluate.DecodeItem([]byte(`{"configurationItemStatus": "OK", "resourceType": "AWS::Lambda::Function",
		"resourceId": "orders", "resourceName": "orders", "awsAccountId": "111122223333", "awsRegion": "eu-west-1",
		"configuration": {"functionName": "orders", "functionArn": "arn:aws:lambda:eu-west-1:111122223333:function:orders"}}`))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := engine.Evaluate(context.Background(), ci)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Compliance != evaluate.NonCompliant || !strings.Contains(evs[0].Annotation, "DB_PASSWORD (high-entropy secret)") {
		t.Fatalf("got %+v, want DB_PASSWORD reported", evs)
	}
	if strings.Contains(evs[0].Annotation, "St4ple") {
		t.Errorf("annotation %q quotes the secret", evs[0].Annotation)
	}
}

// lambdaFacts is a Lookup whose facts come from a fetcher.
type lambdaFacts func(ctx context.Context, accountID, region, name string) ([]byte, error)

func (f lambdaFacts) Resource(context.Context, string, string) (*evaluate.ConfigurationItem, error) {
	return nil, evaluate.ErrUnknown
}

func (f lambdaFacts) Resources(context.Context, evaluate.Query) ([]*evaluate.ConfigurationItem, error) {
	return nil, evaluate.ErrUnknown
}

func (f lambdaFacts) Fact(ctx context.Context, accountID, region, name string) ([]byte, error) {
	return f(ctx, accountID, region, name)
}

func ExampleLambdaFunctionConfiguration() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"FunctionName": "orders", "CodeSize": 4096, "Description": "",
			"Environment": {"Variables": {"STAGE": "prod"}}}`))
	}))
	defer srv.Close()
	client := lambda.New(lambda.Options{
		Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL), HTTPClient: srv.Client(),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
	fetch := facts.LambdaFunctionConfiguration(client)
	data, err := fetch(context.Background(), "111122223333", "eu-west-1", "lambda-get-function-configuration-orders.json")
	if err != nil {
		panic(err)
	}
	fmt.Println(string(data))
	// Output:
	// {
	//     "FunctionName": "orders",
	//     "CodeSize": 4096,
	//     "Description": "",
	//     "Environment": {
	//         "Variables": {
	//             "STAGE": "prod"
	//         }
	//     }
	// }
}

// TestAWSProviderServesLambdaFacts: the provider routes the per-function
// facts to the Lambda client, in the region asked, once per function.
func TestAWSProviderServesLambdaFacts(t *testing.T) {
	srv := &lambdaServer{answer: func(function string) (int, string, string) {
		if function == "orders" {
			return 200, "", ordersConfiguration
		}
		return 404, "ResourceNotFoundException", `{"Type":"User","Message":"Function not found"}`
	}}
	provider := facts.NewAWS(aws.Config{Region: "us-east-1"}, "", facts.WithLambda(newLambdaClient(t, srv)))
	for range 2 {
		got, err := provider.Fact(context.Background(), "111122223333", "eu-west-1", "lambda-get-function-configuration-orders.json")
		if err != nil || !strings.Contains(string(got), `"FunctionName": "orders"`) {
			t.Fatalf("fact %s, error %v", got, err)
		}
	}
	if _, err := provider.Fact(context.Background(), "111122223333", "eu-west-1", "lambda-get-function-configuration-gone.json"); !errors.Is(err, evaluate.ErrNotFound) {
		t.Errorf("a function Lambda does not know: error %v, want ErrNotFound", err)
	}
	want := []string{"GET /2015-03-31/functions/orders/configuration eu-west-1/lambda", "GET /2015-03-31/functions/gone/configuration eu-west-1/lambda"}
	if diff := cmp.Diff(want, srv.requests); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}
