// Package handoff is the contract between the two agent binaries. integcov-agent starts the app and must do that
// within a millisecond, so it links only the standard library; the GCS client's package initialisation (gRPC,
// protobuf, OpenTelemetry: ~15 ms before main) lives in integcov-agent-upload, next to it in the same directory.
// After the app exited, integcov-agent replaces itself with the uploader (execve: same PID, so it stays the
// container's PID 1) and passes how the app ended as arguments. Standard library only.
package handoff

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// UploaderName is the uploader's file name; it sits in the same directory as integcov-agent.
const UploaderName = "integcov-agent-upload"

// RunCommand is the uploader's subcommand that takes over a finished run.
const RunCommand = "upload-run"

// Run is what the uploader needs to know about the finished app.
type Run struct {
	ExitCode  int       // the app's exit code (128+N when signal N killed it): the uploader exits with it
	Program   string    // the app's argv[0] (the container-name fallback)
	StartedAt time.Time // just before the app was started
	ExitedAt  time.Time // when the app was reaped
	FirstTerm time.Time // the first SIGTERM the agent got (zero: none); the upload deadline counts from it
}

// Args are the uploader's arguments after its name: upload-run EXIT STARTED EXITED FIRSTTERM PROGRAM (times in Unix
// nanoseconds, 0 for none).
func (r Run) Args() []string {
	return []string{RunCommand, strconv.Itoa(r.ExitCode), nanos(r.StartedAt), nanos(r.ExitedAt), nanos(r.FirstTerm),
		r.Program}
}

// Parse reads what Args wrote (the arguments after RunCommand).
func Parse(args []string) (Run, error) {
	if len(args) != 5 {
		return Run{}, fmt.Errorf("%s wants 5 arguments (exit code, start, exit, first SIGTERM, program), got %d",
			RunCommand, len(args))
	}
	code, err := strconv.Atoi(args[0])
	if err != nil || code < 0 || code > 255 {
		return Run{}, fmt.Errorf("%s: exit code %q is not in [0, 255]", RunCommand, args[0])
	}
	var times [3]time.Time
	for i, raw := range args[1:4] {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < 0 {
			return Run{}, fmt.Errorf("%s: time %q is not Unix nanoseconds", RunCommand, raw)
		}
		if n > 0 {
			times[i] = time.Unix(0, n)
		}
	}
	return Run{ExitCode: code, StartedAt: times[0], ExitedAt: times[1], FirstTerm: times[2], Program: args[4]}, nil
}

// Uploader is the uploader next to the running executable.
func Uploader() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("cannot find this executable: %w", err)
	}
	return filepath.Join(filepath.Dir(self), UploaderName), nil
}

func nanos(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return strconv.FormatInt(t.UnixNano(), 10)
}
