package es

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emit-sec/emit/internal/fakees"
)

const testIndex = "emit-test"

const testMappings = `{"properties":{
	"@timestamp":{"type":"date"},
	"event":{"properties":{"code":{"type":"long"}}},
	"source":{"properties":{"ip":{"type":"ip"}}},
	"process":{"properties":{"name":{"type":"keyword"}}}
}}`

// fastConfig is a configuration for tests: small bulks, quick retries.
func fastConfig(srv *fakees.Server) Config {
	return Config{
		URLs:            []string{srv.URL},
		Workers:         2,
		FlushBytes:      4 << 10,
		FlushInterval:   50 * time.Millisecond,
		Timeout:         5 * time.Second,
		MaxRetries:      4,
		RetryBackoff:    time.Millisecond,
		RetryBackoffMax: 5 * time.Millisecond,
	}
}

func newSink(t testing.TB, cfg Config) *Sink {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func testDoc(index string, i int) Doc {
	return Doc{
		Index: index,
		ID:    fmt.Sprintf("seed42-%07d", i),
		Seq:   int64(i),
		Body: []byte(fmt.Sprintf(`{"@timestamp":"2024-05-01T10:%02d:%02dZ","event":{"code":%d},"source":{"ip":"10.%d.%d.%d"},"process":{"name":"proc-%d.exe"}}`,
			(i/60)%60, i%60, 4600+i%50, (i>>16)&255, (i>>8)&255, i&255, i%97)),
	}
}

// send prepares testIndex (created with testMappings), adds n documents and
// closes.
func send(t *testing.T, s *Sink, n int) Summary {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Prepare(ctx, []Target{{Index: testIndex, Mappings: []byte(testMappings), Create: true}}); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	for i := 0; i < n; i++ {
		if err := s.Add(ctx, testDoc(testIndex, i)); err != nil {
			t.Fatalf("Add %d: %v", i, err)
		}
	}
	sum, err := s.Close(ctx)
	if err != nil {
		t.Fatalf("Close: %v", err)
	}
	return sum
}

// exactlyOnce checks that the n documents are stored exactly once, each
// with its own source, and that the summary agrees.
func exactlyOnce(t *testing.T, srv *fakees.Server, sum Summary, n int) {
	t.Helper()
	if sum.Sent != int64(n) || sum.Indexed != int64(n) || sum.Failed != 0 || !sum.OK() {
		t.Fatalf("summary: %s", sum)
	}
	if c := srv.Count(testIndex); c != n {
		t.Fatalf("server holds %d documents, want %d", c, n)
	}
	for i := 0; i < n; i += max(1, n/50) {
		d := testDoc(testIndex, i)
		src, _, ok := srv.Doc(testIndex, d.ID)
		if !ok || !bytes.Equal(src, d.Body) {
			t.Fatalf("document %s: stored %q, want %q", d.ID, src, d.Body)
		}
	}
}

func TestHappyPath(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	cfg := fastConfig(srv)
	cfg.Shards, cfg.Replicas = 3, new(int)
	s := newSink(t, cfg)
	sum := send(t, s, 5000)
	exactlyOnce(t, srv, sum, 5000)
	if v := srv.MaxVersion(testIndex); v != 1 {
		t.Fatalf("a document was written %d times", v)
	}
	if sum.Retried != 0 || sum.Requests < 10 || len(sum.FailureReasons) != 0 {
		t.Fatalf("summary: %+v", sum)
	}
	if pi := sum.PerIndex[testIndex]; pi.Indexed != 5000 {
		t.Fatalf("per index %+v", sum.PerIndex)
	}
	st := srv.Settings(testIndex)
	if st["index.number_of_shards"] != "3" || st["index.number_of_replicas"] != "0" {
		t.Fatalf("settings %v", st)
	}
	props := srv.Mapping(testIndex)["properties"].(map[string]any)
	ip := props["source"].(map[string]any)["properties"].(map[string]any)["ip"].(map[string]any)["type"]
	if ip != "ip" {
		t.Fatalf("source.ip mapped %v", ip)
	}
	if !strings.Contains(sum.String(), "5000 sent, 5000 indexed, 0 failed") {
		t.Fatalf("summary text: %s", sum)
	}
}

func TestNoIDsLetElasticsearchAssign(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	s := newSink(t, fastConfig(srv))
	ctx := context.Background()
	if _, err := s.Prepare(ctx, []Target{{Index: testIndex, Mappings: []byte(testMappings), Create: true}}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 300; i++ {
		d := testDoc(testIndex, i)
		d.ID = ""
		if err := s.Add(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := s.Close(ctx)
	if err != nil || !sum.OK() || srv.Count(testIndex) != 300 || sum.PossibleDuplicates != 0 {
		t.Fatalf("err %v, count %d, summary %s", err, srv.Count(testIndex), sum)
	}
}

// Faults: every document arrives exactly once and the counts are exact.
func TestFaults(t *testing.T) {
	const n = 3000
	cases := []struct {
		name     string
		fault    fakees.Fault
		every    int64 // fault every n-th bulk
		overwrit bool  // the fault applies the bulk before failing
	}{
		{"whole 429", fakees.Fault{Status: 429}, 2, false},
		{"whole 503", fakees.Fault{Status: 503}, 3, false},
		{"502 after applying", fakees.Fault{Status: 502, Apply: true}, 3, true},
		{"connection closed mid-response", fakees.Fault{Close: true}, 3, true},
		{"slower than the timeout", fakees.Fault{Delay: time.Second}, 10, true},
		{"per-item 429", fakees.Fault{ItemEvery: 3}, 2, false},
		{"per-item 503", fakees.Fault{ItemEvery: 2, ItemStatus: 503}, 4, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := fakees.NewForTest(t, fakees.Options{})
			faults := 0
			var mu sync.Mutex
			// At most 8 faults: with 10 retries, every document gets through.
			srv.FailBulks(func(k int64) fakees.Fault {
				mu.Lock()
				defer mu.Unlock()
				if k%c.every == 0 && faults < 8 {
					faults++
					return c.fault
				}
				return fakees.Fault{}
			})
			cfg := fastConfig(srv)
			cfg.MaxRetries = 10
			if c.fault.Delay > 0 {
				cfg.Timeout = c.fault.Delay * 2 / 5
			}
			s := newSink(t, cfg)
			sum := send(t, s, n)
			exactlyOnce(t, srv, sum, n)
			if faults == 0 || sum.Retried == 0 {
				t.Fatalf("no fault happened: %d faults, summary %s", faults, sum)
			}
			if !c.overwrit && srv.MaxVersion(testIndex) != 1 {
				t.Fatalf("rejected writes were applied: max version %d", srv.MaxVersion(testIndex))
			}
			if c.overwrit && srv.MaxVersion(testIndex) < 2 {
				t.Fatalf("the fault should have made retries overwrite documents (max version %d)", srv.MaxVersion(testIndex))
			}
		})
	}
}

func TestRetriesExhausted(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	srv.FailBulks(func(int64) fakees.Fault { return fakees.Fault{Status: 429} })
	cfg := fastConfig(srv)
	cfg.MaxRetries = 2
	s := newSink(t, cfg)
	sum := send(t, s, 200)
	if sum.Sent != 200 || sum.Indexed != 0 || sum.Failed != 200 || sum.OK() {
		t.Fatalf("summary %s", sum)
	}
	if sum.Retried != 400 {
		t.Fatalf("retried %d, want 2 per document", sum.Retried)
	}
	if len(sum.FailureReasons) != 1 || !strings.Contains(sum.FailureReasons[0].Reason, "429") ||
		!strings.Contains(sum.FailureReasons[0].Reason, "retries exhausted") || sum.FailureReasons[0].Count != 200 {
		t.Fatalf("reasons %+v", sum.FailureReasons)
	}
	if srv.Count(testIndex) != 0 {
		t.Fatal("documents stored")
	}
}

func TestPerItemRetriesExhausted(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	// Item 2 of every bulk is rejected: some documents end up failing
	// after MaxRetries, the others are indexed: the counts add up.
	srv.FailBulks(func(int64) fakees.Fault { return fakees.Fault{ItemEvery: 2} })
	cfg := fastConfig(srv)
	cfg.MaxRetries = 1
	s := newSink(t, cfg)
	sum := send(t, s, 1000)
	if sum.Sent != 1000 || sum.Indexed+sum.Failed != 1000 || sum.Failed == 0 || sum.Indexed == 0 {
		t.Fatalf("summary %s", sum)
	}
	if int64(srv.Count(testIndex)) != sum.Indexed || srv.MaxVersion(testIndex) != 1 {
		t.Fatalf("server holds %d, summary says %d indexed", srv.Count(testIndex), sum.Indexed)
	}
	var failed int64
	for _, g := range sum.FailureReasons {
		failed += g.Count
		if !strings.HasPrefix(g.Reason, "es_rejected_execution_exception") {
			t.Fatalf("reason %q", g.Reason)
		}
	}
	if failed != sum.Failed {
		t.Fatalf("groups count %d, failed %d", failed, sum.Failed)
	}
	// The failed documents are exactly those missing from the server.
	for _, g := range sum.FailureReasons {
		for _, seq := range g.Seqs {
			if _, _, ok := srv.Doc(testIndex, testDoc(testIndex, int(seq)).ID); ok {
				t.Fatalf("document #%d reported failed but stored", seq)
			}
		}
	}
}

func TestMappingRejectionsReportedWithPositions(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	s := newSink(t, fastConfig(srv))
	ctx := context.Background()
	if _, err := s.Prepare(ctx, []Target{{Index: testIndex, Mappings: []byte(testMappings), Create: true}}); err != nil {
		t.Fatal(err)
	}
	var badIP, badCode []int64
	for i := 0; i < 500; i++ {
		d := testDoc(testIndex, i)
		switch {
		case i%50 == 7:
			d.Body = []byte(`{"source":{"ip":"not-an-ip"}}`)
			badIP = append(badIP, int64(i))
		case i%100 == 13:
			d.Body = []byte(`{"event":{"code":"forty-two"}}`)
			badCode = append(badCode, int64(i))
		}
		if err := s.Add(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := s.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bad := int64(len(badIP) + len(badCode))
	if sum.Failed != bad || sum.Indexed != 500-bad || sum.Retried != 0 || sum.OK() {
		t.Fatalf("summary %s", sum)
	}
	if len(sum.FailureReasons) != 2 {
		t.Fatalf("reasons %+v", sum.FailureReasons)
	}
	ip, code := sum.FailureReasons[0], sum.FailureReasons[1]
	if ip.Reason != "mapper_parsing_exception: failed to parse field [source.ip] of type [ip]" || ip.Count != int64(len(badIP)) ||
		!sameSet(ip.Seqs, badIP) {
		t.Fatalf("ip group %+v, want seqs %v", ip, badIP)
	}
	if code.Reason != "mapper_parsing_exception: failed to parse field [event.code] of type [long]" || !sameSet(code.Seqs, badCode) {
		t.Fatalf("code group %+v", code)
	}
	if !strings.Contains(ip.Example, "not-an-ip") {
		t.Fatalf("example %q", ip.Example)
	}
	text := sum.String()
	if !strings.Contains(text, "10 failed: mapper_parsing_exception: failed to parse field [source.ip] of type [ip] (documents #7, #57,") {
		t.Fatalf("summary text:\n%s", text)
	}
}

func sameSet(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[int64]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return true
}

func TestMappingConflictDetectedBeforeSending(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	put(t, srv, "/existing", `{"mappings":{"properties":{"source":{"properties":{"ip":{"type":"long"}}},"process":{"properties":{"name":{"type":"wildcard"}}}}}}`)
	bulks := srv.BulkRequests()
	s := newSink(t, fastConfig(srv))
	plan, err := s.Prepare(context.Background(), []Target{
		{Index: "fresh", Mappings: []byte(testMappings), Create: true},
		{Index: "existing", Mappings: []byte(testMappings), Create: true},
	})
	var perr *PlanError
	if !errors.As(err, &perr) {
		t.Fatalf("want a PlanError, got %v", err)
	}
	if len(perr.Conflicts) != 1 || perr.Conflicts[0].Field != "source.ip" || perr.Conflicts[0].Theirs != "long" || perr.Conflicts[0].Ours != "ip" {
		t.Fatalf("conflicts %+v", perr.Conflicts)
	}
	if len(srv.Indices()) != 1 {
		t.Fatalf("Prepare created indices despite the conflict: %v", srv.Indices())
	}
	if srv.BulkRequests() != bulks {
		t.Fatal("documents were sent")
	}
	text := plan.String()
	for _, want := range []string{"fresh: will be created with emit's mappings", "existing: existing index",
		"CONFLICT: source.ip: emit maps ip, existing maps long", "differs: process.name: emit maps keyword, existing maps wildcard",
		"doesn't map 2 fields (@timestamp, event.code)"} {
		if !strings.Contains(text, want) {
			t.Errorf("plan lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(err.Error(), "nothing was created or sent") {
		t.Fatalf("error: %v", err)
	}
	s.Close(context.Background())
}

func put(t *testing.T, srv *fakees.Server, path, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("PUT %s: %d", path, res.StatusCode)
	}
}

func TestStrictMappingConflict(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	put(t, srv, "/strict", `{"mappings":{"dynamic":"strict","properties":{"@timestamp":{"type":"date"}}}}`)
	s := newSink(t, fastConfig(srv))
	defer s.Close(context.Background())
	_, err := s.Prepare(context.Background(), []Target{{Index: "strict", Mappings: []byte(testMappings)}})
	var perr *PlanError
	if !errors.As(err, &perr) || len(perr.Conflicts) != 3 {
		t.Fatalf("want 3 strict conflicts, got %v", err)
	}
}

func TestMissingIndexWithoutCreate(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{AllowAutoCreate: true})
	s := newSink(t, fastConfig(srv))
	_, err := s.Prepare(context.Background(), []Target{{Index: "nope", Mappings: []byte(testMappings)}})
	if err == nil || !strings.Contains(err.Error(), "index nope does not exist: use --create-index") {
		t.Fatalf("err %v", err)
	}
	_, err = s.Prepare(context.Background(), []Target{{Index: "logs-*", Mappings: []byte(testMappings)}})
	if err == nil || !strings.Contains(err.Error(), "index pattern") {
		t.Fatalf("err %v", err)
	}
	s.Close(context.Background())

	cfg := fastConfig(srv)
	cfg.AllowAutoCreate = true
	s = newSink(t, cfg)
	plan, err := s.Prepare(context.Background(), []Target{{Index: "nope", Mappings: []byte(testMappings)}})
	if err != nil || plan.Targets[0].Action != AutoCreate {
		t.Fatalf("plan %v, err %v", plan, err)
	}
	if !strings.Contains(plan.String(), "mapped dynamically") && !strings.Contains(plan.String(), "map 4 fields") {
		t.Fatalf("plan:\n%s", plan)
	}
	if err := s.Add(context.Background(), testDoc("nope", 1)); err != nil {
		t.Fatal(err)
	}
	sum, err := s.Close(context.Background())
	if err != nil || !sum.OK() || srv.Count("nope") != 1 {
		t.Fatalf("summary %s, err %v", sum, err)
	}
}

const dsTemplate = `{"index_patterns":["logs-*-*"],"priority":100,"data_stream":{},"allow_auto_create":true,
	"template":{"mappings":{"properties":{"source":{"properties":{"ip":{"type":"ip"}}},"event":{"properties":{"code":{"type":"keyword"}}}}}}}`

func TestDataStreamUsesCreate(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	if err := srv.PutIndexTemplate("logs", []byte(dsTemplate)); err != nil {
		t.Fatal(err)
	}
	if err := srv.CreateDataStream("logs-existing-default"); err != nil {
		t.Fatal(err)
	}
	s := newSink(t, fastConfig(srv))
	ctx := context.Background()
	plan, err := s.Prepare(ctx, []Target{
		{Index: "logs-endpoint.events.process-default", Mappings: []byte(testMappings), Create: true},
		{Index: "logs-existing-default", Mappings: []byte(testMappings)},
	})
	if err != nil {
		t.Fatalf("Prepare: %v\n%s", err, plan)
	}
	if a := plan.Targets[0]; a.Action != NewDataStream || a.OpType != "create" || a.Template != "logs" {
		t.Fatalf("new data stream plan %+v", a)
	}
	if b := plan.Targets[1]; b.Action != UseDataStream || b.OpType != "create" || len(b.Backing) != 1 {
		t.Fatalf("existing data stream plan %+v", b)
	}
	text := plan.String()
	for _, want := range []string{"data stream, created by Elasticsearch on the first write from index template logs; op_type create",
		"existing data stream (1 backing indices); op_type create", "differs: event.code: emit maps long"} {
		if !strings.Contains(text, want) {
			t.Errorf("plan lacks %q:\n%s", want, text)
		}
	}
	for i := 0; i < 400; i++ {
		idx := "logs-endpoint.events.process-default"
		if i%2 == 1 {
			idx = "logs-existing-default"
		}
		if err := s.Add(ctx, testDoc(idx, i)); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := s.Close(ctx)
	if err != nil || !sum.OK() || sum.Indexed != 400 {
		t.Fatalf("summary %s, err %v", sum, err)
	}
	if srv.Count("logs-endpoint.events.process-default") != 200 || srv.Count("logs-existing-default") != 200 {
		t.Fatal("documents missing")
	}
	if ds := srv.DataStreams(); len(ds) != 2 {
		t.Fatalf("data streams %v", ds)
	}
}

// A data stream written with op_type create: a retry after a failure that
// had applied the bulk gets 409s, which mean "already written".
func TestDataStreamRetryAfterAppliedFailure(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	if err := srv.PutIndexTemplate("logs", []byte(dsTemplate)); err != nil {
		t.Fatal(err)
	}
	// 6 faults at most, 10 retries: every document gets through.
	var mu sync.Mutex
	faults := 0
	srv.FailBulks(func(k int64) fakees.Fault {
		mu.Lock()
		defer mu.Unlock()
		if faults >= 6 || k%2 == 0 {
			return fakees.Fault{}
		}
		faults++
		if faults%2 == 1 {
			return fakees.Fault{Close: true}
		}
		return fakees.Fault{Status: 504, Apply: true}
	})
	cfg := fastConfig(srv)
	cfg.MaxRetries = 10
	s := newSink(t, cfg)
	ctx := context.Background()
	const idx = "logs-test-default"
	if _, err := s.Prepare(ctx, []Target{{Index: idx, Mappings: []byte(testMappings)}}); err != nil {
		t.Fatal(err)
	}
	const n = 2000
	for i := 0; i < n; i++ {
		if err := s.Add(ctx, testDoc(idx, i)); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := s.Close(ctx)
	if err != nil || !sum.OK() || sum.Indexed != n || sum.Recovered == 0 {
		t.Fatalf("summary %s (recovered %d), err %v", sum, sum.Recovered, err)
	}
	if srv.Count(idx) != n || srv.MaxVersion(idx) != 1 {
		t.Fatalf("stored %d (max version %d), want %d once each", srv.Count(idx), srv.MaxVersion(idx), n)
	}
	if !strings.Contains(sum.String(), "already written by an attempt that looked failed") {
		t.Fatalf("summary text %s", sum)
	}
}

// With ids from an earlier run, create gets genuine conflicts: reported.
func TestDataStreamConflictFromEarlierRun(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	if err := srv.PutIndexTemplate("logs", []byte(dsTemplate)); err != nil {
		t.Fatal(err)
	}
	const idx = "logs-test-default"
	for run := 0; run < 2; run++ {
		s := newSink(t, fastConfig(srv))
		for i := 0; i < 50; i++ {
			if err := s.Add(context.Background(), testDoc(idx, i)); err != nil {
				t.Fatal(err)
			}
		}
		sum, err := s.Close(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if run == 0 && !sum.OK() {
			t.Fatalf("first run %s", sum)
		}
		if run == 1 && (sum.Failed != 50 || !strings.Contains(sum.FailureReasons[0].Reason, "version_conflict_engine_exception: version conflict, document already exists (ids from an earlier run")) {
			t.Fatalf("second run %s", sum)
		}
	}
}

// Without ids, a resend after an ambiguous failure may duplicate: the
// summary says how many documents were at risk.
func TestNoIDsAmbiguousRetryReported(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	srv.FailBulk(1, fakees.Fault{Close: true})
	cfg := fastConfig(srv)
	cfg.Workers = 1
	s := newSink(t, cfg)
	ctx := context.Background()
	if _, err := s.Prepare(ctx, []Target{{Index: testIndex, Mappings: []byte(testMappings), Create: true}}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		d := testDoc(testIndex, i)
		d.ID = ""
		if err := s.Add(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := s.Close(ctx)
	if err != nil || !sum.OK() {
		t.Fatal(err, sum)
	}
	dup := int64(srv.Count(testIndex) - 100)
	if dup == 0 || sum.PossibleDuplicates != dup {
		t.Fatalf("server holds %d extra documents, summary warns of %d", dup, sum.PossibleDuplicates)
	}
	if !strings.Contains(sum.String(), "may hold duplicates") {
		t.Fatalf("summary %s", sum)
	}
}

func TestLazyClassificationWithoutPrepare(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	if err := srv.PutIndexTemplate("logs", []byte(dsTemplate)); err != nil {
		t.Fatal(err)
	}
	s := newSink(t, fastConfig(srv))
	if err := s.Add(context.Background(), testDoc("logs-lazy-default", 1)); err != nil {
		t.Fatal(err)
	}
	sum, err := s.Close(context.Background())
	if err != nil || !sum.OK() || srv.Count("logs-lazy-default") != 1 {
		t.Fatalf("summary %s, err %v", sum, err)
	}
}

func TestAuth(t *testing.T) {
	const (
		keyRaw  = "VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw"
		user    = "elastic"
		pass    = "Sup3r-Secret-Passw0rd"
		badPass = "Wr0ng-Secret-Passw0rd"
	)
	keyEnc := base64.StdEncoding.EncodeToString([]byte(keyRaw))
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	secrets := []string{keyRaw, keyEnc, pass, badPass, basic, "ui2lp2axTNmsyakw9tvNnw",
		base64.StdEncoding.EncodeToString([]byte(user + ":" + badPass))}
	srv := fakees.NewForTest(t, fakees.Options{APIKey: keyEnc, Username: user, Password: pass})

	var out bytes.Buffer
	check := func(t *testing.T, what, text string) {
		t.Helper()
		for _, sec := range secrets {
			if strings.Contains(text, sec) {
				t.Fatalf("%s leaks a secret: %s", what, text)
			}
		}
		out.WriteString(text)
	}
	run := func(t *testing.T, cfg Config, secret string) Summary {
		t.Helper()
		cfg.Progress, cfg.ProgressInterval = &out, 5*time.Millisecond
		s := newSink(t, cfg)
		plan, err := s.Prepare(context.Background(), []Target{{Index: testIndex, Mappings: []byte(testMappings), Create: true}})
		if err != nil {
			t.Fatal(err)
		}
		check(t, "plan", plan.String())
		for i := 0; i < 300; i++ {
			d := testDoc(testIndex, i)
			if i%30 == 0 {
				d.Body = []byte(`{"source":{"ip":"` + secret + `"}}`) // a secret in a rejected value
			}
			if err := s.Add(context.Background(), d); err != nil {
				t.Fatal(err)
			}
		}
		sum, err := s.Close(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		check(t, "summary", sum.String())
		check(t, "summary", fmt.Sprintf("%+v", sum))
		if sum.Failed != 10 || sum.Indexed != 290 {
			t.Fatalf("summary %s", sum)
		}
		return sum
	}

	base := fastConfig(srv)
	t.Run("api key (raw id:key form)", func(t *testing.T) {
		cfg := base
		cfg.APIKey = keyRaw
		before := srv.AuthSchemes()
		run(t, cfg, keyRaw)
		after := srv.AuthSchemes()
		if after["ApiKey"] <= before["ApiKey"] || after["Basic"] != before["Basic"] || srv.AuthFailures() != 0 {
			t.Fatalf("schemes %v -> %v, failures %d", before, after, srv.AuthFailures())
		}
	})
	t.Run("api key (encoded) from the environment", func(t *testing.T) {
		cfg := base
		cfg.FromEnv(func(k string) string {
			return map[string]string{EnvAPIKey: keyEnc, EnvUsername: user, EnvPassword: badPass}[k]
		})
		if cfg.APIKey != keyEnc || cfg.Username != "" {
			t.Fatalf("FromEnv: %+v", cfg)
		}
		run(t, cfg, keyEnc)
	})
	t.Run("basic", func(t *testing.T) {
		cfg := base
		cfg.Username, cfg.Password = user, pass
		before := srv.AuthSchemes()["Basic"]
		run(t, cfg, pass)
		if srv.AuthSchemes()["Basic"] <= before {
			t.Fatal("no basic auth seen")
		}
	})
	t.Run("basic in the URL", func(t *testing.T) {
		cfg := base
		cfg.URLs = []string{strings.Replace(srv.URL, "http://", "http://"+user+":"+pass+"@", 1)}
		s := newSink(t, cfg)
		check(t, "cluster", s.Cluster().String())
		if strings.Contains(s.Cluster().Address, "@") {
			t.Fatalf("address %q", s.Cluster().Address)
		}
		s.Close(context.Background())
	})
	t.Run("refused", func(t *testing.T) {
		fails := srv.AuthFailures()
		for _, cfg := range []Config{
			{URLs: base.URLs, APIKey: "bm9wZTpub3BlLW5vcGUtbm9wZQ=="},
			{URLs: base.URLs, Username: user, Password: badPass},
			{URLs: []string{strings.Replace(srv.URL, "http://", "http://"+user+":"+badPass+"@", 1)}},
			{URLs: base.URLs},
		} {
			_, err := New(cfg)
			if err == nil {
				t.Fatal("wrong credentials accepted")
			}
			check(t, "error", err.Error())
			check(t, "error", fmt.Sprintf("%#v", err))
			if !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "refused to authenticate") {
				t.Fatalf("error %v", err)
			}
		}
		if srv.AuthFailures() != fails+4 {
			t.Fatalf("auth failures %d", srv.AuthFailures()-fails)
		}
	})
	check(t, "progress output", out.String())
	if !strings.Contains(out.String(), "documents done") {
		t.Fatalf("no progress lines: %q", out.String())
	}
}
