// Package flush lets a running Go program built with -cover write its coverage counters on request, without exiting,
// so CI can take coverage from workloads that are never stopped. Import it for its side effect in package main:
//
//	import _ "integcov.io/agent/flush"
//
// When GOCOVERDIR is set, it listens on the unix socket GOCOVERDIR/.integcov-flush-<pid>.sock; `integcov-agent flush`
// connects, sends "flush", and the program calls runtime/coverage.WriteCountersDir(GOCOVERDIR) and answers "ok" or
// "error: ...". The agent itself only imports the protocol (flush/proto), never this package. That needs -covermode=atomic (the default with -race; otherwise pass it to go build), since counters
// are read while the program runs; the answer says so when the mode is wrong.
package flush

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"runtime/coverage"
	"strings"
	"time"

	"integcov.io/agent/flush/proto"
)

func init() {
	if dir := os.Getenv("GOCOVERDIR"); dir != "" {
		if _, err := Serve(dir); err != nil {
			fmt.Fprintf(os.Stderr, "integcov flush: %v\n", err)
		}
	}
}

// Serve listens (before returning, so a flush right after start-up finds the socket) and answers in the background.
func Serve(dir string) (net.Listener, error) {
	path := proto.SocketPath(dir, os.Getpid())
	os.Remove(path) // left by an earlier process with the same pid (restarted container)
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go answer(conn, dir)
		}
	}()
	return l, nil
}

func answer(conn net.Conn, dir string) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Minute))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != proto.FlushRequest {
		fmt.Fprintf(conn, "error: unknown request %q\n", strings.TrimSpace(line))
		return
	}
	if err := coverage.WriteCountersDir(dir); err != nil {
		hint := ""
		if strings.Contains(err.Error(), "covermode") {
			hint = " (build the program with go build -cover -covermode=atomic)"
		}
		fmt.Fprintf(conn, "error: %v%s\n", err, hint)
		return
	}
	fmt.Fprintln(conn, proto.OK)
}
