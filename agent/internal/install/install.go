// Package install copies the running agent into a directory, which is what the webhook's init container does to get
// the agent into an emptyDir the app container mounts. It writes only inside that directory, so it works as any
// user (65532 in the distroless images) with a read-only root filesystem.
package install

import (
	"fmt"
	"os"
	"path/filepath"

	"integcov.io/agent/internal/atomicfile"
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
	if err := atomicfile.Write(target, 0o755, in); err != nil {
		return "", fmt.Errorf("install %s: %w", source, err)
	}
	return target, nil
}
