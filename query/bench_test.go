package query

import (
	"testing"

	"github.com/emit-sec/emit/internal/shared"
	"github.com/emit-sec/emit/rules"
)

// BenchmarkForRule reads every rule query of the detection-rules tree
// with ForRule (parse and lowering, filters included), by language, as
// emit check does once per rule; ns/rule is per query read.
func BenchmarkForRule(b *testing.B) {
	all, problems := rules.Load(shared.Path(b, "rules/detection-rules"))
	if len(problems) > 0 {
		b.Fatalf("%d problems loading the rules, first: %v", len(problems), problems[0])
	}
	byLang := map[string][]*rules.Rule{}
	for _, r := range all {
		byLang[r.Language] = append(byLang[r.Language], r)
		byLang["all"] = append(byLang["all"], r)
	}
	for _, lang := range []string{"all", rules.LangEQL, rules.LangESQL, rules.LangKuery, rules.LangLucene} {
		rs := byLang[lang]
		if len(rs) == 0 {
			continue
		}
		b.Run(lang, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, r := range rs {
					_, _ = ForRule(r) // a few rules are unsupported: their cost counts too
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rs)), "ns/rule")
		})
	}
}
