package watch

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// benchRecords is the length of the generated log stream.
const benchRecords = 1_000_000

// template is one generated record, split around its eventID so that every
// generated record has its own.
type template struct{ before, after []byte }

// templates builds the records of the generated stream from the real
// records of testdata: the shape of each is a real one, with the event
// name, read-only flag and parameters set. weights gives how many of every
// 100 records each kind is.
func templates(tb testing.TB, worstCase bool) []template {
	tb.Helper()
	base := func(file string, i int) map[string]any {
		var recs []map[string]any
		data, err := os.ReadFile(filepath.Join("testdata", "realdata", "stratus-red-team", file))
		if err != nil {
			tb.Fatal(err)
		}
		if err := json.Unmarshal(data, &recs); err != nil {
			tb.Fatal(err)
		}
		return recs[i]
	}
	type kind struct {
		weight   int
		watched  bool // a call a detection looks at
		source   string
		name     string
		readOnly any // true, false, or nil for records that do not say
		params   any
	}
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
	kinds := []kind{
		// Read-only management calls, flagged.
		{25, false, "ec2.amazonaws.com", "DescribeInstances", true, map[string]any{"instancesSet": map[string]any{}, "filterSet": map[string]any{"items": []any{map[string]any{"name": "tag:team", "valueSet": map[string]any{"items": []any{map[string]any{"value": "data"}}}}}}}},
		{15, false, "kms.amazonaws.com", "Decrypt", true, map[string]any{"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": map[string]any{"aws:lambda:FunctionArn": "arn:aws:lambda:eu-west-1:111122223333:function:f"}}},
		{10, false, "iam.amazonaws.com", "GetRole", true, map[string]any{"roleName": "app"}},
		// S3 data events.
		{15, false, "s3.amazonaws.com", "GetObject", true, map[string]any{"bucketName": "data", "key": "reports/2026/11/20.csv", "Host": "data.s3.eu-west-1.amazonaws.com"}},
		// Writes no detection looks at.
		{6, false, "sts.amazonaws.com", "AssumeRole", false, map[string]any{"roleArn": "arn:aws:iam::111122223333:role/app", "roleSessionName": "s", "durationSeconds": 3600}},
		{4, false, "s3.amazonaws.com", "PutObject", false, map[string]any{"bucketName": "data", "key": "in/x.json", "Host": "data.s3.eu-west-1.amazonaws.com"}},
		// Records older than readOnly: skipped by name.
		{8, false, "ec2.amazonaws.com", "DescribeSecurityGroups", nil, map[string]any{"securityGroupSet": map[string]any{}, "securityGroupIdSet": map[string]any{}}},
		// Watched calls that weaken nothing (the S3 ones are INFORMATIONAL).
		{4, true, "s3.amazonaws.com", "PutBucketTagging", false, map[string]any{"bucketName": "data", "tagging": "", "Host": "data.s3.eu-west-1.amazonaws.com"}},
		{3, true, "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", false, map[string]any{"groupId": "sg-0123456789abcdef0", "ipPermissions": map[string]any{"items": []any{map[string]any{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "groups": map[string]any{}, "ipRanges": map[string]any{"items": []any{map[string]any{"cidrIp": "10.0.0.0/8"}}}, "ipv6Ranges": map[string]any{}, "prefixListIds": map[string]any{}}}}}},
		{3, true, "rds.amazonaws.com", "ModifyDBInstance", false, map[string]any{"dBInstanceIdentifier": "db", "allocatedStorage": 200, "applyImmediately": true}},
		{2, true, "cloudtrail.amazonaws.com", "UpdateTrail", false, map[string]any{"name": "main", "s3BucketName": "trail-logs"}},
		// Changes that weaken protection.
		{1, true, "s3.amazonaws.com", "PutBucketPolicy", false, map[string]any{"bucketName": "b", "bucketPolicy": json.RawMessage(public), "policy": []any{""}}},
		{1, true, "cloudtrail.amazonaws.com", "StopLogging", false, map[string]any{"name": "main"}},
		{1, true, "iam.amazonaws.com", "AttachUserPolicy", false, map[string]any{"userName": "u", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}},
		{1, true, "ec2.amazonaws.com", "DeleteFlowLogs", false, map[string]any{"DeleteFlowLogsRequest": map[string]any{"FlowLogId": map[string]any{"content": "fl-1", "tag": 1}}}},
		{1, true, "kms.amazonaws.com", "DisableKeyRotation", false, map[string]any{"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}},
	}
	var out []template
	total := 0
	for _, k := range kinds {
		if worstCase && !k.watched {
			continue
		}
		total += k.weight
		rec := base("aws.defense-evasion.cloudtrail-stop.json", 0)
		rec["eventSource"], rec["eventName"], rec["requestParameters"] = k.source, k.name, k.params
		if k.readOnly == nil {
			delete(rec, "readOnly")
			delete(rec, "managementEvent")
			delete(rec, "eventCategory")
			rec["eventVersion"] = "1.03"
		} else {
			rec["readOnly"] = k.readOnly
		}
		rec["eventID"] = "@ID@"
		b, err := json.Marshal(rec)
		if err != nil {
			tb.Fatal(err)
		}
		before, after, _ := bytes.Cut(b, []byte("@ID@"))
		for range k.weight {
			out = append(out, template{before, after})
		}
	}
	if !worstCase && total != 100 {
		tb.Fatalf("weights add up to %d, not 100", total)
	}
	return out
}

// genStream is a log file of n records, {"Records": [...]}, generated as it
// is read: the same bytes for every reader, at memory-copy cost.
type genStream struct {
	tpl  []template
	n, i int
	buf  []byte
	off  int
	done bool
}

func newGenStream(tpl []template, n int) *genStream {
	return &genStream{tpl: tpl, n: n, buf: []byte(`{"Records":[`)}
}

func (g *genStream) Read(p []byte) (int, error) {
	total := 0
	for len(p) > 0 {
		if g.off == len(g.buf) {
			if g.done {
				break
			}
			g.buf, g.off = g.buf[:0], 0
			switch {
			case g.i == g.n:
				g.buf = append(g.buf, "]}\n"...)
				g.done = true
			default:
				if g.i > 0 {
					g.buf = append(g.buf, ",\n"...)
				}
				t := g.tpl[g.i%len(g.tpl)]
				g.buf = append(g.buf, t.before...)
				g.buf = append(g.buf, "00000000-0000-4000-8000-"...)
				id := strconv.AppendInt(nil, int64(g.i), 10)
				for range 12 - len(id) {
					g.buf = append(g.buf, '0')
				}
				g.buf = append(g.buf, id...)
				g.buf = append(g.buf, t.after...)
				g.i++
			}
		}
		n := copy(p, g.buf[g.off:])
		g.off += n
		p = p[n:]
		total += n
	}
	if total == 0 && g.done {
		return 0, io.EOF
	}
	return total, nil
}

// streamSize is the byte length of a generated stream.
func streamSize(tpl []template, n int) int64 {
	size, _ := io.Copy(io.Discard, newGenStream(tpl, n))
	return size
}

// floorRecord is what the floor decodes: the least any filter must read.
type floorRecord struct {
	EventSource       string          `json:"eventSource"`
	EventName         string          `json:"eventName"`
	RequestParameters json.RawMessage `json:"requestParameters"`
}

// decodeFloor streams the records into floorRecord with encoding/json.
func decodeFloor(r io.Reader) (int, error) {
	dec := json.NewDecoder(r)
	for _, want := range []string{"{", "Records", "["} {
		tok, err := dec.Token()
		if err != nil || fmt.Sprint(tok) != want {
			return 0, fmt.Errorf("token %v %v, want %s", tok, err, want)
		}
	}
	n := 0
	var rec floorRecord
	for dec.More() {
		rec = floorRecord{}
		if err := dec.Decode(&rec); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// BenchmarkDecodeFloor is the floor: decoding the generated stream of a
// million records into {eventSource, eventName, raw requestParameters}
// with encoding/json, on one goroutine.
func BenchmarkDecodeFloor(b *testing.B) {
	for _, worst := range []bool{false, true} {
		b.Run(mixName(worst), func(b *testing.B) {
			tpl := templates(b, worst)
			b.SetBytes(streamSize(tpl, benchRecords))
			for b.Loop() {
				n, err := decodeFloor(newGenStream(tpl, benchRecords))
				if err != nil || n != benchRecords {
					b.Fatalf("%d records, %v", n, err)
				}
			}
			b.ReportMetric(float64(benchRecords)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

func mixName(worst bool) string {
	if worst {
		return "all-watched"
	}
	return "typical-mix"
}

// BenchmarkWatch reads the same stream through a session: split, skip
// read-only and unwatched calls from one pass over their bytes, decode and
// judge the rest, dedupe, report.
func BenchmarkWatch(b *testing.B) {
	for _, worst := range []bool{false, true} {
		b.Run(mixName(worst), func(b *testing.B) {
			tpl := templates(b, worst)
			b.SetBytes(streamSize(tpl, benchRecords))
			w, err := New()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			findings := 0
			for b.Loop() {
				sess := w.NewSession()
				findings = 0
				for _, err := range sess.Read(context.Background(), newGenStream(tpl, benchRecords), "generated") {
					if err != nil {
						b.Fatal(err)
					}
					findings++
				}
				if st := sess.Stats(); st.Records != benchRecords {
					b.Fatalf("%d records read", st.Records)
				}
			}
			b.ReportMetric(float64(benchRecords)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(findings), "findings")
		})
	}
}

// peakHeap samples the live heap (as marked by each garbage collection)
// while fn runs and returns its peak.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	return peak.Load()
}

// writeGzipLog writes a gzip log file of n generated records.
func writeGzipLog(tb testing.TB, path string, n int) int64 {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	zw, _ := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	if _, err := io.Copy(zw, newGenStream(templates(tb, false), n)); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		tb.Fatal(err)
	}
	st, _ := f.Stat()
	return st.Size()
}

// BenchmarkPeakMemory reports the peak live heap while a session reads
// gzip log files of growing size from disk, and many files in a row: it
// stays flat, since one record at a time is held.
func BenchmarkPeakMemory(b *testing.B) {
	dir := b.TempDir()
	for _, tc := range []struct {
		name    string
		records int
		files   int
	}{
		{"1-file-10k-records", 10_000, 1},
		{"1-file-2M-records", 2 * benchRecords, 1},
		{"100-files-10k-records", 10_000, 100},
	} {
		path := filepath.Join(dir, fmt.Sprintf("%d.json.gz", tc.records))
		var gzSize int64
		if _, err := os.Stat(path); err != nil {
			gzSize = writeGzipLog(b, path, tc.records)
		} else {
			st, _ := os.Stat(path)
			gzSize = st.Size()
		}
		b.Run(tc.name, func(b *testing.B) {
			w, _ := New()
			var peak uint64
			for b.Loop() {
				p := peakHeap(func() {
					sess := w.NewSession()
					for range tc.files {
						f, err := os.Open(path)
						if err != nil {
							b.Fatal(err)
						}
						for _, err := range sess.Read(context.Background(), f, path) {
							if err != nil {
								b.Fatal(err)
							}
						}
						f.Close()
					}
				})
				peak = max(peak, p)
			}
			b.ReportMetric(float64(gzSize)/(1<<20), "gzip-MB/file")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}

// BenchmarkVersusFloor times the floor and the watcher on the same stream
// in each iteration, one after the other, and reports the ratio of their
// times: on a shared machine whose load drifts, the ratio of neighbouring
// runs is steadier than two separate benchmarks.
func BenchmarkVersusFloor(b *testing.B) {
	for _, worst := range []bool{false, true} {
		b.Run(mixName(worst), func(b *testing.B) {
			tpl := templates(b, worst)
			w, err := New()
			if err != nil {
				b.Fatal(err)
			}
			var floor, ours time.Duration
			for b.Loop() {
				start := time.Now()
				if n, err := decodeFloor(newGenStream(tpl, benchRecords)); err != nil || n != benchRecords {
					b.Fatalf("floor: %d records, %v", n, err)
				}
				mid := time.Now()
				sess := w.NewSession()
				for _, err := range sess.Read(context.Background(), newGenStream(tpl, benchRecords), "generated") {
					if err != nil {
						b.Fatal(err)
					}
				}
				floor += mid.Sub(start)
				ours += time.Since(mid)
			}
			b.ReportMetric(floor.Seconds()/float64(b.N), "floor-s")
			b.ReportMetric(ours.Seconds()/float64(b.N), "watch-s")
			b.ReportMetric(ours.Seconds()/floor.Seconds(), "ratio")
		})
	}
}
