package sidecar

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"integcov.io/agent/internal/manifest"
	"integcov.io/agent/internal/settings"
	"integcov.io/agent/internal/storage"
	"integcov.io/agent/internal/upload"
)

func TestNewFiles(t *testing.T) {
	tests := []struct {
		name    string
		entries []Entry
		done    map[string]int64
		want    []string
	}{
		{"Go's in-progress file is not finished", []Entry{{"tmp.covcounters.a.1", 10, true}}, nil, nil},
		{"the same file after Go renamed it", []Entry{{"covcounters.a.1", 10, true}}, nil, []string{"covcounters.a.1"}},
		{"meta-data at start, counters at exit", []Entry{{"covmeta.a", 300, true}, {"covcounters.a.1", 10, true}},
			map[string]int64{"covmeta.a": 300}, []string{"covcounters.a.1"}},
		{"files that appeared while uploading come next time", []Entry{{"covmeta.a", 300, true},
			{"covcounters.a.1", 10, true}, {"covcounters.a.2", 12, true}},
			map[string]int64{"covmeta.a": 300, "covcounters.a.1": 10}, []string{"covcounters.a.2"}},
		{"a name uploaded with another size is uploaded again", []Entry{{"notes", 5, true}}, map[string]int64{"notes": 4},
			[]string{"notes"}},
		{"directories, sockets and the agent's own files are skipped", []Entry{{"sub", 0, false},
			{".integcov-flush-12.sock", 0, false}, {manifest.FileName, 9, true}, {".integcov-committed", 9, true}}, nil, nil},
		{"sorted", []Entry{{"b", 1, true}, {"a", 1, true}}, nil, []string{"a", "b"}},
		{"the flush's pending marker is the agent's own file", []Entry{{".integcov-flush-pending", 0, true}}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NewFiles(tt.entries, tt.done, nil); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("NewFiles = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNewFilesSkipsWhatAFlushCommittedWithTheSameSize(t *testing.T) {
	entries := []Entry{{"covmeta.a", 300, true}, {"covcounters.a.1", 10, true}, {"covcounters.a.2", 12, true},
		{"notes", 5, true}}
	done := map[string]int64{"covmeta.a": 300}
	committed := map[string]int64{"covcounters.a.1": 10, "notes": 4}
	if got, want := NewFiles(entries, done, committed), []string{"covcounters.a.2", "notes"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("NewFiles = %v, want %v", got, want)
	}
}

func newSidecar(t *testing.T) (*Sidecar, string, *[]string) {
	root, store := t.TempDir(), t.TempDir()
	loc, _ := storage.Parse("file://" + store)
	st, _ := storage.Open(context.Background(), loc, storage.Options{})
	var logs []string
	s := &Sidecar{Root: root, Location: loc, Store: st, Interval: 10 * time.Millisecond, StartedAt: time.Now(),
		Settings: settings.Settings{Namespace: "ns", Capture: "cap", CaptureUID: "uid", Pod: "pod"},
		Logf:     func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }}
	return s, store, &logs
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func manifests(t *testing.T, store string) map[string]manifest.Manifest {
	t.Helper()
	out := map[string]manifest.Manifest{}
	paths, _ := filepath.Glob(filepath.Join(store, "ns/cap/uid/pod/*/*/"+manifest.FileName))
	for _, p := range paths {
		data, _ := os.ReadFile(p)
		m, err := manifest.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		out[m.Container] = m
	}
	return out
}

func TestFilesAreUploadedAsTheyAppearAndEveryRestartIsKept(t *testing.T) {
	s, store, _ := newSidecar(t)
	if err := s.Prepare([]string{"app", "other"}); err != nil {
		t.Fatal(err)
	}
	app := filepath.Join(s.Root, "app")
	if info, err := os.Stat(app); err != nil || info.Mode().Perm() != 0o777 {
		t.Fatalf("container dir %v %v", info, err)
	}
	write(t, filepath.Join(app, "covmeta.a"), "meta")
	write(t, filepath.Join(app, "tmp.covcounters.a.1"), "partial")
	s.Scan(context.Background(), false)
	uploaded, _ := filepath.Glob(filepath.Join(store, "ns/cap/uid/pod/app/*/*"))
	if len(uploaded) != 1 || filepath.Base(uploaded[0]) != "covmeta.a" {
		t.Fatalf("after the first scan: %v", uploaded)
	}
	// the app exits (Go renames its counters file), restarts and exits again
	os.Rename(filepath.Join(app, "tmp.covcounters.a.1"), filepath.Join(app, "covcounters.a.1"))
	s.Scan(context.Background(), false)
	write(t, filepath.Join(app, "covcounters.a.2"), "second run")
	s.Finish(time.Now(), time.Now().Add(5*time.Second))

	ms := manifests(t, store)
	m := ms["app"]
	var names []string
	for _, f := range m.Files {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != "covcounters.a.1,covcounters.a.2,covmeta.a" || m.Mode != "sidecar" || m.Failed != nil {
		t.Fatalf("app manifest %+v", m)
	}
	if o := ms["other"]; o.Container != "other" || len(o.Files) != 0 {
		t.Fatalf("a container without coverage still commits an (empty) run: %+v", ms)
	}
}

func TestAContainerDirectoryMadeByOthersIsWatchedToo(t *testing.T) {
	s, store, _ := newSidecar(t)
	s.Prepare(nil)
	os.MkdirAll(filepath.Join(s.Root, "late"), 0o777)
	write(t, filepath.Join(s.Root, "late", "covmeta.b"), "meta")
	s.Finish(time.Now(), time.Now().Add(5*time.Second))
	if m := manifests(t, store)["late"]; len(m.Files) != 1 {
		t.Fatalf("manifest %+v", m)
	}
}

func TestPastTheDeadlineFilesAreCountedAsFailedAndNothingIsCommitted(t *testing.T) {
	s, store, logs := newSidecar(t)
	s.Prepare([]string{"app"})
	write(t, filepath.Join(s.Root, "app", "covmeta.a"), "meta")
	write(t, filepath.Join(s.Root, "app", "covcounters.a.1"), "c")
	s.Finish(time.Now(), time.Now().Add(-time.Second))
	if len(manifests(t, store)) != 0 {
		t.Fatal("no manifest can be written after the deadline")
	}
	text := strings.Join(*logs, "\n")
	if !strings.Contains(text, "2 of 2 coverage files of app not uploaded") || !strings.Contains(text, "could not write") {
		t.Fatalf("logs: %s", text)
	}
}

func TestWatchUploadsFinishedFilesAndStopsWhenTheContextEnds(t *testing.T) {
	s, store, _ := newSidecar(t)
	s.Prepare([]string{"app"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { s.Watch(ctx); close(done) }()
	write(t, filepath.Join(s.Root, "app", "covmeta.a"), "meta")
	// bounds on waiting, so a Watch that never uploads or ignores its context fails instead of hanging
	const guard = time.Minute
	for deadline := time.Now().Add(guard); ; time.Sleep(10 * time.Millisecond) {
		if got, _ := filepath.Glob(filepath.Join(store, "ns/cap/uid/pod/app/*/covmeta.a")); len(got) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("covmeta.a not uploaded by the watcher within %v", guard)
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(guard):
		t.Fatalf("Watch still running %v after its context ended", guard)
	}
}

// A flush in sidecar mode writes counters into the app's directory, uploads and commits them itself: the sidecar
// leaves the directory alone while the flush is pending and never uploads what the flush committed.
func TestFilesAFlushCommittedAreNotUploadedAgain(t *testing.T) {
	s, store, _ := newSidecar(t)
	s.Prepare([]string{"app"})
	app := filepath.Join(s.Root, "app")
	write(t, filepath.Join(app, "covmeta.a"), "meta")
	s.Scan(context.Background(), false)

	unmark, err := upload.MarkPending(app) // the flush starts; the program writes its counters
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(app, "covcounters.a.flushed"), "flushed")
	s.Scan(context.Background(), false)
	if got, _ := filepath.Glob(filepath.Join(store, "ns/cap/uid/pod/app/*/covcounters.*")); len(got) != 0 {
		t.Fatalf("uploaded while the flush was pending: %v", got)
	}
	if err := upload.AddCommitted(app, []manifest.File{{Name: "covcounters.a.flushed", Size: 7}}); err != nil {
		t.Fatal(err)
	}
	unmark()

	write(t, filepath.Join(app, "covcounters.a.exit"), "at exit")
	s.Finish(time.Now(), time.Now().Add(5*time.Second))
	var names []string
	for _, f := range manifests(t, store)["app"].Files {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != "covcounters.a.exit,covmeta.a" {
		t.Fatalf("sidecar run files %v", names)
	}
	committed, err := upload.ReadCommitted(app)
	if err != nil || len(committed) != 3 {
		t.Fatalf("after the manifest every file is committed: %v %v", committed, err)
	}
}
