package fakees

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// post sends body with a Content-Encoding and the server's credentials.
func post(t *testing.T, s *Server, path, encoding string, body []byte) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	s.setAuth(req)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("POST %s: non-JSON answer %q", path, raw)
	}
	return res.StatusCode, m
}

func compress(t *testing.T, encoding string, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch encoding {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "deflate":
		w = zlib.NewWriter(&buf)
	case "raw-deflate":
		w, _ = flate.NewWriter(&buf, flate.BestSpeed)
	}
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Compressed request bodies are taken as Elasticsearch takes them, on
// every endpoint; the size limit applies to the decompressed body.
func TestCompressedRequests(t *testing.T) {
	s := NewForTest(t, Options{AllowAutoCreate: true, MaxBodyBytes: 4 << 10})
	body := manyDocs("z", 10)
	for _, c := range []struct{ encoding, header string }{
		{"gzip", "gzip"}, {"gzip", "x-gzip"}, {"deflate", "deflate"}, {"raw-deflate", "deflate"},
	} {
		code, res := post(t, s, "/_bulk", c.header, compress(t, c.encoding, body))
		if code != 200 || res["errors"] != false {
			t.Fatalf("%s bulk = %d %v", c.header, code, res)
		}
	}
	if n := s.Count("z"); n != 10 {
		t.Fatalf("count %d", n)
	}
	wire, decoded := s.BulkBytes()
	if decoded != 4*int64(len(body)) || wire >= decoded {
		t.Fatalf("bulk bytes: wire %d, decompressed %d (4 bodies of %d)", wire, decoded, len(body))
	}
	if e := s.ContentEncodings(); e["gzip"] != 1 || e["x-gzip"] != 1 || e["deflate"] != 2 {
		t.Fatalf("encodings %v", e)
	}
	// Index creation takes a compressed body too.
	req, _ := http.NewRequest(http.MethodPut, s.URL+"/zz", bytes.NewReader(compress(t, "gzip", []byte(testMapping))))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || s.Settings("zz")["index.number_of_shards"] != "2" {
		t.Fatalf("compressed create = %d, settings %v", res.StatusCode, s.Settings("zz"))
	}
	// A body that doesn't decompress, and one too large once
	// decompressed (small on the wire), are refused.
	if code, res := post(t, s, "/_bulk", "gzip", body); code != 400 || errType(res) != "parse_exception" {
		t.Fatalf("corrupt gzip = %d %v", code, res)
	}
	big := bytes.Repeat([]byte(`{"index":{"_index":"z"}}`+"\n"+`{"a":1}`+"\n"), 1000)
	if code, res := post(t, s, "/_bulk", "gzip", compress(t, "gzip", big)); code != 413 {
		t.Fatalf("large decompressed body = %d %v", code, res)
	}
	// An encoding Elasticsearch doesn't decode reaches the parser as it is.
	if code, res := post(t, s, "/_bulk", "br", compress(t, "gzip", body)); code != 400 || errType(res) != "illegal_argument_exception" {
		t.Fatalf("unknown encoding = %d %v", code, res)
	}
	if n := s.Count("z"); n != 10 {
		t.Fatalf("count %d after refused requests", n)
	}
}

func TestAPIKeys(t *testing.T) {
	s := NewForTest(t, Options{Username: "elastic", Password: "hunter2-long"})
	code, body, _ := do(t, s, "POST", "/_security/api_key", `{"name":"emit-test","expiration":"1h","role_descriptors":{}}`)
	if code != 200 || body["name"] != "emit-test" || body["expiration"] == nil {
		t.Fatalf("create = %d %v", code, body)
	}
	id, secret, encoded := body["id"].(string), body["api_key"].(string), body["encoded"].(string)
	if base64.StdEncoding.EncodeToString([]byte(id+":"+secret)) != encoded {
		t.Fatalf("encoded %q is not base64(id:api_key)", encoded)
	}
	code, body, _ = do(t, s, "GET", "/_security/_authenticate", "", "Authorization", "ApiKey "+encoded)
	if code != 200 || body["authentication_type"] != "api_key" || body["username"] != "elastic" ||
		body["api_key"].(map[string]any)["id"] != id {
		t.Fatalf("authenticate with the key = %d %v", code, body)
	}
	if code, body, _ = do(t, s, "GET", "/_security/_authenticate", ""); code != 200 || body["authentication_type"] != "realm" {
		t.Fatalf("authenticate with basic = %d %v", code, body)
	}
	wrong := base64.StdEncoding.EncodeToString([]byte(id + ":not-the-secret"))
	if code, _, _ := do(t, s, "GET", "/", "", "Authorization", "ApiKey "+wrong); code != 401 {
		t.Fatalf("wrong secret = %d", code)
	}
	if code, body, _ := do(t, s, "POST", "/_security/api_key", `{}`); code != 400 || errType(body) != "action_request_validation_exception" {
		t.Fatalf("no name = %d %v", code, body)
	}
	if code, body, _ := do(t, s, "POST", "/_security/api_key", `{"name":"x","expiration":"soon"}`); code != 400 {
		t.Fatalf("bad expiration = %d %v", code, body)
	}
	code, body, _ = do(t, s, "DELETE", "/_security/api_key", `{"ids":["`+id+`"]}`)
	if code != 200 || len(body["invalidated_api_keys"].([]any)) != 1 {
		t.Fatalf("invalidate = %d %v", code, body)
	}
	if code, _, _ := do(t, s, "GET", "/", "", "Authorization", "ApiKey "+encoded); code != 401 {
		t.Fatalf("invalidated key = %d", code)
	}
	code, body, _ = do(t, s, "DELETE", "/_security/api_key", `{"ids":["`+id+`"]}`)
	if code != 200 || len(body["previously_invalidated_api_keys"].([]any)) != 1 {
		t.Fatalf("invalidate again = %d %v", code, body)
	}
	// Expired keys are refused.
	code, body, _ = do(t, s, "POST", "/_security/api_key", `{"name":"short","expiration":"0s"}`)
	if code != 200 {
		t.Fatalf("create = %d %v", code, body)
	}
	if code, _, _ := do(t, s, "GET", "/", "", "Authorization", "ApiKey "+body["encoded"].(string)); code != 401 {
		t.Fatalf("expired key = %d", code)
	}
	// Without security, the security API answers as Elasticsearch does.
	open := NewForTest(t, Options{})
	if code, body, _ := do(t, open, "POST", "/_security/api_key", `{"name":"x"}`); code != 500 || !strings.Contains(body["error"].(map[string]any)["reason"].(string), "xpack.security.enabled") {
		t.Fatalf("security off = %d %v", code, body)
	}
}

func TestDeleteDataStreamAndTemplate(t *testing.T) {
	s := NewForTest(t, Options{})
	if code, body, _ := do(t, s, "PUT", "/_index_template/t", `{"index_patterns":["ds-*"],"data_stream":{},"priority":200}`); code != 200 {
		t.Fatalf("template = %d %v", code, body)
	}
	if code, body, _ := do(t, s, "PUT", "/_data_stream/ds-one", ""); code != 200 {
		t.Fatalf("data stream = %d %v", code, body)
	}
	if code, body, _ := do(t, s, "DELETE", "/_index_template/t", ""); code != 400 || errType(body) != "illegal_argument_exception" {
		t.Fatalf("delete a template in use = %d %v", code, body)
	}
	if code, body, _ := do(t, s, "DELETE", "/_data_stream/ds-one", ""); code != 200 || body["acknowledged"] != true {
		t.Fatalf("delete data stream = %d %v", code, body)
	}
	if len(s.Indices()) != 0 || len(s.DataStreams()) != 0 {
		t.Fatalf("left %v %v", s.Indices(), s.DataStreams())
	}
	if code, body, _ := do(t, s, "DELETE", "/_data_stream/ds-one", ""); code != 404 || errType(body) != "index_not_found_exception" {
		t.Fatalf("delete again = %d %v", code, body)
	}
	if code, body, _ := do(t, s, "DELETE", "/_index_template/t", ""); code != 200 {
		t.Fatalf("delete template = %d %v", code, body)
	}
	if code, body, _ := do(t, s, "DELETE", "/_index_template/t", ""); code != 404 || errType(body) != "resource_not_found_exception" {
		t.Fatalf("delete template again = %d %v", code, body)
	}
}

func TestCountOnly(t *testing.T) {
	s := NewForTest(t, Options{CountOnly: true, AllowAutoCreate: true})
	res, err := s.PostBulk(bulkBody(
		`{"index":{"_index":"c","_id":"1"}}`, `{"a":1}`,
		`{"create":{"_index":"c","_id":"1"}}`, `not json at all`,
		`{"index":{"_index":"c"}}`, `{"a":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors || len(res.Items) != 3 || res.Items[1].Status != 201 || res.Items[2].ID == "" {
		t.Fatalf("items %+v", res.Items)
	}
	if s.Count("c") != 3 || s.TotalDocs() != 0 {
		t.Fatalf("count %d, stored %d", s.Count("c"), s.TotalDocs())
	}
}
