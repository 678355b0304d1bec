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

// Environment variables that point the agent at a GCS emulator (host:port, or a URL such as http://host:port).
const (
	// EnvEmulatorHost is the agent's own: the webhook sets it for the in-cluster default store, so the store's address
	// never reaches a wrapped program, and a program's own STORAGE_EMULATOR_HOST never redirects the agent.
	EnvEmulatorHost = "INTEGCOV_STORAGE_EMULATOR_HOST"
	// EnvLibraryEmulatorHost is the one the GCS client libraries read; the agent follows it when EnvEmulatorHost is
	// not set (a capture's spec.env may set it for an emulator of the user's own).
	EnvLibraryEmulatorHost = "STORAGE_EMULATOR_HOST"
)

// gcsStore writes objects with the official client: application default credentials (GKE Workload Identity), or
// no credentials against the emulator that emulatorEndpoint names.
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
	endpoint, err := emulatorEndpoint(os.Getenv)
	if err != nil {
		return nil, fmt.Errorf("GCS client: %w", err)
	}
	hc, err := boundedHTTPClient(ctx, endpoint != "")
	if err != nil {
		return nil, fmt.Errorf("GCS client: %w", err)
	}
	client, err := gcs.NewClient(ctx, clientOptions(hc, endpoint)...)
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

// emulatorEndpoint is the GCS JSON API endpoint of the emulator the agent talks to, or "" for Google Cloud Storage:
// INTEGCOV_STORAGE_EMULATOR_HOST when set, else STORAGE_EMULATOR_HOST. The value is read as the storage library
// reads STORAGE_EMULATOR_HOST (gcs.NewClient): a URL when it has "://", else host:port over plain HTTP; the path is
// always storage/v1/.
func emulatorEndpoint(getenv func(string) string) (string, error) {
	name := EnvEmulatorHost
	host := strings.TrimSpace(getenv(name))
	if host == "" {
		name = EnvLibraryEmulatorHost
		host = strings.TrimSpace(getenv(name))
	}
	if host == "" {
		return "", nil
	}
	hostURL := &url.URL{Scheme: "http", Host: host}
	if strings.Contains(host, "://") {
		u, err := url.Parse(host)
		if err != nil {
			return "", fmt.Errorf("%s=%q: %w", name, host, err)
		}
		hostURL = u
	}
	if hostURL.Host == "" {
		return "", fmt.Errorf("%s=%q names no host", name, host)
	}
	hostURL.Path = "storage/v1/"
	return hostURL.String(), nil
}

// clientOptions are gcs.NewClient's options: the HTTP client, and for an emulator its endpoint without
// authentication, what the library configures for STORAGE_EMULATOR_HOST. An explicit endpoint wins over the one the
// library derives from STORAGE_EMULATOR_HOST, and the client takes its XML API host (object reads) and scheme from
// it, so a program's STORAGE_EMULATOR_HOST in the same environment changes nothing the agent does.
func clientOptions(hc *http.Client, endpoint string) []option.ClientOption {
	opts := []option.ClientOption{option.WithHTTPClient(hc)}
	if endpoint != "" {
		opts = append(opts, option.WithEndpoint(endpoint), option.WithoutAuthentication())
	}
	return opts
}

// boundedHTTPClient is the HTTP client gcs.NewClient would build for itself (application default credentials with
// the client's scopes, or no authentication for an emulator), on a transport whose connect, TLS handshake and wait
// for the answer are each bounded by attemptTimeout.
func boundedHTTPClient(ctx context.Context, emulator bool) (*http.Client, error) {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.DialContext = (&net.Dialer{Timeout: attemptTimeout, KeepAlive: 30 * time.Second}).DialContext
	base.TLSHandshakeTimeout = attemptTimeout
	base.ResponseHeaderTimeout = attemptTimeout
	var auth []option.ClientOption
	if emulator {
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
