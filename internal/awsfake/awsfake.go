package awsfake

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

const (
	// Region is the region of the clients.
	Region = "us-east-1"
	// MaxAttempts bounds the SDK's attempts per call, retries included.
	MaxAttempts = 2
)

// wire protocols
const (
	restXML  = "rest-xml"  // S3
	s3ctlXML = "s3control" // S3 Control: REST-XML, errors wrapped in ErrorResponse
	ec2Query = "ec2"
	awsQuery = "query" // IAM, RDS
	awsJSON  = "json"  // CloudTrail, KMS
)

// Call is one request as it arrived.
type Call struct {
	API    string // "s3:PutBucketEncryption"
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
	Form   url.Values // the body of a query-protocol request
}

// JSON decodes a JSON 1.1 request body.
func (c Call) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(c.Body, &m); err != nil {
		t.Fatalf("%s: request body is not JSON: %v\n%s", c.API, err, c.Body)
	}
	return m
}

// Params is the form of a query-protocol request without the fields every
// request carries (Action, Version).
func (c Call) Params() url.Values {
	out := url.Values{}
	for k, v := range c.Form {
		if k != "Action" && k != "Version" {
			out[k] = v
		}
	}
	return out
}

// Reply is a response the fake sends.
type Reply struct {
	Status int // 200 when zero
	Body   string
	Header map[string]string
}

// OK is a 200 reply with a body.
func OK(body string) Reply { return Reply{Status: 200, Body: body} }

// Handler answers one call.
type Handler func(c Call) Reply

// Fake is the fake AWS.
type Fake struct {
	t        testing.TB
	mu       sync.Mutex
	calls    []Call
	handlers map[string]Handler
}

// New returns a fake with no handlers.
func New(t testing.TB) *Fake {
	return &Fake{t: t, handlers: map[string]Handler{}}
}

// On sets the handler of an API, "s3:GetBucketVersioning".
func (f *Fake) On(api string, h Handler) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handlers[api] = h
}

// Reply sets a fixed reply for an API.
func (f *Fake) Reply(api string, r Reply) { f.On(api, func(Call) Reply { return r }) }

// Fail makes an API answer with an AWS error in its service's protocol.
func (f *Fake) Fail(api string, status int, code, message string) {
	f.On(api, func(Call) Reply { return ErrorReply(api, status, code, message) })
}

// ErrorReply is an AWS error as the API's service sends it.
func ErrorReply(api string, status int, code, message string) Reply {
	svc, _, _ := strings.Cut(api, ":")
	switch protocolOf(svc) {
	case restXML:
		return Reply{Status: status, Body: fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>R1</RequestId><HostId>H1</HostId></Error>`, code, message)}
	case s3ctlXML:
		return Reply{Status: status, Body: fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Code>%s</Code><Message>%s</Message></Error><RequestId>R1</RequestId><HostId>H1</HostId></ErrorResponse>`, code, message)}
	case ec2Query:
		return Reply{Status: status, Body: fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>R1</RequestID></Response>`, code, message)}
	case awsQuery:
		return Reply{Status: status, Body: fmt.Sprintf(`<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>R1</RequestId></ErrorResponse>`, code, message)}
	default:
		return Reply{Status: status, Body: fmt.Sprintf(`{"__type":%q,"message":%q}`, code, message)}
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

// Calls returns the calls so far.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// APIs lists the API of every call so far, in order.
func (f *Fake) APIs() []string {
	var out []string
	for _, c := range f.Calls() {
		out = append(out, c.API)
	}
	return out
}

// Writes returns the calls that change state.
func (f *Fake) Writes() []Call {
	var out []Call
	for _, c := range f.Calls() {
		if IsWrite(c.API) {
			out = append(out, c)
		}
	}
	return out
}

// Reset forgets the recorded calls (the handlers and their state stay).
func (f *Fake) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = nil
}

// IsWrite reports whether an API changes state: it neither gets,
// describes nor lists.
func IsWrite(api string) bool {
	_, op, _ := strings.Cut(api, ":")
	for _, read := range []string{"Get", "Describe", "List"} {
		if strings.HasPrefix(op, read) {
			return false
		}
	}
	return true
}

// S3Subresources are the bucket subresources the fake S3 tells apart.
var S3Subresources = []string{"encryption", "publicAccessBlock", "policy", "versioning", "logging", "acl", "ownershipControls"}

func s3Operation(r *http.Request) string {
	verb := map[string]string{"GET": "Get", "PUT": "Put", "DELETE": "Delete"}[r.Method]
	q := r.URL.Query()
	for _, sub := range S3Subresources {
		if q.Has(sub) {
			if sub == "publicAccessBlock" {
				return verb + "PublicAccessBlock"
			}
			return verb + "Bucket" + strings.ToUpper(sub[:1]) + sub[1:]
		}
	}
	return r.Method + " " + r.URL.Path
}

func (f *Fake) serve(service string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			f.t.Errorf("%s: reading request: %v", service, err)
		}
		c := Call{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body}
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
		var rep Reply
		if h == nil {
			f.t.Errorf("unexpected call %s %s %s", c.API, r.Method, r.URL)
			rep = ErrorReply(c.API, 500, "InternalError", "the fake has no handler for "+c.API)
		} else {
			rep = h(c)
		}
		for k, v := range rep.Header {
			w.Header().Set(k, v)
		}
		if protocolOf(service) == awsJSON {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		} else {
			w.Header().Set("Content-Type", "text/xml")
		}
		if rep.Status == 0 {
			rep.Status = 200
		}
		w.WriteHeader(rep.Status)
		io.WriteString(w, rep.Body)
	})
}

// Clients are the real SDK clients, pointed at the fake.
type Clients struct {
	S3         *s3.Client
	S3Control  *s3control.Client
	EC2        *ec2.Client
	CloudTrail *cloudtrail.Client
	IAM        *iam.Client
	KMS        *kms.Client
	RDS        *rds.Client
}

// Config is an SDK configuration for the fake: static credentials, the
// region, and bounded, instant retries.
func Config() aws.Config {
	return aws.Config{
		Region:      Region,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRETTEST", ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = MaxAttempts
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
				o.RateLimiter = ratelimit.None
			})
		},
	}
}

// Clients starts one server per service (closed when the test ends) and
// builds the real SDK clients against them.
func (f *Fake) Clients() Clients {
	start := func(service string) *httptest.Server {
		srv := httptest.NewServer(f.serve(service))
		f.t.Cleanup(srv.Close)
		return srv
	}
	cfg := Config()
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
	return Clients{
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
	}
}
