// Command bench measures integcov-agent side by side with a bare fork+exec of the same child, on this machine, in one
// run, and prints a Markdown table (numbers go into bench/README.md; no test asserts on them).
//
//	cd bench/agent && go run . [-agent ../../agent/target/integcov-agent] [-n 30] [-starts 300]
//
// It needs fake-gcs-server in the integcov tool cache (src/ci/install-fake-gcs.sh) and Go (covapp is built with
// -cover to make realistic coverage files).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	agent := flag.String("agent", "../../agent/target/integcov-agent", "the agent binary")
	n := flag.Int("n", 30, "repetitions per measurement")
	starts := flag.Int("starts", 300, "repetitions of the alternating start against the minimal Go wrapper (differences of a tenth of a millisecond need hundreds)")
	flag.Parse()
	if err := run(*agent, *n, *starts); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(agent string, n, starts int) error {
	agent, _ = filepath.Abs(agent)
	work, err := os.MkdirTemp("", "integcov-agent-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	date, err := exec.LookPath("date")
	if err != nil {
		return err
	}
	sleep, _ := exec.LookPath("sleep")
	truePath, _ := exec.LookPath("true")

	rows := [][]string{{"measurement", "bare fork+exec", "integcov-agent", "difference / ratio", "target"}}

	// (a) exec to child start: the child prints the clock it read at its start
	bare, err := startDelays(n, nil, date, "+%s%N")
	if err != nil {
		return err
	}
	wrapped, err := startDelays(n, []string{"GOCOVERDIR=" + filepath.Join(work, "cov-a")}, agent, "run", "--", date, "+%s%N")
	if err != nil {
		return err
	}
	rows = append(rows, []string{"exec → child start (median of " + strconv.Itoa(n) + ")", ms(median(bare)), ms(median(wrapped)),
		"+" + ms(median(wrapped)-median(bare)), "≤ +1 ms"})
	// the floor for any Go wrapper: a static Go program that only fork+execs its arguments and waits, measured
	// alternately with the agent so both see the same load
	minimal, err := buildMinimalWrapper(work)
	if err != nil {
		return err
	}
	var floor, agentAgain []time.Duration
	for i := 0; i < starts; i++ {
		f, err := startDelays(1, nil, minimal, date, "+%s%N")
		if err != nil {
			return err
		}
		a, err := startDelays(1, []string{"GOCOVERDIR=" + filepath.Join(work, "cov-a")}, agent, "run", "--", date, "+%s%N")
		if err != nil {
			return err
		}
		floor, agentAgain = append(floor, f...), append(agentAgain, a...)
	}
	rows = append(rows, []string{"exec → child start, minimal Go fork+exec+wait wrapper vs agent, alternating (median of " +
		strconv.Itoa(starts) + ")", ms(median(floor)) + " (minimal wrapper)", ms(median(agentAgain)),
		"+" + ms(median(agentAgain)-median(floor)) + fmt.Sprintf(" (×%.2f)", float64(median(agentAgain))/float64(median(floor))),
		"≤ +0.5 ms over the minimal wrapper"})

	// (b) RSS of the agent while the child runs
	rss, err := rssWhileRunning(agent, sleep)
	if err != nil {
		return err
	}
	rows = append(rows, []string{"RSS while the child runs (anon + file)", "0 (no wrapper)",
		fmt.Sprintf("%s (%s + %s)", mib(rss["VmRSS"]), mib(rss["RssAnon"]), mib(rss["RssFile"])), mib(rss["VmRSS"]), "≤ 8 MiB"})

	// (c) 101 files to fake-gcs-server after the child exits (a fresh server each time: its memory backend slows
	// down as it fills); (d) peak RSS during a 500-file upload
	covapp := filepath.Join(work, "covapp")
	if out, err := exec.Command("go", "build", "-C", "../../testapps/covapp", "-cover", "-o", covapp, ".").CombinedOutput(); err != nil {
		return fmt.Errorf("build covapp: %v %s", err, out)
	}
	cov101 := filepath.Join(work, "cov-101")
	if err := coverageFiles(covapp, cov101, 100); err != nil {
		return err
	}
	var upload101, cpu101, bareTrue []time.Duration
	for i := 0; i < min(n, 10); i++ {
		gcs, endpoint, err := fakeGCS(work, i)
		if err != nil {
			return err
		}
		t0 := time.Now()
		if err := exec.Command(truePath).Run(); err != nil {
			return err
		}
		bareTrue = append(bareTrue, time.Since(t0))
		os.Remove(filepath.Join(cov101, ".integcov-committed")) // each repetition uploads all 101 files
		wall, state, err := timed(gcsEnv(cov101, endpoint, "b101"), agent, "run", "--", truePath)
		gcs.Process.Kill()
		gcs.Wait()
		if err != nil {
			return err
		}
		upload101 = append(upload101, wall)
		cpu101 = append(cpu101, state.UserTime()+state.SystemTime())
	}
	rows = append(rows, []string{"101 files (100 counters + meta) to fake-gcs-server, whole run (median of " +
		strconv.Itoa(len(upload101)) + ")", ms(median(bareTrue)), ms(median(upload101)) + " wall, " + ms(median(cpu101)) + " CPU",
		"+" + ms(median(upload101)-median(bareTrue)), "≤ 150 ms after exit"})

	gcs, endpoint, err := fakeGCS(work, 99)
	if err != nil {
		return err
	}
	defer func() { gcs.Process.Kill(); gcs.Wait() }()
	cov500 := filepath.Join(work, "cov-500")
	if err := syntheticFiles(covapp, cov500, 500); err != nil {
		return err
	}
	_, state, err := timed(gcsEnv(cov500, endpoint, "b500"), agent, "run", "--", truePath)
	if err != nil {
		return err
	}
	peak := state.SysUsage().(*syscall.Rusage).Maxrss * 1024
	rows = append(rows, []string{"peak RSS, 500-file upload", "-", mib(peak), mib(peak), "≤ 40 MiB"})

	// (e) install: copy both binaries into an emptyDir-like directory, vs cp of the same files
	uploader := filepath.Join(filepath.Dir(agent), "integcov-agent-upload")
	var inst, cp []time.Duration
	for i := 0; i < n; i++ {
		dir := filepath.Join(work, fmt.Sprintf("bin-%d", i))
		wall, _, err := timed(nil, agent, "install", dir)
		if err != nil {
			return err
		}
		inst = append(inst, wall)
		os.RemoveAll(dir)
		os.MkdirAll(dir, 0o777)
		t0 := time.Now()
		if err := exec.Command("cp", agent, uploader, dir).Run(); err != nil {
			return err
		}
		cp = append(cp, time.Since(t0))
		os.RemoveAll(dir)
	}
	rows = append(rows, []string{"install into an empty dir (median of " + strconv.Itoa(n) + ")", ms(median(cp)) + " (cp)",
		ms(median(inst)), fmt.Sprintf("×%.1f", float64(median(inst))/float64(median(cp))), "≤ 100 ms"})

	var sizes []string
	for _, bin := range []string{agent, uploader} {
		info, err := os.Stat(bin)
		if err != nil {
			return err
		}
		sizes = append(sizes, fmt.Sprintf("%s %.1f MB (%.1f MiB)", filepath.Base(bin), float64(info.Size())/1e6,
			float64(info.Size())/(1<<20)))
	}
	rows = append(rows, []string{"binary size (static, stripped)", "-", strings.Join(sizes, ", "), "-", "≤ 34 MB"})

	for i, r := range rows {
		fmt.Println("| " + strings.Join(r, " | ") + " |")
		if i == 0 {
			fmt.Println(strings.Repeat("| --- ", len(r)) + "|")
		}
	}
	return nil
}

// startDelays runs argv n times; the child prints the nanosecond clock at its start; returns start - exec.
// minimalWrapper is the least a Go wrapper does: fork+exec its arguments (an absolute path), wait, exit with the code.
const minimalWrapper = `package main

import (
	"os"
	"syscall"
)

func main() {
	pid, err := syscall.ForkExec(os.Args[1], os.Args[1:], &syscall.ProcAttr{Env: os.Environ(), Files: []uintptr{0, 1, 2}})
	if err != nil {
		os.Exit(127)
	}
	var ws syscall.WaitStatus
	syscall.Wait4(pid, &ws, 0, nil)
	os.Exit(ws.ExitStatus())
}
`

// buildMinimalWrapper builds minimalWrapper static and stripped, like the agent.
func buildMinimalWrapper(work string) (string, error) {
	dir := filepath.Join(work, "minimal")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(minimalWrapper), 0o644); err != nil {
		return "", err
	}
	out := filepath.Join(dir, "minimal-wrapper")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "main.go")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GO111MODULE=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the minimal wrapper: %v %s", err, b)
	}
	return out, nil
}

func startDelays(n int, env []string, argv ...string) ([]time.Duration, error) {
	var out []time.Duration
	for i := 0; i < n; i++ {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(), env...)
		t0 := time.Now().UnixNano()
		b, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("%v: %w", argv, err)
		}
		started, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if err != nil {
			return nil, err
		}
		out = append(out, time.Duration(started-t0))
	}
	return out, nil
}

func rssWhileRunning(agent, sleep string) (map[string]int64, error) {
	cmd := exec.Command(agent, "run", "--", sleep, "2")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	defer cmd.Wait()
	time.Sleep(time.Second)
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, v, ok := strings.Cut(sc.Text(), ":")
		if ok && (key == "VmRSS" || key == "RssAnon" || key == "RssFile") {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			out[key] = kb * 1024
		}
	}
	if out["VmRSS"] == 0 {
		return nil, fmt.Errorf("no VmRSS in /proc/%d/status", cmd.Process.Pid)
	}
	return out, nil
}

func timed(env []string, argv ...string) (time.Duration, *os.ProcessState, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	t0 := time.Now()
	err := cmd.Run()
	wall := time.Since(t0)
	if err != nil {
		return 0, nil, fmt.Errorf("%v: %w %s", argv, err, stderr.String())
	}
	if strings.Contains(stderr.String(), "not uploaded") || strings.Contains(stderr.String(), "could not") {
		return 0, nil, fmt.Errorf("%v: upload failed: %s", argv, stderr.String())
	}
	return wall, cmd.ProcessState, nil
}

func gcsEnv(cov, endpoint, prefix string) []string {
	return []string{"GOCOVERDIR=" + cov, "INTEGCOV_STORAGE=gs://bench/" + prefix, "STORAGE_EMULATOR_HOST=" + endpoint,
		"INTEGCOV_CAPTURE=bench", "INTEGCOV_CAPTURE_UID=uid", "INTEGCOV_UPLOAD_TIMEOUT=60s"}
}

// coverageFiles runs covapp runs times into cov: one meta-data file and runs counter files, as a real app writes.
func coverageFiles(covapp, cov string, runs int) error {
	if err := os.MkdirAll(cov, 0o777); err != nil {
		return err
	}
	for i := 0; i < runs; i++ {
		cmd := exec.Command(covapp, "-exit", "0", "-work", strconv.Itoa(i+1))
		cmd.Env = append(os.Environ(), "GOCOVERDIR="+cov)
		if err := cmd.Run(); err != nil {
			return err
		}
	}
	return nil
}

// syntheticFiles is coverageFiles for a few runs, then copies of a counter file up to total files.
func syntheticFiles(covapp, cov string, total int) error {
	if err := coverageFiles(covapp, cov, 1); err != nil {
		return err
	}
	counters, _ := filepath.Glob(filepath.Join(cov, "covcounters.*"))
	data, err := os.ReadFile(counters[0])
	if err != nil {
		return err
	}
	for i := 0; i < total-2; i++ {
		if err := os.WriteFile(filepath.Join(cov, fmt.Sprintf("%s.copy%d", filepath.Base(counters[0]), i)), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func fakeGCS(work string, i int) (*exec.Cmd, string, error) {
	cache := os.Getenv("INTEGCOV_CACHE")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache", "integcov")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	data := filepath.Join(work, fmt.Sprintf("gcs-data-%d", i))
	os.MkdirAll(filepath.Join(data, "bench"), 0o755)
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", port)
	cmd := exec.Command(filepath.Join(cache, "bin", "fake-gcs-server"), "-scheme", "http", "-backend", "memory",
		"-data", data, "-host", "127.0.0.1", "-port", strconv.Itoa(port), "-external-url", endpoint,
		"-public-host", fmt.Sprintf("127.0.0.1:%d", port), "-log-level", "warn")
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("fake-gcs-server (src/ci/install-fake-gcs.sh): %w", err)
	}
	for i := 0; i < 600; i++ {
		if resp, err := http.Get(endpoint + "/storage/v1/b"); err == nil {
			resp.Body.Close()
			return cmd, endpoint, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Kill()
	return nil, "", fmt.Errorf("fake-gcs-server did not start")
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
