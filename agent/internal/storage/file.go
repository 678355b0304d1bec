package storage

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
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
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*.tmp")
	if err != nil {
		return fmt.Errorf("create %s: %w", target, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", target, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", target, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("chmod %s: %w", target, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("rename into %s: %w", target, err)
	}
	return nil
}

func (fileStore) Close() error { return nil }
