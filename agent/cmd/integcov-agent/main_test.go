package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"integcov.io/agent/internal/agenttest"
	"integcov.io/agent/internal/supervise"
)

// Built once by TestMain: the agent and its uploader exactly as shipped (static, stripped, side by side) and covapp
// with -cover.
var (
	agentBin    string
	uploaderBin string
	covappBin   string
)

// childEnv makes the test binary itself act as a child program (see runChild).
const childEnv = "INTEGCOV_AGENT_TEST_CHILD"

// hangGuard bounds every wait on a process: a hang fails the test instead of blocking it.
const hangGuard = 3 * time.Minute

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(runChild(mode))
	}
	dir, err := os.MkdirTemp("", "integcov-agent-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		root, err := agenttest.RepoRoot()
		if err == nil {
			agentBin = filepath.Join(dir, "integcov-agent")
			err = agenttest.GoBuild(".", agentBin, ".", "-trimpath", "-ldflags=-s -w")
		}
		if err == nil {
			uploaderBin = filepath.Join(dir, "integcov-agent-upload")
			err = agenttest.GoBuild(".", uploaderBin, "../integcov-agent-upload", "-trimpath", "-ldflags=-s -w")
		}
		if err == nil {
			covappBin = filepath.Join(dir, "covapp")
			err = agenttest.GoBuild(filepath.Join(root, "testapps", "covapp"), covappBin, ".", "-cover")
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// runChild is the test binary run as the agent's child. "signals": prints "got N" for every forwarded signal and
// exits 0 after the second SIGTERM. "term-file": writes the file GOT at its first SIGTERM and exits 0. "panic": panics (Go exits 2). "sleep": sleeps until killed.
func runChild(mode string) int {
	switch mode {
	case "signals":
		ch := make(chan os.Signal, 128)
		signal.Notify(ch, supervise.Forwarded()...)
		os.WriteFile(os.Getenv("READY"), []byte("ready"), 0o644)
		terms := 0
		for s := range ch {
			fmt.Printf("got %d\n", s.(syscall.Signal))
			if s == syscall.SIGTERM {
				if terms++; terms == 2 {
					return 0
				}
			}
		}
	case "term-file":
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGTERM)
		os.WriteFile(os.Getenv("READY"), []byte("ready"), 0o644)
		<-ch
		os.WriteFile(os.Getenv("GOT"), []byte("SIGTERM"), 0o644)
		return 0
	case "panic":
		panic("child panics on purpose")
	case "sleep":
		os.WriteFile(os.Getenv("READY"), []byte("ready"), 0o644)
		time.Sleep(time.Hour)
	}
	return 99
}

// proc is a running agent (or other program) with captured output.
type proc struct {
	cmd     *exec.Cmd
	mu      sync.Mutex
	stdout  strings.Builder
	stderr  strings.Builder
	partial string // stdout after its last newline
	lines   chan string
	exited  chan struct{} // closed once the process was reaped and its output read
}

// pipeGuard bounds how long Wait reads output after the process exited: a child the agent left behind (an agent
// that died instead of waiting for it) keeps the pipes open, and the test must fail on the exit, not hang on them.
const pipeGuard = 10 * time.Second

// start runs argv with the test's environment plus env (KEY=VALUE) and waits for nothing.
func start(t *testing.T, env []string, argv ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(argv[0], argv[1:]...), lines: make(chan string, 1024), exited: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout = writerFunc(p.writeStdout)
	p.cmd.Stderr = writerFunc(func(b []byte) (int, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.stderr.Write(b)
	})
	p.cmd.WaitDelay = pipeGuard
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		// Wait returns once the process exited and its output was copied (or pipeGuard passed after the exit)
		p.cmd.Wait()
		p.mu.Lock()
		if p.partial != "" {
			p.sendLine(p.partial)
			p.partial = ""
		}
		p.mu.Unlock()
		close(p.lines)
		close(p.exited)
	}()
	t.Cleanup(func() {
		if !p.ended() {
			p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// writeStdout keeps the output and hands each complete line to awaitLine.
func (p *proc) writeStdout(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stdout.Write(b)
	text := p.partial + string(b)
	for {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			break
		}
		p.sendLine(text[:i])
		text = text[i+1:]
	}
	p.partial = text
	return len(b), nil
}

// sendLine passes a line on unless nobody is reading (the buffer is full); the output keeps it either way.
func (p *proc) sendLine(line string) {
	select {
	case p.lines <- line:
	default:
	}
}

// ended tells whether the process has exited and was reaped.
func (p *proc) ended() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// agent starts integcov-agent with args.
func agent(t *testing.T, env []string, args ...string) *proc {
	return start(t, env, append([]string{agentBin}, args...)...)
}

// wait returns the exit code (128+N for a signal, as a shell reports it).
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(hangGuard):
		p.cmd.Process.Kill()
		t.Fatalf("still running after %v: %s", hangGuard, p.describe())
	}
	ws := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

func (p *proc) out() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stdout.String()
}

func (p *proc) err() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

func (p *proc) describe() string {
	return fmt.Sprintf("%v\n--- stdout\n%s--- stderr\n%s", p.cmd.Args, p.out(), p.err())
}

// awaitLine reads stdout lines until one equals want.
func (p *proc) awaitLine(t *testing.T, want string) {
	t.Helper()
	timeout := time.After(hangGuard)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				t.Fatalf("output ended before %q: %s", want, p.describe())
			}
			if line == want {
				return
			}
		case <-timeout:
			t.Fatalf("no line %q: %s", want, p.describe())
		}
	}
}

// awaitFile waits until path exists (the child created it), or fails if the process ended first.
func awaitFile(t *testing.T, p *proc, path string) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if p.ended() {
			t.Fatalf("%s never appeared, the process ended: %s", path, p.describe())
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s never appeared within %v: %s", path, hangGuard, p.describe())
}

// childPIDs lists the direct children of pid.
func childPIDs(t *testing.T, pid int) []int {
	t.Helper()
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []int
	for _, f := range tasks {
		data, _ := os.ReadFile(f)
		for _, field := range strings.Fields(string(data)) {
			n, _ := strconv.Atoi(field)
			out = append(out, n)
		}
	}
	return out
}

// e2eRequired is set by CI: tests needing root, unshare or runc must then run, not skip.
func e2eRequired() bool { return os.Getenv("INTEGCOV_E2E_REQUIRED") == "1" }

// needRoot skips (or fails under INTEGCOV_E2E_REQUIRED=1) when the test cannot create namespaces.
func needRoot(t *testing.T, what string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if e2eRequired() {
			t.Fatalf("%s needs root, and INTEGCOV_E2E_REQUIRED=1", what)
		}
		t.Skipf("%s needs root (set INTEGCOV_E2E_REQUIRED=1 to make this a failure)", what)
	}
}
