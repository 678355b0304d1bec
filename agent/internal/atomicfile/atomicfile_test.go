package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk gone") }

func TestWrite(t *testing.T) {
	tests := []struct {
		name    string
		target  string
		perm    os.FileMode
		old     string // content already there, "" for none
		content string
	}{
		{"new file with its mode", "app.bin", 0o755, "", "#!binary"},
		{"replaces an existing file", "data.json", 0o644, "old", "new"},
		{"a hidden file keeps a private mode", ".integcov-committed", 0o600, "3 covmeta.a\n", "5 covmeta.a\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			target := filepath.Join(dir, tt.target)
			if tt.old != "" {
				if err := os.WriteFile(target, []byte(tt.old), 0o666); err != nil {
					t.Fatal(err)
				}
			}
			if err := Write(target, tt.perm, strings.NewReader(tt.content)); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(target)
			if err != nil || string(got) != tt.content {
				t.Fatalf("content %q, %v; want %q", got, err, tt.content)
			}
			if fi, err := os.Stat(target); err != nil || fi.Mode().Perm() != tt.perm {
				t.Fatalf("mode %v, %v; want %v", fi.Mode().Perm(), err, tt.perm)
			}
			assertOnly(t, dir, tt.target)
		})
	}
}

func TestAFailedWriteKeepsTheOldFileAndLeavesNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "data.json")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(target, 0o644, failingReader{}); err == nil || !strings.Contains(err.Error(), "disk gone") {
		t.Fatalf("err %v", err)
	}
	if got, _ := os.ReadFile(target); string(got) != "old" {
		t.Fatalf("target now %q", got)
	}
	assertOnly(t, dir, "data.json")
}

// assertOnly checks that dir holds just name: no temporary file is left behind.
func assertOnly(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 || entries[0].Name() != name {
		t.Fatalf("directory holds %v, %v; want only %s", entries, err, name)
	}
}

// The temporary file of a hidden target has the target's own name in front (the agent's GOCOVERDIR bookkeeping must
// keep its ".integcov-" prefix, or it would look like coverage to upload); others get a dot.
func TestTheTemporaryFileIsHiddenAndNamedAfterTheTarget(t *testing.T) {
	for target, prefix := range map[string]string{".integcov-committed": ".integcov-committed.", "data.json": ".data.json."} {
		err := Write(filepath.Join(t.TempDir(), target), 0o600, failingReader{})
		if err == nil {
			t.Fatal("no error")
		}
		tmp := strings.Fields(err.Error())[1] // "write <temporary file>: disk gone"
		if base := filepath.Base(strings.TrimSuffix(tmp, ":")); !strings.HasPrefix(base, prefix) || !strings.HasSuffix(base, ".tmp") {
			t.Errorf("%s: temporary file %q, want %s*.tmp", target, base, prefix)
		}
	}
}
