package supervise

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

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
