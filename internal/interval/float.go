package interval

import (
	"cmp"
	"math"
)

// Float is a float64 point; Succ and Pred step to the adjacent float.
type Float float64

func (a Float) Cmp(b Float) int { return cmp.Compare(a, b) }
func (a Float) Succ() Float     { return Float(math.Nextafter(float64(a), math.Inf(1))) }
func (a Float) Pred() Float     { return Float(math.Nextafter(float64(a), math.Inf(-1))) }

// U128 is a 128-bit unsigned point: IPv6 addresses, with IPv4 mapped into
// ::ffff:0:0/96.
type U128 struct{ Hi, Lo uint64 }

func (a U128) Cmp(b U128) int {
	if c := cmp.Compare(a.Hi, b.Hi); c != 0 {
		return c
	}
	return cmp.Compare(a.Lo, b.Lo)
}

func (a U128) Succ() U128 {
	if a.Lo == math.MaxUint64 {
		if a.Hi == math.MaxUint64 {
			return a
		}
		return U128{a.Hi + 1, 0}
	}
	return U128{a.Hi, a.Lo + 1}
}

func (a U128) Pred() U128 {
	if a.Lo == 0 {
		if a.Hi == 0 {
			return a
		}
		return U128{a.Hi - 1, math.MaxUint64}
	}
	return U128{a.Hi, a.Lo - 1}
}

// Sub returns a - b (wrapping).
func (a U128) Sub(b U128) U128 {
	lo := a.Lo - b.Lo
	borrow := uint64(0)
	if a.Lo < b.Lo {
		borrow = 1
	}
	return U128{a.Hi - b.Hi - borrow, lo}
}

// Add returns a + b (wrapping).
func (a U128) Add(b U128) U128 {
	lo := a.Lo + b.Lo
	carry := uint64(0)
	if lo < a.Lo {
		carry = 1
	}
	return U128{a.Hi + b.Hi + carry, lo}
}
