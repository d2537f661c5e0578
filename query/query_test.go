package query

import (
	"errors"
	"strings"
	"testing"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/source"
)

func TestGuessLanguage(t *testing.T) {
	tests := []struct {
		text string
		lang Language
	}{
		{`process.name : *.exe`, KQL},
		{`process where process.name : "*.exe"`, EQL},
		{`sequence by host.id [process where true] [network where true]`, EQL},
		{`any where true`, EQL},
		{`user.name : alice and event.outcome : failure`, KQL},
		{` {"term": {"user.name": "alice"}}`, DSL},
		{`sequence : 3`, KQL}, // a field named sequence: KQL reads it, EQL does not
	}
	for _, tt := range tests {
		q, err := Parse(tt.text, Guess)
		if err != nil {
			t.Errorf("%s: %v", tt.text, err)
			continue
		}
		if q.Lang != tt.lang {
			t.Errorf("%s: guessed %s, want %s", tt.text, q.Lang, tt.lang)
		}
	}
}

func TestGuessErrors(t *testing.T) {
	tests := []struct {
		text string
		lang Language
	}{
		{`process where process.name = "cmd.exe"`, EQL}, // starts as EQL: the EQL error
		{`process.name : (a or`, KQL},
		// KQL reads these as free text (unsupported), but they begin as
		// only EQL queries do: EQL's syntax error.
		{`sequence [process where true]`, EQL},
		{`sample by host.id [process where true]`, EQL},
		{`process where`, EQL},
	}
	for _, tt := range tests {
		_, err := Parse(tt.text, Guess)
		var pe *source.Error
		if !errors.As(err, &pe) {
			t.Errorf("%s: want a syntax error, got %v", tt.text, err)
			continue
		}
		if pe.Lang != tt.lang.String() {
			t.Errorf("%s: error from %s, want %s: %v", tt.text, pe.Lang, tt.lang, err)
		}
	}
	if _, err := ParseLanguage("sql"); err == nil || !strings.Contains(err.Error(), "unsupported query language") {
		t.Errorf("unknown language: %v", err)
	}
	if l, err := ParseLanguage("kuery"); err != nil || l != KQL {
		t.Errorf("kuery is KQL: %v, %v", l, err)
	}
}

func TestDSLLanguage(t *testing.T) {
	q, err := Parse(`{"bool": {"filter": [{"term": {"process.name": "cmd.exe"}}], "must_not": [{"exists": {"field": "user.name"}}]}}`, DSL)
	if err != nil {
		t.Fatal(err)
	}
	if q.Lang != DSL || q.Constraints.Lang != "dsl" || q.String() == "" {
		t.Errorf("lang %v, constraints %q, string %q", q.Lang, q.Constraints.Lang, q.String())
	}
	if got := q.Constraints.Events[0].Cond.String(); got != `process.name == "cmd.exe" and not user.name exists` {
		t.Errorf("constraints: %s", got)
	}
	docs := []map[string]any{{"process": map[string]any{"name": "cmd.exe"}}}
	if !q.Match(docs, nil) {
		t.Error("matching document rejected")
	}
	docs[0]["user"] = map[string]any{"name": "bob"}
	if q.Match(docs, nil) {
		t.Error("document with user.name accepted")
	}
	for _, bad := range []string{`not json`, `{"term": {}}`, `{"match_all": {}} {}`} {
		if _, err := Parse(bad, DSL); !errors.Is(err, source.ErrSyntax) {
			t.Errorf("%s: %v, want a syntax error", bad, err)
		}
	}
	if _, err := Parse(`{"query_string": {"query": "x"}}`, DSL); !errors.Is(err, constraint.ErrUnsupported) {
		t.Errorf("query_string: %v, want unsupported", err)
	}
}

func TestForRule(t *testing.T) {
	r := &rules.Rule{Type: rules.TypeQuery, Language: rules.LangKuery, Query: `event.category : process`,
		Filters: []rules.Filter{
			{Query: map[string]any{"term": map[string]any{"process.name": "cmd.exe"}}},
			{Query: map[string]any{"exists": map[string]any{"field": "user.name"}}, Negate: true},
			{Query: map[string]any{"term": map[string]any{"never": "x"}}, Disabled: true},
		}}
	q, err := ForRule(r)
	if err != nil {
		t.Fatal(err)
	}
	if got := q.Constraints.Events[0].Cond.String(); got != `event.category == "process" and process.name == "cmd.exe" and not user.name exists` {
		t.Errorf("constraints: %s", got)
	}
	doc := map[string]any{"event": map[string]any{"category": "process"}, "process": map[string]any{"name": "cmd.exe"}}
	if !q.Match([]map[string]any{doc}, nil) {
		t.Error("matching document rejected")
	}
	doc["user"] = map[string]any{"name": "bob"}
	if q.Match([]map[string]any{doc}, nil) {
		t.Error("the negated filter did not apply")
	}
	for _, tc := range []struct {
		r    *rules.Rule
		want error
	}{
		{&rules.Rule{Type: rules.TypeESQL, Language: rules.LangESQL, Query: "from x | enrich p"}, constraint.ErrUnsupported},
		{&rules.Rule{Type: rules.TypeQuery, Query: "x : y"}, constraint.ErrUnsupported},
		{&rules.Rule{Type: rules.TypeQuery, Language: rules.LangKuery, Query: "x : (y"}, source.ErrSyntax},
		{&rules.Rule{Type: rules.TypeQuery, Language: rules.LangKuery, Query: "x : y",
			Filters: []rules.Filter{{Query: map[string]any{"term": map[string]any{}}}}}, source.ErrSyntax},
	} {
		if _, err := ForRule(tc.r); !errors.Is(err, tc.want) {
			t.Errorf("%+v: %v, want %v", tc.r, err, tc.want)
		}
	}
}

// TestForThreat: a threat_match rule's indicator side is its threat query
// with its threat filters; its errors name the side they are about.
func TestForThreat(t *testing.T) {
	r := &rules.Rule{Type: rules.TypeThreatMatch, Language: rules.LangKuery, Query: "source.ip : *",
		ThreatMatch: &rules.ThreatMatch{Query: `threat.indicator.ip : *`, Language: rules.LangKuery,
			Filters: []rules.Filter{{Query: map[string]any{"match_phrase": map[string]any{"event.kind": "enrichment"}}}}}}
	q, err := ForThreat(r)
	if err != nil {
		t.Fatal(err)
	}
	if got := q.Constraints.Events[0].Cond.String(); got != `threat.indicator.ip exists and event.kind == "enrichment"` {
		t.Errorf("constraints: %s", got)
	}
	r.ThreatMatch.Query, r.ThreatMatch.Filters = "", nil
	if q, err := ForThreat(r); err != nil || !q.Match([]map[string]any{{"any": "thing"}}, nil) {
		t.Errorf("an empty threat query matches every indicator: %v", err)
	}
	r.ThreatMatch.Language = rules.LangLucene
	r.ThreatMatch.Query = "threat.indicator.ip:*"
	if _, err := ForThreat(r); err != nil {
		t.Errorf("lucene: %v", err)
	}
	for _, tc := range []struct {
		tm   *rules.ThreatMatch
		is   error
		want string
	}{
		{nil, constraint.ErrUnsupported, "unsupported: threat_match without a threat query"},
		{&rules.ThreatMatch{Query: "x", Language: rules.LangEQL}, constraint.ErrUnsupported, "unsupported: threat_language eql"},
		{&rules.ThreatMatch{Query: "x : (y", Language: rules.LangKuery}, source.ErrSyntax, "threat_query: kql: 1:5:"},
		{&rules.ThreatMatch{Query: "x : y", Language: rules.LangKuery, Filters: []rules.Filter{{Query: map[string]any{"term": map[string]any{}}}}},
			source.ErrSyntax, "threat_filters[0].query"},
	} {
		r.ThreatMatch = tc.tm
		_, err := ForThreat(r)
		if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %v with %q", tc.tm, err, tc.is, tc.want)
		}
	}
}

func TestLucene(t *testing.T) {
	if l, err := ParseLanguage("Lucene"); err != nil || l != Lucene || l.String() != "lucene" {
		t.Errorf("ParseLanguage(Lucene) = %v, %v", l, err)
	}
	// Never guessed: this reads as KQL.
	if q, err := Parse(`process.name:cmd.exe`, Guess); err != nil || q.Lang != KQL {
		t.Errorf("guess: %v, %v", q, err)
	}
	q, err := Parse(`process.name:(cmd.exe OR pwsh.exe) AND NOT user.name:root`, Lucene)
	if err != nil {
		t.Fatal(err)
	}
	if q.Lang != Lucene || q.Constraints.Lang != "lucene" || q.String() != `process.name:(cmd.exe OR pwsh.exe) AND NOT user.name:root` {
		t.Errorf("parsed %s %q (%s)", q.Lang, q.String(), q.Constraints.Lang)
	}
	docs := []map[string]any{{"process": map[string]any{"name": "pwsh.exe"}, "user": map[string]any{"name": "bob"}}}
	if !q.Match(docs, nil) {
		t.Error("no match")
	}
	docs[0]["user"] = map[string]any{"name": "root"}
	if q.Match(docs, nil) {
		t.Error("root matched")
	}
	_, err = Parse(`f:/a(/`, Lucene)
	var pe *source.Error
	if !errors.As(err, &pe) || pe.Lang != "lucene" || pe.Pos.String() != "1:6" {
		t.Errorf("bad regexp: %v", err)
	}
	r := &rules.Rule{Type: rules.TypeQuery, Language: rules.LangLucene, Query: `event.category:process AND process.args:/2[0-9]{3}/`}
	q, err = ForRule(r)
	if err != nil || q.Lang != Lucene {
		t.Fatalf("ForRule: %v, %v", q, err)
	}
	if got := len(q.Constraints.Events); got != 1 {
		t.Errorf("%d events", got)
	}
}
