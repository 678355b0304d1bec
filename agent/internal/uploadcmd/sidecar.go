package uploadcmd

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"integcov.io/agent/internal/settings"
	"integcov.io/agent/internal/sidecar"
	"integcov.io/agent/internal/storage"
)

// sidecarInterval is how often the sidecar looks for finished coverage files.
const sidecarInterval = 250 * time.Millisecond

// sidecar runs until SIGTERM/SIGINT: creates GOCOVERDIR/<container> for each argument, uploads files as Go finishes
// them, and on the signal uploads the rest and writes the manifests. It exits 0 even when uploads fail (logged), so
// it never fails the pod; a configuration problem is logged once and the sidecar then only waits for the signal.
func (a *Agent) sidecar(containers []string) int {
	stop, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	startedAt := time.Now()
	root := os.Getenv(settings.EnvCoverDir)
	s := settings.FromEnv(os.Getenv, nil, podHost())
	sc := &sidecar.Sidecar{Root: root, Settings: s, Interval: sidecarInterval, StartedAt: startedAt, Logf: a.Logf}
	if root == "" {
		a.Logf("%s is not set: the sidecar has nothing to watch", settings.EnvCoverDir)
		<-stop.Done()
		return ExitOK
	}
	if err := sc.Prepare(containers); err != nil {
		a.Logf("%v", err)
	}
	loc, ok := a.checkUpload(s)
	if !ok {
		<-stop.Done()
		return ExitOK
	}
	store, err := storage.Open(context.Background(), loc, storage.Options{})
	if err != nil {
		a.Logf("coverage upload to %s failed: %v", loc.Raw, err)
		<-stop.Done()
		return ExitOK
	}
	defer store.Close()
	sc.Location, sc.Store = loc, store
	sc.Watch(stop)
	stoppedAt := time.Now()
	sc.Finish(stoppedAt, s.Deadline(stoppedAt, stoppedAt))
	return ExitOK
}
