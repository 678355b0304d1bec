package install

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCopyIsExecutableAndReplacesAnEarlierInstall(t *testing.T) {
	src := filepath.Join(t.TempDir(), "agent")
	if err := os.WriteFile(src, []byte("first"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "volume", "bin")
	for _, content := range []string{"first", "second"} {
		if err := os.WriteFile(src, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		target, err := Copy(src, dir, Name)
		if err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(target)
		if err != nil || info.Mode().Perm() != 0o755 {
			t.Fatalf("mode %v, %v", info.Mode(), err)
		}
		got, _ := os.ReadFile(target)
		if !bytes.Equal(got, []byte(content)) {
			t.Fatalf("content %q", got)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("want only %s, got %v", Name, entries)
	}
}

func TestCopyFailsWithContextWhenTheDirectoryCannotBeCreated(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Copy("/proc/self/exe", filepath.Join(file, "bin"), Name)
	if err == nil || !strings.Contains(err.Error(), "create "+filepath.Join(file, "bin")) {
		t.Fatalf("want an error naming the directory, got %v", err)
	}
}

func TestCopyOfAMissingSourceFails(t *testing.T) {
	if _, err := Copy(filepath.Join(t.TempDir(), "missing"), t.TempDir(), Name); err == nil || !strings.Contains(err.Error(), "open ") {
		t.Fatalf("got %v", err)
	}
}
