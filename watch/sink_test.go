package watch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/guardrails-go/guardrails/watch"
	"github.com/guardrails-go/guardrails/watch/internal/watchtest"
)

const topic = "arn:aws:sns:eu-west-1:111122223333:guardrails-findings"

func finding(i int, sev watch.Severity) *watch.Finding {
	return &watch.Finding{
		Detection: "s3-bucket-policy-weakened", Severity: sev,
		Summary: fmt.Sprintf("Bucket policy of bucket-%d grants read to everyone.", i),
		EventID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), EventName: "PutBucketPolicy", EventSource: "s3.amazonaws.com",
		EventTime: "2026-11-20T10:00:00Z", AWSRegion: "eu-west-1", AccountID: "111122223333",
		Resources: []string{fmt.Sprintf("arn:aws:s3:::bucket-%d", i)}, Rules: []string{"s3-bucket-public-read-prohibited"}, Remediations: []string{"s3-block-public-access"},
		Actor: watch.Actor{ARN: "arn:aws:iam::111122223333:user/alice", Type: "IAMUser"},
	}
}

func TestSNSBatchesAndMessages(t *testing.T) {
	fake, client := watchtest.NewSNS(t)
	sink, err := watch.NewSNS(client, topic)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var sent []*watch.Finding
	for i := range 23 {
		f := finding(i, watch.Critical)
		sent = append(sent, f)
		if err := sink.Send(ctx, f); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
	}
	if err := sink.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, b := range fake.Batches() {
		if b.TopicARN != topic {
			t.Errorf("TopicArn = %q", b.TopicARN)
		}
		sizes = append(sizes, len(b.Entries))
	}
	if diff := cmp.Diff([]int{10, 10, 3}, sizes); diff != "" {
		t.Errorf("batch sizes (-want +got):\n%s", diff)
	}
	pub := fake.Published()
	if len(pub) != len(sent) {
		t.Fatalf("%d published, want %d", len(pub), len(sent))
	}
	for i, e := range pub {
		var got watch.Finding
		if err := json.Unmarshal([]byte(e.Message), &got); err != nil {
			t.Fatalf("message %d is not a finding: %v", i, err)
		}
		if diff := cmp.Diff(*sent[i], got); diff != "" {
			t.Errorf("message %d (-want +got):\n%s", i, diff)
		}
		want := map[string]string{"severity": "String:CRITICAL", "detection": "String:s3-bucket-policy-weakened", "account": "String:111122223333"}
		if diff := cmp.Diff(want, e.Attributes); diff != "" {
			t.Errorf("attributes (-want +got):\n%s", diff)
		}
		if e.MessageGroupID != "" || e.MessageDeduplicationID != "" {
			t.Errorf("a standard topic got FIFO fields: %+v", e)
		}
		if e.Subject != watch.Subject(sent[i]) {
			t.Errorf("subject %q, want %q", e.Subject, watch.Subject(sent[i]))
		}
	}
}

func TestSNSFIFODeduplicatesByEventID(t *testing.T) {
	fake, client := watchtest.NewSNS(t)
	sink, err := watch.NewSNS(client, topic+".fifo")
	if err != nil {
		t.Fatal(err)
	}
	f := finding(1, watch.High)
	if err := sink.Send(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	if err := sink.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	e := fake.Published()[0]
	if e.MessageDeduplicationID != f.EventID || e.MessageGroupID != f.AccountID {
		t.Errorf("dedup %q group %q, want the event id %q and the account %q", e.MessageDeduplicationID, e.MessageGroupID, f.EventID, f.AccountID)
	}
}

func TestSubject(t *testing.T) {
	for _, tc := range []struct {
		reason string
		f      watch.Finding
		want   string
	}{
		{"short", watch.Finding{Severity: "HIGH", Detection: "kms-key-disabled", Summary: "KMS key k disabled."}, "[HIGH] kms-key-disabled: KMS key k disabled."},
		{"newlines, tabs and control characters go", watch.Finding{Severity: "LOW", Detection: "d", Summary: "a\nb\r\n\tc\x00d\x1b"}, "[LOW] d: a b cd"},
		{"non-ASCII becomes ?", watch.Finding{Severity: "LOW", Detection: "d", Summary: "bucket café"}, "[LOW] d: bucket caf?"},
		{"cut under 100 characters", watch.Finding{Severity: "CRITICAL", Detection: "s3-bucket-policy-weakened", Summary: strings.Repeat("x", 200)},
			"[CRITICAL] s3-bucket-policy-weakened: " + strings.Repeat("x", 99-len("[CRITICAL] s3-bucket-policy-weakened: ")-3) + "..."},
	} {
		got := watch.Subject(&tc.f)
		if got != tc.want {
			t.Errorf("%s: Subject = %q, want %q", tc.reason, got, tc.want)
		}
		if len(got) >= 100 {
			t.Errorf("%s: subject of %d characters", tc.reason, len(got))
		}
	}
}

// Entries SNS fails on its side are retried; entries it refuses are not,
// and both end in the error: none is dropped silently.
func TestSNSRetriesAndReportsFailures(t *testing.T) {
	fake, client := watchtest.NewSNS(t)
	fake.Answer(func(e watchtest.Entry, attempt int) watchtest.Outcome {
		switch {
		case strings.Contains(e.Message, "of bucket-1 "):
			// Throttled once, then accepted.
			return watchtest.Outcome{Fail: attempt == 1, Code: "Throttled"}
		case strings.Contains(e.Message, "of bucket-2 "):
			return watchtest.Outcome{Fail: true, Code: "InvalidParameter", SenderFault: true}
		case strings.Contains(e.Message, "of bucket-3 "):
			return watchtest.Outcome{Fail: true, Code: "InternalError"}
		}
		return watchtest.Outcome{}
	})
	sink, err := watch.NewSNS(client, topic, watch.WithRetries(3, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 5 {
		if err := sink.Send(ctx, finding(i, watch.High)); err != nil {
			t.Fatal(err)
		}
	}
	err = sink.Flush(ctx)
	var pe *watch.PublishError
	if !errors.As(err, &pe) {
		t.Fatalf("Flush error %v, want a *PublishError", err)
	}
	var failed []string
	for _, f := range pe.Failed {
		failed = append(failed, fmt.Sprintf("%s %s %t", f.EventID[len(f.EventID)-1:], f.Code, f.SenderFault))
	}
	if diff := cmp.Diff([]string{"2 InvalidParameter true", "3 InternalError false"}, failed); diff != "" {
		t.Errorf("failed entries (-want +got):\n%s", diff)
	}
	var batchSizes []int
	for _, b := range fake.Batches() {
		batchSizes = append(batchSizes, len(b.Entries))
	}
	// 5 entries; then bucket-1 and bucket-3 retried; then bucket-3 alone.
	if diff := cmp.Diff([]int{5, 2, 1}, batchSizes); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if n := len(fake.Published()); n != 3 {
		t.Errorf("%d published, want 3 (0, 1 after its retry, 4)", n)
	}
	for _, want := range []string{topic, "2 findings not published", "InvalidParameter", "00000000-0000-4000-8000-000000000003"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestSNSRequestFailureListsEveryFinding(t *testing.T) {
	fake, client := watchtest.NewSNS(t)
	fake.FailRequests(403)
	sink, _ := watch.NewSNS(client, topic)
	ctx := context.Background()
	for i := range 3 {
		if err := sink.Send(ctx, finding(i, watch.High)); err != nil {
			t.Fatal(err)
		}
	}
	err := sink.Flush(ctx)
	var pe *watch.PublishError
	if !errors.As(err, &pe) || len(pe.Failed) != 3 {
		t.Fatalf("error %v, want the 3 findings listed", err)
	}
	if !strings.Contains(err.Error(), "AuthorizationError") {
		t.Errorf("error %q does not say why", err)
	}
}

func TestNewSNSRefusesBadTopic(t *testing.T) {
	_, client := watchtest.NewSNS(t)
	for _, arn := range []string{"", "guardrails", "arn:aws:sqs:eu-west-1:111122223333:q", "arn:aws:sns:eu-west-1:111122223333:"} {
		if _, err := watch.NewSNS(client, arn); err == nil {
			t.Errorf("NewSNS(%q) accepted it", arn)
		}
	}
}

func TestJSONLines(t *testing.T) {
	var buf bytes.Buffer
	sink := watch.NewJSONLines(&buf)
	for i := range 2 {
		if err := sink.Send(context.Background(), finding(i, watch.Medium)); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), buf.String())
	}
	var f watch.Finding
	if err := json.Unmarshal([]byte(lines[1]), &f); err != nil || f.EventID != finding(1, watch.Medium).EventID {
		t.Errorf("line 2 = %s (%v)", lines[1], err)
	}
}
