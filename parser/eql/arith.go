package eql

import (
	"math"

	"github.com/emit-sec/emit/internal/interval"
)

// truncDivInverse returns the integers x with trunc(x / c) in q, for an
// integer c > 0 (Java's long division): as closed intervals of integers.
func truncDivInverse(q reals, c float64) reals {
	// lowest x with trunc(x/c) >= m
	lowest := func(m float64) float64 {
		if m > 0 {
			return m * c
		}
		return (m-1)*c + 1
	}
	var out reals
	for _, v := range interval.Ints(q).R {
		lo, hi := math.Inf(-1), math.Inf(1)
		if !math.IsInf(float64(v.Lo), -1) {
			lo = lowest(float64(v.Lo))
		}
		if !math.IsInf(float64(v.Hi), 1) {
			hi = lowest(float64(v.Hi)+1) - 1
		}
		out = out.Union(interval.Of(interval.Float(lo), interval.Float(hi)))
	}
	return out
}
