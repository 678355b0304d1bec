// Package agentcmd is the integcov-agent command line: run (wrap mode), prepare, install, version, help, and the hand-over to
// integcov-agent-upload for everything that needs the storage client. It links only the standard library (a test
// checks it): Go runs the package initialisation of everything linked before main, and the GCS client's would delay
// the app's start by ~15 ms. Every line it writes to stderr starts with "integcov-agent:", since it shares stderr
// with the application.
package agentcmd

import (
	"fmt"
	"os"
	"strings"
	"syscall"

	"integcov.io/agent/internal/console"
	"integcov.io/agent/internal/coverdir"
	"integcov.io/agent/internal/handoff"
	"integcov.io/agent/internal/install"
	"integcov.io/agent/internal/settings"
)

// Exit codes of the agent itself (run exits with the child's code instead).
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = console.ExitUsage
)

// Usage is printed by --help (stdout) and after a usage error (stderr).
const Usage = `Usage:
  integcov-agent run [--] CMD [ARGS...]   run CMD, forward signals, exit with its code, then upload GOCOVERDIR
  integcov-agent sidecar [CONTAINER...]   create GOCOVERDIR/<container> for each, upload files as Go finishes them,
                                          on SIGTERM upload the rest and write one manifest per container
  integcov-agent prepare [CONTAINER...]   create GOCOVERDIR/<container> for each and exit 0 (the sidecar's postStart
                                          hook: the kubelet starts the apps only after it, so their directories exist)
  integcov-agent flush                    ask every program importing integcov.io/agent/flush to write its counters
                                          now, then upload them with a manifest (mode flush)
  integcov-agent install DIR              copy integcov-agent and integcov-agent-upload to DIR (mode 0755)
  integcov-agent version                  print the version
  integcov-agent --help                   show this help

run starts CMD at once (inherited stdio, the full environment), forwards every catchable signal to it, reaps
orphans when it is PID 1, and exits with CMD's exit code (128+N if signal N killed it, 127 if CMD is not found,
126 if it cannot be executed). After CMD exits it becomes integcov-agent-upload (same directory, same PID), which
uploads every file of GOCOVERDIR except tmp.* to
INTEGCOV_STORAGE/<namespace>/<capture>/<capture-uid>/<pod>/<container>/<run-id>/ and then integcov-manifest.json.
sidecar and flush run integcov-agent-upload too. Upload problems are logged, never change the exit code.

Environment: GOCOVERDIR (created 0777 if missing), INTEGCOV_STORAGE (gs://bucket/prefix or file:///dir; unset: no
upload), INTEGCOV_POD_NAMESPACE, INTEGCOV_POD_NAME, INTEGCOV_CONTAINER, INTEGCOV_CAPTURE, INTEGCOV_CAPTURE_UID,
INTEGCOV_UPLOAD_TIMEOUT (like 20s, or seconds, from the exit), INTEGCOV_GRACE_PERIOD (else 30 s; after a SIGTERM
the upload ends 5 s, or half a shorter grace period, before the grace period does), INTEGCOV_STORAGE_EMULATOR_HOST
(a GCS emulator, host:port or URL; else STORAGE_EMULATOR_HOST; neither: application default credentials),
INTEGCOV_SIGNAL_GROUP (1 or true: CMD gets its own process group
and signals go to the whole group, like tini -g).
`

// Agent is one invocation: its version, usage text and where it writes.
type Agent struct{ *console.Console }

// Main runs the subcommand in args (without the program name) and returns the process exit code. sidecar and flush
// do not return when the uploader could be executed.
func (a *Agent) Main(args []string) int {
	if len(args) == 0 {
		return a.UsageError("missing subcommand")
	}
	switch args[0] {
	case "run":
		command, code := a.runArgs(args[1:])
		if command == nil {
			return code
		}
		return a.run(command)
	case "sidecar", "flush":
		// not start-latency critical: the uploader has the same command line for them
		err := execUploader(args)
		a.Logf("cannot %s: %v", args[0], err)
		return ExitError
	case "prepare":
		return a.prepare(args[1:])
	case "install":
		if len(args) != 2 || strings.HasPrefix(args[1], "-") {
			return a.UsageError("install takes exactly one argument: the directory")
		}
		return a.install(args[1])
	default: // version, help, unknown
		return a.Shared("integcov-agent", args[0])
	}
}

// prepare is the native sidecar's postStart hook. The kubelet starts the app containers only after a sidecar's
// postStart hook has finished, while the sidecar's own process may still be starting; without the hook an app could
// start before its GOCOVERDIR exists, and Go would then write no meta-data file and the flush package could not
// listen. It always exits 0: a failing postStart hook makes the kubelet kill and restart the sidecar, which would keep
// the apps from starting; a directory it cannot create is logged and the app runs as it would without integcov.
func (a *Agent) prepare(containers []string) int {
	root := os.Getenv(settings.EnvCoverDir)
	if strings.TrimSpace(root) == "" {
		a.Logf("prepare: %s is not set: no directories to create", settings.EnvCoverDir)
		return ExitOK
	}
	if _, err := coverdir.ForContainers(root, containers); err != nil {
		a.Logf("prepare: %v", err)
	}
	return ExitOK
}

// install copies the uploader first and the agent second, each atomically, so an installed integcov-agent always
// has its uploader next to it.
func (a *Agent) install(dir string) int {
	uploader, err := handoff.Uploader()
	if err == nil {
		uploader, err = install.Copy(uploader, dir, handoff.UploaderName)
	}
	if err != nil {
		a.Logf("install: %v", err)
		return ExitError
	}
	agent, err := install.Copy(install.SelfExe, dir, install.Name)
	if err != nil {
		a.Logf("install: %v", err)
		return ExitError
	}
	a.Logf("installed %s and %s", agent, uploader)
	return ExitOK
}

// execUploader replaces this process with integcov-agent-upload args..., same environment; it returns only on failure.
func execUploader(args []string) error {
	path, err := handoff.Uploader()
	if err != nil {
		return err
	}
	err = syscall.Exec(path, append([]string{path}, args...), os.Environ())
	return fmt.Errorf("cannot execute %s: %w", path, err)
}

// runArgs takes "[--] CMD ARGS...": everything after the optional "--" is the command, untouched. Without a
// command it returns the exit code for what it did instead (help, usage error).
func (a *Agent) runArgs(args []string) ([]string, int) {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	} else if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
		fmt.Fprint(a.Stdout, Usage)
		return nil, ExitOK
	} else if len(args) > 0 && strings.HasPrefix(args[0], "-") {
		return nil, a.UsageError("run: unknown option %q (put the command after --)", args[0])
	}
	if len(args) == 0 {
		return nil, a.UsageError("run: missing CMD")
	}
	return args, ExitOK
}

// Stdio is the real process's agent.
func Stdio(version string) *Agent {
	return &Agent{console.Stdio(version, Usage)}
}
