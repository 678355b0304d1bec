package storage

import (
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"google.golang.org/api/googleapi"
)

// stalledRequestError is what one attempt returns from a transport like boundedHTTPClient's when the server accepts
// the connection and never answers.
func stalledRequestError(t *testing.T) error {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	tr := &http.Transport{ResponseHeaderTimeout: 50 * time.Millisecond}
	defer tr.CloseIdleConnections()
	_, err = (&http.Client{Transport: tr}).Get("http://" + l.Addr().String())
	if err == nil {
		t.Fatal("a server that never answers answered")
	}
	return err
}

func TestTransientRetriesStalledAttemptsAndWhatTheClientRetriesButNotPermanentErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"attempt stalled waiting for the answer", stalledRequestError(t), true},
		{"server error", &googleapi.Error{Code: 503}, true},
		{"too many requests", &googleapi.Error{Code: 429}, true},
		{"missing bucket", &googleapi.Error{Code: 404}, false},
		{"forbidden", &googleapi.Error{Code: 403}, false},
		{"anything else", errors.New("boom"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := transient(tc.err); got != tc.want {
				t.Fatalf("transient(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
