// Package coverdir creates the directories that programs built with -cover write into (their GOCOVERDIR). They are
// mode 0777 whatever the umask, because the app may run as another user than the agent that creates them. Wrap mode
// creates the one directory before it starts the app; sidecar mode creates one per container before the apps start
// (the sidecar's postStart hook, `integcov-agent prepare`) and again when the sidecar itself starts.
package coverdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"integcov.io/agent/internal/settings"
)

// Mode is the permission of a directory this package creates.
const Mode = 0o777

// Ensure creates dir (and its parents) with Mode when it does not exist yet; an existing directory is left as its
// owner made it; anything else by that name is an error. An empty dir is nothing to do.
func Ensure(dir string) error {
	dir = strings.TrimSpace(dir)
	if dir == "" {
		return nil
	}
	if info, err := os.Stat(dir); err == nil {
		if !info.IsDir() {
			return fmt.Errorf("%s exists and is not a directory", dir)
		}
		return nil
	}
	if err := os.MkdirAll(dir, Mode); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	if err := os.Chmod(dir, Mode); err != nil {
		return fmt.Errorf("chmod %s: %w", dir, err)
	}
	return nil
}

// ForContainers ensures root/<segment> for each container name (settings.Segment, the same name the upload keys
// use) and returns the segments in order. Every name is tried; the error joins those that failed.
func ForContainers(root string, names []string) ([]string, error) {
	var segments []string
	var errs []error
	for _, n := range names {
		seg := settings.Segment(n)
		segments = append(segments, seg)
		if err := Ensure(filepath.Join(root, seg)); err != nil {
			errs = append(errs, err)
		}
	}
	return segments, errors.Join(errs...)
}
