// pause is the local cluster's sandbox ("pause") image: the first process of every pod, holding its namespaces until
// the kubelet stops the sandbox. It waits for SIGTERM or SIGINT and exits 0, reaping any zombie children meanwhile.
// Built static (CGO_ENABLED=0) and put alone into a FROM-scratch-like image by src/ci/cluster/up.sh.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for sig := range signals {
		if sig != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
