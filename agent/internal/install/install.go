// Package install copies the running agent into a directory, which is what the webhook's init container does to get
// the agent into an emptyDir the app container mounts. It writes only inside that directory, so it works as any
// user (65532 in the distroless images) with a read-only root filesystem.
package install

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Name is the run agent's file name (its uploader, integcov-agent-upload, is installed next to it).
const Name = "integcov-agent"

// SelfExe is the running executable on Linux.
const SelfExe = "/proc/self/exe"

// Copy copies source into dir/name atomically (temporary file, then rename) with mode 0755 and returns the target.
// dir is created if missing; an existing target is replaced, so a restarted init container can install again.
func Copy(source, dir, name string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	in, err := os.Open(source)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", source, err)
	}
	defer in.Close()
	target := filepath.Join(dir, name)
	tmp, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("create a file in %s: %w", dir, err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return "", fmt.Errorf("copy %s to %s: %w", source, tmp.Name(), err)
	}
	// fchmod on a file we own always works; the mode is exact, whatever the umask
	if err := tmp.Chmod(0o755); err != nil {
		tmp.Close()
		return "", fmt.Errorf("chmod %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return "", fmt.Errorf("rename to %s: %w", target, err)
	}
	return target, nil
}
