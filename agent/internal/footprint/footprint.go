// Package footprint gives back what only integcov-agent-upload's start-up needed. Package initialisation of the GCS
// client (gRPC and protobuf descriptors) touches about 20 MiB of the binary's read-only pages and allocates a few MiB
// of heap, most of which the upload never uses again; dropped before the upload, they do not add to its peak RSS
// (the pod's memory).
package footprint

import (
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
)

// Release returns the free heap to the OS and drops the agent's mappings of the read-only parts of its own
// executable (code, read-only data) from its page tables with madvise(MADV_DONTNEED). Those are clean file pages:
// they stay in the page cache and are faulted back in when the upload runs. Writable mappings are never touched.
func Release() error {
	debug.FreeOSMemory()
	var exe syscall.Stat_t
	if err := syscall.Stat("/proc/self/exe", &exe); err != nil {
		return fmt.Errorf("stat /proc/self/exe: %w", err)
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return fmt.Errorf("read /proc/self/maps: %w", err)
	}
	for _, r := range ReadOnlyRanges(string(maps), exe.Ino) {
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, r[0], r[1]-r[0], syscall.MADV_DONTNEED); errno != 0 {
			return fmt.Errorf("madvise %#x-%#x: %w", r[0], r[1], errno)
		}
	}
	return nil
}

// ReadOnlyRanges lists [start, end) of the non-writable mappings of the file with this inode in a /proc/PID/maps text.
func ReadOnlyRanges(maps string, inode uint64) [][2]uintptr {
	var out [][2]uintptr
	for _, line := range strings.Split(maps, "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || len(f[1]) < 2 || f[1][1] == 'w' {
			continue
		}
		if ino, err := strconv.ParseUint(f[4], 10, 64); err != nil || ino != inode {
			continue
		}
		start, end, ok := strings.Cut(f[0], "-")
		s, err1 := strconv.ParseUint(start, 16, 64)
		e, err2 := strconv.ParseUint(end, 16, 64)
		if !ok || err1 != nil || err2 != nil || e <= s {
			continue
		}
		out = append(out, [2]uintptr{uintptr(s), uintptr(e)})
	}
	return out
}
