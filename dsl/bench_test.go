package dsl

import (
	"testing"
	"time"

	"github.com/emit-sec/emit/internal/shared"
	"github.com/emit-sec/emit/rules"
)

// BenchmarkCorpusFilterExpr lowers the filters of every detection-rules rule
// that has some.
func BenchmarkCorpusFilterExpr(b *testing.B) {
	rs, _ := rules.Load(shared.Path(b, "rules/detection-rules"))
	var sets [][]rules.Filter
	for _, r := range rs {
		if len(r.Filters) > 0 {
			sets = append(sets, r.Filters)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		for _, fs := range sets {
			if _, err := FilterExpr(fs); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(sets)), "ns/rule")
}

// BenchmarkMatchFilters evaluates the nine negated wildcards of a real rule
// on a matching document.
func BenchmarkMatchFilters(b *testing.B) {
	rs, _ := rules.Load(shared.Path(b, "rules/detection-rules"))
	var fs []rules.Filter
	for _, r := range rs {
		if r.Name == "Deprecated - PowerShell Script with Discovery Capabilities" {
			fs = r.Filters
		}
	}
	if len(fs) == 0 {
		b.Fatal("rule not found")
	}
	d := doc(b, `{"file": {"path": "C:\\Users\\bob\\Documents\\scripts\\discover-things.ps1"}, "event": {"category": "process"}}`)
	now := time.Now()
	b.Run("parse each time", func(b *testing.B) {
		for b.Loop() {
			if !MatchFiltersAt(fs, d, nil, now) {
				b.Fatal("no match")
			}
		}
	})
	b.Run("parsed", func(b *testing.B) {
		p, err := ParseFilters(fs)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if !p.MatchAt(d, nil, now) {
				b.Fatal("no match")
			}
		}
	})
}

// BenchmarkQueryMatch evaluates a parsed bool query.
func BenchmarkQueryMatch(b *testing.B) {
	q, err := Parse(clause(b, `{"bool": {"filter": [{"terms": {"event.action": ["a", "b", "c"]}}, {"range": {"destination.port": {"gte": 1024}}}],
		"must_not": [{"regexp": {"process.name": "(cmd|pwsh)\\.exe"}}], "should": [{"match": {"message": "failed login"}}]}}`))
	if err != nil {
		b.Fatal(err)
	}
	d := doc(b, `{"event": {"action": "b"}, "destination": {"port": 8080}, "process": {"name": "bash"}, "message": "Login failed for bob"}`)
	now := time.Now()
	for b.Loop() {
		if !q.MatchAt(d, types, now) {
			b.Fatal("no match")
		}
	}
}
