package upload

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"integcov.io/agent/internal/manifest"
	"integcov.io/agent/internal/settings"
	"integcov.io/agent/internal/storage"
)

// memStore records puts; keys in failKeys fail permanently.
type memStore struct {
	mu       sync.Mutex
	objects  map[string][]byte
	failKeys map[string]bool
}

func (m *memStore) Put(ctx context.Context, key string, data io.Reader, size int64, crc uint32) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := io.ReadAll(data)
	if err != nil {
		return err
	}
	if int64(len(b)) != size || crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)) != crc {
		return fmt.Errorf("size/crc mismatch for %s", key)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failKeys[key[strings.LastIndex(key, "/")+1:]] {
		return errors.New("HTTP 403: denied")
	}
	m.objects[key] = b
	return nil
}

func (m *memStore) Close() error { return nil }

func writeFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("content of "+n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func newRun(dir, id string) Run {
	return Run{
		Settings: settings.Settings{CoverDir: dir, Namespace: "ns", Capture: "cap", CaptureUID: "uid", Pod: "pod", Container: "c"},
		Location: storage.Location{Scheme: "mem", Raw: "mem://x"}, RunID: id, Mode: manifest.ModeWrap,
		ExitCode: 137, StartedAt: time.Now(), ExitedAt: time.Now(),
	}
}

func keys(m *memStore) []string {
	var out []string
	for k := range m.objects {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestEligible(t *testing.T) {
	tests := map[string]bool{
		"covmeta.abc":              true,
		"covcounters.abc.1.2":      true,
		"notes.txt":                true,
		"tmp.covcounters.abc":      false,
		manifest.FileName:          false,
		CommittedFile:              false,
		CommittedFile + ".123.tmp": false,
	}
	for name, want := range tests {
		if got := Eligible(name); got != want {
			t.Errorf("Eligible(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestUploadSkipsTempFilesAndWritesTheManifestLast(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, "covmeta.a", "covcounters.a.1", "tmp.covcounters.a.2")
	if err := os.Mkdir(filepath.Join(dir, "subdir"), 0o755); err != nil {
		t.Fatal(err)
	}
	store := &memStore{objects: map[string][]byte{}}
	var logs []string
	res := Upload(context.Background(), store, newRun(dir, "r1"), time.Now().Add(10*time.Second),
		func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) })
	want := []string{"ns/cap/uid/pod/c/r1/covcounters.a.1", "ns/cap/uid/pod/c/r1/covmeta.a", "ns/cap/uid/pod/c/r1/" + manifest.FileName}
	if got := keys(store); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("keys = %v, want %v", got, want)
	}
	m, err := manifest.Parse(store.objects["ns/cap/uid/pod/c/r1/"+manifest.FileName])
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 2 || m.Failed != nil || m.ExitCode != 137 || m.Signal == nil || *m.Signal != 9 || m.Mode != "wrap" {
		t.Fatalf("manifest %+v", m)
	}
	if res.Target != "mem://x/ns/cap/uid/pod/c/r1" || !strings.Contains(strings.Join(logs, "\n"), "uploaded 2 coverage files") {
		t.Fatalf("target %s logs %v", res.Target, logs)
	}
}

func TestFailedFilesAreCountedExactlyAndNotCommitted(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, "covmeta.a", "covcounters.a.1", "covcounters.a.2")
	store := &memStore{objects: map[string][]byte{}, failKeys: map[string]bool{"covcounters.a.1": true, "covcounters.a.2": true}}
	var logs []string
	res := Upload(context.Background(), store, newRun(dir, "r1"), time.Now().Add(10*time.Second),
		func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) })
	if got := strings.Join(res.Manifest.Failed, ","); got != "covcounters.a.1,covcounters.a.2" {
		t.Fatalf("failed = %s", got)
	}
	if !strings.Contains(strings.Join(logs, "\n"), "2 of 3 coverage files not uploaded to mem://x/ns/cap/uid/pod/c/r1 (first error: covcounters.a.") {
		t.Fatalf("logs %v", logs)
	}
	committed, err := ReadCommitted(dir)
	if err != nil || len(committed) != 1 || committed["covmeta.a"] == 0 {
		t.Fatalf("committed = %v, %v", committed, err)
	}
}

func TestARestartedContainerUploadsOnlyItsNewFiles(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, "covmeta.a", "covcounters.a.1")
	store := &memStore{objects: map[string][]byte{}}
	nolog := func(string, ...any) {}
	Upload(context.Background(), store, newRun(dir, "r1"), time.Now().Add(10*time.Second), nolog)
	writeFiles(t, dir, "covcounters.a.2")
	res := Upload(context.Background(), store, newRun(dir, "r2"), time.Now().Add(10*time.Second), nolog)
	if len(res.Manifest.Files) != 1 || res.Manifest.Files[0].Name != "covcounters.a.2" {
		t.Fatalf("second run's manifest files = %+v", res.Manifest.Files)
	}
	for _, k := range keys(store) {
		if strings.Contains(k, "/r2/") && !strings.HasSuffix(k, "covcounters.a.2") && !strings.HasSuffix(k, manifest.FileName) {
			t.Errorf("uploaded again: %s", k)
		}
	}
}

func TestACommittedNameWithAnotherSizeIsUploadedAgain(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, "notes.txt")
	names, err := Candidates(dir, map[string]int64{"notes.txt": 1})
	if err != nil || len(names) != 1 {
		t.Fatalf("names = %v, %v", names, err)
	}
}

func TestReadCommittedIgnoresTornLines(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, CommittedFile), []byte("12 covmeta.a\nxx\n7\n3 covcounters.a.1"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCommitted(dir)
	if err != nil || len(got) != 2 || got["covmeta.a"] != 12 || got["covcounters.a.1"] != 3 {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestPastDeadlineEveryFileFails(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, "covmeta.a", "covcounters.a.1")
	store := &memStore{objects: map[string][]byte{}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := Upload(ctx, store, newRun(dir, "r1"), time.Now().Add(10*time.Second), func(string, ...any) {})
	if len(res.Manifest.Failed) != 2 || res.ManifestErr == nil {
		t.Fatalf("failed %v manifestErr %v", res.Manifest.Failed, res.ManifestErr)
	}
}

func TestAddCommittedMergesWithWhatIsThere(t *testing.T) {
	dir := t.TempDir()
	if err := WriteCommitted(dir, nil, []manifest.File{{Name: "covmeta.a", Size: 3}}); err != nil {
		t.Fatal(err)
	}
	// what a concurrent writer (a flush while the sidecar commits) added meanwhile is kept
	if err := AddCommitted(dir, []manifest.File{{Name: "covcounters.a.1", Size: 5}}); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCommitted(dir)
	if err != nil || len(got) != 2 || got["covmeta.a"] != 3 || got["covcounters.a.1"] != 5 {
		t.Fatalf("committed %v %v", got, err)
	}
}

func TestPendingHonoursOnlyAFreshMarker(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	if Pending(dir, now) {
		t.Fatal("pending without a marker")
	}
	unmark, err := MarkPending(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !Pending(dir, now) || Pending(dir, now.Add(PendingMax+time.Second)) {
		t.Fatal("a fresh marker is pending, one older than PendingMax (a flush that died) is not")
	}
	unmark()
	if Pending(dir, now) {
		t.Fatal("still pending after the flush")
	}
}

// gateStore holds every Put until Parallelism of them are in flight at once (or a guard passed, so a lower limit
// fails instead of hanging) and records the most it saw.
type gateStore struct {
	mu       sync.Mutex
	inflight int
	most     int
	full     chan struct{}
	once     sync.Once
}

func (g *gateStore) Put(ctx context.Context, key string, data io.Reader, size int64, crc uint32) error {
	g.mu.Lock()
	g.inflight++
	g.most = max(g.most, g.inflight)
	if g.inflight >= Parallelism {
		g.once.Do(func() { close(g.full) })
	}
	g.mu.Unlock()
	select {
	case <-g.full:
	case <-time.After(2 * time.Second):
	}
	g.mu.Lock()
	g.inflight--
	g.mu.Unlock()
	return nil
}

func (g *gateStore) Close() error { return nil }

func TestFilesAreUploadedExactlyParallelismAtATime(t *testing.T) {
	dir := t.TempDir()
	var names []string
	for i := 0; i < 3*Parallelism; i++ {
		names = append(names, fmt.Sprintf("covcounters.%02d", i))
		if err := os.WriteFile(filepath.Join(dir, names[i]), []byte("c"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	store := &gateStore{full: make(chan struct{})}
	uploaded, failed, err := PutFiles(context.Background(), store, dir, "p", names)
	if len(uploaded) != len(names) || failed != nil || err != nil {
		t.Fatalf("uploaded %d, failed %v, %v", len(uploaded), failed, err)
	}
	if store.most != Parallelism {
		t.Fatalf("at most %d uploads at once, want %d", store.most, Parallelism)
	}
}
