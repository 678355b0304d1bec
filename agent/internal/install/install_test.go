package install

import (
	"bytes"
	"os"
	"path/filepath"
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
		target, err := Copy(src, dir)
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

func TestCopyIntoAnUnwritableDirectoryFails(t *testing.T) {
	if os.Getuid() == 0 {
		t.Skip("root can write anywhere: covered by the distroless test running install as uid 65532")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	if _, err := Copy("/proc/self/exe", dir); err == nil {
		t.Fatal("want an error")
	}
}
