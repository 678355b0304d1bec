// Package upload moves one run's coverage files from GOCOVERDIR to storage, 8 at a time, and then commits the run by
// writing its manifest. A container that restarts keeps its GOCOVERDIR (an emptyDir), so the files that earlier runs
// committed are remembered in a marker file there and not uploaded again.
package upload

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"integcov.io/agent/internal/atomicfile"
	"integcov.io/agent/internal/manifest"
	"integcov.io/agent/internal/settings"
	"integcov.io/agent/internal/storage"
)

// Parallelism is how many files are uploaded at once.
const Parallelism = 8

// OwnPrefix starts the name of every file the agent keeps in GOCOVERDIR; none of them is coverage.
const OwnPrefix = ".integcov-"

// CommittedFile lists, in GOCOVERDIR, the files earlier runs of this container (wrap, flush, sidecar) uploaded:
// "<size> <name>" per line.
const CommittedFile = ".integcov-committed"

// PendingFile in a GOCOVERDIR says that a flush is making its programs write counters and uploading them right
// now; the sidecar leaves new files of that directory to the flush until it is gone (or older than PendingMax,
// a flush that died).
const PendingFile = ".integcov-flush-pending"

// PendingMax is how long a PendingFile is honoured.
const PendingMax = 2 * time.Minute

// Run describes the run whose coverage is uploaded; it goes into the manifest.
type Run struct {
	Settings  settings.Settings
	Location  storage.Location
	RunID     string
	Mode      string
	ExitCode  int
	StartedAt time.Time
	ExitedAt  time.Time
}

// Result is what happened.
type Result struct {
	Manifest    manifest.Manifest
	Target      string // where the run's files went
	Candidates  int    // files that were to be uploaded
	FirstError  error  // first file error, if any
	ManifestErr error  // the manifest could not be written: the run is not committed
}

// Eligible tells whether a GOCOVERDIR entry is coverage to upload: not Go's in-progress tmp.* files, not a stray
// manifest, not the agent's own bookkeeping.
func Eligible(name string) bool {
	return !strings.HasPrefix(name, "tmp.") && name != manifest.FileName && !strings.HasPrefix(name, OwnPrefix)
}

// MarkPending writes dir's PendingFile; the returned function removes it.
func MarkPending(dir string) (func(), error) {
	path := filepath.Join(dir, PendingFile)
	if err := os.WriteFile(path, nil, 0o666); err != nil {
		return func() {}, fmt.Errorf("mark the flush in %s: %w", dir, err)
	}
	return func() { os.Remove(path) }, nil
}

// Pending tells whether a flush is under way in dir (a PendingFile younger than PendingMax at now).
func Pending(dir string, now time.Time) bool {
	info, err := os.Stat(filepath.Join(dir, PendingFile))
	return err == nil && now.Sub(info.ModTime()) < PendingMax
}

// AddCommitted adds files to dir's marker. It holds an exclusive flock on dir while it reads and replaces the
// marker, because a flush and the sidecar may both add to it at once.
func AddCommitted(dir string, files []manifest.File) error {
	if len(files) == 0 {
		return nil
	}
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("write %s: open %s: %w", CommittedFile, dir, err)
	}
	defer syscall.Close(fd)
	if err := syscall.Flock(fd, syscall.LOCK_EX); err != nil {
		return fmt.Errorf("write %s: lock %s: %w", CommittedFile, dir, err)
	}
	defer syscall.Flock(fd, syscall.LOCK_UN)
	committed, err := ReadCommitted(dir)
	if err != nil {
		committed = map[string]int64{} // a broken marker is replaced
	}
	return WriteCommitted(dir, committed, files)
}

// Candidates lists the regular files of dir to upload, sorted: eligible and not committed by an earlier run.
func Candidates(dir string, committed map[string]int64) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list GOCOVERDIR: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.Type().IsRegular() || !Eligible(e.Name()) {
			continue
		}
		if size, ok := committed[e.Name()]; ok {
			if info, err := e.Info(); err == nil && info.Size() == size {
				continue
			}
		}
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names, nil
}

// ReadCommitted reads the marker; a missing marker is an empty set.
func ReadCommitted(dir string) (map[string]int64, error) {
	f, err := os.Open(filepath.Join(dir, CommittedFile))
	if errors.Is(err, os.ErrNotExist) {
		return map[string]int64{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", CommittedFile, err)
	}
	defer f.Close()
	out := map[string]int64{}
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		sizeText, name, ok := strings.Cut(scanner.Text(), " ")
		size, err := strconv.ParseInt(sizeText, 10, 64)
		if !ok || err != nil || name == "" {
			continue // a torn line cannot name a committed file
		}
		out[name] = size
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", CommittedFile, err)
	}
	return out, nil
}

// WriteCommitted replaces the marker atomically with committed plus files.
func WriteCommitted(dir string, committed map[string]int64, files []manifest.File) error {
	all := make(map[string]int64, len(committed)+len(files))
	for name, size := range committed {
		all[name] = size
	}
	for _, f := range files {
		all[f.Name] = f.Size
	}
	names := make([]string, 0, len(all))
	for name := range all {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		fmt.Fprintf(&b, "%d %s\n", all[name], name)
	}
	// private, as CreateTemp made it before; the name keeps OwnPrefix, so it is never taken for coverage
	if err := atomicfile.Write(filepath.Join(dir, CommittedFile), 0o600, strings.NewReader(b.String())); err != nil {
		return fmt.Errorf("write %s: %w", CommittedFile, err)
	}
	return nil
}

// Upload puts the run's new files, then the manifest naming them and the ones that failed, and finally records the
// committed files in GOCOVERDIR. Files must be done by settings.FilesDeadline, the manifest by deadline. logf
// receives the lines worth a user's attention.
func Upload(ctx context.Context, store storage.Store, run Run, deadline time.Time, logf func(string, ...any)) Result {
	dir := run.Settings.CoverDir
	prefix := run.Settings.KeyPrefix(run.RunID)
	res := Result{Target: strings.TrimRight(run.Location.Raw, "/") + "/" + prefix}
	committed, err := ReadCommitted(dir)
	if err != nil {
		logf("%v; uploading every file again", err)
		committed = map[string]int64{}
	}
	names, err := Candidates(dir, committed)
	if err != nil {
		logf("%v", err)
	}
	res.Candidates = len(names)
	if len(names) == 0 && len(committed) == 0 {
		logf("no coverage files in GOCOVERDIR %s (was the program built with go build -cover?)", dir)
	}
	begin := time.Now()
	filesCtx, cancel := context.WithDeadline(ctx, settings.FilesDeadline(begin, deadline))
	uploaded, failed, firstErr := putAll(filesCtx, store, dir, prefix, names)
	cancel()
	res.FirstError = firstErr
	if len(failed) > 0 {
		logf("%d of %d coverage files not uploaded to %s (first error: %v)", len(failed), len(names), res.Target, firstErr)
	}
	m := manifest.Manifest{
		Version: manifest.CurrentVersion, Namespace: run.Settings.Namespace, Capture: run.Settings.Capture,
		CaptureUID: run.Settings.CaptureUID, Pod: run.Settings.Pod, Container: run.Settings.Container,
		RunID: run.RunID, Mode: run.Mode, ExitCode: run.ExitCode, Signal: manifest.SignalOf(run.ExitCode),
		StartedAt: manifest.Time(run.StartedAt), ExitedAt: manifest.Time(run.ExitedAt),
		UploadedAt: manifest.Time(time.Now()), Files: uploaded, Failed: failed,
	}
	res.Manifest = m
	manifestCtx, cancel := context.WithDeadline(ctx, deadline)
	err = PutManifest(manifestCtx, store, prefix, m)
	cancel()
	if err != nil {
		res.ManifestErr = err
		logf("could not write %s to %s: %v", manifest.FileName, res.Target, err)
		return res
	}
	var bytes int64
	for _, f := range uploaded {
		bytes += f.Size
	}
	logf("uploaded %d coverage files (%d bytes) and %s to %s in %d ms", len(uploaded), bytes, manifest.FileName,
		res.Target, time.Since(begin).Milliseconds())
	if err := AddCommitted(dir, uploaded); err != nil {
		logf("%v (a restart of this container would upload these files again)", err)
	}
	return res
}

// PutManifest writes m as prefix/integcov-manifest.json: the commit of the run whose files are below prefix.
func PutManifest(ctx context.Context, store storage.Store, prefix string, m manifest.Manifest) error {
	data, err := m.JSON()
	if err != nil {
		return err
	}
	return store.Put(ctx, storage.Join(prefix, manifest.FileName), strings.NewReader(string(data)), int64(len(data)),
		crc32.Checksum(data, castagnoli()))
}

// PutFiles uploads dir/name to prefix/name for each name with Parallelism workers until ctx ends; every name ends up
// in exactly one of the results (sorted), the error is the first failure.
func PutFiles(ctx context.Context, store storage.Store, dir, prefix string, names []string) ([]manifest.File, []string, error) {
	return putAll(ctx, store, dir, prefix, names)
}

func putAll(ctx context.Context, store storage.Store, dir, prefix string, names []string) ([]manifest.File, []string, error) {
	var (
		mu       sync.Mutex
		uploaded []manifest.File
		failed   []string
		firstErr error
		workers  errgroup.Group // no shared context: one file's failure must not cancel the others
	)
	workers.SetLimit(Parallelism)
	for _, name := range names {
		workers.Go(func() error {
			entry, err := putFile(ctx, store, dir, storage.Join(prefix, name), name)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed = append(failed, name)
				if firstErr == nil {
					firstErr = fmt.Errorf("%s: %w", name, err)
				}
			} else {
				uploaded = append(uploaded, entry)
			}
			return nil
		})
	}
	workers.Wait()
	sort.Slice(uploaded, func(i, j int) bool { return uploaded[i].Name < uploaded[j].Name })
	sort.Strings(failed)
	return uploaded, failed, firstErr
}

func putFile(ctx context.Context, store storage.Store, dir, key, name string) (manifest.File, error) {
	if err := ctx.Err(); err != nil {
		return manifest.File{}, fmt.Errorf("upload deadline reached: %w", err)
	}
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return manifest.File{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return manifest.File{}, err
	}
	size := info.Size()
	crc := crc32.New(castagnoli())
	if _, err := io.Copy(crc, io.NewSectionReader(f, 0, size)); err != nil {
		return manifest.File{}, fmt.Errorf("read: %w", err)
	}
	if err := store.Put(ctx, key, io.NewSectionReader(f, 0, size), size, crc.Sum32()); err != nil {
		return manifest.File{}, err
	}
	return manifest.File{Name: name, Size: size, CRC32C: crc.Sum32()}, nil
}

func castagnoli() *crc32.Table {
	return crc32.MakeTable(crc32.Castagnoli)
}
