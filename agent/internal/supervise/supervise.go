// Package supervise runs the wrapped command the way an init process should (tini is the model): the child is
// started before anything else, every catchable signal is forwarded to it unchanged, its exit status becomes ours
// (128+N when signal N killed it), and when the agent is PID 1 every orphan that gets re-parented to it is reaped.
package supervise

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Exit codes for a command that cannot be started, as shells use them.
const (
	ExitNotExecutable = 126
	ExitNotFound      = 127
)

// Forwarded lists every signal a process can catch except SIGCHLD (it concerns the agent: reaping), SIGURG (the Go
// runtime sends it to its own threads to preempt goroutines and also hands it to signal.Notify, so forwarding it
// would send the child a stream of SIGURGs it never got from outside), SIGPROF (the Go runtime consumes it for its
// profiler and never hands it to signal.Notify) and 32-34 (the Go runtime reserves them for C libraries'
// threading). KILL and STOP cannot be caught. Fault signals sent with kill(2) are forwarded too; a real fault of
// the agent still crashes it.
func Forwarded() []os.Signal {
	var out []os.Signal
	for n := 1; n <= 64; n++ {
		s := syscall.Signal(n)
		if s == syscall.SIGKILL || s == syscall.SIGSTOP || s == syscall.SIGCHLD || s == syscall.SIGURG ||
			s == syscall.SIGPROF || (n >= 32 && n <= 34) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// Supervisor owns the signal subscription and, once started, the child.
type Supervisor struct {
	// Group starts the child in a process group of its own and forwards every signal to that whole group (tini's
	// -g): a shell that wraps the app (sh -c 'app & wait') does not pass signals on, so the app gets them directly.
	Group bool

	signals chan os.Signal

	mu        sync.Mutex
	pid       int
	exited    bool
	firstTerm time.Time
}

// SubscribedBeforeStart are the signals subscribed before the child starts. Go's runtime handles every signal from
// its start-up on, and until a signal is subscribed it ends the process on the first twelve listed here (SIGHUP,
// SIGINT and SIGTERM exit, the others print a traceback and exit 2) and leaves SIGTSTP, SIGTTIN and SIGTTOU their
// default action, which stops the process; every other signal it drops. An agent killed or stopped after the child
// started takes the child down or stops forwarding to it (in a container, PID 1's exit ends every process), and a
// subscription "right after the start" is not soon enough: under load the app has started, become ready and been
// signalled by a test or a tool before the agent ran again. SIGUSR1 and SIGUSR2, which apps use for reloads and
// dumps, are subscribed first too, so that they are queued for the child rather than dropped. Each subscription is a
// round trip to the signal-mask thread os/signal starts on the first one; the rest of Forwarded, which an
// unsubscribed Go program survives (a test checks that against the runtime), are subscribed right after the start.
// See bench/README.md for the cost.
var SubscribedBeforeStart = []os.Signal{
	syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGILL, syscall.SIGTRAP, syscall.SIGABRT, syscall.SIGBUS,
	syscall.SIGFPE, syscall.SIGSEGV, syscall.SIGTERM, syscall.SIGSTKFLT, syscall.SIGSYS,
	syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU,
	syscall.SIGUSR1, syscall.SIGUSR2,
}

// Listen subscribes to SubscribedBeforeStart. Call it before Start so that one of them arriving in between is queued
// and delivered to the child once it exists, instead of killing the agent. Start subscribes the rest of Forwarded.
func Listen() *Supervisor {
	s := &Supervisor{signals: make(chan os.Signal, 128)}
	signal.Notify(s.signals, SubscribedBeforeStart...)
	return s
}

// StartError is a command that could not be started, with the exit code a shell would use.
type StartError struct {
	Command string
	Code    int
	Err     error
}

func (e *StartError) Error() string { return fmt.Sprintf("cannot start %s: %v", e.Command, e.Err) }
func (e *StartError) Unwrap() error { return e.Err }

// Start runs argv with the agent's stdio and env, and begins forwarding signals to it.
func (s *Supervisor) Start(argv []string, env []string) error {
	path, err := LookPath(argv[0], pathOf(env))
	if err != nil {
		return err
	}
	attr := &syscall.ProcAttr{Env: env, Files: []uintptr{0, 1, 2}}
	if s.Group {
		attr.Sys = &syscall.SysProcAttr{Setpgid: true} // process group id = the child's pid
	}
	pid, err := syscall.ForkExec(path, argv, attr)
	if err != nil {
		return &StartError{Command: argv[0], Code: codeFor(err), Err: err}
	}
	s.mu.Lock()
	s.pid = pid
	s.mu.Unlock()
	signal.Notify(s.signals, Forwarded()...)
	go s.forward()
	return nil
}

// Exit is how the child ended.
type Exit struct {
	Code   int // exit status, or 128+N when killed by signal N
	Signal int // N, or 0
	At     time.Time
}

// Wait reaps children until the started one has ended and returns its exit. Orphans re-parented to the agent (it is
// PID 1 in a container) are reaped along the way and, after the child's exit, in the background.
func (s *Supervisor) Wait() Exit {
	done := make(chan Exit, 1)
	go s.reap(done)
	return <-done
}

func (s *Supervisor) reap(done chan<- Exit) {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, 0, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil { // ECHILD: nothing left to reap
			return
		}
		s.mu.Lock()
		mine := pid == s.pid
		if mine {
			s.exited = true
		}
		s.mu.Unlock()
		if mine {
			done <- exitOf(status)
		}
	}
}

// FirstTerm is when the agent first got SIGTERM (kubelet's grace period starts then), or the zero time.
func (s *Supervisor) FirstTerm() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.firstTerm
}

func (s *Supervisor) forward() {
	for sig := range s.signals {
		s.mu.Lock()
		if sig == syscall.SIGTERM && s.firstTerm.IsZero() {
			s.firstTerm = time.Now()
		}
		target, exited := s.pid, s.exited
		s.mu.Unlock()
		if s.Group {
			target = -target // the child's process group
		}
		if !exited {
			// ESRCH only when the child (or its group) is gone but not reaped yet: nothing to deliver then
			_ = syscall.Kill(target, sig.(syscall.Signal))
		}
	}
}

func exitOf(status syscall.WaitStatus) Exit {
	now := time.Now()
	if status.Signaled() {
		n := int(status.Signal())
		return Exit{Code: 128 + n, Signal: n, At: now}
	}
	return Exit{Code: status.ExitStatus(), At: now}
}

// LookPath finds a command like a shell does: a name with a '/' is used as is, others are searched in PATH. A file
// that exists but cannot be executed gives 126, nothing found 127.
func LookPath(name, path string) (string, error) {
	if name == "" {
		return "", &StartError{Command: name, Code: ExitNotFound, Err: errors.New("empty command")}
	}
	if strings.Contains(name, "/") {
		return name, nil // errors come from exec itself, mapped by codeFor
	}
	var denied string
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		candidate := filepath.Join(dir, name)
		info, err := os.Stat(candidate)
		if err != nil || info.IsDir() {
			continue
		}
		if info.Mode()&0o111 != 0 && syscall.Access(candidate, 1) == nil { // 1: X_OK
			return candidate, nil
		}
		if denied == "" {
			denied = candidate
		}
	}
	if denied != "" {
		return "", &StartError{Command: name, Code: ExitNotExecutable, Err: fmt.Errorf("%s: %w", denied, syscall.EACCES)}
	}
	return "", &StartError{Command: name, Code: ExitNotFound, Err: fmt.Errorf("not found in PATH %q", path)}
}

func codeFor(err error) int {
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ENOTDIR) {
		return ExitNotFound
	}
	return ExitNotExecutable // EACCES, ENOEXEC, EISDIR, EPERM, ...
}

func pathOf(env []string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], "PATH="); ok {
			return v
		}
	}
	return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}
