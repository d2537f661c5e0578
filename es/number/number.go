// Package number is how Elasticsearch reads the numbers of queries and
// documents: plain decimals (an optional sign, digits with an optional
// fraction, an optional exponent) — no hexadecimal, no underscores, no
// Infinity or NaN. The solver and the evaluators read numbers with it.
package number

import (
	"math"
	"math/big"
	"strconv"
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

// ParseJava reads a number as Java's Double.parseDouble does where
// Elasticsearch hands text to it (the slop and fuzziness after "~" in a
// query string, ES|QL's TO_DOUBLE): surrounding whitespace and a trailing
// type letter (d, D, f, F) are allowed, the rest is a decimal as Float
// reads it.
func ParseJava(s string) (float64, bool) {
	s = strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	if n := len(s); n > 1 && strings.ContainsRune("dDfF", rune(s[n-1])) {
		s = s[:n-1]
	}
	return Float(s)
}

// FormatJava writes a double as Java's Double.toString does, which is how
// Elasticsearch turns a double into a string (EQL's string(), ES|QL's
// TO_STRING): the shortest decimal that reads back as the same double, in
// plain notation with at least one fraction digit from 10^-3 up to 10^7,
// as "d.dddE±n" beyond; NaN, Infinity, -Infinity, 0.0 and -0.0.
func FormatJava(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	mant, expText, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expText)
	digits := strings.Replace(mant, ".", "", 1)
	var out string
	if abs := math.Abs(f); abs >= 1e-3 && abs < 1e7 {
		point := exp + 1 // digits before the decimal point
		switch {
		case point <= 0:
			out = "0." + strings.Repeat("0", -point) + digits
		case point >= len(digits):
			out = digits + strings.Repeat("0", point-len(digits)) + ".0"
		default:
			out = digits[:point] + "." + digits[point:]
		}
	} else {
		frac := digits[1:]
		if frac == "" {
			frac = "0"
		}
		out = digits[:1] + "." + frac + "E" + strconv.Itoa(exp)
	}
	if neg {
		return "-" + out
	}
	return out
}
