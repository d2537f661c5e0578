package check_test

import (
	"testing"

	"github.com/emit-sec/emit/check"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/internal/shared"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/telemetry"
)

// BenchmarkVerify times check.Verify alone over the detection-rules
// checkout (what emit check does per rule after solving: draw 3 matches
// and have the query's evaluator judge them), each rule's query and
// schema prepared once, and its emitter and source made afresh, as check
// makes them, outside the timing:
//
//   - all: every rule check solves (machine_learning aside);
//   - esql: the ES|QL rules (groups judged by the evaluator as drawn);
//   - no-esql: the others.
func BenchmarkVerify(b *testing.B) {
	path := shared.Path(b, "rules/detection-rules")
	rs := checkoutBenchSchemas(b, path)
	all, problems := rules.Load(path)
	if len(problems) > 0 {
		b.Fatal(problems[0])
	}
	pop := telemetry.NewPopulation(telemetry.Default(), 1, 0, 0)
	type prepared struct {
		r    *rules.Rule
		q    *query.Query
		sch  *schema.Schema
		esql bool
	}
	var ready []prepared
	for _, r := range (rules.Selector{}).Select(all) {
		if r.Type == rules.TypeMachineLearning {
			continue
		}
		q, err := emitter.RuleQuery(r)
		if err != nil {
			continue
		}
		sch := rs.ForRule(r, q)
		e := emitter.New(emitter.Options{Schema: sch, Seed: 1, Population: pop})
		if _, err := e.AddRuleQuery(r, q, sch); err != nil {
			continue
		}
		ready = append(ready, prepared{r, q, sch, q.ESQL != nil})
	}
	for _, sub := range []struct {
		name string
		keep func(esql bool) bool
	}{
		{"all", func(bool) bool { return true }},
		{"esql", func(esql bool) bool { return esql }},
		{"no-esql", func(esql bool) bool { return !esql }},
	} {
		b.Run(sub.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				for _, p := range ready {
					if !sub.keep(p.esql) {
						continue
					}
					b.StopTimer()
					e := emitter.New(emitter.Options{Schema: p.sch, Seed: 1, Population: pop})
					src, err := e.AddRuleQuery(p.r, p.q, p.sch)
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					if err := check.Verify(e, src, 3); err != nil {
						b.Fatalf("%s: %v", p.r.Name, err)
					}
				}
			}
		})
	}
}
