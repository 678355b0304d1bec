package handoff

import (
	"strings"
	"testing"
	"time"
)

func TestArgsRoundTrip(t *testing.T) {
	start := time.Unix(1764115200, 123456789)
	tests := []Run{
		{ExitCode: 0, Program: "/app/server", StartedAt: start, ExitedAt: start.Add(time.Second)},
		{ExitCode: 143, Program: "sh", StartedAt: start, ExitedAt: start.Add(time.Minute), FirstTerm: start.Add(50 * time.Second)},
		{ExitCode: 255, Program: "a b -c", StartedAt: start, ExitedAt: start},
	}
	for _, want := range tests {
		args := want.Args()
		if args[0] != RunCommand {
			t.Fatalf("args %v", args)
		}
		got, err := Parse(args[1:])
		if err != nil {
			t.Fatal(err)
		}
		if got.ExitCode != want.ExitCode || got.Program != want.Program || !got.StartedAt.Equal(want.StartedAt) ||
			!got.ExitedAt.Equal(want.ExitedAt) || !got.FirstTerm.Equal(want.FirstTerm) || got.FirstTerm.IsZero() != want.FirstTerm.IsZero() {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	}
}

func TestParseRejectsBadArguments(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"0", "1", "2", "0"}, "wants 5 arguments"},
		{[]string{"x", "1", "2", "0", "p"}, `exit code "x"`},
		{[]string{"256", "1", "2", "0", "p"}, `exit code "256"`},
		{[]string{"0", "yesterday", "2", "0", "p"}, `time "yesterday"`},
		{[]string{"0", "1", "-2", "0", "p"}, `time "-2"`},
	}
	for _, tt := range tests {
		if _, err := Parse(tt.args); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want %q", tt.args, err, tt.want)
		}
	}
}
