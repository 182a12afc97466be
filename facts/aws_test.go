package facts

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/evaluate"
)

const testAccount = "111122223333"

// request is what the fake AWS saw of one request.
type request struct {
	Service string // iam, ec2, cloudtrail, s3control
	Op      string // the Action, the X-Amz-Target operation, or METHOD path
	Region  string // from the signature's credential scope
	Host    string
	Params  map[string]string // form values (Action and Version excluded) or JSON body fields
	Account string            // x-amz-account-id
	Attempt int               // the SDK's attempt number, from amz-sdk-request
}

// response is a scripted answer.
type response struct {
	status int
	body   string
}

// fakeAWS speaks the IAM and EC2 query protocols, CloudTrail's JSON 1.1
// protocol and S3 Control's REST-XML protocol, answering each operation
// from a script of responses (the last one repeats).
type fakeAWS struct {
	mu       sync.Mutex
	script   map[string][]response
	last     map[string]response
	requests []request
}

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := request{Host: r.Host, Params: map[string]string{}, Account: r.Header.Get("X-Amz-Account-Id")}
	if auth := r.Header.Get("Authorization"); auth != "" {
		// Credential=AKID/20261120/eu-west-1/iam/aws4_request
		if i := strings.Index(auth, "Credential="); i >= 0 {
			parts := strings.Split(strings.SplitN(auth[i+len("Credential="):], ",", 2)[0], "/")
			if len(parts) >= 4 {
				req.Region, req.Service = parts[2], parts[3]
			}
		}
	}
	switch {
	case r.Header.Get("X-Amz-Target") != "":
		req.Op = strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "CloudTrail_20131101.")
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		for k, v := range m {
			req.Params[k] = fmt.Sprint(v)
		}
	case r.Method == http.MethodPost:
		form, _ := url.ParseQuery(string(body))
		req.Op = form.Get("Action")
		for k := range form {
			if k != "Action" && k != "Version" {
				req.Params[k] = form.Get(k)
			}
		}
		req.Params["Version"] = form.Get("Version")
	default:
		req.Op = r.Method + " " + r.URL.Path
	}
	// The SDK retries some transport errors (a connection its own request
	// writer closed, aws/aws-sdk-go-v2#2737); a retry gets the answer the
	// attempt before it got, so the script follows logical calls.
	req.Attempt = 1
	fmt.Sscanf(r.Header.Get("Amz-Sdk-Request"), "attempt=%d", &req.Attempt)
	f.mu.Lock()
	f.requests = append(f.requests, req)
	var resp response
	if prev, ok := f.last[req.Op]; ok && req.Attempt > 1 {
		resp = prev
	} else {
		script := f.script[req.Op]
		switch len(script) {
		case 0:
			resp = response{500, "no scripted answer for " + req.Op}
		case 1:
			resp = script[0]
		default:
			resp, f.script[req.Op] = script[0], script[1:]
		}
	}
	if f.last == nil {
		f.last = map[string]response{}
	}
	f.last[req.Op] = resp
	f.mu.Unlock()
	if strings.HasPrefix(resp.body, "{") {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	} else {
		w.Header().Set("Content-Type", "text/xml")
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(resp.body)))
	w.WriteHeader(resp.status)
	_, _ = io.WriteString(w, resp.body)
}

// seen returns the logical calls: first attempts only.
func (f *fakeAWS) seen() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []request
	for _, r := range f.requests {
		if r.Attempt <= 1 {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeAWS) ops() []string {
	var out []string
	for _, r := range f.seen() {
		out = append(out, r.Op)
	}
	return out
}

// newProvider starts a fake AWS and returns a provider whose real SDK
// clients talk to it. S3 Control puts the account id in front of the host,
// so its client dials the fake whatever the host, and the test sees the
// host the SDK built.
func newProvider(t *testing.T, script map[string][]response, opts ...Option) (*AWS, *fakeAWS) {
	t.Helper()
	fake := &fakeAWS{script: script}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "SECRET", "")
	addr := srv.Listener.Addr().String()
	dialFake := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}}
	base := []Option{
		WithIAM(iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds})),
		WithEC2(ec2.New(ec2.Options{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds})),
		WithCloudTrail(cloudtrail.New(cloudtrail.Options{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds})),
		WithS3Control(s3control.New(s3control.Options{Region: "eu-west-1", BaseEndpoint: aws.String("http://s3-control.test"), Credentials: creds, HTTPClient: dialFake})),
		WithCredentialReportWait(time.Millisecond, 5*time.Second),
	}
	return NewAWS(aws.Config{Region: "eu-west-1"}, testAccount, append(base, opts...)...), fake
}

func iamResult(op, inner string) response {
	return response{200, `<?xml version="1.0" encoding="UTF-8"?>
<` + op + `Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <` + op + `Result>` + inner + `</` + op + `Result>
  <ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata>
</` + op + `Response>`}
}

func iamError(status int, code, message string) response {
	return response{status, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error><Type>Sender</Type><Code>` + code + `</Code><Message>` + message + `</Message></Error>
  <RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId>
</ErrorResponse>`}
}

func generated(state string) response {
	return iamResult("GenerateCredentialReport", "<State>"+state+"</State><Description>No report exists. Starting a new report generation task</Description>")
}

func TestAWSCredentialReport(t *testing.T) {
	csvText := readReport(t)
	report := iamResult("GetCredentialReport", "<Content>"+base64.StdEncoding.EncodeToString(csvText)+"</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>2017-02-22T23:07:48Z</GeneratedTime>")
	cases := []struct {
		reason  string
		script  map[string][]response
		wantOps []string
	}{
		{
			reason:  "a report generated on demand: STARTED, INPROGRESS, then COMPLETE",
			script:  map[string][]response{"GenerateCredentialReport": {generated("STARTED"), generated("INPROGRESS"), generated("COMPLETE")}, "GetCredentialReport": {report}},
			wantOps: []string{"GenerateCredentialReport", "GenerateCredentialReport", "GenerateCredentialReport", "GetCredentialReport"},
		},
		{
			reason:  "a recent report: COMPLETE at once",
			script:  map[string][]response{"GenerateCredentialReport": {generated("COMPLETE")}, "GetCredentialReport": {report}},
			wantOps: []string{"GenerateCredentialReport", "GetCredentialReport"},
		},
		{
			reason: "a complete report not yet readable (ReportInProgress) is waited for",
			script: map[string][]response{"GenerateCredentialReport": {generated("COMPLETE")},
				"GetCredentialReport": {iamError(404, "ReportInProgress", "Report is in progress"), report}},
			wantOps: []string{"GenerateCredentialReport", "GetCredentialReport", "GenerateCredentialReport", "GetCredentialReport"},
		},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			p, fake := newProvider(t, c.script)
			// Several rules ask at once; the report is read once.
			var wg sync.WaitGroup
			results := make([][]byte, 8)
			errs := make([]error, 8)
			for i := range results {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i], errs[i] = p.Fact(context.Background(), testAccount, "us-east-1", CredentialReportFile)
				}()
			}
			wg.Wait()
			for i := range results {
				if errs[i] != nil {
					t.Fatalf("call %d: %v", i, errs[i])
				}
				if string(results[i]) != string(csvText) {
					t.Fatalf("call %d: the fact is not the report's CSV text", i)
				}
			}
			// Other regions share the global fact.
			if _, err := p.Fact(context.Background(), testAccount, "ap-south-1", CredentialReportFile); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.wantOps, fake.ops()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			for _, r := range fake.seen() {
				if r.Service != "iam" || r.Params["Version"] != "2010-05-08" {
					t.Errorf("request %s: service %q, version %q; want iam, 2010-05-08", r.Op, r.Service, r.Params["Version"])
				}
			}
		})
	}
}

func TestAWSCredentialReportNeverReady(t *testing.T) {
	p, fake := newProvider(t, map[string][]response{"GenerateCredentialReport": {generated("INPROGRESS")}},
		WithCredentialReportWait(10*time.Millisecond, 35*time.Millisecond))
	_, err := p.Fact(context.Background(), testAccount, "", CredentialReportFile)
	if !errors.Is(err, evaluate.ErrUnknown) || !strings.Contains(err.Error(), "not ready within") {
		t.Fatalf("error %v, want an unknown fact: not ready", err)
	}
	if n := len(fake.seen()); n < 2 || n > 5 {
		t.Errorf("%d GenerateCredentialReport calls, want a few (bounded by the wait)", n)
	}
	// A cancelled context ends the wait at once.
	p2, _ := newProvider(t, map[string][]response{"GenerateCredentialReport": {generated("STARTED")}},
		WithCredentialReportWait(time.Hour, 2*time.Hour))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = p2.Fact(ctx, testAccount, "", CredentialReportFile)
	if !errors.Is(err, evaluate.ErrUnknown) || time.Since(start) > 5*time.Second {
		t.Errorf("cancelled wait: %v after %s, want an unknown fact at once", err, time.Since(start))
	}
}

func TestAWSPasswordPolicyAndSummary(t *testing.T) {
	policy := iamResult("GetAccountPasswordPolicy", `<PasswordPolicy>
  <AllowUsersToChangePassword>true</AllowUsersToChangePassword>
  <RequireLowercaseCharacters>true</RequireLowercaseCharacters>
  <RequireUppercaseCharacters>true</RequireUppercaseCharacters>
  <MinimumPasswordLength>12</MinimumPasswordLength>
  <RequireNumbers>true</RequireNumbers>
  <PasswordReusePrevention>12</PasswordReusePrevention>
  <RequireSymbols>true</RequireSymbols>
  <HardExpiry>false</HardExpiry>
  <MaxPasswordAge>90</MaxPasswordAge>
  <ExpirePasswords>true</ExpirePasswords>
</PasswordPolicy>`)
	summary := iamResult("GetAccountSummary", `<SummaryMap>
  <entry><key>Users</key><value>27</value></entry>
  <entry><key>AccountMFAEnabled</key><value>1</value></entry>
  <entry><key>AccountAccessKeysPresent</key><value>0</value></entry>
  <entry><key>AccountPasswordPresent</key><value>1</value></entry>
</SummaryMap>`)
	p, fake := newProvider(t, map[string][]response{"GetAccountPasswordPolicy": {policy}, "GetAccountSummary": {summary}})
	data, err := p.Fact(context.Background(), testAccount, "global", PasswordPolicyFile)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParsePasswordPolicy(data)
	if err != nil {
		t.Fatalf("the rendered fact does not parse: %v\n%s", err, data)
	}
	want := &PasswordPolicy{MinimumPasswordLength: ptr(12), RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true,
		RequireLowercaseCharacters: true, AllowUsersToChangePassword: true, ExpirePasswords: true, MaxPasswordAge: ptr(90),
		PasswordReusePrevention: ptr(12), HardExpiry: ptr(false)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("password policy (-want +got):\n%s", diff)
	}
	data, err = p.Fact(context.Background(), testAccount, "", AccountSummaryFile)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := ParseAccountSummary(data)
	if err != nil {
		t.Fatalf("the rendered fact does not parse: %v\n%s", err, data)
	}
	if diff := cmp.Diff(AccountSummary{"Users": 27, "AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0, "AccountPasswordPresent": 1}, sum); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"GetAccountPasswordPolicy", "GetAccountSummary"}, fake.ops()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestAWSNoPasswordPolicy(t *testing.T) {
	p, _ := newProvider(t, map[string][]response{"GetAccountPasswordPolicy": {iamError(404, "NoSuchEntity", "The Password Policy with domain name 111122223333 cannot be found.")}})
	data, err := p.Fact(context.Background(), testAccount, "", PasswordPolicyFile)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Error":{"Code":"NoSuchEntity","Message":"The Password Policy with domain name 111122223333 cannot be found."}}`
	if string(data) != want {
		t.Errorf("fact %s, want %s", data, want)
	}
	_, err = ParsePasswordPolicy(data)
	var ne *NotExistError
	if !errors.As(err, &ne) || ne.Code != "NoSuchEntity" {
		t.Errorf("parsing: %v, want a NotExistError NoSuchEntity", err)
	}
}

func TestAWSFailures(t *testing.T) {
	p, fake := newProvider(t, map[string][]response{"GetAccountSummary": {iamError(403, "AccessDenied", "User: arn:aws:sts::111122223333:assumed-role/config-rule is not authorized to perform: iam:GetAccountSummary")}})
	cases := []struct {
		reason           string
		account, name    string
		wantIn           string
		wantNoNewRequest bool
	}{
		{"access denied is unknown, naming the API", testAccount, AccountSummaryFile, "iam:GetAccountSummary", false},
		{"another account is unknown, without a request", "444455556666", AccountSummaryFile, "account 444455556666", true},
		{"an unknown fact name is unknown, without a request", testAccount, "iam-list-users.json", "no fact named iam-list-users.json", true},
		{"a trail name that is not one is unknown, without a request", testAccount, "cloudtrail-get-trail-status-a/b.json", "no fact named", true},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			before := len(fake.seen())
			_, err := p.Fact(context.Background(), c.account, "", c.name)
			if !errors.Is(err, evaluate.ErrUnknown) || !strings.Contains(err.Error(), c.wantIn) {
				t.Fatalf("error %v, want an unknown fact naming %q", err, c.wantIn)
			}
			if c.wantNoNewRequest && len(fake.seen()) != before {
				t.Errorf("%d requests made, want none", len(fake.seen())-before)
			}
		})
	}
}

func TestAWSEBSEncryptionByDefault(t *testing.T) {
	answer := func(v string) response {
		return response{200, `<GetEbsEncryptionByDefaultResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
    <ebsEncryptionByDefault>` + v + `</ebsEncryptionByDefault>
    <sseType>sse-ebs</sseType>
</GetEbsEncryptionByDefaultResponse>`}
	}
	p, fake := newProvider(t, map[string][]response{"GetEbsEncryptionByDefault": {answer("true"), answer("false")}})
	for _, c := range []struct {
		region, wantRegion string
		want               bool
	}{
		{"", "eu-west-1", true},           // the configured region
		{"us-west-2", "us-west-2", false}, // the region asked for
		{"", "eu-west-1", true},           // cached
	} {
		data, err := p.Fact(context.Background(), testAccount, c.region, EBSEncryptionByDefaultFile)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseEBSEncryptionByDefault(data)
		if err != nil {
			t.Fatalf("the rendered fact does not parse: %v\n%s", err, data)
		}
		if got.EbsEncryptionByDefault != c.want || got.SseType != "sse-ebs" {
			t.Errorf("region %q: %+v, want %v", c.region, got, c.want)
		}
	}
	var regions []string
	for _, r := range fake.seen() {
		if r.Op != "GetEbsEncryptionByDefault" || r.Service != "ec2" || r.Params["Version"] != "2016-11-15" {
			t.Errorf("request %+v: want ec2 GetEbsEncryptionByDefault 2016-11-15", r)
		}
		regions = append(regions, r.Region)
	}
	if diff := cmp.Diff([]string{"eu-west-1", "us-west-2"}, regions); diff != "" {
		t.Errorf("signed regions (-want +got):\n%s", diff)
	}
}

func TestAWSPublicAccessBlock(t *testing.T) {
	const op = "GET /v20180820/configuration/publicAccessBlock"
	present := response{200, `<?xml version="1.0" encoding="UTF-8"?>
<PublicAccessBlockConfiguration xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/">
  <BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls>
  <BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>false</RestrictPublicBuckets>
</PublicAccessBlockConfiguration>`}
	missing := response{404, `<?xml version="1.0" encoding="UTF-8"?>
<ErrorResponse><Error><Code>NoSuchPublicAccessBlockConfiguration</Code><Message>The public access block configuration was not found</Message><AccountId>111122223333</AccountId></Error><RequestId>7FDC44EXAMPLE</RequestId><HostId>kEXAMPLE=</HostId></ErrorResponse>`}

	p, fake := newProvider(t, map[string][]response{op: {present}})
	data, err := p.Fact(context.Background(), testAccount, "eu-west-1", PublicAccessBlockFile)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParsePublicAccessBlock(data)
	if err != nil {
		t.Fatalf("the rendered fact does not parse: %v\n%s", err, data)
	}
	if diff := cmp.Diff(&PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	reqs := fake.seen()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	if r := reqs[0]; r.Host != testAccount+".s3-control.test" || r.Account != testAccount || r.Service != "s3" {
		t.Errorf("request host %q, x-amz-account-id %q, signed for %q; want the account id prefixed to the host, in the header, and service s3", r.Host, r.Account, r.Service)
	}

	p, _ = newProvider(t, map[string][]response{op: {missing}})
	data, err = p.Fact(context.Background(), testAccount, "", PublicAccessBlockFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParsePublicAccessBlock(data); !errors.Is(err, evaluate.ErrNotFound) {
		t.Errorf("no account-level block: parsing %s gives %v, want not found", data, err)
	}
}

func TestAWSTrailFacts(t *testing.T) {
	status := response{200, `{"IsLogging":true,"LatestCloudWatchLogsDeliveryTime":1.7636399E9,"LatestDeliveryTime":1.763639931474E9,"StartLoggingTime":1.7356896E9,"TimeLoggingStarted":"2025-01-01T00:00:00Z"}`}
	selectors := response{200, `{"TrailARN":"arn:aws:cloudtrail:us-east-1:111122223333:trail/main","EventSelectors":[{"ReadWriteType":"WriteOnly","IncludeManagementEvents":true,"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3:::logs/"]}],"ExcludeManagementEventSources":["kms.amazonaws.com"]}]}`}
	gone := response{400, `{"__type":"TrailNotFoundException","message":"Unknown trail: arn:aws:cloudtrail:us-east-1:111122223333:trail/old for the user: 111122223333"}`}
	p, fake := newProvider(t, map[string][]response{"GetTrailStatus": {status, gone}, "GetEventSelectors": {selectors}})

	data, err := p.Fact(context.Background(), testAccount, "us-east-1", TrailStatusFile("main"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := ParseTrailStatus("main", data)
	if err != nil {
		t.Fatalf("the rendered fact does not parse: %v\n%s", err, data)
	}
	if !*st.IsLogging || !st.LatestCloudWatchLogsDeliveryTime.Equal(time.Unix(1763639900, 0)) {
		t.Errorf("status %+v", st)
	}
	data, err = p.Fact(context.Background(), testAccount, "us-east-1", EventSelectorsFile("main"))
	if err != nil {
		t.Fatal(err)
	}
	sel, err := ParseEventSelectors("main", data)
	if err != nil {
		t.Fatalf("the rendered fact does not parse: %v\n%s", err, data)
	}
	want := []EventSelector{{ReadWriteType: "WriteOnly", IncludeManagementEvents: ptr(true),
		DataResources: []DataResource{{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3:::logs/"}}}, ExcludeManagementEventSources: []string{"kms.amazonaws.com"}}}
	if diff := cmp.Diff(want, sel.EventSelectors); diff != "" {
		t.Errorf("selectors (-want +got):\n%s", diff)
	}
	data, err = p.Fact(context.Background(), testAccount, "us-east-1", TrailStatusFile("old"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseTrailStatus("old", data); !errors.Is(err, evaluate.ErrNotFound) {
		t.Errorf("a trail that is gone: parsing %s gives %v, want not found", data, err)
	}
	var got []string
	for _, r := range fake.seen() {
		got = append(got, fmt.Sprintf("%s %s %s name=%s trail=%s", r.Service, r.Region, r.Op, r.Params["Name"], r.Params["TrailName"]))
	}
	wantReqs := []string{
		"cloudtrail us-east-1 GetTrailStatus name=main trail=",
		"cloudtrail us-east-1 GetEventSelectors name= trail=main",
		"cloudtrail us-east-1 GetTrailStatus name=old trail=",
	}
	if diff := cmp.Diff(wantReqs, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestCache(t *testing.T) {
	var calls int
	var mu sync.Mutex
	inner := factsFunc(func(_ context.Context, account, region, name string) ([]byte, error) {
		mu.Lock()
		calls++
		mu.Unlock()
		if name == "missing.json" {
			return nil, fmt.Errorf("%w: no file", evaluate.ErrUnknown)
		}
		return []byte(account + "/" + region + "/" + name), nil
	})
	c := Cache(inner)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got, err := c.Fact(context.Background(), "1", "r", "a.json"); err != nil || string(got) != "1/r/a.json" {
				t.Errorf("got %q, %v", got, err)
			}
			if _, err := c.Fact(context.Background(), "1", "r", "missing.json"); !errors.Is(err, evaluate.ErrUnknown) {
				t.Errorf("missing: %v", err)
			}
		}()
	}
	wg.Wait()
	if got, _ := c.Fact(context.Background(), "2", "r", "a.json"); string(got) != "2/r/a.json" {
		t.Errorf("another account: %q", got)
	}
	if calls != 3 {
		t.Errorf("%d calls to the wrapped facts, want 3 (one per distinct fact)", calls)
	}
}

type factsFunc func(ctx context.Context, account, region, name string) ([]byte, error)

func (f factsFunc) Fact(ctx context.Context, account, region, name string) ([]byte, error) {
	return f(ctx, account, region, name)
}

func TestAWSPublicSnapshots(t *testing.T) {
	page := func(items, next string) response {
		token := ""
		if next != "" {
			token = "<nextToken>" + next + "</nextToken>"
		}
		return response{200, `<DescribeSnapshotsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
    <snapshotSet>` + items + `</snapshotSet>` + token + `
</DescribeSnapshotsResponse>`}
	}
	const first = `<item>
        <snapshotId>snap-0a1b2c3d4e5f60718</snapshotId>
        <volumeId>vol-049df61146c4d7901</volumeId>
        <status>completed</status>
        <startTime>2026-10-02T08:15:42.512Z</startTime>
        <progress>100%</progress>
        <ownerId>111122223333</ownerId>
        <volumeSize>8</volumeSize>
        <description>nightly backup</description>
        <encrypted>false</encrypted>
        <tagSet><item><key>Name</key><value>db-backup</value></item></tagSet>
        <storageTier>standard</storageTier>
    </item>`
	const second = `<item>
        <snapshotId>snap-0ffee1234567890ab</snapshotId>
        <volumeId>vol-0123456789abcdef0</volumeId>
        <status>pending</status>
        <startTime>2026-11-20T11:00:00.000Z</startTime>
        <progress>40%</progress>
        <ownerId>111122223333</ownerId>
        <volumeSize>100</volumeSize>
        <encrypted>false</encrypted>
    </item>`
	denied := response{403, `<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestID></Response>`}
	p, fake := newProvider(t, map[string][]response{"DescribeSnapshots": {page(first, "token-2"), page(second, ""), page("", ""), denied}})

	// Two pages in the configured region make one document.
	data, err := p.Fact(context.Background(), testAccount, "", PublicSnapshotsFile)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParsePublicSnapshots(data)
	if err != nil {
		t.Fatalf("the rendered fact does not parse: %v\n%s", err, data)
	}
	want := []Snapshot{
		{Description: ptr("nightly backup"), Encrypted: ptr(false), OwnerId: testAccount, Progress: "100%", SnapshotId: "snap-0a1b2c3d4e5f60718",
			StartTime: CLITime{time.Date(2026, 10, 2, 8, 15, 42, 512000000, time.UTC)}, State: "completed", VolumeId: "vol-049df61146c4d7901",
			VolumeSize: ptr(8), Tags: []Tag{{Key: "Name", Value: "db-backup"}}, StorageTier: "standard"},
		{Encrypted: ptr(false), OwnerId: testAccount, Progress: "40%", SnapshotId: "snap-0ffee1234567890ab",
			StartTime: CLITime{time.Date(2026, 11, 20, 11, 0, 0, 0, time.UTC)}, State: "pending", VolumeId: "vol-0123456789abcdef0", VolumeSize: ptr(100)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("snapshots (-want +got):\n%s", diff)
	}
	// The CLI's field names, and nothing for absent fields.
	if !strings.Contains(string(data), `"StartTime": "2026-10-02T08:15:42.512000+00:00"`) || strings.Contains(string(data), "KmsKeyId") {
		t.Errorf("rendered fact:\n%s", data)
	}

	// Another region: an empty list is what the CLI prints for none.
	data, err = p.Fact(context.Background(), testAccount, "us-west-2", PublicSnapshotsFile)
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\n    \"Snapshots\": []\n}"; string(data) != want {
		t.Errorf("no public snapshots: fact %q, want %q", data, want)
	}
	if got, err := ParsePublicSnapshots(data); err != nil || len(got) != 0 {
		t.Errorf("no public snapshots: parsed %v, %v", got, err)
	}
	// Cached: asking again makes no request.
	if _, err := p.Fact(context.Background(), testAccount, "eu-west-1", PublicSnapshotsFile); err != nil {
		t.Fatal(err)
	}

	// A third region the role may not read: unknown, naming the API.
	_, err = p.Fact(context.Background(), testAccount, "ap-south-1", PublicSnapshotsFile)
	if !errors.Is(err, evaluate.ErrUnknown) || !strings.Contains(err.Error(), "ec2:DescribeSnapshots") {
		t.Errorf("access denied: %v, want an unknown fact naming ec2:DescribeSnapshots", err)
	}

	var reqs []string
	for _, r := range fake.seen() {
		if r.Service != "ec2" || r.Params["Version"] != "2016-11-15" {
			t.Errorf("request %+v: want ec2, version 2016-11-15", r)
		}
		reqs = append(reqs, fmt.Sprintf("%s %s owner=%s restorable=%s token=%s", r.Region, r.Op, r.Params["Owner.1"], r.Params["RestorableBy.1"], r.Params["NextToken"]))
		for k := range r.Params {
			switch k {
			case "Version", "Owner.1", "RestorableBy.1", "NextToken":
			default:
				t.Errorf("request %s: unexpected parameter %s=%s", r.Op, k, r.Params[k])
			}
		}
	}
	wantReqs := []string{
		"eu-west-1 DescribeSnapshots owner=self restorable=all token=",
		"eu-west-1 DescribeSnapshots owner=self restorable=all token=token-2",
		"us-west-2 DescribeSnapshots owner=self restorable=all token=",
		"ap-south-1 DescribeSnapshots owner=self restorable=all token=",
	}
	if diff := cmp.Diff(wantReqs, reqs); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}
