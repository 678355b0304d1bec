package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	gcs "cloud.google.com/go/storage"
	"github.com/googleapis/gax-go/v2"
	"google.golang.org/api/option"
	htransport "google.golang.org/api/transport/http"
)

const chunkQuantum = 256 << 10

// attemptTimeout bounds the parts of one request that can stall without the client noticing: connecting, the TLS
// handshake, and waiting for the answer once the request is sent. Without it a single stalled request (a server or
// proxy that accepts and never answers) uses the whole upload deadline and the client's retry never gets a chance.
// Small objects are answered in well under a second; a slow answer is retried, which is harmless (same bytes, same
// name).
const attemptTimeout = 5 * time.Second

// gcsStore writes objects with the official client: application default credentials (GKE Workload Identity), or
// no credentials when STORAGE_EMULATOR_HOST points at an emulator (the client reads that variable itself).
type gcsStore struct {
	client  *gcs.Client
	bucket  *gcs.BucketHandle
	prefix  string
	onRetry func(error)
}

func gcsBackend() backend {
	return backend{scheme: "gs", parse: parseGCS, open: openGCS}
}

func parseGCS(u *url.URL, raw string) (Location, error) {
	if u.Host == "" {
		return Location{}, fmt.Errorf("storage URL '%s' has no bucket; expected gs://bucket/prefix", raw)
	}
	return Location{Scheme: "gs", Bucket: u.Host, Path: strings.Trim(u.Path, "/"), Raw: raw}, nil
}

func openGCS(ctx context.Context, loc Location, opts Options) (Store, error) {
	hc, err := boundedHTTPClient(ctx)
	if err != nil {
		return nil, fmt.Errorf("GCS client: %w", err)
	}
	client, err := gcs.NewClient(ctx, option.WithHTTPClient(hc))
	if err != nil {
		return nil, fmt.Errorf("GCS client: %w", err)
	}
	// Retries are the client's own: jittered exponential backoff, bounded by the caller's deadline; what is transient
	// is decided per object in Put (it needs the caller's context).
	client.SetRetry(
		gcs.WithBackoff(gax.Backoff{Initial: 200 * time.Millisecond, Max: 5 * time.Second, Multiplier: 2}),
		// objects go to a fresh run directory and are rewritten with the same bytes on retry: safe to retry always
		gcs.WithPolicy(gcs.RetryAlways))
	return &gcsStore{client: client, bucket: client.Bucket(loc.Bucket), prefix: loc.Path, onRetry: opts.OnRetry}, nil
}

func (s *gcsStore) Put(ctx context.Context, key string, data io.Reader, size int64, crc uint32) error {
	// Object returns a handle with its own copy of the client's retry settings, so this error function is this Put's.
	obj := s.bucket.Object(Join(s.prefix, key)).Retryer(gcs.WithErrorFunc(func(err error) bool {
		retry := ctx.Err() == nil && transient(err)
		if retry && s.onRetry != nil {
			s.onRetry(err)
		}
		return retry
	}))
	w := obj.NewWriter(ctx)
	// One buffer of the file's size rounded up to 256 KiB (not the default 16 MiB): a single request that the
	// client can resend on a transient error, and little memory for eight uploads at once.
	w.ChunkSize = int((size/chunkQuantum + 1) * chunkQuantum)
	if deadline, ok := ctx.Deadline(); ok {
		w.ChunkRetryDeadline = time.Until(deadline)
	}
	w.ContentType = "application/octet-stream"
	w.CRC32C = crc
	w.SendCRC32C = true
	if _, err := io.Copy(w, data); err != nil {
		w.CloseWithError(err)
		return describeGCS(err)
	}
	return describeGCS(w.Close())
}

func (s *gcsStore) Close() error { return s.client.Close() }

// boundedHTTPClient is the HTTP client gcs.NewClient would build for itself (application default credentials with
// the client's scopes, or no authentication when STORAGE_EMULATOR_HOST is set, as gcs.NewClient decides), on a
// transport whose connect, TLS handshake and wait for the answer are each bounded by attemptTimeout.
func boundedHTTPClient(ctx context.Context) (*http.Client, error) {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.DialContext = (&net.Dialer{Timeout: attemptTimeout, KeepAlive: 30 * time.Second}).DialContext
	base.TLSHandshakeTimeout = attemptTimeout
	base.ResponseHeaderTimeout = attemptTimeout
	var auth []option.ClientOption
	if os.Getenv("STORAGE_EMULATOR_HOST") != "" {
		auth = []option.ClientOption{option.WithoutAuthentication()}
	} else {
		auth = []option.ClientOption{option.WithScopes(gcs.ScopeFullControl, "https://www.googleapis.com/auth/cloud-platform")}
	}
	rt, err := htransport.NewTransport(ctx, base, auth...)
	if err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	return &http.Client{Transport: rt}, nil
}

// transient is gcs.ShouldRetry plus an attempt that timed out on the transport's bounds (a dial, TLS handshake or
// answer timeout: a net.Error whose Timeout() is true). Those errors also match context.DeadlineExceeded, so the
// caller tells its own deadline apart by checking its context first.
func transient(err error) bool {
	if gcs.ShouldRetry(err) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// describeGCS makes the client's errors readable in one log line.
func describeGCS(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, gcs.ErrBucketNotExist) {
		return fmt.Errorf("bucket does not exist: %w", err)
	}
	return err
}
