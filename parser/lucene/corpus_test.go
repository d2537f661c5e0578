package lucene

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/emit-sec/emit/internal/shared"
	"github.com/emit-sec/emit/rules"
)

// checkQuery parses and lowers one query of the shared data, naming where
// it comes from in failures.
func checkQuery(t *testing.T, where, query string, opts Options) {
	t.Helper()
	q, err := Parse(query)
	if err != nil {
		t.Errorf("%s: %s", where, detail(err))
		return
	}
	if msg := roundTrip(query, q); msg != "" {
		t.Errorf("%s: %s", where, msg)
	}
	if _, err := q.ConstraintsWith(opts); err != nil {
		t.Errorf("%s: %v", where, err)
	}
}

// TestRuleCorpus: every lucene rule of the shared rulesets (deprecated ones
// included) parses, prints back and lowers, and so do the query_string
// clauses of their Kibana filters.
func TestRuleCorpus(t *testing.T) {
	for _, tc := range []struct {
		path   string
		lucene int // lucene rules in the ruleset
	}{
		{"rules/security_detection_engine-8.2.1.zip", 5},
		{"rules/detection-rules", 1},
	} {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			rs, ps := rules.Load(shared.Path(t, tc.path))
			if len(ps) > 0 {
				t.Fatalf("%d problems loading the rules, first: %v", len(ps), ps[0])
			}
			n, clauses := 0, 0
			for _, r := range rs {
				where := r.Location() + " " + r.String()
				if r.Language == rules.LangLucene {
					n++
					checkQuery(t, where, r.Query, Options{})
				}
				if tm := r.ThreatMatch; tm != nil && tm.Language == rules.LangLucene {
					checkQuery(t, where+" threat_query", tm.Query, Options{})
				}
				var filters []rules.Filter
				filters = append(filters, r.Filters...)
				if r.ThreatMatch != nil {
					filters = append(filters, r.ThreatMatch.Filters...)
				}
				for _, f := range filters {
					for _, qs := range queryStrings(f.Raw) {
						clauses++
						query, opts, err := queryStringOptions(qs)
						if err != nil {
							t.Errorf("%s: filter: %v", where, err)
							continue
						}
						checkQuery(t, where+" filter", query, opts)
					}
				}
			}
			if n != tc.lucene {
				t.Errorf("%d lucene rules, want %d", n, tc.lucene)
			}
			t.Logf("%d rules, %d lucene, %d query_string clauses in filters", len(rs), n, clauses)
		})
	}
}

// TestDatafeedCorpus: the query_string clauses of the ML jobs' datafeed and
// module queries parse and lower.
func TestDatafeedCorpus(t *testing.T) {
	dir := shared.Path(t, "ml/jobs")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no ML jobs in %s: %v", dir, err)
	}
	clauses := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var job struct {
			Datafeed map[string]any `json:"datafeed"`
			Module   map[string]any `json:"module"`
		}
		if err := json.Unmarshal(data, &job); err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		if job.Datafeed == nil {
			t.Errorf("%s: no datafeed", file)
		}
		for _, part := range []map[string]any{job.Datafeed, job.Module} {
			for _, qs := range queryStrings(part) {
				clauses++
				query, opts, err := queryStringOptions(qs)
				if err != nil {
					t.Errorf("%s: %v", file, err)
					continue
				}
				checkQuery(t, filepath.Base(file), query, opts)
			}
		}
	}
	t.Logf("%d jobs, %d query_string clauses", len(files), clauses)
}

// queryStrings returns the bodies of the query_string clauses anywhere in a
// decoded JSON value.
func queryStrings(v any) []map[string]any {
	var out []map[string]any
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if body, ok := x[k].(map[string]any); ok && k == "query_string" {
					out = append(out, body)
					continue
				}
				walk(x[k])
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
	return out
}

// queryStringOptions reads the query and the options of a query_string
// clause body.
func queryStringOptions(body map[string]any) (string, Options, error) {
	var opts Options
	query, ok := body["query"].(string)
	if !ok {
		return "", opts, errors.New("query_string without a query string")
	}
	if f, ok := body["default_field"].(string); ok {
		opts.DefaultField = f
	}
	if op, ok := body["default_operator"].(string); ok && strings.EqualFold(op, "and") {
		opts.DefaultOperator = OperatorAnd
	}
	return query, opts, nil
}

func TestQueryStrings(t *testing.T) {
	var filter map[string]any
	if err := json.Unmarshal([]byte(`{
		"meta": {"type": "custom", "negate": false},
		"query": {"bool": {"filter": [
			{"query_string": {"query": "process.name:(cmd.exe OR pwsh.exe)"}},
			{"bool": {"must_not": {"query_string": {"query": "a b", "default_field": "user.name", "default_operator": "AND"}}}}
		]}}
	}`), &filter); err != nil {
		t.Fatal(err)
	}
	qs := queryStrings(filter)
	if len(qs) != 2 {
		t.Fatalf("found %d query_string clauses", len(qs))
	}
	var got []string
	for _, body := range qs {
		query, opts, err := queryStringOptions(body)
		if err != nil {
			t.Fatal(err)
		}
		cq, err := mustParse(t, query).ConstraintsWith(opts)
		if err != nil {
			t.Fatalf("%q: %v", query, err)
		}
		got = append(got, show(cq.Events[0].Cond))
	}
	want := []string{`process.name == "cmd.exe" or process.name == "pwsh.exe"`, `user.name == "a b"`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q", got)
	}
}
