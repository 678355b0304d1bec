package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"integcov.io/agent/internal/agenttest"
)

// nonStandardDeps lists the packages pkg links that are not in the standard library.
func nonStandardDeps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := agenttest.Go("list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
	}
	return strings.Fields(string(out))
}

// The process that starts the app must not run the storage client's package initialisation (gRPC, protobuf,
// OpenTelemetry: ~15 ms before main): integcov-agent links only the standard library and this module's small
// packages. The same query on the uploader finds the storage client, so the check sees what it looks for.
func TestRunBinaryLinksOnlyTheStandardLibrary(t *testing.T) {
	for _, dep := range nonStandardDeps(t, ".") {
		if !strings.HasPrefix(dep, "integcov.io/agent/") {
			t.Errorf("integcov-agent links %s", dep)
		}
		if dep == "integcov.io/agent/internal/storage" || dep == "integcov.io/agent/internal/uploadcmd" {
			t.Errorf("integcov-agent links %s, which belongs to the uploader", dep)
		}
	}
	uploader := strings.Join(nonStandardDeps(t, "../integcov-agent-upload"), "\n")
	for _, heavy := range []string{"cloud.google.com/go/storage", "google.golang.org/grpc"} {
		if !strings.Contains(uploader, heavy+"\n") {
			t.Errorf("the uploader does not link %s: the check above would not see it either", heavy)
		}
	}
}

// After the app exited, integcov-agent becomes the uploader by execve: the same PID (still the container's PID 1,
// no extra process), which drops SIGTERM and other signals while it uploads and exits with the app's code.
func TestRunBecomesTheUploaderInTheSamePIDWhichIgnoresSignalsAndKeepsTheExitCode(t *testing.T) {
	silent := startSilentServer(t) // the upload stays in progress until its deadline
	env, _ := gcsEnv(t, "http://"+silent.addr(), "x")
	env = append(env, "INTEGCOV_UPLOAD_TIMEOUT=4s")
	p := agent(t, env, "run", "--", covappBin, "-exit", "3")
	select {
	case <-silent.connected:
	case <-time.After(hangGuard):
		t.Fatalf("the upload never connected: %s", p.describe())
	}
	pid := p.cmd.Process.Pid
	exe, err := os.Readlink("/proc/" + itoa(pid) + "/exe")
	if err != nil || exe != uploaderBin {
		t.Fatalf("PID %d runs %q (%v), want the uploader %s", pid, exe, err, uploaderBin)
	}
	if children := childPIDs(t, pid); len(children) != 0 {
		t.Fatalf("the uploader runs in another process: children %v", children)
	}
	for _, s := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGTERM} {
		if err := syscall.Kill(pid, s); err != nil {
			t.Fatal(err)
		}
	}
	if code := p.wait(t); code != 3 {
		t.Fatalf("exit %d, want the app's 3: %s", code, p.describe())
	}
	if !strings.Contains(p.err(), "2 of 2 coverage files not uploaded") {
		t.Fatalf("the upload did not run to its deadline: %s", p.describe())
	}
}

// Without integcov-agent-upload next to it the agent still exits with the app's code, and says why in one line.
func TestMissingUploaderKeepsTheExitCodeWithOneClearLine(t *testing.T) {
	lone := filepath.Join(t.TempDir(), "integcov-agent")
	copyFile(t, agentBin, lone)
	uploader := filepath.Join(filepath.Dir(lone), "integcov-agent-upload")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"run", []string{"run", "--", covappBin, "-exit", "3"}, 3,
			"integcov-agent: cannot execute " + uploader + ": no such file or directory; coverage data is not uploaded\n"},
		{"run killed", []string{"run", "--", "/bin/sh", "-c", "kill -TERM $$"}, 143,
			"integcov-agent: cannot execute " + uploader + ": no such file or directory; coverage data is not uploaded\n"},
		{"sidecar", []string{"sidecar", "app"}, 1,
			"integcov-agent: cannot sidecar: cannot execute " + uploader + ": no such file or directory\n"},
		{"flush", []string{"flush"}, 1,
			"integcov-agent: cannot flush: cannot execute " + uploader + ": no such file or directory\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _, runs := fileEnv(t)
			p := start(t, env, append([]string{lone}, tt.args...)...)
			if code := p.wait(t); code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, p.describe())
			}
			if p.err() != tt.want {
				t.Fatalf("stderr %q, want %q", p.err(), tt.want)
			}
			if _, err := os.Stat(runs); !os.IsNotExist(err) {
				t.Fatalf("something was uploaded to %s: %v", runs, err)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
