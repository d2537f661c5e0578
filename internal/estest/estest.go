// Package estest runs integration tests against Elasticsearch: against
// a real cluster when ELASTICSEARCH_URL is set (with ELASTICSEARCH_API_KEY,
// or ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD, when it has
// security on), and always against internal/fakees, so that one suite
// holds the stand-in to the real server's answers.
//
// A suite written with Clusters runs once per cluster. It arranges and
// checks through the cluster's REST API only (Do, JSON, Count), names
// everything it creates with Name (a prefix unique to the run, so that a
// shared cluster is not disturbed) and registers it for deletion when the
// test ends. Proxy puts a fault-injecting proxy in front of a cluster:
// whole bulk requests rejected with 429, single documents rejected with
// 429 inside a 200 answer, bulk requests applied and then answered 502.
package estest

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emit-sec/emit/internal/fakees"
)

// Environment variables naming a real cluster.
const (
	EnvURL      = "ELASTICSEARCH_URL"
	EnvAPIKey   = "ELASTICSEARCH_API_KEY"
	EnvUsername = "ELASTICSEARCH_USERNAME"
	EnvPassword = "ELASTICSEARCH_PASSWORD"
	EnvCACert   = "ELASTICSEARCH_CA_CERT" // PEM file, for https with a private CA
)

// Credentials of the fake cluster (security on, as a default cluster).
const (
	FakeUsername = "elastic"
	FakePassword = "fakees-suite-password"
)

// Cluster is a cluster a suite runs against.
type Cluster struct {
	// Kind is "fakees" or "elasticsearch".
	Kind string
	// URL is the cluster's address.
	URL string
	// APIKey (encoded), Username and Password are the credentials given
	// (none when the cluster runs without security).
	APIKey, Username, Password string
	// CACert is a PEM file of the CA to trust ("" for the system's).
	CACert string
	// Fake is the stand-in, nil for a real cluster.
	Fake *fakees.Server

	prefix string
	client *http.Client
}

// Clusters runs suite against the fake cluster, and against the real one
// when ELASTICSEARCH_URL is set (otherwise that subtest skips, saying so).
func Clusters(t *testing.T, suite func(t *testing.T, c *Cluster)) {
	t.Run("fakees", func(t *testing.T) {
		srv := fakees.NewForTest(t, fakees.Options{Username: FakeUsername, Password: FakePassword,
			AllowAutoCreate: true, Version: "8.18.0"})
		suite(t, newCluster(t, "fakees", srv.URL, "", FakeUsername, FakePassword, "", srv))
	})
	t.Run("elasticsearch", func(t *testing.T) {
		c := Real(t)
		suite(t, c)
	})
}

// Real returns the cluster ELASTICSEARCH_URL names, or skips the test when
// it is not set.
func Real(t *testing.T) *Cluster {
	t.Helper()
	u := strings.TrimSpace(os.Getenv(EnvURL))
	if u == "" {
		t.Skip(EnvURL + " is not set: the suite runs against internal/fakees only; set it (and " + EnvAPIKey +
			", or " + EnvUsername + " and " + EnvPassword + ") to run it against a real Elasticsearch (see README, Elasticsearch)")
	}
	return newCluster(t, "elasticsearch", strings.TrimSuffix(u, "/"), os.Getenv(EnvAPIKey),
		os.Getenv(EnvUsername), os.Getenv(EnvPassword), os.Getenv(EnvCACert), nil)
}

func newCluster(t *testing.T, kind, u, apiKey, user, pass, caCert string, fake *fakees.Server) *Cluster {
	t.Helper()
	if strings.Contains(apiKey, ":") {
		apiKey = base64.StdEncoding.EncodeToString([]byte(apiKey))
	}
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	c := &Cluster{Kind: kind, URL: u, APIKey: apiKey, Username: user, Password: pass, CACert: caCert, Fake: fake,
		prefix: "emit-suite-" + hex.EncodeToString(suffix[:])}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if caCert != "" {
		pem, err := os.ReadFile(caCert)
		if err != nil {
			t.Fatalf("%s: %v", EnvCACert, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			t.Fatalf("%s: no certificate in %s", EnvCACert, caCert)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	c.client = &http.Client{Transport: tr, Timeout: time.Minute}
	t.Cleanup(tr.CloseIdleConnections)
	status, body := c.Do(t, http.MethodGet, "/", nil)
	if status != 200 {
		t.Fatalf("%s at %s: GET / = %d %s", kind, u, status, clip(body))
	}
	return c
}

// Secured reports whether credentials were given (the cluster checks them).
func (c *Cluster) Secured() bool { return c.APIKey != "" || c.Username != "" }

// Name returns a name unique to this run of the suite: prefix-part.
func (c *Cluster) Name(part string) string { return c.prefix + "-" + part }

// Prefix is the run's prefix of names.
func (c *Cluster) Prefix() string { return c.prefix }

func (c *Cluster) authorize(req *http.Request) {
	switch {
	case c.APIKey != "":
		req.Header.Set("Authorization", "ApiKey "+c.APIKey)
	case c.Username != "":
		req.SetBasicAuth(c.Username, c.Password)
	}
}

// Do sends a request with the cluster's credentials and returns the
// status and body. body is nil, a string or []byte (sent as it is), or a
// value sent as JSON. Bodies of _bulk requests are sent as NDJSON.
func (c *Cluster) Do(t testing.TB, method, path string, body any) (int, []byte) {
	t.Helper()
	return c.DoAuth(t, method, path, body, c.authorize)
}

// DoAuth is Do with the credentials set by auth instead.
func (c *Cluster) DoAuth(t testing.TB, method, path string, body any, auth func(*http.Request)) (int, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
		if strings.HasSuffix(strings.SplitN(path, "?", 2)[0], "/_bulk") {
			req.Header.Set("Content-Type", "application/x-ndjson")
		}
	}
	if auth != nil {
		auth(req)
	}
	res, err := c.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return res.StatusCode, raw
}

// JSON is Do, decoding the answer.
func (c *Cluster) JSON(t testing.TB, method, path string, body any) (int, map[string]any) {
	t.Helper()
	status, raw := c.Do(t, method, path, body)
	var m map[string]any
	if len(raw) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("%s %s: %d, not a JSON object: %s", method, path, status, clip(raw))
		}
	}
	return status, m
}

// MustJSON is JSON that fails the test on a non-2xx answer.
func (c *Cluster) MustJSON(t testing.TB, method, path string, body any) map[string]any {
	t.Helper()
	status, m := c.JSON(t, method, path, body)
	if status/100 != 2 {
		t.Fatalf("%s %s = %d %v", method, path, status, m)
	}
	return m
}

// Count refreshes an index or data stream and counts its documents.
func (c *Cluster) Count(t testing.TB, name string) int {
	t.Helper()
	c.MustJSON(t, http.MethodPost, "/"+url.PathEscape(name)+"/_refresh", nil)
	m := c.MustJSON(t, http.MethodGet, "/"+url.PathEscape(name)+"/_count", nil)
	n, err := m["count"].(json.Number).Int64()
	if err != nil {
		t.Fatalf("_count of %s: %v", name, m)
	}
	return int(n)
}

// Source returns a document's source and version (ok false when absent).
func (c *Cluster) Source(t testing.TB, index, id string) (source json.RawMessage, version int64, ok bool) {
	t.Helper()
	status, raw := c.Do(t, http.MethodGet, "/"+url.PathEscape(index)+"/_doc/"+url.PathEscape(id), nil)
	if status == 404 {
		return nil, 0, false
	}
	var d struct {
		Source  json.RawMessage `json:"_source"`
		Version int64           `json:"_version"`
		Found   bool            `json:"found"`
	}
	if status != 200 || json.Unmarshal(raw, &d) != nil {
		t.Fatalf("GET %s/_doc/%s = %d %s", index, id, status, clip(raw))
	}
	return d.Source, d.Version, d.Found
}

// CleanupIndex deletes the index when the test ends.
func (c *Cluster) CleanupIndex(t testing.TB, name string) {
	t.Cleanup(func() { c.deleteQuietly(t, "/"+url.PathEscape(name)) })
}

// CleanupDataStream deletes the data stream and then its index template
// when the test ends.
func (c *Cluster) CleanupDataStream(t testing.TB, stream, template string) {
	t.Cleanup(func() {
		c.deleteQuietly(t, "/_data_stream/"+url.PathEscape(stream))
		if template != "" {
			c.deleteQuietly(t, "/_index_template/"+url.PathEscape(template))
		}
	})
}

func (c *Cluster) deleteQuietly(t testing.TB, path string) {
	status, raw := c.Do(t, http.MethodDelete, path, nil)
	if status/100 != 2 && status != 404 {
		t.Logf("cleanup: DELETE %s = %d %s", path, status, clip(raw))
	}
}

// NewAPIKey creates an API key with the user's credentials, invalidated
// when the test ends, and returns its encoded form and id. It skips the
// test when no user and password were given.
func (c *Cluster) NewAPIKey(t testing.TB) (encoded, id string) {
	t.Helper()
	if c.Username == "" {
		t.Skip("creating an API key needs " + EnvUsername + " and " + EnvPassword)
	}
	basic := func(r *http.Request) { r.SetBasicAuth(c.Username, c.Password) }
	status, raw := c.DoAuth(t, http.MethodPost, "/_security/api_key", map[string]any{"name": c.Name("key"), "expiration": "1h"}, basic)
	var k struct {
		ID      string `json:"id"`
		Encoded string `json:"encoded"`
	}
	if status != 200 || json.Unmarshal(raw, &k) != nil || k.Encoded == "" {
		t.Fatalf("POST /_security/api_key = %d %s", status, clip(raw))
	}
	t.Cleanup(func() { c.InvalidateAPIKey(t, k.ID) })
	return k.Encoded, k.ID
}

// InvalidateAPIKey invalidates a key created by NewAPIKey.
func (c *Cluster) InvalidateAPIKey(t testing.TB, id string) {
	basic := func(r *http.Request) { r.SetBasicAuth(c.Username, c.Password) }
	status, raw := c.DoAuth(t, http.MethodDelete, "/_security/api_key", map[string]any{"ids": []string{id}}, basic)
	if status != 200 {
		t.Errorf("DELETE /_security/api_key = %d %s", status, clip(raw))
	}
}

func clip(b []byte) string {
	if len(b) > 500 {
		return string(b[:500]) + "..."
	}
	return string(b)
}

// ---- fault-injecting proxy ----

// Fault is what the proxy does to one _bulk request.
type Fault struct {
	// Status, when non-zero, answers the request with this status and an
	// Elasticsearch error body; the request is forwarded first only when
	// Apply is set (a proxy failing after the cluster applied it).
	Status int
	Apply  bool
	// ItemEvery > 0 rejects every ItemEvery-th document of the request
	// with 429 es_rejected_execution_exception inside the cluster's
	// answer, as a cluster whose write queue is full does: those
	// documents are not forwarded.
	ItemEvery int
}

// Proxy forwards every request to a cluster, injecting Faults into _bulk
// requests.
type Proxy struct {
	// URL is the proxy's address (loopback).
	URL string

	c      *Cluster
	plan   func(n int) Fault
	mu     sync.Mutex
	bulks  int
	server *http.Server
}

// BulkRequests is the number of _bulk requests the proxy received.
func (p *Proxy) BulkRequests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bulks
}
