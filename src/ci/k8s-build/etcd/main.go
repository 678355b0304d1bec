// Command etcd is a minimal single-member etcd server for integcov's end-to-end tests, built from
// go.etcd.io/etcd/server/v3/embed at the version k8s.io/kubernetes pins (see ../go.mod).
//
// It accepts the few flags the e2e harness passes (the same names as the real etcd binary):
//
//	etcd --data-dir DIR --listen-client-urls http://127.0.0.1:P --advertise-client-urls http://127.0.0.1:P \
//	     [--listen-peer-urls http://127.0.0.1:Q] [--initial-advertise-peer-urls http://127.0.0.1:Q] [--name NAME]
//
// and runs until SIGTERM/SIGINT, then closes the server cleanly.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

func parseURLs(flagName, s string) []url.URL {
	var out []url.URL
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		u, err := url.Parse(part)
		if err != nil {
			log.Fatalf("--%s: %v", flagName, err)
		}
		out = append(out, *u)
	}
	return out
}

func main() {
	name := flag.String("name", "default", "member name")
	dataDir := flag.String("data-dir", "", "data directory (required)")
	listenClient := flag.String("listen-client-urls", "http://127.0.0.1:2379", "client URLs to listen on")
	advertiseClient := flag.String("advertise-client-urls", "", "client URLs to advertise (default: listen-client-urls)")
	listenPeer := flag.String("listen-peer-urls", "http://127.0.0.1:0", "peer URLs to listen on")
	advertisePeer := flag.String("initial-advertise-peer-urls", "", "peer URLs to advertise (default: listen-peer-urls)")
	quotaBytes := flag.Int64("quota-backend-bytes", 0, "backend quota (0 = etcd default)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn, error")
	flag.Parse()
	if *dataDir == "" {
		fmt.Fprintln(os.Stderr, "etcd: --data-dir is required")
		os.Exit(2)
	}
	if *advertiseClient == "" {
		advertiseClient = listenClient
	}
	if *advertisePeer == "" {
		advertisePeer = listenPeer
	}

	cfg := embed.NewConfig()
	cfg.Name = *name
	cfg.Dir = *dataDir
	cfg.ListenClientUrls = parseURLs("listen-client-urls", *listenClient)
	cfg.AdvertiseClientUrls = parseURLs("advertise-client-urls", *advertiseClient)
	cfg.ListenPeerUrls = parseURLs("listen-peer-urls", *listenPeer)
	cfg.AdvertisePeerUrls = parseURLs("initial-advertise-peer-urls", *advertisePeer)
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.LogLevel = *logLevel
	if *quotaBytes > 0 {
		cfg.QuotaBackendBytes = *quotaBytes
	}

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		log.Fatalf("etcd: start: %v", err)
	}
	select {
	case <-e.Server.ReadyNotify():
		fmt.Fprintf(os.Stderr, "etcd: ready, serving clients on %s\n", *listenClient)
	case <-time.After(60 * time.Second):
		e.Server.Stop()
		log.Fatal("etcd: server took too long to become ready")
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	select {
	case s := <-sigs:
		fmt.Fprintf(os.Stderr, "etcd: %v, shutting down\n", s)
		e.Close()
	case err := <-e.Err():
		log.Fatalf("etcd: %v", err)
	}
}
