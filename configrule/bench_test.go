package configrule_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/guardrails-go/guardrails/configrule"
	"github.com/guardrails-go/guardrails/internal/configtest"
	"github.com/guardrails-go/guardrails/rules"
)

// putOnly answers every request as a successful PutEvaluations, in memory:
// the cost measured is the handler's and the SDK's, not a socket's.
type putOnly struct{}

func (putOnly) Do(r *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, r.Body)
	_ = r.Body.Close()
	return &http.Response{
		StatusCode: 200, Header: http.Header{"Content-Type": {"application/x-amz-json-1.1"}},
		Body: io.NopCloser(strings.NewReader(`{"FailedEvaluations":[]}`)), Request: r,
	}, nil
}

// BenchmarkChangeNotification invokes the handler with one change
// notification of a real catalog rule through aws-lambda-go.
func BenchmarkChangeNotification(b *testing.B) {
	run := func(b *testing.B, cfg aws.Config) {
		h := configrule.NewHandler(rules.S3BucketVersioningEnabled(),
			configrule.WithAWSConfig(cfg), configrule.WithLogger(slog.New(slog.NewJSONHandler(io.Discard, nil))))
		lh := lambda.NewHandler(h)
		p := payload(b, changeEvent(b, readItem(b, "s3-bucket-versioning-enabled.json"), `{"isMfaDeleteEnabled":"false"}`))
		ctx := context.Background()
		if _, err := lh.Invoke(ctx, p); err != nil { // warm: engine and client built
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if _, err := lh.Invoke(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("handler-only", func(b *testing.B) {
		run(b, aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
			BaseEndpoint: aws.String("https://config.invalid"), HTTPClient: putOnly{}})
	})
	b.Run("httptest", func(b *testing.B) {
		s := configtest.New(b)
		run(b, s.AWSConfig())
	})
}

// BenchmarkPeriodic10000 runs a periodic evaluation of 10,000 buckets
// against the httptest Config server: listing, batched reads, evaluation,
// clean-up and PutEvaluations, checking the number of puts.
func BenchmarkPeriodic10000(b *testing.B) {
	const n = 10000
	s := configtest.New(b)
	s.AddItems(buckets(b, n)...)
	var logs bytes.Buffer
	h := configrule.NewHandler(rules.S3BucketVersioningEnabled(),
		configrule.WithAWSConfig(s.AWSConfig()), configrule.WithLogger(slog.New(slog.NewJSONHandler(io.Discard, nil))))
	p := payload(b, periodicEvent("s3-bucket-versioning-enabled"))
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	var elapsed time.Duration
	for b.Loop() {
		s.Reset()
		start := time.Now()
		out, err := lambda.NewHandler(h).Invoke(ctx, p)
		elapsed += time.Since(start)
		if err != nil {
			b.Fatal(err, logs.String())
		}
		if got, want := len(s.Requests("PutEvaluations")), (n+99)/100; got != want {
			b.Fatalf("%d PutEvaluations calls, want %d: %s", got, want, out)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "resources/s")
}
