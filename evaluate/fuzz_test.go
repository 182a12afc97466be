package evaluate

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// FuzzDecodeItem decodes arbitrary bytes as an item: it must never panic,
// and an item it accepts must survive writing and reading back unchanged.
// Seeds are items of both shapes.
func FuzzDecodeItem(f *testing.F) {
	for _, name := range []string{"notification-s3-bucket.json", "api-s3-bucket.json"} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte(bucketJSON("b")))
	f.Add([]byte(`{"resourceType":"AWS::S3::Bucket","configuration":"{\"a\":1}","supplementaryConfiguration":{"X":"\"{\\\"y\\\":2}\""},"configurationStateId":12,"configurationItemCaptureTime":1569605832.673}`))
	f.Add([]byte(`{"configurationItemStatus":"ResourceDeleted","configuration":null,"relationships":[{"resourceName":null,"relationshipName":"x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ci, err := DecodeItem(data)
		if err != nil {
			return
		}
		out, err := json.Marshal(ci)
		if err != nil {
			t.Fatalf("marshal of a decoded item: %v", err)
		}
		back, err := DecodeItem(out)
		if err != nil {
			t.Fatalf("reading back %s: %v", out, err)
		}
		if diff := cmp.Diff(ci, back, cmpopts.EquateApproxTime(0), cmp.Comparer(jsonEqual)); diff != "" {
			t.Fatalf("round trip of %s (-first +second):\n%s", data, diff)
		}
	})
}

// FuzzRead splits arbitrary input as a file: never a panic, and every
// outcome is an item or an error.
func FuzzRead(f *testing.F) {
	f.Add(readTestdata(f, "snapshot-example.json"))
	f.Add(readTestdata(f, "rule-event-instance.json"))
	f.Add([]byte(`[` + bucketJSON("a") + `]`))
	f.Add([]byte("{\"configurationItems\":[{\"resourceType\":\"AWS::S3::Bucket\"},{\"x\":"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for ci, err := range Read(bytes.NewReader(data), "fuzz") {
			if (ci == nil) == (err == nil) {
				t.Fatalf("item %v with error %v: want exactly one", ci, err)
			}
		}
	})
}

// FuzzFastDecode checks the reflection-free decoder against encoding/json:
// whatever it accepts, encoding/json decodes to the same item.
func FuzzFastDecode(f *testing.F) {
	for _, name := range []string{"notification-s3-bucket.json", "api-s3-bucket.json", "api-history-security-group.json"} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte(bucketJSON("b")))
	f.Add([]byte(`{"resourceType":"A::B::C","tags":{"a":null},"relationships":[{"relationshipName":"r","resourceName":null}],"configurationStateId":12,"configurationItemCaptureTime":1569605832.673,"configuration":"{\"a\":[1,{\"b\":\"\\\"\"}]}","supplementaryConfiguration":{"X":"\"{\\\"y\\\":2}\"","Y":true}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok := fastDecodeItem(data)
		if !ok {
			return
		}
		slow, err := slowDecodeItem(data)
		if err != nil {
			if json.Valid(data) {
				t.Fatalf("fast path accepted %s, encoding/json refused it: %v", data, err)
			}
			return // the fast path does not validate configuration literals
		}
		if diff := cmp.Diff(slow, fast, cmpopts.EquateApproxTime(0), cmp.Comparer(func(a, b json.RawMessage) bool { return string(a) == string(b) })); diff != "" {
			t.Fatalf("%s: (-encoding/json +fast):\n%s", data, diff)
		}
	})
}

// FuzzDecodeEnvelope checks the lookup pass's envelope decoder against the
// whole decoder, on the fields the inventory indexes by.
func FuzzDecodeEnvelope(f *testing.F) {
	for _, name := range []string{"notification-s3-bucket.json", "api-s3-bucket.json", "api-history-security-group.json"} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte(bucketJSON("b")))
	f.Fuzz(func(t *testing.T, data []byte) {
		env, envErr := decodeEnvelope(data)
		full, fullErr := slowDecodeItem(data)
		if fullErr != nil {
			return // errors are the whole decoder's to report
		}
		if envErr != nil {
			t.Fatalf("%s: envelope error %v, whole item decodes", data, envErr)
		}
		got := [6]string{env.ResourceType, env.ResourceID, env.AccountID, env.Region, string(env.Status), env.CaptureTime.String()}
		want := [6]string{full.ResourceType, full.ResourceID, full.AccountID, full.Region, string(full.Status), full.CaptureTime.String()}
		if got != want {
			t.Fatalf("%s: envelope %q, whole item %q", data, got, want)
		}
	})
}

// TestDecodeEnvelopeStaysFast: the envelope decoder reads both shapes
// without falling back to the whole decoder.
func TestDecodeEnvelopeStaysFast(t *testing.T) {
	for _, name := range []string{"notification-s3-bucket.json", "api-s3-bucket.json"} {
		ci, err := decodeEnvelope(readTestdata(t, name))
		if err != nil || ci.Configuration != nil || ci.ResourceID == "" {
			t.Errorf("%s: %v, configuration %q: want the envelope only", name, err, ci.Configuration)
		}
	}
}
