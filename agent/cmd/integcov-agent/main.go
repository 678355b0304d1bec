// Command integcov-agent is the part of integcov that runs inside application pods: it wraps the Go program built
// with -cover, forwards signals, and uploads its coverage data after it exits. See agent/README.md.
package main

import (
	"os"

	"integcov.io/agent/internal/cli"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(cli.Stdio(version).Main(os.Args[1:]))
}
