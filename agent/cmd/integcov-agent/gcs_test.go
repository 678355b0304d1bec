package main

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"integcov.io/agent/internal/agenttest"
	"integcov.io/agent/internal/manifest"
)

// gcsEnv uploads to gs://coverage/<prefix> on endpoint with fixed key segments. endpoint is given as the webhook
// gives the default store's address (INTEGCOV_STORAGE_EMULATOR_HOST), next to a STORAGE_EMULATOR_HOST of the app's
// own that points nowhere: the agent must not follow it.
func gcsEnv(t *testing.T, endpoint, prefix string) (env []string, cov string) {
	cov = filepath.Join(t.TempDir(), "covdata")
	return []string{"GOCOVERDIR=" + cov, "INTEGCOV_STORAGE=gs://" + bucket + "/" + prefix,
		"INTEGCOV_STORAGE_EMULATOR_HOST=" + endpoint, "STORAGE_EMULATOR_HOST=" + appsOwnEmulator(t),
		"INTEGCOV_POD_NAMESPACE=ns", "INTEGCOV_CAPTURE=cap", "INTEGCOV_CAPTURE_UID=uid", "INTEGCOV_POD_NAME=pod",
		"INTEGCOV_CONTAINER=app"}, cov
}

// appsOwnEmulator is a loopback address nothing listens on, as an app's own STORAGE_EMULATOR_HOST.
func appsOwnEmulator(t *testing.T) string {
	return fmt.Sprintf("127.0.0.1:%d", agenttest.FreePort(t))
}

// gcsManifest reads the one manifest below prefix and checks it against the stored objects.
func gcsManifest(t *testing.T, gcs *agenttest.FakeGCS, prefix string) manifest.Manifest {
	t.Helper()
	objects := gcs.Objects(t, bucket, prefix+"/")
	var m manifest.Manifest
	byName := map[string]agenttest.Object{}
	manifests := 0
	for _, o := range objects {
		byName[o.Name] = o
		if strings.HasSuffix(o.Name, "/"+manifest.FileName) {
			manifests++
			var err error
			if m, err = manifest.Parse(gcs.Download(t, bucket, o.Name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if manifests != 1 {
		t.Fatalf("want one manifest below %s, got %d in %d objects", prefix, manifests, len(objects))
	}
	run := prefix + "/ns/cap/uid/pod/app/" + m.RunID + "/"
	for _, f := range m.Files {
		o, ok := byName[run+f.Name]
		if !ok || o.Size != f.Size || o.CRC32C != f.CRC32C {
			t.Fatalf("manifest entry %+v, stored %+v (found %v)", f, o, ok)
		}
	}
	if len(objects) != len(m.Files)+1 {
		t.Fatalf("%d objects, manifest names %d files", len(objects), len(m.Files))
	}
	return m
}

func TestSIGTERMIsForwardedAndCoverageFromGCSEqualsADirectRun(t *testing.T) {
	gcs := agenttest.StartFakeGCS(t, bucket)
	env, _ := gcsEnv(t, gcs.Endpoint(), "sigterm")
	ready := filepath.Join(t.TempDir(), "ready")
	p := agent(t, env, "run", "--", covappBin, "-serve", "127.0.0.1:0", "-ready", ready, "-exit", "7")
	awaitFile(t, p, ready)
	syscall.Kill(p.cmd.Process.Pid, syscall.SIGTERM)
	if code := p.wait(t); code != 7 || !strings.Contains(p.out(), "covapp: got terminated") {
		t.Fatalf("exit %d: %s", code, p.describe())
	}
	m := gcsManifest(t, gcs, "sigterm")
	if m.ExitCode != 7 || m.Signal != nil || len(m.Files) != 2 || m.Failed != nil {
		t.Fatalf("manifest %+v", m)
	}
	uploaded := agenttest.Percent(t, gcs.DownloadAll(t, bucket, "sigterm/", manifest.FileName))

	directCov := t.TempDir()
	directReady := filepath.Join(t.TempDir(), "ready")
	d := start(t, []string{"GOCOVERDIR=" + directCov}, covappBin, "-serve", "127.0.0.1:0", "-ready", directReady, "-exit", "7")
	awaitFile(t, d, directReady)
	syscall.Kill(d.cmd.Process.Pid, syscall.SIGTERM)
	if code := d.wait(t); code != 7 {
		t.Fatalf("direct run: %s", d.describe())
	}
	if direct := agenttest.Percent(t, directCov); uploaded != direct || uploaded == 0 {
		t.Fatalf("coverage from storage %v, direct run %v", uploaded, direct)
	}
}

func TestMissingBucketIsOneClearLineAndKeepsTheExitCode(t *testing.T) {
	gcs := agenttest.StartFakeGCS(t, bucket)
	env, _ := gcsEnv(t, gcs.Endpoint(), "x")
	env = append(env, "INTEGCOV_STORAGE=gs://no-such-bucket/x", "INTEGCOV_UPLOAD_TIMEOUT=20s")
	p := agent(t, env, "run", "--", covappBin, "-exit", "6")
	if code := p.wait(t); code != 6 {
		t.Fatalf("exit %d: %s", code, p.describe())
	}
	if !strings.Contains(p.err(), "integcov-agent: 2 of 2 coverage files not uploaded to gs://no-such-bucket/x/") ||
		!strings.Contains(p.err(), "404") || strings.Contains(p.err(), "retrying") {
		t.Fatalf("want a fast, clear failure: %s", p.describe())
	}
}

func TestUnreachableStorageKeepsTheExitCodeAndCountsEveryFile(t *testing.T) {
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", agenttest.FreePort(t))
	env, _ := gcsEnv(t, endpoint, "x")
	env = append(env, "INTEGCOV_UPLOAD_TIMEOUT=3s")
	p := agent(t, env, "run", "--", covappBin, "-exit", "4")
	if code := p.wait(t); code != 4 {
		t.Fatalf("exit %d: %s", code, p.describe())
	}
	for _, want := range []string{"upload failed, retrying until", "connection refused",
		"2 of 2 coverage files not uploaded", "could not write integcov-manifest.json"} {
		if !strings.Contains(p.err(), want) {
			t.Fatalf("want %q: %s", want, p.describe())
		}
	}
}

func TestServerThatAcceptsAndNeverAnswersIsAbandonedAtTheDeadline(t *testing.T) {
	silent := startSilentServer(t)
	env, _ := gcsEnv(t, "http://"+silent.addr(), "x")
	env = append(env, "INTEGCOV_UPLOAD_TIMEOUT=3s")
	p := agent(t, env, "run", "--", covappBin, "-exit", "5")
	if code := p.wait(t); code != 5 {
		t.Fatalf("exit %d: %s", code, p.describe())
	}
	if !strings.Contains(p.err(), "2 of 2 coverage files not uploaded") {
		t.Fatalf("%s", p.describe())
	}
	if silent.count() == 0 {
		t.Fatal("the agent never connected")
	}
}

// silentServer accepts connections, reads what arrives and never answers: a storage server that hangs.
type silentServer struct {
	l         net.Listener
	connected chan struct{} // closed at the first connection
	once      sync.Once
	mu        sync.Mutex
	conns     []net.Conn
	got       bytes.Buffer // everything the clients sent
}

func startSilentServer(t *testing.T) *silentServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &silentServer{l: l, connected: make(chan struct{})}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c) // held open, never answered
			s.mu.Unlock()
			s.once.Do(func() { close(s.connected) })
			go func() {
				buf := make([]byte, 32<<10)
				for {
					n, err := c.Read(buf)
					s.mu.Lock()
					s.got.Write(buf[:n])
					s.mu.Unlock()
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, c := range s.conns {
			c.Close()
		}
	})
	return s
}

func (s *silentServer) addr() string { return s.l.Addr().String() }

func (s *silentServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

func (s *silentServer) received() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got.String()
}

// TestUploadToAHangingStoreEndsBeforeTheGracePeriodWithTheManifestTried plays kubelet with a 5 s grace period: SIGTERM,
// then SIGKILL 5 s later unless the agent exited by itself. The store accepts and never answers, so the upload can
// only end by its deadline, which must leave room for the manifest attempt and the last lines, also when the
// configured upload timeout is longer than the grace period.
func TestUploadToAHangingStoreEndsBeforeTheGracePeriodWithTheManifestTried(t *testing.T) {
	const grace = 5 * time.Second
	for _, tt := range []struct {
		name string
		env  []string
	}{
		{"grace period only", nil},
		{"upload timeout longer than the grace period", []string{"INTEGCOV_UPLOAD_TIMEOUT=20s"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			silent := startSilentServer(t)
			env, _ := gcsEnv(t, "http://"+silent.addr(), "x")
			env = append(append(env, fmt.Sprintf("INTEGCOV_GRACE_PERIOD=%d", int(grace.Seconds()))), tt.env...)
			ready := filepath.Join(t.TempDir(), "ready")
			p := agent(t, env, "run", "--", covappBin, "-serve", "127.0.0.1:0", "-ready", ready, "-exit", "7")
			awaitFile(t, p, ready)
			if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			kubelet := time.AfterFunc(grace, func() { p.cmd.Process.Kill() })
			code := p.wait(t)
			if !kubelet.Stop() || code != 7 {
				t.Fatalf("exit %d: the agent did not exit by itself within the %v grace period: %s", code, grace,
					p.describe())
			}
			last := strings.TrimSpace(p.err())
			last = last[strings.LastIndex(last, "\n")+1:]
			if !strings.HasPrefix(last, "integcov-agent: could not write integcov-manifest.json") ||
				!strings.Contains(p.err(), "2 of 2 coverage files not uploaded") {
				t.Fatalf("want the failed files counted and the manifest failure as the last line: %s", p.describe())
			}
			if !strings.Contains(silent.received(), manifest.FileName) {
				t.Fatalf("the manifest never reached the store: %s", p.describe())
			}
		})
	}
}

func TestAFirstRequestThatIsNeverAnsweredIsRetriedAndTheUploadCompletes(t *testing.T) {
	gcs := agenttest.StartFakeGCS(t, bucket)
	upstream, _ := url.Parse(gcs.Endpoint())
	proxy := httputil.NewSingleHostReverseProxy(upstream)
	proxy.ErrorLog = log.New(io.Discard, "", 0)
	// Between the agent and the server: the first request is accepted and never answered (its connection held open
	// until the test ends), every later one is passed on. Only a bound on each attempt lets the upload get past it.
	var mu sync.Mutex
	requests := 0
	stop := make(chan struct{})
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		first := requests == 1
		mu.Unlock()
		if first {
			<-stop
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	t.Cleanup(func() { close(stop) }) // runs first: Close waits for the stalled handler

	env, _ := gcsEnv(t, front.URL, "stall")
	env = append(env, "INTEGCOV_UPLOAD_TIMEOUT=60s")
	p := agent(t, env, "run", "--", covappBin, "-exit", "3")
	if code := p.wait(t); code != 3 {
		t.Fatalf("exit %d: %s", code, p.describe())
	}
	m := gcsManifest(t, gcs, "stall")
	if len(m.Files) != 2 || m.Failed != nil {
		t.Fatalf("manifest %+v: %s", m, p.describe())
	}
	if got := strings.Count(p.err(), "upload failed, retrying until"); got != 1 ||
		!strings.Contains(p.err(), "timeout awaiting response headers") || strings.Contains(p.err(), "not uploaded") {
		t.Fatalf("want the stalled attempt logged once as retried: %s", p.describe())
	}
	mu.Lock()
	defer mu.Unlock()
	if requests < 4 { // the stalled one, its retry, the other file, the manifest
		t.Fatalf("%d requests reached the proxy: %s", requests, p.describe())
	}
}

// manyFiles fills cov with n-2 copies of covapp-like counter files; covapp adds its own meta and counters file.
func manyFiles(t *testing.T, cov string, n int) {
	t.Helper()
	if err := os.MkdirAll(cov, 0o777); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n-2; i++ {
		data := []byte(fmt.Sprintf("counter data %d %s", i, strings.Repeat("x", i%300)))
		if err := os.WriteFile(filepath.Join(cov, fmt.Sprintf("covcounters.synthetic.%d.%d", i, 1000+i)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// storedCount counts the object files the filesystem backend has written so far.
func storedCount(gcs *agenttest.FakeGCS) int {
	n := 0
	filepath.Walk(gcs.Root, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func TestServerKilledMidUploadAndRestartedGetsEveryFileThroughRetries(t *testing.T) {
	gcs := agenttest.StartFakeGCS(t, bucket)
	env, cov := gcsEnv(t, gcs.Endpoint(), "restart")
	env = append(env, "INTEGCOV_UPLOAD_TIMEOUT=120s")
	manyFiles(t, cov, 500)
	p := agent(t, env, "run", "--", covappBin, "-exit", "0")
	for deadline := time.Now().Add(hangGuard); storedCount(gcs) < 50; time.Sleep(time.Millisecond) {
		if p.ended() || time.Now().After(deadline) {
			t.Fatalf("fewer than 50 files stored before the agent ended or %v passed: %s", hangGuard, p.describe())
		}
	}
	gcs.Kill()
	time.Sleep(time.Second)
	gcs.Start(t)
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d: %s", code, p.describe())
	}
	m := gcsManifest(t, gcs, "restart")
	if len(m.Files) != 500 || m.Failed != nil {
		t.Fatalf("%d files, failed %v: %s", len(m.Files), m.Failed, p.describe())
	}
	if !strings.Contains(p.err(), "upload failed, retrying") {
		t.Fatalf("the kill was not noticed: %s", p.describe())
	}
}

func TestServerKilledForGoodCountsExactlyTheFilesNotUploaded(t *testing.T) {
	gcs := agenttest.StartFakeGCS(t, bucket)
	upstream, _ := url.Parse(gcs.Endpoint())
	// Between the agent and the server: counts the successful answers the agent really got, and once 100 have been
	// delivered kills the server for good and refuses new connections, so the truth about what arrived is known
	// exactly. Answers are read whole from the server before anything is sent on, so none reaches the agent cut off.
	var mu sync.Mutex
	acked := 0
	var front *httptest.Server
	proxy := httputil.NewSingleHostReverseProxy(upstream)
	proxy.ModifyResponse = func(r *http.Response) error {
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return err // the agent gets a 502
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		return nil
	}
	proxy.ErrorLog = log.New(io.Discard, "", 0)
	front = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		proxy.ServeHTTP(rec, r)
		if rec.status != http.StatusOK {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if acked++; acked == 100 {
			gcs.Kill()
			front.Listener.Close()
		}
	}))
	t.Cleanup(front.Close)

	env, cov := gcsEnv(t, front.URL, "gone")
	env = append(env, "INTEGCOV_UPLOAD_TIMEOUT=4s")
	manyFiles(t, cov, 500)
	p := agent(t, env, "run", "--", covappBin, "-exit", "9")
	if code := p.wait(t); code != 9 {
		t.Fatalf("exit %d: %s", code, p.describe())
	}
	mu.Lock()
	defer mu.Unlock()
	want := fmt.Sprintf("integcov-agent: %d of 500 coverage files not uploaded", 500-acked)
	if acked < 100 || !strings.Contains(p.err(), want) || !strings.Contains(p.err(), "could not write integcov-manifest.json") {
		t.Fatalf("acked %d, want %q: %s", acked, want, p.describe())
	}
}

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}
