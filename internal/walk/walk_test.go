package walk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"b/2.json.gz", "a/1.JSON", "a/notes.md", "c/3.yaml"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	Files([]string{dir, filepath.Join(dir, "a/notes.md"), filepath.Join(dir, "missing.json")}, []string{".json", ".json.gz"},
		func(path string, err error, walked bool) bool {
			rel, _ := filepath.Rel(dir, path)
			s := rel
			if walked {
				s += " (walked)"
			}
			if err != nil {
				s += ": " + err.Error()
			}
			got = append(got, s)
			return true
		})
	want := []string{"a/1.JSON (walked)", "b/2.json.gz (walked)", "a/notes.md", "missing.json: stat: no such file or directory"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	n := 0
	Files([]string{dir}, []string{".json", ".gz"}, func(string, error, bool) bool { n++; return false })
	if n != 1 {
		t.Errorf("visited %d files after stopping, want 1", n)
	}
	if !strings.Contains(PathError(&os.PathError{Op: "open", Path: "/x", Err: os.ErrPermission}).Error(), "open: permission denied") {
		t.Error("PathError kept the path")
	}
}
