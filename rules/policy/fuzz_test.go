package policy

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// addSeeds adds every fixture and a few hand-picked edge cases.
func addSeeds(f *testing.F) {
	for _, dir := range []string{"policies", "acls", "pab"} {
		entries, _ := os.ReadDir(filepath.Join("testdata", dir))
		for _, e := range entries {
			if b, err := os.ReadFile(filepath.Join("testdata", dir, e.Name())); err == nil {
				f.Add(b)
			}
		}
	}
	for _, s := range []string{
		stmt(`"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["0.0.0.0/0"]}}`),
		`{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"1"},"NotAction":"s3:*","NotResource":"arn:aws:s3:::b/*","Condition":{"ForAnyValue:StringLikeIfExists":{"aws:SourceVpce":[true,1.5e3,"x"]}}}}`,
		`"\"{\\\"Statement\\\":[]}\""`,
		"%7B%22Statement%22%3A%5B%5D%7D",
		`{"Statement":[{"Effect":"Allow","Action":"s3:Get\ud83d\ude00","Resource":"\ud800x"}]}`,
		`{"a":[1,-0.5e+10,true,false,null,"\u0000"]}`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzParse checks that Parse never panics, that every decision runs on
// whatever it accepts, and that parse → marshal → parse gives the same view.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(data)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Parse error %T is not a *policy.Error: %v", err, err)
			}
			return
		}
		if t := strings.TrimSpace(string(data)); strings.HasPrefix(t, "{") && !json.Valid([]byte(t)) {
			panic("Parse accepted invalid JSON: " + t)
		}
		doc.Public()
		doc.Grantees()
		doc.AdminAccess()
		doc.FullAccess()
		doc.NotActionAllows()
		doc.NotMorePermissive(doc)
		if _, err := doc.DeniesInsecureTransport("bucket"); err != nil {
			t.Fatal(err)
		}
		if _, err := doc.DeniesUnencryptedUploads("bucket"); err != nil {
			t.Fatal(err)
		}
		if _, err := doc.RestrictedToVPC("bucket", nil, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := doc.BlacklistedActions("123456789012", []string{"s3:Delete*"}); err != nil {
			t.Fatal(err)
		}
		if _, err := doc.GranteesOutside(GranteeAllowlist{IPAddresses: []string{"10.0.0.0/8"}}); err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(doc)
		if err != nil {
			t.Fatalf("MarshalJSON: %v", err)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(MarshalJSON) = %v\ninput %q\noutput %s", err, data, out)
		}
		if diff := cmp.Diff(doc, again, ignoreRaw); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
		out2, _ := json.Marshal(again)
		if string(out) != string(out2) {
			t.Fatalf("marshal not stable:\n%s\n%s", out, out2)
		}
	})
}

// FuzzReadJSON checks the JSON reader against encoding/json: both accept the
// same texts (within the nesting bound), and decode strings the same way.
func FuzzReadJSON(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := readJSON(string(data))
		valid := json.Valid(data)
		if (err == nil) != valid {
			if err != nil && strings.Contains(err.Error(), "nesting deeper") {
				return
			}
			t.Fatalf("readJSON error = %v, json.Valid = %v for %q", err, valid, data)
		}
		if err != nil {
			return
		}
		var want any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber() // numbers compared as written: 1E700 is valid JSON
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, toAny(v)); diff != "" {
			t.Fatalf("decoded value (-encoding/json +readJSON):\n%s", diff)
		}
	})
}

// toAny converts a decoded value to the shape encoding/json produces.
func toAny(v jsonValue) any {
	switch v.kind {
	case jsonNull:
		return nil
	case jsonBool:
		return v.text == "true"
	case jsonNumber:
		return json.Number(v.text)
	case jsonString:
		return v.text
	case jsonArray:
		out := make([]any, len(v.elems))
		for i, e := range v.elems {
			out[i] = toAny(e)
		}
		return out
	default:
		out := make(map[string]any, len(v.keys))
		for i, k := range v.keys {
			out[k] = toAny(v.elems[i]) // last duplicate wins, as in encoding/json
		}
		return out
	}
}
