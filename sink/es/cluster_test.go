package es

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/internal/estest"
)

// TestCluster is the sink's integration suite. It runs against
// internal/fakees always, and against a real Elasticsearch when
// ELASTICSEARCH_URL is set (with ELASTICSEARCH_API_KEY, or
// ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD): the same
// expectations hold the stand-in to the real server's answers.
//
//	ELASTICSEARCH_URL=http://localhost:9200 ELASTICSEARCH_USERNAME=elastic ELASTICSEARCH_PASSWORD=... \
//	  go test ./sink/es -run TestCluster -v
func TestCluster(t *testing.T) {
	estest.Clusters(t, func(t *testing.T, c *estest.Cluster) {
		t.Run("IndexCreatedWithMappings", func(t *testing.T) { suiteCreateIndex(t, c, false) })
		t.Run("Compressed", func(t *testing.T) { suiteCreateIndex(t, c, true) })
		t.Run("DataStreamWithCreate", func(t *testing.T) { suiteDataStream(t, c) })
		t.Run("ExactlyOnceOnRerun", func(t *testing.T) { suiteRerun(t, c) })
		t.Run("Retries429", func(t *testing.T) { suiteRetries(t, c, false) })
		t.Run("RetriesDataStream", func(t *testing.T) { suiteRetries(t, c, true) })
		t.Run("MappingConflictBeforeSending", func(t *testing.T) { suiteConflict(t, c) })
		t.Run("AuthUserPassword", func(t *testing.T) { suiteBasicAuth(t, c) })
		t.Run("AuthAPIKey", func(t *testing.T) { suiteAPIKey(t, c) })
	})
}

// suiteConfig is the sink's configuration for the cluster: its
// credentials, small bulks, quick retries, no replicas (a single node
// stays green).
func suiteConfig(c *estest.Cluster, url string) Config {
	cfg := Config{
		URLs: []string{url}, APIKey: c.APIKey, Username: c.Username, Password: c.Password, CACert: c.CACert,
		Workers: 2, FlushBytes: 32 << 10, FlushInterval: 50 * time.Millisecond, Timeout: 30 * time.Second,
		RetryBackoff: 10 * time.Millisecond, RetryBackoffMax: 200 * time.Millisecond, RetryTimeout: time.Minute,
		Replicas: new(int),
	}
	if cfg.APIKey != "" {
		cfg.Username, cfg.Password = "", ""
	}
	return cfg
}

// suiteSend prepares the targets, sends docs and closes.
func suiteSend(t *testing.T, cfg Config, targets []Target, docs []Doc) (*Plan, Summary) {
	t.Helper()
	s := newSink(t, cfg)
	ctx := context.Background()
	plan, err := s.Prepare(ctx, targets)
	if err != nil {
		s.Close(ctx)
		t.Fatalf("Prepare: %v\n%s", err, plan)
	}
	for _, d := range docs {
		if err := s.Add(ctx, d); err != nil {
			t.Fatalf("Add: %v", err)
		}
	}
	sum, err := s.Close(ctx)
	if err != nil {
		t.Fatalf("Close: %v\n%s", err, sum)
	}
	return plan, sum
}

func suiteDocs(index string, n int) []Doc {
	docs := make([]Doc, n)
	for i := range docs {
		docs[i] = testDoc(index, i)
	}
	return docs
}

// sameJSON reports whether a and b are the same JSON value.
func sameJSON(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

// checkStored checks that the cluster holds the documents once each, with
// their sources, every version at most maxVersion.
func checkStored(t *testing.T, c *estest.Cluster, index string, docs []Doc, version int64) {
	t.Helper()
	if n := c.Count(t, index); n != len(docs) {
		t.Fatalf("%s holds %d documents, want %d", index, n, len(docs))
	}
	for i := 0; i < len(docs); i += max(1, len(docs)/10) {
		src, v, ok := c.Source(t, index, docs[i].ID)
		if !ok || !sameJSON(src, docs[i].Body) || v != version {
			t.Fatalf("document %s: found %v, version %d (want %d), source %s, sent %s", docs[i].ID, ok, v, version, src, docs[i].Body)
		}
	}
}

// leafTypes flattens a mapping's properties to field -> type.
func leafTypes(m map[string]any, prefix string, out map[string]string) map[string]string {
	props, _ := m["properties"].(map[string]any)
	for k, v := range props {
		f, _ := v.(map[string]any)
		if _, ok := f["properties"]; ok {
			leafTypes(f, prefix+k+".", out)
			continue
		}
		out[prefix+k], _ = f["type"].(string)
	}
	return out
}

func suiteCreateIndex(t *testing.T, c *estest.Cluster, compress bool) {
	index := c.Name("create")
	if compress {
		index = c.Name("gzip")
	}
	c.CleanupIndex(t, index)
	cfg := suiteConfig(c, c.URL)
	cfg.Shards, cfg.Compress = 2, compress
	docs := suiteDocs(index, 1500)
	plan, sum := suiteSend(t, cfg, []Target{{Index: index, Mappings: []byte(testMappings), Create: true}}, docs)
	if tp := plan.Targets[0]; tp.Action != CreateIndex || !tp.Created || tp.OpType != "index" {
		t.Fatalf("plan: %s", plan)
	}
	if !sum.OK() || sum.Indexed != int64(len(docs)) || sum.Retried != 0 {
		t.Fatalf("summary: %s", sum)
	}
	got := c.MustJSON(t, http.MethodGet, "/"+index, nil)[index].(map[string]any)
	types := leafTypes(got["mappings"].(map[string]any), "", map[string]string{})
	want := map[string]string{"@timestamp": "date", "event.code": "long", "source.ip": "ip", "process.name": "keyword"}
	if !reflect.DeepEqual(types, want) {
		t.Fatalf("mapping of %s: %v, want %v", index, types, want)
	}
	settings := got["settings"].(map[string]any)["index"].(map[string]any)
	if settings["number_of_shards"] != "2" || settings["number_of_replicas"] != "0" {
		t.Fatalf("settings of %s: shards %v replicas %v", index, settings["number_of_shards"], settings["number_of_replicas"])
	}
	checkStored(t, c, index, docs, 1)
	if compress {
		if sum.WireBytes*3 > sum.BulkBytes || sum.WireBytes == 0 {
			t.Fatalf("compressed %d bytes of bulk bodies to %d", sum.BulkBytes, sum.WireBytes)
		}
		if c.Fake != nil && c.Fake.ContentEncodings()["gzip"] == 0 {
			t.Fatalf("no gzip request reached the server: %v", c.Fake.ContentEncodings())
		}
	} else if sum.WireBytes != sum.BulkBytes {
		t.Fatalf("uncompressed: %d bytes of bodies, %d on the wire", sum.BulkBytes, sum.WireBytes)
	}
	t.Logf("%s: %s", c.Kind, sum)
}

// dataStreamTemplate creates an index template making data streams of
// the run's names ending in -ds-*, with the test mappings, and returns a
// data stream name it matches.
func dataStreamTemplate(t *testing.T, c *estest.Cluster, part string) string {
	t.Helper()
	name := c.Name("ds-" + part)
	template := c.Name("ds-" + part + "-template")
	var mappings map[string]any
	if err := json.Unmarshal([]byte(testMappings), &mappings); err != nil {
		t.Fatal(err)
	}
	c.MustJSON(t, http.MethodPut, "/_index_template/"+template, map[string]any{
		"index_patterns": []string{name + "*"},
		"data_stream":    map[string]any{},
		"priority":       500,
		"template":       map[string]any{"mappings": mappings, "settings": map[string]any{"number_of_replicas": 0}},
	})
	c.CleanupDataStream(t, name, template)
	return name
}

func suiteDataStream(t *testing.T, c *estest.Cluster) {
	name := dataStreamTemplate(t, c, "a")
	cfg := suiteConfig(c, c.URL)
	docs := suiteDocs(name, 800)
	plan, sum := suiteSend(t, cfg, []Target{{Index: name, Mappings: []byte(testMappings)}}, docs)
	if tp := plan.Targets[0]; tp.Action != NewDataStream || tp.OpType != "create" {
		t.Fatalf("plan: %s", plan)
	}
	if !sum.OK() || sum.Indexed != int64(len(docs)) {
		t.Fatalf("summary: %s", sum)
	}
	if n := c.Count(t, name); n != len(docs) {
		t.Fatalf("%s holds %d documents, want %d", name, n, len(docs))
	}
	ds := c.MustJSON(t, http.MethodGet, "/_data_stream/"+name, nil)["data_streams"].([]any)
	if len(ds) != 1 || ds[0].(map[string]any)["name"] != name {
		t.Fatalf("data stream %s: %v", name, ds)
	}
	// The cluster refuses the index op on a data stream: the sink's
	// create is required.
	bulk := fmt.Sprintf("{\"index\":{\"_index\":%q}}\n%s\n", name, docs[0].Body)
	status, res := c.JSON(t, http.MethodPost, "/_bulk", bulk)
	item := res["items"].([]any)[0].(map[string]any)["index"].(map[string]any)
	if status != 200 || res["errors"] != true || fmt.Sprint(item["status"]) != "400" {
		t.Fatalf("index op on a data stream: %d %v", status, res)
	}
	// A second run with the same ids creates nothing: every document is
	// a version conflict, reported as such.
	plan, sum2 := func() (*Plan, Summary) {
		s := newSink(t, cfg)
		ctx := context.Background()
		plan, err := s.Prepare(ctx, []Target{{Index: name, Mappings: []byte(testMappings)}})
		if err != nil {
			t.Fatalf("Prepare: %v", err)
		}
		for _, d := range docs {
			if err := s.Add(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		sum, _ := s.Close(ctx)
		return plan, sum
	}()
	if tp := plan.Targets[0]; tp.Action != UseDataStream || tp.OpType != "create" || len(tp.Backing) == 0 {
		t.Fatalf("plan of the rerun: %s", plan)
	}
	if sum2.Failed != int64(len(docs)) || len(sum2.FailureReasons) != 1 ||
		!strings.Contains(sum2.FailureReasons[0].Reason, "version_conflict_engine_exception") ||
		!strings.Contains(sum2.FailureReasons[0].Reason, "earlier run with the same seed") {
		t.Fatalf("rerun summary: %s", sum2)
	}
	if n := c.Count(t, name); n != len(docs) {
		t.Fatalf("after the rerun %s holds %d documents, want %d", name, n, len(docs))
	}
}

func suiteRerun(t *testing.T, c *estest.Cluster) {
	index := c.Name("rerun")
	c.CleanupIndex(t, index)
	cfg := suiteConfig(c, c.URL)
	docs := suiteDocs(index, 1000)
	target := []Target{{Index: index, Mappings: []byte(testMappings), Create: true}}
	suiteSend(t, cfg, target, docs)
	plan, sum := suiteSend(t, cfg, target, docs)
	if tp := plan.Targets[0]; tp.Action != UseIndex {
		t.Fatalf("plan of the rerun: %s", plan)
	}
	if !sum.OK() || sum.Indexed != int64(len(docs)) {
		t.Fatalf("rerun summary: %s", sum)
	}
	// Overwritten, not duplicated.
	checkStored(t, c, index, docs, 2)
}

// retryPlan is a busy cluster's first requests: a whole request rejected
// (429), one with every third document rejected (429 inside a 200), one
// applied whose answer is lost (502), one rejected as unavailable (503),
// then clean answers.
func retryPlan(n int) estest.Fault {
	switch n {
	case 1:
		return estest.Fault{Status: http.StatusTooManyRequests}
	case 2, 5:
		return estest.Fault{ItemEvery: 3}
	case 3:
		return estest.Fault{Status: http.StatusBadGateway, Apply: true}
	case 4:
		return estest.Fault{Status: http.StatusServiceUnavailable}
	}
	return estest.Fault{}
}

func suiteRetries(t *testing.T, c *estest.Cluster, dataStream bool) {
	index := c.Name("retries")
	target := Target{Index: index, Mappings: []byte(testMappings), Create: true}
	if dataStream {
		index = dataStreamTemplate(t, c, "retries")
		target = Target{Index: index, Mappings: []byte(testMappings)}
	} else {
		c.CleanupIndex(t, index)
	}
	proxy := c.Proxy(t, retryPlan)
	cfg := suiteConfig(c, proxy.URL)
	cfg.Compress = dataStream // the proxy reads compressed bodies too
	docs := suiteDocs(index, 2000)
	_, sum := suiteSend(t, cfg, []Target{target}, docs)
	if !sum.OK() || sum.Indexed != int64(len(docs)) || sum.Retried == 0 || proxy.BulkRequests() < 6 {
		t.Fatalf("summary: %s (%d bulk requests)", sum, proxy.BulkRequests())
	}
	if dataStream && sum.Recovered == 0 {
		// The documents of the request applied before its 502 come back
		// as 409 conflicts of the create op: they are counted indexed.
		t.Fatalf("no document recovered from the lost answer: %s", sum)
	}
	if dataStream {
		if n := c.Count(t, index); n != len(docs) {
			t.Fatalf("%s holds %d documents, want %d", index, n, len(docs))
		}
		return
	}
	// Resent documents overwrite themselves: still one of each.
	if n := c.Count(t, index); n != len(docs) {
		t.Fatalf("%s holds %d documents, want %d", index, n, len(docs))
	}
}

func suiteConflict(t *testing.T, c *estest.Cluster) {
	index := c.Name("conflict")
	c.CleanupIndex(t, index)
	c.MustJSON(t, http.MethodPut, "/"+index, map[string]any{
		"settings": map[string]any{"number_of_replicas": 0},
		"mappings": map[string]any{"properties": map[string]any{"source": map[string]any{"properties": map[string]any{"ip": map[string]any{"type": "long"}}}}},
	})
	proxy := c.Proxy(t, nil)
	s := newSink(t, suiteConfig(c, proxy.URL))
	ctx := context.Background()
	plan, err := s.Prepare(ctx, []Target{{Index: index, Mappings: []byte(testMappings), Create: true}})
	var perr *PlanError
	if !errors.As(err, &perr) || len(perr.Conflicts) == 0 || !strings.Contains(perr.Error(), "source.ip") {
		t.Fatalf("Prepare: %v\n%s", err, plan)
	}
	if _, err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if proxy.BulkRequests() != 0 || c.Count(t, index) != 0 {
		t.Fatalf("sent %d bulk requests, the index holds %d documents", proxy.BulkRequests(), c.Count(t, index))
	}
	got := c.MustJSON(t, http.MethodGet, "/"+index+"/_mapping", nil)[index].(map[string]any)
	if types := leafTypes(got["mappings"].(map[string]any), "", map[string]string{}); types["source.ip"] != "long" {
		t.Fatalf("the mapping changed: %v", types)
	}
}

// authRun sends a few documents with cfg's credentials.
func authRun(t *testing.T, c *estest.Cluster, cfg Config, part string) {
	t.Helper()
	index := c.Name(part)
	c.CleanupIndex(t, index)
	docs := suiteDocs(index, 20)
	if _, sum := suiteSend(t, cfg, []Target{{Index: index, Mappings: []byte(testMappings), Create: true}}, docs); !sum.OK() {
		t.Fatalf("summary: %s", sum)
	}
	if n := c.Count(t, index); n != len(docs) {
		t.Fatalf("%s holds %d documents", index, n)
	}
}

// mustRefuse checks that New refuses cfg's credentials without showing them.
func mustRefuse(t *testing.T, cfg Config, secret, says string) {
	t.Helper()
	s, err := New(cfg)
	if err == nil {
		s.Close(context.Background())
		t.Fatal("wrong credentials accepted")
	}
	if !strings.Contains(err.Error(), says) || strings.Contains(err.Error(), secret) {
		t.Fatalf("error: %v", err)
	}
}

func suiteBasicAuth(t *testing.T, c *estest.Cluster) {
	if !c.Secured() {
		t.Skip("the cluster runs without security: no credentials to check")
	}
	if c.Username == "" {
		t.Skip("no user and password given (" + estest.EnvUsername + ", " + estest.EnvPassword + ")")
	}
	cfg := suiteConfig(c, c.URL)
	cfg.APIKey, cfg.Username, cfg.Password = "", c.Username, c.Password
	authRun(t, c, cfg, "basic")
	cfg.Password = "wrong-" + c.Password
	mustRefuse(t, cfg, cfg.Password, "refused")
}

func suiteAPIKey(t *testing.T, c *estest.Cluster) {
	if !c.Secured() {
		t.Skip("the cluster runs without security: no credentials to check")
	}
	key, id := c.APIKey, ""
	if key == "" {
		key, id = c.NewAPIKey(t)
	}
	cfg := suiteConfig(c, c.URL)
	cfg.APIKey, cfg.Username, cfg.Password = key, "", ""
	authRun(t, c, cfg, "apikey")
	status, who := c.DoAuth(t, http.MethodGet, "/_security/_authenticate", nil, func(r *http.Request) { r.Header.Set("Authorization", "ApiKey "+key) })
	var info struct {
		Type string `json:"authentication_type"`
	}
	if status != 200 || json.Unmarshal(who, &info) != nil || info.Type != "api_key" {
		t.Fatalf("_authenticate with the key: %d %s", status, who)
	}
	cfg.APIKey = "bm90LWEta2V5OndpdGgtbm8tc2VjcmV0" // base64 of "not-a-key:with-no-secret"
	mustRefuse(t, cfg, cfg.APIKey, "API key was refused")
	if id != "" {
		c.InvalidateAPIKey(t, id)
		cfg.APIKey = key
		mustRefuse(t, cfg, key, "API key was refused")
	}
}
