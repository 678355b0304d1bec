package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"integcov.io/agent/internal/agenttest"
	"integcov.io/agent/internal/manifest"
)

// lookTool finds a tool in PATH or the sbin directories (root's tools are not always in a test's PATH).
func lookTool(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		if p := filepath.Join(dir, name); isExecutable(p) {
			return p
		}
	}
	return ""
}

func isExecutable(p string) bool {
	info, err := os.Stat(p)
	return err == nil && !info.IsDir() && info.Mode()&0o111 != 0
}

// needTool returns the tool's path; skips when it is missing unless INTEGCOV_E2E_REQUIRED=1 (then fails).
func needTool(t *testing.T, name, why string) string {
	t.Helper()
	needRoot(t, why)
	p := lookTool(name)
	if p == "" {
		if e2eRequired() {
			t.Fatalf("%s not found, and INTEGCOV_E2E_REQUIRED=1 (%s)", name, why)
		}
		t.Skipf("%s not found: %s is skipped (install it, e.g. apt-get install %s; INTEGCOV_E2E_REQUIRED=1 makes this a failure)", name, why, name)
	}
	return p
}

func TestAsPID1OrphansAreReaped(t *testing.T) {
	unshare := needTool(t, "unshare", "the PID-1 reaping test")
	// The child orphans five processes that exit while it still runs; they are re-parented to PID 1, the agent. If the
	// agent did not reap them they would stay zombies (state Z) until the child counts them.
	// A zombie may be visible for the moment between an orphan's exit and the reaping, so the count is taken again
	// (up to 10 times, 0.2 s apart) until it is 0; without reaping it never is.
	script := `for i in 1 2 3 4 5; do (sleep 0.1 &); done; sleep 1
for try in 1 2 3 4 5 6 7 8 9 10; do
  z=0; for f in /proc/[0-9]*/stat; do case "$(cut -d' ' -f3 "$f" 2>/dev/null)" in Z) z=$((z+1));; esac; done
  [ "$z" = 0 ] && break; sleep 0.2
done
echo "ppid $PPID zombies $z"`
	p := start(t, nil, unshare, "--pid", "--fork", "--mount-proc", agentBin, "run", "--", "/bin/sh", "-c", script)
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d: %s", code, p.describe())
	}
	// ppid 1: the agent is PID 1. (A PID 1 that only waits for its own child, like python's subprocess.run, leaves 5.)
	if !strings.Contains(p.out(), "ppid 1 zombies 0\n") {
		t.Fatalf("orphans not reaped: %s", p.describe())
	}
}

// runcBundle writes an OCI bundle for rootfs running args as uid 65532 with a read-only root, no terminal, the host's
// network (to reach fake-gcs-server on loopback), only-lowering rlimits, and binds (host:container:rw|ro).
func runcBundle(t *testing.T, runc, rootfs string, args, env []string, binds ...string) string {
	t.Helper()
	bundle := t.TempDir()
	if out, err := exec.Command(runc, "spec", "--bundle", bundle).CombinedOutput(); err != nil {
		t.Fatalf("runc spec: %v %s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(bundle, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec map[string]any
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	spec["root"] = map[string]any{"path": rootfs, "readonly": true}
	process := spec["process"].(map[string]any)
	process["terminal"] = false
	process["args"] = args
	process["env"] = env
	process["user"] = map[string]any{"uid": 65532, "gid": 65532}
	// this sandbox lacks CAP_SYS_RESOURCE: limits may only be lowered
	process["rlimits"] = []any{map[string]any{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}}
	linux := spec["linux"].(map[string]any)
	var namespaces []any
	for _, ns := range linux["namespaces"].([]any) {
		if ns.(map[string]any)["type"] != "network" {
			namespaces = append(namespaces, ns)
		}
	}
	linux["namespaces"] = namespaces
	mounts := spec["mounts"].([]any)
	for _, b := range binds {
		parts := strings.Split(b, ":")
		mounts = append(mounts, map[string]any{"destination": parts[1], "type": "bind", "source": parts[0],
			"options": []any{"rbind", parts[2]}})
	}
	spec["mounts"] = mounts
	out, _ := json.MarshalIndent(spec, "", "  ")
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), out, 0o644); err != nil {
		t.Fatal(err)
	}
	return bundle
}

// rootfs makes a root filesystem holding only files (container path -> host file) and empty mount points.
func rootfs(t *testing.T, files map[string]string, dirs ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range append(dirs, "proc", "dev", "sys") {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for dst, src := range files {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(dst)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, dst), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// worldWritable is a fresh 0777 directory, as an emptyDir volume is.
func worldWritable(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	if err := os.Chmod(d, 0o777); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDistrolessContainerWithRuncInstallsRunsStopsAndUploads(t *testing.T) {
	runc := needTool(t, "runc", "the distroless container test")
	state := t.TempDir()
	gcs := agenttest.StartFakeGCS(t, bucket)

	// 1. the init container: the agent image (nothing but /integcov-agent and /integcov-agent-upload) installs into
	// the emptyDir
	bin := worldWritable(t)
	installRoot := rootfs(t, map[string]string{"integcov-agent": agentBin, "integcov-agent-upload": uploaderBin},
		"var/run/integcov/bin")
	installBundle := runcBundle(t, runc, installRoot, []string{"/integcov-agent", "install", "/var/run/integcov/bin"},
		[]string{"PATH=/"}, bin+":/var/run/integcov/bin:rw")
	install := start(t, nil, runc, "--root", state, "run", "--bundle", installBundle, "integcov-install-"+t.Name()[:8])
	if code := install.wait(t); code != 0 {
		t.Fatalf("install container: exit %d: %s", code, install.describe())
	}
	if entries, _ := os.ReadDir(bin); len(entries) != 2 || entries[0].Name() != "integcov-agent" ||
		entries[1].Name() != "integcov-agent-upload" {
		t.Fatalf("emptyDir after install: %v", entries)
	}

	// 2. the app container: only the static covapp, the agent mounted from the emptyDir, wrapped as the webhook does
	covdata, scratch := worldWritable(t), worldWritable(t)
	appRoot := rootfs(t, map[string]string{"app/covapp": covappBin}, "var/run/integcov/bin", "var/run/integcov/covdata", "tmp")
	env := []string{"GOCOVERDIR=/var/run/integcov/covdata", "INTEGCOV_STORAGE=gs://" + bucket + "/runc",
		"INTEGCOV_STORAGE_EMULATOR_HOST=" + gcs.Endpoint(), "INTEGCOV_POD_NAMESPACE=ns", "INTEGCOV_CAPTURE=cap",
		"INTEGCOV_CAPTURE_UID=uid", "INTEGCOV_POD_NAME=pod", "INTEGCOV_CONTAINER=app", "INTEGCOV_GRACE_PERIOD=30"}
	appBundle := runcBundle(t, runc, appRoot,
		[]string{"/var/run/integcov/bin/integcov-agent", "run", "--", "/app/covapp", "-serve", "127.0.0.1:0", "-ready", "/tmp/ready", "-exit", "7"},
		env, bin+":/var/run/integcov/bin:ro", covdata+":/var/run/integcov/covdata:rw", scratch+":/tmp:rw")
	id := "integcov-app-" + fmt.Sprint(os.Getpid())
	app := start(t, nil, runc, "--root", state, "run", "--bundle", appBundle, id)
	awaitFile(t, app, filepath.Join(scratch, "ready"))
	if out, err := exec.Command(runc, "--root", state, "kill", id, "TERM").CombinedOutput(); err != nil {
		t.Fatalf("runc kill: %v %s", err, out)
	}
	if code := app.wait(t); code != 7 {
		t.Fatalf("app container: exit %d: %s", code, app.describe())
	}
	if !strings.Contains(app.out(), "covapp: got terminated") || !strings.Contains(app.err(), "integcov-agent: uploaded 2 coverage files") {
		t.Fatalf("%s", app.describe())
	}
	m := gcsManifest(t, gcs, "runc")
	if m.ExitCode != 7 || m.Signal != nil || len(m.Files) != 2 || m.Pod != "pod" || m.Mode != manifest.ModeWrap {
		t.Fatalf("manifest %+v", m)
	}
	if p := agenttest.Percent(t, gcs.DownloadAll(t, bucket, "runc/", manifest.FileName)); p == 0 {
		t.Fatal("no coverage from the container")
	}
}
