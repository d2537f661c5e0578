package interval

import (
	"math"
	"testing"
)

func TestRealArithmetic(t *testing.T) {
	inf := math.Inf(1)
	set := func(rs ...float64) Set[Float] {
		var s Set[Float]
		for i := 0; i < len(rs); i += 2 {
			s = s.Union(Of(Float(rs[i]), Float(rs[i+1])))
		}
		return s
	}
	eq := func(a, b Set[Float]) bool {
		if len(a.R) != len(b.R) {
			return false
		}
		for i := range a.R {
			if a.R[i] != b.R[i] {
				return false
			}
		}
		return true
	}
	tests := []struct {
		name      string
		got, want Set[Float]
	}{
		{"x < 5", Compare(Lt, 5), set(-inf, math.Nextafter(5, -inf))},
		{"x >= 5", Compare(Ge, 5), set(5, inf)},
		{"x == 5", Compare(Eq, 5), set(5, 5)},
		{"x + 1 <= 5", Affine(Compare(Le, 5), 1, -1), set(-inf, 4)},
		{"-x <= 5", Affine(Compare(Le, 5), -1, 0), set(-5, inf)},
		{"x * 2 >= 5", Div(Compare(Ge, 5), 2), set(2.5, inf)},
		{"x * -2 >= 5", Div(Compare(Ge, 5), -2), set(-inf, -2.5)},
		{"ints of x > 3", Ints(Compare(Gt, 3)), set(4, inf)},
		{"ints of 1.5..3.5", Ints(set(1.5, 3.5)), set(2, 3)},
		{"ints of 1.2..1.8", Ints(set(1.2, 1.8)), Set[Float]{}},
		{"not 1..2", Complement(set(1, 2)), set(-inf, math.Nextafter(1, -inf), math.Nextafter(2, inf), inf)},
	}
	for _, tt := range tests {
		if !eq(tt.got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestBound(t *testing.T) {
	tests := []struct {
		end   float64
		upper End
		op    Op
		k     float64
	}{
		{5, UpperEnd, Le, 5},
		{math.Nextafter(5, 0), UpperEnd, Lt, 5},
		{5, LowerEnd, Ge, 5},
		{math.Nextafter(0.5, 1), LowerEnd, Gt, 0.5},
		{0.1, LowerEnd, Ge, 0.1},
		{-2.5, UpperEnd, Le, -2.5},
	}
	for _, tt := range tests {
		if op, k := Bound(Float(tt.end), tt.upper); op != tt.op || k != tt.k {
			t.Errorf("Bound(%v, %v) = %v %v, want %v %v", tt.end, tt.upper, op, k, tt.op, tt.k)
		}
	}
}
