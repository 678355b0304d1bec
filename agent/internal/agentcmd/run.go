package agentcmd

import (
	"errors"
	"os"
	"strings"
	"time"

	"integcov.io/agent/internal/coverdir"
	"integcov.io/agent/internal/handoff"
	"integcov.io/agent/internal/settings"
	"integcov.io/agent/internal/supervise"
)

// run is wrap mode. Order matters: signals are subscribed and GOCOVERDIR created (the child's Go runtime writes its
// meta-data file at start-up), then the child starts. After it exited, this process becomes the uploader (same PID,
// still the container's PID 1); nothing of the upload can change the exit code.
func (a *Agent) run(command []string) int {
	sup := supervise.Listen()
	sup.Group = signalGroup(os.Getenv(settings.EnvSignalGroup))
	coverDirErr := coverdir.Ensure(os.Getenv(settings.EnvCoverDir))
	startedAt := time.Now()
	if err := sup.Start(command, os.Environ()); err != nil {
		a.Logf("%v", err)
		var se *supervise.StartError
		if errors.As(err, &se) {
			return se.Code
		}
		return supervise.ExitNotFound
	}
	if coverDirErr != nil {
		a.Logf("%v", coverDirErr)
	}
	exit := sup.Wait()
	if reason := nothingToUpload(os.Getenv); reason != "" {
		a.Logf("%s", reason)
		return exit.Code
	}
	run := handoff.Run{ExitCode: exit.Code, Program: command[0], StartedAt: startedAt, ExitedAt: exit.At,
		FirstTerm: sup.FirstTerm()}
	err := execUploader(run.Args())
	a.Logf("%v; coverage data is not uploaded", err)
	return exit.Code
}

// signalGroup reads INTEGCOV_SIGNAL_GROUP: 1 or true (any case) forwards signals to the child's process group.
func signalGroup(raw string) bool {
	raw = strings.ToLower(strings.TrimSpace(raw))
	return raw == "1" || raw == "true"
}

// nothingToUpload is why there is nothing to hand over to the uploader, or "".
func nothingToUpload(getenv func(string) string) string {
	if strings.TrimSpace(getenv(settings.EnvStorage)) == "" {
		return settings.EnvStorage + " is not set; coverage data is not uploaded"
	}
	if strings.TrimSpace(getenv(settings.EnvCoverDir)) == "" {
		return settings.EnvCoverDir + " is not set; no coverage data to upload"
	}
	return ""
}
