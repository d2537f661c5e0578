package check_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/check"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/internal/shared"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/schema"
)

// ruleSchemas is what a user checking the real rulesets passes: ECS, the
// endpoint schema and the non-ECS schema by index pattern.
func ruleSchemas(t testing.TB, ecs string) *emitter.RuleSchemas {
	base, err := schema.LoadAll([]string{
		shared.Path(t, "ecs/"+ecs),
		shared.Path(t, "schemas/endpoint_process.json.gz"),
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := schema.LoadNonECS(shared.Path(t, "schemas/non-ecs-schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	return &emitter.RuleSchemas{Base: base, NonECS: n}
}

// coverage checks the generatable rules of a ruleset and asserts the share
// that is ok, listing every other one in the log.
func coverage(t *testing.T, path, ecs string, types []string, min float64) {
	all, problems := rules.Load(shared.Path(t, path))
	for _, p := range problems {
		t.Errorf("load: %v", p)
	}
	selected := rules.Selector{Types: types}.Select(all)
	if len(selected) == 0 {
		t.Fatal("no rule selected")
	}
	start := time.Now()
	results := check.Rules(selected, check.Options{Schemas: ruleSchemas(t, ecs), Now: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), Matches: soundnessMatches})
	elapsed := time.Since(start)
	s := check.Summarize(results)
	ok := s.ByStatus[check.OK]
	share := 100 * float64(ok) / float64(s.Total)
	t.Logf("%s: %d rules of types %v checked in %v: %d ok (%.2f%%), %v", path, s.Total, types, elapsed.Round(time.Millisecond), ok, share, s.ByStatus)
	var bad []string
	for _, r := range results {
		if r.Status != check.OK {
			bad = append(bad, fmt.Sprintf("%s\t%s (%s)\t%s", r.Status, r.Name, r.ID, strings.ReplaceAll(r.Reason, "\n", " ")))
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Log(b)
	}
	if share < min {
		t.Errorf("%.2f%% of the rules are ok, want at least %.0f%%", share, min)
	}
	for _, r := range results {
		if r.Status == check.Failed {
			t.Errorf("emit defect on %s (%s): %s", r.Name, r.ID, r.Reason)
		}
	}
}

func TestDetectionRulesCoverage(t *testing.T) {
	coverage(t, "rules/detection-rules", "ecs-v9.5.0.tar.gz",
		[]string{rules.TypeQuery, rules.TypeEQL, rules.TypeThreshold, rules.TypeNewTerms, rules.TypeThreatMatch}, 98)
}

func TestPackageCoverage(t *testing.T) {
	coverage(t, "rules/security_detection_engine-8.2.1.zip", "ecs-v8.11.0.tar.gz",
		[]string{rules.TypeQuery, rules.TypeEQL, rules.TypeThreatMatch}, 98)
}

// soundnessMatches is how many matches of each rule the ruleset tests draw
// and judge: more than emit check's default of one, to test that every
// draw of every rule satisfies it (the generator's soundness), not only
// that one can.
const soundnessMatches = 3

// BenchmarkCheckDetectionRules times emit check over the whole
// detection-rules tree, the CI gate's cost, loading included: each run
// reads the schemas and the rules, then checks every rule.
//
//   - checkout: what `emit check --rules detection-rules` does with no
//     flag: the default schema and the checkout's own schemas (non-ECS,
//     integrations, endpoint);
//   - ecs-9.5.0: the ECS archive, the endpoint and the non-ECS schemas
//     (ruleSchemas), as the coverage test checks;
//   - checkout-no-esql: checkout without the ES|QL rules (--type query
//     --type eql --type threshold --type new_terms --type threat_match),
//     the cost of everything but ES|QL;
//   - checkout-esql: checkout with the ES|QL rules alone (--type esql).
func BenchmarkCheckDetectionRules(b *testing.B) {
	path := shared.Path(b, "rules/detection-rules")
	b.Run("checkout", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			benchCheck(b, path, checkoutBenchSchemas(b, path), nil, 1700)
		}
	})
	b.Run("ecs-9.5.0", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			benchCheck(b, path, ruleSchemas(b, "ecs-v9.5.0.tar.gz"), nil, 1700)
		}
	})
	b.Run("checkout-no-esql", func(b *testing.B) {
		types := []string{rules.TypeQuery, rules.TypeEQL, rules.TypeThreshold, rules.TypeNewTerms, rules.TypeThreatMatch}
		for i := 0; i < b.N; i++ {
			benchCheck(b, path, checkoutBenchSchemas(b, path), types, 1650)
		}
	})
	b.Run("checkout-esql", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			benchCheck(b, path, checkoutBenchSchemas(b, path), []string{rules.TypeESQL}, 190)
		}
	})
}

// checkoutBenchSchemas loads what emit check loads by itself for the
// detection-rules checkout at path.
func checkoutBenchSchemas(b *testing.B, path string) *emitter.RuleSchemas {
	c, ok := schema.FindCheckout(path)
	if !ok {
		b.Fatal("no schemas in the detection-rules checkout")
	}
	rs, err := emitter.CheckoutSchemas(schema.Default(), c)
	if err != nil {
		b.Fatal(err)
	}
	rs.Integrations.Preload() // as emit check does, while it reads the rules
	return rs
}

// benchCheck reads the rules of types (nil: all) at path and checks them,
// failing if fewer than minOK are ok.
func benchCheck(b *testing.B, path string, rs *emitter.RuleSchemas, types []string, minOK int) {
	all, problems := rules.Load(path)
	if len(problems) > 0 {
		b.Fatal(problems[0])
	}
	results := check.Rules(rules.Selector{Types: types}.Select(all), check.Options{Schemas: rs})
	if s := check.Summarize(results); s.ByStatus[check.OK] < minOK {
		b.Fatalf("%d rules ok of %d", s.ByStatus[check.OK], s.Total)
	}
}

// TestLuceneRules: every lucene rule of both shared rulesets, deprecated
// ones included (as --include-deprecated selects them), is ok.
func TestLuceneRules(t *testing.T) {
	for _, tc := range []struct {
		path, ecs string
		want      int // lucene rules in the ruleset
	}{
		{"rules/security_detection_engine-8.2.1.zip", "ecs-v8.11.0.tar.gz", 5},
		{"rules/detection-rules", "ecs-v9.5.0.tar.gz", 1},
	} {
		t.Run(tc.path, func(t *testing.T) {
			all, problems := rules.Load(shared.Path(t, tc.path))
			for _, p := range problems {
				t.Errorf("load: %v", p)
			}
			var lucene []*rules.Rule
			for _, r := range (rules.Selector{IncludeDeprecated: true}).Select(all) {
				if r.Language == rules.LangLucene {
					lucene = append(lucene, r)
				}
			}
			if len(lucene) != tc.want {
				t.Errorf("%d lucene rules, want %d", len(lucene), tc.want)
			}
			results := check.Rules(lucene, check.Options{Schemas: ruleSchemas(t, tc.ecs), Now: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), Matches: 10})
			for _, r := range results {
				if r.Status != check.OK {
					t.Errorf("%s (%s): %s: %s", r.Name, r.Source, r.Status, r.Reason)
				}
			}
		})
	}
}

// TestThreatMatchRules: every threat_match rule of both shared rulesets,
// deprecated ones included, is ok: 20 pairs of each, an indicator and an
// event, pass their evaluators and the mapping.
func TestThreatMatchRules(t *testing.T) {
	for _, tc := range []struct {
		path, ecs  string
		want, live int // threat_match rules, and those not deprecated
	}{
		{"rules/security_detection_engine-8.2.1.zip", "ecs-v8.11.0.tar.gz", 2, 2},
		{"rules/detection-rules", "ecs-v9.5.0.tar.gz", 9, 6},
	} {
		t.Run(tc.path, func(t *testing.T) {
			all, problems := rules.Load(shared.Path(t, tc.path))
			for _, p := range problems {
				t.Errorf("load: %v", p)
			}
			sel := rules.Selector{Types: []string{rules.TypeThreatMatch}, IncludeDeprecated: true}.Select(all)
			live := rules.Selector{Types: []string{rules.TypeThreatMatch}}.Select(all)
			if len(sel) != tc.want || len(live) != tc.live {
				t.Errorf("%d threat_match rules (%d not deprecated), want %d (%d)", len(sel), len(live), tc.want, tc.live)
			}
			results := check.Rules(sel, check.Options{Schemas: ruleSchemas(t, tc.ecs), Now: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), Matches: 20})
			for _, r := range results {
				if r.Status != check.OK {
					t.Errorf("%s (%s): %s: %s", r.Name, r.Source, r.Status, r.Reason)
				}
			}
		})
	}
}

// checkoutSchemas is what emit check finds by itself in the
// detection-rules checkout: ECS, the checkout's non-ECS, integration and
// endpoint schemas.
func checkoutSchemas(t testing.TB, ecs string) *emitter.RuleSchemas {
	rs := ruleSchemas(t, ecs)
	c, ok := schema.FindCheckout(shared.Path(t, "rules/detection-rules"))
	if !ok {
		t.Fatal("the detection-rules checkout has no schemas")
	}
	ig, err := schema.LoadIntegrations(c.Integrations)
	if err != nil {
		t.Fatal(err)
	}
	rs.Integrations = ig
	if c.NonECS != "" {
		if rs.NonECS, err = schema.LoadNonECS(c.NonECS); err != nil {
			t.Fatal(err)
		}
	}
	ep := schema.New()
	for _, p := range c.Endpoint {
		s, err := schema.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		ep.Merge(s)
	}
	rs.Endpoint = ep
	return rs
}

// TestESQLRulesShare: the share of the non-deprecated ES|QL rules of
// detection-rules that emit check calls ok, typed as emit check types
// them in the checkout; none fails (the evaluator rejects no generated
// document). The rest are listed in the log with their reasons.
func TestESQLRulesShare(t *testing.T) {
	all, _ := rules.Load(shared.Path(t, "rules/detection-rules"))
	selected := rules.Selector{Types: []string{rules.TypeESQL}}.Select(all)
	results := check.Rules(selected, check.Options{Schemas: checkoutSchemas(t, "ecs-v9.5.0.tar.gz"), Now: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), Matches: soundnessMatches})
	s := check.Summarize(results)
	ok := s.ByStatus[check.OK]
	share := 100 * float64(ok) / float64(s.Total)
	t.Logf("%d ES|QL rules: %d ok (%.1f%%), %v", s.Total, ok, share, s.ByStatus)
	for _, r := range results {
		switch r.Status {
		case check.OK:
		case check.Failed:
			t.Errorf("emit defect on %s (%s): %s", r.Name, r.ID, r.Reason)
		default:
			t.Logf("%s\t%s\t%s", r.Status, r.Name, strings.ReplaceAll(r.Reason, "\n", " "))
		}
	}
	if share < esqlShare {
		t.Errorf("%.1f%% of the ES|QL rules are ok, want at least %.0f%%", share, esqlShare)
	}
}
