package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"integcov.io/agent/internal/agenttest"
	"integcov.io/agent/internal/manifest"
)

func TestSidecarKeepsEveryRunOfACrashingAppAndCommitsOnSIGTERM(t *testing.T) {
	gcs := agenttest.StartFakeGCS(t, bucket)
	env, root := gcsEnv(t, gcs.Endpoint(), "sidecar")
	sc := agent(t, env, "sidecar", "app")
	appDir := filepath.Join(root, "app")
	awaitFile(t, sc, appDir) // the sidecar creates the app's GOCOVERDIR before the app starts
	// the app (its command unchanged, only GOCOVERDIR set) crashes twice, then succeeds
	for i, code := range []string{"1", "2", "0"} {
		p := start(t, []string{"GOCOVERDIR=" + appDir}, covappBin, "-exit", code, "-work", fmt.Sprint(3+i))
		p.wait(t)
	}
	// uploaded while the sidecar still runs (Finish would upload them too): 1 meta-data file and 3 counters files
	deadline := time.Now().Add(hangGuard)
	for n := 0; n < 4; n = len(gcs.Objects(t, bucket, "sidecar/")) {
		if sc.ended() || time.Now().After(deadline) {
			t.Fatalf("%d of 4 files in storage before SIGTERM: %s", n, sc.describe())
		}
		time.Sleep(50 * time.Millisecond)
	}
	syscall.Kill(sc.cmd.Process.Pid, syscall.SIGTERM)
	if code := sc.wait(t); code != 0 {
		t.Fatalf("exit %d: %s", code, sc.describe())
	}
	m := gcsManifest(t, gcs, "sidecar")
	counters := 0
	for _, f := range m.Files {
		if strings.HasPrefix(f.Name, "covcounters.") {
			counters++
		}
	}
	if m.Mode != manifest.ModeSidecar || counters != 3 || len(m.Files) != 4 || m.Container != "app" {
		t.Fatalf("manifest %+v: %s", m, sc.describe())
	}
	if p := agenttest.Percent(t, gcs.DownloadAll(t, bucket, "sidecar/", manifest.FileName)); p == 0 {
		t.Fatal("no coverage")
	}
}

// prepare is the sidecar's postStart hook: it must leave a directory every app can write to, and exit 0 whatever
// happens (a failing hook makes the kubelet restart the sidecar, and the apps would never start).
func TestPrepareCreatesEachContainersDirectoryAndAlwaysExitsZero(t *testing.T) {
	root := filepath.Join(t.TempDir(), "covdata")
	p := agent(t, []string{"GOCOVERDIR=" + root}, "prepare", "app", "web/2")
	if code := p.wait(t); code != 0 || p.err() != "" {
		t.Fatalf("exit %d: %s", code, p.describe())
	}
	for _, dir := range []string{"app", "web_2"} {
		if info, err := os.Stat(filepath.Join(root, dir)); err != nil || info.Mode().Perm() != 0o777 {
			t.Fatalf("%s: %v %v", dir, info, err)
		}
	}

	blocked := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocked, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	p = agent(t, []string{"GOCOVERDIR=" + blocked}, "prepare", "app")
	if code := p.wait(t); code != 0 || !strings.Contains(p.err(), "integcov-agent: prepare: create "+blocked+"/app") {
		t.Fatalf("a directory it cannot create: exit %d: %s", code, p.describe())
	}
	p = agent(t, []string{"GOCOVERDIR="}, "prepare", "app")
	if code := p.wait(t); code != 0 || !strings.Contains(p.err(), "GOCOVERDIR is not set") {
		t.Fatalf("without GOCOVERDIR: exit %d: %s", code, p.describe())
	}
}
