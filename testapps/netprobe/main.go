// netprobe is the local cluster's network test program (e2e LocalClusterNetworkTest), built static and put alone into
// an image. One mode per run:
//
//	netprobe serve ADDR              HTTP on ADDR: every path answers "netprobe POD" (POD: the hostname); logs the
//	                                 host-side index of its eth0 veth ("eth0 peer ifindex N") first
//	netprobe dial ADDR TIMEOUT       one TCP connect to ADDR within TIMEOUT (e.g. 2s); prints "connected to ADDR"
//	                                 and exits 0, or prints the error and exits 1
//	netprobe get URL TRIES [CAFILE]  GET URL (https: trusting CAFILE) up to TRIES times, 1 s apart; prints
//	                                 "GET URL: STATUS BODY" for the first success and exits 0, else exits 1
//	netprobe webhook ADDR DNSNAME    a validating admission webhook on ADDR (HTTPS, a self-signed certificate for
//	                                 DNSNAME, logged first as "ca-bundle BASE64"): denies objects named deny-*
//	netprobe write FILE              writes the hostname into FILE and exits 0
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: netprobe serve|dial|get|webhook|write ...")
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "serve":
		need(args, 1)
		serve(args[0])
	case "dial":
		need(args, 2)
		dial(args[0], args[1])
	case "get":
		need(args, 2)
		ca := ""
		if len(args) > 2 {
			ca = args[2]
		}
		get(args[0], args[1], ca)
	case "webhook":
		need(args, 2)
		webhook(args[0], args[1])
	case "write":
		need(args, 1)
		if err := os.WriteFile(args[0], []byte(hostname()+"\n"), 0o644); err != nil {
			fail(err.Error())
		}
		fmt.Printf("netprobe: wrote %s\n", args[0])
	default:
		fail("unknown mode " + os.Args[1])
	}
}

func need(args []string, n int) {
	if len(args) < n {
		fail(fmt.Sprintf("%s needs %d arguments", os.Args[1], n))
	}
}

func fail(msg string) {
	fmt.Println("netprobe: " + msg)
	os.Exit(1)
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "?"
	}
	return h
}

func serve(addr string) {
	// the pod's eth0 names its veth peer on the host by index: the test finds the host side's MAC address from it
	if link, err := os.ReadFile("/sys/class/net/eth0/iflink"); err == nil {
		fmt.Printf("netprobe: eth0 peer ifindex %s\n", strings.TrimSpace(string(link)))
	}
	name := hostname()
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "netprobe %s\n", name)
	})
	fmt.Printf("netprobe: serving on %s\n", addr)
	fail(http.ListenAndServe(addr, nil).Error())
}

func dial(addr, timeout string) {
	d, err := time.ParseDuration(timeout)
	if err != nil {
		fail(err.Error())
	}
	start := time.Now()
	c, err := net.DialTimeout("tcp", addr, d)
	if err != nil {
		fail(fmt.Sprintf("dial %s: %v (after %s)", addr, err, time.Since(start).Round(time.Millisecond)))
	}
	c.Close()
	fmt.Printf("netprobe: connected to %s in %s\n", addr, time.Since(start).Round(time.Millisecond))
}

func get(url, triesArg, caFile string) {
	tries, err := strconv.Atoi(triesArg)
	if err != nil || tries < 1 {
		fail("TRIES must be a positive number")
	}
	transport := &http.Transport{}
	if caFile != "" {
		pemBytes, err := os.ReadFile(caFile)
		if err != nil {
			fail(err.Error())
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemBytes) {
			fail("no certificate in " + caFile)
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: pool}
	}
	client := &http.Client{Transport: transport, Timeout: 5 * time.Second}
	for i := 1; ; i++ {
		resp, err := client.Get(url)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			fmt.Printf("netprobe: GET %s: %d %s\n", url, resp.StatusCode, strings.TrimSpace(string(body)))
			return
		}
		fmt.Printf("netprobe: try %d of %d: %v\n", i, tries, err)
		if i == tries {
			os.Exit(1)
		}
		time.Sleep(time.Second)
	}
}

// admissionReview is the part of admission.k8s.io/v1 AdmissionReview that the webhook reads and writes.
type admissionReview struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Request    *struct {
		UID  string `json:"uid"`
		Name string `json:"name"`
	} `json:"request,omitempty"`
	Response *admissionResponse `json:"response,omitempty"`
}

type admissionResponse struct {
	UID     string  `json:"uid"`
	Allowed bool    `json:"allowed"`
	Status  *status `json:"status,omitempty"`
}

type status struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func webhook(addr, dnsName string) {
	cert, certPEM := selfSigned(dnsName)
	fmt.Printf("netprobe: ca-bundle %s\n", base64.StdEncoding.EncodeToString(certPEM))
	name := hostname()
	mux := http.NewServeMux()
	mux.HandleFunc("/validate", func(w http.ResponseWriter, r *http.Request) {
		var review admissionReview
		if err := json.NewDecoder(r.Body).Decode(&review); err != nil || review.Request == nil {
			http.Error(w, "not an AdmissionReview", http.StatusBadRequest)
			return
		}
		resp := &admissionResponse{UID: review.Request.UID, Allowed: true}
		if strings.HasPrefix(review.Request.Name, "deny-") {
			resp.Allowed = false
			resp.Status = &status{Code: 403, Message: "denied by netprobe " + name}
		}
		fmt.Printf("netprobe: admission of %q: allowed %v\n", review.Request.Name, resp.Allowed)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(admissionReview{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview", Response: resp})
	})
	server := &http.Server{Addr: addr, Handler: mux, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
	fmt.Printf("netprobe: webhook on %s for %s\n", addr, dnsName)
	fail(server.ListenAndServeTLS("", "").Error())
}

func selfSigned(dnsName string) (tls.Certificate, []byte) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		fail(err.Error())
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: dnsName},
		DNSNames:              []string{dnsName},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		fail(err.Error())
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		fail(err.Error())
	}
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		fail(err.Error())
	}
	return cert, certPEM
}
