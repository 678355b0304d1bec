// Package manifest is integcov-manifest.json, the file the agent writes last into a run's directory: its presence
// commits the run. The schema is shared with the Java side (storage's Manifest reads it), so field names and the
// omission of empty signal/failed follow that class.
package manifest

import (
	"encoding/json"
	"fmt"
	"time"
)

// FileName is the manifest's name in each run directory.
const FileName = "integcov-manifest.json"

// CurrentVersion is the schema version.
const CurrentVersion = 1

// Modes of the agent that wrote a manifest.
const (
	ModeWrap    = "wrap"
	ModeSidecar = "sidecar"
	ModeFlush   = "flush"
)

// File is one uploaded file: its name in the run directory, size in bytes and CRC-32C (Castagnoli) as unsigned decimal.
type File struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	CRC32C uint32 `json:"crc32c"`
}

// Manifest describes one run of one container and what of its coverage was uploaded.
type Manifest struct {
	Version    int      `json:"version"`
	Namespace  string   `json:"namespace"`
	Capture    string   `json:"capture"`
	CaptureUID string   `json:"captureUid"`
	Pod        string   `json:"pod"`
	Container  string   `json:"container"`
	RunID      string   `json:"runId"`
	Mode       string   `json:"mode"`
	ExitCode   int      `json:"exitCode"`
	Signal     *int     `json:"signal,omitempty"`
	StartedAt  string   `json:"startedAt"`
	ExitedAt   string   `json:"exitedAt"`
	UploadedAt string   `json:"uploadedAt"`
	Files      []File   `json:"files"`
	Failed     []string `json:"failed,omitempty"`
}

// Time formats an instant as the manifest records it (RFC 3339, UTC, nanoseconds as needed).
func Time(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}

// SignalOf is the signal number behind a shell-style exit code 128+N, or nil.
func SignalOf(exitCode int) *int {
	if exitCode > 128 && exitCode < 128+65 {
		n := exitCode - 128
		return &n
	}
	return nil
}

// JSON is the indented manifest with a trailing newline; files is never null.
func (m Manifest) JSON() ([]byte, error) {
	if m.Files == nil {
		m.Files = []File{}
	}
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	return append(out, '\n'), nil
}

// Parse reads a manifest.
func Parse(data []byte) (Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return Manifest{}, fmt.Errorf("parse %s: %w", FileName, err)
	}
	return m, nil
}
