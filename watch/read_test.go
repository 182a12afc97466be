package watch_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/guardrails-go/guardrails/watch"
)

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// logFile wraps records as CloudTrail delivers them: {"Records": [...]}.
func logFile(t testing.TB, records ...json.RawMessage) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"Records": records})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// stratusRecords are the real records of Stratus Red Team's detonations.
func stratusRecords(t testing.TB) []json.RawMessage {
	t.Helper()
	var all []json.RawMessage
	files, _ := filepath.Glob(filepath.Join("testdata", "realdata", "stratus-red-team", "*.json"))
	for _, f := range files {
		var recs []json.RawMessage
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &recs); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		all = append(all, recs...)
	}
	if len(all) < 10 {
		t.Fatalf("only %d Stratus records", len(all))
	}
	return all
}

type readResult struct {
	EventIDs []string
	Errors   []string
}

func readAll(t *testing.T, data []byte, name string) readResult {
	t.Helper()
	var r readResult
	for rec, err := range watch.Records(bytes.NewReader(data), name) {
		if err != nil {
			r.Errors = append(r.Errors, err.Error())
			continue
		}
		r.EventIDs = append(r.EventIDs, rec.EventID)
	}
	return r
}

func TestRecordsContainers(t *testing.T) {
	stratus := stratusRecords(t)
	ids := func(recs []json.RawMessage) []string {
		var out []string
		for _, r := range recs {
			var x struct {
				EventID string `json:"eventID"`
			}
			json.Unmarshal(r, &x)
			out = append(out, x.EventID)
		}
		return out
	}
	eventbridge := readFile(t, "realdata/cloud-custodian/event-cloud-trail-s3.json")
	var compact bytes.Buffer
	json.Compact(&compact, eventbridge)
	jsonLines := bytes.Join([][]byte{compact.Bytes(), compact.Bytes()}, []byte("\n"))

	for _, tc := range []struct {
		reason string
		data   []byte
		want   readResult
	}{
		{"a log file as delivered: gzip of {\"Records\": [...]}", gz(t, logFile(t, stratus...)), readResult{EventIDs: ids(stratus)}},
		{"a plain log file", logFile(t, stratus[:2]...), readResult{EventIDs: ids(stratus[:2])}},
		{"a JSON array of records (Stratus Red Team's dumps)", readFile(t, "realdata/stratus-red-team/aws.persistence.iam-create-admin-user.json"),
			readResult{EventIDs: []string{"083dc4ad-e264-46bc-a407-d0dd31b58bdc", "94faedcc-0fa4-46e6-9322-022e8e934f04", "3346344c-5a3e-429e-8405-420f98f75d6e"}}},
		{"an EventBridge event: the record is its detail", eventbridge, readResult{EventIDs: []string{"80486b96-9f31-441e-b4e2-b85a4e520a07"}}},
		{"EventBridge events as JSON lines", jsonLines, readResult{EventIDs: []string{"80486b96-9f31-441e-b4e2-b85a4e520a07", "80486b96-9f31-441e-b4e2-b85a4e520a07"}}},
		{"a single record (the KMS guide's)", readFile(t, "realdata/aws-kms-developer-guide/ct-disable-key-rotation.json"), readResult{EventIDs: []string{"6313164c-83aa-4cc3-9e1a-b7c426f7a5b1"}}},
		{"a digest file holds no records: skipped", readFile(t, "realdata/aws-cloudtrail-user-guide/digest-file.json"), readResult{}},
		{"an empty digest file", gz(t, readFile(t, "realdata/aws-cloudtrail-user-guide/digest-file-empty.json")), readResult{}},
		{"an S3 test event: skipped", []byte(`{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-20T10:00:00.000Z","Bucket":"trail-logs","RequestId":"R","HostId":"H"}`), readResult{}},
		{"Insights events are not API calls: skipped", readFile(t, "realdata/aws-cloudtrail-user-guide/log-file-insights.json"), readResult{}},
		{"an S3 event notification is not a log file", readFile(t, "realdata/aws-lambda-go/s3-event.json"),
			readResult{Errors: []string{"s3-event.json: line 3: not a CloudTrail log file or event: an S3 event notification record (it names a new object; the log file is that object)"}}},
		{"CloudTrail's SNS notice names log files but holds none", readFile(t, "realdata/aws-cloudtrail-user-guide/sns-notification-message.json"),
			readResult{Errors: []string{"sns.json: line 1: not a CloudTrail log file or event: a CloudTrail SNS delivery notice, which names log files but holds no records"}}},
		{"an EventBridge event of another kind", []byte(`{"detail-type":"Config Configuration Item Change","source":"aws.config","detail":{}}`),
			readResult{Errors: []string{`x.json: line 1: not a CloudTrail log file or event: an EventBridge event of detail-type "Config Configuration Item Change"`}}},
		{"an empty file", nil, readResult{Errors: []string{"x.json: not a CloudTrail log file or event: the file is empty"}}},
		{"not JSON", []byte("Records,eventName\n"), readResult{Errors: []string{`x.json: line 1: byte 0: found 'R': want a CloudTrail log file or event (JSON)`}}},
		{"JSON of another kind", []byte(`{"configurationItems": []}`), readResult{Errors: []string{"x.json: line 1: not a CloudTrail log file or event (keys: configurationItems)"}}},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			name := "x.json"
			switch {
			case strings.Contains(tc.reason, "S3 event notification"):
				name = "s3-event.json"
			case strings.Contains(tc.reason, "SNS notice"):
				name = "sns.json"
			}
			got := readAll(t, tc.data, name)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// A record that cannot be decoded is an error naming it; the records
// after it are still read.
func TestRecordsBadRecordIsReportedAndReadingGoesOn(t *testing.T) {
	stratus := stratusRecords(t)
	bad := json.RawMessage(`{"eventVersion":"1.09","eventID":"bad-1","eventName":"DeleteTrail","eventSource":"cloudtrail.amazonaws.com","eventTime":5,"requestParameters":{"name":"t"}}`)
	data := logFile(t, stratus[0], bad, stratus[1])
	var ids []string
	var errs []error
	for rec, err := range watch.Records(bytes.NewReader(data), "s3://logs/AWSLogs/x.json.gz") {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, rec.EventID)
	}
	if len(ids) != 2 || len(errs) != 1 {
		t.Fatalf("got %d records and errors %v, want 2 records and 1 error", len(ids), errs)
	}
	var we *watch.Error
	if !errors.As(errs[0], &we) || we.Record != 1 || we.EventID != "bad-1" {
		t.Fatalf("error %#v, want *watch.Error for record 1, eventID bad-1", errs[0])
	}
	want := "s3://logs/AWSLogs/x.json.gz: record 1 (line 1) DeleteTrail eventID bad-1: eventTime: want a string, found JSON number"
	if errs[0].Error() != want {
		t.Errorf("error\n %q\nwant\n %q", errs[0], want)
	}
}

// A truncated gzip file is an error naming the file; the records read
// before the cut are kept.
func TestRecordsTruncatedGzip(t *testing.T) {
	stratus := stratusRecords(t)
	full := gz(t, logFile(t, stratus...))
	cut := full[:len(full)*2/3]
	got := readAll(t, cut, "s3://logs/a.json.gz")
	if len(got.EventIDs) == 0 || len(got.EventIDs) >= len(stratus) {
		t.Errorf("%d records before the cut, want some but not all %d", len(got.EventIDs), len(stratus))
	}
	if len(got.Errors) != 1 || !strings.HasPrefix(got.Errors[0], "s3://logs/a.json.gz: ") || !strings.Contains(got.Errors[0], "unexpected EOF") {
		t.Errorf("errors %q, want one naming the file and the unexpected end", got.Errors)
	}
	// Not even a gzip header.
	got = readAll(t, full[:5], "s3://logs/b.json.gz")
	if len(got.Errors) != 1 || !strings.Contains(got.Errors[0], "s3://logs/b.json.gz: gzip:") {
		t.Errorf("errors %q, want a gzip error naming the file", got.Errors)
	}
}

func TestRecordLocations(t *testing.T) {
	data := readFile(t, "realdata/stratus-red-team/aws.persistence.iam-create-admin-user.json")
	var locs []watch.Location
	for rec, err := range watch.Records(bytes.NewReader(data), "admin.json") {
		if err != nil {
			t.Fatal(err)
		}
		locs = append(locs, rec.Location)
	}
	want := []watch.Location{{Source: "admin.json", Index: 0, Line: 2}, {Source: "admin.json", Index: 1, Line: 36}, {Source: "admin.json", Index: 2, Line: 76}}
	if diff := cmp.Diff(want, locs); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// Files reads directories recursively in lexical order, skips digest
// files, and names a missing path.
func TestSessionFiles(t *testing.T) {
	dir := t.TempDir()
	stratus := stratusRecords(t)
	day := filepath.Join(dir, "AWSLogs", "111122223333", "CloudTrail", "eu-west-1", "2026", "11", "20")
	digest := filepath.Join(dir, "AWSLogs", "111122223333", "CloudTrail-Digest", "eu-west-1", "2026", "11", "20")
	config := filepath.Join(dir, "AWSLogs", "111122223333", "Config", "eu-west-1", "2026", "11", "20", "ConfigSnapshot")
	for _, d := range []string{day, digest, config} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(path string, b []byte) {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(day, "b_CloudTrail_eu-west-1_20261120T1005Z_b.json.gz"), gz(t, logFile(t, stratus[4:]...)))
	write(filepath.Join(day, "a_CloudTrail_eu-west-1_20261120T1000Z_a.json.gz"), gz(t, logFile(t, stratus[:4]...)))
	write(filepath.Join(day, "notes.txt"), []byte("not read"))
	write(filepath.Join(digest, "d_CloudTrail-Digest_eu-west-1_t_eu-west-1_20261120T1100Z.json.gz"), gz(t, readFile(t, "realdata/aws-cloudtrail-user-guide/digest-file.json")))
	// AWS Config delivers to the same bucket in shared log archives.
	write(filepath.Join(config, "111122223333_Config_eu-west-1_ConfigSnapshot_20261120T100000Z_x.json.gz"), gz(t, []byte(`{"fileVersion":"1.0","configurationItems":[]}`)))

	w, err := watch.New()
	if err != nil {
		t.Fatal(err)
	}
	sess := w.NewSession()
	var sources []string
	var errs []string
	for f, err := range sess.Files(context.Background(), dir, filepath.Join(dir, "missing")) {
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		sources = append(sources, filepath.Base(f.Location.Source)+" "+f.EventName)
	}
	wantSources := []string{
		"a_CloudTrail_eu-west-1_20261120T1000Z_a.json.gz DeleteTrail",
		"a_CloudTrail_eu-west-1_20261120T1000Z_a.json.gz PutEventSelectors",
		"a_CloudTrail_eu-west-1_20261120T1000Z_a.json.gz StopLogging",
		"a_CloudTrail_eu-west-1_20261120T1000Z_a.json.gz DeleteFlowLogs",
	}
	if diff := cmp.Diff(wantSources, sources[:4]); diff != "" {
		t.Errorf("first findings, in file order (-want +got):\n%s", diff)
	}
	if len(errs) != 1 || !strings.Contains(errs[0], "missing: stat: no such file or directory") {
		t.Errorf("errors %q, want one for the missing path", errs)
	}
	st := sess.Stats()
	if st.Files != 4 || st.SkippedFiles != 2 || st.Records != len(stratus) || st.Findings != len(sources) {
		t.Errorf("stats %+v: want 4 files (2 skipped), %d records, %d findings", st, len(stratus), len(sources))
	}
}

func TestSkipKey(t *testing.T) {
	for key, want := range map[string]string{
		"AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20/111122223333_CloudTrail_eu-west-1_20261120T1000Z_a.json.gz":            "",
		"trail/AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/eu-west-1/2026/11/20/x.json.gz":                                          "",
		"AWSLogs/111122223333/CloudTrail-Insight/eu-west-1/2026/11/20/x.json.gz":                                                     "",
		"AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/20/111122223333_CloudTrail-Digest_eu-west-1_t_eu-west-1_x.json.gz": "a CloudTrail digest file",
		"AWSLogs/o-a1b2c3d4e5/111122223333/Config/eu-west-1/2026/11/20/ConfigHistory/x.json.gz":                                      "delivered by Config, not CloudTrail",
		"AWSLogs/111122223333/vpcflowlogs/eu-west-1/2026/11/20/x.log.gz":                                                             "delivered by vpcflowlogs, not CloudTrail",
		"AWSLogs/111122223333/":                       "a folder marker",
		"exports/2026-11-20/cloudtrail.jsonl.gz":      "",
		"AWSLogs/111122223333/ConfigWritabilityCheck": "",
	} {
		skip, why := watch.SkipKey(key)
		if skip != (want != "") || why != want {
			t.Errorf("SkipKey(%q) = %v %q, want %q", key, skip, why, want)
		}
	}
}
