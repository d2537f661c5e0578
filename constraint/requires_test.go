package constraint

import (
	"testing"
)

func TestRequiresField(t *testing.T) {
	p := &Pred{Field: "a", Op: Eq, Value: String("x")}
	np := &Pred{Field: "a", Op: Eq, Neg: true, Value: String("x")}
	tests := []struct {
		name string
		e    Expr
		want bool
	}{
		{"predicate", p, true},
		{"negated predicate", np, false},
		{"and with one positive", &And{X: []Expr{np, p}}, true},
		{"and of negations", &And{X: []Expr{np, np}}, false},
		{"or of positives", &Or{X: []Expr{p, p}}, true},
		{"or with a negation", &Or{X: []Expr{p, np}}, false},
		{"empty or", &Or{}, false},
		{"empty and", &And{}, false},
		{"false", &Bool{V: false}, true},
		{"true", &Bool{V: true}, false},
		{"not, outside NNF", &Not{X: p}, false},
	}
	for _, tt := range tests {
		if got := RequiresField(tt.e); got != tt.want {
			t.Errorf("%s: RequiresField = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestEachPred(t *testing.T) {
	a := &Pred{Field: "a", Op: Exists}
	b := &Pred{Field: "b", Op: Exists}
	c := &Pred{Field: "c", Op: Exists}
	var got []string
	EachPred(&And{X: []Expr{a, &Or{X: []Expr{b, &Not{X: c}}}, &Bool{V: true}}}, func(p *Pred) { got = append(got, p.Field) })
	if len(got) != 3 || got[0] != "a" || got[1] != "b" || got[2] != "c" {
		t.Errorf("EachPred visited %v", got)
	}
}
