package eql

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/source"
)

// FuzzParse checks that Parse never panics, that its errors point into the
// query, and that what parses prints to canonical EQL that parses back to
// an equal tree, lowers without panicking and evaluates without panicking.
func FuzzParse(f *testing.F) {
	for _, tc := range canonicalTests {
		f.Add(tc.in)
	}
	for _, tc := range errorTests {
		f.Add(tc.query)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		if err != nil {
			var perr *source.Error
			if !errors.As(err, &perr) {
				t.Fatalf("Parse(%q): error %T is not a *source.Error", src, err)
			}
			if perr.Pos.Offset > len(src) || perr.Pos != source.PosAt(src, perr.Pos.Offset) {
				t.Fatalf("Parse(%q): bad error position %+v", src, perr.Pos)
			}
			_ = perr.Detail()
			return
		}
		canon := q.String()
		q2, err := Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) prints %q, which does not parse: %v", src, canon, err)
		}
		if q2.String() != canon {
			t.Fatalf("unstable canonical form: %q -> %q", canon, q2.String())
		}
		if !equalTrees(MustParse(src), q2) {
			t.Fatalf("Parse(%q) and Parse(%q) differ", src, canon)
		}
		if _, err := q.Constraints(); err != nil {
			var u *constraint.UnsupportedError
			if !errors.As(err, &u) {
				t.Fatalf("Constraints(%q): %v", src, err)
			}
		}
		doc := map[string]any{"event": map[string]any{"category": "process"}, "@timestamp": "2024-01-01T00:00:00Z"}
		for i := range q.Steps {
			MatchEvent(q, i, doc, nil)
		}
		Match(q, []map[string]any{doc, doc}, testTypes)
	})
}

// FuzzMatch evaluates queries against arbitrary JSON documents: it must not
// panic, and a document that satisfies the lowered constraints of an event
// query must match the query (the lowering only ever approximates from the
// safe side). Queries with string() and documents with arrays are left out
// of that check: string(f) lowers to f, and a pair of predicates on
// different values of one array field can hold together where the
// evaluator binds one value.
func FuzzMatch(f *testing.F) {
	docs := []string{
		`{"event": {"category": "process"}, "process": {"name": "cmd.exe", "pid": 5}, "@timestamp": "2024-01-01T00:00:00Z"}`,
		`{"event.category": ["process", "file"], "process.name": "abc", "process.title": "b", "source": {"ip": "10.1.2.3"}}`,
		`[{"event": {"category": "process"}, "@timestamp": "2024-01-01T00:00:00Z", "host": {"id": "h"}, "process": {"name": "a"}},
		  {"event": {"category": "process"}, "@timestamp": "2024-01-01T00:00:01Z", "host": {"id": "h"}, "process": {"name": "b"}}]`,
		`{"process": {"args": ["-c", "x"], "pid": "7"}, "user": null}`,
	}
	for i, tc := range consistencyTests {
		f.Add(tc.query, docs[i%len(docs)])
	}
	for i, tc := range canonicalTests {
		f.Add(tc.in, docs[i%len(docs)])
	}
	f.Fuzz(func(t *testing.T, src, raw string) {
		q, err := Parse(src)
		if err != nil {
			return
		}
		var ds []map[string]any
		if strings.HasPrefix(strings.TrimSpace(raw), "[") {
			if json.Unmarshal([]byte(raw), &ds) != nil {
				return
			}
		} else {
			var d map[string]any
			if json.Unmarshal([]byte(raw), &d) != nil {
				return
			}
			ds = []map[string]any{d}
		}
		Match(q, ds, testTypes)
		for _, d := range ds {
			for i := range q.Steps {
				MatchEvent(q, i, d, testTypes)
			}
			MatchUntil(q, d, testTypes)
		}
		if q.Kind != EventQuery || strings.Contains(strings.ToLower(src), "string(") || strings.Contains(raw, "[") || !utf8.ValidString(raw) {
			return
		}
		c, err := q.Constraints()
		if err != nil {
			return
		}
		for _, d := range ds {
			if d != nil && holds(c.Events[0].Cond, d, testTypes) && !MatchEvent(q, 0, d, testTypes) {
				t.Fatalf("%q: the constraints %s hold for %s but the query does not match", src, c.Events[0].Cond, raw)
			}
		}
	})
}
