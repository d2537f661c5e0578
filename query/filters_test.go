package query

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/internal/shared"
	"github.com/emit-sec/emit/parser/dsl"
	"github.com/emit-sec/emit/rules"
)

func TestFilterExpr(t *testing.T) {
	filter := func(js string, negate, disabled bool) rules.Filter {
		return rules.Filter{Query: clause(t, js), Negate: negate, Disabled: disabled}
	}
	if e, err := FilterExpr(nil); e != nil || err != nil {
		t.Errorf("no filters: %v, %v; want nil, nil", e, err)
	}
	if e, err := FilterExpr([]rules.Filter{filter(`{"term": {"a": "1"}}`, false, true)}); e != nil || err != nil {
		t.Errorf("disabled filter: %v, %v; want nil, nil", e, err)
	}
	e, err := FilterExpr([]rules.Filter{
		filter(`{"match_phrase": {"event.module": "okta"}}`, false, false),
		filter(`{"wildcard": {"file.path": {"value": "C:\\\\Temp\\\\*", "case_insensitive": true}}}`, true, false),
		filter(`{"term": {"ignored": "x"}}`, true, true),
		filter(`{"bool": {"must": [{"term": {"a": "1"}}, {"term": {"b": "2"}}]}}`, true, false),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `event.module == "okta" and not file.path like~ "C:\\\\Temp\\\\*" and (not a == "1" or not b == "2")`
	if e.String() != want {
		t.Errorf("FilterExpr\n got  %s\n want %s", e, want)
	}
	and := e.(*constraint.And)
	if got := and.X[0].(*constraint.Pred).Span.Text; got != `filter 1: match_phrase event.module: "okta"` {
		t.Errorf("span of filter 1: %q", got)
	}
	if got := and.X[1].(*constraint.Pred).Span.Text; got != `filter 2 (negated): wildcard file.path: "C:\\\\Temp\\\\*" (case_insensitive)` {
		t.Errorf("span of filter 2: %q", got)
	}
	// One filter: its own formula.
	e, err = FilterExpr([]rules.Filter{filter(`{"exists": {"field": "user_agent.original"}}`, true, false)})
	if err != nil || e.String() != "not user_agent.original exists" {
		t.Errorf("one negated filter: %v, %v", e, err)
	}
	// Errors name the filter.
	_, err = FilterExpr([]rules.Filter{filter(`{"match_all": {}}`, false, false), filter(`{"term": {"a": {"valu": 1}}}`, false, false)})
	var de *dsl.Error
	if !errors.As(err, &de) || de.Path != "filters[1].query.term.a" {
		t.Errorf("malformed filter: %v (path %q)", err, pathOf(de))
	}
	_, err = FilterExpr([]rules.Filter{filter(`{"query_string": {"query": "x"}}`, false, false)})
	var ue *constraint.UnsupportedError
	if !errors.As(err, &ue) || !strings.HasPrefix(ue.What, "filter 1: ") {
		t.Errorf("unsupported filter: %v", err)
	}
}

func pathOf(e *dsl.Error) string {
	if e == nil {
		return ""
	}
	return e.Path
}

func clause(t testing.TB, js string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return m
}

func doc(t testing.TB, js string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(js))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return m
}

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
			if !MatchFilters(fs, d, nil, now) {
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

func TestMatchFilters(t *testing.T) {
	fs := []rules.Filter{
		{Query: clause(t, `{"match_phrase": {"event.module": "okta"}}`)},
		{Query: clause(t, `{"exists": {"field": "user_agent.original"}}`), Negate: true},
		{Query: clause(t, `{"term": {"never": "x"}}`), Disabled: true},
	}
	tests := []struct {
		doc  string
		want bool
	}{
		{`{"event": {"module": "okta"}}`, true},
		{`{"event": {"module": "okta"}, "user_agent": {"original": "curl"}}`, false},
		{`{"event": {"module": "aws"}}`, false},
	}
	for _, tt := range tests {
		if got := MatchFilters(fs, doc(t, tt.doc), types, testNow); got != tt.want {
			t.Errorf("MatchFilters(%s) = %v, want %v", tt.doc, got, tt.want)
		}
	}
	p, err := ParseFilters(fs)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		if got := p.MatchAt(doc(t, tt.doc), types, testNow); got != tt.want {
			t.Errorf("parsed filters on %s = %v, want %v", tt.doc, got, tt.want)
		}
	}
	if _, err := ParseFilters([]rules.Filter{{Query: clause(t, `{"term": {"a": "1"}}`)}, {Query: clause(t, `{"term": {}}`)}}); err == nil ||
		err.Error() != "query dsl: filters[1].query.term: [term] query requires a field" {
		t.Errorf("ParseFilters error: %v", err)
	}
	if !MatchFilters(nil, doc(t, `{}`), nil, testNow) {
		t.Error("no filters must pass every document")
	}
	// A filter that cannot run fails the set, negated or not.
	for _, negate := range []bool{false, true} {
		bad := []rules.Filter{{Query: clause(t, `{"term": {"destination.port": "https"}}`), Negate: negate}}
		if MatchFilters(bad, doc(t, `{"destination": {"port": 1}}`), types, testNow) {
			t.Errorf("invalid filter (negate %v) passed", negate)
		}
		unsupported := []rules.Filter{{Query: clause(t, `{"script": {"script": "x"}}`), Negate: negate}}
		if MatchFilters(unsupported, doc(t, `{}`), types, testNow) {
			t.Errorf("unsupported filter (negate %v) passed", negate)
		}
	}
}

var (
	testNow = time.Date(2024, 3, 15, 12, 30, 0, 0, time.UTC)
	types   = estype.ByName(func(f string) string {
		if f == "destination.port" {
			return "long"
		}
		return "keyword"
	})
)

// TestQueryStringFilters: a Kibana filter's query_string clause lowers and
// evaluates through the Lucene reader.
func TestQueryStringFilters(t *testing.T) {
	fs := []rules.Filter{
		{Query: clause(t, `{"query_string": {"query": "event.module:(okta OR aws) AND NOT destination.port:[0 TO 1023]"}}`)},
		{Query: clause(t, `{"query_string": {"query": "user.name:admin*"}}`), Negate: true},
	}
	e, err := FilterExpr(fs)
	if err != nil {
		t.Fatal(err)
	}
	want := `(event.module == "okta" or event.module == "aws") and (not destination.port >= "0" or not destination.port <= "1023") and not user.name like "admin*"`
	if got := e.String(); got != want {
		t.Errorf("FilterExpr:\n got %s\nwant %s", got, want)
	}
	for _, tt := range []struct {
		doc  string
		want bool
	}{
		{`{"event": {"module": "okta"}, "destination": {"port": 8443}, "user": {"name": "bob"}}`, true},
		{`{"event": {"module": "okta"}, "destination": {"port": 443}}`, false},
		{`{"event": {"module": "aws"}, "user": {"name": "administrator"}}`, false},
		{`{"event": {"module": "gcp"}}`, false},
	} {
		if got := MatchFilters(fs, doc(t, tt.doc), types, testNow); got != tt.want {
			t.Errorf("MatchFilters(%s) = %v, want %v", tt.doc, got, tt.want)
		}
	}
}
