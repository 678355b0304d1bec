package coverdir

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestEnsure(t *testing.T) {
	old := syscall.Umask(0o077) // a restrictive umask must not make the directory private
	defer syscall.Umask(old)
	tests := []struct {
		name     string
		existing os.FileMode // 0: the directory does not exist before
		dir      string      // relative to a temporary directory
		want     os.FileMode
	}{
		{name: "missing directory is created world-writable", dir: "covdata", want: Mode},
		{name: "missing parents are created too", dir: "a/b/covdata", want: Mode},
		{name: "existing directory keeps its mode", existing: 0o750, dir: "covdata", want: 0o750},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), tc.dir)
			if tc.existing != 0 {
				if err := os.Mkdir(dir, tc.existing); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(dir, tc.existing); err != nil { // past the umask
					t.Fatal(err)
				}
			}
			if err := Ensure(dir); err != nil {
				t.Fatal(err)
			}
			info, err := os.Stat(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !info.IsDir() || info.Mode().Perm() != tc.want {
				t.Fatalf("%s: mode %v, want a directory with %v", dir, info.Mode(), tc.want)
			}
		})
	}
}

func TestEnsureOfAnEmptyNameDoesNothing(t *testing.T) {
	if err := Ensure("  "); err != nil {
		t.Fatal(err)
	}
}

func TestEnsureUnderARegularFileSaysWhichDirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := Ensure(filepath.Join(file, "covdata"))
	if err == nil || !strings.Contains(err.Error(), "create "+file+"/covdata") {
		t.Fatalf("error %v", err)
	}
}

func TestForContainersCreatesEveryDirectoryItCanAndNamesTheOthers(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "blocked"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	segments, err := ForContainers(root, []string{"app", "blocked", "a/b"})
	if strings.Join(segments, ",") != "app,blocked,a_b" {
		t.Fatalf("segments %v", segments)
	}
	if err == nil || !strings.Contains(err.Error(), filepath.Join(root, "blocked")) {
		t.Fatalf("error %v does not name the blocked directory", err)
	}
	for _, seg := range []string{"app", "a_b"} {
		if info, err := os.Stat(filepath.Join(root, seg)); err != nil || info.Mode().Perm() != Mode {
			t.Fatalf("%s: %v %v", seg, info, err)
		}
	}
}
