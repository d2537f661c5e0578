// Package fakees is an in-process stand-in for Elasticsearch, for tests
// and benchmarks of code that writes to a cluster.
//
// It speaks the part of the REST protocol that emit's sink and its
// integration suite (internal/estest) use — root info (with the
// X-Elastic-Product header), index exists/create/get/delete/mapping/count,
// index templates, data streams, _bulk, with security on the API key
// and _authenticate APIs, and the anomaly-detection job and datafeed APIs
// of the ML setup (see ml.go; its anomaly records come from a documented
// fixed rule, not Elasticsearch's models) — takes request bodies
// compressed with gzip or deflate (Content-Encoding) as Elasticsearch
// does, and enforces what
// Elasticsearch enforces on the way in: values that don't fit the index
// mapping are rejected per item with mapper_parsing_exception, strict
// mappings reject new fields, unknown indices are auto-created only when
// allowed, "create" on an existing _id conflicts (409), data streams accept
// only "create". Documents are stored by index and _id so tests can assert
// exactly-once delivery.
//
// Faults can be injected into chosen _bulk requests: a whole-request error
// status (429, 503, ...), a connection closed before the request is read
// or in the middle of the response, a response slower than the client's
// timeout, and per-item rejections (429). FailRandomly draws them at random
// like a busy cluster, with a window during which every request is
// rejected.
//
// The server listens on loopback only, bounds request bodies, stored
// documents and concurrent requests, and shuts itself down after
// Options.Lifetime.
package fakees

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emit-sec/emit/es/wildcard"
)

// Options configure a Server. The zero value is a server without
// authentication that doesn't auto-create indices.
type Options struct {
	// Version is the Elasticsearch version reported by GET / (default
	// "8.18.0").
	Version string
	// ClusterName is reported by GET / (default "fakees").
	ClusterName string
	// APIKey, when set, is accepted as "Authorization: ApiKey <APIKey>"
	// (the encoded form, base64 of id:key).
	APIKey string
	// Username and Password, when Username is set, are accepted as HTTP
	// Basic credentials.
	Username, Password string
	// When APIKey or Username is set, every request must carry matching
	// credentials (401 otherwise). With neither, no authentication.

	// AllowAutoCreate lets _bulk create missing indices with dynamic
	// mappings (action.auto_create_index). Index templates with
	// allow_auto_create override it for the names they match.
	AllowAutoCreate bool
	// DiscardSources keeps only ids and versions, not document sources
	// (for benchmarks and large tests).
	DiscardSources bool
	// CountOnly answers every index and create item of a _bulk request
	// "created" without parsing, checking or storing its source or id:
	// indices only count their documents. For benchmarks of clients, so
	// that the server's own work is the least it can be, and for runs of
	// millions of documents (the server's memory stays flat).
	CountOnly bool
	// MaxBodyBytes bounds a request body (default 100 MiB, as
	// http.max_content_length): larger bodies get 413.
	MaxBodyBytes int64
	// MaxDocs bounds the stored documents (default 5,000,000): writes past
	// it are rejected per item with 429 cluster_block_exception.
	MaxDocs int
	// MaxConcurrent bounds the requests served at once (default 64).
	MaxConcurrent int
	// Lifetime after which the server closes itself (default 10 minutes).
	Lifetime time.Duration
	// TLS serves https with a self-signed certificate (see CACertPEM).
	TLS bool
	// NoMLLicense answers every machine-learning request as a cluster
	// whose license lacks ML (basic): 403 security_exception "current
	// license is non-compliant for [ml]".
	NoMLLicense bool
}

// Fault is what the server does to one _bulk request.
type Fault struct {
	// Status, when non-zero, answers the whole request with this status
	// and an Elasticsearch-style error body (429:
	// es_rejected_execution_exception, 503: unavailable, ...). Nothing is
	// applied unless Apply is set.
	Status int
	// Apply applies the bulk before answering with Status (a proxy or
	// coordinating node failing after the writes happened).
	Apply bool
	// Close applies the bulk, sends the response headers and half the
	// body, then closes the connection.
	Close bool
	// Drop closes the connection before reading the request: nothing is
	// applied, and the client sees a reset connection.
	Drop bool
	// Delay applies the bulk, then waits this long before answering (or
	// until the client goes away).
	Delay time.Duration
	// ItemStatus (default 429) is given to every ItemEvery-th item of the
	// request (1 = every item), and to each item with probability
	// ItemRate (drawn from the server's seeded random source, see
	// FailRandomly); those items are not applied.
	ItemStatus int
	ItemEvery  int
	ItemRate   float64
}

func (f Fault) zero() bool { return f == Fault{} }

// Server is a running fake Elasticsearch.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:34567.
	URL string

	opts    Options
	hs      *httptest.Server
	sem     chan struct{}
	done    chan struct{}
	once    sync.Once
	started time.Time

	bulkN     atomic.Int64
	requests  atomic.Int64
	authFails atomic.Int64

	mu          sync.Mutex
	indices     map[string]*index
	streams     map[string]*dataStream
	templates   map[string]*template
	faults      map[int64]Fault
	faultFn     func(n int64) Fault
	rnd         *rand.Rand // fault draws; guarded by mu
	docs        int
	autoID      int64
	authSchemes map[string]int
	encodings   map[string]int
	apiKeys     map[string]*apiKey
	wireBulk    atomic.Int64 // _bulk body bytes as received
	bodyBulk    atomic.Int64 // _bulk body bytes decompressed
	mlst        *mlState     // anomaly-detection jobs and datafeeds (ml.go)
}

type index struct {
	name       string
	uuid       string
	mapping    *mapping
	settings   map[string]any
	docs       map[string]*doc
	seqNo      int64
	counted    int    // documents counted, not stored (Options.CountOnly)
	dataStream string // owning data stream, if a backing index
}

type doc struct {
	source  []byte
	version int64
	seqNo   int64
	auto    bool // _id assigned by the server
}

type template struct {
	name            string
	patterns        []string
	priority        int
	dataStream      bool
	allowAutoCreate *bool
	mapping         *mapping // nil: none
	settings        map[string]any
	raw             map[string]any
}

type dataStream struct {
	name     string
	template string
	backing  []*index
}

// Start starts a server. Call Close when done (NewForTest does it for
// you).
func Start(opts Options) *Server {
	if opts.Version == "" {
		opts.Version = "8.18.0"
	}
	if opts.ClusterName == "" {
		opts.ClusterName = "fakees"
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 100 << 20
	}
	if opts.MaxDocs <= 0 {
		opts.MaxDocs = 5_000_000
	}
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = 64
	}
	if opts.Lifetime <= 0 {
		opts.Lifetime = 10 * time.Minute
	}
	s := &Server{
		opts:        opts,
		sem:         make(chan struct{}, opts.MaxConcurrent),
		done:        make(chan struct{}),
		started:     time.Now().UTC(),
		indices:     map[string]*index{},
		streams:     map[string]*dataStream{},
		templates:   map[string]*template{},
		faults:      map[int64]Fault{},
		rnd:         rand.New(rand.NewPCG(1, 1)),
		authSchemes: map[string]int{},
		encodings:   map[string]int{},
		apiKeys:     map[string]*apiKey{},
	}
	s.hs = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	// Clients that refuse the certificate or drop connections are part
	// of the tests: don't log them.
	s.hs.Config.ErrorLog = log.New(io.Discard, "", 0)
	if opts.TLS {
		s.hs.StartTLS()
	} else {
		s.hs.Start()
	}
	s.URL = s.hs.URL
	go func() {
		t := time.NewTimer(opts.Lifetime)
		defer t.Stop()
		select {
		case <-t.C:
			s.Close()
		case <-s.done:
		}
	}()
	return s
}

// NewForTest starts a server that closes when the test ends.
func NewForTest(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := Start(opts)
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server. It is safe to call more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.done)
		s.hs.CloseClientConnections()
		s.hs.Close()
	})
}

// CACertPEM returns the PEM certificate a client must trust to talk to a
// TLS server (nil without TLS).
func (s *Server) CACertPEM() []byte {
	if s.hs.Certificate() == nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.hs.Certificate().Raw})
}

// FailBulk makes the n-th _bulk request (1-based, in arrival order) suffer
// fault f.
func (s *Server) FailBulk(n int64, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[n] = f
}

// FailBulks decides the fault of every _bulk request from its number
// (1-based); FailBulk entries take precedence.
func (s *Server) FailBulks(fn func(n int64) Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faultFn = fn
}

// Mix is a random fault mix, as a busy cluster answers. The fractions
// are probabilities in [0, 1]; at most one whole-request fault hits a
// request.
type Mix struct {
	// Seed seeds the draws (the same seed gives the same faults to the
	// same sequence of requests).
	Seed uint64
	// Status503 is the fraction of bulk requests answered 503 (nothing
	// applied).
	Status503 float64
	// DropBefore is the fraction of connections closed before the
	// request is read (nothing applied).
	DropBefore float64
	// CloseAfter is the fraction of connections closed after the
	// documents were stored, in the middle of the answer.
	CloseAfter float64
	// Item429 is the fraction of documents rejected with 429
	// es_rejected_execution_exception inside a 200 answer.
	Item429 float64
	// Overload: from the OverloadAfter-th bulk request (1-based; 0: never)
	// and for OverloadFor, every bulk request is answered OverloadStatus
	// (default 429), as a cluster rejecting all writes during a merge
	// storm or a snapshot.
	OverloadAfter  int64
	OverloadFor    time.Duration
	OverloadStatus int
}

// FailRandomly draws the fault of every _bulk request from m (FailBulk
// entries take precedence). It replaces FailBulks.
func (s *Server) FailRandomly(m Mix) {
	status := m.OverloadStatus
	if status == 0 {
		status = 429
	}
	var overloadEnd time.Time
	fn := func(n int64) Fault { // called with s.mu held
		if m.OverloadAfter > 0 && n >= m.OverloadAfter {
			if overloadEnd.IsZero() {
				overloadEnd = time.Now().Add(m.OverloadFor)
			}
			if time.Now().Before(overloadEnd) {
				return Fault{Status: status}
			}
		}
		f := Fault{ItemRate: m.Item429}
		switch x := s.rnd.Float64(); {
		case x < m.Status503:
			f.Status = 503
		case x < m.Status503+m.DropBefore:
			f.Drop = true
		case x < m.Status503+m.DropBefore+m.CloseAfter:
			f.Close = true
		}
		return f
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rnd = rand.New(rand.NewPCG(m.Seed, 0x6661756c7473))
	s.faultFn = fn
}

func (s *Server) faultFor(n int64) Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.faults[n]; ok {
		return f
	}
	if s.faultFn != nil {
		return s.faultFn(n)
	}
	return Fault{}
}

// BulkRequests is the number of _bulk requests received.
func (s *Server) BulkRequests() int64 { return s.bulkN.Load() }

// Requests is the number of requests received (all endpoints).
func (s *Server) Requests() int64 { return s.requests.Load() }

// AuthFailures is the number of requests rejected with 401.
func (s *Server) AuthFailures() int64 { return s.authFails.Load() }

// AuthSchemes counts the authorization schemes seen on accepted requests
// ("ApiKey", "Basic", "" for none). Credentials themselves are not kept.
func (s *Server) AuthSchemes() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.authSchemes))
	for k, v := range s.authSchemes {
		out[k] = v
	}
	return out
}

// ContentEncodings counts the Content-Encoding of the requests received
// ("" for none, "gzip", ...).
func (s *Server) ContentEncodings() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.encodings))
	for k, v := range s.encodings {
		out[k] = v
	}
	return out
}

func (s *Server) noteEncoding(enc string) {
	s.mu.Lock()
	s.encodings[enc]++
	s.mu.Unlock()
}

// BulkBytes returns the bytes of the _bulk request bodies received: as
// they came over the wire (compressed, when they were), and decompressed.
func (s *Server) BulkBytes() (wire, body int64) { return s.wireBulk.Load(), s.bodyBulk.Load() }

// ---- HTTP plumbing ----

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	select {
	case s.sem <- struct{}{}:
		defer func() { <-s.sem }()
	case <-r.Context().Done():
		return
	case <-s.done:
		return
	}
	s.requests.Add(1)
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	var enc string
	r, enc = decodeBody(r)
	s.noteEncoding(enc)
	who, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), userKey{}, who))
	path := strings.Trim(r.URL.EscapedPath(), "/")
	var segs []string
	if path != "" {
		for _, p := range strings.Split(path, "/") {
			u, err := url.PathUnescape(p)
			if err != nil {
				u = p
			}
			segs = append(segs, u)
		}
	}
	s.route(w, r, segs)
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, segs []string) {
	m := r.Method
	switch {
	case len(segs) == 0 && (m == http.MethodGet || m == http.MethodHead):
		s.info(w, r)
	case len(segs) == 1 && segs[0] == "_bulk" && (m == http.MethodPost || m == http.MethodPut):
		s.bulk(w, r, "")
	case len(segs) == 2 && segs[1] == "_bulk" && (m == http.MethodPost || m == http.MethodPut):
		s.bulk(w, r, segs[0])
	case len(segs) >= 1 && segs[0] == "_ml":
		s.routeML(w, r, segs[1:])
	case len(segs) >= 1 && segs[0] == "_index_template":
		s.routeTemplates(w, r, segs[1:])
	case len(segs) >= 1 && segs[0] == "_security":
		s.routeSecurity(w, r, segs[1:])
	case len(segs) == 2 && segs[0] == "_data_stream":
		switch m {
		case http.MethodGet:
			s.getDataStream(w, segs[1])
		case http.MethodPut:
			s.putDataStream(w, segs[1])
		case http.MethodDelete:
			s.deleteDataStream(w, segs[1])
		default:
			methodNotAllowed(w, r)
		}
	case len(segs) == 1 && !strings.HasPrefix(segs[0], "_"):
		switch m {
		case http.MethodHead:
			s.exists(w, segs[0])
		case http.MethodPut:
			s.createIndex(w, r, segs[0])
		case http.MethodGet:
			s.getIndex(w, segs[0])
		case http.MethodDelete:
			s.deleteIndex(w, segs[0])
		default:
			methodNotAllowed(w, r)
		}
	case len(segs) == 2 && segs[1] == "_mapping" && m == http.MethodGet:
		s.getMapping(w, segs[0])
	case len(segs) == 2 && segs[1] == "_count" && (m == http.MethodGet || m == http.MethodPost):
		s.count(w, segs[0])
	case len(segs) == 2 && segs[1] == "_refresh":
		writeJSON(w, 200, map[string]any{"_shards": map[string]any{"total": 1, "successful": 1, "failed": 0}})
	case len(segs) == 3 && segs[1] == "_doc" && m == http.MethodGet:
		s.getDoc(w, segs[0], segs[2])
	default:
		writeJSON(w, 400, map[string]any{
			"error":  fmt.Sprintf("no handler found for uri [%s] and method [%s]", r.URL.Path, r.Method),
			"status": 400,
		})
	}
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 405, map[string]any{
		"error":  fmt.Sprintf("Incorrect HTTP method for uri [%s] and method [%s]", r.URL.Path, r.Method),
		"status": 405,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = 500, []byte(`{"error":"fakees: cannot encode response"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// esError writes an Elasticsearch error response.
func esError(w http.ResponseWriter, status int, typ, reason string, extra map[string]any) {
	cause := map[string]any{"type": typ, "reason": reason}
	for k, v := range extra {
		cause[k] = v
	}
	body := map[string]any{}
	for k, v := range cause {
		body[k] = v
	}
	body["root_cause"] = []any{cause}
	writeJSON(w, status, map[string]any{"error": body, "status": status})
}

// authenticate checks the request's credentials when the server has
// security on (Options.APIKey or Options.Username set): HTTP Basic with
// the configured user, or ApiKey with Options.APIKey or a key created with
// POST /_security/api_key and not invalidated. Otherwise it answers 401 as
// Elasticsearch does.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (principal, bool) {
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	scheme = strings.ToLower(scheme)
	if !s.security() {
		s.noteScheme(scheme)
		return principal{}, true
	}
	var who principal
	ok := false
	switch scheme {
	case "apikey":
		who, ok = s.checkAPIKey(cred)
	case "basic":
		if s.opts.Username != "" {
			raw, err := base64.StdEncoding.DecodeString(cred)
			want := s.opts.Username + ":" + s.opts.Password
			ok = err == nil && subtle.ConstantTimeCompare(raw, []byte(want)) == 1
			who = principal{user: s.opts.Username}
		}
	}
	if ok {
		s.noteScheme(scheme)
		return who, true
	}
	s.authFails.Add(1)
	w.Header().Set("WWW-Authenticate", `Basic realm="security", charset="UTF-8"`)
	w.Header().Add("WWW-Authenticate", "ApiKey")
	reason := fmt.Sprintf("missing authentication credentials for REST request [%s]", r.URL.Path)
	if h != "" {
		reason = "unable to authenticate with provided credentials and anonymous access is not allowed for this request"
	}
	esError(w, 401, "security_exception", reason, map[string]any{
		"header": map[string]any{"WWW-Authenticate": []string{`Basic realm="security", charset="UTF-8"`, "ApiKey"}},
	})
	return principal{}, false
}

func (s *Server) noteScheme(scheme string) {
	name := map[string]string{"apikey": "ApiKey", "basic": "Basic", "bearer": "Bearer", "": ""}[scheme]
	if _, ok := map[string]bool{"apikey": true, "basic": true, "bearer": true, "": true}[scheme]; !ok {
		name = "other"
	}
	s.mu.Lock()
	s.authSchemes[name]++
	s.mu.Unlock()
}

func (s *Server) info(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		w.WriteHeader(200)
		return
	}
	writeJSON(w, 200, map[string]any{
		"name":         "fakees-node",
		"cluster_name": s.opts.ClusterName,
		"cluster_uuid": "fakees-cluster-uuid",
		"version": map[string]any{
			"number":                              s.opts.Version,
			"build_flavor":                        "default",
			"build_type":                          "docker",
			"lucene_version":                      "9.12.0",
			"minimum_wire_compatibility_version":  "7.17.0",
			"minimum_index_compatibility_version": "7.0.0",
		},
		"tagline": "You Know, for Search",
	})
}

// ---- indices ----

// validIndexName applies Elasticsearch's index naming rules.
func validIndexName(name string) string {
	switch {
	case name == "":
		return "must not be empty"
	case name == "." || name == "..":
		return "must not be '.' or '..'"
	case strings.ToLower(name) != name:
		return "must be lowercase"
	case strings.ContainsAny(name, "\\/*?\"<>| ,#:"):
		return `must not contain the following characters [ , ", *, \, <, |, ,, >, /, ?, :, #]`
	case strings.HasPrefix(name, "-") || strings.HasPrefix(name, "_") || strings.HasPrefix(name, "+"):
		return "must not start with '_', '-', or '+'"
	case len(name) > 255:
		return "index name is too long, (" + fmt.Sprint(len(name)) + " > 255)"
	}
	return ""
}

func (s *Server) exists(w http.ResponseWriter, name string) {
	s.mu.Lock()
	_, ok := s.indices[name]
	_, ds := s.streams[name]
	s.mu.Unlock()
	if ok || ds {
		w.WriteHeader(200)
		return
	}
	w.WriteHeader(404)
}

func notFound(w http.ResponseWriter, name string) {
	esError(w, 404, "index_not_found_exception", "no such index ["+name+"]",
		map[string]any{"index": name, "resource.type": "index_or_alias", "resource.id": name})
}

func (s *Server) createIndex(w http.ResponseWriter, r *http.Request, name string) {
	if msg := validIndexName(name); msg != "" {
		esError(w, 400, "invalid_index_name_exception", "Invalid index name ["+name+"], "+msg, map[string]any{"index": name})
		return
	}
	var body struct {
		Mappings map[string]any `json:"mappings"`
		Settings map[string]any `json:"settings"`
		Aliases  map[string]any `json:"aliases"`
	}
	raw, ok := readBody(w, r, s.opts.MaxBodyBytes)
	if !ok {
		return
	}
	var err error
	if len(bytes.TrimSpace(raw)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil {
			esError(w, 400, "parse_exception", "request body is not valid JSON: "+err.Error(), nil)
			return
		}
	}
	m := emptyMapping()
	if body.Mappings != nil {
		if m, err = parseMapping(body.Mappings); err != nil {
			esError(w, 400, "mapper_parsing_exception", "Failed to parse mapping: "+err.Error(), nil)
			return
		}
	}
	settings, err := flattenSettings(body.Settings)
	if err != nil {
		esError(w, 400, "illegal_argument_exception", err.Error(), nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.indices[name]; ok {
		esError(w, 400, "resource_already_exists_exception", "index ["+name+"/"+s.indices[name].uuid+"] already exists", map[string]any{"index": name})
		return
	}
	if _, ok := s.streams[name]; ok {
		esError(w, 400, "resource_already_exists_exception", "data stream ["+name+"] already exists", map[string]any{"index": name})
		return
	}
	if t := s.matchTemplate(name); t != nil {
		if t.dataStream {
			esError(w, 400, "illegal_argument_exception", fmt.Sprintf(
				"cannot create index with name [%s], because it matches with template [%s] that creates data streams only, use create data stream api instead", name, t.name), nil)
			return
		}
		if t.mapping != nil {
			base := t.mapping.clone()
			base.merge(m)
			m = base
		}
		for k, v := range t.settings {
			if _, ok := settings[k]; !ok {
				settings[k] = v
			}
		}
	}
	s.newIndex(name, m, settings, "")
	writeJSON(w, 200, map[string]any{"acknowledged": true, "shards_acknowledged": true, "index": name})
}

// flattenSettings normalizes {"number_of_shards":1}, {"index":{...}} and
// {"index.number_of_shards":1} to "index.*" keys with string values.
func flattenSettings(in map[string]any) (map[string]any, error) {
	out := map[string]any{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			key := join(prefix, k)
			if sub, ok := v.(map[string]any); ok {
				walk(key, sub)
				continue
			}
			out[key] = fmt.Sprint(v)
		}
	}
	walk("", in)
	norm := map[string]any{}
	for k, v := range out {
		if !strings.HasPrefix(k, "index.") {
			k = "index." + k
		}
		norm[k] = v
	}
	for _, k := range []string{"index.number_of_shards", "index.number_of_replicas"} {
		v, ok := norm[k]
		if !ok {
			continue
		}
		var n int
		if _, err := fmt.Sscanf(v.(string), "%d", &n); err != nil || n < 0 || (k == "index.number_of_shards" && n < 1) {
			return nil, fmt.Errorf("Failed to parse value [%v] for setting [%s]", v, k)
		}
	}
	return norm, nil
}

func (s *Server) newIndex(name string, m *mapping, settings map[string]any, ds string) *index {
	if settings == nil {
		settings = map[string]any{}
	}
	if _, ok := settings["index.number_of_shards"]; !ok {
		settings["index.number_of_shards"] = "1"
	}
	if _, ok := settings["index.number_of_replicas"]; !ok {
		settings["index.number_of_replicas"] = "1"
	}
	ix := &index{name: name, uuid: fmt.Sprintf("uuid-%d", len(s.indices)+1), mapping: m, settings: settings,
		docs: map[string]*doc{}, dataStream: ds}
	s.indices[name] = ix
	return ix
}

// concrete resolves a name to its indices (a data stream's backing
// indices, or the index itself).
func (s *Server) concrete(name string) []*index {
	if ds, ok := s.streams[name]; ok {
		return ds.backing
	}
	if ix, ok := s.indices[name]; ok {
		return []*index{ix}
	}
	return nil
}

func (s *Server) getMapping(w http.ResponseWriter, name string) {
	s.mu.Lock()
	ixs := s.concrete(name)
	out := map[string]any{}
	for _, ix := range ixs {
		out[ix.name] = map[string]any{"mappings": ix.mapping.toJSON()}
	}
	s.mu.Unlock()
	if len(ixs) == 0 {
		notFound(w, name)
		return
	}
	writeJSON(w, 200, out)
}

func (s *Server) getIndex(w http.ResponseWriter, name string) {
	s.mu.Lock()
	ixs := s.concrete(name)
	out := map[string]any{}
	for _, ix := range ixs {
		entry := map[string]any{
			"aliases":  map[string]any{},
			"mappings": ix.mapping.toJSON(),
			"settings": nestSettings(ix.settings),
		}
		if ix.dataStream != "" {
			entry["data_stream"] = ix.dataStream
		}
		out[ix.name] = entry
	}
	s.mu.Unlock()
	if len(ixs) == 0 {
		notFound(w, name)
		return
	}
	writeJSON(w, 200, out)
}

func nestSettings(flat map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range flat {
		parts := strings.Split(k, ".")
		m := out
		for _, p := range parts[:len(parts)-1] {
			sub, ok := m[p].(map[string]any)
			if !ok {
				sub = map[string]any{}
				m[p] = sub
			}
			m = sub
		}
		m[parts[len(parts)-1]] = v
	}
	return out
}

func (s *Server) deleteIndex(w http.ResponseWriter, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ix, ok := s.indices[name]
	if !ok || ix.dataStream != "" {
		notFound(w, name)
		return
	}
	s.docs -= len(ix.docs)
	delete(s.indices, name)
	writeJSON(w, 200, map[string]any{"acknowledged": true})
}

func (s *Server) count(w http.ResponseWriter, name string) {
	s.mu.Lock()
	ixs := s.concrete(name)
	n := 0
	for _, ix := range ixs {
		n += len(ix.docs) + ix.counted
	}
	s.mu.Unlock()
	if len(ixs) == 0 {
		notFound(w, name)
		return
	}
	writeJSON(w, 200, map[string]any{"count": n, "_shards": map[string]any{"total": 1, "successful": 1, "skipped": 0, "failed": 0}})
}

func (s *Server) getDoc(w http.ResponseWriter, name, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ix, ok := s.indices[name]
	if !ok {
		notFound(w, name)
		return
	}
	d, ok := ix.docs[id]
	if !ok {
		writeJSON(w, 404, map[string]any{"_index": name, "_id": id, "found": false})
		return
	}
	out := map[string]any{"_index": name, "_id": id, "_version": d.version, "_seq_no": d.seqNo, "_primary_term": 1, "found": true}
	if d.source != nil {
		out["_source"] = json.RawMessage(d.source)
	}
	writeJSON(w, 200, out)
}

// ---- index templates and data streams ----

func (s *Server) routeTemplates(w http.ResponseWriter, r *http.Request, rest []string) {
	switch {
	case len(rest) == 0 && r.Method == http.MethodGet:
		s.getTemplates(w, "")
	case len(rest) == 1 && r.Method == http.MethodGet:
		s.getTemplates(w, rest[0])
	case len(rest) == 1 && r.Method == http.MethodDelete:
		s.deleteTemplate(w, rest[0])
	case len(rest) == 1 && (r.Method == http.MethodPut || r.Method == http.MethodPost):
		raw, ok := readBody(w, r, s.opts.MaxBodyBytes)
		if !ok {
			return
		}
		if err := s.PutIndexTemplate(rest[0], raw); err != nil {
			esError(w, 400, "illegal_argument_exception", err.Error(), nil)
			return
		}
		writeJSON(w, 200, map[string]any{"acknowledged": true})
	case len(rest) == 2 && rest[0] == "_simulate_index" && r.Method == http.MethodPost:
		s.simulateIndex(w, rest[1])
	default:
		methodNotAllowed(w, r)
	}
}

// PutIndexTemplate adds or replaces a composable index template; body is
// the JSON of PUT /_index_template/<name>:
//
//	{"index_patterns":["logs-*-*"],"priority":100,"data_stream":{},
//	 "allow_auto_create":true,"template":{"mappings":{...},"settings":{...}}}
//
// component templates (composed_of) are not supported.
func (s *Server) PutIndexTemplate(name string, body []byte) error {
	var raw map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return fmt.Errorf("index template is not valid JSON: %v", err)
	}
	t := &template{name: name, raw: raw}
	switch p := raw["index_patterns"].(type) {
	case string:
		t.patterns = []string{p}
	case []any:
		for _, e := range p {
			s, ok := e.(string)
			if !ok {
				return fmt.Errorf("index_patterns must be strings")
			}
			t.patterns = append(t.patterns, s)
		}
	default:
		return fmt.Errorf("index template [%s] must have index_patterns", name)
	}
	if p, ok := raw["priority"].(json.Number); ok {
		n, err := p.Int64()
		if err != nil {
			return fmt.Errorf("priority must be an integer")
		}
		t.priority = int(n)
	}
	if _, ok := raw["data_stream"]; ok {
		t.dataStream = true
	}
	if c, ok := raw["composed_of"].([]any); ok && len(c) > 0 {
		return fmt.Errorf("fakees does not support component templates (composed_of)")
	}
	if b, ok := raw["allow_auto_create"].(bool); ok {
		t.allowAutoCreate = &b
	}
	if tm, ok := raw["template"].(map[string]any); ok {
		if m, ok := tm["mappings"].(map[string]any); ok {
			pm, err := parseMapping(m)
			if err != nil {
				return fmt.Errorf("invalid mappings in index template [%s]: %v", name, err)
			}
			t.mapping = pm
		}
		if st, ok := tm["settings"].(map[string]any); ok {
			fs, err := flattenSettings(st)
			if err != nil {
				return err
			}
			t.settings = fs
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.templates {
		if o.name != name && o.priority == t.priority && overlap(o.patterns, t.patterns) {
			return fmt.Errorf("index template [%s] has index patterns %v matching patterns from existing templates [%s] with patterns (%s => %v) that have the same priority [%d]",
				name, t.patterns, o.name, o.name, o.patterns, t.priority)
		}
	}
	s.templates[name] = t
	return nil
}

func overlap(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			// Elasticsearch intersects the patterns' automata.
			if wildcard.Overlap(x, y) {
				return true
			}
		}
	}
	return false
}

// matchTemplate returns the highest-priority template matching name.
func (s *Server) matchTemplate(name string) *template {
	var best *template
	for _, t := range s.templates {
		for _, p := range t.patterns {
			if wildcard.MatchString(p, name) {
				if best == nil || t.priority > best.priority || (t.priority == best.priority && t.name < best.name) {
					best = t
				}
				break
			}
		}
	}
	return best
}

func (s *Server) getTemplates(w http.ResponseWriter, name string) {
	s.mu.Lock()
	names := make([]string, 0, len(s.templates))
	for n := range s.templates {
		if name == "" || wildcard.MatchString(name, n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	list := make([]any, 0, len(names))
	for _, n := range names {
		list = append(list, map[string]any{"name": n, "index_template": s.templates[n].raw})
	}
	s.mu.Unlock()
	if name != "" && len(list) == 0 {
		esError(w, 404, "resource_not_found_exception", "index template matching ["+name+"] not found", nil)
		return
	}
	writeJSON(w, 200, map[string]any{"index_templates": list})
}

func (s *Server) simulateIndex(w http.ResponseWriter, name string) {
	s.mu.Lock()
	t := s.matchTemplate(name)
	var out map[string]any
	if t != nil {
		m := map[string]any{}
		if t.mapping != nil {
			m = t.mapping.toJSON()
		}
		if t.dataStream {
			m = withTimestamp(t.mapping).toJSON()
		}
		out = map[string]any{
			"template": map[string]any{
				"settings": nestSettings(t.settings),
				"mappings": m,
				"aliases":  map[string]any{},
			},
			"overlapping": []any{},
		}
	}
	s.mu.Unlock()
	if out == nil {
		// Elasticsearch answers 200 with an empty body when no template
		// matches.
		writeJSON(w, 200, map[string]any{"overlapping": []any{}})
		return
	}
	writeJSON(w, 200, out)
}

// withTimestamp is a data stream's mapping: the template's, with
// @timestamp as a date unless mapped.
func withTimestamp(tm *mapping) *mapping {
	m := emptyMapping()
	if tm != nil {
		m = tm.clone()
	}
	if _, ok := m.root.props["@timestamp"]; !ok {
		m.root.props["@timestamp"] = &field{typ: "date", enabled: true, coerce: true, params: map[string]any{}}
	}
	return m
}

func (s *Server) getDataStream(w http.ResponseWriter, name string) {
	s.mu.Lock()
	var list []any
	for _, ds := range s.streams {
		if !wildcard.MatchString(name, ds.name) && name != "*" {
			continue
		}
		var backing []any
		for _, ix := range ds.backing {
			backing = append(backing, map[string]any{"index_name": ix.name, "index_uuid": ix.uuid})
		}
		list = append(list, map[string]any{
			"name":            ds.name,
			"timestamp_field": map[string]any{"name": "@timestamp"},
			"indices":         backing,
			"generation":      len(ds.backing),
			"status":          "GREEN",
			"template":        ds.template,
			"hidden":          false,
			"system":          false,
		})
	}
	s.mu.Unlock()
	if len(list) == 0 && !strings.Contains(name, "*") {
		notFound(w, name)
		return
	}
	if list == nil {
		list = []any{}
	}
	writeJSON(w, 200, map[string]any{"data_streams": list})
}

func (s *Server) putDataStream(w http.ResponseWriter, name string) {
	if err := s.CreateDataStream(name); err != nil {
		esError(w, 400, "illegal_argument_exception", err.Error(), nil)
		return
	}
	writeJSON(w, 200, map[string]any{"acknowledged": true})
}

// CreateDataStream creates a data stream; an index template with a
// data_stream object must match its name.
func (s *Server) CreateDataStream(name string) error {
	if msg := validIndexName(name); msg != "" {
		return fmt.Errorf("invalid data stream name [%s]: %s", name, msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.streams[name]; ok {
		return fmt.Errorf("data_stream [%s] already exists", name)
	}
	if _, ok := s.indices[name]; ok {
		return fmt.Errorf("index [%s] already exists, cannot create a data stream with that name", name)
	}
	t := s.matchTemplate(name)
	if t == nil || !t.dataStream {
		return fmt.Errorf("no matching index template found for data stream [%s]", name)
	}
	s.newDataStream(name, t)
	return nil
}

func (s *Server) newDataStream(name string, t *template) *dataStream {
	ds := &dataStream{name: name, template: t.name}
	backing := fmt.Sprintf(".ds-%s-%s-%06d", name, s.started.Format("2006.01.02"), 1)
	settings := map[string]any{}
	for k, v := range t.settings {
		settings[k] = v
	}
	ds.backing = []*index{s.newIndex(backing, withTimestamp(t.mapping), settings, name)}
	s.streams[name] = ds
	return ds
}

// deleteDataStream deletes data streams (a name, a comma-separated list
// or wildcards) with their backing indices.
func (s *Server) deleteDataStream(w http.ResponseWriter, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []*dataStream
	for _, n := range strings.Split(name, ",") {
		matched := false
		for _, ds := range s.streams {
			if ds.name == n || (strings.Contains(n, "*") && wildcard.MatchString(n, ds.name)) {
				found, matched = append(found, ds), true
			}
		}
		if !matched && !strings.Contains(n, "*") {
			notFound(w, n)
			return
		}
	}
	for _, ds := range found {
		for _, ix := range ds.backing {
			s.docs -= len(ix.docs)
			delete(s.indices, ix.name)
		}
		delete(s.streams, ds.name)
	}
	writeJSON(w, 200, map[string]any{"acknowledged": true})
}

// deleteTemplate deletes a composable index template, unless a data
// stream uses it.
func (s *Server) deleteTemplate(w http.ResponseWriter, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.templates[name]; !ok {
		esError(w, 404, "resource_not_found_exception", "index_template matching ["+name+"] not found", nil)
		return
	}
	var users []string
	for _, ds := range s.streams {
		if ds.template == name {
			users = append(users, ds.name)
		}
	}
	if len(users) > 0 {
		sort.Strings(users)
		esError(w, 400, "illegal_argument_exception", fmt.Sprintf(
			"unable to remove composable templates [%s] as they are in use by a data streams [%s]", name, strings.Join(users, ", ")), nil)
		return
	}
	delete(s.templates, name)
	writeJSON(w, 200, map[string]any{"acknowledged": true})
}
