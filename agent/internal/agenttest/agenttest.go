// Package agenttest holds what the agent's end-to-end tests need around the real binaries: building with the Go
// toolchain, a real fake-gcs-server (from the integcov tool cache, installed by src/ci/install-fake-gcs.sh) that can
// be killed and restarted on the same port, and `go tool covdata percent`.
package agenttest

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"integcov.io/agent/internal/storerepair"
)

// RepoRoot is the repository root (the agent module is <root>/agent).
func RepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "testapps", "covapp", "main.go")); err == nil {
			return dir, nil
		}
	}
	return "", fmt.Errorf("no testapps/covapp above %s", wd)
}

// EnvGo names another go command than the one on PATH (the same variable integcov collect reads).
const EnvGo = "INTEGCOV_GO"

// Go is the go command with args: INTEGCOV_GO when set, else go from PATH. Every test helper runs Go through it.
func Go(args ...string) *exec.Cmd {
	goCmd := strings.TrimSpace(os.Getenv(EnvGo))
	if goCmd == "" {
		goCmd = "go"
	}
	return exec.Command(goCmd, args...)
}

// GoBuild runs `go build args... -o out pkg` in dir as a static binary.
func GoBuild(dir, out, pkg string, args ...string) error {
	cmdArgs := append([]string{"build"}, args...)
	cmdArgs = append(cmdArgs, "-o", out, pkg)
	cmd := Go(cmdArgs...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s in %s: %w\n%s", strings.Join(cmdArgs, " "), dir, err, out)
	}
	return nil
}

// CacheBinary is <INTEGCOV_CACHE or ~/.cache/integcov>/bin/<name>.
func CacheBinary(name string) (string, error) {
	cache := os.Getenv("INTEGCOV_CACHE")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		cache = filepath.Join(home, ".cache", "integcov")
	}
	bin := filepath.Join(cache, "bin", name)
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("%s not found at %s; install it with src/ci/install-fake-gcs.sh", name, bin)
	}
	return bin, nil
}

var percentRE = regexp.MustCompile(`coverage:\s+([0-9.]+)% of statements`)

// Percent is `go tool covdata percent -i dirs` of the one covered package.
func Percent(t *testing.T, dirs ...string) float64 {
	t.Helper()
	out, err := Go("tool", "covdata", "percent", "-i", strings.Join(dirs, ",")).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool covdata percent: %v\n%s", err, out)
	}
	m := percentRE.FindAllStringSubmatch(string(out), -1)
	if len(m) != 1 {
		t.Fatalf("want one package in covdata output:\n%s", out)
	}
	p, _ := strconv.ParseFloat(m[0][1], 64)
	return p
}

// FreePort is a loopback port nothing listens on (at the time of the call).
func FreePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// FakeGCS is a fake-gcs-server process with the filesystem backend, so objects survive a kill and restart.
type FakeGCS struct {
	Port int
	Root string
	bin  string
	cmd  *exec.Cmd
	log  string
}

// StartFakeGCS starts a server with these buckets on a free port; it is killed when the test ends.
func StartFakeGCS(t *testing.T, buckets ...string) *FakeGCS {
	t.Helper()
	f := ReserveFakeGCS(t)
	for _, b := range buckets {
		if err := os.MkdirAll(filepath.Join(f.Root, b), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	f.Start(t)
	return f
}

// ReserveFakeGCS picks the port and root without starting the server.
func ReserveFakeGCS(t *testing.T) *FakeGCS {
	t.Helper()
	bin, err := CacheBinary("fake-gcs-server")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := &FakeGCS{Port: FreePort(t), Root: filepath.Join(dir, "root"), bin: bin, log: filepath.Join(dir, "server.log")}
	t.Cleanup(f.Kill)
	return f
}

// Endpoint is the value for STORAGE_EMULATOR_HOST.
func (f *FakeGCS) Endpoint() string { return fmt.Sprintf("http://127.0.0.1:%d", f.Port) }

// Start (re)starts the server on its port and waits until it answers. Like the default store's init container, it
// first repairs the root (storerepair), so a server killed mid-write comes back with every acknowledged object
// listable.
func (f *FakeGCS) Start(t *testing.T) {
	t.Helper()
	if removed, err := storerepair.Repair(f.Root); err != nil {
		t.Fatalf("repairing %s before starting fake-gcs-server: %v", f.Root, err)
	} else if len(removed) > 0 {
		t.Logf("fake-gcs-server restarts without %d unacknowledged files: %v", len(removed), removed)
	}
	logFile, err := os.OpenFile(f.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	f.cmd = exec.Command(f.bin, "-scheme", "http", "-backend", "filesystem", "-filesystem-root", f.Root,
		"-host", "127.0.0.1", "-port", strconv.Itoa(f.Port), "-external-url", f.Endpoint(),
		"-public-host", fmt.Sprintf("127.0.0.1:%d", f.Port), "-log-level", "warn")
	f.cmd.Stdout, f.cmd.Stderr = logFile, logFile
	if err := f.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func(cmd *exec.Cmd) { cmd.Wait(); close(exited) }(f.cmd)
	for i := 0; i < 600; i++ {
		select {
		case <-exited:
			data, _ := os.ReadFile(f.log)
			t.Fatalf("fake-gcs-server exited: %s", data)
		default:
		}
		if resp, err := http.Get(f.Endpoint() + "/storage/v1/b"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("fake-gcs-server did not answer on %s", f.Endpoint())
}

// Kill stops the server with SIGKILL (no-op when not running).
func (f *FakeGCS) Kill() {
	if f.cmd != nil && f.cmd.Process != nil {
		f.cmd.Process.Kill()
		f.cmd.Process.Wait()
		f.cmd = nil
	}
}

// Object is what the server lists for one object.
type Object struct {
	Name   string
	Size   int64
	CRC32C uint32
}

// Objects lists every object in the bucket whose name starts with prefix.
func (f *FakeGCS) Objects(t *testing.T, bucket, prefix string) []Object {
	t.Helper()
	var out []Object
	token := ""
	for {
		u := fmt.Sprintf("%s/storage/v1/b/%s/o?prefix=%s&maxResults=1000&pageToken=%s", f.Endpoint(), bucket,
			url.QueryEscape(prefix), url.QueryEscape(token))
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			t.Fatalf("list %s: %s: %s (server log: %s)", u, resp.Status, body, f.log)
		}
		var page struct {
			Items []struct {
				Name   string `json:"name"`
				Size   string `json:"size"`
				CRC32C string `json:"crc32c"`
			} `json:"items"`
			NextPageToken string `json:"nextPageToken"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("list %s: %v", u, err)
		}
		for _, it := range page.Items {
			size, _ := strconv.ParseInt(it.Size, 10, 64)
			raw, _ := base64.StdEncoding.DecodeString(it.CRC32C)
			var crc uint32
			if len(raw) == 4 {
				crc = binary.BigEndian.Uint32(raw)
			}
			out = append(out, Object{Name: it.Name, Size: size, CRC32C: crc})
		}
		if page.NextPageToken == "" {
			return out
		}
		token = page.NextPageToken
	}
}

// Download reads one object.
func (f *FakeGCS) Download(t *testing.T, bucket, name string) []byte {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("%s/storage/v1/b/%s/o/%s?alt=media", f.Endpoint(), bucket, url.PathEscape(name)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("download %s: HTTP %d %v %s", name, resp.StatusCode, err, bytes.TrimSpace(data))
	}
	return data
}

// DownloadAll writes every object below prefix except the manifest into a new directory, by base name.
func (f *FakeGCS) DownloadAll(t *testing.T, bucket, prefix, skip string) string {
	t.Helper()
	dir := t.TempDir()
	for _, o := range f.Objects(t, bucket, prefix) {
		base := o.Name[strings.LastIndex(o.Name, "/")+1:]
		if base == skip {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, base), f.Download(t, bucket, o.Name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
