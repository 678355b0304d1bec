package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"integcov.io/agent/internal/agenttest"
	"integcov.io/agent/internal/manifest"
	"integcov.io/agent/internal/supervise"
)

const bucket = "coverage"

// fileEnv uploads to file://store with fixed key segments; the returned run dir parent is store/ns/cap/uid/pod/app.
func fileEnv(t *testing.T) (env []string, cov, runs string) {
	dir := t.TempDir()
	cov = filepath.Join(dir, "covdata")
	store := filepath.Join(dir, "store")
	return []string{"GOCOVERDIR=" + cov, "INTEGCOV_STORAGE=file://" + store, "INTEGCOV_POD_NAMESPACE=ns",
			"INTEGCOV_CAPTURE=cap", "INTEGCOV_CAPTURE_UID=uid", "INTEGCOV_POD_NAME=pod", "INTEGCOV_CONTAINER=app"}, cov,
		filepath.Join(store, "ns/cap/uid/pod/app")
}

// oneRun returns the single run directory below runs and its manifest.
func oneRun(t *testing.T, runs string) (string, manifest.Manifest) {
	t.Helper()
	entries, err := os.ReadDir(runs)
	if err != nil || len(entries) != 1 {
		t.Fatalf("want one run directory in %s: %v %v", runs, entries, err)
	}
	dir := filepath.Join(runs, entries[0].Name())
	data, err := os.ReadFile(filepath.Join(dir, manifest.FileName))
	if err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if m.RunID != entries[0].Name() {
		t.Fatalf("runId %s in directory %s", m.RunID, entries[0].Name())
	}
	return dir, m
}

// directPercent runs covapp without the agent and returns its coverage.
func directPercent(t *testing.T, args ...string) float64 {
	t.Helper()
	cov := t.TempDir()
	p := start(t, []string{"GOCOVERDIR=" + cov}, append([]string{covappBin}, args...)...)
	if code := p.wait(t); code != exitOf(args) {
		t.Fatalf("direct run exit %d: %s", code, p.describe())
	}
	return agenttest.Percent(t, cov)
}

func exitOf(args []string) int {
	for i, a := range args {
		if a == "-exit" && i+1 < len(args) {
			var n int
			fmt.Sscan(args[i+1], &n)
			return n
		}
	}
	return 0
}

func TestExitCodeIsTheChildsAndTheRunIsUploadedWithTheSameCoverage(t *testing.T) {
	for _, code := range []string{"0", "3"} {
		t.Run("exit "+code, func(t *testing.T) {
			env, _, runs := fileEnv(t)
			p := agent(t, env, "run", "--", covappBin, "-exit", code, "-work", "7")
			if got := p.wait(t); fmt.Sprint(got) != code {
				t.Fatalf("exit %d: %s", got, p.describe())
			}
			dir, m := oneRun(t, runs)
			if fmt.Sprint(m.ExitCode) != code || m.Signal != nil || m.Failed != nil || len(m.Files) != 2 || m.Mode != "wrap" {
				t.Fatalf("manifest %+v", m)
			}
			if m.Namespace+m.Capture+m.CaptureUID+m.Pod+m.Container != "nscapuidpodapp" {
				t.Fatalf("key segments in manifest %+v", m)
			}
			os.Remove(filepath.Join(dir, manifest.FileName))
			if got, want := agenttest.Percent(t, dir), directPercent(t, "-exit", code, "-work", "7"); got != want || got == 0 {
				t.Fatalf("uploaded coverage %v, direct run %v", got, want)
			}
		})
	}
}

func TestChildPanicExitsTwoAndKeepsItsStderr(t *testing.T) {
	self, _ := os.Executable()
	p := agent(t, []string{childEnv + "=panic"}, "run", "--", self)
	if code := p.wait(t); code != 2 {
		t.Fatalf("exit %d: %s", code, p.describe())
	}
	if !strings.Contains(p.err(), "panic: child panics on purpose") {
		t.Fatalf("child's stderr lost: %s", p.describe())
	}
}

func TestChildKilledBySIGKILLGives137AndTheManifestRecordsSignal9(t *testing.T) {
	env, _, runs := fileEnv(t)
	ready := filepath.Join(t.TempDir(), "ready")
	p := agent(t, env, "run", "--", covappBin, "-serve", "127.0.0.1:0", "-ready", ready)
	awaitFile(t, p, ready)
	children := childPIDs(t, p.cmd.Process.Pid)
	if len(children) != 1 {
		t.Fatalf("children %v", children)
	}
	syscall.Kill(children[0], syscall.SIGKILL)
	if code := p.wait(t); code != 137 {
		t.Fatalf("exit %d: %s", code, p.describe())
	}
	_, m := oneRun(t, runs)
	if m.ExitCode != 137 || m.Signal == nil || *m.Signal != 9 {
		t.Fatalf("manifest %+v", m)
	}
}

func TestCommandThatCannotStart(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "not-executable")
	os.WriteFile(plain, []byte("#!/bin/sh\n"), 0o644)
	tests := []struct {
		name    string
		command string
		path    string
		code    int
	}{
		{"absolute path missing", filepath.Join(dir, "no-such-program"), "", 127},
		{"name not in PATH", "no-such-program-integcov", dir, 127},
		{"not executable", plain, "", 126},
		{"not executable in PATH", "not-executable", dir, 126},
		{"a directory", dir, "", 126},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var env []string
			if tt.path != "" {
				env = append(env, "PATH="+tt.path)
			}
			p := agent(t, env, "run", "--", tt.command)
			if code := p.wait(t); code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, p.describe())
			}
			if !strings.Contains(p.err(), "integcov-agent: cannot start "+tt.command) {
				t.Fatalf("no clear error line: %s", p.describe())
			}
		})
	}
}

func TestEnvironmentIsPassedUnchanged(t *testing.T) {
	value := "a b=c \u00fc $HOME"
	p := agent(t, []string{"MY_SETTING=" + value}, "run", covappBin, "-print-env", "MY_SETTING")
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d: %s", code, p.describe())
	}
	if !strings.Contains(p.out(), "MY_SETTING="+value+"\n") {
		t.Fatalf("environment changed: %s", p.describe())
	}
	if !strings.Contains(p.err(), "integcov-agent: INTEGCOV_STORAGE is not set; coverage data is not uploaded") {
		t.Fatalf("missing notice: %s", p.describe())
	}
}

func TestEveryCatchableSignalIsForwardedUnchanged(t *testing.T) {
	self, _ := os.Executable()
	ready := filepath.Join(t.TempDir(), "ready")
	p := agent(t, []string{childEnv + "=signals", "READY=" + ready}, "run", "--", self)
	awaitFile(t, p, ready)
	sigs := supervise.Forwarded()
	// SIGTERM last and twice: the second TERM must reach the child too (it exits on it)
	sigs = slices.DeleteFunc(sigs, func(s os.Signal) bool { return s == syscall.SIGTERM })
	sigs = append(sigs, syscall.SIGTERM, syscall.SIGTERM)
	for _, s := range sigs {
		n := int(s.(syscall.Signal))
		if err := syscall.Kill(p.cmd.Process.Pid, s.(syscall.Signal)); err != nil {
			t.Fatal(err)
		}
		p.awaitLine(t, fmt.Sprintf("got %d", n))
	}
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d: %s", code, p.describe())
	}
}

// A shell that wraps the app does not pass SIGTERM on; with INTEGCOV_SIGNAL_GROUP the agent signals the child's
// whole process group, so the shell's child (the test binary) gets it too. Without it, only the shell does.
func TestSignalGroupReachesTheGrandchildOfAShellWrappedApp(t *testing.T) {
	self, _ := os.Executable()
	for _, tt := range []struct {
		group string
		want  bool
	}{{"1", true}, {"", false}} {
		t.Run("INTEGCOV_SIGNAL_GROUP="+tt.group, func(t *testing.T) {
			dir := t.TempDir()
			ready, got := filepath.Join(dir, "ready"), filepath.Join(dir, "got")
			env := []string{childEnv + "=term-file", "READY=" + ready, "GOT=" + got, "INTEGCOV_SIGNAL_GROUP=" + tt.group}
			// the grandchild's stdout is not the agent's, so the test ends with the shell
			p := agent(t, env, "run", "--", "sh", "-c", `"$0" >/dev/null 2>&1 & echo $! > "$1.pid"; wait`, self, got)
			awaitFile(t, p, ready)
			grandchild := readPID(t, got+".pid")
			t.Cleanup(func() { syscall.Kill(grandchild, syscall.SIGKILL) })
			syscall.Kill(p.cmd.Process.Pid, syscall.SIGTERM)
			if code := p.wait(t); code != 143 {
				t.Fatalf("exit %d, want the shell's 143: %s", code, p.describe())
			}
			if !tt.want {
				if _, err := os.Stat(got); err == nil || syscall.Kill(grandchild, 0) != nil {
					t.Fatalf("without the group the grandchild got SIGTERM or ended (%v)", err)
				}
				return
			}
			for deadline := time.Now().Add(hangGuard); ; time.Sleep(10 * time.Millisecond) {
				if _, err := os.Stat(got); err == nil {
					return
				}
				if syscall.Kill(grandchild, 0) != nil || time.Now().After(deadline) {
					t.Fatalf("the grandchild ended or %v passed without SIGTERM: %s", hangGuard, p.describe())
				}
			}
		})
	}
}

func readPID(t *testing.T, file string) int {
	t.Helper()
	for deadline := time.Now().Add(hangGuard); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		data, _ := os.ReadFile(file)
		if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
			return pid
		}
	}
	t.Fatalf("no pid in %s", file)
	return 0
}

func TestUnhandledSIGHUPKillsTheChildWith129(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "ready")
	p := agent(t, nil, "run", "--", covappBin, "-serve", "127.0.0.1:0", "-ready", ready)
	awaitFile(t, p, ready)
	syscall.Kill(p.cmd.Process.Pid, syscall.SIGHUP)
	if code := p.wait(t); code != 129 {
		t.Fatalf("exit %d: %s", code, p.describe())
	}
	// the agent itself was not killed: it forwarded SIGHUP and exited with the child's 128+1
	if ws := p.cmd.ProcessState.Sys().(syscall.WaitStatus); ws.Signaled() {
		t.Fatalf("the agent was killed by %v instead of forwarding it: %s", ws.Signal(), p.describe())
	}
}

func TestMissingCoverDirIsCreatedWorldWritableBeforeTheChildStarts(t *testing.T) {
	env, _, runs := fileEnv(t)
	cov := filepath.Join(t.TempDir(), "a", "b")
	env = append(env, "GOCOVERDIR="+cov)
	p := agent(t, env, "run", "--", covappBin, "-exit", "0")
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d: %s", code, p.describe())
	}
	info, err := os.Stat(cov)
	if err != nil || info.Mode().Perm() != 0o777 {
		t.Fatalf("GOCOVERDIR %v, %v", info, err)
	}
	metas, _ := filepath.Glob(filepath.Join(cov, "covmeta.*"))
	if len(metas) != 1 {
		t.Fatalf("the child could not write its meta-data file: %v %s", metas, p.describe())
	}
	if _, m := oneRun(t, runs); len(m.Files) != 2 {
		t.Fatalf("manifest %+v", m)
	}
}

func TestGoTempFilesAreNotUploadedOtherFilesAre(t *testing.T) {
	env, cov, runs := fileEnv(t)
	os.MkdirAll(cov, 0o777)
	os.WriteFile(filepath.Join(cov, "tmp.covcounters.partial"), []byte("being written"), 0o644)
	os.WriteFile(filepath.Join(cov, "notes.txt"), []byte("other"), 0o644)
	p := agent(t, env, "run", "--", covappBin, "-work", "30")
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d: %s", code, p.describe())
	}
	dir, m := oneRun(t, runs)
	var names []string
	for _, f := range m.Files {
		names = append(names, f.Name)
	}
	if len(names) != 3 || !slices.Contains(names, "notes.txt") || slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "tmp.") }) {
		t.Fatalf("files %v", names)
	}
	if _, err := os.Stat(filepath.Join(dir, "tmp.covcounters.partial")); err == nil {
		t.Fatal("tmp file uploaded")
	}
}

func TestRestartedContainerUploadsOnlyFilesNoEarlierRunCommitted(t *testing.T) {
	env, _, runs := fileEnv(t)
	for i := 0; i < 3; i++ {
		p := agent(t, env, "run", "--", covappBin, "-exit", fmt.Sprint(i))
		if code := p.wait(t); code != i {
			t.Fatalf("exit %d: %s", code, p.describe())
		}
	}
	entries, _ := os.ReadDir(runs)
	if len(entries) != 3 {
		t.Fatalf("want 3 runs, got %v", entries)
	}
	seen := map[string]int{}
	var all []string
	for i, e := range entries { // run ids sort by start time
		data, _ := os.ReadFile(filepath.Join(runs, e.Name(), manifest.FileName))
		m, err := manifest.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		wantFiles := 1 // the counters of this run only
		if i == 0 {
			wantFiles = 2 // and the meta-data file, which every run of the same binary shares
		}
		if len(m.Files) != wantFiles || m.ExitCode != i {
			t.Fatalf("run %d manifest %+v", i, m)
		}
		for _, f := range m.Files {
			seen[f.Name]++
			all = append(all, filepath.Join(runs, e.Name()))
		}
	}
	for name, n := range seen {
		if n != 1 {
			t.Fatalf("%s uploaded %d times", name, n)
		}
	}
	// all runs together are complete coverage data
	if p := agenttest.Percent(t, filepath.Join(runs, entries[0].Name()), filepath.Join(runs, entries[1].Name()),
		filepath.Join(runs, entries[2].Name())); p == 0 {
		t.Fatalf("no coverage from the three runs")
	}
}

func TestBadStorageURLIsOneLineAndTheAppStillRuns(t *testing.T) {
	for _, url := range []string{"s3://bucket/x", "gs:///x", "file://relative/dir", "::"} {
		t.Run(url, func(t *testing.T) {
			p := agent(t, []string{"GOCOVERDIR=" + t.TempDir(), "INTEGCOV_STORAGE=" + url}, "run", "--", covappBin, "-exit", "3")
			if code := p.wait(t); code != 3 {
				t.Fatalf("exit %d: %s", code, p.describe())
			}
			want := "integcov-agent: INTEGCOV_STORAGE: storage URL '" + url + "'"
			if !strings.Contains(p.out(), "covapp: classified") || !strings.Contains(p.err(), want) ||
				!strings.Contains(p.err(), "coverage data is not uploaded") {
				t.Fatalf("want %q: %s", want, p.describe())
			}
		})
	}
}

func TestUsageHelpAndVersion(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		out, err string
		quietOut bool
	}{
		{[]string{"--help"}, 0, "integcov-agent run [--] CMD", "", false},
		{[]string{"help"}, 0, "integcov-agent install DIR", "", false},
		{[]string{"run", "--help"}, 0, "Usage:", "", false},
		{[]string{"version"}, 0, "integcov-agent ", "", false},
		{nil, 2, "", "missing subcommand", true},
		{[]string{"frobnicate"}, 2, "", `unknown subcommand "frobnicate"`, true},
		{[]string{"run"}, 2, "", "run: missing CMD", true},
		{[]string{"run", "--"}, 2, "", "run: missing CMD", true},
		{[]string{"run", "-x", "cmd"}, 2, "", `unknown option "-x"`, true},
		{[]string{"install"}, 2, "", "install takes exactly one argument", true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			p := agent(t, nil, tt.args...)
			code := p.wait(t)
			if code != tt.code || !strings.Contains(p.out(), tt.out) || !strings.Contains(p.err(), tt.err) {
				t.Fatalf("exit %d: %s", code, p.describe())
			}
			if tt.quietOut && p.out() != "" {
				t.Fatalf("usage errors write nothing to stdout: %s", p.describe())
			}
			if tt.code == 2 && !strings.Contains(p.err(), "Usage:") {
				t.Fatalf("usage errors print the usage: %s", p.describe())
			}
		})
	}
}

func TestInstallCopiesBothBinariesAndTheCopyWorks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "volume", "bin")
	for i := 0; i < 2; i++ { // an init container that restarts installs again
		p := agent(t, nil, "install", dir)
		if code := p.wait(t); code != 0 {
			t.Fatalf("exit %d: %s", code, p.describe())
		}
		if strings.Contains(p.err(), "chmod") || strings.Count(p.err(), "\n") != 1 {
			t.Fatalf("install says one line: %s", p.describe())
		}
	}
	for name, source := range map[string]string{"integcov-agent": agentBin, "integcov-agent-upload": uploaderBin} {
		a, _ := os.ReadFile(source)
		b, _ := os.ReadFile(filepath.Join(dir, name))
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil || string(a) != string(b) || info.Mode().Perm() != 0o755 {
			t.Fatalf("installed %s differs or mode %v %v", name, info, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("leftovers: %v", entries)
	}
	env, _, runs := fileEnv(t)
	p := start(t, env, filepath.Join(dir, "integcov-agent"), "run", "--", covappBin, "-exit", "5")
	if code := p.wait(t); code != 5 {
		t.Fatalf("installed agent: exit %d: %s", code, p.describe())
	}
	if _, m := oneRun(t, runs); m.ExitCode != 5 || len(m.Files) != 2 {
		t.Fatalf("the installed agent's uploader did not upload: %+v %s", m, p.describe())
	}
}

func TestInstallWithoutTheUploaderNextToItFailsWithOneLine(t *testing.T) {
	lone := filepath.Join(t.TempDir(), "integcov-agent")
	copyFile(t, agentBin, lone)
	target := filepath.Join(t.TempDir(), "bin")
	p := start(t, nil, lone, "install", target)
	if code := p.wait(t); code != 1 {
		t.Fatalf("exit %d: %s", code, p.describe())
	}
	if !strings.HasPrefix(p.err(), "integcov-agent: install: open ") || !strings.Contains(p.err(), "integcov-agent-upload") ||
		strings.Count(p.err(), "\n") != 1 {
		t.Fatalf("want one line naming the uploader: %s", p.describe())
	}
	if entries, _ := os.ReadDir(target); len(entries) != 0 {
		t.Fatalf("half an install: %v", entries)
	}
}

// copyFile copies an executable.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o755); err != nil {
		t.Fatal(err)
	}
}
