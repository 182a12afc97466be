package policy

import (
	"encoding/json"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/internal/sharedtest"
)

type publicWant struct {
	Statement int  `json:"statement"`
	Read      bool `json:"read"`
	Write     bool `json:"write"`
}

// policyCase is one entry of testdata/policies.json. Absent expectations are
// not checked; every case must check at least one.
type policyCase struct {
	File      string        `json:"file"`
	Bucket    string        `json:"bucket"`
	TLS       *bool         `json:"tls"`
	TLSReason string        `json:"tlsReason"`
	Public    *[]publicWant `json:"public"`
	Admin     *[]int        `json:"admin"`
	Full      *[]int        `json:"full"`
	Error     string        `json:"error"`
	Note      string        `json:"note"`
}

func readManifest(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func TestRealPolicies(t *testing.T) {
	var cases []policyCase
	readManifest(t, "policies.json", &cases)
	listed := map[string]bool{}
	for _, c := range cases {
		listed[c.File] = true
		t.Run(c.File, func(t *testing.T) {
			if c.TLS == nil && c.Public == nil && c.Admin == nil && c.Full == nil && c.Error == "" {
				t.Fatal("case has no expectation")
			}
			data, err := os.ReadFile(filepath.Join("testdata", "policies", c.File))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Parse(data)
			if c.Error != "" {
				if err == nil || err.Error() != c.Error {
					t.Fatalf("Parse error = %v, want %q", err, c.Error)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if c.Public != nil {
				var got []publicWant
				for _, g := range doc.Public() {
					got = append(got, publicWant{g.Statement, g.Read, g.Write})
				}
				want := *c.Public
				if len(want) == 0 {
					want = nil
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("Public (-want +got):\n%s", diff)
				}
			}
			if c.TLS != nil {
				check, err := doc.DeniesInsecureTransport(c.Bucket)
				if err != nil {
					t.Fatal(err)
				}
				if check.Enforced != *c.TLS {
					t.Errorf("DeniesInsecureTransport(%q).Enforced = %v, want %v (%s)", c.Bucket, check.Enforced, *c.TLS, check.Reason)
				}
				if c.TLSReason != "" && check.Reason != c.TLSReason {
					t.Errorf("Reason = %q, want %q", check.Reason, c.TLSReason)
				}
			}
			indexes := func(fs []Finding) []int {
				out := []int{}
				for _, f := range fs {
					out = append(out, f.Statement)
				}
				return out
			}
			if c.Admin != nil {
				if diff := cmp.Diff(*c.Admin, indexes(doc.AdminAccess())); diff != "" {
					t.Errorf("AdminAccess (-want +got):\n%s", diff)
				}
			}
			if c.Full != nil {
				if diff := cmp.Diff(*c.Full, indexes(doc.FullAccess())); diff != "" {
					t.Errorf("FullAccess (-want +got):\n%s", diff)
				}
			}
			// Whatever the encoding, re-marshalling gives a document that
			// parses to the same view.
			out, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			again, err := Parse(out)
			if err != nil {
				t.Fatalf("Parse(MarshalJSON): %v", err)
			}
			if diff := cmp.Diff(doc, again, ignoreRaw); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
	checkAllListed(t, "policies", listed)
}

func checkAllListed(t *testing.T, dir string, listed map[string]bool) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("testdata", dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !listed[e.Name()] {
			t.Errorf("testdata/%s/%s has no entry in the manifest", dir, e.Name())
		}
	}
}

func TestRealACLs(t *testing.T) {
	var cases []struct {
		File   string       `json:"file"`
		Grants int          `json:"grants"`
		Public []Permission `json:"public"`
	}
	readManifest(t, "acls.json", &cases)
	listed := map[string]bool{}
	for _, c := range cases {
		listed[c.File] = true
		t.Run(c.File, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "acls", c.File))
			if err != nil {
				t.Fatal(err)
			}
			acl, err := ParseACL(data)
			if err != nil {
				t.Fatalf("ParseACL: %v", err)
			}
			if len(acl.Grants) != c.Grants {
				t.Errorf("%d grants, want %d: %+v", len(acl.Grants), c.Grants, acl.Grants)
			}
			want := c.Public
			if len(want) == 0 {
				want = nil
			}
			if diff := cmp.Diff(want, acl.PublicPermissions()); diff != "" {
				t.Errorf("PublicPermissions (-want +got):\n%s", diff)
			}
		})
	}
	checkAllListed(t, "acls", listed)
}

func TestRealPublicAccessBlocks(t *testing.T) {
	var cases []struct {
		File string            `json:"file"`
		Want PublicAccessBlock `json:"want"`
	}
	readManifest(t, "pab.json", &cases)
	listed := map[string]bool{}
	for _, c := range cases {
		listed[c.File] = true
		data, err := os.ReadFile(filepath.Join("testdata", "pab", c.File))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParsePublicAccessBlock(data)
		if err != nil {
			t.Fatalf("%s: %v", c.File, err)
		}
		if diff := cmp.Diff(c.Want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.File, diff)
		}
	}
	checkAllListed(t, "pab", listed)
}

// TestSharedRealdata walks every JSON file of the shared real-data folder,
// finds every policy document in it (also inside JSON strings and URL
// encoding, at any depth) and checks that Parse decodes it, or refuses it
// with a located error only when it holds CloudFormation intrinsic functions,
// which only a template resolver can evaluate.
func TestSharedRealdata(t *testing.T) {
	root := sharedtest.Path("realdata")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("shared real data not available (%v); the copies in testdata are what the other tests use", err)
	}
	parsed, refused := 0, 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var v any
		if json.Unmarshal(data, &v) != nil {
			return nil // not every .json file there is valid JSON
		}
		forEachPolicy(v, func(raw []byte) {
			doc, err := Parse(raw)
			if err == nil {
				parsed++
				if _, err := json.Marshal(doc); err != nil {
					t.Errorf("%s: MarshalJSON: %v", path, err)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) || pe.Path == "" {
				t.Errorf("%s: Parse error without a location: %v\n%s", path, err, raw)
			}
			if !strings.Contains(string(raw), `"Fn::`) && !strings.Contains(string(raw), `"Ref"`) {
				t.Errorf("%s: Parse refused a policy without intrinsic functions: %v\n%s", path, err, raw)
			}
			refused++
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if parsed < 40 {
		t.Errorf("found only %d policies in %s", parsed, root)
	}
	t.Logf("%d policies parsed, %d refused (CloudFormation intrinsics)", parsed, refused)
}

// forEachPolicy calls f with the JSON of every object with a Statement member
// found in v, looking into strings that hold JSON or URL-encoded JSON.
func forEachPolicy(v any, f func([]byte)) {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["Statement"]; ok {
			b, _ := json.Marshal(x)
			f(b)
		}
		for _, e := range x {
			forEachPolicy(e, f)
		}
	case []any:
		for _, e := range x {
			forEachPolicy(e, f)
		}
	case string:
		s := strings.TrimSpace(x)
		for layer := 0; layer < 4; layer++ {
			if strings.HasPrefix(s, "%7B") {
				u, err := url.PathUnescape(s)
				if err != nil {
					return
				}
				s = u
				continue
			}
			if !strings.HasPrefix(s, "{") && !strings.HasPrefix(s, `"`) && !strings.HasPrefix(s, "[") {
				return
			}
			var inner any
			if json.Unmarshal([]byte(s), &inner) != nil {
				return
			}
			if str, ok := inner.(string); ok {
				s = strings.TrimSpace(str)
				continue
			}
			forEachPolicy(inner, f)
			return
		}
	}
}
