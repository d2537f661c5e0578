// Package number is how Elasticsearch reads the numbers of queries and
// documents: plain decimals (an optional sign, digits with an optional
// fraction, an optional exponent) — no hexadecimal, no underscores, no
// Infinity or NaN. The solver and the evaluators read numbers with it.
package number

import (
	"math"
	"math/big"
	"strings"
)

// maxExpDigits bounds the exponent of a decimal, so that a hostile
// exponent cannot make big.Rat allocate without end.
const maxExpDigits = 4

// ParseDecimal reads a decimal number exactly: optional sign, digits with
// an optional fraction, optional exponent of at most four significant
// digits. It does
// not trim spaces.
func ParseDecimal(s string) (*big.Rat, bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits, nonzero := 0, false
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		nonzero = nonzero || s[i] != '0'
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			nonzero = nonzero || s[i] != '0'
			i++
			digits++
		}
	}
	if digits == 0 {
		return nil, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp, sig := 0, 0 // digits, and digits after leading zeros
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			if sig > 0 || s[i] != '0' {
				sig++
			}
			i++
			exp++
		}
		if exp == 0 || sig > maxExpDigits && nonzero {
			return nil, false
		}
		if !nonzero {
			// Zero, whatever the exponent.
			return new(big.Rat), i == len(s)
		}
	}
	if i != len(s) {
		return nil, false
	}
	return new(big.Rat).SetString(strings.TrimPrefix(s, "+"))
}

// Float reads a decimal as the nearest float64; ok is false for what is not
// a decimal or lies beyond float64's range.
func Float(s string) (float64, bool) {
	r, ok := ParseDecimal(s)
	if !ok {
		return 0, false
	}
	f, _ := r.Float64()
	return f, !math.IsInf(f, 0)
}
