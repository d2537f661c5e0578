package eql

import (
	"math"
	"sort"
)

// ival is an interval of real numbers; lo may be -Inf and hi +Inf (then
// loIn and hiIn are false).
type ival struct {
	lo, hi     float64
	loIn, hiIn bool
}

func (v ival) empty() bool {
	return v.lo > v.hi || v.lo == v.hi && !(v.loIn && v.hiIn)
}

func (v ival) point() bool { return v.lo == v.hi && v.loIn && v.hiIn }

func (v ival) full() bool { return math.IsInf(v.lo, -1) && math.IsInf(v.hi, 1) }

// numSet is a union of disjoint intervals, sorted.
type numSet []ival

var fullSet = numSet{{lo: math.Inf(-1), hi: math.Inf(1)}}

// cmpSet returns the set of x with "x op k".
func cmpSet(op CmpOp, k float64) numSet {
	inf := math.Inf(1)
	switch op {
	case Eq:
		return numSet{{k, k, true, true}}
	case Lt:
		return numSet{{-inf, k, false, false}}
	case Le:
		return numSet{{-inf, k, false, true}}
	case Gt:
		return numSet{{k, inf, false, false}}
	case Ge:
		return numSet{{k, inf, true, false}}
	}
	return nil
}

func normalize(s numSet) numSet {
	out := make(numSet, 0, len(s))
	for _, v := range s {
		if !v.empty() {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].lo != out[j].lo {
			return out[i].lo < out[j].lo
		}
		return out[i].loIn && !out[j].loIn
	})
	// Merge overlapping or touching intervals.
	merged := out[:0]
	for _, v := range out {
		if n := len(merged); n > 0 {
			last := &merged[n-1]
			if v.lo < last.hi || v.lo == last.hi && (v.loIn || last.hiIn) {
				if v.hi > last.hi || v.hi == last.hi && v.hiIn {
					last.hi, last.hiIn = v.hi, v.hiIn
				}
				continue
			}
		}
		merged = append(merged, v)
	}
	return merged
}

func (s numSet) intersect(t numSet) numSet {
	var out numSet
	for _, a := range s {
		for _, b := range t {
			v := a
			if b.lo > v.lo || b.lo == v.lo && !b.loIn {
				v.lo, v.loIn = b.lo, b.loIn
			}
			if b.hi < v.hi || b.hi == v.hi && !b.hiIn {
				v.hi, v.hiIn = b.hi, b.hiIn
			}
			out = append(out, v)
		}
	}
	return normalize(out)
}

func (s numSet) union(t numSet) numSet {
	return normalize(append(append(numSet{}, s...), t...))
}

// complement returns the reals not in s.
func (s numSet) complement() numSet {
	s = normalize(s)
	inf := math.Inf(1)
	out := numSet{}
	lo, loIn := -inf, false
	for _, v := range s {
		out = append(out, ival{lo, v.lo, loIn, !v.loIn && !math.IsInf(v.lo, -1)})
		lo, loIn = v.hi, !v.hiIn && !math.IsInf(v.hi, 1)
	}
	out = append(out, ival{lo, inf, loIn, false})
	return normalize(out)
}

// affine maps s through x -> a*x + b (a != 0).
func (s numSet) affine(a, b float64) numSet {
	out := make(numSet, 0, len(s))
	for _, v := range s {
		w := ival{a*v.lo + b, a*v.hi + b, v.loIn, v.hiIn}
		if a < 0 {
			w = ival{a*v.hi + b, a*v.lo + b, v.hiIn, v.loIn}
		}
		if math.IsInf(w.lo, 0) {
			w.loIn = false
		}
		if math.IsInf(w.hi, 0) {
			w.hiIn = false
		}
		out = append(out, w)
	}
	return normalize(out)
}

// divide maps s through x -> x / k (k != 0).
func (s numSet) divide(k float64) numSet {
	out := make(numSet, 0, len(s))
	for _, v := range s {
		w := ival{v.lo / k, v.hi / k, v.loIn, v.hiIn}
		if k < 0 {
			w = ival{v.hi / k, v.lo / k, v.hiIn, v.loIn}
		}
		out = append(out, w)
	}
	return normalize(out)
}

// ints rounds s to the integers it contains: every interval becomes
// [ceil, floor] with closed integer bounds (or infinite ones).
func (s numSet) ints() numSet {
	var out numSet
	for _, v := range s {
		lo, hi := v.lo, v.hi
		if !math.IsInf(lo, -1) {
			c := math.Ceil(lo)
			if c == lo && !v.loIn {
				c++
			}
			lo = c
		}
		if !math.IsInf(hi, 1) {
			f := math.Floor(hi)
			if f == hi && !v.hiIn {
				f--
			}
			hi = f
		}
		out = append(out, ival{lo, hi, !math.IsInf(lo, -1), !math.IsInf(hi, 1)})
	}
	return normalize(out)
}

// truncDivInverse returns the integers x with trunc(x / c) in q, for an
// integer c > 0 (Java's long division): as closed intervals of integers.
func truncDivInverse(q numSet, c float64) numSet {
	// lowest x with trunc(x/c) >= m
	lowest := func(m float64) float64 {
		if m > 0 {
			return m * c
		}
		return (m-1)*c + 1
	}
	var out numSet
	for _, v := range q.ints() {
		lo, hi := math.Inf(-1), math.Inf(1)
		if !math.IsInf(v.lo, -1) {
			lo = lowest(v.lo)
		}
		if !math.IsInf(v.hi, 1) {
			hi = lowest(v.hi+1) - 1
		}
		out = append(out, ival{lo, hi, !math.IsInf(lo, -1), !math.IsInf(hi, 1)})
	}
	return normalize(out)
}

func (s numSet) contains(x float64) bool {
	for _, v := range s {
		if (x > v.lo || x == v.lo && v.loIn) && (x < v.hi || x == v.hi && v.hiIn) {
			return true
		}
	}
	return false
}
