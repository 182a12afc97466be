package remediate

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
)

// The fake AWS below speaks each service's wire protocol to the real SDK
// clients: S3 REST-XML with path-style addressing, S3 Control REST-XML,
// EC2 query, IAM and RDS query, CloudTrail and KMS JSON 1.1. Every request
// is recorded so tests can assert what went over the wire.

const (
	testRegion  = "us-east-1"
	testAccount = "123456789012"
	maxAttempts = 2
)

// wire protocols
const (
	restXML  = "rest-xml"  // S3
	s3ctlXML = "s3control" // S3 Control: REST-XML, errors wrapped in ErrorResponse
	ec2Query = "ec2"
	awsQuery = "query" // IAM, RDS
	awsJSON  = "json"  // CloudTrail, KMS
)

// call is one request as it arrived.
type call struct {
	API    string // "s3:PutBucketEncryption"
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
	Form   url.Values // the body of a query-protocol request
}

// jsonBody decodes a JSON 1.1 request body.
func (c call) jsonBody(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(c.Body, &m); err != nil {
		t.Fatalf("%s: request body is not JSON: %v\n%s", c.API, err, c.Body)
	}
	return m
}

// params is the form of a query-protocol request without the fields every
// request carries.
func (c call) params() url.Values {
	out := url.Values{}
	for k, v := range c.Form {
		if k != "Action" && k != "Version" {
			out[k] = v
		}
	}
	return out
}

// reply is a response the fake sends.
type reply struct {
	status int
	body   string
	header map[string]string
}

// ok is a 200 reply with a body.
func ok(body string) reply { return reply{status: 200, body: body} }

type handler func(c call) reply

type fakeAWS struct {
	t        *testing.T
	mu       sync.Mutex
	calls    []call
	handlers map[string]handler
	protocol map[string]string // service -> protocol
}

func newFakeAWS(t *testing.T) *fakeAWS {
	return &fakeAWS{t: t, handlers: map[string]handler{}, protocol: map[string]string{}}
}

// on sets the handler of an API.
func (f *fakeAWS) on(api string, h handler) { f.handlers[api] = h }

// reply sets a fixed reply for an API.
func (f *fakeAWS) reply(api string, r reply) { f.on(api, func(call) reply { return r }) }

// fail makes an API answer with an AWS error in its service's protocol.
func (f *fakeAWS) fail(api string, status int, code, message string) {
	f.on(api, func(call) reply { return f.errorReply(api, status, code, message) })
}

func (f *fakeAWS) errorReply(api string, status int, code, message string) reply {
	svc, _, _ := strings.Cut(api, ":")
	switch protocolOf(svc) {
	case restXML:
		return reply{status: status, body: fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>R1</RequestId><HostId>H1</HostId></Error>`, code, message)}
	case s3ctlXML:
		return reply{status: status, body: fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Code>%s</Code><Message>%s</Message></Error><RequestId>R1</RequestId><HostId>H1</HostId></ErrorResponse>`, code, message)}
	case ec2Query:
		return reply{status: status, body: fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>R1</RequestID></Response>`, code, message)}
	case awsQuery:
		return reply{status: status, body: fmt.Sprintf(`<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>R1</RequestId></ErrorResponse>`, code, message)}
	default:
		return reply{status: status, body: fmt.Sprintf(`{"__type":%q,"message":%q}`, code, message)}
	}
}

func protocolOf(service string) string {
	switch service {
	case "s3":
		return restXML
	case "s3control":
		return s3ctlXML
	case "ec2":
		return ec2Query
	case "iam", "rds":
		return awsQuery
	default:
		return awsJSON
	}
}

// record returns the calls so far.
func (f *fakeAWS) record() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// apis lists the API of every call so far, in order.
func (f *fakeAWS) apis() []string {
	var out []string
	for _, c := range f.record() {
		out = append(out, c.API)
	}
	return out
}

// writes returns the calls that change state.
func (f *fakeAWS) writes() []call {
	var out []call
	for _, c := range f.record() {
		if isWrite(c.API) {
			out = append(out, c)
		}
	}
	return out
}

// reset forgets the recorded calls (the handlers and their state stay).
func (f *fakeAWS) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = nil
}

func isWrite(api string) bool {
	_, op, _ := strings.Cut(api, ":")
	for _, read := range []string{"Get", "Describe", "List"} {
		if strings.HasPrefix(op, read) {
			return false
		}
	}
	return true
}

// s3Subresources maps a bucket subresource to its operation suffix.
var s3Subresources = []string{"encryption", "publicAccessBlock", "policy", "versioning", "logging", "acl", "ownershipControls"}

func s3Operation(r *http.Request) string {
	verb := map[string]string{"GET": "Get", "PUT": "Put", "DELETE": "Delete"}[r.Method]
	q := r.URL.Query()
	for _, sub := range s3Subresources {
		if q.Has(sub) {
			if sub == "publicAccessBlock" {
				return verb + "PublicAccessBlock"
			}
			return verb + "Bucket" + strings.ToUpper(sub[:1]) + sub[1:]
		}
	}
	return r.Method + " " + r.URL.Path
}

func (f *fakeAWS) serve(service string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			f.t.Errorf("%s: reading request: %v", service, err)
		}
		c := call{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body}
		var op string
		switch protocolOf(service) {
		case restXML:
			op = s3Operation(r)
		case s3ctlXML:
			if r.URL.Path == "/v20180820/configuration/publicAccessBlock" {
				op = map[string]string{"GET": "GetPublicAccessBlock", "PUT": "PutPublicAccessBlock"}[r.Method]
			}
		case ec2Query, awsQuery:
			form, err := url.ParseQuery(string(body))
			if err != nil {
				f.t.Errorf("%s: form body: %v", service, err)
			}
			c.Form = form
			op = form.Get("Action")
		case awsJSON:
			target := r.Header.Get("X-Amz-Target")
			op = target[strings.LastIndex(target, ".")+1:]
		}
		c.API = service + ":" + op
		f.mu.Lock()
		f.calls = append(f.calls, c)
		h := f.handlers[c.API]
		f.mu.Unlock()
		var rep reply
		if h == nil {
			f.t.Errorf("unexpected call %s %s %s", c.API, r.Method, r.URL)
			rep = f.errorReply(c.API, 500, "InternalError", "the fake has no handler for "+c.API)
		} else {
			rep = h(c)
		}
		for k, v := range rep.header {
			w.Header().Set(k, v)
		}
		if protocolOf(service) == awsJSON {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		} else {
			w.Header().Set("Content-Type", "text/xml")
		}
		if rep.status == 0 {
			rep.status = 200
		}
		w.WriteHeader(rep.status)
		io.WriteString(w, rep.body)
	})
}

// clients starts one server per service and builds the real SDK clients
// against them, with bounded, instant retries.
func (f *fakeAWS) clients() *Clients {
	start := func(service string) *httptest.Server {
		srv := httptest.NewServer(f.serve(service))
		f.t.Cleanup(srv.Close)
		return srv
	}
	cfg := aws.Config{
		Region:      testRegion,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRETTEST", ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = maxAttempts
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
				o.RateLimiter = ratelimit.None
			})
		},
	}
	endpoint := func(srv *httptest.Server) *string { return aws.String(srv.URL) }

	s3srv := start("s3")
	// S3 Control puts the account id in front of the host name; dial the
	// fake whatever the host.
	ctlsrv := start("s3control")
	ctlCfg := cfg.Copy()
	ctlCfg.HTTPClient = &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, ctlsrv.Listener.Addr().String())
		},
	}}
	return &Clients{
		S3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.BaseEndpoint = endpoint(s3srv)
			o.UsePathStyle = true
		}),
		S3Control:  s3control.NewFromConfig(ctlCfg, func(o *s3control.Options) { o.BaseEndpoint = endpoint(ctlsrv) }),
		EC2:        ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = endpoint(start("ec2")) }),
		CloudTrail: cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) { o.BaseEndpoint = endpoint(start("cloudtrail")) }),
		IAM:        iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = endpoint(start("iam")) }),
		KMS:        kms.NewFromConfig(cfg, func(o *kms.Options) { o.BaseEndpoint = endpoint(start("kms")) }),
		RDS:        rds.NewFromConfig(cfg, func(o *rds.Options) { o.BaseEndpoint = endpoint(start("rds")) }),
		Region:     testRegion,
	}
}
