package storage

import (
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"testing"
	"time"

	gcs "cloud.google.com/go/storage"

	"integcov.io/agent/internal/agenttest"
)

func TestEmulatorEndpointPrefersTheAgentsOwnVariableAndReadsValuesAsTheStorageLibraryDoes(t *testing.T) {
	for _, tc := range []struct {
		name, own, library, want string
	}{
		{"neither set: Google Cloud Storage", "", "", ""},
		{"host:port is plain HTTP", "store.ns.svc:4443", "", "http://store.ns.svc:4443/storage/v1/"},
		{"a URL keeps its scheme", "https://store.example:8443", "", "https://store.example:8443/storage/v1/"},
		{"a URL's path is replaced", "http://127.0.0.1:4443/some/path/", "", "http://127.0.0.1:4443/storage/v1/"},
		{"blank counts as unset", "  ", "lib:1", "http://lib:1/storage/v1/"},
		{"the library's variable alone", "", "http://lib:1", "http://lib:1/storage/v1/"},
		{"the agent's own variable wins", "own:2", "http://lib:1", "http://own:2/storage/v1/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{EnvEmulatorHost: tc.own, EnvLibraryEmulatorHost: tc.library}
			got, err := emulatorEndpoint(func(k string) string { return env[k] })
			if err != nil || got != tc.want {
				t.Fatalf("emulatorEndpoint = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	for _, bad := range []string{"http://", "http://%zz"} {
		env := map[string]string{EnvEmulatorHost: bad}
		if got, err := emulatorEndpoint(func(k string) string { return env[k] }); err == nil ||
			!strings.Contains(err.Error(), EnvEmulatorHost) {
			t.Errorf("emulatorEndpoint(%q) = %q, %v; want an error naming %s", bad, got, err, EnvEmulatorHost)
		}
	}
}

// Two real fake-gcs-servers, "store" and "decoy", each with the bucket: every case uploads through Open with the
// environment set as a pod would have it, then checks which server holds the object, and reads it back through the
// XML API (the client's default for reads) and the JSON API with the same settings.
func TestUploadsGoToTheEmulatorTheAgentsOwnVariableNamesWhateverStorageEmulatorHostSays(t *testing.T) {
	const bucket = "cov"
	servers := map[string]*agenttest.FakeGCS{
		"store": agenttest.StartFakeGCS(t, bucket),
		"decoy": agenttest.StartFakeGCS(t, bucket),
	}
	hostPort := func(name string) string { return strings.TrimPrefix(servers[name].Endpoint(), "http://") }
	unreachable := fmt.Sprintf("127.0.0.1:%d", agenttest.FreePort(t))
	for i, tc := range []struct {
		name, own, library, want string
	}{
		{"own variable (host:port) wins over another emulator in STORAGE_EMULATOR_HOST",
			hostPort("store"), servers["decoy"].Endpoint(), "store"},
		{"own variable (URL) wins over an unreachable STORAGE_EMULATOR_HOST",
			servers["store"].Endpoint(), unreachable, "store"},
		{"own variable alone", hostPort("decoy"), "", "decoy"},
		{"own variable wins the other way round", hostPort("decoy"), servers["store"].Endpoint(), "decoy"},
		{"STORAGE_EMULATOR_HOST alone is still followed", "", servers["store"].Endpoint(), "store"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvEmulatorHost, tc.own)
			t.Setenv(EnvLibraryEmulatorHost, tc.library)
			prefix := fmt.Sprintf("case-%d", i)
			data := []byte("coverage of " + tc.name)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			store, err := Open(ctx, Location{Scheme: "gs", Bucket: bucket, Path: prefix, Raw: "gs://" + bucket + "/" + prefix},
				Options{OnRetry: func(err error) { t.Errorf("retried: %v", err) }})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			if err := store.Put(ctx, "f", strings.NewReader(string(data)), int64(len(data)),
				crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli))); err != nil {
				t.Fatalf("Put: %v", err)
			}
			for name, server := range servers {
				objects := server.Objects(t, bucket, prefix+"/")
				if name == tc.want && (len(objects) != 1 || objects[0].Name != prefix+"/f") {
					t.Errorf("%s holds %v; want %s/f", name, objects, prefix)
				}
				if name != tc.want && len(objects) != 0 {
					t.Errorf("%s holds %v; want nothing", name, objects)
				}
			}
			xml := store.(*gcsStore).client
			endpoint, err := emulatorEndpoint(func(k string) string {
				return map[string]string{
					EnvEmulatorHost: tc.own, EnvLibraryEmulatorHost: tc.library}[k]
			})
			if err != nil {
				t.Fatal(err)
			}
			hc, err := boundedHTTPClient(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			json, err := gcs.NewClient(ctx, append(clientOptions(hc, endpoint), gcs.WithJSONReads())...)
			if err != nil {
				t.Fatal(err)
			}
			defer json.Close()
			for api, client := range map[string]*gcs.Client{"XML": xml, "JSON": json} {
				r, err := client.Bucket(bucket).Object(prefix + "/f").NewReader(ctx)
				if err != nil {
					t.Fatalf("%s read: %v", api, err)
				}
				got, err := io.ReadAll(r)
				r.Close()
				if err != nil || string(got) != string(data) {
					t.Errorf("%s read = %q, %v; want %q", api, got, err, data)
				}
			}
		})
	}
}
