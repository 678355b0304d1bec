// Package settings turns the agent's environment (set by the webhook, user values win) into the decisions of an
// upload: where the files go, under which key, and by when. It is pure: the caller passes the environment and the
// host facts, so every fallback is testable without a pod.
package settings

import (
	"fmt"
	"math/rand/v2"
	"path"
	"strconv"
	"strings"
	"time"
)

// Environment variables the agent reads.
const (
	EnvStorage       = "INTEGCOV_STORAGE"
	EnvCoverDir      = "GOCOVERDIR"
	EnvPodName       = "INTEGCOV_POD_NAME"
	EnvPodNamespace  = "INTEGCOV_POD_NAMESPACE"
	EnvContainer     = "INTEGCOV_CONTAINER"
	EnvCapture       = "INTEGCOV_CAPTURE"
	EnvCaptureUID    = "INTEGCOV_CAPTURE_UID"
	EnvGracePeriod   = "INTEGCOV_GRACE_PERIOD"
	EnvUploadTimeout = "INTEGCOV_UPLOAD_TIMEOUT"
	EnvSignalGroup   = "INTEGCOV_SIGNAL_GROUP"
)

// Deadline rules, the same as the pod contract documents them.
const (
	// DefaultGracePeriod is kubelet's default terminationGracePeriodSeconds.
	DefaultGracePeriod = 30 * time.Second
	// GraceMargin is kept back from the grace period for giving up on a request that ignores its deadline, the
	// last log lines and the process exit. 5 s is ample for those on a 30 s grace period; a short grace period
	// keeps half of itself instead (see Margin), so the upload still gets the other half.
	GraceMargin = 5 * time.Second
	// MinBudget is what the upload gets after an exit without SIGTERM even when the configured time is shorter.
	MinBudget = 2 * time.Second
	// ManifestReserveMax caps the part of the budget kept for the manifest.
	ManifestReserveMax = 3 * time.Second
	// GiveUpSlack is how long after its deadline an upload that ignores its context is abandoned, at most.
	GiveUpSlack = time.Second
	maxSeconds  = 86400
)

// Unknown is the key segment used for an empty value.
const Unknown = "_"

// Host holds facts about the container that serve as fallbacks (all may be empty).
type Host struct {
	Hostname                string // /proc/sys/kernel/hostname
	ServiceAccountNamespace string // /var/run/secrets/kubernetes.io/serviceaccount/namespace
}

// Settings is what one run of the agent uploads where.
type Settings struct {
	StorageURL    string // empty: nothing is uploaded
	CoverDir      string // empty: nothing to upload
	Namespace     string
	Capture       string
	CaptureUID    string
	Pod           string
	Container     string
	UploadTimeout time.Duration // 0: not set
	GracePeriod   time.Duration // -1: not set
	Warnings      []string
}

// FromEnv reads the settings; env is looked up with getenv (os.Getenv in production), command is the wrapped command.
func FromEnv(getenv func(string) string, command []string, host Host) Settings {
	s := Settings{
		StorageURL:  strings.TrimSpace(getenv(EnvStorage)),
		CoverDir:    strings.TrimSpace(getenv(EnvCoverDir)),
		Namespace:   Segment(first(getenv(EnvPodNamespace), host.ServiceAccountNamespace, "default")),
		Pod:         Segment(first(getenv(EnvPodName), getenv("HOSTNAME"), host.Hostname, "unknown-pod")),
		GracePeriod: -1,
	}
	program := ""
	if len(command) > 0 {
		program = path.Base(command[0])
	}
	s.Container = Segment(first(getenv(EnvContainer), program, "main"))
	s.Capture = Segment(first(getenv(EnvCapture), Unknown))
	s.CaptureUID = Segment(first(getenv(EnvCaptureUID), Unknown))
	var missing []string
	if strings.TrimSpace(getenv(EnvCapture)) == "" {
		missing = append(missing, EnvCapture)
	}
	if strings.TrimSpace(getenv(EnvCaptureUID)) == "" {
		missing = append(missing, EnvCaptureUID)
	}
	if len(missing) > 0 {
		s.Warnings = append(s.Warnings, strings.Join(missing, " and ")+" not set; using '"+Unknown+"' in the storage key")
	}
	if raw := strings.TrimSpace(getenv(EnvUploadTimeout)); raw != "" {
		d, err := ParseTimeout(raw)
		if err != nil {
			s.Warnings = append(s.Warnings, fmt.Sprintf("%s=%q: %v; using the default", EnvUploadTimeout, raw, err))
		} else {
			s.UploadTimeout = d
		}
	}
	if raw := strings.TrimSpace(getenv(EnvGracePeriod)); raw != "" {
		secs, err := strconv.ParseFloat(raw, 64)
		if err != nil || secs < 0 || secs > maxSeconds {
			s.Warnings = append(s.Warnings, fmt.Sprintf("%s=%q is not a number of seconds in [0, %d]; using the default",
				EnvGracePeriod, raw, maxSeconds))
		} else {
			s.GracePeriod = time.Duration(secs * float64(time.Second))
		}
	}
	return s
}

// ParseTimeout accepts a Go duration ("20s", "1m30s") or plain seconds ("20", "2.5"), in (0, 24h].
func ParseTimeout(raw string) (time.Duration, error) {
	d, err := time.ParseDuration(raw)
	if err != nil {
		secs, numErr := strconv.ParseFloat(raw, 64)
		if numErr != nil {
			return 0, fmt.Errorf("not a duration (like 20s) or a number of seconds")
		}
		d = time.Duration(secs * float64(time.Second))
	}
	if d <= 0 || d > maxSeconds*time.Second {
		return 0, fmt.Errorf("must be in (0, 24h]")
	}
	return d, nil
}

// Grace is the pod's grace period: INTEGCOV_GRACE_PERIOD, else kubelet's default.
func (s Settings) Grace() time.Duration {
	if s.GracePeriod >= 0 {
		return s.GracePeriod
	}
	return DefaultGracePeriod
}

// Margin is what Deadline keeps back from the end of the grace period: GraceMargin, or half a grace period shorter
// than twice that (5 s grace: the upload ends 2.5 s after SIGTERM, the process at most GiveUp later).
func (s Settings) Margin() time.Duration {
	return min(GraceMargin, s.Grace()/2)
}

// Deadline is when the whole upload (files and manifest) must be done. After a SIGTERM (kubelet's grace period
// starts then and ends with SIGKILL) it is never later than the grace period less Margin, counted from that
// SIGTERM, so the manifest is still attempted and the last line printed before the kill. Within that:
// INTEGCOV_UPLOAD_TIMEOUT after the exit when set; else the grace period less Margin from the first SIGTERM. Without
// a SIGTERM (nothing will kill the process) it counts from the exit: INTEGCOV_UPLOAD_TIMEOUT, else the grace period
// less Margin, and at least MinBudget.
func (s Settings) Deadline(exitedAt, firstTermAt time.Time) time.Time {
	if !firstTermAt.IsZero() {
		limit := firstTermAt.Add(s.Grace() - s.Margin())
		if s.UploadTimeout > 0 && exitedAt.Add(s.UploadTimeout).Before(limit) {
			return exitedAt.Add(s.UploadTimeout)
		}
		return limit
	}
	if s.UploadTimeout > 0 {
		return exitedAt.Add(s.UploadTimeout)
	}
	return exitedAt.Add(max(s.Grace()-s.Margin(), MinBudget))
}

// GiveUp is when the process stops waiting for an upload that ignores its deadline: GiveUpSlack after it, but
// within half the Margin, so it still ends before the grace period does.
func (s Settings) GiveUp(deadline time.Time) time.Time {
	return deadline.Add(min(GiveUpSlack, s.Margin()/2))
}

// FilesDeadline leaves a fifth of the budget (at most ManifestReserveMax) for the manifest.
func FilesDeadline(begin, deadline time.Time) time.Time {
	reserve := deadline.Sub(begin) / 5
	if reserve > ManifestReserveMax {
		reserve = ManifestReserveMax
	}
	return deadline.Add(-reserve)
}

// RunID is unique per run and sorts by time: 20261125T160102.123Z-4f9a1c.
func RunID(startedAt time.Time, random uint32) string {
	return startedAt.UTC().Format("20060102T150405.000Z") + fmt.Sprintf("-%06x", random&0xffffff)
}

// NewRunID is RunID with a random suffix.
func NewRunID(startedAt time.Time) string {
	return RunID(startedAt, rand.Uint32())
}

// KeyPrefix is <namespace>/<capture>/<capture-uid>/<pod>/<container>/<run-id>, relative to the storage URL.
func (s Settings) KeyPrefix(runID string) string {
	return strings.Join([]string{s.Namespace, s.Capture, s.CaptureUID, s.Pod, s.Container, runID}, "/")
}

// Segment makes a value safe as one '/'-separated key segment.
func Segment(value string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(value) {
		if r == '/' || r == '\\' || r < 0x20 || r == 0x7f {
			b.WriteByte('_')
		} else {
			b.WriteRune(r)
		}
	}
	out := b.String()
	if out == "" || out == "." || out == ".." {
		return Unknown
	}
	return out
}

func first(values ...string) string {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return Unknown
}
