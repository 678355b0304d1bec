package footprint

import (
	"os"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestReadOnlyRangesTakesOnlyNonWritableMappingsOfTheExecutable(t *testing.T) {
	maps := `00400000-00c00000 r-xp 00000000 08:01 1234 /bin/agent
00c00000-01800000 r--p 00800000 08:01 1234 /bin/agent
01800000-01900000 rw-p 01400000 08:01 1234 /bin/agent
01900000-01a00000 rw-p 00000000 00:00 0
7f0000000000-7f0000001000 r--p 00000000 08:01 999 /lib/other.so
7ffd0000-7ffd1000 r-xp 00000000 00:00 0 [vdso]
garbage line`
	got := ReadOnlyRanges(maps, 1234)
	want := [][2]uintptr{{0x400000, 0xc00000}, {0xc00000, 0x1800000}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#x, want %#x", got, want)
	}
}

// executableRSS is the resident memory (kB) of this executable's read-only mappings, from /proc/self/smaps.
func executableRSS(t *testing.T) int {
	t.Helper()
	var exe syscall.Stat_t
	if err := syscall.Stat("/proc/self/exe", &exe); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	total, counting := 0, false
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 5 && strings.Contains(f[0], "-") && len(f[1]) == 4 { // a mapping's header line
			ino, _ := strconv.ParseUint(f[4], 10, 64)
			counting = ino == exe.Ino && f[1][1] != 'w'
		} else if counting && len(f) == 3 && f[0] == "Rss:" {
			kb, _ := strconv.Atoi(f[1])
			total += kb
		}
	}
	return total
}

func TestReleaseDropsTheExecutablesResidentReadOnlyPagesAndTheProgramKeepsWorking(t *testing.T) {
	before := executableRSS(t)
	if before == 0 {
		t.Fatal("no resident read-only pages of the executable found in /proc/self/smaps")
	}
	if err := Release(); err != nil {
		t.Fatal(err)
	}
	// what runs from here on (this test, reading smaps) is faulted back in with its neighbours (the kernel maps
	// around a fault); a clear part of the rest must be gone (about 40 % is, measured)
	after := executableRSS(t)
	if after > before*9/10 {
		t.Fatalf("resident read-only pages of the executable: %d kB before Release, %d kB after", before, after)
	}
	// code and read-only data come back: the program still runs, allocates and compares
	if got := ReadOnlyRanges("00400000-00c00000 r-xp 0 0 7 /x", 7); len(got) != 1 {
		t.Fatalf("after Release: %v", got)
	}
}
