package esql

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/internal/shared"
	"github.com/emit-sec/emit/schema"
)

// evalCorpusSchema is the field typing of the rules: ECS and Elastic Defend's
// process fields, as a user checking the detection-rules tree passes them.
func evalCorpusSchema(tb testing.TB) *schema.Schema {
	tb.Helper()
	s, err := schema.LoadAll([]string{
		shared.Path(tb, "ecs/ecs-v9.5.0.tar.gz"),
		shared.Path(tb, "schemas/endpoint_process.json.gz"),
	})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// evalQueryTypes types the fields of a query: by the schema, and the fields
// the schema does not know (integration fields: gen_ai.*, kibana.alert.*)
// by how the query uses them, as their integrations' mappings type them:
// compared with or computed into numbers, numeric; used as a condition,
// boolean; else keyword.
func evalQueryTypes(s *schema.Schema, q *Query) estype.Lookup {
	inferred := map[string]estype.Type{}
	note := func(e Expr, t estype.Type) {
		if f, ok := e.(*Field); ok && !s.Field(f.Name).Known {
			if _, done := inferred[f.Name]; !done || t == estype.Double {
				inferred[f.Name] = t
			}
		}
	}
	numeric := func(e Expr) bool {
		l, ok := e.(*Literal)
		return ok && (l.Kind == LitInt || l.Kind == LitDouble)
	}
	var walkCmds func([]Command)
	walkCmds = func(cs []Command) {
		for _, c := range cs {
			if w, ok := c.(*Where); ok {
				note(w.Cond, estype.Boolean)
			}
			for _, e := range Exprs(c) {
				Walk(e, func(x Expr) bool {
					switch y := x.(type) {
					case *Compare:
						if numeric(y.R) {
							note(y.L, estype.Double)
						}
						if numeric(y.L) {
							note(y.R, estype.Double)
						}
					case *Arith:
						note(y.L, estype.Double)
						note(y.R, estype.Double)
					case *And:
						for _, z := range y.X {
							note(z, estype.Boolean)
						}
					case *Or:
						for _, z := range y.X {
							note(z, estype.Boolean)
						}
					case *Not:
						note(y.X, estype.Boolean)
					case *Call:
						switch y.Name {
						case "avg", "sum", "median", "percentile", "std_dev", "round", "abs", "max", "min":
							note(y.Args[0], estype.Double)
						}
					}
					return true
				})
			}
			if f, ok := c.(*Fork); ok {
				for _, b := range f.Branches {
					walkCmds(b.Commands)
				}
			}
		}
	}
	walkCmds(q.Commands)
	types := s.Types()
	return func(f string) estype.Mapping {
		if t, ok := inferred[f]; ok {
			return estype.Mapping{Type: t}
		}
		return types(f)
	}
}

// evalCorpusNow is the instant the corpus runs at.
var evalCorpusNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// evalSampleValue is a value a document may hold for a field of type t; i
// varies it between documents.
func evalSampleValue(t estype.Type, field string, i int) any {
	switch t.Family() {
	case estype.IntegerFamily:
		return float64(1000 + i)
	case estype.FloatFamily:
		return 1.5 + float64(i)
	case estype.DateFamily:
		return evalCorpusNow.Add(-time.Duration(i+1) * time.Minute).Format(time.RFC3339)
	case estype.BooleanFamily:
		return i%2 == 0
	case estype.IPFamily:
		return fmt.Sprintf("10.0.0.%d", i+1)
	case estype.GeoFamily:
		return map[string]any{"lat": 40.0 + float64(i), "lon": -3.0 - float64(i)}
	case estype.ObjectFamily, estype.OtherFamily, estype.RangeFamily:
		return nil
	}
	if strings.HasSuffix(field, "args") {
		return []any{"cmd.exe", "/c", fmt.Sprintf("whoami %d", i)}
	}
	return fmt.Sprintf("value %d of %s", i, field)
}

// evalSampleDocs builds documents holding every field a query reads, with
// values of the fields' types.
func evalSampleDocs(q *Query, types estype.Lookup, n int) []map[string]any {
	ev := newEvaluator(q, nil, RunOptions{})
	if err := ev.check(q.Commands, false); err != nil {
		return nil
	}
	var fields []string
	for f := range ev.sourceFields() {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	docs := make([]map[string]any, n)
	for i := range docs {
		d := map[string]any{"@timestamp": evalCorpusNow.Add(-time.Duration(i+1) * time.Minute).Format(time.RFC3339)}
		for _, f := range fields {
			if v := evalSampleValue(types(f).Type, f, i); v != nil {
				d[f] = v
			}
		}
		docs[i] = d
	}
	return docs
}

// TestRunDetectionRules runs every ES|QL rule of the detection-rules tree
// on no document and on a few documents holding the fields it reads: Run
// must return rows or nothing, or say that a command it cannot run
// (ENRICH, LOOKUP JOIN, COMPLETION) is unsupported.
func TestRunDetectionRules(t *testing.T) {
	rs := esqlRules(t)
	s := evalCorpusSchema(t)
	unsupported := map[string]int{}
	ran, withRows := 0, 0
	for _, r := range rs {
		q, err := Parse(r.Query)
		if err != nil {
			t.Errorf("%s: %v", r.Source, err)
			continue
		}
		types := evalQueryTypes(s, q)
		for _, n := range []int{0, 3} {
			docs := evalSampleDocs(q, types, n)
			rows, err := Run(q, docs, RunOptions{Types: types, Now: evalCorpusNow, KQL: evalKQLOption(types, evalCorpusNow)})
			if err != nil {
				var re *RunError
				if errors.As(err, &re) && errors.Is(err, constraint.ErrUnsupported) && allowedUnsupported(re.Msg) {
					unsupported[strings.SplitN(re.Msg, ":", 2)[0]]++
					break
				}
				if errors.As(err, &re) {
					t.Errorf("%s (%d documents):\n%s", r.Source, n, re.Detail())
				} else {
					t.Errorf("%s (%d documents): %v", r.Source, n, err)
				}
				break
			}
			ran++
			if len(rows) > 0 {
				withRows++
			}
		}
	}
	t.Logf("%d ES|QL rules: %d runs, %d with rows, unsupported: %v", len(rs), ran, withRows, unsupported)
}

// allowedUnsupported reports whether an unsupported error is one the
// evaluator may give for a valid rule: commands that need what it does
// not have.
func allowedUnsupported(msg string) bool {
	for _, p := range []string{"ENRICH:", "LOOKUP JOIN:", "COMPLETION:"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// TestRuleFunctionsEvaluated walks every ES|QL rule of the detection-rules
// tree and fails on a function the evaluator does not evaluate (COMPLETION
// rules included, which Run refuses before it compiles anything).
func TestRuleFunctionsEvaluated(t *testing.T) {
	used := map[string]int{}
	var walkCmds func(src string, cs []Command)
	walkCmds = func(src string, cs []Command) {
		for _, c := range cs {
			for _, e := range Exprs(c) {
				Walk(e, func(x Expr) bool {
					if call, ok := x.(*Call); ok {
						used[call.Name]++
						if !evaluates(call.Name) {
							t.Errorf("%s: function %s is not evaluated", src, strings.ToUpper(call.Name))
						}
					}
					if cast, ok := x.(*Cast); ok {
						if _, ok := castFuncs[cast.Type]; !ok {
							t.Errorf("%s: cast to %s is not evaluated", src, cast.Type)
						}
					}
					return true
				})
			}
			if f, ok := c.(*Fork); ok {
				for _, b := range f.Branches {
					walkCmds(src, b.Commands)
				}
			}
		}
	}
	for _, r := range esqlRules(t) {
		q, err := Parse(r.Query)
		if err != nil {
			t.Errorf("%s: %v", r.Source, err)
			continue
		}
		walkCmds(r.Source, q.Commands)
	}
	names := make([]string, 0, len(used))
	for n := range used {
		names = append(names, n)
	}
	sort.Strings(names)
	t.Logf("%d functions used by the rules: %s", len(names), strings.Join(names, ", "))
}

// evalRuleQuery returns the query of the detection rule whose file name
// contains name.
func evalRuleQuery(tb testing.TB, name string) *Query {
	tb.Helper()
	for _, r := range esqlRules(tb) {
		if strings.Contains(r.Source, name) {
			return MustParse(r.Query)
		}
	}
	tb.Fatalf("no rule %s", name)
	return nil
}

// TestDetectionRuleMatches runs real rules over hand-made groups of
// events: the group that makes each fire, and one a document short (or
// with the link between its events broken), which must not.
func TestDetectionRuleMatches(t *testing.T) {
	s := evalCorpusSchema(t)
	base := time.Date(2024, 5, 1, 10, 1, 0, 0, time.UTC)
	run := func(q *Query, docs []map[string]any, idx []string) []ResultRow {
		t.Helper()
		rows, err := Run(q, docs, RunOptions{Types: evalQueryTypes(s, q), Indices: idx, Now: base.Add(time.Hour), KQL: evalKQLOption(evalQueryTypes(s, q), base.Add(time.Hour))})
		if err != nil {
			var re *RunError
			if errors.As(err, &re) {
				t.Fatal(re.Detail())
			}
			t.Fatal(err)
		}
		return rows
	}

	// DNS exfiltration in numbered chunks: GROK, STATS over a date_trunc
	// window, count_distinct >= 30.
	dns := evalRuleQuery(t, "exfiltration_excessive_dns_queries_by_process")
	var docs []map[string]any
	var idx []string
	for i := 0; i < 30; i++ {
		docs = append(docs, map[string]any{
			"@timestamp":  base.Add(time.Duration(i) * time.Second).Format(time.RFC3339),
			"host":        map[string]any{"os": map[string]any{"type": "windows"}, "id": "H1", "name": "win1"},
			"event":       map[string]any{"category": "network", "action": "lookup_requested"},
			"process":     map[string]any{"name": "evil.exe"},
			"dns":         map[string]any{"question": map[string]any{"name": fmt.Sprintf("%d-QUJDREVGR0hJSktMTU5PUFFSU1RVVldY.exfil.example.com", i)}},
			"user":        map[string]any{"id": "S-1-5-21", "name": "bob"},
			"data_stream": map[string]any{"namespace": "default"},
		})
		idx = append(idx, "logs-endpoint.events.network-default")
	}
	if rows := run(dns, docs, idx); len(rows) != 1 {
		t.Errorf("DNS chunks: %d rows for 30 chunks, want 1", len(rows))
	} else if v, _ := rows[0].Get("Esql.unique_chunks"); v != int64(30) {
		t.Errorf("DNS chunks: unique_chunks = %v", v)
	}
	if rows := run(dns, docs[:29], idx[:29]); len(rows) != 0 {
		t.Errorf("DNS chunks: %d rows for 29 chunks, want 0", len(rows))
	}
	if rows := run(dns, docs, nil); len(rows) != 1 {
		t.Errorf("DNS chunks: %d rows without indices, want 1", len(rows))
	}
	if rows := run(dns, docs, make([]string, len(docs))); len(rows) != 0 {
		t.Errorf("DNS chunks: %d rows in an index FROM does not name, want 0", len(rows))
	}

	// SSM SendCommand followed by a LOLBin on the instance: two DISSECTs
	// link a CloudTrail event and an endpoint process by the command id.
	ssm := evalRuleQuery(t, "execution_aws_ec2_lolbin_via_ssm")
	cloud := map[string]any{
		"@timestamp":  base.Format(time.RFC3339),
		"data_stream": map[string]any{"dataset": "aws.cloudtrail", "namespace": "default"},
		"event":       map[string]any{"action": "SendCommand"},
		"aws": map[string]any{"cloudtrail": map[string]any{
			"request_parameters": "{documentName=AWS-RunShellScript, instanceIds=[i-0abc]}",
			"response_elements":  "{command={commandId=5b1c-77, documentName=AWS-RunShellScript}}",
			"user_identity":      map[string]any{"arn": "arn:aws:iam::123456789012:user/eve"},
		}},
	}
	endpoint := func(cmdID string) map[string]any {
		return map[string]any{
			"@timestamp":  base.Add(2 * time.Minute).Format(time.RFC3339),
			"data_stream": map[string]any{"dataset": "endpoint.events.process", "namespace": "default"},
			"host":        map[string]any{"os": map[string]any{"type": "linux"}, "name": "i-0abc"},
			"process": map[string]any{"name": "curl", "pid": 4242, "command_line": "curl http://x/y",
				"parent": map[string]any{"command_line": "/bin/sh /var/lib/amazon/ssm/i-0abc/document/orchestration/" + cmdID + "/awsrunShellScript/0.awsrunShellScript/_script.sh"}},
		}
	}
	pair := []string{"logs-aws.cloudtrail-default", "logs-endpoint.events.process-default"}
	if rows := run(ssm, []map[string]any{cloud, endpoint("5b1c-77")}, pair); len(rows) != 1 {
		t.Errorf("SSM: %d rows, want 1", len(rows))
	}
	if rows := run(ssm, []map[string]any{cloud, endpoint("9999-00")}, pair); len(rows) != 0 {
		t.Errorf("SSM: %d rows for unrelated command ids, want 0", len(rows))
	}
}
