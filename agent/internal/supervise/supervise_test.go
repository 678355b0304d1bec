package supervise

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// idleEnv makes the test binary a Go program that subscribes to no signal: it answers each stdin line with "pong".
const idleEnv = "SUPERVISE_TEST_IDLE"

func TestMain(m *testing.M) {
	if os.Getenv(idleEnv) == "1" {
		in := bufio.NewScanner(os.Stdin)
		for fmt.Println("ready"); in.Scan(); {
			fmt.Println("pong")
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The signals subscribed only after the child started must be ones an unsubscribed Go program survives (Go's runtime
// drops them): one arriving before the agent's subscription is then not forwarded, but it cannot kill the agent and
// with it the running child. Checked against the real runtime, so a Go release that changes its defaults fails here.
func TestSignalsSubscribedAfterTheStartCannotKillAnUnsubscribedGoProgram(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), idleEnv+"=1")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	guard := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() }) // a stopped program would never answer
	defer guard.Stop()
	out := bufio.NewScanner(stdout)
	if !out.Scan() || out.Text() != "ready" {
		t.Fatalf("the idle program did not start: %q %s", out.Text(), stderr.String())
	}
	var after []os.Signal
	for _, s := range Forwarded() {
		if !slices.Contains(SubscribedBeforeStart, s) {
			after = append(after, s)
		}
	}
	for _, s := range after {
		if err := cmd.Process.Signal(s); err != nil {
			t.Fatalf("%v: %v", s, err)
		}
	}
	// the signals were queued before this line; the program answers only after it ran again, with them delivered
	fmt.Fprintln(stdin, "ping")
	if !out.Scan() || out.Text() != "pong" {
		cmd.Process.Kill()
		t.Fatalf("one of %v ended or stopped an unsubscribed Go program (%v): %s", after, cmd.Wait(), stderr.String())
	}
}

func TestLookPath(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "exe")
	plain := filepath.Join(dir, "plain")
	os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755)
	os.WriteFile(plain, []byte("x"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	tests := []struct {
		name, path, want string
		code             int
	}{
		{"exe", dir, exe, 0},
		{"plain", dir, "", ExitNotExecutable},
		{"sub", dir, "", ExitNotFound},
		{"missing", dir, "", ExitNotFound},
		{"./relative", "", "./relative", 0},
		{"", dir, "", ExitNotFound},
	}
	for _, tt := range tests {
		got, err := LookPath(tt.name, tt.path)
		var se *StartError
		switch {
		case tt.code == 0 && (err != nil || got != tt.want):
			t.Errorf("LookPath(%q) = %q, %v; want %q", tt.name, got, err, tt.want)
		case tt.code != 0 && (!errors.As(err, &se) || se.Code != tt.code):
			t.Errorf("LookPath(%q) error %v, want code %d", tt.name, err, tt.code)
		}
	}
}

func TestEarlySignalsAreForwardedOnes(t *testing.T) {
	forwarded := map[os.Signal]bool{}
	for _, s := range Forwarded() {
		forwarded[s] = true
	}
	for _, s := range SubscribedBeforeStart {
		if !forwarded[s] {
			t.Errorf("%v is subscribed before the start but not forwarded", s)
		}
	}
}

func TestForwardedLeavesOutWhatTheAgentOrTheGoRuntimeOwns(t *testing.T) {
	forwarded := map[os.Signal]bool{}
	for _, s := range Forwarded() {
		forwarded[s] = true
	}
	for _, s := range []syscall.Signal{syscall.SIGCHLD, syscall.SIGURG, syscall.SIGPROF, syscall.SIGKILL, syscall.SIGSTOP, 32, 33, 34} {
		if forwarded[s] {
			t.Errorf("%v (%d) is forwarded", s, int(s))
		}
	}
	for _, s := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGWINCH, syscall.SIGUSR1, 35, 64} {
		if !forwarded[s] {
			t.Errorf("%v (%d) is not forwarded", s, int(s))
		}
	}
}
