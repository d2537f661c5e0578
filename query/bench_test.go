package query

import (
	"strings"
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

// costliestESQL are the ES|QL rules of the detection-rules tree that cost
// emit check the most, one by one: a CASE of about 150 branches, groups
// of hundreds of documents.
var costliestESQL = []string{
	"Multiple Remote Management Tool Vendors on Same Host",
	"AWS Lambda Function High-Frequency Invocation by a Single Principal",
	"Potential Subnet Scanning Activity from Compromised Host",
	"Web Server Discovery or Fuzzing Activity",
	"Long Base64 Encoded Command via Scripting Interpreter",
}

// BenchmarkForRuleCostliestESQL reads each of costliestESQL with ForRule
// (parse and lowering), one sub-benchmark per rule.
func BenchmarkForRuleCostliestESQL(b *testing.B) {
	all, problems := rules.Load(shared.Path(b, "rules/detection-rules"))
	if len(problems) > 0 {
		b.Fatalf("%d problems loading the rules, first: %v", len(problems), problems[0])
	}
	byName := map[string]*rules.Rule{}
	for _, r := range all {
		byName[r.Name] = r
	}
	for _, name := range costliestESQL {
		r := byName[name]
		if r == nil {
			b.Fatalf("no rule %q", name)
		}
		b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ForRule(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
