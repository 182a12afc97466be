// Package watchtest provides fakes of the S3 and SNS endpoints the watcher
// uses, for tests: httptest servers that speak S3's REST-XML (path-style
// GetObject) and SNS's query protocol (PublishBatch) to the real SDK
// clients, and record what arrived.
package watchtest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// Region is the region of the clients.
const Region = "eu-west-1"

// Config is an SDK configuration for the fakes: static credentials and
// instant, bounded retries.
func Config() aws.Config {
	return aws.Config{
		Region:      Region,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRETTEST", ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 2
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
				o.RateLimiter = ratelimit.None
			})
		},
	}
}

// S3 is a fake S3 holding objects.
type S3 struct {
	mu      sync.Mutex
	objects map[string][]byte // "bucket/key"
	// Gets lists the "bucket/key" of every GetObject, in order.
	gets []string
}

// NewS3 starts a fake S3 and returns it with a client using path-style
// addressing against it.
func NewS3(t testing.TB) (*S3, *s3.Client) {
	f := &S3{objects: map[string][]byte{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve(t)))
	t.Cleanup(srv.Close)
	client := s3.NewFromConfig(Config(), func(o *s3.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.UsePathStyle = true
	})
	return f, client
}

// Put stores an object.
func (f *S3) Put(bucket, key string, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.objects[bucket+"/"+key] = body
}

// Gets returns the "bucket/key" of every GetObject so far.
func (f *S3) Gets() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.gets...)
}

func (f *S3) serve(t testing.TB) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			t.Errorf("fake S3: unexpected %s %s", r.Method, r.URL)
			http.Error(w, "unexpected", http.StatusMethodNotAllowed)
			return
		}
		if r.Header.Get("Authorization") == "" {
			t.Errorf("fake S3: unsigned request %s", r.URL)
		}
		// Path-style: /bucket/key, the key escaped as the SDK escapes it.
		path := strings.TrimPrefix(r.URL.EscapedPath(), "/")
		bucket, rawKey, _ := strings.Cut(path, "/")
		key, err := url.PathUnescape(rawKey)
		if err != nil {
			t.Errorf("fake S3: key %q: %v", rawKey, err)
		}
		f.mu.Lock()
		f.gets = append(f.gets, bucket+"/"+key)
		body, ok := f.objects[bucket+"/"+key]
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/xml")
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>%s</Key><RequestId>R1</RequestId><HostId>H1</HostId></Error>`, key)
			return
		}
		w.Header().Set("Content-Type", "application/x-gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}
}

// Entry is one PublishBatch entry as it arrived.
type Entry struct {
	ID, Message, Subject                   string
	MessageGroupID, MessageDeduplicationID string
	// Attributes maps each message attribute to "DataType:StringValue".
	Attributes map[string]string
}

// Batch is one PublishBatch request.
type Batch struct {
	TopicARN string
	Entries  []Entry
}

// Outcome is how the fake answers one entry.
type Outcome struct {
	Fail        bool
	Code        string
	SenderFault bool
}

// SNS is a fake SNS topic endpoint.
type SNS struct {
	mu        sync.Mutex
	batches   []Batch
	published []Entry
	// Answer decides each entry's outcome; nil accepts all. attempt counts
	// the PublishBatch requests that carried an entry with this message
	// deduplication key (the message text), from 1.
	answer   func(e Entry, attempt int) Outcome
	attempts map[string]int
	// status, when set, fails every request with this HTTP status.
	status int
}

// NewSNS starts a fake SNS and returns it with a client against it.
func NewSNS(t testing.TB) (*SNS, *sns.Client) {
	f := &SNS{attempts: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve(t)))
	t.Cleanup(srv.Close)
	client := sns.NewFromConfig(Config(), func(o *sns.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	return f, client
}

// Answer sets how entries are answered.
func (f *SNS) Answer(fn func(e Entry, attempt int) Outcome) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answer = fn
}

// FailRequests makes every request fail with an HTTP status (0 to stop).
func (f *SNS) FailRequests(status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status = status
}

// Batches returns the requests so far.
func (f *SNS) Batches() []Batch {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Batch(nil), f.batches...)
}

// Published returns the entries SNS accepted, in order.
func (f *SNS) Published() []Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Entry(nil), f.published...)
}

func (f *SNS) serve(t testing.TB) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, err := url.ParseQuery(string(body))
		if err != nil {
			t.Errorf("fake SNS: body is not a form: %v", err)
		}
		if form.Get("Action") != "PublishBatch" || form.Get("Version") != "2010-03-31" {
			t.Errorf("fake SNS: Action=%q Version=%q, want PublishBatch 2010-03-31", form.Get("Action"), form.Get("Version"))
		}
		b := Batch{TopicARN: form.Get("TopicArn"), Entries: entries(form)}
		f.mu.Lock()
		f.batches = append(f.batches, b)
		status, answer := f.status, f.answer
		var outcomes []Outcome
		for _, e := range b.Entries {
			f.attempts[e.Message]++
			o := Outcome{}
			if answer != nil {
				o = answer(e, f.attempts[e.Message])
			}
			if !o.Fail && status == 0 {
				f.published = append(f.published, e)
			}
			outcomes = append(outcomes, o)
		}
		f.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		if status != 0 {
			w.WriteHeader(status)
			fmt.Fprint(w, `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>AuthorizationError</Code><Message>not authorized to publish</Message></Error><RequestId>R1</RequestId></ErrorResponse>`)
			return
		}
		var ok, failed strings.Builder
		for i, e := range b.Entries {
			o := outcomes[i]
			if o.Fail {
				fmt.Fprintf(&failed, "<member><Id>%s</Id><Code>%s</Code><Message>entry failed</Message><SenderFault>%t</SenderFault></member>", e.ID, o.Code, o.SenderFault)
				continue
			}
			fmt.Fprintf(&ok, "<member><Id>%s</Id><MessageId>m-%d</MessageId></member>", e.ID, i)
		}
		fmt.Fprintf(w, `<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult><Successful>%s</Successful><Failed>%s</Failed></PublishBatchResult><ResponseMetadata><RequestId>R1</RequestId></ResponseMetadata></PublishBatchResponse>`, ok.String(), failed.String())
	}
}

// entries reads PublishBatchRequestEntries.member.N.* from a form.
func entries(form url.Values) []Entry {
	byN := map[int]*Entry{}
	const prefix = "PublishBatchRequestEntries.member."
	for k, vs := range form {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		nStr, field, _ := strings.Cut(rest, ".")
		n, _ := strconv.Atoi(nStr)
		e := byN[n]
		if e == nil {
			e = &Entry{Attributes: map[string]string{}}
			byN[n] = e
		}
		v := vs[0]
		switch {
		case field == "Id":
			e.ID = v
		case field == "Message":
			e.Message = v
		case field == "Subject":
			e.Subject = v
		case field == "MessageGroupId":
			e.MessageGroupID = v
		case field == "MessageDeduplicationId":
			e.MessageDeduplicationID = v
		case strings.HasPrefix(field, "MessageAttributes.entry.") && strings.HasSuffix(field, ".Name"):
			m := strings.TrimSuffix(field, ".Name")
			e.Attributes[v] = form.Get(prefix+nStr+"."+m+".Value.DataType") + ":" + form.Get(prefix+nStr+"."+m+".Value.StringValue")
		}
	}
	ns := make([]int, 0, len(byN))
	for n := range byN {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	out := make([]Entry, 0, len(ns))
	for _, n := range ns {
		out = append(out, *byN[n])
	}
	return out
}
