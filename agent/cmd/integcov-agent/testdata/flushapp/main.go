// flushapp is a long-running program that imports integcov.io/agent/flush, for the flush tests: it does some
// branching work, creates $READY, and then only waits for SIGTERM. Nothing after the wait is a new basic block, so
// stopping it adds no coverage: a flush at that moment must give the same percent as the stop.
package main

import (
	"os"
	"os/signal"
	"strconv"
	"syscall"

	_ "integcov.io/agent/flush"
)

func classify(n int) string {
	switch {
	case n%15 == 0:
		return "fizzbuzz"
	case n%5 == 0:
		return "buzz"
	case n%3 == 0:
		return "fizz"
	}
	return "number"
}

func unused() int { return 42 }

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM)
	n, _ := strconv.Atoi(os.Getenv("WORK"))
	counts := map[string]int{}
	for i := 1; i <= n; i++ {
		counts[classify(i)]++
	}
	_ = os.WriteFile(os.Getenv("READY"), []byte("ready"), 0o644)
	<-stop
}
