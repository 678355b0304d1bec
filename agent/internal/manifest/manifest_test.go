package manifest

import (
	"strings"
	"testing"
)

func TestJSONOmitsAbsentSignalAndFailedButAlwaysHasFiles(t *testing.T) {
	data, err := Manifest{Version: 1, Mode: ModeWrap, ExitCode: 3, Signal: SignalOf(3)}.JSON()
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{`"files": []`, `"captureUid": ""`, `"mode": "wrap"`, `"exitCode": 3`} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %s in %s", want, text)
		}
	}
	for _, absent := range []string{"signal", "failed"} {
		if strings.Contains(text, absent) {
			t.Errorf("%s present in %s", absent, text)
		}
	}
}

func TestSignalOf(t *testing.T) {
	tests := map[int]int{137: 9, 143: 15, 129: 1, 192: 64}
	for code, want := range tests {
		if got := SignalOf(code); got == nil || *got != want {
			t.Errorf("SignalOf(%d) = %v, want %d", code, got, want)
		}
	}
	for _, code := range []int{0, 3, 128, 193, 255} {
		if got := SignalOf(code); got != nil {
			t.Errorf("SignalOf(%d) = %d, want none", code, *got)
		}
	}
}

func TestParseRoundTrip(t *testing.T) {
	in := Manifest{Version: 1, Namespace: "ns", Capture: "c", CaptureUID: "u", Pod: "p", Container: "x", RunID: "r",
		Mode: ModeWrap, ExitCode: 143, Signal: SignalOf(143), Files: []File{{Name: "covmeta.a", Size: 3, CRC32C: 4294967295}},
		Failed: []string{"covcounters.a"}}
	data, err := in.JSON()
	if err != nil {
		t.Fatal(err)
	}
	out, err := Parse(data)
	if err != nil || out.Files[0].CRC32C != 4294967295 || *out.Signal != 15 || out.Failed[0] != "covcounters.a" {
		t.Fatalf("round trip %+v, %v", out, err)
	}
	if _, err := Parse([]byte("{")); err == nil || !strings.Contains(err.Error(), FileName) {
		t.Fatalf("want a parse error naming the file, got %v", err)
	}
}
