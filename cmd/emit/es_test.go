package main

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/emit-sec/emit/internal/fakees"
)

func TestElasticsearchSink(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	code, out, errs := runEmit(t, "--query", "process.name : *.exe and destination.port < 1024", "-n", "500",
		"--seed", "7", "--end", "2024-01-01T00:00:00Z",
		"--es-url", srv.URL, "--index", "emit-test", "--create-index", "--replicas", "0", "--flush-bytes", "4096")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	if out != "" {
		t.Errorf("stdout should be empty, got %q", out)
	}
	if n := srv.Count("emit-test"); n != 500 {
		t.Errorf("%d documents indexed, want 500", n)
	}
	if !strings.Contains(errs, "500 sent, 500 indexed, 0 failed") {
		t.Errorf("summary:\n%s", errs)
	}
	m := srv.Mapping("emit-test")
	if !strings.Contains(toJSON(t, m), `"port"`) {
		t.Errorf("index created without the emitted mappings: %v", m)
	}
	// A rerun with the same seed replaces its own documents: deterministic ids.
	if code, _, errs := runEmit(t, "--query", "process.name : *.exe and destination.port < 1024", "-n", "500",
		"--seed", "7", "--end", "2024-01-01T00:00:00Z", "--es-url", srv.URL, "--index", "emit-test"); code != 0 {
		t.Fatalf("rerun: exit %d:\n%s", code, errs)
	}
	if n := srv.Count("emit-test"); n != 500 {
		t.Errorf("after a rerun with the same seed: %d documents, want 500", n)
	}
}

func TestElasticsearchBulkFileEquivalence(t *testing.T) {
	direct := fakees.NewForTest(t, fakees.Options{AllowAutoCreate: true})
	viaFile := fakees.NewForTest(t, fakees.Options{AllowAutoCreate: true})
	args := []string{"--query", "user.name : alice and event.outcome : failure", "-n", "50", "--seed", "3", "--end", "2024-01-01T00:00:00Z", "--index", "auth", "--minimal"}
	if code, _, errs := runEmit(t, append(args, "--es-url", direct.URL, "--no-ids", "--create-index")...); code != 0 {
		t.Fatalf("direct: exit %d:\n%s", code, errs)
	}
	code, bulk, errs := runEmit(t, append(args, "--format", "bulk")...)
	if code != 0 {
		t.Fatalf("bulk: exit %d:\n%s", code, errs)
	}
	if _, err := viaFile.PostBulk([]byte(bulk)); err != nil {
		t.Fatal(err)
	}
	if d := fakees.Diff(direct, viaFile, 5); len(d) > 0 {
		// ids differ (assigned by the server); compare the sources.
		a, b := direct.Documents()["auth"], viaFile.Documents()["auth"]
		if len(a) != len(b) || len(a) != 50 {
			t.Fatalf("direct %d documents, via file %d", len(a), len(b))
		}
		set := map[string]int{}
		for _, src := range a {
			set[string(src)]++
		}
		for _, src := range b {
			set[string(src)]--
		}
		for s, n := range set {
			if n != 0 {
				t.Errorf("document differs between the sink and the bulk file: %s", s)
			}
		}
	}
}

func TestElasticsearchFailuresAndAuth(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{APIKey: base64.StdEncoding.EncodeToString([]byte("id:s3cr3t-key"))})
	// Wrong mapping: the index maps process.name as long; emit refuses to send.
	args := []string{"--query", "process.name : *.exe", "-n", "10", "--es-url", srv.URL, "--index", "bad"}
	t.Setenv("ELASTIC_API_KEY", "id:s3cr3t-key")
	srv.FailBulks(func(n int64) fakees.Fault {
		if n == 1 {
			return fakees.Fault{Status: 429}
		}
		return fakees.Fault{}
	})
	code, _, errs := runEmit(t, append(args, "--create-index")...)
	if code != 0 {
		t.Fatalf("a 429 is retried: exit %d:\n%s", code, errs)
	}
	if srv.Count("bad") != 10 {
		t.Errorf("%d documents, want 10", srv.Count("bad"))
	}
	if strings.Contains(errs, "s3cr3t") {
		t.Errorf("the secret leaked:\n%s", errs)
	}
	// Without credentials: a clear error, exit 1, no secret.
	t.Setenv("ELASTIC_API_KEY", "id:wrong-key")
	code, _, errs = runEmit(t, args...)
	if code != 1 || strings.Contains(errs, "wrong-key") {
		t.Errorf("bad credentials: exit %d:\n%s", code, errs)
	}
}

func TestElasticsearchDryRunAndUsage(t *testing.T) {
	code, out, errs := runEmit(t, "--query", "process.name : x", "-n", "3", "--index", "x", "--dry-run")
	if code != 0 || out != "" || !strings.Contains(errs, "dry run") || !strings.Contains(errs, "x") {
		t.Errorf("dry run: exit %d, stdout %q:\n%s", code, out, errs)
	}
	if code, _, errs := runEmit(t, "--query", "a : b", "--es-url", "http://127.0.0.1:1"); code != 1 || !strings.Contains(errs, "--index") {
		t.Errorf("no index: exit %d:\n%s", code, errs)
	}
	if code, _, errs := runEmit(t, "--query", "a : b", "--index", "x", "--es-url", "http://127.0.0.1:1", "-o", "f"); code != 1 || !strings.Contains(errs, "not both") {
		t.Errorf("es and output: exit %d:\n%s", code, errs)
	}
	// An unreachable cluster is told with its cause, not as a deadline
	// after the retry budget, whatever the retry settings and timeout.
	for _, extra := range [][]string{nil, {"--max-retries", "1"}, {"--es-timeout", "30s"}} {
		args := append([]string{"--query", "a : b", "--index", "x", "--es-url", "http://127.0.0.1:1"}, extra...)
		code, _, errs := runEmit(t, args...)
		if code != 1 || strings.Contains(errs, "panic") || !strings.Contains(errs, "connection refused") || strings.Contains(errs, "deadline") {
			t.Errorf("connection refused %v: exit %d:\n%s", extra, code, errs)
		}
	}
	if code, _, errs := runEmit(t, "--query", "a : b", "--index", "x", "--es-url", "http://127.0.0.1:1", "--max-retries", "1"); code != 1 || strings.Contains(errs, "panic") || !strings.Contains(errs, "cannot reach") {
		t.Errorf("connection refused: exit %d:\n%s", code, errs)
	}
}

// A busy cluster (13% of the bulk requests fail, 5% of the documents are
// rejected with 429): every document arrives once and emit exits 0. The
// backoff is shortened to keep the test fast; the sink's tests run the
// default settings on a faster clock.
func TestElasticsearchBusyCluster(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	srv.FailRandomly(fakees.Mix{Seed: 11, Status503: 0.05, DropBefore: 0.03, CloseAfter: 0.05, Item429: 0.05})
	code, _, errs := runEmit(t, "--query", "process.name : *.exe", "-n", "3000", "--seed", "5",
		"--es-url", srv.URL, "--index", "faults", "--create-index", "--flush-bytes", "20000", "--flush-interval", "50ms",
		"--retry-backoff", "5ms", "--retry-backoff-max", "100ms")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	if n := srv.Count("faults"); n != 3000 || srv.TotalDocs() != 3000 {
		t.Fatalf("%d documents stored, want 3000", n)
	}
	if !strings.Contains(errs, "3000 sent, 3000 indexed, 0 failed in") || strings.Contains(errs, "unconfirmed") {
		t.Fatalf("summary:\n%s", errs)
	}
}

func TestElasticsearchRetryFlags(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	args := []string{"--query", "process.name : *.exe", "-n", "20", "--es-url", srv.URL, "--index", "r", "--create-index",
		"--retry-backoff", "10ms", "--retry-backoff-max", "20ms"}
	if code, _, errs := runEmit(t, append(args, "--max-retries", "-1")...); code != 1 || !strings.Contains(errs, "--max-retries must not be negative") {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	// --max-retries 0: a rejected document is not retried.
	srv.FailBulk(1, fakees.Fault{Status: 429})
	code, _, errs := runEmit(t, append(args, "--max-retries", "0", "--workers", "1")...)
	if code != 1 || !strings.Contains(errs, "20 sent, 0 indexed, 20 failed") || !strings.Contains(errs, "es_rejected_execution_exception (retries exhausted)") {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	// A cluster that accepts nothing for a whole --retry-timeout: emit
	// stops and says why.
	srv.FailBulks(func(int64) fakees.Fault { return fakees.Fault{Status: 503} })
	code, _, errs = runEmit(t, "--query", "process.name : *.exe", "-n", "100000", "--es-url", srv.URL, "--index", "r",
		"--flush-bytes", "2000", "--retry-timeout", "300ms", "--retry-backoff", "10ms", "--retry-backoff-max", "50ms")
	if code != 1 || !strings.Contains(errs, "emit: stopped after") ||
		!strings.Contains(errs, "Elasticsearch accepted no document for 300ms (--retry-timeout): giving up") {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
}
