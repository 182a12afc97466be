package watchlambda_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/google/go-cmp/cmp"
	"github.com/guardrails-go/guardrails/watch"
	"github.com/guardrails-go/guardrails/watch/internal/watchtest"
	"github.com/guardrails-go/guardrails/watch/watchlambda"
)

const (
	bucket = "trail-logs"
	topic  = "arn:aws:sns:eu-west-1:111122223333:guardrails"
	// The key of a log file, as CloudTrail names it.
	logKey = "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20/111122223333_CloudTrail_eu-west-1_20261120T1000Z_gD6ANsYZyNYvh3pc.json.gz"
	// A key with a space and a plus sign, which S3 notifications encode.
	oddKey    = "trails/prod logs+archive/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20/x.json.gz"
	digestKey = "AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/20/111122223333_CloudTrail-Digest_eu-west-1_main_eu-west-1_20261120T110000Z.json.gz"
)

func testdata(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// stratus returns the records of one Stratus Red Team detonation.
func stratus(t testing.TB, name string) []json.RawMessage {
	t.Helper()
	var recs []json.RawMessage
	if err := json.Unmarshal(testdata(t, "realdata/stratus-red-team/"+name), &recs); err != nil {
		t.Fatal(err)
	}
	return recs
}

func logFile(t testing.TB, recs ...json.RawMessage) []byte {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"Records": recs})
	return gz(t, b)
}

// s3Event is the aws-lambda-go S3 notification with the bucket and key
// replaced; the key is encoded as S3 encodes it.
func s3Event(t testing.TB, keys ...string) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(testdata(t, "realdata/aws-lambda-go/s3-event.json"), &ev); err != nil {
		t.Fatal(err)
	}
	template := ev["Records"].([]any)[0].(map[string]any)
	var recs []any
	for _, k := range keys {
		b, _ := json.Marshal(template)
		var r map[string]any
		json.Unmarshal(b, &r)
		s3 := r["s3"].(map[string]any)
		s3["bucket"].(map[string]any)["name"] = bucket
		s3["bucket"].(map[string]any)["arn"] = "arn:aws:s3:::" + bucket
		s3["object"].(map[string]any)["key"] = url.QueryEscape(k)
		recs = append(recs, r)
	}
	ev["Records"] = recs
	out, _ := json.Marshal(ev)
	return out
}

type env struct {
	s3   *watchtest.S3
	sns  *watchtest.SNS
	h    lambda.Handler
	logs *bytes.Buffer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	fs3, s3c := watchtest.NewS3(t)
	fsns, snsc := watchtest.NewSNS(t)
	w, err := watch.New(watch.WithMinSeverity(watch.Low))
	if err != nil {
		t.Fatal(err)
	}
	sink, err := watch.NewSNS(snsc, topic, watch.WithRetries(2, 0))
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	h := watchlambda.New(w, s3c, sink, watchlambda.WithLogger(slog.New(slog.NewJSONHandler(logs, nil))))
	fs3.Put(bucket, logKey, logFile(t, stratus(t, "aws.defense-evasion.cloudtrail-stop.json")...))
	fs3.Put(bucket, oddKey, logFile(t, stratus(t, "aws.persistence.iam-create-admin-user.json")...))
	return &env{s3: fs3, sns: fsns, h: lambda.NewHandler(h.Handle), logs: logs}
}

func (e *env) invoke(t *testing.T, payload []byte) (map[string]any, error) {
	t.Helper()
	out, err := e.h.Invoke(context.Background(), payload)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("answer is not a JSON object: %s", out)
	}
	return m, nil
}

// published lists "detection eventID" of the published messages, checking
// each against its attributes.
func (e *env) published(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, p := range e.sns.Published() {
		var f watch.Finding
		if err := json.Unmarshal([]byte(p.Message), &f); err != nil {
			t.Fatalf("message is not a finding: %v", err)
		}
		want := map[string]string{"severity": "String:" + string(f.Severity), "detection": "String:" + f.Detection, "account": "String:" + f.AccountID}
		if diff := cmp.Diff(want, p.Attributes); diff != "" {
			t.Errorf("attributes (-want +got):\n%s", diff)
		}
		if len(p.Subject) >= 100 || strings.ContainsAny(p.Subject, "\r\n") {
			t.Errorf("subject %q", p.Subject)
		}
		out = append(out, f.Detection+" "+f.EventID)
	}
	sort.Strings(out)
	return out
}

const (
	stopFinding  = "cloudtrail-logging-stopped 10163ed2-2253-469d-a5ee-cbc6651f8934"
	adminFinding = "iam-admin-policy-attached 083dc4ad-e264-46bc-a407-d0dd31b58bdc"
)

func TestS3NotificationDirect(t *testing.T) {
	e := newEnv(t)
	out, err := e.invoke(t, s3Event(t, logKey, oddKey, logKey))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{stopFinding, adminFinding}, e.published(t)); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
	// The key with a space and a plus was decoded before GetObject; the
	// same file notified twice is read twice but published once.
	if diff := cmp.Diff([]string{bucket + "/" + logKey, bucket + "/" + oddKey, bucket + "/" + logKey}, e.s3.Gets()); diff != "" {
		t.Errorf("GetObject (-want +got):\n%s", diff)
	}
	if out["files"] != 3.0 || out["findings"] != 2.0 {
		t.Errorf("answer %v, want 3 files and 2 findings", out)
	}
	for _, b := range e.sns.Batches() {
		if b.TopicARN != topic {
			t.Errorf("published to %q", b.TopicARN)
		}
	}
}

func TestS3NotificationInSNS(t *testing.T) {
	e := newEnv(t)
	var ev map[string]any
	json.Unmarshal(testdata(t, "realdata/aws-lambda-go/sns-event.json"), &ev)
	ev["Records"].([]any)[0].(map[string]any)["Sns"].(map[string]any)["Message"] = string(s3Event(t, oddKey))
	payload, _ := json.Marshal(ev)
	if _, err := e.invoke(t, payload); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{adminFinding}, e.published(t)); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
}

// SQS: a message whose file cannot be read is answered in
// batchItemFailures, so that SQS delivers it again; the others are done.
func TestSQSBatchItemFailures(t *testing.T) {
	e := newEnv(t)
	snsEnvelope, _ := json.Marshal(map[string]any{"Type": "Notification", "MessageId": "m", "TopicArn": "arn:aws:sns:eu-west-1:111122223333:trail", "Message": string(s3Event(t, oddKey))})
	var ev map[string]any
	json.Unmarshal(testdata(t, "realdata/aws-lambda-go/sqs-event.json"), &ev)
	template, _ := json.Marshal(ev["Records"].([]any)[0])
	var recs []any
	for _, m := range []struct{ id, body string }{
		{"ok-direct", string(s3Event(t, logKey))},
		{"missing-file", string(s3Event(t, "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20/gone.json.gz"))},
		{"ok-in-sns", string(snsEnvelope)},
		{"not-an-event", "hello"},
	} {
		var r map[string]any
		json.Unmarshal(template, &r)
		r["messageId"], r["body"] = m.id, m.body
		recs = append(recs, r)
	}
	ev["Records"] = recs
	payload, _ := json.Marshal(ev)
	out, err := e.invoke(t, payload)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"batchItemFailures": []any{map[string]any{"itemIdentifier": "missing-file"}, map[string]any{"itemIdentifier": "not-an-event"}}}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("answer (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{stopFinding, adminFinding}, e.published(t)); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
	logs := e.logs.String()
	for _, want := range []string{`"messageId":"missing-file"`, "s3://trail-logs/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20/gone.json.gz: GetObject", "NoSuchKey"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

func TestEventBridgeObjectCreated(t *testing.T) {
	e := newEnv(t)
	// EventBridge keys are not URL-encoded.
	ev := map[string]any{
		"version": "0", "id": "17793124-05d4-b198-2fde-7ededc63b103", "detail-type": "Object Created", "source": "aws.s3",
		"account": "111122223333", "time": "2026-11-20T10:05:00Z", "region": "eu-west-1", "resources": []string{"arn:aws:s3:::" + bucket},
		"detail": map[string]any{"version": "0", "bucket": map[string]any{"name": bucket}, "object": map[string]any{"key": oddKey, "size": 100}, "reason": "PutObject"},
	}
	payload, _ := json.Marshal(ev)
	if _, err := e.invoke(t, payload); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{bucket + "/" + oddKey}, e.s3.Gets()); diff != "" {
		t.Errorf("GetObject (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{adminFinding}, e.published(t)); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
}

func TestEventBridgeCloudTrailCall(t *testing.T) {
	e := newEnv(t)
	var ev map[string]any
	json.Unmarshal(testdata(t, "realdata/cloud-custodian/event-cloud-trail-s3.json"), &ev)
	var rec any
	json.Unmarshal(stratus(t, "aws.defense-evasion.cloudtrail-stop.json")[0], &rec)
	ev["detail"], ev["source"] = rec, "aws.cloudtrail"
	payload, _ := json.Marshal(ev)
	if _, err := e.invoke(t, payload); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{stopFinding}, e.published(t)); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
	if len(e.s3.Gets()) != 0 {
		t.Errorf("an API call event read S3: %v", e.s3.Gets())
	}
	// cloud-custodian's own event (CreateBucket) is INFORMATIONAL, below
	// the Lambda's LOW minimum: nothing more is published.
	if _, err := e.invoke(t, testdata(t, "realdata/cloud-custodian/event-cloud-trail-s3.json")); err != nil {
		t.Fatal(err)
	}
	if n := len(e.sns.Published()); n != 1 {
		t.Errorf("%d published, want 1", n)
	}
}

// CloudTrail's own SNS notice lists several keys; the digest file is not
// fetched; a missing file fails the invocation, naming it, after the
// others are done.
func TestCloudTrailNoticeAndFailures(t *testing.T) {
	e := newEnv(t)
	notice, _ := json.Marshal(map[string]any{"s3Bucket": bucket, "s3ObjectKey": []string{logKey, digestKey, "AWSLogs/nope.json.gz", oddKey}})
	_, err := e.invoke(t, notice)
	if err == nil || !strings.Contains(err.Error(), "s3://trail-logs/AWSLogs/nope.json.gz: GetObject") {
		t.Fatalf("error %v, want one naming the missing file", err)
	}
	if diff := cmp.Diff([]string{bucket + "/" + logKey, bucket + "/AWSLogs/nope.json.gz", bucket + "/" + oddKey}, e.s3.Gets()); diff != "" {
		t.Errorf("GetObject (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{stopFinding, adminFinding}, e.published(t)); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
}

func TestBadFilesAndRecords(t *testing.T) {
	e := newEnv(t)
	full := logFile(t, stratus(t, "aws.persistence.iam-create-admin-user.json")...)
	e.s3.Put(bucket, "truncated.json.gz", full[:len(full)/2])
	e.s3.Put(bucket, "config.json", testdata(t, "realdata/cloud-custodian/event-cloud-trail-create-db.json")[:0])
	badTypes := json.RawMessage(`{"eventVersion":"1.09","eventID":"bad-types","eventName":"PutBucketPolicy","eventSource":"s3.amazonaws.com","requestParameters":{"bucketName":["a","b"]},"recipientAccountId":"111122223333"}`)
	e.s3.Put(bucket, "mixed.json.gz", logFile(t, append([]json.RawMessage{badTypes}, stratus(t, "aws.defense-evasion.cloudtrail-delete.json")...)...))
	_, err := e.invoke(t, s3Event(t, "truncated.json.gz", "config.json", "mixed.json.gz", logKey))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"s3://trail-logs/truncated.json.gz: ", "unexpected EOF", "s3://trail-logs/config.json: not a CloudTrail log file or event: the file is empty"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "mixed.json.gz") {
		t.Errorf("a record that cannot be judged failed its file: %v", err)
	}
	// The record that cannot be judged is logged with its key and index;
	// the other records of its file, and the other files, went through.
	logs := e.logs.String()
	for _, want := range []string{`"key":"mixed.json.gz"`, `"record":0`, `"eventID":"bad-types"`, "requestParameters.bucketName: want a string, found an array"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
	got := e.published(t)
	for _, want := range []string{stopFinding, "cloudtrail-logging-stopped ee73c230-44bc-4492-8542-cfb189eae287"} {
		if !strings.Contains(strings.Join(got, "\n"), want) {
			t.Errorf("published %v lacks %s", got, want)
		}
	}
}

func TestPublishFailureFailsTheFile(t *testing.T) {
	e := newEnv(t)
	e.sns.FailRequests(403)
	_, err := e.invoke(t, s3Event(t, logKey))
	if err == nil || !strings.Contains(err.Error(), "s3://trail-logs/"+logKey) || !strings.Contains(err.Error(), "not published") || !strings.Contains(err.Error(), "10163ed2-2253-469d-a5ee-cbc6651f8934") {
		t.Fatalf("error %v, want one naming the file and the finding not published", err)
	}
}

func TestEventsWithNothingToDo(t *testing.T) {
	e := newEnv(t)
	for _, payload := range []string{
		`{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-20T10:00:00.000Z","Bucket":"trail-logs","RequestId":"R","HostId":"H"}`,
		string(s3Event(t, digestKey)),
		string(s3Event(t, "AWSLogs/111122223333/Config/eu-west-1/2026/11/20/ConfigSnapshot/111122223333_Config_eu-west-1_ConfigSnapshot_x.json.gz")),
		string(s3Event(t, "AWSLogs/111122223333/")),
	} {
		if _, err := e.invoke(t, []byte(payload)); err != nil {
			t.Errorf("%s: %v", payload[:40], err)
		}
	}
	if len(e.s3.Gets()) != 0 || len(e.sns.Batches()) != 0 {
		t.Errorf("reads %v, publishes %d: want none", e.s3.Gets(), len(e.sns.Batches()))
	}
}

func TestUnrecognisedEvents(t *testing.T) {
	e := newEnv(t)
	for payload, want := range map[string]string{
		`{"hello": "world"}`: "unrecognised event (keys: hello)",
		`[1, 2]`:             "not a JSON object",
		`{"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}`:                                                                    `detail-type "Scheduled Event"`,
		`{"Records": [{"eventSource": "aws:kinesis"}]}`:                                                                                               `event source "aws:kinesis"`,
		`{"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": "b"}, "object": {"key": "bad%zzkey"}}}]}`: `Records[0].s3.object.key "bad%zzkey"`,
	} {
		_, err := e.invoke(t, []byte(payload))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", payload, err, want)
		}
	}
}
