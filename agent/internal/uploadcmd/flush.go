package uploadcmd

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"time"

	"integcov.io/agent/flush/proto"
	"integcov.io/agent/internal/manifest"
	"integcov.io/agent/internal/settings"
	"integcov.io/agent/internal/storage"
	"integcov.io/agent/internal/upload"
)

// flushTimeout bounds waiting for one program to write its counters.
const flushTimeout = 30 * time.Second

// flushCommand asks every program in the pod that imports integcov.io/agent/flush (found by its socket in
// GOCOVERDIR or GOCOVERDIR/<container>) to write its counters, then uploads each such directory's new files with a
// manifest (mode "flush"). Exit 0 when every program flushed and every upload was committed, else 1.
func (a *Agent) flushCommand() int {
	root := os.Getenv(settings.EnvCoverDir)
	if root == "" {
		a.Logf("%s is not set: nothing to flush", settings.EnvCoverDir)
		return ExitError
	}
	sockets := proto.Sockets(root)
	if len(sockets) == 0 {
		a.Logf("no program listens for flush requests in %s (import _ \"integcov.io/agent/flush\" in its main package)", root)
		return ExitError
	}
	code := ExitOK
	dirs := map[string]bool{}
	for _, socket := range sockets {
		// the sidecar (if any) leaves this directory's new files to this flush until it has committed them
		if unmark, err := upload.MarkPending(filepath.Dir(socket)); err != nil {
			a.Logf("%v", err)
		} else {
			defer unmark()
		}
		if err := proto.Request(socket, flushTimeout); err != nil {
			a.Logf("flush: %v", err)
			code = ExitError
			continue
		}
		dirs[filepath.Dir(socket)] = true
	}
	s := settings.FromEnv(os.Getenv, nil, podHost())
	loc, ok := a.checkUpload(s)
	if !ok {
		return ExitError
	}
	now := time.Now()
	deadline := s.Deadline(now, time.Time{})
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	store, err := storage.Open(ctx, loc, storage.Options{})
	if err != nil {
		a.Logf("coverage upload to %s failed: %v", loc.Raw, err)
		return ExitError
	}
	defer store.Close()
	var sorted []string
	for d := range dirs {
		sorted = append(sorted, d)
	}
	sort.Strings(sorted)
	for _, dir := range sorted {
		st := s
		st.CoverDir = dir
		if dir != filepath.Clean(root) {
			st.Container = settings.Segment(filepath.Base(dir)) // sidecar layout: one directory per container
		}
		res := upload.Upload(ctx, store, upload.Run{Settings: st, Location: loc, RunID: settings.NewRunID(now),
			Mode: manifest.ModeFlush, StartedAt: now, ExitedAt: now}, deadline, a.Logf)
		if res.ManifestErr != nil || len(res.Manifest.Failed) > 0 {
			code = ExitError
		}
	}
	return code
}
