package query

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/internal/shared"
	"github.com/emit-sec/emit/parser/dsl"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/solver"
)

// filterSets returns the rules of a corpus with filters and the rules with
// threat filters.
func filterSets(t *testing.T, rel string) (filters, threat []*rules.Rule) {
	t.Helper()
	rs, ps := rules.Load(shared.Path(t, rel))
	if len(ps) > 0 {
		t.Fatalf("%s: %d problems, first: %v", rel, len(ps), ps[0])
	}
	for _, r := range rs {
		if len(r.Filters) > 0 {
			filters = append(filters, r)
		}
		if r.ThreatMatch != nil && len(r.ThreatMatch.Filters) > 0 {
			threat = append(threat, r)
		}
	}
	return filters, threat
}

func TestCorpusFilters(t *testing.T) {
	for _, c := range []struct {
		rel                   string
		filters, threat, kept int
	}{
		{"rules/detection-rules", 21, 8, 53},
		{"rules/security_detection_engine-8.2.1.zip", 1, 2, 1},
	} {
		fs, ts := filterSets(t, c.rel)
		if len(fs) != c.filters || len(ts) != c.threat {
			t.Errorf("%s: %d rules with filters, %d with threat filters; want %d and %d", c.rel, len(fs), len(ts), c.filters, c.threat)
		}
		clauses := 0
		for _, r := range fs {
			for i, f := range r.Filters {
				q, err := dsl.Parse(f.Query)
				if err != nil {
					t.Errorf("%s: filter %d: %v", r.Source, i+1, err)
					continue
				}
				if q.String() == "" || len(q.Fields()) == 0 {
					t.Errorf("%s: filter %d: empty rendering or no fields", r.Source, i+1)
				}
				clauses++
			}
			e, err := FilterExpr(r.Filters)
			if err != nil {
				t.Errorf("%s: %v", r.Source, err)
				continue
			}
			if e == nil {
				t.Errorf("%s: enabled filters lowered to nothing", r.Source)
			}
		}
		if clauses != c.kept {
			t.Errorf("%s: %d filter clauses, want %d", c.rel, clauses, c.kept)
		}
		for _, r := range ts {
			if _, err := FilterExpr(r.ThreatMatch.Filters); err != nil {
				t.Errorf("%s: threat filters: %v", r.Source, err)
			}
		}
	}
}

func TestCorpusFilterFormulas(t *testing.T) {
	fs, _ := filterSets(t, "rules/security_detection_engine-8.2.1.zip")
	if len(fs) != 1 {
		t.Fatalf("%d rules with filters", len(fs))
	}
	e, err := FilterExpr(fs[0].Filters)
	if err != nil || e.String() != "not user_agent.original exists" {
		t.Errorf("%s: %v, %v", fs[0].Name, e, err)
	}
	fs, _ = filterSets(t, "rules/detection-rules")
	want := map[string]string{
		"LSASS Memory Dump Handle Access": `not winlog.event_data.ProcessName like~ "C:\\\\Program Files (x86)\\\\*.exe" and ` +
			`not winlog.event_data.ProcessName like~ "C:\\\\Program Files\\\\*.exe" and ` +
			`not winlog.event_data.ProcessName like~ "?:\\\\ProgramData\\\\Microsoft\\\\Windows Defender\\\\*.exe"`,
		"Rapid7 Threat Command CVEs Correlation": "not rapid7.tc.vulnerability.id exists",
		// The TOML basic string "C:\\Program Files\\..." holds single
		// backslashes, which Elasticsearch's wildcard syntax reads as
		// escapes of the next character: the pattern has no backslash.
		"Suspicious .NET Reflection via PowerShell": `not file.path like~ "C:Program FilesMicrosoft Monitoring AgentAgentHealth Service StateMonitoring Host Temporary Files*AvailabilityGroupMonitoring.ps1" and ` +
			`not file.path like~ "?:\\\\ProgramData\\\\Microsoft\\\\Windows Defender Advanced Threat Protection\\\\DataCollection\\\\*"`,
	}
	for _, r := range fs {
		w, ok := want[r.Name]
		if !ok {
			continue
		}
		delete(want, r.Name)
		e, err := FilterExpr(r.Filters)
		if err != nil || e.String() != w {
			t.Errorf("%s:\n got  %v (%v)\n want %s", r.Name, e, err, w)
		}
	}
	for name := range want {
		t.Errorf("rule %q not found", name)
	}
}

// ecs loads the ECS 8.11 schema.
func ecs(t *testing.T) *schema.Schema {
	t.Helper()
	s, err := schema.Load(shared.Path(t, "ecs/ecs-v8.11.0.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// generated solves a filter formula and returns n documents.
func generated(t *testing.T, e constraint.Expr, sch *schema.Schema, n int, seed uint64) []map[string]any {
	t.Helper()
	now := time.Date(2024, 3, 15, 12, 0, 0, 0, time.UTC)
	q := &constraint.Query{Lang: "dsl", Kind: constraint.EventQuery,
		Events: []constraint.Event{{Cond: e, Runs: 1}}}
	s, err := solver.New(q, solver.Options{Schema: sch, Now: now})
	if err != nil {
		t.Fatalf("%v: %v", e, err)
	}
	r := rand.New(rand.NewPCG(seed, 7))
	b := document.NewBuilder()
	var m solver.Match
	var out []map[string]any
	for i := 0; i < n; i++ {
		if err := s.Generate(r, &m); err != nil {
			t.Fatalf("%v: generate: %v", e, err)
		}
		d := m.Docs[0]
		js, err := b.Build(nil, now, d.Fields, d.Values)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(js, &doc); err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		out = append(out, doc)
	}
	return out
}

// TestCorpusGeneratedDocuments solves every real rule's filters and checks
// the documents with the evaluator: the filters lower to formulas whose
// solutions Elasticsearch would keep.
func TestCorpusGeneratedDocuments(t *testing.T) {
	sch := ecs(t)
	types := sch.Types()
	for _, rel := range []string{"rules/detection-rules", "rules/security_detection_engine-8.2.1.zip"} {
		fs, ts := filterSets(t, rel)
		check := func(name string, filters []rules.Filter) {
			e, err := FilterExpr(filters)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				return
			}
			for _, d := range generated(t, e, sch, 25, uint64(len(name))) {
				if !MatchFilters(filters, d, types, time.Now()) {
					js, _ := json.Marshal(d)
					t.Errorf("%s: generated document fails the filters: %s\nformula: %v", name, js, e)
					return
				}
			}
		}
		for _, r := range fs {
			check(r.Name, r.Filters)
		}
		for _, r := range ts {
			check(r.Name+" (threat filters)", r.ThreatMatch.Filters)
		}
	}
}

// TestGeneratedDocuments solves clauses of every kind with the solver and
// checks the documents with the evaluator, both as they are and negated.
func TestGeneratedDocuments(t *testing.T) {
	sch := ecs(t)
	types := sch.Types()
	clauses := []string{
		`{"term": {"process.name": "cmd.exe"}}`,
		`{"term": {"process.name": {"value": "CMD.exe", "case_insensitive": true}}}`,
		`{"term": {"destination.port": 443}}`,
		`{"term": {"source.ip": "10.0.0.0/8"}}`,
		`{"term": {"dll.code_signature.trusted": false}}`,
		`{"terms": {"event.action": ["start", "exec", "fork"]}}`,
		`{"match_phrase": {"event.module": "okta"}}`,
		`{"match": {"host.name": "web-01"}}`,
		`{"exists": {"field": "user_agent.original"}}`,
		`{"range": {"destination.port": {"gte": 1024, "lt": 2048}}}`,
		`{"range": {"event.risk_score": {"gt": 47.5}}}`,
		`{"range": {"event.created": {"gte": "now-1d", "lte": "now"}}}`,
		`{"range": {"file.size": {"from": 10, "to": 20, "include_lower": false}}}`,
		`{"wildcard": {"file.path": {"value": "?:\\\\Windows\\\\Sys?????\\\\*.dll", "case_insensitive": true}}}`,
		`{"wildcard": {"process.executable": "*\\\\powershell.exe"}}`,
		`{"prefix": {"host.hostname": "web-"}}`,
		`{"regexp": {"host.hostname": "web-[0-9]{2}\\.corp"}}`,
		`{"regexp": {"process.name": {"value": "(cmd|pwsh)\\.exe", "case_insensitive": true}}}`,
		`{"bool": {"must": [{"term": {"event.category": "process"}}], "must_not": [{"terms": {"process.name": ["a", "b"]}}]}}`,
		`{"bool": {"should": [{"term": {"a.b": "1"}}, {"term": {"a.c": "2"}}, {"term": {"a.d": "3"}}], "minimum_should_match": 2}}`,
		`{"bool": {"filter": {"exists": {"field": "user.name"}}, "should": [{"prefix": {"user.name": "adm"}}], "minimum_should_match": "100%"}}`,
		`{"match_all": {}}`,
	}
	for _, js := range clauses {
		for _, negate := range []bool{false, true} {
			fs := []rules.Filter{{Query: clause(t, js), Negate: negate}}
			e, err := FilterExpr(fs)
			if err != nil {
				t.Errorf("%s: %v", js, err)
				continue
			}
			if negate && js == `{"match_all": {}}` {
				continue // unsolvable by design
			}
			for _, d := range generated(t, e, sch, 30, uint64(len(js))) {
				if !MatchFilters(fs, d, types, time.Date(2024, 3, 15, 12, 0, 0, 0, time.UTC)) {
					out, _ := json.Marshal(d)
					t.Errorf("%s (negate %v): generated document fails: %s\nformula: %v", js, negate, out, e)
					break
				}
			}
		}
	}
}
