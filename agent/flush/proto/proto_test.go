package proto

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSocketsInTheDirectoryAndOneLevelBelow(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "app", "deeper"), 0o755)
	for _, f := range []string{SocketPath(dir, 1), SocketPath(filepath.Join(dir, "app"), 2),
		SocketPath(filepath.Join(dir, "app", "deeper"), 3), filepath.Join(dir, "covmeta.x")} {
		os.WriteFile(f, nil, 0o644)
	}
	want := []string{SocketPath(dir, 1), SocketPath(filepath.Join(dir, "app"), 2)}
	if got := Sockets(dir); !reflect.DeepEqual(got, want) {
		t.Fatalf("Sockets = %v, want %v", got, want)
	}
}

func TestRequestToNoListenerFailsWithThePath(t *testing.T) {
	path := SocketPath(t.TempDir(), 42)
	if err := Request(path, time.Second); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("got %v", err)
	}
}
