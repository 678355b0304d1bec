package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	gcs "cloud.google.com/go/storage"
	"github.com/googleapis/gax-go/v2"
)

const chunkQuantum = 256 << 10

// gcsStore writes objects with the official client: application default credentials (GKE Workload Identity), or
// no credentials when STORAGE_EMULATOR_HOST points at an emulator (the client reads that variable itself).
type gcsStore struct {
	client *gcs.Client
	bucket *gcs.BucketHandle
	prefix string
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
	client, err := gcs.NewClient(ctx)
	if err != nil {
		return nil, fmt.Errorf("GCS client: %w", err)
	}
	// Retries are the client's own: jittered exponential backoff, gcs.ShouldRetry deciding what is transient (408,
	// 429, 5xx, refused or reset connections), bounded only by the caller's context deadline.
	client.SetRetry(
		gcs.WithBackoff(gax.Backoff{Initial: 200 * time.Millisecond, Max: 5 * time.Second, Multiplier: 2}),
		// objects go to a fresh run directory and are rewritten with the same bytes on retry: safe to retry always
		gcs.WithPolicy(gcs.RetryAlways),
		gcs.WithErrorFunc(func(err error) bool {
			retry := gcs.ShouldRetry(err)
			if retry && opts.OnRetry != nil {
				opts.OnRetry(err)
			}
			return retry
		}))
	return &gcsStore{client: client, bucket: client.Bucket(loc.Bucket), prefix: loc.Path}, nil
}

func (s *gcsStore) Put(ctx context.Context, key string, data io.Reader, size int64, crc uint32) error {
	w := s.bucket.Object(Join(s.prefix, key)).NewWriter(ctx)
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
