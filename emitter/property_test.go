package emitter_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/check"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/solver"
	"github.com/emit-sec/emit/telemetry"
)

// corpus reads a query file: one query per line, "#" comments, and
// "!unsolvable " before queries that can never match.
func corpus(t *testing.T, name string) (solvable, unsolvable []string) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "!unsolvable "):
			unsolvable = append(unsolvable, strings.TrimPrefix(line, "!unsolvable "))
		default:
			solvable = append(solvable, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return solvable, unsolvable
}

// TestEveryDocumentMatches is the project's central property: every
// document emit prints satisfies the query it came from, as judged by the
// language's own evaluator, on a large table of queries.
func TestEveryDocumentMatches(t *testing.T) {
	for _, file := range []string{"kql/queries.txt", "eql/queries.txt"} {
		t.Run(file, func(t *testing.T) {
			solvable, unsolvable := corpus(t, file)
			sch := schema.Default()
			for _, q := range solvable {
				start := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
				e := emitter.New(emitter.Options{Schema: sch, Seed: 7, End: start})
				src, err := e.AddQuery(q, query.Guess)
				if err != nil {
					t.Errorf("%s\n  %v", q, err)
					continue
				}
				if err := check.Verify(e, src, 25); err != nil {
					t.Errorf("%s\n  %v", q, err)
				}
			}
			for _, q := range unsolvable {
				e := emitter.New(emitter.Options{Schema: sch})
				_, err := e.AddQuery(q, query.Guess)
				var ue *solver.UnsolvableError
				if !errors.As(err, &ue) {
					t.Errorf("%s\n  expected unsolvable, got %v", q, err)
				}
			}
		})
	}
}

// TestQueryDocumentsLookReal: on the query test sets, every document lies
// at or before the run's end, and the consistency rules of real telemetry
// hold in most documents they apply to (a query may demand otherwise:
// process.name : "a" and process.executable : "/b").
func TestQueryDocumentsLookReal(t *testing.T) {
	end := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	type tally struct{ applies, holds int }
	tallies := make([]tally, len(telemetry.Rules))
	for _, file := range []string{"kql/queries.txt", "eql/queries.txt"} {
		solvable, _ := corpus(t, file)
		for _, q := range solvable {
			e := emitter.New(emitter.Options{Schema: schema.Default(), Seed: 11, End: end})
			src, err := e.AddQuery(q, query.Guess)
			if err != nil {
				continue // TestEveryDocumentMatches reports it
			}
			for i := 0; i < 10; i++ {
				docs, err := e.NextFrom(src)
				if err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				for _, d := range docs {
					var doc map[string]any
					if err := json.Unmarshal(d.Source, &doc); err != nil {
						t.Fatal(err)
					}
					r := telemetry.ReadMap(doc)
					if !telemetry.Within(r, end) {
						t.Errorf("%s: a document after the end %s: %s", q, end, d.Source)
					}
					for j, rule := range telemetry.Rules {
						if applies, holds := rule.Check(r); applies {
							tallies[j].applies++
							if holds {
								tallies[j].holds++
							}
						}
					}
				}
			}
		}
	}
	for j, rule := range telemetry.Rules {
		tl := tallies[j]
		if tl.applies == 0 {
			continue
		}
		share := float64(tl.holds) / float64(tl.applies)
		t.Logf("%5.1f%% of %5d  %s", 100*share, tl.applies, rule.Name)
		if share < 0.96 {
			t.Errorf("%s holds in %.1f%% of %d documents, want >= 96%%", rule.Name, 100*share, tl.applies)
		}
	}
}
