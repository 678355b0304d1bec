package pid1

import (
	"syscall"
	"testing"
)

func TestEarlyLeavesWhatGoNeedsAlone(t *testing.T) {
	for _, s := range Early() {
		switch s {
		case syscall.SIGURG, syscall.SIGPIPE, syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGFPE, syscall.SIGILL,
			syscall.SIGTRAP, syscall.SIGKILL, syscall.SIGSTOP, syscall.SIGCHLD, syscall.SIGPROF, syscall.Signal(32),
			syscall.Signal(33), syscall.Signal(34):
			t.Errorf("%v (%d) must not be set to SIG_IGN", s, int(s))
		}
	}
}
