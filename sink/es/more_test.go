package es

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esutil"
	"github.com/emit-sec/emit/internal/fakees"
)

// The sink holds a bounded number of documents however many are sent.
func TestMemoryStaysFlat(t *testing.T) {
	n := 200_000
	if testing.Short() {
		n = 20_000
	}
	srv := fakees.NewForTest(t, fakees.Options{DiscardSources: true})
	cfg := fastConfig(srv)
	cfg.FlushBytes = 8 << 10
	s := newSink(t, cfg)
	sum := send(t, s, n)
	if !sum.OK() || sum.Indexed != int64(n) || srv.Count(testIndex) != n {
		t.Fatalf("summary %s", sum)
	}
	limit := int64((2*cfg.Workers + 1) * cfg.FlushBytes)
	if sum.MaxInFlightBytes > limit {
		t.Fatalf("held %d bytes at once, limit %d", sum.MaxInFlightBytes, limit)
	}
	// Documents are ~170 bytes: the bound is a few hundred documents.
	if sum.MaxInFlight > limit/150 {
		t.Fatalf("held %d documents at once (of %d)", sum.MaxInFlight, n)
	}
	t.Logf("%d documents, at most %d (%d bytes) held at once, %d bulk requests", n, sum.MaxInFlight, sum.MaxInFlightBytes, sum.Requests)
}

// bulkFile renders documents as the NDJSON of `emit --format bulk`.
func bulkFile(docs []Doc) []byte {
	var b bytes.Buffer
	for _, d := range docs {
		fmt.Fprintf(&b, `{"index":{"_index":%q,"_id":%q}}`+"\n", d.Index, d.ID)
		b.Write(d.Body)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// A bulk file posted with curl gives the same indices and documents as the
// direct sink.
func TestBulkFileSameAsSink(t *testing.T) {
	direct := fakees.NewForTest(t, fakees.Options{})
	viaFile := fakees.NewForTest(t, fakees.Options{})
	var docs []Doc
	for i := 0; i < 1000; i++ {
		docs = append(docs, testDoc(testIndex, i))
	}
	s := newSink(t, fastConfig(direct))
	sum := send(t, s, len(docs))
	if !sum.OK() {
		t.Fatal(sum)
	}
	// The user creates the index with the mappings emit prints, then
	// posts the file.
	put(t, viaFile, "/"+testIndex, `{"mappings":`+testMappings+`}`)
	res, err := viaFile.PostBulk(bulkFile(docs))
	if err != nil || res.Errors || len(res.Items) != len(docs) {
		t.Fatalf("PostBulk: %v (errors %v)", err, res != nil && res.Errors)
	}
	if d := fakees.Diff(direct, viaFile, 10); d != nil {
		t.Fatalf("the bulk file and the sink differ:\n%s", strings.Join(d, "\n"))
	}
	if fmt.Sprint(direct.Mapping(testIndex)) != fmt.Sprint(viaFile.Mapping(testIndex)) {
		t.Fatal("mappings differ")
	}
	// And a difference is seen.
	if _, err := viaFile.PostBulk(bulkFile([]Doc{{Index: testIndex, ID: docs[3].ID, Body: []byte(`{"process":{"name":"other"}}`)}})); err != nil {
		t.Fatal(err)
	}
	if d := fakees.Diff(direct, viaFile, 10); len(d) != 1 {
		t.Fatalf("diff %v", d)
	}
}

func TestNotElasticsearch(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"name":"x","version":{"number":"2.11.0","distribution":"opensearch"}}`)
	}))
	defer other.Close()
	_, err := New(Config{URLs: []string{other.URL}})
	if err == nil || !strings.Contains(err.Error(), "is not Elasticsearch") {
		t.Fatalf("err %v", err)
	}
}

func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = New(Config{URLs: []string{"http://elastic:Secret-Pass-123@" + addr}, MaxRetries: -1, Timeout: 2 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "cannot reach Elasticsearch at http://"+addr) ||
		!strings.Contains(err.Error(), "is Elasticsearch running") || strings.Contains(err.Error(), "Secret-Pass-123") {
		t.Fatalf("err %v", err)
	}
	if !errors.Is(err, err) {
		t.Fatal("errors.Is")
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "no Elasticsearch address"},
		{Config{URLs: []string{"localhost:9200"}}, "bad Elasticsearch URL"},
		{Config{URLs: []string{"ftp://x"}}, "bad Elasticsearch URL"},
		{Config{URLs: []string{"http://x"}, CloudID: "c:abc"}, "not both"},
		{Config{URLs: []string{"http://x"}, Workers: -1}, "negative"},
		{Config{URLs: []string{"http://x"}, Replicas: ptr(-1)}, "--replicas"},
		{Config{URLs: []string{"http://x"}, CACert: "/nonexistent/ca.pem"}, "cannot read the CA certificate"},
	} {
		_, err := New(c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err %v, want %q", c.cfg, err, c.want)
		}
	}
	// A URL that doesn't parse still has its password hidden.
	_, err := New(Config{URLs: []string{"http://user:Hidden-Pass-99@exa mple:92x00"}})
	if err == nil || strings.Contains(err.Error(), "Hidden-Pass-99") {
		t.Fatalf("err %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestFromEnv(t *testing.T) {
	env := map[string]string{
		EnvURL: "http://a:9200, http://b:9200", EnvAPIKey: "k", EnvUsername: "u", EnvPassword: "p", EnvCloudID: "cloud",
	}
	get := func(k string) string { return env[k] }
	var c Config
	c.FromEnv(get)
	if len(c.URLs) != 2 || c.URLs[1] != "http://b:9200" || c.CloudID != "" || c.APIKey != "k" || c.Username != "" {
		t.Fatalf("%+v", c)
	}
	// Flags win; the password completes a username given as a flag.
	c = Config{URLs: []string{"http://flag:9200"}, Username: "flaguser"}
	c.FromEnv(get)
	if len(c.URLs) != 1 || c.APIKey != "" || c.Username != "flaguser" || c.Password != "p" {
		t.Fatalf("%+v", c)
	}
	c = Config{}
	c.FromEnv(func(k string) string {
		return map[string]string{EnvCloudID: "cloud", EnvUsername: "u", EnvPassword: "p"}[k]
	})
	if c.CloudID != "cloud" || c.Username != "u" || c.Password != "p" {
		t.Fatalf("%+v", c)
	}
}

func TestTLS(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{TLS: true})
	if !strings.HasPrefix(srv.URL, "https://") {
		t.Fatal(srv.URL)
	}
	_, err := New(Config{URLs: []string{srv.URL}, MaxRetries: -1})
	if err == nil || !strings.Contains(err.Error(), "--ca-cert") {
		t.Fatalf("untrusted certificate: %v", err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, srv.CACertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{URLs: []string{srv.URL}, CACert: ca})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings()) != 0 {
		t.Fatalf("warnings %v", s.Warnings())
	}
	if err := s.Add(context.Background(), Doc{Index: "tls", ID: "1", Body: []byte(`{"a":1}`)}); err != nil {
		t.Fatal(err)
	}
	if sum, err := s.Close(context.Background()); err == nil {
		// The index doesn't exist and auto-creation is off: reported.
		if sum.Failed != 1 || !strings.Contains(sum.FailureReasons[0].Reason, "index_not_found_exception") {
			t.Fatalf("summary %s", sum)
		}
	} else {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.pem")
	os.WriteFile(bad, []byte("not a certificate"), 0o600)
	if _, err := New(Config{URLs: []string{srv.URL}, CACert: bad}); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Fatalf("bad CA: %v", err)
	}
	s, err = New(Config{URLs: []string{srv.URL}, Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	if w := s.Warnings(); len(w) != 1 || !strings.Contains(w[0], "verification is disabled") {
		t.Fatalf("warnings %v", w)
	}
	s.Close(context.Background())

	plain := fakees.NewForTest(t, fakees.Options{})
	s, err = New(Config{URLs: []string{plain.URL}, Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	if w := s.Warnings(); len(w) != 1 || !strings.Contains(w[0], "no effect") {
		t.Fatalf("warnings %v", w)
	}
	plan, _ := s.Prepare(context.Background(), nil)
	if !strings.Contains(plan.String(), "warning: --insecure has no effect") {
		t.Fatalf("plan %s", plan)
	}
	s.Close(context.Background())
}

// Close with a context that ends first: the unconfirmed documents are
// counted failed and the counts still add up.
func TestCloseInterrupted(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	srv.FailBulks(func(k int64) fakees.Fault { return fakees.Fault{Delay: time.Minute} })
	cfg := fastConfig(srv)
	cfg.Timeout = time.Minute
	// Nothing is flushed before Close.
	cfg.FlushBytes, cfg.FlushInterval = 1<<20, time.Hour
	s := newSink(t, cfg)
	ctx := context.Background()
	if _, err := s.Prepare(ctx, []Target{{Index: testIndex, Mappings: []byte(testMappings), Create: true}}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 60; i++ {
		if err := s.Add(ctx, testDoc(testIndex, i)); err != nil {
			t.Fatal(err)
		}
	}
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	sum, err := s.Close(cctx)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatalf("Close took %s", time.Since(start))
	}
	// The bulks were sent (and the server applied them): unconfirmed,
	// not failed.
	if sum.Sent != 60 || sum.Indexed != 0 || sum.Failed != 0 || sum.Unconfirmed != 60 || sum.Slowdowns != 0 {
		t.Fatalf("summary %s", sum)
	}
	for _, g := range sum.UnconfirmedReasons {
		if g.Reason != "the run was interrupted" {
			t.Fatalf("reason %q", g.Reason)
		}
	}
	if !strings.Contains(sum.String(), "60 unconfirmed (may have been written): the run was interrupted (documents #") {
		t.Fatalf("summary text %s", sum)
	}
	if err := s.Add(ctx, testDoc(testIndex, 1)); err == nil {
		t.Fatal("Add after Close accepted")
	}
}

// Add blocks on back-pressure and gives up with its context.
func TestAddHonoursContext(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{AllowAutoCreate: true})
	srv.FailBulks(func(int64) fakees.Fault { return fakees.Fault{Delay: time.Minute} })
	cfg := fastConfig(srv)
	cfg.Timeout = time.Minute
	cfg.MaxInFlightBytes = 2000
	s := newSink(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var err error
	taken := 0
	for i := 0; i < 1000 && err == nil; i++ {
		if err = s.Add(ctx, testDoc("bp", i)); err == nil {
			taken++
		}
	}
	if !errors.Is(err, context.DeadlineExceeded) || taken == 0 || taken > 20 {
		t.Fatalf("taken %d, err %v", taken, err)
	}
	cctx, ccancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer ccancel()
	sum, _ := s.Close(cctx)
	if sum.Sent != int64(taken) || sum.Indexed+sum.Failed+sum.Unconfirmed != sum.Sent {
		t.Fatalf("taken %d, summary %s", taken, sum)
	}
}

func TestAddValidates(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{AllowAutoCreate: true})
	s := newSink(t, fastConfig(srv))
	ctx := context.Background()
	if err := s.Add(ctx, Doc{ID: "x", Body: []byte(`{}`)}); err == nil {
		t.Fatal("document without index accepted")
	}
	if err := s.Add(ctx, Doc{Index: "v", Seq: 9, Body: []byte("{\n\"a\":\n")}); err == nil || !strings.Contains(err.Error(), "#9") {
		t.Fatalf("invalid JSON: %v", err)
	}
	if err := s.Add(ctx, Doc{Index: "v", ID: "pretty", Body: []byte("{\n  \"a\": 1,\n  \"b\": \"x\"\n}\n")}); err != nil {
		t.Fatal(err)
	}
	sum, err := s.Close(ctx)
	if err != nil || !sum.OK() || sum.Sent != 1 {
		t.Fatalf("summary %s, err %v", sum, err)
	}
	if src, _, _ := srv.Doc("v", "pretty"); string(src) != `{"a":1,"b":"x"}` {
		t.Fatalf("stored %q", src)
	}
}

func TestProgress(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	for _, tty := range []bool{false, true} {
		var out bytes.Buffer
		cfg := fastConfig(srv)
		cfg.Progress, cfg.ProgressTTY, cfg.ProgressTotal, cfg.ProgressInterval = &out, tty, 3000, 10*time.Millisecond
		s := newSink(t, cfg)
		ctx := context.Background()
		idx := fmt.Sprintf("progress-%v", tty)
		if _, err := s.Prepare(ctx, []Target{{Index: idx, Create: true}}); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3000; i++ {
			if err := s.Add(ctx, testDoc(idx, i)); err != nil {
				t.Fatal(err)
			}
			if i%500 == 0 {
				time.Sleep(15 * time.Millisecond)
			}
		}
		if _, err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
		text := out.String()
		if !tty && !strings.Contains(text, "/3000 (") {
			t.Fatalf("plain progress: %q", text)
		}
		if tty && !strings.Contains(text, "elasticsearch") {
			t.Fatalf("progress bar: %q", text)
		}
	}
}

func TestDryRun(t *testing.T) {
	out := DryRun([]Target{
		{Index: testIndex, Mappings: []byte(testMappings), Create: true},
		{Index: "logs-endpoint.events.process-default", Mappings: []byte(`{"properties":{"@timestamp":{"type":"date"}}}`)},
		{Index: testIndex, Mappings: []byte(`{"properties":{"host":{"properties":{"name":{"type":"keyword"}}}}}`), Create: true},
	}, map[string]int64{testIndex: 100, "logs-endpoint.events.process-default": 50})
	for _, want := range []string{
		"dry run: nothing is sent",
		"emit-test: 100 documents, op_type index; created with these mappings if missing (--create-index); 5 fields:",
		`"ip": {`,
		`"name": {`,
		"logs-endpoint.events.process-default: 50 documents, op_type create; looks like a data stream",
		"total: 150 documents to 2 indices",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run lacks %q:\n%s", want, out)
		}
	}
}

func TestMergeTargetsDisagree(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	s := newSink(t, fastConfig(srv))
	defer s.Close(context.Background())
	_, err := s.Prepare(context.Background(), []Target{
		{Index: "m", Mappings: []byte(`{"properties":{"a":{"type":"long"}}}`), Create: true},
		{Index: "m", Mappings: []byte(`{"properties":{"a":{"type":"keyword"}}}`), Create: true},
	})
	if err == nil || !strings.Contains(err.Error(), "a is long in one, keyword in another") || len(srv.Indices()) != 0 {
		t.Fatalf("err %v", err)
	}
}

func TestCompareMappings(t *testing.T) {
	ours, err := parseMappingJSON([]byte(`{"properties":{
		"a.b":{"type":"keyword"}, "n":{"type":"integer"}, "f":{"type":"flattened"},
		"o":{"properties":{"x":{"type":"ip"}}}, "leaf":{"properties":{"y":{"type":"long"}}},
		"d":{"type":"date"}, "g":{"type":"geo_point"}, "u":{"type":"keyword"},
		"off":{"properties":{"z":{"type":"keyword"}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	theirs, _ := parseMappingJSON([]byte(`{"properties":{
		"a":{"properties":{"b":{"type":"keyword"}}}, "n":{"type":"long"}, "f":{"properties":{"k":{"type":"keyword"}}},
		"o":{"type":"keyword"}, "leaf":{"type":"keyword"}, "d":{"type":"long"},
		"g":{"type":"keyword"}, "off":{"type":"object","enabled":false}}}`))
	cs, notes := compareMappings("ix", ours, theirs)
	got := map[string]bool{}
	for _, c := range cs {
		got[fmt.Sprintf("%s %v", c.Field, c.Blocking)] = true
	}
	want := map[string]bool{"f false": true, "o.x true": true, "leaf.y true": true, "d true": true, "g true": true}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("conflicts %v, want %v\n%v", got, want, cs)
	}
	if len(notes) != 2 || !strings.Contains(notes[0], "1 field (u)") || !strings.Contains(notes[1], "doesn't index 1 field (off.z)") {
		t.Fatalf("notes %v", notes)
	}
	for _, c := range []struct {
		ours, theirs string
		ok, blocking bool
	}{
		{"long", "long", true, false},
		{"integer", "long", true, false},
		{"long", "integer", false, false},
		{"float", "double", true, false},
		{"keyword", "wildcard", false, false},
		{"keyword", "long", false, true},
		{"ip", "keyword", false, false},
		{"ip", "date", false, true},
		{"long", "date", false, false},
		{"keyword", "alias", false, true},
		{"boolean", "long", false, true},
	} {
		conf, ok := compatible(c.ours, c.theirs)
		if ok != c.ok || conf.Blocking != c.blocking {
			t.Errorf("%s -> %s: ok %v blocking %v", c.ours, c.theirs, ok, conf.Blocking)
		}
	}
}

func TestBulkDecoderChecksResultCount(t *testing.T) {
	var blk esutil.BulkIndexerResponse
	body := &countedBody{ReadCloser: io.NopCloser(strings.NewReader(`{"errors":false,"items":[{"index":{"status":201}}]}`)), items: 2}
	if err := (bulkDecoder{}).UnmarshalFromReader(body, &blk); err == nil || blk.Items != nil {
		t.Fatal("missing result not detected")
	}
	body = &countedBody{ReadCloser: io.NopCloser(strings.NewReader(`{"errors":false,"items":[{"index":{"status":201},"create":{"status":201}}]}`)), items: 1}
	if err := (bulkDecoder{}).UnmarshalFromReader(body, &blk); err == nil {
		t.Fatal("malformed result not detected")
	}
	body = &countedBody{ReadCloser: io.NopCloser(strings.NewReader(`{"errors":false,"items":[{"index":{"status":201}}]}`)), items: 1}
	if err := (bulkDecoder{}).UnmarshalFromReader(body, &blk); err != nil || len(blk.Items) != 1 {
		t.Fatal(err)
	}
}

func TestBackoff(t *testing.T) {
	st := &settings{Config: Config{RetryBackoff: 100 * time.Millisecond, RetryBackoffMax: time.Second}}
	maxRnd := func(n int64) int64 { return n - 1 }
	zero := func(int64) int64 { return 0 }
	for attempt, want := range map[int]time.Duration{1: 100, 2: 200, 3: 400, 4: 800, 5: 1000, 9: 1000} {
		want *= time.Millisecond
		if got := st.backoff(attempt, maxRnd); got != want {
			t.Errorf("attempt %d: %s, want %s", attempt, got, want)
		}
		if got := st.backoff(attempt, zero); got != want/2 {
			t.Errorf("attempt %d: jitter floor %s, want %s", attempt, got, want/2)
		}
	}
}

func BenchmarkSink(b *testing.B) {
	for _, workers := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			srv := fakees.NewForTest(b, fakees.Options{DiscardSources: true})
			cfg := Config{URLs: []string{srv.URL}, Workers: workers, FlushBytes: 1 << 20, FlushInterval: time.Second}
			s := newSink(b, cfg)
			ctx := context.Background()
			if _, err := s.Prepare(ctx, []Target{{Index: testIndex, Mappings: []byte(testMappings), Create: true}}); err != nil {
				b.Fatal(err)
			}
			docs := make([]Doc, 1024)
			for i := range docs {
				docs[i] = testDoc(testIndex, i)
			}
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				d := docs[i%len(docs)]
				d.ID = fmt.Sprintf("b-%d", i)
				d.Seq = int64(i)
				if err := s.Add(ctx, d); err != nil {
					b.Fatal(err)
				}
			}
			sum, err := s.Close(ctx)
			b.StopTimer()
			if err != nil || !sum.OK() {
				b.Fatalf("%v %s", err, sum)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "docs/s")
		})
	}
}

func TestConfigPrintHidesSecrets(t *testing.T) {
	c := Config{URLs: []string{"https://elastic:Pr1nted-Pass@host:9200"}, APIKey: "id:Pr1nted-Key", Password: "Pr1nted-Pass2", Replicas: ptr(0)}
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%v", &c)} {
		if strings.Contains(s, "Pr1nted") || !strings.Contains(s, "Replicas:0") {
			t.Fatalf("printed config: %s", s)
		}
	}
	err := &Error{msg: "m", cause: errors.New("Pr1nted-Key")}
	if strings.Contains(fmt.Sprintf("%#v %+v %v", err, err, err), "Pr1nted") {
		t.Fatal("error prints its cause")
	}
}
