package footprint

import (
	"reflect"
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

func TestReleaseKeepsTheProgramWorking(t *testing.T) {
	if err := Release(); err != nil {
		t.Fatal(err)
	}
	// code and read-only data are faulted back in: the test binary still runs, allocates and compares
	got := ReadOnlyRanges("00400000-00c00000 r-xp 0 0 7 /x", 7)
	if len(got) != 1 {
		t.Fatalf("after Release: %v", got)
	}
}
