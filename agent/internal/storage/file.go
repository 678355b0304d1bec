package storage

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"integcov.io/agent/internal/atomicfile"
)

// fileStore writes below a local directory (tests, and a volume shared with CI). Each object is written to a
// temporary name and renamed, so a reader never sees half a file.
type fileStore struct {
	root string
}

func fileBackend() backend {
	return backend{scheme: "file", parse: parseFile, open: func(_ context.Context, loc Location, _ Options) (Store, error) {
		return fileStore{root: loc.Path}, nil
	}}
}

func parseFile(u *url.URL, raw string) (Location, error) {
	if u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || u.Opaque != "" {
		return Location{}, fmt.Errorf("storage URL '%s' must be file:///absolute/dir (three slashes)", raw)
	}
	return Location{Scheme: "file", Path: filepath.Clean(u.Path), Raw: raw}, nil
}

func (s fileStore) Put(ctx context.Context, key string, data io.Reader, _ int64, _ uint32) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	target := filepath.Join(s.root, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return fmt.Errorf("create directory: %w", err)
	}
	return atomicfile.Write(target, 0o644, data)
}

func (fileStore) Close() error { return nil }
