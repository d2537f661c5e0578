package dsl

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/emit-sec/emit/constraint"
)

// clause decodes a JSON clause as the rules loader does (numbers as float64).
func clause(t testing.TB, js string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatalf("bad test JSON %s: %v", js, err)
	}
	return m
}

func TestLower(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		// term, short and long forms
		{"term", `{"term": {"process.name": "cmd.exe"}}`, `process.name == "cmd.exe"`},
		{"term long", `{"term": {"process.name": {"value": "cmd.exe"}}}`, `process.name == "cmd.exe"`},
		{"term ci", `{"term": {"process.name": {"value": "CMD.exe", "case_insensitive": true, "boost": 2}}}`, `process.name ==~ "CMD.exe"`},
		{"term number", `{"term": {"destination.port": 443}}`, `destination.port == 443`},
		{"term bool", `{"term": {"dll.code_signature.trusted": false}}`, `dll.code_signature.trusted == false`},
		{"term top boost", `{"term": {"event.code": "4624", "boost": 1.5}}`, `event.code == "4624"`},
		// terms
		{"terms", `{"terms": {"event.action": ["start", "exec"]}}`, `event.action == "start" or event.action == "exec"`},
		{"terms one", `{"terms": {"event.action": ["start"], "boost": 1}}`, `event.action == "start"`},
		{"terms none", `{"terms": {"event.action": []}}`, `false`},
		{"terms numbers", `{"terms": {"event.code": [4624, "4625"]}}`, `event.code == 4624 or event.code == "4625"`},
		// match and match_phrase
		{"match", `{"match": {"message": "failed login"}}`, `message == "failed login"`},
		{"match long", `{"match": {"message": {"query": "failed login", "operator": "AND"}}}`, `message == "failed login"`},
		{"match_phrase", `{"match_phrase": {"event.module": "okta"}}`, `event.module == "okta"`},
		{"match_phrase long", `{"match_phrase": {"event.module": {"query": "okta", "slop": 0}}}`, `event.module == "okta"`},
		// exists
		{"exists", `{"exists": {"field": "user_agent.original"}}`, `user_agent.original exists`},
		{"exists wildcard", `{"exists": {"field": "process.*"}}`, `process.* exists`},
		// range
		{"range numbers", `{"range": {"destination.port": {"gte": 1024, "lt": 65536}}}`, `destination.port >= 1024 and destination.port < 65536`},
		{"range gt lte", `{"range": {"destination.port": {"gt": "10", "lte": "20"}}}`, `destination.port > "10" and destination.port <= "20"`},
		{"range date math", `{"range": {"@timestamp": {"gt": "now-1d/d", "format": "strict_date_optional_time"}}}`, `@timestamp > "now-1d/d"`},
		{"range from to", `{"range": {"f": {"from": 1, "to": 5, "include_lower": false}}}`, `f > 1 and f <= 5`},
		{"range from to defaults", `{"range": {"f": {"from": 1, "to": 5}}}`, `f >= 1 and f <= 5`},
		{"range null bound", `{"range": {"f": {"gt": null, "lt": 5}}}`, `f < 5`},
		{"range unbounded", `{"range": {"f": {}}}`, `f exists`},
		{"range utc", `{"range": {"@timestamp": {"gte": "2024-01-01", "time_zone": "UTC", "relation": "intersects"}}}`, `@timestamp >= "2024-01-01"`},
		// wildcard and prefix
		{"wildcard", `{"wildcard": {"file.path": "C:\\\\Windows\\\\*.ex?"}}`, `file.path like "C:\\\\Windows\\\\*.ex?"`},
		{"wildcard long ci", `{"wildcard": {"file.path": {"value": "?:\\\\Program Files\\\\*", "case_insensitive": true}}}`, `file.path like~ "?:\\\\Program Files\\\\*"`},
		{"wildcard key", `{"wildcard": {"host.name": {"wildcard": "web-*"}}}`, `host.name like "web-*"`},
		{"wildcard escaped star", `{"wildcard": {"f": "a\\*b*"}}`, `f like "a\\*b*"`},
		{"prefix", `{"prefix": {"host.name": "web-"}}`, `host.name like "web-*"`},
		{"prefix literal star", `{"prefix": {"f": {"value": "a*b", "case_insensitive": true}}}`, `f like~ "a\\*b*"`},
		// regexp: canonical Lucene syntax, case spelled out
		{"regexp", `{"regexp": {"process.name": "ab+c[0-9]{2}"}}`, `process.name regex "ab+c[0-9]{2}"`},
		{"regexp ci", `{"regexp": {"process.name": {"value": "cmd[0-9]", "case_insensitive": true}}}`, `process.name regex "[Cc][Mm][Dd][0-9]"`},
		{"regexp flags none", `{"regexp": {"f": {"value": "a&b~c<1-2>", "flags": "NONE"}}}`, `f regex "a\\&b\\~c\\<1-2\\>"`},
		{"regexp operators", `{"regexp": {"f": "~(a.*)&.{3}|@"}}`, `f regex "~(a.*)&.{3}|@"`},
		{"regexp interval widths", `{"regexp": {"f": "<1-10>x<01-10>y<5-7>"}}`, `f regex "<1-10>x<01-10>y<5-7>"`},
		{"regexp escapes", `{"regexp": {"f": "\\.\\\\\\d\"a.b\""}}`, `f regex "\\.\\\\[0-9]a\\.b"`},
		// bool
		{"bool must must_not", `{"bool": {"must": [{"term": {"a": "1"}}], "must_not": [{"term": {"b": "2"}}]}}`, `a == "1" and not b == "2"`},
		{"bool single objects", `{"bool": {"filter": {"term": {"a": "1"}}, "must_not": {"exists": {"field": "b"}}}}`, `a == "1" and not b exists`},
		{"bool should only", `{"bool": {"should": [{"term": {"a": "1"}}, {"term": {"b": "2"}}]}}`, `a == "1" or b == "2"`},
		{"bool must and should default", `{"bool": {"must": {"term": {"a": "1"}}, "should": [{"term": {"b": "2"}}]}}`, `a == "1"`},
		{"bool must and should msm", `{"bool": {"must": {"term": {"a": "1"}}, "should": [{"term": {"b": "2"}}, {"term": {"c": "3"}}], "minimum_should_match": 1}}`, `a == "1" and (b == "2" or c == "3")`},
		{"bool 2 of 3", `{"bool": {"should": [{"term": {"a": "1"}}, {"term": {"b": "2"}}, {"term": {"c": "3"}}], "minimum_should_match": 2}}`, `(a == "1" and b == "2") or (a == "1" and c == "3") or (b == "2" and c == "3")`},
		{"bool -1 of 3", `{"bool": {"should": [{"term": {"a": "1"}}, {"term": {"b": "2"}}, {"term": {"c": "3"}}], "minimum_should_match": "-1"}}`, `(a == "1" and b == "2") or (a == "1" and c == "3") or (b == "2" and c == "3")`},
		{"bool 100%", `{"bool": {"should": [{"term": {"a": "1"}}, {"term": {"b": "2"}}], "minimum_should_match": "100%"}}`, `a == "1" and b == "2"`},
		{"bool msm 0 pure should", `{"bool": {"should": [{"term": {"a": "1"}}, {"term": {"b": "2"}}], "minimum_should_match": 0}}`, `a == "1" or b == "2"`},
		{"bool msm above", `{"bool": {"should": [{"term": {"a": "1"}}], "minimum_should_match": 2}}`, `false`},
		{"bool msm without should", `{"bool": {"must": [{"term": {"a": "1"}}], "minimum_should_match": "1"}}`, `false`},
		{"bool conditional msm", `{"bool": {"should": [{"term": {"a": "1"}}, {"term": {"b": "2"}}], "minimum_should_match": "2<50%"}}`, `a == "1" and b == "2"`},
		{"bool empty", `{"bool": {}}`, `true`},
		{"bool must_not only", `{"bool": {"must_not": [{"term": {"a": "1"}}, {"exists": {"field": "b"}}]}}`, `not a == "1" and not b exists`},
		{"bool not of and", `{"bool": {"must_not": {"bool": {"must": [{"term": {"a": "1"}}, {"term": {"b": "2"}}]}}}}`, `not a == "1" or not b == "2"`},
		{"bool double negation", `{"bool": {"must_not": {"bool": {"must_not": {"term": {"a": "1"}}}}}}`, `a == "1"`},
		{"bool match_all", `{"bool": {"must": [{"match_all": {}}, {"term": {"a": "1"}}]}}`, `a == "1"`},
		{"bool match_none", `{"bool": {"should": [{"match_none": {}}, {"term": {"a": "1"}}]}}`, `a == "1"`},
		// constants and wrappers
		{"match_all", `{"match_all": {"boost": 1}}`, `true`},
		{"match_none", `{"match_none": {}}`, `false`},
		{"constant_score", `{"constant_score": {"filter": {"term": {"a": "1"}}, "boost": 2}}`, `a == "1"`},
		{"dis_max", `{"dis_max": {"queries": [{"term": {"a": "1"}}, {"term": {"b": "2"}}], "tie_breaker": 0.7}}`, `a == "1" or b == "2"`},
		{"boosting", `{"boosting": {"positive": {"term": {"a": "1"}}, "negative": {"term": {"b": "2"}}, "negative_boost": 0.5}}`, `a == "1"`},
		// nested
		{"nested", `{"nested": {"path": "threat.enrichments", "query": {"term": {"threat.enrichments.matched.type": "indicator_match_rule"}}}}`, `threat.enrichments.matched.type == "indicator_match_rule"`},
		{"nested negative", `{"nested": {"path": "p", "query": {"bool": {"must_not": {"term": {"p.x": "1"}}}}, "score_mode": "none"}}`, `p.* exists and not p.x == "1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Lower(clause(t, tt.in))
			if err != nil {
				t.Fatalf("Lower(%s): %v", tt.in, err)
			}
			if got := e.String(); got != tt.want {
				t.Errorf("Lower(%s)\n got  %s\n want %s", tt.in, got, tt.want)
			}
		})
	}
}

// TestLowerTOMLValues feeds the value types go-toml produces.
func TestLowerTOMLValues(t *testing.T) {
	e, err := Lower(map[string]any{"range": map[string]any{"destination.port": map[string]any{"gte": int64(1024), "lte": float64(2048.5)}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.String(), `destination.port >= 1024 and destination.port <= 2048.5`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	e, err = Lower(map[string]any{"terms": map[string]any{"event.code": []any{json.Number("4624"), int(7)}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.String(), `event.code == 4624 or event.code == 7`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestLowerPhraseAndSpans(t *testing.T) {
	pred := func(js string) *constraint.Pred {
		t.Helper()
		e, err := Lower(clause(t, js))
		if err != nil {
			t.Fatal(err)
		}
		p, ok := e.(*constraint.Pred)
		if !ok {
			t.Fatalf("%s: got %T, want a predicate", js, e)
		}
		return p
	}
	if p := pred(`{"match_phrase": {"message": "a b"}}`); !p.Phrase {
		t.Error("match_phrase: Phrase not set")
	}
	if p := pred(`{"match": {"message": {"query": "a b", "type": "phrase"}}}`); !p.Phrase {
		t.Error("match type phrase: Phrase not set")
	}
	if p := pred(`{"match": {"message": "a b"}}`); p.Phrase {
		t.Error("match: Phrase set")
	}
	spans := []struct{ in, want string }{
		{`{"term": {"process.name": "x"}}`, `term process.name: "x"`},
		{`{"term": {"process.name": {"value": "x", "case_insensitive": true}}}`, `term process.name: "x" (case_insensitive)`},
		{`{"match": {"message": {"query": "a b", "operator": "and"}}}`, `match message: "a b" (operator and)`},
		{`{"match_phrase": {"event.module": "okta"}}`, `match_phrase event.module: "okta"`},
		{`{"exists": {"field": "user.name"}}`, `exists user.name`},
		{`{"range": {"destination.port": {"gte": 1024}}}`, `range destination.port: gte 1024`},
		{`{"wildcard": {"file.path": {"value": "C:\\\\*", "case_insensitive": true}}}`, `wildcard file.path: "C:\\\\*" (case_insensitive)`},
		{`{"prefix": {"host.name": "web"}}`, `prefix host.name: "web"`},
		{`{"regexp": {"host.name": "web[0-9]+"}}`, `regexp host.name: "web[0-9]+"`},
		{`{"nested": {"path": "p", "query": {"term": {"p.x": "1"}}}}`, `term p.x: "1"`},
	}
	for _, s := range spans {
		if got := pred(s.in).Span.Text; got != s.want {
			t.Errorf("span of %s\n got  %s\n want %s", s.in, got, s.want)
		}
	}
	// Predicates inside terms, range and bool carry their own part.
	e, err := Lower(clause(t, `{"bool": {"must": [{"terms": {"a": ["x", "y"]}}, {"range": {"n": {"gt": 1, "lt": 9}}}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var walk func(constraint.Expr)
	walk = func(e constraint.Expr) {
		switch x := e.(type) {
		case *constraint.And:
			for _, y := range x.X {
				walk(y)
			}
		case *constraint.Or:
			got = append(got, "or: "+x.Span.Text)
			for _, y := range x.X {
				walk(y)
			}
		case *constraint.Pred:
			got = append(got, x.Span.Text)
		}
	}
	walk(e)
	want := []string{`or: terms a: ["x", "y"]`, `terms a: "x"`, `terms a: "y"`, `range n: gt 1`, `range n: lt 9`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("spans\n got  %q\n want %q", got, want)
	}
	// A long rendering is cut.
	var vals []string
	for i := 0; i < 100; i++ {
		vals = append(vals, `"value-number-`+strings.Repeat("x", i%7)+`"`)
	}
	q, err := Parse(clause(t, `{"bool": {"should": [{"terms": {"a": [`+strings.Join(vals, ",")+`]}}, {"term": {"b": "`+strings.Repeat("y", 500)+`"}}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if s := q.String(); len([]rune(s)) > maxRender || !strings.HasSuffix(s, "…") {
		t.Errorf("rendering not cut to %d characters: %d", maxRender, len([]rune(s)))
	}
}

func TestLowerErrors(t *testing.T) {
	tests := []struct {
		name, in    string
		unsupported bool   // *constraint.UnsupportedError, else *Error
		msg         string // substring of the message
		path        string // *Error: the path
	}{
		{"query_string analyzer", `{"query_string": {"query": "a:b", "analyzer": "whitespace"}}`, true, `query_string with an analyzer at query_string`, ""},
		{"query_string msm", `{"query_string": {"query": "a:b c:d", "minimum_should_match": 2}}`, true, `minimum_should_match`, ""},
		{"query_string type", `{"query_string": {"query": "a", "fields": ["x", "y"], "type": "cross_fields"}}`, true, `type "cross_fields"`, ""},
		{"query_string time zone", `{"query_string": {"query": "@timestamp:[2024 TO 2025]", "time_zone": "+02:00"}}`, true, `time_zone "+02:00"`, ""},
		{"query_string every field", `{"query_string": {"query": "f:x OR cmd.exe"}}`, true, `a term without a field searches every field`, ""},
		{"query_string no query", `{"query_string": {"default_field": "a"}}`, false, "requires 'query'", "query_string"},
		{"query_string syntax", `{"query_string": {"query": "a:(b"}}`, false, "lucene: 1:3: unbalanced parenthesis", "query_string.query"},
		{"query_string regexp", `{"query_string": {"query": "a:/x[/"}}`, false, "lucene: 1:6: invalid regular expression", "query_string.query"},
		{"query_string operator", `{"query_string": {"query": "a:b", "default_operator": "xor"}}`, false, "unknown operator [xor]", "query_string.default_operator"},
		{"query_string fuzziness", `{"query_string": {"query": "a:b~", "fuzziness": 3}}`, false, "invalid fuzziness", "query_string.fuzziness"},
		{"query_string leading wildcard", `{"query_string": {"query": "a:*b", "allow_leading_wildcard": false}}`, false, "not allowed as first character", "query_string.query"},
		{"query_string fields and default_field", `{"query_string": {"query": "a", "fields": ["x"], "default_field": "y"}}`, false, "in conjunction with [default_field]", "query_string"},
		{"query_string param", `{"query_string": {"query": "a:b", "split_on_whitespace": false}}`, false, "unknown parameter [split_on_whitespace]", "query_string"},
		{"simple_query_string", `{"simple_query_string": {"query": "a"}}`, true, `"simple_query_string"`, ""},
		{"unknown", `{"trem": {"a": "b"}}`, true, `unknown query clause "trem"`, ""},
		{"unknown nested in bool", `{"bool": {"must": [{"term": {"a": "1"}}, {"script": {"script": "x"}}]}}`, true, `"script" at bool.must[1]`, ""},
		{"terms lookup", `{"terms": {"user.id": {"index": "users", "id": "2", "path": "ids"}}}`, true, "terms lookup", ""},
		{"field wildcard", `{"term": {"process.*": "x"}}`, true, `field name "process.*"`, ""},
		{"gt and gte", `{"range": {"n": {"gt": 1, "gte": 2}}}`, true, "both gt and gte", ""},
		{"gte and include_lower", `{"range": {"n": {"gte": 1, "include_lower": false}}}`, true, "both gte and include_lower", ""},
		{"time zone", `{"range": {"@timestamp": {"gte": "2024-01-01", "time_zone": "+01:00"}}}`, true, "time_zone", ""},
		{"date format", `{"range": {"@timestamp": {"gte": "01/01/2024", "format": "dd/MM/yyyy"}}}`, true, "date format", ""},
		{"relation", `{"range": {"r": {"gte": 1, "relation": "within"}}}`, true, "relation", ""},
		{"fuzziness", `{"match": {"message": {"query": "x", "fuzziness": "AUTO"}}}`, true, "fuzziness", ""},
		{"slop", `{"match_phrase": {"message": {"query": "a b", "slop": 2}}}`, true, "slop", ""},
		{"analyzer", `{"match": {"message": {"query": "a", "analyzer": "whitespace"}}}`, true, "analyzer", ""},
		{"zero terms all", `{"match": {"message": {"query": "a", "zero_terms_query": "all"}}}`, true, "zero_terms_query", ""},
		{"phrase_prefix", `{"match": {"message": {"query": "a", "type": "phrase_prefix"}}}`, true, "phrase_prefix", ""},
		{"too many combinations", `{"bool": {"should": [` + strings.Repeat(`{"term": {"a": "1"}},`, 19) + `{"term": {"a": "1"}}], "minimum_should_match": 10}}`, true, "10 of its 20 should clauses", ""},

		{"empty", `{}`, false, "empty query clause", ""},
		{"two clauses", `{"term": {"a": "1"}, "exists": {"field": "b"}}`, false, "exactly one key, found exists, term", ""},
		{"not an object", `{"bool": {"must": [1]}}`, false, "must be an object", "bool.must[0]"},
		{"term no field", `{"term": {}}`, false, "requires a field", "term"},
		{"term two fields", `{"term": {"a": "1", "b": "2"}}`, false, "multiple fields, found [a] and [b]", "term"},
		{"term unknown param", `{"term": {"a": {"value": "1", "foo": true}}}`, false, "unknown parameter [foo]", "term.a"},
		{"term null", `{"term": {"a": null}}`, false, "cannot be null", "term.a"},
		{"term array", `{"term": {"a": ["x"]}}`, false, "found an array", "term.a"},
		{"term missing value", `{"term": {"a": {"case_insensitive": true}}}`, false, "requires a value", "term.a"},
		{"term bad ci", `{"term": {"a": {"value": "x", "case_insensitive": "yes"}}}`, false, "expected true or false", "term.a.case_insensitive"},
		{"term empty field", `{"term": {"": "x"}}`, false, "non-empty field name", "term."},
		{"terms not array", `{"terms": {"a": "x"}}`, false, "expects an array", "terms.a"},
		{"terms nested value", `{"terms": {"a": ["x", {"y": 1}]}}`, false, "found an object", "terms.a[1]"},
		{"exists no field", `{"exists": {}}`, false, "[field]", "exists"},
		{"exists number", `{"exists": {"field": 3}}`, false, "expected a string", "exists.field"},
		{"range unknown", `{"range": {"n": {"gtx": 1}}}`, false, "unknown parameter [gtx]", "range.n"},
		{"range short", `{"range": {"n": 5}}`, false, "expects an object", "range.n"},
		{"range object bound", `{"range": {"n": {"gte": {}}}}`, false, "found an object", "range.n.gte"},
		{"match operator", `{"match": {"m": {"query": "x", "operator": "xor"}}}`, false, "unknown operator", "match.m.operator"},
		{"match msm", `{"match": {"m": {"query": "x", "minimum_should_match": "lots"}}}`, false, "invalid minimum_should_match", "match.m.minimum_should_match"},
		{"match no query", `{"match": {"m": {"operator": "and"}}}`, false, "requires a query", "match.m"},
		{"match_phrase param", `{"match_phrase": {"m": {"query": "x", "operator": "and"}}}`, false, "unknown parameter [operator]", "match_phrase.m"},
		{"wildcard both", `{"wildcard": {"f": {"value": "a", "wildcard": "b"}}}`, false, "either value or wildcard", "wildcard.f"},
		{"prefix wildcard key", `{"prefix": {"f": {"wildcard": "b"}}}`, false, "unknown parameter [wildcard]", "prefix.f"},
		{"regexp invalid", `{"regexp": {"f": "a{2"}}`, false, "invalid regular expression", "regexp.f"},
		{"regexp bad escape", `{"regexp": {"f": "\\q"}}`, false, "invalid character class", "regexp.f"},
		{"regexp unbalanced", `{"regexp": {"f": "(ab"}}`, false, "expected ')'", "regexp.f"},
		{"regexp flag", `{"regexp": {"f": {"value": "a", "flags": "FOO|ALL"}}}`, false, "unknown regexp flag [FOO]", "regexp.f.flags"},
		{"regexp automaton", `{"regexp": {"f": "<abc>"}}`, false, "'abc' not found", "regexp.f"},
		{"bool unknown", `{"bool": {"must": [], "mustnot": []}}`, false, "unknown parameter [mustnot]", "bool"},
		{"bool bad msm", `{"bool": {"should": [{"term": {"a": "1"}}], "minimum_should_match": "x%"}}`, false, "invalid minimum_should_match", "bool.minimum_should_match"},
		{"bool bad member", `{"bool": {"filter": "x"}}`, false, "expected a query clause", "bool.filter"},
		{"deep path", `{"bool": {"should": [{"bool": {"must_not": [{"range": {"n": {"lt": [1]}}}]}}]}}`, false, "found an array", "bool.should[0].bool.must_not[0].range.n.lt"},
		{"nested no path", `{"nested": {"query": {"match_all": {}}}}`, false, "'path'", "nested"},
		{"nested score mode", `{"nested": {"path": "p", "query": {"match_all": {}}, "score_mode": "median"}}`, false, "score_mode", "nested.score_mode"},
		{"dis_max empty", `{"dis_max": {"queries": []}}`, false, "at least one", "dis_max"},
		{"constant_score no filter", `{"constant_score": {"boost": 1}}`, false, "'filter'", "constant_score"},
		{"match_all param", `{"match_all": {"x": 1}}`, false, "unknown parameter [x]", "match_all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Lower(clause(t, tt.in))
			if err == nil {
				t.Fatalf("Lower(%s): no error", tt.in)
			}
			var ue *constraint.UnsupportedError
			var de *Error
			switch {
			case tt.unsupported && !errors.As(err, &ue):
				t.Fatalf("Lower(%s): %T %v, want *constraint.UnsupportedError", tt.in, err, err)
			case !tt.unsupported && !errors.As(err, &de):
				t.Fatalf("Lower(%s): %T %v, want *Error", tt.in, err, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Lower(%s): %q does not contain %q", tt.in, err, tt.msg)
			}
			if de != nil && de.Path != tt.path {
				t.Errorf("Lower(%s): path %q, want %q", tt.in, de.Path, tt.path)
			}
			if ue != nil && ue.Span.Text == "" {
				t.Errorf("Lower(%s): unsupported error without span text", tt.in)
			}
		})
	}
}

func TestQueryFields(t *testing.T) {
	q, err := Parse(clause(t, `{"bool": {"must": [{"term": {"a": "1"}}, {"nested": {"path": "p", "query": {"range": {"p.n": {"gt": 1}}}}}], "should": [{"exists": {"field": "b"}}, {"term": {"a": "2"}}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(q.Fields(), ","); got != "a,p.n,b" {
		t.Errorf("Fields: %s", got)
	}
}
