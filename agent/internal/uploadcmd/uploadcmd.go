// Package uploadcmd is the integcov-agent-upload command line: everything that needs the storage client. integcov-agent
// (package agentcmd) becomes this program after the app exited (upload-run) and runs it for sidecar and flush; the
// split keeps the storage client's package initialisation out of the process that starts the app. Every line it
// writes to stderr starts with "integcov-agent:", since for the user it is the same agent, sharing stderr with the
// application.
package uploadcmd

import (
	"strings"

	"integcov.io/agent/internal/console"
	"integcov.io/agent/internal/handoff"
	"integcov.io/agent/internal/storerepair"
)

// Exit codes of the uploader itself (upload-run exits with the app's code instead).
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = console.ExitUsage
)

// Usage is printed by --help (stdout) and after a usage error (stderr).
const Usage = `Usage (normally run by integcov-agent, see integcov-agent --help):
  integcov-agent-upload sidecar [CONTAINER...]   native-sidecar mode: upload files as Go finishes them
  integcov-agent-upload flush                    make running programs write their counters now, and upload them
  integcov-agent-upload upload-run EXIT STARTED EXITED FIRSTTERM PROGRAM
                                                 what integcov-agent run becomes after the app exited: upload
                                                 GOCOVERDIR, then exit with EXIT
  integcov-agent-upload repair-store ROOT        before the default store (fake-gcs-server, filesystem backend)
                                                 starts on ROOT: remove the files a killed server left without
                                                 metadata (never acknowledged), which would fail every listing
  integcov-agent-upload version                  print the version
`

// Agent is one invocation: its version, usage text and where it writes.
type Agent struct{ *console.Console }

// Main runs the subcommand in args (without the program name) and returns the process exit code.
func (a *Agent) Main(args []string) int {
	if len(args) == 0 {
		return a.UsageError("missing subcommand")
	}
	switch args[0] {
	case handoff.RunCommand:
		run, err := handoff.Parse(args[1:])
		if err != nil {
			return a.UsageError("%v", err)
		}
		return a.uploadRun(run)
	case "sidecar":
		for _, arg := range args[1:] {
			if strings.HasPrefix(arg, "-") {
				return a.UsageError("sidecar: unknown option %q", arg)
			}
		}
		return a.sidecar(args[1:])
	case "flush":
		if len(args) != 1 {
			return a.UsageError("flush takes no arguments")
		}
		return a.flushCommand()
	case "repair-store":
		if len(args) != 2 || strings.HasPrefix(args[1], "-") {
			return a.UsageError("repair-store takes exactly one argument: the store's root directory")
		}
		removed, err := storerepair.Repair(args[1])
		for _, r := range removed {
			a.Logf("repair-store: removed %s: no metadata (an upload the store never acknowledged)", r)
		}
		if err != nil {
			a.Logf("repair-store: %v", err)
			return ExitError
		}
		a.Logf("repair-store: %s checked, %d files removed", args[1], len(removed))
		return ExitOK
	default: // version, help, unknown
		return a.Shared("integcov-agent-upload", args[0])
	}
}

// Stdio is the real process's uploader.
func Stdio(version string) *Agent {
	return &Agent{console.Stdio(version, Usage)}
}
