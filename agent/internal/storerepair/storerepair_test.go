package storerepair

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"syscall"
	"testing"
)

func write(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("data"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRepairRemovesOnlyFilesWithoutMetadata(t *testing.T) {
	root := t.TempDir()
	xattrs := syscall.Setxattr(root, MetadataAttr, []byte("{}"), 0) == nil
	tests := []struct {
		name    string
		setup   func(path string)
		removed bool
	}{
		{"object with a .metadata file", func(p string) { write(t, p); write(t, p+".metadata") }, false},
		{"the .metadata file itself", func(p string) { write(t, p+".metadata") }, false},
		{"data written, server killed before its metadata", func(p string) { write(t, p) }, true},
		{"temporary file of an interrupted write", func(p string) { write(t, filepath.Join(filepath.Dir(p), ".obj123")) }, true},
	}
	if xattrs {
		tests = append(tests, struct {
			name    string
			setup   func(path string)
			removed bool
		}{"object with the metadata attribute", func(p string) {
			write(t, p)
			if err := syscall.Setxattr(p, MetadataAttr, []byte(`{"name":"x"}`), 0); err != nil {
				t.Fatal(err)
			}
		}, false})
	} else {
		t.Log("the test directory has no user extended attributes: only the .metadata layout is checked")
	}
	var want []string
	for i, tc := range tests {
		dir := filepath.Join(root, "coverage", "case", string(rune('a'+i)))
		tc.setup(filepath.Join(dir, "obj"))
		if tc.removed {
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				want = append(want, filepath.Join("coverage", "case", string(rune('a'+i)), e.Name()))
			}
		}
	}
	write(t, filepath.Join(root, "coverage.bucketMetadata"))

	removed, err := Repair(root)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(removed)
	sort.Strings(want)
	if !reflect.DeepEqual(removed, want) {
		t.Fatalf("removed %v, want %v", removed, want)
	}
	for _, p := range want {
		if _, err := os.Stat(filepath.Join(root, p)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still there (%v)", p, err)
		}
	}
	for i, tc := range tests {
		if tc.removed {
			continue
		}
		dir := filepath.Join(root, "coverage", "case", string(rune('a'+i)))
		if entries, _ := os.ReadDir(dir); len(entries) == 0 {
			t.Errorf("%s: removed although it has metadata", tc.name)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "coverage.bucketMetadata")); err != nil {
		t.Errorf("bucket metadata removed: %v", err)
	}
}

func TestRepairOfAMissingRootIsNothingToDo(t *testing.T) {
	removed, err := Repair(filepath.Join(t.TempDir(), "new-volume"))
	if err != nil || len(removed) != 0 {
		t.Fatalf("removed %v, err %v", removed, err)
	}
}
