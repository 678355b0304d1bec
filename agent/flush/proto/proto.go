// Package proto is the flush protocol shared by the programs that import integcov.io/agent/flush and by
// `integcov-agent flush`: where the sockets are, and one request line answered by one line. It has no side effects,
// unlike its parent package.
package proto

import (
	"bufio"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"
)

// The socket's name in GOCOVERDIR is SocketPrefix<pid>SocketSuffix; the request is FlushRequest, the answer OK or
// "error: <reason>".
const (
	SocketPrefix = ".integcov-flush-"
	SocketSuffix = ".sock"
	FlushRequest = "flush"
	OK           = "ok"
)

// SocketPath is where the program with this pid listens.
func SocketPath(dir string, pid int) string {
	return filepath.Join(dir, fmt.Sprintf("%s%d%s", SocketPrefix, pid, SocketSuffix))
}

// Request asks the program listening on socket to write its counters and waits for the answer.
func Request(socket string, timeout time.Duration) error {
	conn, err := net.DialTimeout("unix", socket, timeout)
	if err != nil {
		return fmt.Errorf("connect %s: %w", socket, err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	if _, err := fmt.Fprintln(conn, FlushRequest); err != nil {
		return fmt.Errorf("send to %s: %w", socket, err)
	}
	reply, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return fmt.Errorf("read answer from %s: %w", socket, err)
	}
	if reply = strings.TrimSpace(reply); reply != OK {
		return fmt.Errorf("%s: %s", socket, strings.TrimPrefix(reply, "error: "))
	}
	return nil
}

// Sockets lists the flush sockets in dir and in its direct sub-directories (one per container in sidecar mode).
func Sockets(dir string) []string {
	var out []string
	for _, pattern := range []string{filepath.Join(dir, SocketPrefix+"*"+SocketSuffix),
		filepath.Join(dir, "*", SocketPrefix+"*"+SocketSuffix)} {
		found, _ := filepath.Glob(pattern)
		out = append(out, found...)
	}
	return out
}
