// Package atomicfile writes a file so that a reader sees either no file or the old one, or the whole new one: the
// content goes to a hidden temporary file next to the target, which is synced and then renamed over it, and the
// directory is synced too: after Write returned, a crash or power loss leaves the new file, never an empty one.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Write puts everything r yields into target with exactly mode perm (whatever the umask). target's directory must
// exist. The temporary file is named after the target ("." + name, or name when it is hidden already, then
// ".<random>.tmp") and is removed when anything fails.
func Write(target string, perm os.FileMode, r io.Reader) error {
	dir, name := filepath.Split(target)
	if !strings.HasPrefix(name, ".") {
		name = "." + name
	}
	tmp, err := os.CreateTemp(dir, name+".*.tmp")
	if err != nil {
		return fmt.Errorf("create a file next to %s: %w", target, err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	// fchmod on a file we own always works; the mode is exact, whatever the umask
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("chmod %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("rename to %s: %w", target, err)
	}
	return syncDir(filepath.Dir(target))
}

// syncDir makes a rename in dir durable. Filesystems that cannot sync a directory (EINVAL) have nothing to sync.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
