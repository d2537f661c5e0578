package emitter_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/internal/shared"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/schema"
)

// checkoutSchemas loads what emit check loads for the detection-rules
// checkout at path.
func checkoutSchemas(tb testing.TB, path string) *emitter.RuleSchemas {
	c, ok := schema.FindCheckout(path)
	if !ok {
		tb.Fatal("no schemas in the detection-rules checkout")
	}
	rs, err := emitter.CheckoutSchemas(schema.Default(), c)
	if err != nil {
		tb.Fatal(err)
	}
	return rs
}

// TestRuleSchemasConcurrent: rules checked in parallel get the schemas
// that rules checked one by one get (go test -race checks the sharing).
func TestRuleSchemasConcurrent(t *testing.T) {
	path := shared.Path(t, "rules/detection-rules")
	all, problems := rules.Load(path)
	if len(problems) > 0 {
		t.Fatal(problems[0])
	}
	qs := make([]*query.Query, len(all))
	for i, r := range all {
		qs[i], _ = emitter.RuleQuery(r)
	}
	one := checkoutSchemas(t, path)
	par := checkoutSchemas(t, path)
	got := make([]*schema.Schema, len(all))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(all); i += 4 {
				got[i] = par.ForRule(all[i], qs[i])
				got[i].Field("process.name")
			}
		})
	}
	wg.Wait()
	compared := map[[2]*schema.Schema]bool{}
	for i, r := range all {
		want := one.ForRule(r, qs[i])
		if compared[[2]*schema.Schema{got[i], want}] {
			continue
		}
		compared[[2]*schema.Schema{got[i], want}] = true
		if got[i].Len() != want.Len() || !slices.Equal(got[i].Names(), want.Names()) {
			t.Errorf("%s: %d fields in parallel, %d one by one", r.Name, got[i].Len(), want.Len())
		}
	}
}

// BenchmarkRuleSchemas times what emit check spends on the rules' schemas
// over detection-rules, the schema files read beforehand: every rule's
// ForRule, from fresh RuleSchemas and integration schemas (so the data
// streams each rule reads are parsed, merged and layered as in one run).
func BenchmarkRuleSchemas(b *testing.B) {
	path := shared.Path(b, "rules/detection-rules")
	all, problems := rules.Load(path)
	if len(problems) > 0 {
		b.Fatal(problems[0])
	}
	type ruleQuery struct {
		r *rules.Rule
		q *query.Query
	}
	var rqs []ruleQuery
	for _, r := range all {
		q, err := emitter.RuleQuery(r)
		if err != nil {
			q = nil
		}
		rqs = append(rqs, ruleQuery{r, q})
	}
	loaded := checkoutSchemas(b, path)
	c, _ := schema.FindCheckout(path)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		ig, err := schema.LoadIntegrations(c.Integrations)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ig.Packages(); err != nil {
			b.Fatal(err)
		}
		rs := &emitter.RuleSchemas{Base: loaded.Base, NonECS: loaded.NonECS, Endpoint: loaded.Endpoint, Integrations: ig}
		b.StartTimer()
		for _, rq := range rqs {
			rs.ForRule(rq.r, rq.q)
		}
	}
}
