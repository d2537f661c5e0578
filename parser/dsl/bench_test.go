package dsl

import (
	"testing"
	"time"
)

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
