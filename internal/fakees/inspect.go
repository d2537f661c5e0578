package fakees

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
)

// BulkResponse is the decoded answer to a _bulk request.
type BulkResponse struct {
	Took   int64      `json:"took"`
	Errors bool       `json:"errors"`
	Items  []BulkItem `json:"-"`
}

// BulkItem is one item of a bulk response.
type BulkItem struct {
	Action      string // index, create, delete, update
	Index       string
	ID          string
	Status      int
	Result      string
	ErrorType   string
	ErrorReason string
}

// PostBulk posts an NDJSON body to /_bulk with the server's own
// credentials, as `curl --data-binary @file -H 'Content-Type:
// application/x-ndjson' .../_bulk` would, and decodes the answer. A
// non-2xx answer is an error.
func (s *Server) PostBulk(body []byte) (*BulkResponse, error) {
	return s.PostBulkIndex("", body)
}

// PostBulkIndex posts to /<index>/_bulk: index is the default for action
// lines without _index.
func (s *Server) PostBulkIndex(index string, body []byte) (*BulkResponse, error) {
	path := "/_bulk"
	if index != "" {
		path = "/" + index + "/_bulk"
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	s.setAuth(req)
	c := *s.hs.Client() // trusts the certificate of a TLS server
	c.Timeout = time.Minute
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode/100 != 2 {
		return nil, fmt.Errorf("fakees: _bulk answered %d: %s", res.StatusCode, raw)
	}
	var wire struct {
		Took   int64                        `json:"took"`
		Errors bool                         `json:"errors"`
		Items  []map[string]json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(raw, &wire); err != nil {
		return nil, fmt.Errorf("fakees: bad _bulk response: %v", err)
	}
	out := &BulkResponse{Took: wire.Took, Errors: wire.Errors}
	for _, it := range wire.Items {
		for action, r := range it {
			var item struct {
				Index  string `json:"_index"`
				ID     string `json:"_id"`
				Status int    `json:"status"`
				Result string `json:"result"`
				Error  struct {
					Type   string `json:"type"`
					Reason string `json:"reason"`
				} `json:"error"`
			}
			if err := json.Unmarshal(r, &item); err != nil {
				return nil, fmt.Errorf("fakees: bad _bulk item: %v", err)
			}
			out.Items = append(out.Items, BulkItem{Action: action, Index: item.Index, ID: item.ID, Status: item.Status,
				Result: item.Result, ErrorType: item.Error.Type, ErrorReason: item.Error.Reason})
		}
	}
	return out, nil
}

func (s *Server) setAuth(req *http.Request) {
	switch {
	case s.opts.APIKey != "":
		req.Header.Set("Authorization", "ApiKey "+s.opts.APIKey)
	case s.opts.Username != "":
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(s.opts.Username+":"+s.opts.Password)))
	}
}

// Indices returns the names of the concrete indices (data stream backing
// indices included), sorted.
func (s *Server) Indices() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.indices))
	for n := range s.indices {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// DataStreams returns the names of the data streams, sorted.
func (s *Server) DataStreams() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.streams))
	for n := range s.streams {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Count is the number of documents in an index or data stream (0 when it
// doesn't exist).
func (s *Server) Count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, ix := range s.concrete(name) {
		n += len(ix.docs) + ix.counted
	}
	return n
}

// TotalDocs is the number of stored documents.
func (s *Server) TotalDocs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.docs
}

// Doc returns a stored document's source and version (1 for a document
// written once, n after n-1 overwrites by the index action).
func (s *Server) Doc(name, id string) (source []byte, version int64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ix := range s.concrete(name) {
		if d, found := ix.docs[id]; found {
			return d.source, d.version, true
		}
	}
	return nil, 0, false
}

// IDs returns the ids stored in an index or data stream, sorted.
func (s *Server) IDs(name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, ix := range s.concrete(name) {
		for id := range ix.docs {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// MaxVersion is the highest version of any document of the index: 1 means
// every document was written exactly once.
func (s *Server) MaxVersion(name string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var v int64
	for _, ix := range s.concrete(name) {
		for _, d := range ix.docs {
			v = max(v, d.version)
		}
	}
	return v
}

// Mapping returns the mapping of an index (of a data stream's write
// index) as Elasticsearch would return it, or nil.
func (s *Server) Mapping(name string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	ixs := s.concrete(name)
	if len(ixs) == 0 {
		return nil
	}
	return roundTrip(ixs[len(ixs)-1].mapping.toJSON())
}

// Settings returns the flat settings of an index ("index.number_of_shards"
// -> "1"), or nil.
func (s *Server) Settings(name string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ixs := s.concrete(name)
	if len(ixs) == 0 {
		return nil
	}
	out := map[string]string{}
	for k, v := range ixs[len(ixs)-1].settings {
		out[k] = fmt.Sprint(v)
	}
	return out
}

// Documents returns every stored document: index (the data stream name for
// backing indices) -> _id -> source. Server-assigned ids are replaced by
// "auto:<n>" where n numbers the index's auto-id documents in canonical
// source order, so two servers that received the same documents without
// ids compare equal.
func (s *Server) Documents() map[string]map[string]json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]map[string]json.RawMessage{}
	for _, ix := range s.indices {
		name := ix.name
		if ix.dataStream != "" {
			name = ix.dataStream
		}
		m := out[name]
		if m == nil {
			m = map[string]json.RawMessage{}
			out[name] = m
		}
		var autos []json.RawMessage
		for id, d := range ix.docs {
			if d.auto {
				autos = append(autos, d.source)
				continue
			}
			m[id] = d.source
		}
		sort.Slice(autos, func(i, j int) bool { return canonical(autos[i]) < canonical(autos[j]) })
		for i, src := range autos {
			m[fmt.Sprintf("auto:%d", i)] = src
		}
	}
	return out
}

// canonical renders JSON with sorted keys and no spaces, so that the same
// document written by two writers compares equal.
func canonical(b []byte) string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return string(b)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return string(b)
	}
	return string(out)
}

// Diff compares the indices (and data streams) and documents stored by two
// servers — JSON compared canonically: key order and spacing don't matter;
// mappings are not compared (compare Mapping for that) — and describes the
// differences, at most limit of them (0: all). No difference: nil.
func Diff(a, b *Server, limit int) []string {
	da, db := a.Documents(), b.Documents()
	var out []string
	add := func(format string, args ...any) bool {
		if limit > 0 && len(out) >= limit {
			return false
		}
		out = append(out, fmt.Sprintf(format, args...))
		return true
	}
	names := map[string]bool{}
	for n := range da {
		names[n] = true
	}
	for n := range db {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		ia, okA := da[n]
		ib, okB := db[n]
		switch {
		case !okA:
			if !add("index %s: only in the second (%d documents)", n, len(ib)) {
				return out
			}
			continue
		case !okB:
			if !add("index %s: only in the first (%d documents)", n, len(ia)) {
				return out
			}
			continue
		}
		ids := map[string]bool{}
		for id := range ia {
			ids[id] = true
		}
		for id := range ib {
			ids[id] = true
		}
		keys := make([]string, 0, len(ids))
		for id := range ids {
			keys = append(keys, id)
		}
		sort.Strings(keys)
		for _, id := range keys {
			sa, okA := ia[id]
			sb, okB := ib[id]
			var msg string
			switch {
			case !okA:
				msg = fmt.Sprintf("index %s: document %s only in the second", n, id)
			case !okB:
				msg = fmt.Sprintf("index %s: document %s only in the first", n, id)
			case canonical(sa) != canonical(sb):
				msg = fmt.Sprintf("index %s: document %s differs: %s vs %s", n, id, clip(sa), clip(sb))
			default:
				continue
			}
			if !add("%s", msg) {
				return out
			}
		}
	}
	return out
}

func clip(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
