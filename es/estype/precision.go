package estype

import "math"

// This file is how Elasticsearch stores the numbers of the floating-point
// types: a float as an IEEE 754 single, a half_float as an IEEE 754 half
// (11 significant bits, largest finite 65504), a scaled_float as
// round(value × scaling_factor) in a long, read back divided by the
// factor, a double as itself. A query compares stored values, so a value
// the solver draws must be one the field can store, and a bound of a
// range query is met by the stored values on its side.

// Round returns the value m's field stores for f: f rounded to the type's
// precision (ties to even; a scaled_float rounds half up, as Java's
// Math.round). It overflows to ±Inf beyond the type's range. Other types
// return f.
func (m Mapping) Round(f float64) float64 {
	switch m.Type {
	case Float:
		return float64(float32(f))
	case HalfFloat:
		return roundHalf(f)
	case ScaledFloat:
		if m.ScalingFactor > 0 {
			return math.Floor(f*m.ScalingFactor+0.5) / m.ScalingFactor
		}
	}
	return f
}

// Direction is which way a step goes on the number line.
type Direction bool

const (
	Down Direction = false
	Up   Direction = true
)

// Next returns the storable value next to the storable value f in
// direction dir: the adjacent float, half or multiple of 1/scaling_factor.
func (m Mapping) Next(f float64, dir Direction) float64 {
	up := dir == Up
	toward := math.Inf(-1)
	if up {
		toward = math.Inf(1)
	}
	switch m.Type {
	case Float:
		return float64(math.Nextafter32(float32(f), float32(toward)))
	case HalfFloat:
		return nextHalf(f, up)
	case ScaledFloat:
		if m.ScalingFactor > 0 {
			n := math.Floor(f*m.ScalingFactor + 0.5)
			if up {
				return (n + 1) / m.ScalingFactor
			}
			return (n - 1) / m.ScalingFactor
		}
	}
	return math.Nextafter(f, toward)
}

// Ceil returns the least storable value at or above f.
func (m Mapping) Ceil(f float64) float64 {
	r := m.Round(f)
	if r < f {
		r = m.Next(r, Up)
	}
	return r
}

// Floor returns the greatest storable value at or below f.
func (m Mapping) Floor(f float64) float64 {
	r := m.Round(f)
	if r > f {
		r = m.Next(r, Down)
	}
	return r
}

// maxHalf is the largest finite half-precision value.
const maxHalf = 65504

// roundHalf rounds f to the nearest IEEE 754 half-precision value (ties
// to even); values beyond the largest half overflow to infinity.
func roundHalf(f float64) float64 {
	if f == 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return f
	}
	a := math.Abs(f)
	if a >= 65520 { // halfway between 65504 and the next power of two
		return math.Copysign(math.Inf(1), f)
	}
	r := math.RoundToEven(math.Ldexp(a, -halfExp(a)))
	return math.Copysign(math.Ldexp(r, halfExp(a)), f)
}

// halfExp is the exponent of the unit in the last place of a half near
// the positive value a: halves in [2^(e-1), 2^e) are multiples of
// 2^(e-11); subnormal halves multiples of 2^-24.
func halfExp(a float64) int {
	_, e := math.Frexp(a) // a = frac × 2^e, frac in [0.5, 1)
	return max(e-11, -24)
}

// nextHalf is the half-precision value next to the half h.
func nextHalf(h float64, up bool) float64 {
	if h == 0 {
		if up {
			return math.Ldexp(1, -24)
		}
		return -math.Ldexp(1, -24)
	}
	if math.IsNaN(h) {
		return h
	}
	if math.IsInf(h, 0) {
		if up == (h > 0) {
			return h
		}
		return math.Copysign(maxHalf, h)
	}
	a := math.Abs(h)
	away := up == (h > 0) // moving away from zero
	var next float64
	if away {
		next = a + math.Ldexp(1, halfExp(a))
		if next > maxHalf {
			next = math.Inf(1)
		}
	} else {
		// Toward zero: at a power of two the spacing below is half as wide.
		next = a - math.Ldexp(1, halfExp(math.Nextafter(a, 0)))
	}
	return math.Copysign(next, h)
}
