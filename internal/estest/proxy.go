package estest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Proxy starts a proxy in front of the cluster on loopback; plan gives
// the fault of the n-th _bulk request (1-based). It stops when the test
// ends.
func (c *Cluster) Proxy(t testing.TB, plan func(n int) Fault) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{URL: "http://" + ln.Addr().String(), c: c, plan: plan}
	p.server = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.server.Serve(ln) }()
	t.Cleanup(func() { _ = p.server.Close() })
	return p
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 200<<20))
	if err != nil {
		http.Error(w, "estest proxy: cannot read the request", http.StatusBadRequest)
		return
	}
	var f Fault
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/_bulk") && p.plan != nil {
		p.mu.Lock()
		p.bulks++
		n := p.bulks
		p.mu.Unlock()
		f = p.plan(n)
	}
	switch {
	case f.Status != 0 && !f.Apply:
		rejectRequest(w, f.Status)
		return
	case f.ItemEvery > 0:
		p.rejectItems(w, r, body, f.ItemEvery)
		return
	}
	status, hdr, out, err := p.forward(r, r.Header, body)
	if err != nil {
		http.Error(w, "estest proxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	if f.Status != 0 {
		// Applied; the answer is lost on the way back.
		rejectRequest(w, f.Status)
		return
	}
	for k, vs := range hdr {
		switch http.CanonicalHeaderKey(k) {
		case "Content-Length", "Transfer-Encoding", "Connection":
			continue
		}
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(out)))
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// forward sends the request on to the cluster.
func (p *Proxy) forward(r *http.Request, hdr http.Header, body []byte) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, p.c.URL+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	for k, vs := range hdr {
		switch http.CanonicalHeaderKey(k) {
		case "Content-Length", "Connection", "Host", "Accept-Encoding":
			continue
		}
		req.Header[k] = vs
	}
	res, err := p.c.client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, out, err
}

// rejectRequest answers a whole request as an overloaded cluster (429,
// 503) or a failing gateway (5xx without Elasticsearch's body) does.
func rejectRequest(w http.ResponseWriter, status int) {
	var typ, reason string
	switch status {
	case http.StatusTooManyRequests:
		typ, reason = "es_rejected_execution_exception", "rejected execution of coordinating operation (estest proxy)"
	case http.StatusServiceUnavailable:
		typ, reason = "cluster_block_exception", "blocked by: [SERVICE_UNAVAILABLE/2/no master]; (estest proxy)"
	default:
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		fmt.Fprintf(w, "%d %s (estest proxy)\n", status, http.StatusText(status))
		return
	}
	cause := map[string]any{"type": typ, "reason": reason}
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"root_cause": []any{cause}, "type": typ, "reason": reason}, "status": status})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// bulkItem is one operation of a _bulk body: its lines and what its
// action line says.
type bulkItem struct {
	lines       [][]byte
	action, idx string
	id          string
}

func parseItems(body []byte) ([]bulkItem, error) {
	var items []bulkItem
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 200<<20)
	for sc.Scan() {
		line := append([]byte(nil), sc.Bytes()...)
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var action map[string]struct {
			Index string `json:"_index"`
			ID    string `json:"_id"`
		}
		if err := json.Unmarshal(line, &action); err != nil || len(action) != 1 {
			return nil, fmt.Errorf("bad action line %q", line)
		}
		it := bulkItem{lines: [][]byte{line}}
		for k, v := range action {
			it.action, it.idx, it.id = k, v.Index, v.ID
		}
		if it.action != "delete" {
			if !sc.Scan() {
				return nil, fmt.Errorf("action without a source")
			}
			it.lines = append(it.lines, append([]byte(nil), sc.Bytes()...))
		}
		items = append(items, it)
	}
	return items, sc.Err()
}

// rejectItems forwards the documents but every every-th, and answers with
// the cluster's results and 429s for those.
func (p *Proxy) rejectItems(w http.ResponseWriter, r *http.Request, body []byte, every int) {
	hdr := r.Header.Clone()
	if strings.EqualFold(hdr.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err == nil {
			body, err = io.ReadAll(zr)
		}
		if err != nil {
			http.Error(w, "estest proxy: bad gzip body", http.StatusBadRequest)
			return
		}
		hdr.Del("Content-Encoding")
	}
	items, err := parseItems(body)
	if err != nil {
		http.Error(w, "estest proxy: "+err.Error(), http.StatusBadRequest)
		return
	}
	var kept bytes.Buffer
	rejected := make([]bool, len(items))
	for i, it := range items {
		if (i+1)%every == 0 {
			rejected[i] = true
			continue
		}
		for _, l := range it.lines {
			kept.Write(l)
			kept.WriteByte('\n')
		}
	}
	answer := map[string]json.RawMessage{"errors": json.RawMessage("true")}
	var results []json.RawMessage
	if kept.Len() > 0 {
		status, rh, out, err := p.forward(r, hdr, kept.Bytes())
		if err != nil || status != 200 {
			http.Error(w, fmt.Sprintf("estest proxy: the cluster answered %d %v: %s", status, err, clip(out)), http.StatusBadGateway)
			return
		}
		if rh.Get("X-Elastic-Product") != "" {
			w.Header().Set("X-Elastic-Product", rh.Get("X-Elastic-Product"))
		}
		if err := json.Unmarshal(out, &answer); err != nil {
			http.Error(w, "estest proxy: bad bulk answer", http.StatusBadGateway)
			return
		}
		if err := json.Unmarshal(answer["items"], &results); err != nil {
			http.Error(w, "estest proxy: bad bulk items", http.StatusBadGateway)
			return
		}
	}
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	var merged []json.RawMessage
	for i, it := range items {
		if !rejected[i] {
			if len(results) == 0 {
				http.Error(w, "estest proxy: too few results", http.StatusBadGateway)
				return
			}
			merged, results = append(merged, results[0]), results[1:]
			continue
		}
		res := map[string]any{it.action: map[string]any{"_index": it.idx, "_id": it.id, "status": 429,
			"error": map[string]any{"type": "es_rejected_execution_exception",
				"reason": "rejected execution of primary operation (estest proxy)"}}}
		b, _ := json.Marshal(res)
		merged = append(merged, b)
	}
	answer["errors"] = json.RawMessage("true")
	answer["items"], _ = json.Marshal(merged)
	out, _ := json.Marshal(answer)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(out)))
	w.WriteHeader(200)
	_, _ = w.Write(out)
}
