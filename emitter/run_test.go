package emitter_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/rules"
)

var runEnd = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

// runSetup builds an emitter for one of the run tests' modes.
type runSetup struct {
	name    string
	opts    emitter.Options
	queries []string
	rules   []*rules.Rule
	plan    emitter.Plan
}

func runSetups() []runSetup {
	start := runEnd.Add(-24 * time.Hour)
	return []runSetup{
		{name: "kql query", opts: emitter.Options{Seed: 3, Start: start, End: runEnd, Count: 1500},
			queries: []string{`process.name : *.exe and event.category : process`}, plan: emitter.Plan{Count: 1500}},
		{name: "minimal", opts: emitter.Options{Seed: 4, Start: start, End: runEnd, Minimal: true, Count: 2000},
			queries: []string{`process.name : *.exe`}, plan: emitter.Plan{Count: 2000}},
		{name: "queries picked at random with an eql sequence", opts: emitter.Options{Seed: 5, Start: start, End: runEnd, Count: 900},
			queries: []string{
				`sequence by host.id with maxspan=1m [process where process.name == "cmd.exe"] [network where destination.port == 443]`,
				`user.name : alice and event.outcome : failure`,
				`file where file.path : "C:\\Windows\\*" and file.extension == "dll"`,
			}, plan: emitter.Plan{Count: 900}},
		{name: "rules per rule", opts: emitter.Options{Seed: 6, End: runEnd, PerRule: 60},
			rules: []*rules.Rule{
				{ID: "q", Name: "query", Type: rules.TypeQuery, Language: rules.LangKuery, Index: []string{"logs-endpoint.events.*"},
					Query: `event.category : process and process.name : (powershell.exe or pwsh.exe)`, From: "now-6m", Interval: "5m"},
				{ID: "s", Name: "sequence", Type: rules.TypeEQL, Language: rules.LangEQL, Index: []string{"logs-endpoint.events.*"},
					Query: `sequence by user.name with maxspan=30s [authentication where event.outcome == "failure"] [authentication where event.outcome == "success"]`,
					From:  "now-9m", Interval: "5m"},
				{ID: "t", Name: "threshold", Type: rules.TypeThreshold, Language: rules.LangKuery, Index: []string{"logs-system.auth-*"},
					Query: `event.category : authentication and event.outcome : failure`, From: "now-6m", Interval: "5m",
					Threshold: &rules.Threshold{Field: []string{"source.ip"}, Value: 5, Cardinality: []rules.Cardinality{{Field: "user.name", Value: 3}}}},
				{ID: "n", Name: "new terms", Type: rules.TypeNewTerms, Language: rules.LangKuery, Index: []string{"logs-endpoint.events.*"},
					Query: `event.category : process and process.name : *`, From: "now-6m", Interval: "5m",
					NewTerms: &rules.NewTerms{Fields: []string{"host.id", "process.executable"}, HistoryWindowStart: "now-7d"}},
				threatRule(),
			}, plan: emitter.Plan{PerRule: 60}},
		{name: "rules picked at random", opts: emitter.Options{Seed: 7, End: runEnd},
			rules: []*rules.Rule{
				{ID: "q", Name: "query", Type: rules.TypeQuery, Language: rules.LangKuery, Index: []string{"logs-endpoint.events.*"},
					Query: `event.category : network and destination.port < 1024`, From: "now-6m", Interval: "5m"},
				{ID: "t", Name: "threshold", Type: rules.TypeThreshold, Language: rules.LangKuery, Index: []string{"logs-system.auth-*"},
					Query: `event.category : authentication`, From: "now-6m", Interval: "5m",
					Threshold: &rules.Threshold{Field: []string{"user.name"}, Value: 20}},
				threatRule(),
			}, plan: emitter.Plan{Count: 1200}},
	}
}

func (s runSetup) emitter(t testing.TB) *emitter.Emitter {
	t.Helper()
	e := emitter.New(s.opts)
	for _, q := range s.queries {
		if _, err := e.AddQuery(q, query.Guess); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, r := range s.rules {
		if _, err := e.AddRule(r, nil); err != nil {
			t.Fatalf("rule %s: %v", r.Name, err)
		}
	}
	return e
}

// runDoc is a document of a run with its run-wide number.
type runDoc struct {
	seq   int64
	index string
	body  string
}

func collect(t testing.TB, e *emitter.Emitter, p emitter.Plan) []runDoc {
	t.Helper()
	var out []runDoc
	mine := map[*emitter.Source]bool{}
	for _, src := range e.Sources() {
		mine[src] = true
	}
	err := e.Run(context.Background(), p, func(docs []emitter.Document, seq int64) error {
		for i, d := range docs {
			if !mine[d.From] {
				t.Fatalf("document %d comes from a source the emitter does not have", seq+int64(i))
			}
			out = append(out, runDoc{seq + int64(i), d.Index, string(d.Source)})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func render(docs []runDoc) []byte {
	var b bytes.Buffer
	for _, d := range docs {
		fmt.Fprintf(&b, "%d %s %s\n", d.seq, d.index, d.body)
	}
	return b.Bytes()
}

// TestRunJobsDeterministic: 1, 2 and 8 goroutines draw the same
// documents, in the same order with the same numbers, in every mode; the
// numbers count the documents from 1 without a gap.
func TestRunJobsDeterministic(t *testing.T) {
	for _, s := range runSetups() {
		t.Run(s.name, func(t *testing.T) {
			var want []byte
			for _, jobs := range []int{1, 2, 8} {
				p := s.plan
				p.Jobs = jobs
				docs := collect(t, s.emitter(t), p)
				if len(docs) == 0 {
					t.Fatal("no documents")
				}
				for i, d := range docs {
					if d.seq != int64(i+1) {
						t.Fatalf("jobs %d: document %d numbered %d", jobs, i+1, d.seq)
					}
				}
				got := render(docs)
				if want == nil {
					want = got
					if n := s.emitter(t).Docs(p); n != int64(len(docs)) {
						t.Errorf("Docs says %d documents, the run has %d", n, len(docs))
					}
					continue
				}
				if !bytes.Equal(got, want) {
					t.Errorf("jobs %d: documents differ from jobs 1 (%d and %d bytes)", jobs, len(got), len(want))
				}
			}
		})
	}
}

// TestRunReproducible: the same emitter run twice (state left by the
// first run) gives the same documents as a new one.
func TestRunReproducible(t *testing.T) {
	s := runSetups()[2]
	e := s.emitter(t)
	first := render(collect(t, e, s.plan))
	if _, err := e.Next(); err != nil {
		t.Fatal(err)
	}
	p := s.plan
	p.Jobs = 3
	if again := render(collect(t, e, p)); !bytes.Equal(first, again) {
		t.Error("a second run of the same emitter differs")
	}
}

// TestRunShards: the shards of a run are disjoint and together the run:
// the same documents with the same numbers; every shard has some.
func TestRunShards(t *testing.T) {
	for _, s := range runSetups() {
		t.Run(s.name, func(t *testing.T) {
			whole := collect(t, s.emitter(t), s.plan)
			for _, n := range []int{2, 3, 5} {
				var union []runDoc
				seen := map[int64]bool{}
				for i := 1; i <= n; i++ {
					p := s.plan
					p.Shard, p.Shards, p.Jobs = i, n, 1+i%3
					part := collect(t, s.emitter(t), p)
					if len(part) == 0 {
						t.Errorf("shard %d/%d is empty", i, n)
					}
					if got := s.emitter(t).Docs(p); got != int64(len(part)) {
						t.Errorf("shard %d/%d: Docs says %d, drew %d", i, n, got, len(part))
					}
					for _, d := range part {
						if seen[d.seq] {
							t.Fatalf("shard %d/%d: document %d is in another shard too", i, n, d.seq)
						}
						seen[d.seq] = true
					}
					union = append(union, part...)
				}
				sort.Slice(union, func(i, j int) bool { return union[i].seq < union[j].seq })
				if !bytes.Equal(render(union), render(whole)) {
					t.Errorf("%d shards: their union (%d documents) is not the run (%d)", n, len(union), len(whole))
				}
			}
		})
	}
}

// TestRunNewTermsWholeRun: with PerRule, a new_terms rule's combinations
// are new across the run, however many goroutines draw it.
func TestRunNewTermsWholeRun(t *testing.T) {
	s := runSetups()[3]
	s.rules = s.rules[3:4]
	for _, jobs := range []int{1, 4} {
		p := s.plan
		p.Jobs = jobs
		seen := map[string]bool{}
		for _, d := range collect(t, s.emitter(t), p) {
			key := field([]byte(d.body), "host.id") + field([]byte(d.body), "process.executable")
			if seen[key] {
				t.Fatalf("jobs %d: combination %s repeats", jobs, key)
			}
			seen[key] = true
		}
	}
}

// TestRunErrors: a generation error stops the run after the documents of
// the matches before it, the same with any number of goroutines; an error
// of the callback stops it too; a bad shard is refused.
func TestRunErrors(t *testing.T) {
	s := runSetups()[3]
	s.rules = s.rules[3:4]
	// Two hosts and process.executable from a short list: the new
	// combinations run out.
	s.opts.Hosts = 1
	s.plan.PerRule = 5000
	var want string
	for _, jobs := range []int{1, 4} {
		p := s.plan
		p.Jobs = jobs
		var n int
		err := s.emitter(t).Run(context.Background(), p, func(docs []emitter.Document, _ int64) error { n += len(docs); return nil })
		var re *emitter.RunError
		if !errors.As(err, &re) || re.Source == nil {
			t.Fatalf("jobs %d: got %v, want a *emitter.RunError", jobs, err)
		}
		if n != re.Match-1 {
			t.Errorf("jobs %d: %d documents before the error of match %d", jobs, n, re.Match)
		}
		got := fmt.Sprint(n, err)
		if want == "" {
			want = got
		} else if got != want {
			t.Errorf("jobs %d: %s, jobs 1: %s", jobs, got, want)
		}
	}
	stop := errors.New("stop")
	for _, jobs := range []int{1, 4} {
		calls := 0
		err := runSetups()[0].emitter(t).Run(context.Background(), emitter.Plan{Count: 100000, Jobs: jobs}, func([]emitter.Document, int64) error {
			calls++
			return stop
		})
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("jobs %d: %v after %d calls, want stop after 1", jobs, err, calls)
		}
	}
	for _, p := range []emitter.Plan{{Count: 1, Shard: 0, Shards: 2}, {Count: 1, Shard: 3, Shards: 2}} {
		if err := runSetups()[0].emitter(t).Run(context.Background(), p, func([]emitter.Document, int64) error { return nil }); err == nil || !strings.Contains(err.Error(), "shard") {
			t.Errorf("shard %d/%d: %v", p.Shard, p.Shards, err)
		}
	}
}

// TestFork: a fork draws, chunk for chunk, what the emitter draws.
func TestFork(t *testing.T) {
	s := runSetups()[3]
	e := s.emitter(t)
	f, err := e.Fork()
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Sources()) != len(e.Sources()) {
		t.Fatalf("the fork has %d sources, want %d", len(f.Sources()), len(e.Sources()))
	}
	if a, b := render(collect(t, e, s.plan)), render(collect(t, f, s.plan)); !bytes.Equal(a, b) {
		t.Error("the fork's run differs")
	}
}
