// Package walk finds the input files of the scanners: files named on the
// command line, and files under directories, read recursively in lexical
// order, filtered by name.
package walk

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Files calls visit for each file at paths: each named file, and each file
// under a named directory whose name ends with one of exts (any case).
// Errors finding files are passed to visit too. walked is true for files
// found in a directory, false for files named. Files stops when visit
// returns false.
func Files(paths, exts []string, visit func(path string, err error, walked bool) bool) {
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			if !visit(p, PathError(err), false) {
				return
			}
			continue
		}
		if !info.IsDir() {
			if !visit(p, nil, false) {
				return
			}
			continue
		}
		stop := false
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if !visit(path, PathError(err), true) {
					stop = true
					return filepath.SkipAll
				}
				return nil
			}
			if d.IsDir() || !HasExt(d.Name(), exts) {
				return nil
			}
			if !visit(path, nil, true) {
				stop = true
				return filepath.SkipAll
			}
			return nil
		})
		if stop {
			return
		}
		if err != nil && !visit(p, err, false) {
			return
		}
	}
}

// HasExt reports whether name ends with one of exts, in any case.
func HasExt(name string, exts []string) bool {
	name = strings.ToLower(name)
	for _, ext := range exts {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// PathError drops the path from an *fs.PathError, for messages that name
// the file already.
func PathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
