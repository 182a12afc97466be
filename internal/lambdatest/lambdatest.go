// Package lambdatest runs built Lambda functions in tests: a fake Lambda
// Runtime API that hands out events and collects the answers, an output
// collector, and a build as for the provided.al2023 runtime.
package lambdatest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// RuntimeAPI is a Lambda Runtime API: point AWS_LAMBDA_RUNTIME_API at
// its Listener address.
type RuntimeAPI struct {
	*httptest.Server
	// FirstNext receives the time of the function's first request for
	// work (its start-up is done).
	FirstNext <-chan time.Time

	functionARN string
	events      chan []byte
	answers     chan Answer
	done        chan struct{}
	firstNext   chan time.Time
	once        sync.Once
}

// Answer is what the function answered to one event.
type Answer struct {
	Error bool // an invocation or init error, rather than a response
	Body  []byte
}

// NewRuntimeAPI starts a Runtime API whose invocations name functionARN;
// it stops when the test ends.
func NewRuntimeAPI(t testing.TB, functionARN string) *RuntimeAPI {
	r := &RuntimeAPI{functionARN: functionARN, events: make(chan []byte, 8), answers: make(chan Answer, 8),
		done: make(chan struct{}), firstNext: make(chan time.Time, 1)}
	r.FirstNext = r.firstNext
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(func() { close(r.done); r.Close() })
	return r
}

// Address is the value of AWS_LAMBDA_RUNTIME_API.
func (r *RuntimeAPI) Address() string { return r.Listener.Addr().String() }

func (r *RuntimeAPI) serve(w http.ResponseWriter, req *http.Request) {
	path := strings.TrimPrefix(req.URL.Path, "/2018-06-01/runtime/")
	switch {
	case req.Method == http.MethodGet && path == "invocation/next":
		r.once.Do(func() { r.firstNext <- time.Now() })
		select {
		case ev := <-r.events:
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", fmt.Sprintf("req-%d", time.Now().UnixNano()))
			w.Header().Set("Lambda-Runtime-Deadline-Ms", fmt.Sprint(time.Now().Add(time.Minute).UnixMilli()))
			w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", r.functionARN)
			w.Header().Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
			_, _ = w.Write(ev)
		case <-r.done:
			http.Error(w, "shutting down", http.StatusGone)
		}
	case req.Method == http.MethodPost && strings.HasPrefix(path, "invocation/"):
		body, _ := io.ReadAll(req.Body)
		r.answers <- Answer{Error: strings.HasSuffix(path, "/error"), Body: body}
		w.WriteHeader(http.StatusAccepted)
	case req.Method == http.MethodPost && path == "init/error":
		body, _ := io.ReadAll(req.Body)
		r.answers <- Answer{Error: true, Body: body}
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, req)
	}
}

// Invoke hands ev to the function and waits for its answer.
func (r *RuntimeAPI) Invoke(t testing.TB, ev []byte) Answer {
	t.Helper()
	r.events <- ev
	select {
	case a := <-r.answers:
		return a
	case <-time.After(30 * time.Second):
		t.Fatal("no answer from the function")
	}
	return Answer{}
}

// Output collects what a function writes, read while it runs.
type Output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// WaitFor waits a little for the function to write s (its output is
// copied from a pipe) and reports whether it did.
func (o *Output) WaitFor(s string) bool {
	for range 100 {
		if strings.Contains(o.String(), s) {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// Build builds the package in the working directory as for the
// provided.al2023 runtime (tag lambda.norpc, no cgo), for this machine's
// platform, and returns the binary's path.
func Build(t testing.TB) string {
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
