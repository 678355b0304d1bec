// Command integcov-agent-upload is the half of the agent that needs the storage client: integcov-agent becomes it
// after the app exited (upload-run, same PID) and runs it for sidecar and flush. It is a separate binary so that the
// storage client's package initialisation never delays the app's start. See agent/README.md.
package main

import (
	"os"

	_ "integcov.io/agent/internal/pid1" // its init ignores terminating signals before the storage client's init runs
	"integcov.io/agent/internal/uploadcmd"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(uploadcmd.Stdio(version).Main(os.Args[1:]))
}
