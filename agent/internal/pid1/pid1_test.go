package pid1

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// childSignal makes the test binary send itself this signal number and report whether it lived.
const childSignal = "INTEGCOV_PID1_TEST_SIGNAL"

func TestMain(m *testing.M) {
	if raw := os.Getenv(childSignal); raw != "" {
		n, _ := strconv.Atoi(raw)
		runtime.LockOSThread() // the signal is delivered to this thread before tgkill returns
		syscall.Tgkill(syscall.Getpid(), syscall.Gettid(), syscall.Signal(n))
		fmt.Printf("alive, ignored mask %s\n", ignoredMask())
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// ignoredMask is the SigIgn line of /proc/self/status.
func ignoredMask() string {
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "SigIgn:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// childMask runs the test binary with arg as its first argument and returns its SigIgn mask after init.
func childMask(t *testing.T, arg string) uint64 {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, arg)
	cmd.Env = append(os.Environ(), childSignal+"=0") // signal 0: nothing is sent
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v %q", err, out)
	}
	_, hex, _ := strings.Cut(strings.TrimSpace(string(out)), "ignored mask ")
	mask, err := strconv.ParseUint(hex, 16, 64)
	if err != nil {
		t.Fatalf("mask %q: %v", out, err)
	}
	return mask
}

func bit(s syscall.Signal) uint64 { return 1 << (s - 1) }

// The test binary runs this package's init as the uploader does: with "upload-run" as its first argument the
// terminating signals are ignored from init on (the process survives them); with any other first argument they
// end the process. A signal this test inherited as ignored (nohup, a JVM parent) proves nothing and is skipped.
func TestTerminatingSignalsAreIgnoredFromInitOnlyInUploadRun(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	inherited := childMask(t, "sidecar")
	// the signals that end a Go program that does not handle them (os/signal's documentation)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGABRT,
		syscall.SIGSYS} {
		for _, arg := range []string{RunCommand, "sidecar"} {
			t.Run(fmt.Sprintf("%d %s", sig, arg), func(t *testing.T) {
				if inherited&bit(sig) != 0 {
					t.Skipf("signal %d is ignored already by this test's parent", int(sig))
				}
				cmd := exec.Command(self, arg)
				cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", childSignal, int(sig)))
				out, err := cmd.Output()
				survived := err == nil && strings.HasPrefix(string(out), "alive")
				if survived != (arg == RunCommand) {
					t.Fatalf("argv[1] %q, signal %d: survived %v (%v, %q)", arg, int(sig), survived, err, out)
				}
			})
		}
	}
}

// Go's own signals keep Go's handlers: the uploader's init sets the terminating ones to SIG_IGN, never these.
func TestUploadRunLeavesGoRuntimeSignalsAlone(t *testing.T) {
	inherited := childMask(t, "sidecar")
	added := childMask(t, RunCommand) &^ inherited
	if added&bit(syscall.SIGTERM) == 0 && inherited&bit(syscall.SIGTERM) == 0 {
		t.Fatalf("SIGTERM not ignored (added %x): init did not run as in upload-run", added)
	}
	for _, s := range []syscall.Signal{syscall.SIGURG, syscall.SIGPIPE, syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGFPE,
		syscall.SIGILL, syscall.SIGTRAP, syscall.SIGCHLD, syscall.SIGPROF, 32, 33, 34} {
		if added&bit(s) != 0 {
			t.Errorf("%v (%d) is set to SIG_IGN", s, int(s))
		}
	}
}
