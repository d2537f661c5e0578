package constraint

import (
	"fmt"
	"testing"
)

// caseChain is the shape a lowering gives an ES|QL CASE of n branches
// over one field read under three-valued logic: alternative i holds when
// no branch before it is true (each false or null) and branch i is.
func caseChain(n int) Expr {
	conds := make([]*Pred, n)
	for i := range conds {
		conds[i] = &Pred{Field: "process.name", Op: Eq, Value: String(fmt.Sprintf("p%d.exe", i)), Span: Span{Text: fmt.Sprintf("branch %d", i)}}
	}
	exists := &Pred{Field: "process.name", Op: Exists}
	alts := make([]Expr, n)
	for i := range alts {
		var and []Expr
		for j := 0; j < i; j++ {
			// Shared nodes: the same predicates in every alternative.
			and = append(and, &Or{X: []Expr{&And{X: []Expr{exists, &Not{X: conds[j]}}}, &Not{X: exists}}})
		}
		alts[i] = &And{X: append(and, conds[i])}
	}
	return &And{X: []Expr{&Pred{Field: "host.os.type", Op: Eq, Value: String("windows")}, &Or{X: alts, Authored: true}}}
}

func TestNNF(t *testing.T) {
	p := &Pred{Field: "a", Op: Eq, Value: String("x")}
	q := &Pred{Field: "b", Op: Exists}
	tests := []struct {
		in   Expr
		want string
	}{
		{&Not{X: &And{X: []Expr{p, q}}}, `not a == "x" or not b exists`},
		{&Not{X: &Or{X: []Expr{p, &Not{X: q}}, Authored: true}}, `not a == "x" and b exists`},
		{&And{X: []Expr{p, &And{X: []Expr{q, &Bool{V: true}}}}}, `a == "x" and b exists`},
		{&Or{X: []Expr{p, &Bool{V: false}}, Authored: true}, `a == "x"`},
		{&And{X: []Expr{p, &Not{X: &Bool{V: true}}}}, `false`},
		{&Or{X: []Expr{&Or{X: []Expr{p, q}, Authored: true}, &Not{X: &And{X: []Expr{p, q}}}}, Authored: true}, `a == "x" or b exists or (not a == "x" or not b exists)`},
		{&Not{X: &Not{X: p}}, `a == "x"`},
	}
	for _, tt := range tests {
		if got := NNF(tt.in).String(); got != tt.want {
			t.Errorf("NNF(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestNNFFreshTree: NNF's result shares no node with its input, and a
// node the input holds twice is two nodes of the result.
func TestNNFFreshTree(t *testing.T) {
	in := caseChain(12)
	out := NNF(in)
	inNodes := map[Expr]bool{}
	var mark func(e Expr)
	mark = func(e Expr) {
		inNodes[e] = true
		switch x := e.(type) {
		case *And:
			for _, y := range x.X {
				mark(y)
			}
		case *Or:
			for _, y := range x.X {
				mark(y)
			}
		case *Not:
			mark(x.X)
		}
	}
	mark(in)
	seen := map[Expr]bool{}
	var walk func(e Expr)
	walk = func(e Expr) {
		if inNodes[e] {
			t.Fatalf("node %s of the input in the result", e)
		}
		if seen[e] {
			t.Fatalf("node %s twice in the result", e)
		}
		seen[e] = true
		switch x := e.(type) {
		case *And:
			for _, y := range x.X {
				walk(y)
			}
		case *Or:
			for _, y := range x.X {
				walk(y)
			}
		case *Not:
			t.Fatalf("not in NNF: %s", x)
		}
	}
	walk(out)
	preds := 0
	EachPred(out, func(*Pred) { preds++ })
	if want := 1 + 12 + 3*(12*11/2); preds != want {
		t.Errorf("%d predicates, want %d", preds, want)
	}
}

// BenchmarkNNF: the normal form of a CASE of 150 branches, the size of
// the condition of the detection rule with the most (about 34,000
// predicates).
func BenchmarkNNF(b *testing.B) {
	e := caseChain(150)
	b.ReportAllocs()
	for b.Loop() {
		NNF(e)
	}
}

// TestNNFShared: NNFShared reads as NNF does, and rewrites a node the
// input shares once.
func TestNNFShared(t *testing.T) {
	p := &Pred{Field: "a", Op: Eq, Value: String("x")}
	q := &Pred{Field: "b", Op: Exists}
	shared := &Or{X: []Expr{&And{X: []Expr{q, &Not{X: p}}}, &Not{X: q}}}
	for _, in := range []Expr{
		caseChain(1), caseChain(2), caseChain(12),
		&Not{X: &And{X: []Expr{p, &Not{X: p}, q, &Or{X: []Expr{p, q}, Authored: true}}}},
		&And{X: []Expr{&Or{X: []Expr{p, &Bool{V: false}}, Authored: true}, &Not{X: &Or{X: []Expr{q, &Bool{V: true}}}}}},
		&And{X: []Expr{shared, &Or{X: []Expr{shared, p}, Authored: true}, &Not{X: shared}, &And{X: []Expr{shared, q}}}},
	} {
		want := NNF(in).String()
		if got := NNFShared(in).String(); got != want {
			t.Errorf("NNFShared(%s) = %s, want %s", in, got, want)
		}
	}
	// A CASE whose guards are shared: each guard is rewritten once.
	conds := make([]Expr, 40)
	for i := range conds {
		conds[i] = &Pred{Field: "process.name", Op: Eq, Value: String(fmt.Sprintf("p%d.exe", i))}
	}
	var guards, alts []Expr
	for _, c := range conds {
		alts = append(alts, &And{X: append(append([]Expr(nil), guards...), c)})
		guards = append(guards, &Or{X: []Expr{&And{X: []Expr{q, &Not{X: c}}}, &Not{X: q}}})
	}
	in := &Or{X: alts, Authored: true}
	out := NNFShared(in)
	if got, want := out.String(), NNF(in).String(); got != want {
		t.Fatalf("NNFShared = %s, want %s", got, want)
	}
	all, distinct := 0, map[*Pred]bool{}
	EachPred(out, func(p *Pred) { all++; distinct[p] = true })
	// The 40 conditions, the first 39 negated in their guards, each guard
	// with its own exists and not exists.
	if want := 40 + 39*3; len(distinct) != want || all != 40+3*(40*39/2) {
		t.Errorf("%d predicates, %d distinct, want %d, %d", all, len(distinct), 40+3*(40*39/2), want)
	}
}

// BenchmarkNNFSharedGuards: NNFShared of a CASE of 150 branches whose
// guards (the "not true" of the conditions before) are shared nodes, as
// the ES|QL lowering builds them.
func BenchmarkNNFSharedGuards(b *testing.B) {
	q := &Pred{Field: "process.name", Op: Exists}
	var guards, alts []Expr
	for i := 0; i < 150; i++ {
		c := &Pred{Field: "process.name", Op: Eq, Value: String(fmt.Sprintf("p%d.exe", i))}
		alts = append(alts, &And{X: append(append([]Expr(nil), guards...), c)})
		guards = append(guards, &Or{X: []Expr{&And{X: []Expr{q, &Not{X: c}}}, &Not{X: q}}})
	}
	e := &Or{X: alts, Authored: true}
	b.Run("NNF", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			NNF(e)
		}
	})
	b.Run("NNFShared", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			NNFShared(e)
		}
	})
}
