package pid1

import (
	"errors"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// orphanPoll is how often the reaper looks again when the process has no child.
const orphanPoll = 100 * time.Millisecond

// Keep drops every signal in signals (those integcov-agent forwarded; the ones init set to SIG_IGN stay ignored)
// and reaps every child, for the rest of the process.
func Keep(signals []os.Signal) {
	ch := make(chan os.Signal, 64)
	signal.Notify(ch, signals...)
	go func() {
		for range ch {
		}
	}()
	go func() {
		for {
			var status syscall.WaitStatus
			_, err := syscall.Wait4(-1, &status, 0, nil)
			if errors.Is(err, syscall.ECHILD) {
				// no child now; an orphan may still be re-parented to PID 1 later (its parent exits)
				time.Sleep(orphanPoll)
			} else if err != nil && !errors.Is(err, syscall.EINTR) {
				return
			}
		}
	}()
}
