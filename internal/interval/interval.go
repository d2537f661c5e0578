// Package interval implements sets of closed intervals over ordered,
// discrete-or-stepped points: the domains of numbers, dates and IPs.
package interval

import "cmp"

// Point is an ordered value with a successor and a predecessor, so that
// open bounds become closed ones (x < 5 is x <= Pred(5)).
type Point[T any] interface {
	Cmp(T) int
	Succ() T // the next representable value (saturating at the maximum)
	Pred() T // the previous representable value (saturating at the minimum)
}

// Range is the closed interval [Lo, Hi].
type Range[T Point[T]] struct{ Lo, Hi T }

// Set is a union of disjoint closed intervals in increasing order. The zero
// value is the empty set. Sets are values: operations return new sets.
type Set[T Point[T]] struct {
	R []Range[T]
}

// Of returns the set [lo, hi] (empty if hi < lo).
func Of[T Point[T]](lo, hi T) Set[T] {
	if hi.Cmp(lo) < 0 {
		return Set[T]{}
	}
	return Set[T]{R: []Range[T]{{lo, hi}}}
}

// IsEmpty reports whether the set has no point.
func (s Set[T]) IsEmpty() bool { return len(s.R) == 0 }

// Min and Max of a non-empty set.
func (s Set[T]) Min() T { return s.R[0].Lo }
func (s Set[T]) Max() T { return s.R[len(s.R)-1].Hi }

// Contains reports whether x is in the set.
func (s Set[T]) Contains(x T) bool {
	for _, r := range s.R {
		if x.Cmp(r.Lo) >= 0 && x.Cmp(r.Hi) <= 0 {
			return true
		}
	}
	return false
}

// Intersect returns s ∩ o.
func (s Set[T]) Intersect(o Set[T]) Set[T] {
	var out []Range[T]
	i, j := 0, 0
	for i < len(s.R) && j < len(o.R) {
		a, b := s.R[i], o.R[j]
		lo := maxP(a.Lo, b.Lo)
		hi := minP(a.Hi, b.Hi)
		if lo.Cmp(hi) <= 0 {
			out = append(out, Range[T]{lo, hi})
		}
		if a.Hi.Cmp(b.Hi) < 0 {
			i++
		} else {
			j++
		}
	}
	return Set[T]{R: out}
}

// Clamp returns s ∩ [lo, hi].
func (s Set[T]) Clamp(lo, hi T) Set[T] { return s.Intersect(Of(lo, hi)) }

// Remove returns s without the point x.
func (s Set[T]) Remove(x T) Set[T] { return s.Subtract(Of(x, x)) }

// Subtract returns s minus o.
func (s Set[T]) Subtract(o Set[T]) Set[T] {
	out := append([]Range[T](nil), s.R...)
	for _, cut := range o.R {
		var next []Range[T]
		for _, r := range out {
			if cut.Hi.Cmp(r.Lo) < 0 || cut.Lo.Cmp(r.Hi) > 0 {
				next = append(next, r)
				continue
			}
			if cut.Lo.Cmp(r.Lo) > 0 {
				next = append(next, Range[T]{r.Lo, cut.Lo.Pred()})
			}
			if cut.Hi.Cmp(r.Hi) < 0 {
				next = append(next, Range[T]{cut.Hi.Succ(), r.Hi})
			}
		}
		out = next
	}
	return Set[T]{R: out}
}

// Union returns s ∪ o.
func (s Set[T]) Union(o Set[T]) Set[T] {
	all := append(append([]Range[T](nil), s.R...), o.R...)
	if len(all) == 0 {
		return Set[T]{}
	}
	// insertion sort by Lo; sets are small
	for i := 1; i < len(all); i++ {
		for j := i; j > 0 && all[j].Lo.Cmp(all[j-1].Lo) < 0; j-- {
			all[j], all[j-1] = all[j-1], all[j]
		}
	}
	out := all[:1]
	for _, r := range all[1:] {
		last := &out[len(out)-1]
		if r.Lo.Cmp(last.Hi) <= 0 || r.Lo.Cmp(last.Hi.Succ()) == 0 {
			if r.Hi.Cmp(last.Hi) > 0 {
				last.Hi = r.Hi
			}
			continue
		}
		out = append(out, r)
	}
	return Set[T]{R: out}
}

func maxP[T Point[T]](a, b T) T {
	if a.Cmp(b) >= 0 {
		return a
	}
	return b
}

func minP[T Point[T]](a, b T) T {
	if a.Cmp(b) <= 0 {
		return a
	}
	return b
}

// Int is an integer point.
type Int int64

func (a Int) Cmp(b Int) int { return cmp.Compare(a, b) }
func (a Int) Succ() Int {
	if a == Int(maxInt) {
		return a
	}
	return a + 1
}
func (a Int) Pred() Int {
	if a == Int(minInt) {
		return a
	}
	return a - 1
}

const (
	maxInt = int64(^uint64(0) >> 1)
	minInt = -maxInt - 1
)

// MinInt and MaxInt bound Int.
const (
	MinInt = Int(minInt)
	MaxInt = Int(maxInt)
)
