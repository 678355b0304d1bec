// Package storage puts coverage files where INTEGCOV_STORAGE says. Each scheme is one file implementing Store plus
// one entry in backends: gs:// (gcs.go) and file:// (file.go); s3:// would be s3.go.
package storage

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// Store writes objects below one storage URL. Implementations are safe for concurrent use and retry transient
// errors themselves (with the backoff of their client library) until ctx ends; an error they return is final.
type Store interface {
	// Put writes size bytes from data, whose CRC-32C is crc, to key (a '/'-separated path below the URL).
	Put(ctx context.Context, key string, data io.Reader, size int64, crc uint32) error
	// Close releases the client.
	Close() error
}

// Location is a parsed storage URL.
type Location struct {
	Scheme string // "gs", "file"
	Bucket string // gs: the bucket
	Path   string // gs: key prefix without leading/trailing '/'; file: the absolute directory
	Raw    string // as configured, for log lines
}

// Options tune how a Store behaves.
type Options struct {
	// OnRetry is called for each transient error that will be retried (may be nil).
	OnRetry func(error)
}

// backend opens one URL scheme.
type backend struct {
	scheme string
	parse  func(u *url.URL, raw string) (Location, error)
	open   func(ctx context.Context, loc Location, opts Options) (Store, error)
}

func backends() []backend {
	return []backend{gcsBackend(), fileBackend()}
}

// Parse checks a storage URL. Its error messages start with "storage URL '<raw>'".
func Parse(raw string) (Location, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return Location{}, fmt.Errorf("storage URL is empty; expected %s", expected())
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Location{}, fmt.Errorf("storage URL '%s' is not a valid URL: %v", raw, unwrapURLError(err))
	}
	for _, b := range backends() {
		if u.Scheme == b.scheme {
			return b.parse(u, raw)
		}
	}
	return Location{}, fmt.Errorf("storage URL '%s' has unsupported scheme '%s'; expected %s", raw, u.Scheme, expected())
}

// Open connects to the storage of a parsed Location.
func Open(ctx context.Context, loc Location, opts Options) (Store, error) {
	for _, b := range backends() {
		if loc.Scheme == b.scheme {
			return b.open(ctx, loc, opts)
		}
	}
	return nil, fmt.Errorf("storage URL '%s': no backend for scheme '%s'", loc.Raw, loc.Scheme)
}

// Join joins key segments with '/', skipping empty ones and trimming slashes.
func Join(segments ...string) string {
	parts := make([]string, 0, len(segments))
	for _, s := range segments {
		if t := strings.Trim(s, "/"); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "/")
}

func expected() string {
	var forms []string
	for _, b := range backends() {
		switch b.scheme {
		case "gs":
			forms = append(forms, "gs://bucket/prefix")
		case "file":
			forms = append(forms, "file:///dir")
		default:
			forms = append(forms, b.scheme+"://...")
		}
	}
	return strings.Join(forms, " or ")
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
