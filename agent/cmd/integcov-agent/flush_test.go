package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"integcov.io/agent/internal/agenttest"
	"integcov.io/agent/internal/manifest"
)

const flushappPkg = "integcov.io/agent/cmd/integcov-agent/testdata/flushapp"

// shortFileEnv is fileEnv with GOCOVERDIR in a short directory: unix socket paths are limited to 108 bytes.
func shortFileEnv(t *testing.T) (env []string, cov, runs string) {
	t.Helper()
	env, _, runs = fileEnv(t)
	dir, err := os.MkdirTemp("", "fl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	cov = filepath.Join(dir, "c")
	return append(env, "GOCOVERDIR="+cov), cov, runs
}

// buildFlushapp builds testdata/flushapp with -cover in the given covermode (coverage of its own package only).
func buildFlushapp(t *testing.T, mode string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "flushapp")
	if err := agenttest.GoBuild(".", out, "./testdata/flushapp", "-cover", "-covermode="+mode, "-coverpkg="+flushappPkg); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFlushWritesCountersOfARunningProgramWithTheSamePercentAsStoppingIt(t *testing.T) {
	app := buildFlushapp(t, "atomic")
	env, cov, runs := shortFileEnv(t)
	os.MkdirAll(cov, 0o777)
	ready := filepath.Join(t.TempDir(), "ready")
	p := start(t, []string{"GOCOVERDIR=" + cov, "READY=" + ready, "WORK=20"}, app)
	awaitFile(t, p, ready)

	f := agent(t, env, "flush")
	if code := f.wait(t); code != 0 {
		t.Fatalf("flush: exit %d: %s", code, f.describe())
	}
	dir, m := oneRun(t, runs)
	if m.Mode != manifest.ModeFlush || len(m.Files) != 2 || m.Failed != nil {
		t.Fatalf("manifest %+v", m)
	}
	os.Remove(filepath.Join(dir, manifest.FileName))
	flushed := agenttest.Percent(t, dir)

	// now stop it: Go writes its counters at exit; that run alone must give the same percent
	syscall.Kill(p.cmd.Process.Pid, syscall.SIGTERM)
	if code := p.wait(t); code != 0 {
		t.Fatalf("app: %s", p.describe())
	}
	stopped := t.TempDir()
	entries, _ := os.ReadDir(cov)
	for _, e := range entries {
		name := e.Name()
		_, alreadyFlushed := os.Stat(filepath.Join(dir, name))
		if strings.HasPrefix(name, "covmeta.") || strings.HasPrefix(name, "covcounters.") && alreadyFlushed != nil {
			data, _ := os.ReadFile(filepath.Join(cov, name))
			os.WriteFile(filepath.Join(stopped, name), data, 0o644)
		}
	}
	if atStop := agenttest.Percent(t, stopped); flushed != atStop || flushed == 0 {
		t.Fatalf("flushed %v%%, at stop %v%%", flushed, atStop)
	}
}

func TestFlushOfAProgramNotBuiltWithAtomicCountersSaysSo(t *testing.T) {
	app := buildFlushapp(t, "set")
	env, cov, _ := shortFileEnv(t)
	os.MkdirAll(cov, 0o777)
	ready := filepath.Join(t.TempDir(), "ready")
	start(t, []string{"GOCOVERDIR=" + cov, "READY=" + ready, "WORK=5"}, app)
	for i := 0; i < 1000; i++ {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		syscall.Nanosleep(&syscall.Timespec{Nsec: 10e6}, nil)
	}
	f := agent(t, env, "flush")
	if code := f.wait(t); code != 1 || !strings.Contains(f.err(), "-covermode=atomic") {
		t.Fatalf("exit %d: %s", code, f.describe())
	}
}

func TestFlushWithNoListeningProgramIsOneClearLine(t *testing.T) {
	env, cov, _ := shortFileEnv(t)
	os.MkdirAll(cov, 0o777)
	f := agent(t, env, "flush")
	if code := f.wait(t); code != 1 || !strings.Contains(f.err(), "no program listens for flush requests") {
		t.Fatalf("exit %d: %s", code, f.describe())
	}
}
