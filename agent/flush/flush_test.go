package flush

import (
	"os"
	"strings"
	"testing"
	"time"

	"integcov.io/agent/flush/proto"
)

func TestAFlushRequestToATestBinaryWithoutAtomicCountersIsAClearError(t *testing.T) {
	dir, err := os.MkdirTemp("", "fl") // short: unix socket paths are limited to 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	l, err := Serve(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// `go test` without -cover: runtime/coverage refuses, and the answer carries its reason
	err = proto.Request(proto.SocketPath(dir, os.Getpid()), 10*time.Second)
	if err == nil || !strings.Contains(err.Error(), "covermode") && !strings.Contains(err.Error(), "-cover") {
		t.Fatalf("got %v", err)
	}
}
