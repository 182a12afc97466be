package watchlambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strings"

	"github.com/guardrails-go/guardrails/watch"
)

// Handler is the Lambda handler. Build it once at init; Lambda runs one
// invocation at a time per instance, and so must the handler.
type Handler struct {
	w    *watch.Watcher
	s3   watch.GetObjectAPI
	sink watch.Sink
	log  *slog.Logger
}

// Option configures a Handler.
type Option func(*Handler)

// WithLogger sets the logger for what the handler cannot return: records
// that could not be read or judged, findings it published. The default
// writes JSON to stderr, which Lambda sends to CloudWatch Logs.
func WithLogger(l *slog.Logger) Option {
	return func(h *Handler) {
		if l != nil {
			h.log = l
		}
	}
}

// New returns a handler reading log files with s3 and sending findings to
// sink.
func New(w *watch.Watcher, s3 watch.GetObjectAPI, sink watch.Sink, opts ...Option) *Handler {
	h := &Handler{w: w, s3: s3, sink: sink, log: slog.New(slog.NewJSONHandler(logOutput, nil))}
	for _, o := range opts {
		o(h)
	}
	return h
}

// Summary is the answer to events other than SQS batches.
type Summary struct {
	watch.Stats
}

// SQSResponse is the answer to an SQS batch: the messages to retry.
type SQSResponse struct {
	BatchItemFailures []BatchItemFailure `json:"batchItemFailures"`
}

// BatchItemFailure names an SQS message to retry.
type BatchItemFailure struct {
	ItemIdentifier string `json:"itemIdentifier"`
}

// object is one log file to read.
type object struct{ bucket, key string }

// work is what one event (or one SQS message) asks for.
type work struct {
	objects []object
	records []json.RawMessage // EventBridge CloudTrail events
	ids     []string          // their event ids, for locations
	errs    []error           // parts of the event that could not be read
}

// Handle processes one invocation. Every file is processed even when
// others fail; then the failures are returned together (for SQS, as
// batchItemFailures), each naming its bucket and key.
func (h *Handler) Handle(ctx context.Context, event json.RawMessage) (any, error) {
	sess := h.w.NewSession()
	kind, top, err := classify(event)
	if err != nil {
		return nil, err
	}
	if kind == "sqs" {
		return h.handleSQS(ctx, sess, top)
	}
	wk, err := parseEvent(event)
	if err != nil {
		return nil, err
	}
	if err := h.do(ctx, sess, wk); err != nil {
		return nil, err
	}
	return Summary{sess.Stats()}, nil
}

func (h *Handler) handleSQS(ctx context.Context, sess *watch.Session, records []json.RawMessage) (any, error) {
	resp := SQSResponse{BatchItemFailures: []BatchItemFailure{}}
	for i, raw := range records {
		var m struct {
			MessageID string `json:"messageId"`
			Body      string `json:"body"`
		}
		if err := json.Unmarshal(raw, &m); err != nil || m.MessageID == "" {
			// Without its id the message cannot be retried alone: fail the
			// whole batch so that nothing is lost.
			return nil, fmt.Errorf("SQS record %d: no messageId: the batch cannot be answered item by item", i)
		}
		wk, err := parseEvent(json.RawMessage(m.Body))
		if err == nil {
			err = h.do(ctx, sess, wk)
		}
		if err != nil {
			h.log.Error("SQS message failed; SQS will deliver it again", "messageId", m.MessageID, "error", err.Error())
			resp.BatchItemFailures = append(resp.BatchItemFailures, BatchItemFailure{ItemIdentifier: m.MessageID})
		}
	}
	st := sess.Stats()
	h.log.Info("invocation done", "files", st.Files, "records", st.Records, "skipped", st.Skipped, "findings", st.Findings, "failedMessages", len(resp.BatchItemFailures))
	return resp, nil
}

// do reads the work's files and records and sends their findings.
func (h *Handler) do(ctx context.Context, sess *watch.Session, wk *work) error {
	errs := append([]error(nil), wk.errs...)
	for _, o := range wk.objects {
		if err := h.file(ctx, sess, o); err != nil {
			errs = append(errs, err)
		}
	}
	for i, raw := range wk.records {
		if err := h.event(ctx, sess, raw, wk.ids[i]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// file reads one log file. Records that cannot be read or judged are
// logged with their key and index, and the others still go through: a
// retry would fail on them again. A file that cannot be read, or findings
// that could not be published, fail the file.
func (h *Handler) file(ctx context.Context, sess *watch.Session, o object) error {
	var fileErr error
	var sendErrs []error
	for f, err := range sess.ReadObject(ctx, h.s3, o.bucket, o.key) {
		if err != nil {
			var we *watch.Error
			if errors.As(err, &we) && we.Record >= 0 {
				h.log.Error("record skipped", "bucket", o.bucket, "key", o.key, "record", we.Record, "eventID", we.EventID, "eventName", we.EventName, "error", we.Err.Error())
				continue
			}
			fileErr = err
			continue
		}
		if err := h.sink.Send(ctx, f); err != nil {
			sendErrs = append(sendErrs, err)
		}
	}
	if err := h.sink.Flush(ctx); err != nil {
		sendErrs = append(sendErrs, err)
	}
	var errs []error
	if fileErr != nil {
		errs = append(errs, fileErr)
	}
	if len(sendErrs) > 0 {
		errs = append(errs, fmt.Errorf("%s: %w", watch.ObjectName(o.bucket, o.key), errors.Join(sendErrs...)))
	}
	return errors.Join(errs...)
}

// event judges the record of one EventBridge CloudTrail event.
func (h *Handler) event(ctx context.Context, sess *watch.Session, raw json.RawMessage, id string) error {
	name := "eventbridge:" + id
	rec, err := watch.DecodeRecord(raw)
	if err != nil {
		return &watch.Error{Source: name, Record: 0, Err: err}
	}
	rec.Location = watch.Location{Source: name}
	f, err := sess.Record(ctx, rec)
	if err != nil {
		h.log.Error("record skipped", "event", id, "eventID", rec.EventID, "eventName", rec.EventName, "error", err.Error())
		return nil
	}
	if f == nil {
		return nil
	}
	if err := h.sink.Send(ctx, f); err != nil {
		return errors.Join(err, h.sink.Flush(ctx))
	}
	return h.sink.Flush(ctx)
}

// classify tells an SQS batch from the other events.
func classify(event json.RawMessage) (string, []json.RawMessage, error) {
	var top struct {
		Records []json.RawMessage `json:"Records"`
	}
	if err := json.Unmarshal(event, &top); err != nil {
		return "", nil, fmt.Errorf("the event is not a JSON object: %v", err)
	}
	if len(top.Records) > 0 {
		var first struct {
			EventSource string `json:"eventSource"`
		}
		_ = json.Unmarshal(top.Records[0], &first)
		if first.EventSource == "aws:sqs" {
			return "sqs", top.Records, nil
		}
	}
	return "", nil, nil
}

// parseEvent reads what an event (or an SQS body, or an SNS message) asks
// for: an S3 notification, an SNS notification around one, CloudTrail's
// own SNS delivery notice, an EventBridge S3 Object Created event, an
// EventBridge CloudTrail API call event, or an S3 test event (nothing).
func parseEvent(data json.RawMessage) (*work, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	wk := &work{}
	switch {
	case m["Records"] != nil:
		var recs []json.RawMessage
		if err := json.Unmarshal(m["Records"], &recs); err != nil {
			return nil, fmt.Errorf("Records: %v", err)
		}
		for i, r := range recs {
			if err := parseRecord(r, i, wk); err != nil {
				wk.errs = append(wk.errs, err)
			}
		}
	case m["detail-type"] != nil:
		var e struct {
			ID         string          `json:"id"`
			DetailType string          `json:"detail-type"`
			Source     string          `json:"source"`
			Detail     json.RawMessage `json:"detail"`
		}
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, fmt.Errorf("EventBridge event: %v", err)
		}
		switch {
		case e.DetailType == "Object Created" && e.Source == "aws.s3":
			var d struct {
				Bucket struct {
					Name string `json:"name"`
				} `json:"bucket"`
				Object struct {
					Key string `json:"key"`
				} `json:"object"`
			}
			if err := json.Unmarshal(e.Detail, &d); err != nil || d.Bucket.Name == "" || d.Object.Key == "" {
				return nil, fmt.Errorf("EventBridge Object Created event %s: no detail.bucket.name and detail.object.key", e.ID)
			}
			// EventBridge keys are not URL-encoded.
			wk.objects = append(wk.objects, object{d.Bucket.Name, d.Object.Key})
		case strings.HasSuffix(e.DetailType, "via CloudTrail"):
			if len(e.Detail) == 0 {
				return nil, fmt.Errorf("EventBridge event %s: no detail", e.ID)
			}
			wk.records = append(wk.records, e.Detail)
			wk.ids = append(wk.ids, e.ID)
		default:
			return nil, fmt.Errorf("EventBridge event %s of source %q and detail-type %q: want S3 Object Created or a CloudTrail API call", e.ID, e.Source, e.DetailType)
		}
	case m["s3Bucket"] != nil && m["s3ObjectKey"] != nil:
		var n struct {
			Bucket string   `json:"s3Bucket"`
			Keys   []string `json:"s3ObjectKey"`
		}
		if err := json.Unmarshal(data, &n); err != nil {
			return nil, fmt.Errorf("CloudTrail delivery notice: %v", err)
		}
		for _, k := range n.Keys {
			wk.objects = append(wk.objects, object{n.Bucket, k})
		}
	case m["Type"] != nil && m["Message"] != nil:
		// An SNS notification delivered to SQS without raw delivery.
		var n struct {
			Message string `json:"Message"`
		}
		if err := json.Unmarshal(data, &n); err != nil {
			return nil, fmt.Errorf("SNS notification: %v", err)
		}
		return parseEvent(json.RawMessage(n.Message))
	case string(m["Event"]) == `"s3:TestEvent"`:
		// S3 sends it once when the notification is configured.
	default:
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return nil, fmt.Errorf("unrecognised event (keys: %s): want an S3, SNS, SQS or EventBridge event", strings.Join(keys, ", "))
	}
	return wk, nil
}

// parseRecord reads one element of a Records list: an S3 notification
// record or an SNS record (whose message is parsed in turn).
func parseRecord(raw json.RawMessage, i int, wk *work) error {
	var r struct {
		EventSource  string `json:"eventSource"`
		EventSourceU string `json:"EventSource"`
		EventName    string `json:"eventName"`
		S3           struct {
			Bucket struct {
				Name string `json:"name"`
			} `json:"bucket"`
			Object struct {
				Key string `json:"key"`
			} `json:"object"`
		} `json:"s3"`
		SNS struct {
			Message string `json:"Message"`
		} `json:"Sns"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("Records[%d]: %v", i, err)
	}
	switch {
	case r.EventSource == "aws:s3":
		if !strings.HasPrefix(r.EventName, "ObjectCreated:") {
			return nil
		}
		// S3 notifications URL-encode keys, with + for a space.
		key, err := url.QueryUnescape(r.S3.Object.Key)
		if err != nil {
			return fmt.Errorf("Records[%d].s3.object.key %q: %v", i, r.S3.Object.Key, err)
		}
		if r.S3.Bucket.Name == "" || key == "" {
			return fmt.Errorf("Records[%d]: no s3.bucket.name or s3.object.key", i)
		}
		wk.objects = append(wk.objects, object{r.S3.Bucket.Name, key})
	case r.EventSourceU == "aws:sns":
		inner, err := parseEvent(json.RawMessage(r.SNS.Message))
		if err != nil {
			return fmt.Errorf("Records[%d].Sns.Message: %w", i, err)
		}
		for _, e := range inner.errs {
			wk.errs = append(wk.errs, fmt.Errorf("Records[%d].Sns.Message: %w", i, e))
		}
		wk.objects = append(wk.objects, inner.objects...)
		wk.records = append(wk.records, inner.records...)
		wk.ids = append(wk.ids, inner.ids...)
	default:
		src := r.EventSource
		if src == "" {
			src = r.EventSourceU
		}
		return fmt.Errorf("Records[%d]: event source %q: want aws:s3 or aws:sns (a CloudTrail log file is read from S3, not passed as the event)", i, src)
	}
	return nil
}
