package evaluate

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// collect ranges over a source and returns item ids and error texts.
func collect(src Source) (ids []string, errs []string) {
	for ci, err := range src {
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		ids = append(ids, ci.ResourceID)
	}
	return ids, errs
}

func bucketJSON(name string) string {
	return `{"configurationItemVersion":"1.3","configurationItemCaptureTime":"2026-11-20T10:00:00.000Z","configurationItemStatus":"OK",` +
		`"awsAccountId":"111122223333","resourceType":"AWS::S3::Bucket","resourceId":"` + name + `","ARN":"arn:aws:s3:::` + name + `",` +
		`"awsRegion":"eu-west-1","configuration":{"name":"` + name + `"},"supplementaryConfiguration":{}}`
}

func gz(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadShapes(t *testing.T) {
	a, b := bucketJSON("a"), bucketJSON("b")
	tests := []struct {
		reason string
		in     string
		want   []string
	}{
		{"one item", a, []string{"a"}},
		{"snapshot", `{"fileVersion":"1.0","configSnapshotId":"x","configurationItems":[` + a + `,` + b + `]}`, []string{"a", "b"}},
		{"history file (items array before other keys)", `{"configurationItems":[` + a + `],"fileVersion":"1.0"}`, []string{"a"}},
		{"BatchGetResourceConfig output", `{"unprocessedResourceKeys":[],"baseConfigurationItems":[` + b + `]}`, []string{"b"}},
		{"array of items", `[` + a + `,` + b + `]`, []string{"a", "b"}},
		{"items one per line", a + "\n" + b + "\n", []string{"a", "b"}},
		{"a rule event wrapping the item", `{"invokingEvent":` + quote(`{"configurationItem":`+a+`,"messageType":"ConfigurationItemChangeNotification"}`) + `,"ruleParameters":"{}"}`, []string{"a"}},
		{"empty snapshot", `{"fileVersion":"1.0","configurationItems":[]}`, nil},
	}
	for _, tc := range tests {
		ids, errs := collect(Read(strings.NewReader(tc.in), "in.json"))
		if len(errs) > 0 {
			t.Errorf("%s: errors %v", tc.reason, errs)
		}
		if diff := cmp.Diff(tc.want, ids); diff != "" {
			t.Errorf("%s: ids (-want +got):\n%s", tc.reason, diff)
		}
		// The same content gzipped reads the same.
		ids, errs = collect(Read(bytes.NewReader(gz(t, tc.in)), "in.json.gz"))
		if diff := cmp.Diff(tc.want, ids); diff != "" || len(errs) > 0 {
			t.Errorf("%s (gzip): ids (-want +got):\n%s errors %v", tc.reason, diff, errs)
		}
	}
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s))
	b.WriteByte('"')
	return b.String()
}

func TestReadRealFiles(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"snapshot-example.json", []string{"vol-ce676ccc", "i-344c463d"}},
		{"api-history-security-group.json", []string{"sg-6fbb3807"}},
		{"batch-get-custom-resource.json", []string{"resource-001"}},
		{"select-resource-config.json", []string{""}}, // SelectResourceConfig returns what was selected: here no resourceId
		{"rule-event-instance.json", []string{"i-042dd005362091826"}},
	}
	for _, tc := range tests {
		ids, errs := collect(Files(filepath.Join("testdata", tc.file)))
		if len(errs) > 0 {
			t.Errorf("%s: errors %v", tc.file, errs)
		}
		if diff := cmp.Diff(tc.want, ids); diff != "" {
			t.Errorf("%s: ids (-want +got):\n%s", tc.file, diff)
		}
	}
}

// TestBrokenItemAmongGoodOnes: one item with a wrong field type is an error
// naming it; the items around it are still read.
func TestBrokenItemAmongGoodOnes(t *testing.T) {
	broken := strings.Replace(bucketJSON("bad"), `"resourceId":"bad"`, `"resourceId":"bad","tags":"oops"`, 1)
	in := "{\"configurationItems\":[\n" + bucketJSON("a") + ",\n" + broken + ",\n" + bucketJSON("c") + "\n]}"
	var got []string
	var errs []*Error
	for ci, err := range Read(strings.NewReader(in), "snap.json") {
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			errs = append(errs, e)
			continue
		}
		got = append(got, ci.ResourceID)
	}
	if diff := cmp.Diff([]string{"a", "c"}, got); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if len(errs) != 1 {
		t.Fatalf("%d errors, want 1", len(errs))
	}
	e := errs[0]
	if e.Source != "snap.json" || e.Line != 3 || e.Path != "configurationItems[1]" || e.ResourceID != "bad" ||
		!strings.Contains(e.Error(), "tags: want an object, got string") {
		t.Errorf("error %+v (%q): want source snap.json, line 3, path configurationItems[1], resource bad, the field named", e, e)
	}
}

func TestReadFatalErrors(t *testing.T) {
	full := `{"configurationItems":[` + bucketJSON("a") + `,` + bucketJSON("b") + `]}`
	// A gzip stream decodes in blocks: make it long enough that a cut
	// leaves whole items before it.
	var long strings.Builder
	long.WriteString(`{"configurationItems":[`)
	for i := range 400 {
		if i > 0 {
			long.WriteByte(',')
		}
		long.WriteString(bucketJSON(fmt.Sprintf("b%03d", i)))
	}
	long.WriteString("]}")
	zipped := gz(t, long.String())
	tests := []struct {
		reason   string
		in       []byte
		wantIDs  []string
		wantErrs string
	}{
		{"truncated gzip keeps what came before", zipped[:len(zipped)/2], nil, "unexpected EOF"},
		{"JSON cut in the middle", []byte(full[:len(full)-40]), []string{"a"}, "unexpected end of input"},
		{"mismatched bracket", []byte(`{"configurationItems":[` + bucketJSON("a") + `,{"x":[}]}`), []string{"a"}, "mismatched"},
		{"not JSON", []byte("hello"), nil, `found 'h': want a configuration item`},
		{"empty", []byte(""), nil, "empty input"},
		{"JSON of another kind", []byte(`{"Records":[]}`), nil, "not a configuration item, snapshot or history file (keys: Records)"},
		{"an oversized notification", []byte(`{"configurationItemSummary":{"resourceType":"AWS::EC2::Instance"},"messageType":"OversizedConfigurationItemChangeNotification"}`), nil, "GetResourceConfigHistory"},
	}
	for _, tc := range tests {
		ids, errs := collect(Read(bytes.NewReader(tc.in), "f.json"))
		if strings.HasPrefix(tc.reason, "truncated gzip") {
			if len(ids) == 0 {
				t.Errorf("%s: no items before the cut", tc.reason)
				continue
			}
			// Some whole items before the cut, in order, none after it.
			if len(ids) >= 400 || ids[0] != "b000" || ids[len(ids)-1] != fmt.Sprintf("b%03d", len(ids)-1) {
				t.Errorf("%s: ids %v", tc.reason, ids)
			}
			ids = nil
		}
		if diff := cmp.Diff(tc.wantIDs, ids); diff != "" {
			t.Errorf("%s: ids (-want +got):\n%s", tc.reason, diff)
		}
		if len(errs) != 1 || !strings.Contains(errs[0], tc.wantErrs) || !strings.HasPrefix(errs[0], "f.json") {
			t.Errorf("%s: errors %q, want one naming f.json and containing %q", tc.reason, errs, tc.wantErrs)
		}
	}
}

func TestFilesWalksDirectories(t *testing.T) {
	dir := t.TempDir()
	write := func(rel string, data []byte) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("b/two.json.gz", gz(t, `{"configurationItems":[`+bucketJSON("two")+`]}`))
	write("a/one.json", []byte(bucketJSON("one")))
	write("a/notes.md", []byte("# not data"))
	write("c/three.yaml", []byte("Resources: {}"))
	write("z/broken.json", []byte(`{"configurationItems":[`))
	ids, errs := collect(Files(dir))
	if diff := cmp.Diff([]string{"one", "two"}, ids); diff != "" {
		t.Errorf("ids in lexical file order (-want +got):\n%s", diff)
	}
	if len(errs) != 1 || !strings.Contains(errs[0], "broken.json") {
		t.Errorf("errors %q, want one naming broken.json (YAML and Markdown no format claims are skipped)", errs)
	}
	// A file named explicitly that is not Config data is an error.
	_, errs = collect(Files(filepath.Join(dir, "c/three.yaml")))
	if len(errs) != 1 {
		t.Errorf("explicit non-Config file: errors %q, want one", errs)
	}
	// Ranging twice reads the files twice.
	ids, _ = collect(Files(filepath.Join(dir, "a")))
	again, _ := collect(Files(filepath.Join(dir, "a")))
	if !cmp.Equal(ids, again) || len(ids) != 1 {
		t.Errorf("ranging twice: %v then %v", ids, again)
	}
}

// TestStopEarly checks that breaking out of a range stops reading.
func TestStopEarly(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"configurationItems":[`)
	for i := range 5000 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(bucketJSON("x"))
	}
	b.WriteString("]}")
	n := 0
	for range Read(strings.NewReader(b.String()), "big") {
		n++
		if n == 10 {
			break
		}
	}
	if n != 10 {
		t.Errorf("read %d items after break, want 10", n)
	}
}

func TestReaderTypesSkipsOthers(t *testing.T) {
	dir := t.TempDir()
	vpc := strings.NewReplacer(`"AWS::S3::Bucket"`, `"AWS::EC2::VPC"`, `"resourceId":"v"`, `"resourceId":"v"`).Replace(bucketJSON("v"))
	broken := strings.Replace(bucketJSON("bad"), `"tags"`, `"x"`, 1) + `,{"resourceType":"AWS::EC2::VPC","resourceId":5}`
	snap := `{"configurationItems":[` + bucketJSON("a") + `,` + vpc + `,` + broken + `]}`
	if err := os.WriteFile(filepath.Join(dir, "s.json"), []byte(snap), 0o644); err != nil {
		t.Fatal(err)
	}
	ids, errs := collect(Reader{Types: []string{"AWS::EC2::VPC"}}.Files(dir))
	if diff := cmp.Diff([]string{"v"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if len(errs) != 1 || !strings.Contains(errs[0], "resourceId: want a string") {
		t.Errorf("errors %q: want the broken VPC item reported", errs)
	}
}
