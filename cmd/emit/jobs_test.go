package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/emit-sec/emit/internal/fakees"
	"github.com/emit-sec/emit/internal/shared"
)

// jobsModes are runs of emit whose output --jobs must not change.
func jobsModes(t *testing.T) map[string][]string {
	end := []string{"--seed", "11", "--end", "2024-06-01T12:00:00Z"}
	modes := map[string][]string{
		"query": append([]string{"--query", "process.name : *.exe and event.category : process", "-n", "1500",
			"--start", "2024-06-01T00:00:00Z"}, end...),
		"queries with an eql sequence, bulk with ids": append([]string{
			"--query", `sequence by host.id with maxspan=1m [process where process.name == "cmd.exe"] [network where destination.port == 443]`,
			"--query", "user.name : alice and event.outcome : failure",
			"-n", "700", "--format", "bulk", "--index", "logs-emit.test-default"}, end...),
		"minimal": append([]string{"--query", "destination.port < 1024", "-n", "3000", "--minimal"}, end...),
	}
	// The rules package: the subtest finds it (or skips).
	{
		zip := "{package}"
		modes["rules per rule: eql sequences and threshold"] = append([]string{"--rules", zip,
			"--type", "eql", "--type", "threshold", "--type", "query", "--tags", `"Domain: Endpoint" or Threshold or Windows`,
			"--per-rule", "3", "--format", "bulk", "--quiet"}, end...)
		modes["rules picked at random"] = append([]string{"--rules", zip, "--type", "eql", "--type", "threshold",
			"-n", "400", "--format", "bulk", "--quiet"}, end...)
	}
	return modes
}

// TestJobsSameOutput: -j 1, 2 and 8 print the same bytes, in every mode.
func TestJobsSameOutput(t *testing.T) {
	for name, args := range jobsModes(t) {
		t.Run(name, func(t *testing.T) {
			for i, a := range args {
				if a == "{package}" {
					args[i] = shared.Path(t, "rules/security_detection_engine-8.2.1.zip")
				}
			}
			var want string
			for _, j := range []string{"1", "2", "8"} {
				code, out, errs := runEmit(t, append(args, "-j", j)...)
				if code != 0 {
					t.Fatalf("-j %s: exit %d:\n%s", j, code, errs)
				}
				if j == "1" {
					want = out
					if strings.Count(out, "\n") < 100 {
						t.Fatalf("only %d lines", strings.Count(out, "\n"))
					}
					continue
				}
				if out != want {
					t.Errorf("-j %s prints other documents than -j 1 (%d and %d bytes)", j, len(out), len(want))
				}
			}
		})
	}
}

// bulkDocs reads a _bulk body: per document its _id (empty when none)
// and its source.
func bulkDocs(t *testing.T, body string) (ids []string, sources []string) {
	t.Helper()
	ls := lines(body)
	if len(ls)%2 != 0 {
		t.Fatalf("odd number of _bulk lines: %d", len(ls))
	}
	for i := 0; i < len(ls); i += 2 {
		var action map[string]struct {
			ID string `json:"_id"`
		}
		if err := json.Unmarshal([]byte(ls[i]), &action); err != nil {
			t.Fatalf("action line %q: %v", ls[i], err)
		}
		for _, a := range action {
			ids = append(ids, a.ID)
		}
		sources = append(sources, ls[i+1])
	}
	return ids, sources
}

// TestShardsAreTheRun: the shards of a run, written as _bulk files, are
// disjoint (no id twice) and together the unsharded run's documents with
// the same ids; sent to one cluster they leave exactly what the unsharded
// run leaves.
func TestShardsAreTheRun(t *testing.T) {
	args := []string{"--query", `sequence by host.id with maxspan=1m [process where process.name == "cmd.exe"] [network where destination.port == 443]`,
		"--query", "user.name : alice and event.outcome : failure", "-n", "2000",
		"--seed", "5", "--end", "2024-06-01T12:00:00Z", "--index", "logs-emit.shards-default"}
	code, whole, errs := runEmit(t, append(args, "--format", "bulk")...)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	wantIDs, wantSrc := bulkDocs(t, whole)
	want := map[string]string{}
	for i, id := range wantIDs {
		if id == "" {
			t.Fatal("a data stream document without an id")
		}
		want[id] = wantSrc[i]
	}
	const n = 3
	got := map[string]string{}
	for i := 1; i <= n; i++ {
		code, part, errs := runEmit(t, append(args, "--format", "bulk", "--shard", fmt.Sprintf("%d/%d", i, n), "-j", fmt.Sprint(i))...)
		if code != 0 {
			t.Fatalf("shard %d/%d: exit %d:\n%s", i, n, code, errs)
		}
		ids, srcs := bulkDocs(t, part)
		if len(ids) == 0 {
			t.Errorf("shard %d/%d is empty", i, n)
		}
		for k, id := range ids {
			if _, dup := got[id]; dup {
				t.Fatalf("shard %d/%d: id %s is in another shard too", i, n, id)
			}
			got[id] = srcs[k]
		}
	}
	if len(got) != len(want) {
		t.Fatalf("the shards have %d documents, the run %d", len(got), len(want))
	}
	for id, src := range want {
		if got[id] != src {
			t.Fatalf("document %s: the shards have\n%s\nthe run\n%s", id, got[id], src)
		}
	}

	// Into one cluster: the shards at once (as N machines would), and the
	// unsharded run into another; both hold the same documents.
	one := fakees.NewForTest(t, fakees.Options{})
	sharded := fakees.NewForTest(t, fakees.Options{})
	es := func(url string) []string { return []string{"--es-url", url, "--create-index", "--replicas", "0"} }
	if code, _, errs := runEmit(t, append(args, es(one.URL)...)...); code != 0 {
		t.Fatalf("unsharded: exit %d:\n%s", code, errs)
	}
	codes := make(chan string, n)
	for i := 1; i <= n; i++ {
		go func(i int) {
			code, _, errs := runEmit(t, append(args, append(es(sharded.URL), "--shard", fmt.Sprintf("%d/%d", i, n))...)...)
			if code != 0 {
				codes <- fmt.Sprintf("shard %d: exit %d:\n%s", i, code, errs)
				return
			}
			codes <- ""
		}(i)
	}
	for range n {
		if msg := <-codes; msg != "" {
			t.Error(msg)
		}
	}
	if d := fakees.Diff(one, sharded, 5); len(d) > 0 {
		t.Errorf("the shards' cluster differs from the unsharded run's:\n%s", strings.Join(d, "\n"))
	}
	if a, b := one.Count("logs-emit.shards-default"), sharded.Count("logs-emit.shards-default"); a != len(want) || b != a {
		t.Errorf("documents: unsharded %d, sharded %d, want %d", a, b, len(want))
	}
}

// TestJobsShardFlags: bad values are refused with a message.
func TestJobsShardFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-j", "0"}, "--jobs must be at least 1"},
		{[]string{"--shard", "0/2"}, "want 1 <= i <= N"},
		{[]string{"--shard", "3/2"}, "want 1 <= i <= N"},
		{[]string{"--shard", "2"}, "want i/N"},
		{[]string{"--shard", "a/b"}, "want i/N"},
	} {
		code, out, errs := runEmit(t, append([]string{"--query", "a : b", "--seed", "1", "--end", "2024-01-01T00:00:00Z"}, c.args...)...)
		if code == 0 || out != "" || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q (want %q)", c.args, code, out, errs, c.msg)
		}
	}
	// Without --seed or --end, each shard would draw another run.
	for _, args := range [][]string{{"--seed", "1"}, {"--end", "2024-01-01T00:00:00Z"}} {
		code, out, errs := runEmit(t, append([]string{"--query", "a : b", "--shard", "1/2"}, args...)...)
		if code == 0 || out != "" || !strings.Contains(errs, "--shard needs --seed and --end") {
			t.Errorf("--shard with only %v: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
	// A shard of a run shorter than the shards is empty, not an error.
	code, out, errs := runEmit(t, "--query", "a : b", "-n", "1", "--shard", "2/2", "--seed", "1", "--end", "2024-01-01T00:00:00Z")
	if code != 0 || out != "" {
		t.Errorf("empty shard: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
