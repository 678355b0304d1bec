// Package sidecar is the native-sidecar mode: the app containers keep their own command and write coverage into
// their own sub-directory of a shared emptyDir; the sidecar uploads each file as soon as Go has finished it (Go
// writes to tmp.* and renames, so every other name is complete), keeps going across app restarts, and on SIGTERM
// (kubelet stops native sidecars after the app containers) uploads what is left and commits one manifest per
// container.
package sidecar

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"integcov.io/agent/internal/coverdir"
	"integcov.io/agent/internal/manifest"
	"integcov.io/agent/internal/settings"
	"integcov.io/agent/internal/storage"
	"integcov.io/agent/internal/upload"
)

// Entry is one directory entry as the watcher sees it.
type Entry struct {
	Name    string
	Size    int64
	Regular bool
}

// NewFiles are the entries to upload now: regular, eligible (not tmp.*, not the agent's own files), not already
// uploaded with this size, and not committed with this size by someone else (a flush). Sorted.
func NewFiles(entries []Entry, done, committed map[string]int64) []string {
	var out []string
	for _, e := range entries {
		if !e.Regular || !upload.Eligible(e.Name) {
			continue
		}
		if size, ok := done[e.Name]; ok && size == e.Size {
			continue
		}
		if size, ok := committed[e.Name]; ok && size == e.Size {
			continue
		}
		out = append(out, e.Name)
	}
	sort.Strings(out)
	return out
}

// List reads a directory as entries; a missing directory is empty.
func List(dir string) ([]Entry, error) {
	des, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	var out []Entry
	for _, d := range des {
		e := Entry{Name: d.Name(), Regular: d.Type().IsRegular()}
		if e.Regular {
			info, err := d.Info()
			if err != nil {
				continue // renamed or removed since the listing
			}
			e.Size = info.Size()
		}
		out = append(out, e)
	}
	return out, nil
}

// container is what the sidecar tracks for one app container (one sub-directory).
type container struct {
	name     string
	dir      string
	runID    string
	done     map[string]int64 // uploaded: name -> size
	files    map[string]manifest.File
	failed   map[string]bool // failed at least once and not uploaded since
	firstErr error
}

// Sidecar watches root/<container>/ for each container.
type Sidecar struct {
	Root      string
	Settings  settings.Settings
	Location  storage.Location
	Store     storage.Store
	Interval  time.Duration
	StartedAt time.Time
	Logf      func(string, ...any)

	containers map[string]*container
}

// Prepare creates root/<name> (coverdir.ForContainers) for each container and tracks it. The postStart hook
// (`integcov-agent prepare`) has normally created them already, before the kubelet started the apps; this covers a
// pod without the hook.
func (s *Sidecar) Prepare(names []string) error {
	s.containers = map[string]*container{}
	segments, err := coverdir.ForContainers(s.Root, names)
	for _, seg := range segments {
		s.track(seg)
	}
	return err
}

func (s *Sidecar) track(name string) *container {
	if c, ok := s.containers[name]; ok {
		return c
	}
	c := &container{name: name, dir: filepath.Join(s.Root, name), runID: settings.NewRunID(s.StartedAt),
		done: map[string]int64{}, files: map[string]manifest.File{}, failed: map[string]bool{}}
	s.containers[name] = c
	return c
}

// Scan uploads every new file of every container directory (also ones that appeared without Prepare), except files
// a flush committed (the marker in the directory) and, unless final, the files of a directory a flush is working
// in. Its own files go into the marker only once its manifest committed them (Finish): a sidecar that restarts
// uploads again what its predecessor never committed.
func (s *Sidecar) Scan(ctx context.Context, final bool) {
	if subdirs, err := List(s.Root); err == nil {
		for _, e := range subdirs {
			if info, err := os.Stat(filepath.Join(s.Root, e.Name)); err == nil && info.IsDir() {
				s.track(e.Name)
			}
		}
	}
	for _, c := range s.sorted() {
		entries, err := List(c.dir)
		if err != nil {
			s.Logf("%v", err)
			continue
		}
		if !final && upload.Pending(c.dir, time.Now()) {
			continue
		}
		committed, err := upload.ReadCommitted(c.dir)
		if err != nil {
			committed = nil // uploading a file twice beats losing it
		}
		names := NewFiles(entries, c.done, committed)
		if len(names) == 0 {
			continue
		}
		uploaded, failed, err := upload.PutFiles(ctx, s.Store, c.dir, s.settingsFor(c).KeyPrefix(c.runID), names)
		for _, f := range uploaded {
			c.done[f.Name] = f.Size
			c.files[f.Name] = f
			delete(c.failed, f.Name)
		}
		for _, n := range failed {
			c.failed[n] = true
		}
		if err != nil && c.firstErr == nil {
			c.firstErr = err
			s.Logf("upload from %s failed, trying again: %v", c.dir, err)
		}
	}
}

// scanTimeout bounds one scan while watching, so storage that hangs cannot stall the watcher; what fails is tried
// again on the next scan.
const scanTimeout = 30 * time.Second

// Watch scans every Interval until ctx ends (SIGTERM), which also cancels a scan in progress.
func (s *Sidecar) Watch(ctx context.Context) {
	ticker := time.NewTicker(s.Interval)
	defer ticker.Stop()
	for {
		scanCtx, cancel := context.WithTimeout(ctx, scanTimeout)
		s.Scan(scanCtx, false)
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// Finish uploads what is left by the files deadline and writes one manifest per container by deadline.
func (s *Sidecar) Finish(stoppedAt, deadline time.Time) {
	filesCtx, cancel := context.WithDeadline(context.Background(), settings.FilesDeadline(time.Now(), deadline))
	s.Scan(filesCtx, true)
	cancel()
	for _, c := range s.sorted() {
		m := manifest.Manifest{Version: manifest.CurrentVersion, Namespace: s.Settings.Namespace,
			Capture: s.Settings.Capture, CaptureUID: s.Settings.CaptureUID, Pod: s.Settings.Pod, Container: c.name,
			RunID: c.runID, Mode: manifest.ModeSidecar, StartedAt: manifest.Time(s.StartedAt),
			ExitedAt: manifest.Time(stoppedAt), UploadedAt: manifest.Time(time.Now())}
		for _, f := range c.files {
			m.Files = append(m.Files, f)
		}
		sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Name < m.Files[j].Name })
		for n := range c.failed {
			m.Failed = append(m.Failed, n)
		}
		sort.Strings(m.Failed)
		target := strings.TrimRight(s.Location.Raw, "/") + "/" + s.settingsFor(c).KeyPrefix(c.runID)
		if len(m.Failed) > 0 {
			s.Logf("%d of %d coverage files of %s not uploaded to %s (first error: %v)", len(m.Failed),
				len(m.Failed)+len(m.Files), c.name, target, c.firstErr)
		}
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		err := upload.PutManifest(ctx, s.Store, s.settingsFor(c).KeyPrefix(c.runID), m)
		cancel()
		if err != nil {
			s.Logf("could not write %s to %s: %v", manifest.FileName, target, err)
			continue
		}
		s.Logf("uploaded %d coverage files of %s and %s to %s", len(m.Files), c.name, manifest.FileName, target)
		if err := upload.AddCommitted(c.dir, m.Files); err != nil {
			s.Logf("%v", err)
		}
	}
}

func (s *Sidecar) settingsFor(c *container) settings.Settings {
	st := s.Settings
	st.Container = c.name
	return st
}

func (s *Sidecar) sorted() []*container {
	var out []*container
	for _, c := range s.containers {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}
