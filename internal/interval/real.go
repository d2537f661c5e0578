package interval

import (
	"math"
	"strconv"
)

// This file is the arithmetic of sets of float64 values that the query
// lowerings use to invert arithmetic ("x * 2 + 1 < 10" is "x < 4.5"): the
// same closed sets as the solver's domains, where an open bound is the
// adjacent float (x < 5 is x <= Pred(5)).

// Op is a comparison with a constant.
type Op uint8

const (
	Lt Op = iota
	Le
	Eq
	Ge
	Gt
)

// AllFloats is every float64, infinities included.
func AllFloats() Set[Float] { return Of(Float(math.Inf(-1)), Float(math.Inf(1))) }

// Compare is the set of x with "x op k".
func Compare(op Op, k float64) Set[Float] {
	f := Float(k)
	inf := Float(math.Inf(1))
	switch op {
	case Lt:
		return Of(-inf, f.Pred())
	case Le:
		return Of(-inf, f)
	case Eq:
		return Of(f, f)
	case Ge:
		return Of(f, inf)
	}
	return Of(f.Succ(), inf)
}

// Complement is every float64 not in s.
func Complement(s Set[Float]) Set[Float] { return AllFloats().Subtract(s) }

// Affine maps s through x -> a*x + b (a != 0).
func Affine(s Set[Float], a, b float64) Set[Float] {
	var out Set[Float]
	for _, r := range s.R {
		lo, hi := a*float64(r.Lo)+b, a*float64(r.Hi)+b
		if a < 0 {
			lo, hi = hi, lo
		}
		out = out.Union(Of(Float(lo), Float(hi)))
	}
	return out
}

// Div maps s through x -> x / k (k != 0).
func Div(s Set[Float], k float64) Set[Float] {
	var out Set[Float]
	for _, r := range s.R {
		lo, hi := float64(r.Lo)/k, float64(r.Hi)/k
		if k < 0 {
			lo, hi = hi, lo
		}
		out = out.Union(Of(Float(lo), Float(hi)))
	}
	return out
}

// Ints narrows s to the whole numbers it holds: every range becomes
// [ceil(lo), floor(hi)] (infinite ends stay).
func Ints(s Set[Float]) Set[Float] {
	var out Set[Float]
	for _, r := range s.R {
		lo, hi := math.Ceil(float64(r.Lo)), math.Floor(float64(r.Hi))
		if lo <= hi {
			out.R = append(out.R, Range[Float]{Float(lo), Float(hi)})
		}
	}
	return out
}

// IsPoint reports whether r holds one value.
func (r Range[T]) IsPoint() bool { return r.Lo.Cmp(r.Hi) == 0 }

// End is which end of a range a bound is.
type End bool

const (
	LowerEnd End = false
	UpperEnd End = true
)

// Bound is how a lowering writes a finite end of a range as a comparison:
// an end one float beyond a shorter decimal is that decimal, excluded
// (Pred(5) is "< 5", not "<= 4.999999999999999").
func Bound(end Float, which End) (op Op, k float64) {
	upper := which == UpperEnd
	op, k = Ge, float64(end)
	beyond := end.Pred()
	if upper {
		op, beyond = Le, end.Succ()
	}
	if len(strconv.FormatFloat(float64(beyond), 'g', -1, 64)) < len(strconv.FormatFloat(k, 'g', -1, 64)) {
		if upper {
			return Lt, float64(beyond)
		}
		return Gt, float64(beyond)
	}
	return op, k
}
