package fakees

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// bulkOp is one parsed action of a _bulk body.
type bulkOp struct {
	action string // index, create, delete, update
	index  string
	id     string
	source []byte         // raw source line
	doc    map[string]any // parsed source (nil if it didn't parse)
	perr   string         // source parse error
	line   int
}

var metaKeys = map[string]bool{
	"_index": true, "_id": true, "routing": true, "pipeline": true,
	"require_alias": true, "require_data_stream": true, "if_seq_no": true,
	"if_primary_term": true, "version": true, "version_type": true,
	"dynamic_templates": true, "op_type": true, "retry_on_conflict": true,
	"_source": true, "list_executed_pipelines": true,
}

// parseBulk splits an NDJSON body into operations. A malformed action line
// fails the whole request, as in Elasticsearch; a source line that isn't a
// JSON object fails only its item.
func parseBulk(body []byte, defaultIndex string, skipSources bool) ([]*bulkOp, error) {
	if len(body) == 0 {
		return nil, fmt.Errorf("request body is required")
	}
	if body[len(body)-1] != '\n' {
		return nil, fmt.Errorf("The bulk request must be terminated by a newline [\\n]")
	}
	var ops []*bulkOp
	line := 0
	rest := body
	next := func() ([]byte, bool) {
		for len(rest) > 0 {
			i := bytes.IndexByte(rest, '\n')
			l := rest[:i]
			rest = rest[i+1:]
			line++
			l = bytes.TrimSuffix(l, []byte("\r"))
			if len(bytes.TrimSpace(l)) == 0 {
				continue
			}
			return l, true
		}
		return nil, false
	}
	for {
		al, ok := next()
		if !ok {
			break
		}
		var action map[string]map[string]any
		dec := json.NewDecoder(bytes.NewReader(al))
		dec.UseNumber()
		if err := dec.Decode(&action); err != nil || len(action) != 1 {
			return nil, fmt.Errorf("Malformed action/metadata line [%d], expected START_OBJECT or END_OBJECT but found [%s]", line, firstToken(al))
		}
		op := &bulkOp{line: line, index: defaultIndex}
		var meta map[string]any
		for k, v := range action {
			op.action, meta = k, v
		}
		switch op.action {
		case "index", "create", "delete", "update":
		default:
			return nil, fmt.Errorf("Malformed action/metadata line [%d], expected one of [create, delete, index, update] but found [%s]", line, op.action)
		}
		for k, v := range meta {
			if !metaKeys[k] {
				return nil, fmt.Errorf("Action/metadata line [%d] contains an unknown parameter [%s]", line, k)
			}
			switch k {
			case "_index":
				s, ok := v.(string)
				if !ok {
					return nil, fmt.Errorf("Action/metadata line [%d]: [_index] must be a string", line)
				}
				op.index = s
			case "_id":
				switch x := v.(type) {
				case string:
					op.id = x
				case json.Number:
					op.id = x.String()
				default:
					return nil, fmt.Errorf("Action/metadata line [%d]: [_id] must be a string", line)
				}
				if op.id == "" {
					return nil, fmt.Errorf("Validation Failed: 1: if _id is specified it must not be empty;")
				}
				if len(op.id) > 512 {
					return nil, fmt.Errorf("Validation Failed: 1: id [%s...] is too long, must be no longer than 512 bytes but was: %d;", op.id[:20], len(op.id))
				}
			case "op_type":
				if s, _ := v.(string); s == "create" && op.action == "index" {
					op.action = "create"
				}
			}
		}
		if op.index == "" {
			return nil, fmt.Errorf("Validation Failed: 1: index is missing;")
		}
		if op.action != "delete" {
			src, ok := next()
			if !ok {
				return nil, fmt.Errorf("Validation Failed: 1: source is missing;")
			}
			op.source = src
			if op.action != "update" && !skipSources {
				dec := json.NewDecoder(bytes.NewReader(src))
				dec.UseNumber()
				var doc map[string]any
				if err := dec.Decode(&doc); err != nil {
					op.perr = err.Error()
				} else if dec.More() {
					op.perr = "unexpected content after the document"
				} else if doc == nil {
					op.perr = "the document is not a JSON object"
				} else {
					op.doc = doc
				}
			}
		}
		ops = append(ops, op)
	}
	if len(ops) == 0 {
		return nil, fmt.Errorf("Validation Failed: 1: no requests added;")
	}
	return ops, nil
}

func firstToken(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "null"
	}
	switch b[0] {
	case '{':
		return "START_OBJECT"
	case '[':
		return "START_ARRAY"
	case '"':
		return "VALUE_STRING"
	}
	return "VALUE"
}

func (s *Server) bulk(w http.ResponseWriter, r *http.Request, defaultIndex string) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !(mt == "application/json" || mt == "application/x-ndjson" ||
			strings.HasPrefix(mt, "application/vnd.elasticsearch+")) {
			writeJSON(w, 406, map[string]any{"error": "Content-Type header [" + ct + "] is not supported", "status": 406})
			return
		}
	} else {
		writeJSON(w, 406, map[string]any{"error": "Content-Type header [] is not supported", "status": 406})
		return
	}
	n := s.bulkN.Add(1)
	fault := s.faultFor(n)
	if fault.Drop {
		dropConnection(w)
		return
	}
	body, ok := readBody(w, r, s.opts.MaxBodyBytes)
	if !ok {
		return
	}
	s.wireBulk.Add(wireBytes(r))
	s.bodyBulk.Add(int64(len(body)))
	if fault.Status != 0 && !fault.Apply {
		s.faultStatus(w, fault.Status)
		return
	}
	start := time.Now()
	ops, err := parseBulk(body, defaultIndex, s.opts.CountOnly)
	if err != nil {
		esError(w, 400, "illegal_argument_exception", err.Error(), nil)
		return
	}
	items, hasErrors := s.apply(ops, fault)
	resp := map[string]any{
		"took":   time.Since(start).Milliseconds(),
		"errors": hasErrors,
		"items":  items,
	}
	if fp := r.URL.Query().Get("filter_path"); fp != "" {
		resp = filterPath(resp, fp)
	}
	if fault.Status != 0 {
		s.faultStatus(w, fault.Status)
		return
	}
	if fault.Delay > 0 {
		t := time.NewTimer(fault.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.done:
			t.Stop()
			return
		}
	}
	out, err := json.Marshal(resp)
	if err != nil {
		esError(w, 500, "exception", "fakees: cannot encode response", nil)
		return
	}
	if fault.Close {
		s.closeMidResponse(w, out)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(200)
	_, _ = w.Write(out)
}

func (s *Server) faultStatus(w http.ResponseWriter, status int) {
	switch status {
	case 429:
		esError(w, 429, "es_rejected_execution_exception",
			"rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=1000, max_coordinating_and_primary_bytes=1000]", nil)
	case 503:
		esError(w, 503, "cluster_block_exception", "blocked by: [SERVICE_UNAVAILABLE/2/no master];", nil)
	default:
		esError(w, status, "fakees_injected_exception", fmt.Sprintf("injected failure with status %d", status), nil)
	}
}

// closeMidResponse sends the headers and half of the body, then drops the
// connection.
func (s *Server) closeMidResponse(w http.ResponseWriter, body []byte) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		esError(w, 500, "exception", "fakees: connection cannot be hijacked", nil)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Elastic-Product: Elasticsearch\r\nContent-Length: %d\r\n\r\n", len(body))
	_, _ = buf.Write(body[:len(body)/2])
	_ = buf.Flush()
}

// dropConnection closes the connection without reading the request or
// answering.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		esError(w, 500, "exception", "fakees: connection cannot be hijacked", nil)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(interface{ SetLinger(int) error }); ok {
		// Reset rather than close gracefully, as an overloaded proxy or
		// node does.
		_ = tc.SetLinger(0)
	}
	conn.Close()
}

// apply executes the operations under the lock and returns the per-item
// results.
func (s *Server) apply(ops []*bulkOp, fault Fault) ([]any, bool) {
	items := make([]any, len(ops))
	hasErrors := false
	every := fault.ItemEvery
	itemStatus := fault.ItemStatus
	if itemStatus == 0 {
		itemStatus = 429
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, op := range ops {
		var res map[string]any
		if (every > 0 && (i+1)%every == 0) || (fault.ItemRate > 0 && s.rnd.Float64() < fault.ItemRate) {
			res = itemFailure(op, s.injectedItemError(itemStatus), "")
		} else {
			res = s.applyOne(op)
		}
		if _, failed := res["error"]; failed {
			hasErrors = true
		}
		items[i] = map[string]any{op.action: res}
	}
	return items, hasErrors
}

func (s *Server) injectedItemError(status int) *itemError {
	if status == 429 {
		return &itemError{status: 429, typ: "es_rejected_execution_exception",
			reason: "rejected execution of primary operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, primary_operation_bytes=1000, max_coordinating_and_primary_bytes=1000]"}
	}
	return &itemError{status: status, typ: "unavailable_shards_exception",
		reason: fmt.Sprintf("[fakees][0] primary shard is not active (injected status %d)", status)}
}

func itemFailure(op *bulkOp, e *itemError, concrete string) map[string]any {
	name := concrete
	if name == "" {
		name = op.index
	}
	res := map[string]any{"_index": name, "status": e.status, "error": e.json(name)}
	if op.id != "" {
		res["_id"] = op.id
	}
	return res
}

// target resolves the index an operation writes to, creating it (or its
// data stream) when allowed.
func (s *Server) target(op *bulkOp) (*index, *itemError) {
	if ds, ok := s.streams[op.index]; ok {
		if op.action != "create" {
			return nil, &itemError{status: 400, typ: "illegal_argument_exception",
				reason: "only write ops with an op_type of create are allowed in data streams"}
		}
		return ds.backing[len(ds.backing)-1], nil
	}
	if ix, ok := s.indices[op.index]; ok {
		if ix.dataStream != "" && (op.action == "index" || op.action == "create") {
			// Writing straight to a backing index is allowed only with
			// if_seq_no; emit never does that.
			return nil, &itemError{status: 400, typ: "illegal_argument_exception",
				reason: fmt.Sprintf("index request with op_type=%s and no if_primary_term and if_seq_no set targeting backing indices is disallowed, target corresponding data stream [%s] instead", op.action, ix.dataStream)}
		}
		return ix, nil
	}
	if op.action == "delete" || op.action == "update" {
		return nil, &itemError{status: 404, typ: "index_not_found_exception", reason: "no such index [" + op.index + "]"}
	}
	if msg := validIndexName(op.index); msg != "" {
		return nil, &itemError{status: 400, typ: "invalid_index_name_exception",
			reason: "Invalid index name [" + op.index + "], " + msg}
	}
	t := s.matchTemplate(op.index)
	allowed := s.opts.AllowAutoCreate
	if t != nil && t.allowAutoCreate != nil {
		allowed = *t.allowAutoCreate
	}
	if t != nil && t.dataStream {
		if op.action != "create" {
			return nil, &itemError{status: 400, typ: "illegal_argument_exception",
				reason: "only write ops with an op_type of create are allowed in data streams"}
		}
		if !allowed {
			return nil, autoCreateDenied(op.index)
		}
		ds := s.newDataStream(op.index, t)
		return ds.backing[0], nil
	}
	if !allowed {
		return nil, autoCreateDenied(op.index)
	}
	m := emptyMapping()
	var settings map[string]any
	if t != nil {
		if t.mapping != nil {
			m = t.mapping.clone()
		}
		settings = map[string]any{}
		for k, v := range t.settings {
			settings[k] = v
		}
	}
	return s.newIndex(op.index, m, settings, ""), nil
}

func autoCreateDenied(name string) *itemError {
	return &itemError{status: 404, typ: "index_not_found_exception",
		reason: "no such index [" + name + "] and [action.auto_create_index] is [false]"}
}

func (s *Server) applyOne(op *bulkOp) map[string]any {
	if op.action == "update" {
		return itemFailure(op, &itemError{status: 400, typ: "illegal_argument_exception",
			reason: "fakees does not implement the update action"}, "")
	}
	ix, ierr := s.target(op)
	if ierr != nil {
		return itemFailure(op, ierr, "")
	}
	if op.action == "delete" {
		d, ok := ix.docs[op.id]
		ix.seqNo++
		res := map[string]any{"_index": ix.name, "_id": op.id, "_seq_no": ix.seqNo, "_primary_term": 1, "_shards": shards(ix)}
		if !ok {
			res["result"], res["status"], res["_version"] = "not_found", 404, 1
			return res
		}
		delete(ix.docs, op.id)
		s.docs--
		res["result"], res["status"], res["_version"] = "deleted", 200, d.version+1
		return res
	}
	if s.opts.CountOnly {
		// Counted, not parsed, checked nor stored.
		ix.seqNo++
		ix.counted++
		id := op.id
		if id == "" {
			s.autoID++
			id = fmt.Sprintf("fk%018d", s.autoID)
		}
		return map[string]any{"_index": ix.name, "_id": id, "_version": 1, "result": "created", "status": 201,
			"_seq_no": ix.seqNo, "_primary_term": 1, "_shards": shards(ix)}
	}
	id := op.id
	if op.perr != "" {
		return itemFailure(op, &itemError{status: 400, typ: "mapper_parsing_exception", reason: "failed to parse",
			causeTyp: "x_content_parse_exception", cause: op.perr}, ix.name)
	}
	existing, exists := ix.docs[id]
	if id != "" && exists && op.action == "create" {
		return itemFailure(op, &itemError{status: 409, typ: "version_conflict_engine_exception",
			reason: fmt.Sprintf("[%s]: version conflict, document already exists (current version [%d])", id, existing.version)}, ix.name)
	}
	if !exists && s.docs >= s.opts.MaxDocs {
		return itemFailure(op, &itemError{status: 429, typ: "cluster_block_exception",
			reason: fmt.Sprintf("index [%s] blocked by: [TOO_MANY_REQUESTS/12/fakees document limit (%d) reached];", ix.name, s.opts.MaxDocs)}, ix.name)
	}
	if ix.dataStream != "" {
		if _, ok := op.doc["@timestamp"]; !ok {
			return itemFailure(op, &itemError{status: 400, typ: "mapper_parsing_exception",
				reason: "data stream timestamp field [@timestamp] is missing"}, ix.name)
		}
	}
	shownID := id
	if shownID == "" {
		shownID = "null"
	}
	wk := newWalker(ix.mapping, shownID)
	if e := wk.document(op.doc); e != nil {
		return itemFailure(op, e, ix.name)
	}
	wk.commit()
	auto := false
	if id == "" {
		s.autoID++
		id = fmt.Sprintf("fk%018d", s.autoID)
		auto = true
	}
	ix.seqNo++
	d := &doc{version: 1, seqNo: ix.seqNo, auto: auto}
	if !s.opts.DiscardSources {
		d.source = append([]byte(nil), op.source...)
	}
	res := map[string]any{"_index": ix.name, "_id": id, "_seq_no": ix.seqNo, "_primary_term": 1, "_shards": shards(ix)}
	if exists {
		d.version = existing.version + 1
		res["result"], res["status"] = "updated", 200
	} else {
		s.docs++
		res["result"], res["status"] = "created", 201
	}
	res["_version"] = d.version
	ix.docs[id] = d
	return res
}

func shards(ix *index) map[string]any {
	total := 1
	if r, ok := ix.settings["index.number_of_replicas"].(string); ok {
		if n, err := strconv.Atoi(r); err == nil {
			total += n
		}
	}
	return map[string]any{"total": total, "successful": 1, "failed": 0}
}

// filterPath keeps the parts of a response selected by a filter_path
// expression (comma-separated dotted paths, '*' matching any key and
// entering arrays transparently), as Elasticsearch does.
func filterPath(resp map[string]any, expr string) map[string]any {
	var paths [][]string
	for _, p := range strings.Split(expr, ",") {
		if p = strings.TrimSpace(p); p != "" {
			paths = append(paths, strings.Split(p, "."))
		}
	}
	out, _ := filterValue(resp, paths).(map[string]any)
	if out == nil {
		out = map[string]any{}
	}
	return out
}

func filterValue(v any, paths [][]string) any {
	for _, p := range paths {
		if len(p) == 0 {
			return v
		}
	}
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			var sub [][]string
			for _, p := range paths {
				if p[0] == "*" || p[0] == k {
					sub = append(sub, p[1:])
				}
			}
			if len(sub) == 0 {
				continue
			}
			if fv := filterValue(e, sub); fv != nil {
				out[k] = fv
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		var out []any
		for _, e := range x {
			if fv := filterValue(e, paths); fv != nil {
				out = append(out, fv)
			}
		}
		if out == nil {
			return nil
		}
		return out
	}
	return nil
}
