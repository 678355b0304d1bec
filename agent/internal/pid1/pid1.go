// Package pid1 makes integcov-agent-upload, which replaces integcov-agent (same PID, often the container's PID 1)
// after the app exited, keep behaving as the agent did while it uploads: every catchable signal is dropped (a
// SIGTERM must not end the upload before its deadline; the deadline already counts from the first one) and every
// orphan re-parented to it is reaped. Only for `upload-run`: sidecar and flush handle their own signals.
//
// The storage client's package initialisation takes ~15 ms, and a signal with Go's default action would kill the
// process during it. So this package's init sets the terminating signals to SIG_IGN with rt_sigaction. It imports
// only syscall (Go initialises packages in dependency order, then by import path, so it runs right after syscall,
// long before the heavy packages) and reads its arguments from /proc/self/cmdline (os is not initialised yet).
// A signal in the microseconds between execve and this init still has the default action.
package pid1

import (
	"syscall"
	"unsafe"
)

// RunCommand is handoff.RunCommand (this package must not import anything but syscall).
const RunCommand = "upload-run"

// IgnoredFromInit lists the signals whose default action ends or stops the process and that Go does not need itself: they
// are ignored from this package's init on. Not here: SIGURG (Go's preemption), SIGPIPE (Go handles it per fd), the
// synchronous faults (ILL, TRAP, BUS, FPE, SEGV: Go turns real ones into panics), SIGKILL/SIGSTOP; Keep drops those
// the agent forwarded from main on.
func IgnoredFromInit() []syscall.Signal {
	out := []syscall.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGABRT, syscall.SIGUSR1,
		syscall.SIGUSR2, syscall.SIGALRM, syscall.SIGTERM, syscall.SIGSTKFLT, syscall.SIGTSTP, syscall.SIGTTIN,
		syscall.SIGTTOU, syscall.SIGXCPU, syscall.SIGXFSZ, syscall.SIGVTALRM, syscall.SIGIO, syscall.SIGPWR,
		syscall.SIGSYS}
	for n := 35; n <= 64; n++ { // real-time signals (32-34 belong to the Go runtime)
		out = append(out, syscall.Signal(n))
	}
	return out
}

// sigaction is the kernel's struct sigaction on linux/amd64 and linux/arm64.
type sigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

const sigIgn = 1 // SIG_IGN

func init() {
	if !isUploadRun() {
		return
	}
	ignore := sigaction{handler: sigIgn}
	for _, s := range IgnoredFromInit() {
		// best effort: a failure leaves Go's handler, which Keep takes over from main on
		syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(s), uintptr(unsafe.Pointer(&ignore)), 0,
			unsafe.Sizeof(ignore.mask), 0, 0)
	}
}

// isUploadRun tells whether argv[1] is RunCommand, from /proc/self/cmdline.
func isUploadRun() bool {
	fd, err := syscall.Open("/proc/self/cmdline", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer syscall.Close(fd)
	var buf [4096]byte
	n, _ := syscall.Read(fd, buf[:])
	if n <= 0 {
		return false
	}
	args := buf[:n]
	for i, b := range args { // skip argv[0]
		if b == 0 {
			rest := args[i+1:]
			return len(rest) > len(RunCommand) && string(rest[:len(RunCommand)]) == RunCommand &&
				rest[len(RunCommand)] == 0
		}
	}
	return false
}
