// Package sharedtest finds the workplace's shared material for tests: the
// directory "shared" beside the module's root (../shared from it), with the
// real configuration items and events in shared/realdata and the
// interfaces in shared/CONTRACTS.md. Tests that use it skip, saying why,
// when it is not there (a clean clone elsewhere); the project's own
// fixtures are what the other tests rely on.
package sharedtest

import (
	"os"
	"path/filepath"
	"runtime"
)

// Path returns shared/elem... beside the module's root, or "" when the
// shared directory is not there.
func Path(elem ...string) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	// This file is internal/sharedtest/sharedtest.go under the root.
	shared := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared")
	if st, err := os.Stat(shared); err != nil || !st.IsDir() {
		return ""
	}
	return filepath.Join(append([]string{shared}, elem...)...)
}
