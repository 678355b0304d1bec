package uploadcmd

import (
	"context"
	"os"
	"strings"
	"sync"
	"time"

	"integcov.io/agent/internal/footprint"
	"integcov.io/agent/internal/handoff"
	"integcov.io/agent/internal/manifest"
	"integcov.io/agent/internal/pid1"
	"integcov.io/agent/internal/settings"
	"integcov.io/agent/internal/storage"
	"integcov.io/agent/internal/supervise"
	"integcov.io/agent/internal/upload"
)

// uploadRun is what integcov-agent run becomes after the app exited (same PID, see package handoff): it uploads
// GOCOVERDIR by the deadline and returns the app's exit code, whatever happens. As the agent did after the app
// exited, it drops every signal (the terminating ones from package pid1's init on) and reaps orphans.
func (a *Agent) uploadRun(run handoff.Run) int {
	pid1.Keep(supervise.Forwarded())
	s := settings.FromEnv(os.Getenv, []string{run.Program}, podHost())
	if loc, ok := a.checkUpload(s); ok {
		if err := footprint.Release(); err != nil {
			a.Logf("could not release start-up memory (harmless): %v", err)
		}
		a.upload(s, loc, upload.Run{
			Settings: s, Location: loc, RunID: settings.NewRunID(run.StartedAt), Mode: manifest.ModeWrap,
			ExitCode: run.ExitCode, StartedAt: run.StartedAt, ExitedAt: run.ExitedAt,
		}, s.Deadline(run.ExitedAt, run.FirstTerm))
	}
	return run.ExitCode
}

// checkUpload logs why nothing will be uploaded, if so; it runs while the child does.
func (a *Agent) checkUpload(s settings.Settings) (storage.Location, bool) {
	for _, w := range s.Warnings {
		a.Logf("%s", w)
	}
	if s.StorageURL == "" {
		a.Logf("%s is not set; coverage data is not uploaded", settings.EnvStorage)
		return storage.Location{}, false
	}
	loc, err := storage.Parse(s.StorageURL)
	if err != nil {
		a.Logf("%s: %v; coverage data is not uploaded", settings.EnvStorage, err)
		return storage.Location{}, false
	}
	if s.CoverDir == "" {
		a.Logf("%s is not set; no coverage data to upload", settings.EnvCoverDir)
		return storage.Location{}, false
	}
	return loc, true
}

// upload runs the upload, abandoning it shortly after the deadline even if a request ignores its context.
func (a *Agent) upload(s settings.Settings, loc storage.Location, run upload.Run, deadline time.Time) {
	if info, err := os.Stat(s.CoverDir); err != nil || !info.IsDir() {
		a.Logf("GOCOVERDIR %s is not a directory; no coverage data to upload", s.CoverDir)
		return
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		var retrying sync.Once
		store, err := storage.Open(ctx, loc, storage.Options{OnRetry: func(err error) {
			retrying.Do(func() { a.Logf("upload failed, retrying until %s: %v", manifest.Time(deadline), err) })
		}})
		if err != nil {
			a.Logf("coverage upload to %s failed: %v", loc.Raw, err)
			return
		}
		defer store.Close()
		upload.Upload(ctx, store, run, deadline, a.Logf)
	}()
	select {
	case <-done:
	case <-time.After(time.Until(s.GiveUp(deadline))):
		a.Logf("coverage upload did not finish before its deadline; giving up")
	}
}

// podHost reads the container's facts that serve as key fallbacks.
func podHost() settings.Host {
	return settings.Host{
		Hostname:                firstLine("/proc/sys/kernel/hostname"),
		ServiceAccountNamespace: firstLine("/var/run/secrets/kubernetes.io/serviceaccount/namespace"),
	}
}

func firstLine(file string) string {
	data, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(data), "\n")
	return strings.TrimSpace(line)
}
