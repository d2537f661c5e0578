package lowering

import (
	"testing"

	"github.com/emit-sec/emit/constraint"
)

func TestRequiresField(t *testing.T) {
	p := &constraint.Pred{Field: "a", Op: constraint.Eq, Value: constraint.String("x")}
	np := &constraint.Pred{Field: "a", Op: constraint.Eq, Neg: true, Value: constraint.String("x")}
	tests := []struct {
		name string
		e    constraint.Expr
		want bool
	}{
		{"predicate", p, true},
		{"negated predicate", np, false},
		{"and with one positive", &constraint.And{X: []constraint.Expr{np, p}}, true},
		{"and of negations", &constraint.And{X: []constraint.Expr{np, np}}, false},
		{"or of positives", &constraint.Or{X: []constraint.Expr{p, p}}, true},
		{"or with a negation", &constraint.Or{X: []constraint.Expr{p, np}}, false},
		{"empty or", &constraint.Or{}, false},
		{"empty and", &constraint.And{}, false},
		{"false", &constraint.Bool{V: false}, true},
		{"true", &constraint.Bool{V: true}, false},
		{"not, outside NNF", &constraint.Not{X: p}, false},
	}
	for _, tt := range tests {
		if got := RequiresField(tt.e); got != tt.want {
			t.Errorf("%s: RequiresField = %v, want %v", tt.name, got, tt.want)
		}
	}
}
