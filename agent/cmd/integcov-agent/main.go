// Command integcov-agent is the part of integcov that runs inside application pods: it wraps the Go program built
// with -cover, forwards signals, and after it exited becomes integcov-agent-upload (same directory, same PID), which
// uploads its coverage data. This binary links only the standard library, so it starts the app within a
// millisecond. See agent/README.md.
package main

import (
	"os"

	"integcov.io/agent/internal/agentcmd"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(agentcmd.Stdio(version).Main(os.Args[1:]))
}
