package jsonscan

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// values reads every top-level value of in, one byte at a time when slow is
// set, so that every refill path is exercised.
func values(in string, slow bool) ([]string, []int, error) {
	var r io.Reader = strings.NewReader(in)
	if slow {
		r = iotest.OneByteReader(r)
	}
	s := NewScanner(r)
	s.buf = make([]byte, 4) // force growth and shifting
	var out []string
	var lines []int
	for {
		if _, err := s.Peek(); err == io.EOF {
			return out, lines, nil
		} else if err != nil {
			return out, lines, err
		}
		lines = append(lines, s.Line())
		v, err := s.Value(nil)
		if err != nil {
			return out, lines, err
		}
		out = append(out, string(v))
	}
}

func TestValue(t *testing.T) {
	tests := []struct {
		reason string
		in     string
		want   []string
		lines  []int
	}{
		{"object", `{"a":1}`, []string{`{"a":1}`}, []int{1}},
		{"escaped quotes and backslashes", `"a\"b\\" "c\\\"d"`, []string{`"a\"b\\"`, `"c\\\"d"`}, []int{1, 1}},
		{"brackets inside strings", `{"a":"}]{["}`, []string{`{"a":"}]{["}`}, []int{1}},
		{"json lines", "{\"a\":1}\n{\"b\":[1,2]}\n", []string{`{"a":1}`, `{"b":[1,2]}`}, []int{1, 2}},
		{"scalars", "1 true\nnull -2.5e3", []string{"1", "true", "null", "-2.5e3"}, []int{1, 1, 2, 2}},
		{"nested and pretty", "[\n {\n  \"x\": [[]]\n }\n]", []string{"[\n {\n  \"x\": [[]]\n }\n]"}, []int{1}},
		{"unicode", `"héllo ✓"`, []string{`"héllo ✓"`}, []int{1}},
	}
	for _, tc := range tests {
		for _, slow := range []bool{false, true} {
			got, lines, err := values(tc.in, slow)
			if err != nil {
				t.Errorf("%s (slow=%v): %v", tc.reason, slow, err)
				continue
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s (slow=%v): values (-want +got):\n%s", tc.reason, slow, diff)
			}
			if diff := cmp.Diff(tc.lines, lines); diff != "" {
				t.Errorf("%s (slow=%v): lines (-want +got):\n%s", tc.reason, slow, diff)
			}
		}
	}
}

func TestValueErrors(t *testing.T) {
	tests := []struct {
		reason string
		in     string
		want   string
	}{
		{"truncated object", `{"a": [1, 2`, "line 1 (byte 11): unexpected end of input inside a value"},
		{"truncated string", "\n\"abc", "line 2 (byte 5): unexpected end of input inside a value"},
		{"mismatched", `{"a": [1}`, "line 1 (byte 8): mismatched '}', want ']'"},
		{"stray closer", `}`, "line 1 (byte 0): unexpected '}'"},
	}
	for _, tc := range tests {
		_, _, err := values(tc.in, false)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%s: error %v, want a *SyntaxError", tc.reason, err)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("%s: error %q, want %q", tc.reason, err, tc.want)
		}
	}
}

func TestNavigation(t *testing.T) {
	in := `{"fileVersion": "1.0", "configurationItems": [{"a": 1}, {"b": "x,y"}], "tail": null}`
	s := NewScanner(strings.NewReader(in))
	if err := s.Expect('{'); err != nil {
		t.Fatal(err)
	}
	var keys, items []string
	for first := true; ; first = false {
		more, err := s.More(first, '}')
		if err != nil {
			t.Fatal(err)
		}
		if !more {
			break
		}
		k, err := s.Key()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
		if k != "configurationItems" {
			if err := s.Skip(); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := s.Expect('['); err != nil {
			t.Fatal(err)
		}
		for first := true; ; first = false {
			more, err := s.More(first, ']')
			if err != nil {
				t.Fatal(err)
			}
			if !more {
				break
			}
			v, err := s.Value(nil)
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(v) {
				t.Errorf("item %q is not valid JSON", v)
			}
			items = append(items, string(v))
		}
	}
	if diff := cmp.Diff([]string{"fileVersion", "configurationItems", "tail"}, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{`{"a": 1}`, `{"b": "x,y"}`}, items); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
}

// FuzzValue checks that the scanner never panics and that whatever it
// splits out of valid JSON is exactly that JSON.
func FuzzValue(f *testing.F) {
	for _, s := range []string{`{"a":[1,"]"]}`, `"x\"y"`, `[1,2,{"k":null}]`, `12`, `{"a":`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s := NewScanner(strings.NewReader(in))
		v, err := s.Value(nil)
		if err != nil {
			return
		}
		if json.Valid([]byte(in)) && strings.TrimSpace(in) != string(v) {
			if _, perr := s.Peek(); perr == io.EOF {
				t.Errorf("valid input %q split as %q", in, v)
			}
		}
	})
}

func BenchmarkValue(b *testing.B) {
	item := `{"configurationItemVersion":"1.3","resourceType":"AWS::S3::Bucket","configuration":{"name":"b","owner":{"id":"abc"}},"supplementaryConfiguration":{"BucketPolicy":{"policyText":"{\"Version\":\"2012-10-17\",\"Statement\":[]}"}},"tags":{"a":"b"}}`
	doc := "[" + strings.Repeat(item+",", 999) + item + "]"
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		s := NewScanner(strings.NewReader(doc))
		if err := s.Expect('['); err != nil {
			b.Fatal(err)
		}
		var buf []byte
		for first := true; ; first = false {
			more, err := s.More(first, ']')
			if err != nil {
				b.Fatal(err)
			}
			if !more {
				break
			}
			buf, err = s.Value(buf[:0])
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func TestTopLevelString(t *testing.T) {
	tests := []struct {
		reason, in, key, want string
		ok                    bool
	}{
		{"after nested members of the same name", `{"relationships":[{"resourceType":"AWS::EC2::VPC"}],"x":{"resourceType":"no"},"resourceType":"AWS::S3::Bucket"}`, "resourceType", "AWS::S3::Bucket", true},
		{"escaped quotes before", `{"a":"say \"resourceType\": x","resourceType" : "T"}`, "resourceType", "T", true},
		{"numbers and literals", `{"n":12.5e3,"b":true,"z":null,"resourceType":"T"}`, "resourceType", "T", true},
		{"not a string", `{"resourceType":5}`, "resourceType", "", false},
		{"absent", `{"a":1}`, "resourceType", "", false},
		{"not an object", `[1]`, "resourceType", "", false},
		{"truncated", `{"a":"x`, "resourceType", "", false},
	}
	for _, tc := range tests {
		got, ok := TopLevelString([]byte(tc.in), tc.key)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: got %q, %v; want %q, %v", tc.reason, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzTopLevelString(f *testing.F) {
	f.Add(`{"relationships":[{"resourceType":"x"}],"resourceType":"T"}`)
	f.Add(`{"a":"\\\"","resourceType":"T"}`)
	f.Fuzz(func(t *testing.T, in string) {
		got, ok := TopLevelString([]byte(in), "resourceType")
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(in), &m) != nil {
			return
		}
		raw, has := m["resourceType"]
		var s string
		isString := has && json.Unmarshal(raw, &s) == nil && len(raw) > 0 && raw[0] == '"'
		if isString && !strings.Contains(string(raw), `\`) && (!ok || got != s) {
			// Duplicate keys: encoding/json keeps the last, this the first.
			if strings.Count(in, `"resourceType"`) == 1 {
				t.Errorf("%q: got %q, %v; want %q", in, got, ok, s)
			}
		}
	})
}
