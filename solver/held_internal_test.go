package solver

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"testing"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/schema"
)

// caseMember is one document of an ES|QL group that asserts a CASE
// branch (process.command_line matches azd and not gcloud, "AZURE"), and
// also the CASE's "is not null": a disjunction over every branch, each
// with copies of the negations before it. pendingFirst puts the copy of
// the branch's negation before that disjunction, else after it.
func caseMember(pendingFirst bool) *constraint.Query {
	const field = "process.command_line"
	re := func(r string, neg bool) *constraint.Pred {
		return &constraint.Pred{Field: field, Op: constraint.Regex, Regex: r, Neg: neg, Whole: true, Span: constraint.Span{Text: field + " RLIKE " + r}}
	}
	notTrue := func(r string) *constraint.Or { // "null or not matching"
		return &constraint.Or{X: []constraint.Expr{
			&constraint.Pred{Field: field, Op: constraint.Exists, Neg: true, Span: constraint.Span{Text: field + " IS NULL"}},
			&constraint.And{X: []constraint.Expr{&constraint.Pred{Field: field, Op: constraint.Exists, Span: constraint.Span{Text: field + " IS NOT NULL"}}, re(r, true)}},
		}}
	}
	pats := []string{".*gcloud.*", ".*azd.*", ".*doctl.*", ".*kubectl.*", ".*aws sts.*"}
	var notNull []constraint.Expr
	for i, p := range pats {
		var conds []constraint.Expr
		for _, q := range pats[:i] {
			conds = append(conds, notTrue(q))
		}
		notNull = append(notNull, &constraint.And{X: append(conds, re(p, false))})
	}
	own := []constraint.Expr{re(pats[1], false), notTrue(pats[0])}
	x := []constraint.Expr{own[0], &constraint.Or{X: notNull}}
	if pendingFirst {
		x = []constraint.Expr{own[0], own[1], &constraint.Or{X: notNull}}
	} else {
		x = append(x, own[1])
	}
	return &constraint.Query{Events: []constraint.Event{{Runs: 1, Cond: &constraint.And{X: x}}}}
}

// An alternative that holds already (the member's own branch, as its own
// predicates and a copy of a pending disjunction say) is tried first: the
// search never meets another branch's pattern with the member's, whatever
// the random order, and every value is the member's branch.
func TestHeldAlternativeFirst(t *testing.T) {
	sch := schema.New()
	sch.Set(schema.Field{Name: "process.command_line", Type: "keyword"})
	own, gcloud := regexp.MustCompile("azd"), regexp.MustCompile("gcloud")
	for _, pendingFirst := range []bool{false, true} {
		s, err := New(caseMember(pendingFirst), Options{Schema: sch})
		if err != nil {
			t.Fatal(err)
		}
		var m Match
		for seed := uint64(0); seed < 20; seed++ {
			if err := s.Generate(rand.New(rand.NewPCG(seed, 7)), &m); err != nil {
				t.Fatal(err)
			}
			for _, d := range m.Docs {
				for j, f := range d.Fields {
					if v := string(d.Values[j]); f == "process.command_line" && (!own.MatchString(v) || gcloud.MatchString(v)) {
						t.Fatalf("process.command_line %q: want azd and not gcloud", v)
					}
				}
			}
		}
		var positive []int32 // ids of the positive patterns
		for i, p := range s.preds {
			if p.Op == constraint.Regex && !p.Neg {
				positive = append(positive, int32(i))
			}
		}
		for _, n := range s.nodes {
			if k := len(slices.DeleteFunc(slices.Clone(n.preds), func(p int32) bool { return !slices.Contains(positive, p) })); k > 1 {
				t.Errorf("pending first %v: a node met %d branch patterns (%v), want one", pendingFirst, k, n.preds)
			}
		}
	}
}
