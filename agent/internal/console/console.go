// Package console writes what integcov-agent and integcov-agent-upload tell the user: one "integcov-agent: ..." line
// per message on stderr, and the usage text after a usage error. Both binaries share it, so it may import only the
// standard library (the start-up binary must not link anything heavier).
package console

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// ExitUsage is the exit code of a usage error (unknown subcommand, missing CMD).
const ExitUsage = 2

// Console is one invocation's output: its version, its usage text and where it writes. Safe for concurrent use.
type Console struct {
	Version string
	Usage   string
	Stdout  io.Writer
	Stderr  io.Writer
	mu      sync.Mutex
}

// Stdio writes to the process's stdout and stderr.
func Stdio(version, usage string) *Console {
	return &Console{Version: version, Usage: usage, Stdout: os.Stdout, Stderr: os.Stderr}
}

// Logf writes one "integcov-agent: ..." line to stderr.
func (c *Console) Logf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.Stderr, "integcov-agent: "+strings.TrimRight(format, "\n")+"\n", args...)
}

// UsageError writes the message and the usage text to stderr and returns ExitUsage.
func (c *Console) UsageError(format string, args ...any) int {
	c.Logf(format, args...)
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprint(c.Stderr, c.Usage)
	return ExitUsage
}

// Shared answers what both binaries' command lines answer alike: version, help, and an unknown subcommand (a usage
// error). program is the binary's name as the version line shows it.
func (c *Console) Shared(program, subcommand string) int {
	switch subcommand {
	case "version", "--version":
		fmt.Fprintf(c.Stdout, "%s %s\n", program, c.Version)
		return 0
	case "help", "--help", "-h":
		fmt.Fprint(c.Stdout, c.Usage)
		return 0
	default:
		return c.UsageError("unknown subcommand %q", subcommand)
	}
}
