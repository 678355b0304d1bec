package storage

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		raw     string
		want    Location
		wantErr string
	}{
		{"gs://bucket/a/b/", Location{Scheme: "gs", Bucket: "bucket", Path: "a/b", Raw: "gs://bucket/a/b/"}, ""},
		{"gs://bucket", Location{Scheme: "gs", Bucket: "bucket", Raw: "gs://bucket"}, ""},
		{"file:///tmp/x/", Location{Scheme: "file", Path: "/tmp/x", Raw: "file:///tmp/x/"}, ""},
		{"gs:///x", Location{}, "has no bucket"},
		{"file://relative/dir", Location{}, "must be file:///absolute/dir"},
		{"s3://bucket/x", Location{}, "unsupported scheme 's3'; expected gs://bucket/prefix or file:///dir"},
		{"::", Location{}, "storage URL '::' is not a valid URL"},
		{" ", Location{}, "storage URL is empty"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.raw)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse(%q) error = %v, want %q", tt.raw, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tt.raw, got, err, tt.want)
		}
	}
}

func TestJoin(t *testing.T) {
	if got := Join("/a/", "", "b", "c/"); got != "a/b/c" {
		t.Fatalf("Join = %q", got)
	}
}

func TestFileStorePutCreatesDirectoriesAndLeavesNoTemporaryFiles(t *testing.T) {
	root := t.TempDir()
	loc, err := Parse("file://" + root)
	if err != nil {
		t.Fatal(err)
	}
	store, err := Open(context.Background(), loc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Put(context.Background(), "ns/run/file", strings.NewReader("data"), 4, 0); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "ns/run/file"))
	if err != nil || string(data) != "data" {
		t.Fatalf("read back %q, %v", data, err)
	}
	entries, _ := os.ReadDir(filepath.Join(root, "ns/run"))
	if len(entries) != 1 {
		t.Fatalf("want only the file, got %v", entries)
	}
}

func TestFileStorePutFailsOnAnUnwritableRoot(t *testing.T) {
	root := filepath.Join(t.TempDir(), "file-not-dir")
	if err := os.WriteFile(root, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	store, _ := Open(context.Background(), Location{Scheme: "file", Path: root}, Options{})
	if err := store.Put(context.Background(), "a/b", strings.NewReader("x"), 1, 0); err == nil {
		t.Fatal("want an error writing below a regular file")
	}
}
