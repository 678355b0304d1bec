package flush

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"integcov.io/agent/flush/proto"
)

// goCommand is INTEGCOV_GO when set (as in the agent's tests), else go from PATH.
func goCommand() string {
	if g := strings.TrimSpace(os.Getenv("INTEGCOV_GO")); g != "" {
		return g
	}
	return "go"
}

// A program on an older go line imports this module as users do: `go mod tidy` needs nothing from any proxy (the
// module has no dependencies), leaves the program's go line and requirements as they were, and the program, built
// with -cover, writes its counters when asked. The go command runs with GOTOOLCHAIN=local, so the go line is only
// checked, never satisfied by fetching another toolchain.
func TestAProgramOnAnOlderGoLineBuildsAgainstThisModuleAlone(t *testing.T) {
	flushDir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, goLine := range []string{"1.20", "1.21"} {
		t.Run("go "+goLine, func(t *testing.T) {
			app := t.TempDir()
			goMod := "module example.com/app\n\ngo " + goLine + "\n\nrequire integcov.io/agent/flush v0.0.0\n\n" +
				"replace integcov.io/agent/flush => " + flushDir + "\n"
			write(t, filepath.Join(app, "go.mod"), goMod)
			write(t, filepath.Join(app, "main.go"), `package main

import (
	"bufio"
	"fmt"
	"os"

	_ "integcov.io/agent/flush"
)

func main() {
	fmt.Println("ready")
	bufio.NewReader(os.Stdin).ReadString('\n')
}
`)
			run := func(args ...string) string {
				t.Helper()
				cmd := exec.Command(goCommand(), args...)
				cmd.Dir = app
				cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOPROXY=off", "GOFLAGS=", "GOWORK=off",
					"CGO_ENABLED=0")
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				return string(out)
			}

			run("mod", "tidy")
			if got := read(t, filepath.Join(app, "go.mod")); got != goMod {
				t.Fatalf("go mod tidy changed go.mod:\n%s\nwant:\n%s", got, goMod)
			}
			if sum, err := os.ReadFile(filepath.Join(app, "go.sum")); err == nil && len(sum) > 0 {
				t.Fatalf("go.sum lists modules: %s", sum)
			}
			if got, want := strings.TrimSpace(run("list", "-m", "all")),
				"example.com/app\nintegcov.io/agent/flush v0.0.0 => "+flushDir; got != want {
				t.Fatalf("module graph:\n%s\nwant:\n%s", got, want)
			}
			run("vet", ".")
			run("build", "-cover", "-covermode=atomic", "-o", "app", ".")

			covdir, err := os.MkdirTemp("", "fl") // short: unix socket paths are limited to 108 bytes
			if err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(covdir)
			cmd := exec.Command(filepath.Join(app, "app"))
			cmd.Env = append(os.Environ(), "GOCOVERDIR="+covdir)
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Wait()
			defer stdin.Close()
			// package initialisation (which opens the socket) is over once main prints
			if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "ready\n" {
				t.Fatalf("program said %q, %v", line, err)
			}
			if err := proto.Request(proto.SocketPath(covdir, cmd.Process.Pid), time.Minute); err != nil {
				t.Fatalf("flush: %v", err)
			}
			counters, _ := filepath.Glob(filepath.Join(covdir, "covcounters.*"))
			if len(counters) == 0 {
				t.Fatalf("no counter file in %s after the flush", covdir)
			}
		})
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
