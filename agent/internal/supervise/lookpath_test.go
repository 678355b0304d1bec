package supervise

import (
	"errors"
	"os"
	"path/filepath"
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

func TestForwardedLeavesOutWhatCannotOrMustNotBeForwarded(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Forwarded() {
		seen[s.String()] = true
	}
	for _, name := range []string{"killed", "stopped (signal)", "child exited"} {
		if seen[name] {
			t.Errorf("%s must not be forwarded", name)
		}
	}
	for _, name := range []string{"terminated", "hangup", "user defined signal 1", "window changed", "urgent I/O condition"} {
		if !seen[name] {
			t.Errorf("%s must be forwarded", name)
		}
	}
}

func TestEarlySignalsAreForwardedOnes(t *testing.T) {
	forwarded := map[os.Signal]bool{}
	for _, s := range Forwarded() {
		forwarded[s] = true
	}
	for _, s := range Early {
		if !forwarded[s] {
			t.Errorf("%v is subscribed before the start but not forwarded", s)
		}
	}
}
