// Package atomicfile writes a file so that a reader sees either no file or the old one, or the whole new one: the
// content goes to a hidden temporary file next to the target, which is then renamed over it.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
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
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("rename to %s: %w", target, err)
	}
	return nil
}
