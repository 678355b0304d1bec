// covapp is the Go program integcov's tests build with `go build -cover` and run under the agent.
//
//	covapp [-exit N] [-serve ADDR] [-work N] [-print-env NAME] [-ready FILE]
//
// It does some branching work (so coverage is partial and measurable), then either exits at once with -exit N, or
// serves HTTP on -serve until SIGTERM/SIGINT, after which it exits normally with -exit N so that Go writes its
// coverage counters. -ready FILE is created once the program has started (tests wait on it before signalling).
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func classify(n int) string {
	switch {
	case n%15 == 0:
		return "fizzbuzz"
	case n%5 == 0:
		return "buzz"
	case n%3 == 0:
		return "fizz"
	default:
		return "number"
	}
}

func neverCalled() string {
	return strings.Repeat("unreached", 3)
}

func main() {
	exitCode := flag.Int("exit", 0, "exit code")
	serve := flag.String("serve", "", "serve HTTP on this address until SIGTERM")
	work := flag.Int("work", 10, "how many numbers to classify")
	printEnv := flag.String("print-env", "", "print NAME=VALUE of this environment variable")
	ready := flag.String("ready", "", "create this file once started")
	flag.Parse()

	counts := map[string]int{}
	for i := 1; i <= *work; i++ {
		counts[classify(i)]++
	}
	fmt.Printf("covapp: classified %d numbers: %v\n", *work, counts)
	if *printEnv != "" {
		fmt.Printf("%s=%s\n", *printEnv, os.Getenv(*printEnv))
	}

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGUSR1)
	if *ready != "" {
		if err := os.WriteFile(*ready, []byte("ready\n"), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "covapp:", err)
		}
	}
	if *serve == "" {
		os.Exit(*exitCode)
	}

	http.HandleFunc("/classify", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Query().Get("n"), "%d", &n)
		fmt.Fprintln(w, classify(n))
	})
	go func() {
		if err := http.ListenAndServe(*serve, nil); err != nil {
			fmt.Fprintln(os.Stderr, "covapp:", err)
			os.Exit(2)
		}
	}()
	for sig := range signals {
		fmt.Printf("covapp: got %v\n", sig)
		if sig == syscall.SIGUSR1 {
			continue // proves the agent forwards signals other than TERM/INT unchanged
		}
		break
	}
	os.Exit(*exitCode)
}
