package cli

import (
	"context"
	"errors"
	"os"
	"strings"
	"time"

	"integcov.io/agent/internal/footprint"
	"integcov.io/agent/internal/manifest"
	"integcov.io/agent/internal/settings"
	"integcov.io/agent/internal/storage"
	"integcov.io/agent/internal/supervise"
	"integcov.io/agent/internal/upload"
)

// hardStopSlack is how long after its deadline an upload that ignores its context is abandoned.
const hardStopSlack = time.Second

// run is wrap mode. Order matters: signals are subscribed and GOCOVERDIR created (the child's Go runtime writes its
// meta-data file at start-up), then the child starts; everything else happens while it runs or after it exited, and
// nothing of it can change the exit code.
func (a *Agent) run(command []string) int {
	sup := supervise.Listen()
	coverDirErr := ensureDir(os.Getenv(settings.EnvCoverDir))
	startedAt := time.Now()
	if err := sup.Start(command, os.Environ()); err != nil {
		a.Logf("%v", err)
		var se *supervise.StartError
		if errors.As(err, &se) {
			return se.Code
		}
		return supervise.ExitNotFound
	}

	// while the child runs
	if coverDirErr != nil {
		a.Logf("%v", coverDirErr)
	}
	s := settings.FromEnv(os.Getenv, command, settings.Host{
		Hostname:                firstLine("/proc/sys/kernel/hostname"),
		ServiceAccountNamespace: firstLine("/var/run/secrets/kubernetes.io/serviceaccount/namespace"),
	})
	loc, uploadable := a.checkUpload(s)
	if err := footprint.Release(); err != nil {
		a.Logf("could not release start-up memory (harmless): %v", err)
	}

	exit := sup.Wait()
	if uploadable {
		a.upload(s, loc, upload.Run{
			Settings: s, Location: loc, RunID: settings.NewRunID(startedAt), Mode: manifest.ModeWrap,
			ExitCode: exit.Code, StartedAt: startedAt, ExitedAt: exit.At,
		}, s.Deadline(exit.At, sup.FirstTerm()))
	}
	return exit.Code
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
		retrying := false
		store, err := storage.Open(ctx, loc, storage.Options{OnRetry: func(err error) {
			a.mu.Lock()
			first := !retrying
			retrying = true
			a.mu.Unlock()
			if first {
				a.Logf("upload failed, retrying until %s: %v", manifest.Time(deadline), err)
			}
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
	case <-time.After(time.Until(deadline) + hardStopSlack):
		a.Logf("coverage upload did not finish before its deadline; giving up")
	}
}

// ensureDir creates GOCOVERDIR when set and missing, mode 0777 whatever the umask: the app may run as another user.
func ensureDir(dir string) error {
	dir = strings.TrimSpace(dir)
	if dir == "" {
		return nil
	}
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return err
	}
	return os.Chmod(dir, 0o777)
}

func firstLine(file string) string {
	data, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(data), "\n")
	return strings.TrimSpace(line)
}
