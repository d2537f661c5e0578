package dsl

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/estype"
)

var fuzzSeeds = []struct{ clause, doc string }{
	{`{"term": {"process.name": {"value": "CMD.exe", "case_insensitive": true}}}`, `{"process": {"name": "cmd.exe"}}`},
	{`{"terms": {"destination.port": [80, "443", true]}}`, `{"destination": {"port": [443, "80"]}}`},
	{`{"match": {"message": {"query": "failed login", "operator": "and", "minimum_should_match": "2<50%"}}}`, `{"message": "login failed"}`},
	{`{"match_phrase": {"message": "failed login"}}`, `{"message": ["x failed", "failed login"]}`},
	{`{"exists": {"field": "process.*.name"}}`, `{"process": {"parent": {"name": null}}}`},
	{`{"range": {"@timestamp": {"gt": "now-1d/d", "lte": "2024-01-01||+1M"}}}`, `{"@timestamp": 1704067200000}`},
	{`{"range": {"source.ip": {"from": "10.0.0.0", "to": null, "include_lower": false}}}`, `{"source": {"ip": "::ffff:10.0.0.1"}}`},
	{`{"wildcard": {"file.path": {"value": "?:\\\\Windows\\\\*.ex?", "case_insensitive": true}}}`, `{"file": {"path": "C:\\Windows\\x.EXE"}}`},
	{`{"prefix": {"message": "fail"}}`, `{"message": "FAILED"}`},
	{`{"regexp": {"host.name": {"value": "~(web.*)&<1-99>|@#", "flags": "ALL", "case_insensitive": true}}}`, `{"host.name": "42"}`},
	{`{"bool": {"should": [{"term": {"a": "1"}}, {"term": {"b": "2"}}], "must_not": {"exists": {"field": "c"}}, "minimum_should_match": "-1"}}`, `{"a": "1", "b": ["2"]}`},
	{`{"nested": {"path": "threat.enrichments", "query": {"bool": {"must_not": {"term": {"threat.enrichments.x": "1"}}}}}}`, `{"threat": {"enrichments": [{"x": "2"}, {"x": "1"}]}}`},
	{`{"dis_max": {"queries": [{"match_none": {}}, {"constant_score": {"filter": {"match_all": {}}}}]}}`, `{}`},
	{`{"query_string": {"query": "a:b"}}`, `{}`},
}

var fuzzTypes = map[string]string{
	"destination.port": "long", "message": "text", "@timestamp": "date", "source.ip": "ip",
	"threat.enrichments": "nested", "host.name": "keyword", "a": "double", "b": "boolean", "c": "date_nanos",
}

// FuzzLowerMatch checks that no clause or document makes Parse, Lower or
// Match panic, that Lower fails exactly where Parse does (or on too many
// combinations), and that a must_not holds exactly when its clause runs
// and does not match.
func FuzzLowerMatch(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s.clause, s.doc)
	}
	now := time.Date(2024, 3, 15, 12, 0, 0, 0, time.UTC)
	types := estype.ByName(func(s string) string { return fuzzTypes[s] })
	f.Fuzz(func(t *testing.T, clauseJSON, docJSON string) {
		var c map[string]any
		if json.Unmarshal([]byte(clauseJSON), &c) != nil {
			return
		}
		var d map[string]any
		if json.Unmarshal([]byte(docJSON), &d) != nil {
			d = map[string]any{}
		}
		q, perr := Parse(c)
		e, lerr := Lower(c)
		if (perr == nil) != (lerr == nil) {
			var ue *constraint.UnsupportedError
			if perr != nil || !errors.As(lerr, &ue) {
				t.Fatalf("Parse error %v, Lower error %v", perr, lerr)
			}
		}
		if lerr == nil && e == nil {
			t.Fatal("Lower returned neither a formula nor an error")
		}
		got := MatchAt(c, d, types, now)
		if perr != nil {
			if got {
				t.Fatal("a clause Parse rejects matched")
			}
			return
		}
		_ = q.String()
		_ = q.Fields()
		ev := evaluator{types: types, now: now}
		runs := ev.eval(q.root, scope{doc: d}) != invalid
		neg := map[string]any{"bool": map[string]any{"must_not": c}}
		if MatchAt(neg, d, types, now) != (runs && !got) {
			t.Fatalf("must_not of %s on %s disagrees with the clause", clauseJSON, docJSON)
		}
	})
}

// FuzzRegex checks that no expression or input makes the Lucene regexp
// matcher panic, and that the canonical rendering handed to the solver
// reads the same language.
func FuzzRegex(f *testing.F) {
	for _, s := range []struct{ re, in string }{
		{"ab+c", "abbc"}, {"~(a.*)&.{2,3}", "bcd"}, {"<1-20>x", "07x"}, {`[^\d\s]"x|y"`, "ax|y"},
		{"(a|b){2,}@#", "ab"}, {`\\\.[]-]`, `\.]`}, {"a{3,2}|()", ""}, {"*a~", "*a~"},
	} {
		f.Add(s.re, s.in, uint8(flagsAll), false)
		f.Add(s.re, s.in, uint8(0), true)
	}
	f.Fuzz(func(t *testing.T, expr, input string, flags uint8, ci bool) {
		if len(expr) > 200 || len(input) > 200 {
			return
		}
		re, err := compileRegex(expr, int(flags)&flagsAll, ci)
		if err != nil {
			return
		}
		got := re.Match(input)
		canon := re.root.canonical()
		back, err := compileRegex(canon, flagsAll, false)
		if err != nil {
			t.Fatalf("%q: canonical form %q does not parse: %v", expr, canon, err)
		}
		if back.Match(input) != got {
			t.Fatalf("%q (flags %#x, ci %v) and its canonical form %q disagree on %q", expr, flags, ci, canon, input)
		}
	})
}
