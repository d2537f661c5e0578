package fakees

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func do(t *testing.T, s *Server, method, path, body string, hdr ...string) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if len(hdr) == 0 {
		s.setAuth(req)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s %s: non-JSON answer %q", method, path, raw)
		}
	}
	return res.StatusCode, m, res.Header
}

const testMapping = `{"mappings":{"properties":{
	"@timestamp":{"type":"date"},
	"source":{"properties":{"ip":{"type":"ip"},"port":{"type":"long"}}},
	"process.name":{"type":"keyword"},
	"event.code":{"type":"integer"},
	"flag":{"type":"boolean"},
	"loc":{"type":"geo_point"}
}},"settings":{"number_of_shards":2,"index":{"number_of_replicas":0}}}`

func TestRootAndProductHeader(t *testing.T) {
	s := NewForTest(t, Options{Version: "8.15.1"})
	code, body, hdr := do(t, s, "GET", "/", "")
	if code != 200 || hdr.Get("X-Elastic-Product") != "Elasticsearch" {
		t.Fatalf("GET / = %d, product %q", code, hdr.Get("X-Elastic-Product"))
	}
	if v := body["version"].(map[string]any)["number"]; v != "8.15.1" {
		t.Fatalf("version %v", v)
	}
}

func TestCreateIndexMappingSettings(t *testing.T) {
	s := NewForTest(t, Options{})
	if code, _, _ := do(t, s, "HEAD", "/idx", ""); code != 404 {
		t.Fatalf("HEAD missing = %d", code)
	}
	if code, body, _ := do(t, s, "PUT", "/idx", testMapping); code != 200 {
		t.Fatalf("PUT = %d %v", code, body)
	}
	if code, _, _ := do(t, s, "HEAD", "/idx", ""); code != 200 {
		t.Fatalf("HEAD = %d", code)
	}
	code, body, _ := do(t, s, "PUT", "/idx", testMapping)
	if code != 400 || errType(body) != "resource_already_exists_exception" {
		t.Fatalf("second PUT = %d %v", code, body)
	}
	code, body, _ = do(t, s, "GET", "/idx/_mapping", "")
	if code != 200 {
		t.Fatal(code)
	}
	props := body["idx"].(map[string]any)["mappings"].(map[string]any)["properties"].(map[string]any)
	// Dotted names are expanded into objects.
	if typ := props["process"].(map[string]any)["properties"].(map[string]any)["name"].(map[string]any)["type"]; typ != "keyword" {
		t.Fatalf("process.name type %v", typ)
	}
	st := s.Settings("idx")
	if st["index.number_of_shards"] != "2" || st["index.number_of_replicas"] != "0" {
		t.Fatalf("settings %v", st)
	}
	code, body, _ = do(t, s, "PUT", "/bad", `{"mappings":{"properties":{"x":{"type":"nope"}}}}`)
	if code != 400 || errType(body) != "mapper_parsing_exception" {
		t.Fatalf("bad type = %d %v", code, body)
	}
	code, body, _ = do(t, s, "PUT", "/Upper", `{}`)
	if code != 400 || errType(body) != "invalid_index_name_exception" {
		t.Fatalf("bad name = %d %v", code, body)
	}
}

func errType(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["type"].(string)
	return s
}

func bulkBody(lines ...string) []byte { return []byte(strings.Join(lines, "\n") + "\n") }

func TestBulkEnforcesMapping(t *testing.T) {
	s := NewForTest(t, Options{})
	if code, body, _ := do(t, s, "PUT", "/idx", testMapping); code != 200 {
		t.Fatal(code, body)
	}
	cases := []struct {
		doc    string
		status int
		cause  string
	}{
		{`{"source":{"ip":"10.0.0.1","port":443},"process":{"name":"cmd.exe"},"@timestamp":"2024-05-01T10:00:00.123Z"}`, 201, ""},
		{`{"source.ip":"::1","source.port":"80","event.code":"4624","flag":"true","loc":{"lat":1.5,"lon":2}}`, 201, ""},
		{`{"loc":[2.5,1.5],"@timestamp":1714557600000}`, 201, ""},
		{`{"loc":"POINT (2.5 1.5)","event.code":12.7}`, 201, ""}, // coerced
		{`{"source":{"port":"eighty"}}`, 400, "number_format_exception"},
		{`{"source":{"ip":"999.1.1.1"}}`, 400, "illegal_argument_exception"},
		{`{"source":{"ip":"not-an-ip"}}`, 400, "illegal_argument_exception"},
		{`{"@timestamp":"2024-02-30T00:00:00Z"}`, 400, "illegal_argument_exception"},
		{`{"@timestamp":"yesterday"}`, 400, "illegal_argument_exception"},
		{`{"event":{"code":3000000000}}`, 400, "illegal_argument_exception"},
		{`{"flag":"yes"}`, 400, "illegal_argument_exception"},
		{`{"source":"10.0.0.1"}`, 400, ""}, // object mapping, concrete value
		{`{"process":{"name":{"x":1}}}`, 400, "illegal_state_exception"},
		{`{"loc":{"lat":100,"lon":0}}`, 400, ""},
	}
	var lines []string
	for i, c := range cases {
		lines = append(lines, `{"index":{"_index":"idx","_id":"d`+string(rune('a'+i))+`"}}`, c.doc)
	}
	res, err := s.PostBulk(bulkBody(lines...))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Errors || len(res.Items) != len(cases) {
		t.Fatalf("errors=%v items=%d", res.Errors, len(res.Items))
	}
	ok := 0
	for i, c := range cases {
		it := res.Items[i]
		if it.Status != c.status {
			t.Errorf("case %d %s: status %d (%s: %s), want %d", i, c.doc, it.Status, it.ErrorType, it.ErrorReason, c.status)
			continue
		}
		if c.status == 201 {
			ok++
			continue
		}
		if it.ErrorType != "mapper_parsing_exception" {
			t.Errorf("case %d: error type %q", i, it.ErrorType)
		}
	}
	if s.Count("idx") != ok {
		t.Fatalf("stored %d, want %d", s.Count("idx"), ok)
	}
}

func TestDynamicMappingThenConflict(t *testing.T) {
	s := NewForTest(t, Options{AllowAutoCreate: true})
	res, err := s.PostBulk(bulkBody(
		`{"index":{"_index":"auto","_id":"1"}}`, `{"n":5,"s":"x","when":"2024-01-01T00:00:00Z","o":{"b":true}}`,
		`{"index":{"_index":"auto","_id":"2"}}`, `{"n":"five"}`,
		`{"index":{"_index":"auto","_id":"3"}}`, `{"o":"flat"}`,
		`{"index":{"_index":"auto","_id":"4"}}`, `{"when":"never"}`,
	))
	if err != nil {
		t.Fatal(err)
	}
	want := []int{201, 400, 400, 400}
	for i, w := range want {
		if res.Items[i].Status != w {
			t.Errorf("item %d: %d %s, want %d", i, res.Items[i].Status, res.Items[i].ErrorReason, w)
		}
	}
	props := s.Mapping("auto")["properties"].(map[string]any)
	if props["n"].(map[string]any)["type"] != "long" || props["s"].(map[string]any)["type"] != "text" ||
		props["when"].(map[string]any)["type"] != "date" {
		t.Fatalf("dynamic mapping %v", props)
	}
}

func TestStrictMapping(t *testing.T) {
	s := NewForTest(t, Options{})
	do(t, s, "PUT", "/strict", `{"mappings":{"dynamic":"strict","properties":{"a":{"type":"keyword"}}}}`)
	res, err := s.PostBulk(bulkBody(`{"index":{"_index":"strict"}}`, `{"a":"x"}`, `{"index":{"_index":"strict"}}`, `{"b":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Items[0].Status != 201 || res.Items[1].Status != 400 || res.Items[1].ErrorType != "strict_dynamic_mapping_exception" {
		t.Fatalf("%+v", res.Items)
	}
	// A rejected document leaves no trace in the mapping.
	if _, ok := s.Mapping("strict")["properties"].(map[string]any)["b"]; ok {
		t.Fatal("rejected field was mapped")
	}
}

func TestAutoCreateAndConflicts(t *testing.T) {
	s := NewForTest(t, Options{})
	res, err := s.PostBulk(bulkBody(`{"index":{"_index":"nope","_id":"1"}}`, `{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Items[0].Status != 404 || res.Items[0].ErrorType != "index_not_found_exception" || len(s.Indices()) != 0 {
		t.Fatalf("auto-create not refused: %+v", res.Items[0])
	}
	s2 := NewForTest(t, Options{AllowAutoCreate: true})
	res, err = s2.PostBulk(bulkBody(
		`{"create":{"_index":"yes","_id":"1"}}`, `{"a":1}`,
		`{"create":{"_index":"yes","_id":"1"}}`, `{"a":2}`,
		`{"index":{"_index":"yes","_id":"1"}}`, `{"a":3}`,
		`{"index":{"_index":"yes"}}`, `{"a":4}`,
		`{"delete":{"_index":"yes","_id":"1"}}`,
	))
	if err != nil {
		t.Fatal(err)
	}
	got := []int{}
	for _, it := range res.Items {
		got = append(got, it.Status)
	}
	if want := []int{201, 409, 200, 201, 200}; !equalInts(got, want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
	if res.Items[1].ErrorType != "version_conflict_engine_exception" {
		t.Fatalf("409 type %q", res.Items[1].ErrorType)
	}
	if s2.Count("yes") != 1 {
		t.Fatalf("count %d", s2.Count("yes"))
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestBulkRequestErrors(t *testing.T) {
	s := NewForTest(t, Options{AllowAutoCreate: true})
	for _, c := range []struct{ body, ct string }{
		{`{"index":{"_index":"a"}}` + "\n" + `{"x":1}`, "application/x-ndjson"}, // no final newline
		{`{"index":{"_index":"a","bogus":1}}` + "\n{}\n", "application/x-ndjson"},
		{`[1]` + "\n{}\n", "application/x-ndjson"},
		{`{"index":{}}` + "\n{}\n", "application/x-ndjson"},
	} {
		req, _ := http.NewRequest("POST", s.URL+"/_bulk", strings.NewReader(c.body))
		req.Header.Set("Content-Type", c.ct)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 400 {
			t.Errorf("%q: status %d, want 400", c.body, res.StatusCode)
		}
	}
	req, _ := http.NewRequest("POST", s.URL+"/_bulk", strings.NewReader("{}\n"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 406 {
		t.Errorf("form content type: %d, want 406", res.StatusCode)
	}
	// The default index of /<index>/_bulk.
	if _, err := s.PostBulkIndex("dflt", bulkBody(`{"index":{"_id":"1"}}`, `{"x":1}`)); err != nil {
		t.Fatal(err)
	}
	if s.Count("dflt") != 1 {
		t.Fatal("default index not used")
	}
}

func TestDataStreams(t *testing.T) {
	s := NewForTest(t, Options{})
	if err := s.PutIndexTemplate("logs", []byte(`{"index_patterns":["logs-*-*"],"priority":100,"data_stream":{},
		"allow_auto_create":true,"template":{"mappings":{"properties":{"host.ip":{"type":"ip"}}}}}`)); err != nil {
		t.Fatal(err)
	}
	name := "logs-endpoint.events.process-default"
	code, body, _ := do(t, s, "PUT", "/"+name, `{}`)
	if code != 400 {
		t.Fatalf("PUT index over a data stream template = %d %v", code, body)
	}
	res, err := s.PostBulk(bulkBody(
		`{"index":{"_index":"`+name+`"}}`, `{"@timestamp":"2024-01-01T00:00:00Z"}`,
		`{"create":{"_index":"`+name+`","_id":"a"}}`, `{"@timestamp":"2024-01-01T00:00:00Z","host":{"ip":"1.2.3.4"}}`,
		`{"create":{"_index":"`+name+`","_id":"b"}}`, `{"host":{"ip":"1.2.3.4"}}`,
		`{"create":{"_index":"`+name+`","_id":"c"}}`, `{"@timestamp":"2024-01-01T00:00:00Z","host":{"ip":"x"}}`,
		`{"index":{"_index":"`+name+`","_id":"d"}}`, `{"@timestamp":"2024-01-01T00:00:00Z"}`,
	))
	if err != nil {
		t.Fatal(err)
	}
	got := []int{}
	for _, it := range res.Items {
		got = append(got, it.Status)
	}
	if want := []int{400, 201, 400, 400, 400}; !equalInts(got, want) {
		t.Fatalf("statuses %v, want %v (%+v)", got, want, res.Items)
	}
	if ds := s.DataStreams(); len(ds) != 1 || ds[0] != name {
		t.Fatalf("data streams %v", ds)
	}
	if !strings.HasPrefix(res.Items[1].Index, ".ds-"+name+"-") {
		t.Fatalf("backing index %q", res.Items[1].Index)
	}
	code, body, _ = do(t, s, "GET", "/_data_stream/"+name, "")
	if code != 200 || len(body["data_streams"].([]any)) != 1 {
		t.Fatalf("GET data stream = %d %v", code, body)
	}
	if code, _, _ := do(t, s, "GET", "/_data_stream/logs-other-default", ""); code != 404 {
		t.Fatalf("missing data stream = %d", code)
	}
	if code, _, _ := do(t, s, "HEAD", "/"+name, ""); code != 200 {
		t.Fatalf("HEAD data stream = %d", code)
	}
	code, body, _ = do(t, s, "POST", "/_index_template/_simulate_index/logs-x-default", "")
	if code != 200 {
		t.Fatal(code)
	}
	props := body["template"].(map[string]any)["mappings"].(map[string]any)["properties"].(map[string]any)
	if _, ok := props["@timestamp"]; !ok {
		t.Fatalf("simulated data stream mapping lacks @timestamp: %v", props)
	}
}

func TestAuth(t *testing.T) {
	s := NewForTest(t, Options{APIKey: "aWQ6c2VjcmV0LWtleQ==", Username: "elastic", Password: "hunter2-long"})
	if code, body, _ := do(t, s, "GET", "/", "", "X-None", "1"); code != 401 || errType(body) != "security_exception" {
		t.Fatalf("no credentials = %d %v", code, body)
	}
	if code, _, _ := do(t, s, "GET", "/", "", "Authorization", "ApiKey wrong"); code != 401 {
		t.Fatalf("wrong key = %d", code)
	}
	if code, _, _ := do(t, s, "GET", "/", "", "Authorization", "APIKey aWQ6c2VjcmV0LWtleQ=="); code != 200 {
		t.Fatalf("api key = %d", code)
	}
	if code, _, _ := do(t, s, "GET", "/", "", "Authorization", "Basic ZWxhc3RpYzpodW50ZXIyLWxvbmc="); code != 200 {
		t.Fatalf("basic = %d", code)
	}
	if code, _, _ := do(t, s, "GET", "/", "", "Authorization", "Basic ZWxhc3RpYzpodW50ZXIz"); code != 401 {
		t.Fatalf("wrong password = %d", code)
	}
	sc := s.AuthSchemes()
	if sc["ApiKey"] != 1 || sc["Basic"] != 1 || s.AuthFailures() != 3 {
		t.Fatalf("schemes %v failures %d", sc, s.AuthFailures())
	}
}

func TestFaults(t *testing.T) {
	s := NewForTest(t, Options{AllowAutoCreate: true})
	body := bulkBody(
		`{"index":{"_index":"f","_id":"1"}}`, `{"a":1}`,
		`{"index":{"_index":"f","_id":"2"}}`, `{"a":2}`,
		`{"index":{"_index":"f","_id":"3"}}`, `{"a":3}`,
		`{"index":{"_index":"f","_id":"4"}}`, `{"a":4}`,
	)
	s.FailBulk(1, Fault{Status: 429})
	s.FailBulk(2, Fault{Status: 503})
	s.FailBulk(3, Fault{Close: true})
	s.FailBulk(4, Fault{ItemEvery: 2})
	s.FailBulk(5, Fault{Delay: 300 * time.Millisecond})
	s.FailBulk(6, Fault{Status: 502, Apply: true})

	if _, err := s.PostBulk(body); err == nil || !strings.Contains(err.Error(), "429") {
		t.Fatalf("429: %v", err)
	}
	if _, err := s.PostBulk(body); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("503: %v", err)
	}
	if s.Count("f") != 0 {
		t.Fatal("rejected bulks were applied")
	}
	_, err := s.PostBulk(body)
	if err == nil || !(errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "EOF")) {
		t.Fatalf("close mid-response: %v", err)
	}
	if s.Count("f") != 4 {
		t.Fatalf("close mid-response applies the bulk: count %d", s.Count("f"))
	}
	res, err := s.PostBulk(body)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Errors || res.Items[0].Status != 200 || res.Items[1].Status != 429 || res.Items[3].Status != 429 {
		t.Fatalf("per-item 429: %+v", res.Items)
	}
	c := &http.Client{Timeout: 50 * time.Millisecond}
	req, _ := http.NewRequest("POST", s.URL+"/_bulk", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-ndjson")
	if _, err := c.Do(req); err == nil {
		t.Fatal("slow response came within the timeout")
	}
	if _, err := s.PostBulk(body); err == nil || !strings.Contains(err.Error(), "502") {
		t.Fatalf("502 after apply: %v", err)
	}
	if _, v, _ := s.Doc("f", "1"); v != 4 {
		t.Fatalf("doc 1 version %d, want 4 (close, per-item, slow and 502 each applied it)", v)
	}
	if s.BulkRequests() != 6 {
		t.Fatalf("bulk requests %d", s.BulkRequests())
	}
}

func TestFilterPath(t *testing.T) {
	s := NewForTest(t, Options{AllowAutoCreate: true})
	req, _ := http.NewRequest("POST", s.URL+"/_bulk?filter_path=errors,items.*.status,items.*.error", bytes.NewReader(bulkBody(`{"index":{"_index":"fp"}}`, `{"a":1}`)))
	req.Header.Set("Content-Type", "application/x-ndjson")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if string(raw) != `{"errors":false,"items":[{"index":{"status":201}}]}` {
		t.Fatalf("filtered: %s", raw)
	}
}

func TestDiffAndDocuments(t *testing.T) {
	a := NewForTest(t, Options{AllowAutoCreate: true})
	b := NewForTest(t, Options{AllowAutoCreate: true})
	if _, err := a.PostBulk(bulkBody(`{"index":{"_index":"x","_id":"1"}}`, `{"a":1,"b":"two"}`, `{"index":{"_index":"x"}}`, `{"z":1}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PostBulk(bulkBody(`{"index":{"_index":"x"}}`, `{ "z" : 1 }`, `{"index":{"_index":"x","_id":"1"}}`, `{"b":"two", "a":1}`)); err != nil {
		t.Fatal(err)
	}
	if d := Diff(a, b, 0); d != nil {
		t.Fatalf("equal servers differ: %v", d)
	}
	if _, err := b.PostBulk(bulkBody(`{"index":{"_index":"x","_id":"1"}}`, `{"a":2,"b":"two"}`)); err != nil {
		t.Fatal(err)
	}
	if d := Diff(a, b, 0); len(d) != 1 || !strings.Contains(d[0], "document 1 differs") {
		t.Fatalf("diff %v", d)
	}
}

func TestLifetime(t *testing.T) {
	s := Start(Options{Lifetime: 50 * time.Millisecond})
	time.Sleep(200 * time.Millisecond)
	c := &http.Client{Timeout: time.Second}
	if _, err := c.Get(s.URL + "/"); err == nil {
		t.Fatal("server still answering after its lifetime")
	}
	s.Close() // idempotent
}

func TestLoopbackOnly(t *testing.T) {
	s := NewForTest(t, Options{})
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") && !strings.HasPrefix(s.URL, "http://[::1]:") {
		t.Fatalf("listening on %s", s.URL)
	}
}

func TestDropBeforeReading(t *testing.T) {
	s := NewForTest(t, Options{AllowAutoCreate: true})
	s.FailBulk(1, Fault{Drop: true})
	body := bulkBody(`{"index":{"_index":"d","_id":"1"}}`, `{"a":1}`)
	if _, err := s.PostBulk(body); err == nil {
		t.Fatal("dropped connection answered")
	}
	if s.Count("d") != 0 {
		t.Fatal("a dropped request was applied")
	}
	if _, err := s.PostBulk(body); err != nil || s.Count("d") != 1 {
		t.Fatalf("after the drop: %v, count %d", err, s.Count("d"))
	}
}

// manyDocs is a bulk body of n documents with ids 0..n-1.
func manyDocs(index string, n int) []byte {
	var lines []string
	for i := 0; i < n; i++ {
		lines = append(lines, fmt.Sprintf(`{"index":{"_index":%q,"_id":"%d"}}`, index, i), fmt.Sprintf(`{"n":%d}`, i))
	}
	return bulkBody(lines...)
}

func TestItemRate(t *testing.T) {
	s := NewForTest(t, Options{AllowAutoCreate: true})
	s.FailBulk(1, Fault{ItemRate: 0.2})
	res, err := s.PostBulk(manyDocs("r", 2000))
	if err != nil {
		t.Fatal(err)
	}
	rejected := 0
	for _, it := range res.Items {
		if it.Status == 429 {
			rejected++
			if it.ErrorType != "es_rejected_execution_exception" {
				t.Fatalf("item %+v", it)
			}
		}
	}
	// 400 expected; 5 standard deviations is ±90.
	if rejected < 310 || rejected > 490 || s.Count("r") != 2000-rejected || !res.Errors {
		t.Fatalf("%d of 2000 rejected, %d stored", rejected, s.Count("r"))
	}
}

// The mix draws the faults it is given, at about the rates given, the same
// for the same seed; the overload window rejects everything while it lasts.
func TestFailRandomly(t *testing.T) {
	run := func(seed uint64) (counts map[string]int, stored int) {
		s := NewForTest(t, Options{AllowAutoCreate: true})
		s.FailRandomly(Mix{Seed: seed, Status503: 0.1, DropBefore: 0.1, CloseAfter: 0.1, Item429: 0.1})
		counts = map[string]int{}
		for i := 0; i < 300; i++ {
			res, err := s.PostBulk(manyDocs(fmt.Sprintf("m%d", i), 10))
			switch {
			case err == nil:
				for _, it := range res.Items {
					if it.Status == 429 {
						counts["item429"]++
					}
				}
				counts["ok"]++
			case strings.Contains(err.Error(), "_bulk answered 503"):
				// Not just "503": a connection's error names its ports.
				counts["503"]++
			default: // dropped or closed: told apart by what was stored
				if s.Count(fmt.Sprintf("m%d", i)) > 0 {
					counts["closed after"]++
				} else {
					counts["dropped"]++
				}
			}
		}
		return counts, s.TotalDocs()
	}
	a, storedA := run(7)
	b, storedB := run(7)
	if fmt.Sprint(a) != fmt.Sprint(b) || storedA != storedB {
		t.Fatalf("same seed, different faults: %v / %v", a, b)
	}
	for _, k := range []string{"503", "dropped", "closed after"} {
		if a[k] < 10 || a[k] > 55 { // 30 expected
			t.Errorf("%s: %d of 300 requests", k, a[k])
		}
	}
	if a["item429"] < 120 || a["item429"] > 320 { // ~7 per answered request × 10%
		t.Errorf("item 429s: %d", a["item429"])
	}

	s := NewForTest(t, Options{AllowAutoCreate: true})
	s.FailRandomly(Mix{OverloadAfter: 2, OverloadFor: 200 * time.Millisecond})
	body := manyDocs("o", 3)
	if _, err := s.PostBulk(body); err != nil {
		t.Fatalf("before the window: %v", err)
	}
	start := time.Now()
	rejected := 0
	for time.Since(start) < 150*time.Millisecond {
		if _, err := s.PostBulk(body); err == nil || !strings.Contains(err.Error(), "429") || !strings.Contains(err.Error(), "es_rejected_execution_exception") {
			t.Fatalf("inside the window: %v", err)
		}
		rejected++
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	if _, err := s.PostBulk(body); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	if rejected < 3 {
		t.Fatalf("%d requests inside the window", rejected)
	}
}
