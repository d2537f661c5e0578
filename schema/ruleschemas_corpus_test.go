package schema_test

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
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

// flatForRule is what RuleSchemas.ForRule made before rule schemas were
// layered (schema.Filled): a clone of the base, merged with the endpoint
// and non-ECS fields, filled with the integration fields, all flat and by
// the code of then (MergeReference, FillReference, SelectReference).
func flatForRule(t *testing.T, rs *emitter.RuleSchemas, r *rules.Rule, q *query.Query) *schema.Schema {
	side := func(r *rules.Rule, q *query.Query) *schema.Schema {
		s := rs.Base.Clone()
		patterns := r.IndexPatterns()
		if schema.SearchesIndex(patterns, emitter.EndpointIndex) {
			s.MergeReference(rs.Endpoint)
		}
		if len(patterns) > 0 {
			if n := rs.NonECS.Shared(patterns); n.Len() > 0 {
				s.MergeReference(n)
			}
		}
		integ, err := rs.Integrations.SelectReference(emitter.IntegrationSelection(r, q))
		if err != nil {
			t.Fatal(err)
		}
		if integ != nil {
			s.FillReference(integ)
		}
		return s
	}
	s := side(r, q)
	if tm := r.ThreatMatch; tm != nil && r.Type == rules.TypeThreatMatch && len(tm.Index) > 0 {
		s.FillReference(side(&rules.Rule{Index: tm.Index, RelatedIntegrations: r.RelatedIntegrations, Integrations: r.Integrations}, nil))
	}
	return s
}

// fieldLike are the words of a query that may be field names.
var fieldLike = regexp.MustCompile(`[A-Za-z_@][A-Za-z0-9_.@-]*`)

// TestRuleSchemasLayered: for every rule of detection-rules, the layered
// schema emitter.RuleSchemas.ForRule gives answers every question exactly
// as the flat schema it replaces, made by the code it replaces: the same fields (Len, Names), and for every field the
// rule's query may name, every field of ECS, every field of either
// schema, their multi-fields, the objects above them and keys below them,
// the same Field and Lookup; the same Match of the query's wildcard
// fields and of broad patterns, and the same Mappings.
func TestRuleSchemasLayered(t *testing.T) {
	path := shared.Path(t, "rules/detection-rules")
	ecs, err := schema.LoadAll([]string{shared.Path(t, "ecs/ecs-v9.5.0.tar.gz")})
	if err != nil {
		t.Fatal(err)
	}
	all, problems := rules.Load(path)
	if len(problems) > 0 {
		t.Fatal(problems[0])
	}
	rs := checkoutSchemas(t, path)
	seen := map[*schema.Schema]bool{}
	layered := 0
	for _, r := range all {
		q, err := emitter.RuleQuery(r)
		if err != nil {
			q = nil
		}
		got := rs.ForRule(r, q)
		if seen[got] {
			continue
		}
		seen[got] = true
		want := flatForRule(t, rs, r, q)
		if got.Len() != want.Len() {
			t.Errorf("%s: Len = %d, want %d", r.Name, got.Len(), want.Len())
		}
		wantNames := want.Names()
		if gotNames := got.Names(); !slices.Equal(gotNames, wantNames) {
			t.Errorf("%s: Names differ: %d, want %d", r.Name, len(gotNames), len(wantNames))
		}
		if !got.Flat() {
			layered++
		}
		names := map[string]bool{}
		add := func(n string) {
			names[n] = true
			for i := strings.IndexByte(n, '.'); i > 0; i = nextDot(n, i) {
				names[n[:i]] = true
			}
			names[n+".zz"] = true
		}
		for _, n := range fieldLike.FindAllString(r.Query, -1) {
			add(n)
		}
		for _, n := range ecs.Names() {
			add(n)
		}
		for _, s := range []*schema.Schema{want, got} {
			for _, n := range s.Names() {
				add(n)
				f, _ := s.Lookup(n)
				for _, m := range f.MultiFields {
					add(n + "." + m.Name)
				}
			}
		}
		for n := range names {
			if g, w := got.Field(n), want.Field(n); !reflect.DeepEqual(g, w) {
				t.Errorf("%s: Field(%q) = %+v, want %+v", r.Name, n, g, w)
			}
			g, gok := got.Lookup(n)
			w, wok := want.Lookup(n)
			if gok != wok || !reflect.DeepEqual(g, w) {
				t.Errorf("%s: Lookup(%q) = %+v %v, want %+v %v", r.Name, n, g, gok, w, wok)
			}
		}
		patterns := []string{"*", "process.*", "*.name", "*.ip", "event.*"}
		for _, n := range fieldLike.FindAllString(r.Query, -1) {
			if strings.Contains(n, "*") {
				patterns = append(patterns, n)
			}
		}
		for _, p := range patterns {
			if g, w := got.Match(p), want.Match(p); !slices.Equal(g, w) {
				t.Errorf("%s: Match(%q) = %d names, want %d", r.Name, p, len(g), len(w))
			}
		}
		var fields []string
		for n := range names {
			if _, ok := want.Lookup(n); ok && strings.HasPrefix(n, "process.") {
				fields = append(fields, n)
			}
		}
		gm, gerr := got.Mappings(fields)
		wm, werr := want.Mappings(fields)
		if string(gm) != string(wm) || (gerr == nil) != (werr == nil) {
			t.Errorf("%s: Mappings differ (%v, %v)", r.Name, gerr, werr)
		}
	}
	t.Logf("%d distinct rule schemas, %d layered", len(seen), layered)
	if len(seen) < 100 || layered < 50 {
		t.Errorf("only %d distinct rule schemas, %d with integration fields", len(seen), layered)
	}
}

// nextDot is the index of the next "." in name after i, or -1.
func nextDot(name string, i int) int {
	j := strings.IndexByte(name[i+1:], '.')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}
