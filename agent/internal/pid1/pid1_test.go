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

// The test binary runs this package's init as the uploader does: with "upload-run" as its first argument the
// terminating signals are ignored from init on (the process survives them); with any other first argument they
// end the process.
func TestTerminatingSignalsAreIgnoredFromInitOnlyInUploadRun(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// the signals that end a Go program that does not handle them (os/signal's documentation)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGABRT,
		syscall.SIGSYS} {
		for _, arg := range []string{RunCommand, "sidecar"} {
			t.Run(fmt.Sprintf("%d %s", sig, arg), func(t *testing.T) {
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

// Go's own signals keep Go's handlers: the uploader's init must not set them to SIG_IGN.
func TestUploadRunLeavesGoRuntimeSignalsAlone(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, RunCommand)
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", childSignal, 0)) // signal 0: nothing is sent
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v %q", err, out)
	}
	_, hex, _ := strings.Cut(strings.TrimSpace(string(out)), "ignored mask ")
	mask, err := strconv.ParseUint(hex, 16, 64)
	if err != nil {
		t.Fatalf("mask %q: %v", out, err)
	}
	if mask&(1<<(syscall.SIGTERM-1)) == 0 {
		t.Fatalf("SIGTERM not ignored (mask %x): init did not run as in upload-run", mask)
	}
	for _, s := range []syscall.Signal{syscall.SIGURG, syscall.SIGPIPE, syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGFPE,
		syscall.SIGILL, syscall.SIGTRAP, syscall.SIGCHLD, syscall.SIGPROF, 32, 33, 34} {
		if mask&(1<<(s-1)) != 0 {
			t.Errorf("%v (%d) is set to SIG_IGN", s, int(s))
		}
	}
}
