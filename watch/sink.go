package watch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// Sink receives findings. Send may buffer; Flush delivers what is
// buffered. Both report every finding they could not deliver.
type Sink interface {
	Send(ctx context.Context, f *Finding) error
	Flush(ctx context.Context) error
}

// JSONLines writes each finding as one line of JSON.
type JSONLines struct {
	w   io.Writer
	enc *json.Encoder
}

var _ Sink = (*JSONLines)(nil)

// NewJSONLines returns a sink writing to w.
func NewJSONLines(w io.Writer) *JSONLines {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &JSONLines{w: w, enc: enc}
}

// Send writes the finding.
func (j *JSONLines) Send(_ context.Context, f *Finding) error {
	if err := j.enc.Encode(f); err != nil {
		return fmt.Errorf("finding %s: %w", f.EventID, err)
	}
	return nil
}

// Flush does nothing: every line is written by Send.
func (j *JSONLines) Flush(context.Context) error { return nil }

// PublishBatchAPI is the part of the SNS client the SNS sink uses.
type PublishBatchAPI interface {
	PublishBatch(ctx context.Context, params *sns.PublishBatchInput, optFns ...func(*sns.Options)) (*sns.PublishBatchOutput, error)
}

var _ PublishBatchAPI = (*sns.Client)(nil)

// SNS limits.
const (
	maxBatchEntries = 10
	// maxBatchBytes bounds the messages and attributes of one PublishBatch
	// request (and of one message).
	maxBatchBytes = 256 << 10
	// maxSubject: SNS wants subjects under 100 characters.
	maxSubject = 99
)

// SNS publishes each finding as one message to an SNS topic, in batches of
// up to ten (PublishBatch). The message is the finding's JSON; the subject
// says severity, detection and summary in under 100 characters; message
// attributes severity, detection and account let subscribers filter. For a
// FIFO topic (its ARN ends in .fifo) the deduplication id is the event id,
// so a record delivered twice is published once, and the group is the
// account. Entries SNS fails for a reason on its side are retried; entries
// it refuses, and entries still failing after the retries, are returned in
// a *PublishError: none is dropped silently.
type SNS struct {
	client   PublishBatchAPI
	topic    string
	fifo     bool
	attempts int
	backoff  time.Duration

	pending []pendingEntry
	size    int
}

var _ Sink = (*SNS)(nil)

type pendingEntry struct {
	f     *Finding
	entry snstypes.PublishBatchRequestEntry
	size  int
}

// SNSOption configures the SNS sink.
type SNSOption func(*SNS)

// WithRetries sets how many times an entry is tried (default 3) and the
// wait before the first retry, doubled for each next (default 200ms).
func WithRetries(attempts int, backoff time.Duration) SNSOption {
	return func(s *SNS) {
		if attempts > 0 {
			s.attempts = attempts
		}
		if backoff >= 0 {
			s.backoff = backoff
		}
	}
}

// NewSNS returns a sink publishing to the topic.
func NewSNS(client PublishBatchAPI, topicARN string, opts ...SNSOption) (*SNS, error) {
	parts := strings.Split(topicARN, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sns" || parts[5] == "" {
		return nil, fmt.Errorf("topic %q: want an SNS topic ARN, arn:aws:sns:REGION:ACCOUNT:NAME", topicARN)
	}
	s := &SNS{client: client, topic: topicARN, fifo: strings.HasSuffix(topicARN, ".fifo"), attempts: 3, backoff: 200 * time.Millisecond}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// PublishError lists the findings that were not published.
type PublishError struct {
	Topic  string
	Failed []FailedFinding
}

// FailedFinding is one finding SNS did not take.
type FailedFinding struct {
	EventID   string
	Detection string
	Code      string
	Message   string
	// SenderFault is true when SNS refused the entry itself: retrying it
	// unchanged cannot help.
	SenderFault bool
}

func (e *PublishError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "SNS %s: %d findings not published:", e.Topic, len(e.Failed))
	for i, f := range e.Failed {
		if i == 5 {
			fmt.Fprintf(&b, " and %d more", len(e.Failed)-5)
			break
		}
		fmt.Fprintf(&b, " %s (%s, eventID %s): %s %s;", f.Detection, f.Code, f.EventID, f.Code, f.Message)
	}
	return strings.TrimSuffix(b.String(), ";")
}

// Subject renders the SNS subject of a finding: "[HIGH] detection: summary",
// ASCII without control characters, cut to fit.
func Subject(f *Finding) string {
	s := "[" + string(f.Severity) + "] " + f.Detection + ": " + f.Summary
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == ' ':
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		case r < 0x20 || r == 0x7f:
			continue
		case r > 0x7e:
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
		space = false
	}
	out := strings.TrimSpace(b.String())
	if len(out) > maxSubject {
		out = strings.TrimSpace(out[:maxSubject-3]) + "..."
	}
	return out
}

// deduplicationID is the FIFO deduplication id: the event id, or a hash
// of the message when the record has none. SNS allows 1-128 characters:
// letters, digits and punctuation.
func deduplicationID(f *Finding, msg []byte) string {
	id := f.EventID
	ok := id != "" && len(id) <= 128
	for _, r := range id {
		if r < 0x21 || r > 0x7e {
			ok = false
		}
	}
	if ok {
		return id
	}
	sum := sha256.Sum256(msg)
	return hex.EncodeToString(sum[:])
}

func (s *SNS) entry(f *Finding) (pendingEntry, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil {
		return pendingEntry{}, err
	}
	msg := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	attrs := map[string]snstypes.MessageAttributeValue{
		"severity":  {DataType: aws.String("String"), StringValue: aws.String(string(f.Severity))},
		"detection": {DataType: aws.String("String"), StringValue: aws.String(f.Detection)},
	}
	if f.AccountID != "" {
		attrs["account"] = snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(f.AccountID)}
	}
	e := snstypes.PublishBatchRequestEntry{
		Message:           aws.String(string(msg)),
		Subject:           aws.String(Subject(f)),
		MessageAttributes: attrs,
	}
	size := len(msg)
	for k, v := range attrs {
		size += len(k) + len(*v.DataType) + len(*v.StringValue)
	}
	if s.fifo {
		group := f.AccountID
		if group == "" {
			group = "guardrails"
		}
		e.MessageGroupId = aws.String(group)
		e.MessageDeduplicationId = aws.String(deduplicationID(f, msg))
	}
	return pendingEntry{f: f, entry: e, size: size}, nil
}

// Send adds a finding to the batch, publishing the batch when it is full.
func (s *SNS) Send(ctx context.Context, f *Finding) error {
	pe, err := s.entry(f)
	if err != nil {
		return &PublishError{Topic: s.topic, Failed: []FailedFinding{{EventID: f.EventID, Detection: f.Detection, Code: "Encoding", Message: err.Error(), SenderFault: true}}}
	}
	if pe.size > maxBatchBytes {
		return &PublishError{Topic: s.topic, Failed: []FailedFinding{{EventID: f.EventID, Detection: f.Detection, Code: "MessageTooLong",
			Message: fmt.Sprintf("the finding is %d bytes, over SNS's limit of %d", pe.size, maxBatchBytes), SenderFault: true}}}
	}
	var flushErr error
	if s.size+pe.size > maxBatchBytes {
		flushErr = s.Flush(ctx)
	}
	s.pending = append(s.pending, pe)
	s.size += pe.size
	if len(s.pending) == maxBatchEntries {
		return errors.Join(flushErr, s.Flush(ctx))
	}
	return flushErr
}

// Flush publishes the pending findings.
func (s *SNS) Flush(ctx context.Context) error {
	batch := s.pending
	s.pending, s.size = nil, 0
	var failed []FailedFinding
	wait := s.backoff
	for attempt := 1; len(batch) > 0; attempt++ {
		entries := make([]snstypes.PublishBatchRequestEntry, len(batch))
		byID := make(map[string]pendingEntry, len(batch))
		for i := range batch {
			batch[i].entry.Id = aws.String("finding-" + strconv.Itoa(i))
			entries[i] = batch[i].entry
			byID[*entries[i].Id] = batch[i]
		}
		out, err := s.client.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(s.topic), PublishBatchRequestEntries: entries})
		if err != nil {
			// The SDK has retried what it could: the whole batch failed.
			for _, pe := range batch {
				failed = append(failed, FailedFinding{EventID: pe.f.EventID, Detection: pe.f.Detection, Code: "PublishBatch", Message: err.Error()})
			}
			break
		}
		answered := make(map[string]bool, len(batch))
		for _, ok := range out.Successful {
			answered[aws.ToString(ok.Id)] = true
		}
		var retry []pendingEntry
		for _, fe := range out.Failed {
			id := aws.ToString(fe.Id)
			pe, known := byID[id]
			if !known {
				continue
			}
			answered[id] = true
			ff := FailedFinding{EventID: pe.f.EventID, Detection: pe.f.Detection, Code: aws.ToString(fe.Code), Message: aws.ToString(fe.Message), SenderFault: fe.SenderFault}
			if ff.SenderFault || attempt >= s.attempts {
				failed = append(failed, ff)
				continue
			}
			retry = append(retry, pe)
		}
		for _, pe := range batch {
			if !answered[*pe.entry.Id] {
				// Neither successful nor failed: SNS did not say. Count it as
				// failed rather than assume.
				failed = append(failed, FailedFinding{EventID: pe.f.EventID, Detection: pe.f.Detection, Code: "NoAnswer", Message: "PublishBatch answered neither success nor failure for this entry"})
			}
		}
		batch = retry
		if len(batch) > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				for _, pe := range batch {
					failed = append(failed, FailedFinding{EventID: pe.f.EventID, Detection: pe.f.Detection, Code: "Canceled", Message: ctx.Err().Error()})
				}
				batch = nil
			case <-t.C:
			}
			wait *= 2
		}
	}
	if len(failed) > 0 {
		return &PublishError{Topic: s.topic, Failed: failed}
	}
	return nil
}
