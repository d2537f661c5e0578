package check_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/emit-sec/emit/check"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/rules"
)

func TestRuleStatuses(t *testing.T) {
	rs := []*rules.Rule{
		{ID: "q", Name: "ok query", Type: "query", Language: "kuery", Query: `process.name : *.exe and destination.port < 1024`},
		{ID: "e", Name: "ok sequence", Type: "eql", Language: "eql", Query: `sequence by host.id [process where true] [network where destination.port == 443]`},
		{ID: "u", Name: "unsolvable", Type: "query", Language: "kuery", Query: `destination.port < 1024 and destination.port > 1024`},
		{ID: "p", Name: "parse error", Type: "eql", Language: "eql", Query: `process where process.name = "x"`},
		{ID: "x", Name: "esql", Type: "esql", Language: "esql", Query: `from logs-* | where process.name == "cmd.exe" | stats n = count() by host.name | where n >= 3`},
		{ID: "c", Name: "completion", Type: "esql", Language: "esql", Query: `from logs-* | eval p = "x" | completion r = p WITH {"inference_id": "e"} | where r == "y"`},
		{ID: "m", Name: "ml", Type: "machine_learning"},
		{ID: "t", Name: "threshold", Type: "threshold", Language: "kuery", Query: `event.category : authentication and event.outcome : failure`,
			Threshold: &rules.Threshold{Field: []string{"source.ip"}, Value: 5, Cardinality: []rules.Cardinality{{Field: "user.name", Value: 3}}}},
		{ID: "n", Name: "new terms", Type: "new_terms", Language: "kuery", Query: `event.category : process`,
			NewTerms: &rules.NewTerms{Fields: []string{"host.id", "process.name"}}},
		{ID: "f", Name: "filters", Type: "query", Language: "kuery", Query: `event.category : process`,
			Filters: []rules.Filter{{Query: map[string]any{"match_phrase": map[string]any{"process.name": "cmd.exe"}}},
				{Negate: true, Query: map[string]any{"exists": map[string]any{"field": "process.parent.name"}}}}},
	}
	want := map[string]check.Status{
		"q": check.OK, "e": check.OK, "u": check.Unsolvable, "p": check.ParseError,
		"x": check.OK, "c": check.Unsupported, "m": check.Unsupported, "t": check.OK, "n": check.OK, "f": check.OK,
	}
	results := check.Rules(rs, check.Options{Matches: 5})
	for _, r := range results {
		if r.Status != want[r.ID] {
			t.Errorf("%s: %s (%s), want %s", r.Name, r.Status, r.Reason, want[r.ID])
		}
	}
	if r := results[2]; !strings.Contains(r.Reason, "destination.port (empty solution space, 1025 <= x <= 1023)") {
		t.Errorf("unsolvable reason: %s", r.Reason)
	}
	if r := results[3]; !strings.HasPrefix(r.Reason, "eql: 1:28:") {
		t.Errorf("parse error reason: %s", r.Reason)
	}
	if !check.Failing(results, false) {
		t.Error("unsolvable and parse errors fail the gate")
	}
	if check.Failing(results[5:7], false) || !check.Failing(results[5:7], true) {
		t.Error("unsupported fails only with strict")
	}

	var text, md, js bytes.Buffer
	if err := check.WriteText(&text, results); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"checked 10", "ok", "unsolvable (1)", "unsupported: machine_learning (no ML jobs given: --ml-jobs) (1)", "parse error (1)", "1:30: unsupported: COMPLETION: its rows depend on what an inference endpoint answers (1)"} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("text report lacks %q:\n%s", s, text.String())
		}
	}
	if err := check.WriteMarkdown(&md, results); err != nil || !strings.Contains(md.String(), "| ok | 6 |") {
		t.Errorf("markdown report (%v):\n%s", err, md.String())
	}
	if err := check.WriteJSON(&js, results); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(js.String()), "\n")
	if len(lines) != len(results) {
		t.Fatalf("%d JSON lines for %d results", len(lines), len(results))
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first["status"] != "ok" || first["rule_id"] != "q" {
		t.Errorf("JSON line: %v %v", err, first)
	}
}

func TestQueryCheck(t *testing.T) {
	r := check.Query(`process where process.name : "*.exe"`, query.Guess, check.Options{})
	if r.Status != check.OK || r.Language != "eql" {
		t.Errorf("%+v", r)
	}
	r = check.Query(`destination.port < 1024 and (destination.port > 512 or destination.port > 1024)`, query.Guess, check.Options{})
	if r.Status != check.OK || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "1:56") {
		t.Errorf("dead alternative warning: %+v", r)
	}
	r = check.Query(`destination.port < 1024 and (destination.port > 512 or destination.port > 1024)`, query.Guess, check.Options{Strict: true})
	if r.Status != check.Unsolvable {
		t.Errorf("strict: %+v", r)
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		query  string
		lang   query.Language
		status check.Status
		reason string
	}{
		{`process.name : (a or`, query.KQL, check.ParseError, "kql: 1:16: unbalanced parenthesis"},
		{`{"term": {}}`, query.DSL, check.ParseError, "query dsl: term: [term] query requires a field"},
		{`destination.port < 1 and destination.port > 1`, query.KQL, check.Unsolvable, "destination.port (empty solution space, 1 <= x <= 0)"},
		{`process where modulo(process.pid, 2) == 1`, query.EQL, check.Unsupported, "unsupported: modulo"},
		{`{"query_string": {"query": "x"}}`, query.DSL, check.Unsupported, "query_string"},
	} {
		r := check.Query(tc.query, tc.lang, check.Options{})
		if r.Status != tc.status || !strings.Contains(r.Reason, tc.reason) {
			t.Errorf("%s: %s (%s), want %s containing %q", tc.query, r.Status, r.Reason, tc.status, tc.reason)
		}
	}
	if s, _ := check.Classify(fmt.Errorf("wrapped: %w", &query.UnsupportedError{What: "esql"})); s != check.Unsupported {
		t.Errorf("wrapped unsupported rule: %s", s)
	}
}

// TestThreatMatchCheck: emit check verifies both documents of an indicator
// match rule and the mapping; a rule whose every mapping group can never
// match is unsolvable, with the reason.
func TestThreatMatchCheck(t *testing.T) {
	rule := func(query, threatQuery string) *rules.Rule {
		return &rules.Rule{ID: "tm", Name: "indicator match", Type: rules.TypeThreatMatch, Language: rules.LangKuery,
			Query: query, Index: []string{"logs-*"},
			ThreatMatch: &rules.ThreatMatch{Query: threatQuery, Language: rules.LangKuery, Index: []string{"logs-ti_*"},
				IndicatorPath: "threat.indicator", Mapping: [][]rules.ThreatMapEntry{
					{{Field: "destination.ip", Type: "mapping", Value: "threat.indicator.ip"}},
					{{Field: "dns.question.name", Type: "mapping", Value: "threat.indicator.url.domain"}},
				}}}
	}
	res := check.Rule(rule(`destination.ip : * or dns.question.name : *`, `@timestamp >= "now-30d/d" and event.dataset : ti_*`), check.Options{Matches: 20})
	if res.Status != check.OK || res.Type != rules.TypeThreatMatch {
		t.Errorf("%s: %s", res.Status, res.Reason)
	}
	res = check.Rule(rule(`destination.ip : 10.0.0.0/8 and not dns.question.name : *`, `threat.indicator.ip : 185.220.0.0/16`), check.Options{})
	if res.Status != check.Unsolvable || !strings.Contains(res.Reason, "destination.ip") {
		t.Errorf("%s: %s", res.Status, res.Reason)
	}
	res = check.Rule(rule(`destination.ip : *`, `threat.indicator.ip : (`), check.Options{})
	if res.Status != check.ParseError || !strings.HasPrefix(res.Reason, "threat_query: kql: 1:") {
		t.Errorf("%s: %s", res.Status, res.Reason)
	}
}
