package es

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
)

// Cluster describes the cluster a Sink talks to.
type Cluster struct {
	Address string // URLs or cloud deployment, without credentials
	Name    string // cluster_name
	Version string // version.number
	Flavor  string // version.build_flavor ("default", "serverless")
}

func (c Cluster) String() string {
	v := "Elasticsearch " + c.Version
	if c.Flavor == "serverless" {
		v = "Elasticsearch serverless"
	}
	return fmt.Sprintf("%s (cluster %q) at %s", v, c.Name, c.Address)
}

// httpTransport builds the HTTP transport: TLS from CACert / Insecure.
func (s *settings) httpTransport() (*http.Transport, []string, error) {
	var warnings []string
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = s.Workers + 2
	tr.ResponseHeaderTimeout = 0
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.CACert != "" {
		pem, err := os.ReadFile(s.CACert)
		if err != nil {
			return nil, nil, s.errorf(err, "cannot read the CA certificate (--ca-cert): %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, nil, s.errorf(nil, "no PEM certificate found in %s (--ca-cert)", s.CACert)
		}
		tlsConf.RootCAs = pool
	}
	if s.Insecure {
		tlsConf.InsecureSkipVerify = true
		https := s.CloudID != ""
		for _, a := range s.addrs {
			https = https || strings.HasPrefix(a, "https://")
		}
		if https {
			warnings = append(warnings, "TLS certificate verification is disabled (--insecure): anyone on the network path can impersonate the cluster and read the credentials")
		} else {
			warnings = append(warnings, "--insecure has no effect: no https:// address")
		}
		if s.CACert != "" {
			warnings = append(warnings, "--ca-cert is ignored because --insecure disables verification")
		}
	}
	tr.TLSClientConfig = tlsConf
	return tr, warnings, nil
}

// compressLevel is the gzip level of --compress. BestSpeed: on
// emit's documents it sends a few percent more bytes than the default level
// for a fraction of its CPU (see BenchmarkSinkLoopback). A variable so that
// the benchmark can compare levels.
var compressLevel = gzip.BestSpeed

// newClients builds the administrative client (transport-level retries on
// 429/502/503/504 and connection errors) and the bulk client (no
// transport retries: the sink retries documents itself, so it knows which
// ones were resent).
func (s *settings) newClients(tr http.RoundTripper) (admin, bulk *elasticsearch.Client, err error) {
	base := elasticsearch.Config{
		Addresses:    s.addrs,
		CloudID:      s.CloudID,
		APIKey:       s.apiKey,
		Transport:    tr,
		MaxRetries:   s.adminRetries(),
		RetryBackoff: func(attempt int) time.Duration { return s.backoff(attempt, randInt63n) },
		// The client's own request compression. Not its pooled
		// compressor: that one recycles a body's buffer when Perform
		// returns, while net/http may still be writing it to a connection
		// that failed.
		CompressRequestBody:      s.Compress,
		CompressRequestBodyLevel: compressLevel,
	}
	if s.apiKey == "" {
		base.Username, base.Password = s.Username, s.Password
	}
	a := base
	a.RetryOnStatus = []int{429, 502, 503, 504}
	if s.adminRetries() == 0 {
		a.DisableRetry = true
	}
	admin, err = elasticsearch.NewClient(a)
	if err != nil {
		return nil, nil, s.errorf(err, "cannot configure the Elasticsearch client: %v", err)
	}
	b := base
	b.DisableRetry = true
	bulk, err = elasticsearch.NewClient(b)
	if err != nil {
		return nil, nil, s.errorf(err, "cannot configure the Elasticsearch client: %v", err)
	}
	return admin, bulk, nil
}

// response is an answer to an administrative request.
type response struct {
	status int
	header http.Header
	body   []byte
}

// esError is the "error" of an Elasticsearch error answer.
type esError struct {
	Type   string `json:"type"`
	Reason string `json:"reason"`
}

func (r *response) esError() esError {
	var wrap struct {
		Error json.RawMessage `json:"error"`
	}
	var e esError
	if json.Unmarshal(r.body, &wrap) == nil && len(wrap.Error) > 0 {
		if json.Unmarshal(wrap.Error, &e) != nil {
			// Some errors are a bare string.
			var s string
			if json.Unmarshal(wrap.Error, &s) == nil {
				e.Reason = s
			}
		}
	}
	return e
}

// describe renders an error answer: "404 index_not_found_exception: no
// such index [x]".
func (r *response) describe() string {
	e := r.esError()
	msg := strconv.Itoa(r.status) + " " + http.StatusText(r.status)
	switch {
	case e.Type != "" && e.Reason != "":
		msg += ": " + e.Type + ": " + e.Reason
	case e.Reason != "":
		msg += ": " + e.Reason
	case len(r.body) > 0 && len(r.body) < 300:
		msg += ": " + strings.TrimSpace(string(r.body))
	}
	return msg
}

// request performs an administrative request with the sink's timeout.
func (s *Sink) request(ctx context.Context, method, path string, body any) (*response, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, s.cfg.errorf(err, "cannot encode request: %v", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, path, rd)
	if err != nil {
		return nil, s.cfg.errorf(err, "bad request %s %s: %v", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := s.admin.Transport.Perform(req)
	if err != nil {
		return nil, s.connError(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return nil, s.connError(err)
	}
	return &response{status: res.StatusCode, header: res.Header, body: b}, nil
}

// connError explains a failure to talk to the cluster.
func (s *Sink) connError(err error) error {
	hint := ""
	var uerr x509.UnknownAuthorityError
	var herr x509.HostnameError
	var cerr *tls.CertificateVerificationError
	var oerr *net.OpError
	switch {
	case errors.As(err, &uerr) || (errors.As(err, &cerr) && strings.Contains(err.Error(), "unknown authority")):
		hint = " (the cluster's certificate isn't trusted: give its CA with --ca-cert FILE, or --insecure to skip verification)"
	case errors.As(err, &herr):
		hint = " (the certificate doesn't match the host name)"
	case errors.Is(err, context.DeadlineExceeded):
		hint = fmt.Sprintf(" (no answer within %s, see --es-timeout)", s.cfg.Timeout)
	case errors.As(err, &oerr) && oerr.Op == "dial":
		hint = " (is Elasticsearch running and reachable at this address?)"
	case strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		hint = " (the server speaks http: use an http:// URL)"
	case strings.Contains(err.Error(), "malformed HTTP response"):
		hint = " (the server speaks https: use an https:// URL)"
	}
	return s.cfg.errorf(err, "cannot reach Elasticsearch at %s: %v%s", s.cfg.shown, err, hint)
}

// probeAttempts and probeBackoff bound the first contact with a cluster:
// a refused connection or an unknown host is told at once, a connection
// that drops is tried a few times, quickly.
const (
	probeAttempts = 3
	probeBackoff  = 300 * time.Millisecond
)

// probe calls GET / without the administrative client's long retries, so
// that an unreachable cluster is reported in seconds with its cause
// ("connection refused"), not after the retry budget as a deadline.
func (s *Sink) probe(ctx context.Context) (*response, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	var last error
	for attempt := 0; attempt < probeAttempts; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
		if err != nil {
			return nil, s.cfg.errorf(err, "bad request GET /: %v", err)
		}
		res, err := s.bulkc.Transport.Perform(req)
		if err == nil {
			defer res.Body.Close()
			b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
			if err != nil {
				return nil, s.connError(err)
			}
			return &response{status: res.StatusCode, header: res.Header, body: b}, nil
		}
		if ctx.Err() != nil && last != nil {
			return nil, s.connError(last) // the cause, not the deadline
		}
		last = err
		if refused(err) {
			break
		}
		select {
		case <-ctx.Done():
			return nil, s.connError(last)
		case <-time.After(probeBackoff << attempt):
		}
	}
	return nil, s.connError(last)
}

// refused reports whether a connection error is final: the address refuses
// connections, or the host name does not resolve.
func refused(err error) bool {
	var dns *net.DNSError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &dns) && dns.IsNotFound
}

// checkRoot calls GET / and checks that the answer comes from
// Elasticsearch and accepts the credentials.
func (s *Sink) checkRoot(ctx context.Context) error {
	res, err := s.probe(ctx)
	if err != nil {
		return err
	}
	auth := "no credentials were given: set " + EnvAPIKey + " (or --api-key), or " + EnvUsername + "/" + EnvPassword
	switch {
	case s.cfg.apiKey != "":
		auth = "the API key was refused: check --api-key / " + EnvAPIKey
	case s.cfg.Username != "":
		auth = "user " + strconv.Quote(s.cfg.Username) + " was refused: check the username and password"
	}
	switch {
	case res.status == http.StatusUnauthorized:
		return s.cfg.errorf(nil, "Elasticsearch at %s refused to authenticate (%s); %s", s.cfg.shown, res.describe(), auth)
	case res.status == http.StatusForbidden:
		return s.cfg.errorf(nil, "Elasticsearch at %s: the credentials lack the privilege to read cluster info (%s)", s.cfg.shown, res.describe())
	case res.status/100 != 2:
		return s.cfg.errorf(nil, "Elasticsearch at %s answered GET / with %s", s.cfg.shown, res.describe())
	}
	if res.header.Get("X-Elastic-Product") != "Elasticsearch" {
		return s.cfg.errorf(nil, "the server at %s is not Elasticsearch (no X-Elastic-Product: Elasticsearch header in its answer)", s.cfg.shown)
	}
	var info struct {
		ClusterName string `json:"cluster_name"`
		Version     struct {
			Number string `json:"number"`
			Flavor string `json:"build_flavor"`
		} `json:"version"`
	}
	if err := json.Unmarshal(res.body, &info); err != nil || info.Version.Number == "" {
		return s.cfg.errorf(err, "the server at %s gave an unexpected answer to GET /", s.cfg.shown)
	}
	s.cluster = Cluster{Address: s.cfg.shown, Name: info.ClusterName, Version: info.Version.Number, Flavor: info.Version.Flavor}
	major, _, _ := strings.Cut(info.Version.Number, ".")
	if n, err := strconv.Atoi(major); err == nil && n < 8 {
		if n < 7 {
			return s.cfg.errorf(nil, "Elasticsearch %s at %s is too old: emit needs 7.x or later", info.Version.Number, s.cfg.shown)
		}
		s.warnings = append(s.warnings, fmt.Sprintf("Elasticsearch %s is older than 8.0: emit is tested against 8.x", info.Version.Number))
	}
	return nil
}
