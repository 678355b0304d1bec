package settings

import (
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFromEnvFallbacks(t *testing.T) {
	tests := []struct {
		name                                   string
		env                                    map[string]string
		host                                   Host
		command                                []string
		ns, capture, uid, pod, container, warn string
	}{
		{"everything set", map[string]string{EnvPodNamespace: "ns", EnvPodName: "p", EnvContainer: "c", EnvCapture: "cap", EnvCaptureUID: "u-1"},
			Host{}, []string{"/app/server"}, "ns", "cap", "u-1", "p", "c", ""},
		{"host facts and command name", map[string]string{EnvCapture: "cap", EnvCaptureUID: "u"},
			Host{Hostname: "host-1", ServiceAccountNamespace: "team"}, []string{"/app/server"}, "team", "cap", "u", "host-1", "server", ""},
		{"HOSTNAME before kernel hostname", map[string]string{"HOSTNAME": "h-env", EnvCapture: "cap", EnvCaptureUID: "u"},
			Host{Hostname: "host-1"}, []string{"server"}, "default", "cap", "u", "h-env", "server", ""},
		{"nothing known", map[string]string{}, Host{}, nil, "default", "_", "_", "unknown-pod", "main",
			"INTEGCOV_CAPTURE and INTEGCOV_CAPTURE_UID not set"},
		{"only uid missing", map[string]string{EnvCapture: "cap"}, Host{}, []string{"x"}, "default", "cap", "_", "unknown-pod", "x",
			"INTEGCOV_CAPTURE_UID not set"},
		{"unsafe segments", map[string]string{EnvPodNamespace: " a/b ", EnvPodName: "..", EnvContainer: "c\\d\n", EnvCapture: "x", EnvCaptureUID: "y"},
			Host{}, nil, "a_b", "x", "y", "_", "c_d", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := FromEnv(envOf(tt.env), tt.command, tt.host)
			got := []string{s.Namespace, s.Capture, s.CaptureUID, s.Pod, s.Container}
			want := []string{tt.ns, tt.capture, tt.uid, tt.pod, tt.container}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("segments = %v, want %v", got, want)
			}
			warnings := strings.Join(s.Warnings, "\n")
			if tt.warn == "" && warnings != "" || tt.warn != "" && !strings.Contains(warnings, tt.warn) {
				t.Errorf("warnings = %q, want %q", warnings, tt.warn)
			}
			if tt.warn != "" && len(s.Warnings) != 1 {
				t.Errorf("want one warning line, got %q", s.Warnings)
			}
		})
	}
}

func TestParseTimeout(t *testing.T) {
	tests := []struct {
		raw  string
		want time.Duration
		ok   bool
	}{
		{"20s", 20 * time.Second, true},
		{"1m30s", 90 * time.Second, true},
		{"20", 20 * time.Second, true},
		{"2.5", 2500 * time.Millisecond, true},
		{"0", 0, false},
		{"-3s", 0, false},
		{"25h", 0, false},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseTimeout(tt.raw)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseTimeout(%q) = %v, %v; want %v ok=%v", tt.raw, got, err, tt.want, tt.ok)
		}
	}
}

func TestInvalidDurationsWarnAndFallBack(t *testing.T) {
	s := FromEnv(envOf(map[string]string{EnvUploadTimeout: "soon", EnvGracePeriod: "-1", EnvCapture: "c", EnvCaptureUID: "u"}), nil, Host{})
	if s.UploadTimeout != 0 || s.GracePeriod != -1 || len(s.Warnings) != 2 {
		t.Fatalf("got timeout %v grace %v warnings %q", s.UploadTimeout, s.GracePeriod, s.Warnings)
	}
}

func TestDeadline(t *testing.T) {
	exit := time.Date(2026, 1, 1, 0, 0, 30, 0, time.UTC)
	term := exit.Add(-10 * time.Second)
	tests := []struct {
		name    string
		timeout time.Duration
		grace   time.Duration
		term    time.Time
		want    time.Time
	}{
		{"configured timeout counts from exit", 20 * time.Second, 60 * time.Second, term, exit.Add(20 * time.Second)},
		{"configured timeout ends the margin before the grace period", 60 * time.Second, 30 * time.Second, term,
			term.Add(25 * time.Second)},
		{"configured timeout without SIGTERM is not capped", 60 * time.Second, 30 * time.Second, time.Time{},
			exit.Add(60 * time.Second)},
		{"default grace from exit", 0, -1, time.Time{}, exit.Add(25 * time.Second)},
		{"default grace from first SIGTERM", 0, -1, term, term.Add(25 * time.Second)},
		{"grace period from env", 0, 60 * time.Second, term, term.Add(55 * time.Second)},
		{"short grace period keeps half of itself", 0, 5 * time.Second, exit, exit.Add(2500 * time.Millisecond)},
		{"used-up grace period is not extended past its end", 0, 6 * time.Second, term, term.Add(3 * time.Second)},
		{"zero grace period without SIGTERM keeps the minimum budget", 0, 0, time.Time{}, exit.Add(MinBudget)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Settings{UploadTimeout: tt.timeout, GracePeriod: tt.grace}
			if got := s.Deadline(exit, tt.term); !got.Equal(tt.want) {
				t.Errorf("Deadline = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestGiveUpEndsBeforeTheGracePeriod(t *testing.T) {
	term := time.Unix(1000, 0)
	for _, grace := range []time.Duration{0, time.Second, 5 * time.Second, 30 * time.Second, time.Hour} {
		s := Settings{GracePeriod: grace}
		end := term.Add(grace)
		if giveUp := s.GiveUp(s.Deadline(term, term)); grace > 0 && !giveUp.Before(end) {
			t.Errorf("grace %v: gives up at %v, the grace period ends at %v", grace, giveUp.Sub(term), grace)
		}
	}
	if got := (Settings{GracePeriod: 30 * time.Second}).GiveUp(term); !got.Equal(term.Add(GiveUpSlack)) {
		t.Errorf("30 s grace: gives up %v after the deadline", got.Sub(term))
	}
}

func TestFilesDeadlineKeepsAFifthAtMostThreeSeconds(t *testing.T) {
	begin := time.Unix(0, 0)
	if got := FilesDeadline(begin, begin.Add(5*time.Second)); !got.Equal(begin.Add(4 * time.Second)) {
		t.Errorf("5 s budget: %v", got)
	}
	if got := FilesDeadline(begin, begin.Add(60*time.Second)); !got.Equal(begin.Add(57 * time.Second)) {
		t.Errorf("60 s budget: %v", got)
	}
}

func TestRunIDAndKeyPrefix(t *testing.T) {
	id := RunID(time.Date(2026, 11, 25, 16, 1, 2, 123e6, time.UTC), 0xff4f9a1c)
	if id != "20261125T160102.123Z-4f9a1c" {
		t.Fatalf("RunID = %s", id)
	}
	s := Settings{Namespace: "ns", Capture: "cap", CaptureUID: "uid", Pod: "pod", Container: "c"}
	if got := s.KeyPrefix(id); got != "ns/cap/uid/pod/c/"+id {
		t.Fatalf("KeyPrefix = %s", got)
	}
}
