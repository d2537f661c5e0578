package eql

import (
	"math"
	"strconv"
	"strings"
)

// intRangeRegex returns a Lucene regular expression that matches the
// canonical decimal spellings (no leading zeros, "-" for negatives, "0" for
// zero) of the integers in [lo, hi]; noLo and noHi make a bound infinite.
// It returns "" for an empty range.
func intRangeRegex(lo, hi int64, noLo, noHi bool) string {
	if !noLo && !noHi && lo > hi {
		return ""
	}
	var alts []string
	// Non-negative part.
	if noHi || hi >= 0 {
		a := int64(0)
		if !noLo && lo > 0 {
			a = lo
		}
		alts = append(alts, natRange(a, hi, noHi)...)
	}
	// Negative part: magnitudes [max(1, -hi), -lo].
	if noLo || lo < 0 {
		a := int64(1)
		if !noHi && hi < 0 {
			a = -hi
		}
		var b int64
		if !noLo {
			if lo == math.MinInt64 {
				lo++
			}
			b = -lo
		}
		if noLo || a <= b {
			for _, m := range natRange(a, b, noLo) {
				alts = append(alts, "-"+m)
			}
		}
	}
	switch len(alts) {
	case 0:
		return ""
	case 1:
		return alts[0]
	}
	return "(" + strings.Join(alts, "|") + ")"
}

// natRange returns alternatives matching the naturals in [a, b] (b infinite
// with noB), a >= 0.
func natRange(a, b int64, noB bool) []string {
	var alts []string
	da := len(strconv.FormatInt(a, 10))
	maxD := 19
	if noB {
		maxD = da
	} else {
		maxD = len(strconv.FormatInt(b, 10))
	}
	for d := da; d <= maxD; d++ {
		lo := int64(0)
		if d > 1 {
			lo = pow10(d - 1)
		}
		var hi int64 = math.MaxInt64
		if d < 19 {
			hi = pow10(d) - 1
		}
		lo = max(lo, a)
		if !noB {
			hi = min(hi, b)
		}
		if lo > hi {
			continue
		}
		alts = append(alts, sameLength(strconv.FormatInt(lo, 10), strconv.FormatInt(hi, 10)))
	}
	if noB {
		// Every number with more digits.
		alts = append(alts, "[1-9][0-9]{"+strconv.Itoa(da)+",}")
	}
	return alts
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// sameLength returns a regex for the numbers from x to y, both spelled with
// the same number of digits.
func sameLength(x, y string) string {
	if x == y {
		return x
	}
	i := 0
	for x[i] == y[i] {
		i++
	}
	prefix := x[:i]
	x, y = x[i:], y[i:]
	rest := len(x) - 1
	if rest == 0 {
		return prefix + digitClass(x[0], y[0])
	}
	var alts []string
	allZero := strings.Trim(x[1:], "0") == ""
	allNine := strings.Trim(y[1:], "9") == ""
	lowFirst, highFirst := x[0], y[0]
	if !allZero {
		alts = append(alts, string(x[0])+upTo9(x[1:]))
		lowFirst++
	}
	if !allNine {
		highFirst--
	}
	if lowFirst <= highFirst {
		alts = append(alts, digitClass(lowFirst, highFirst)+anyDigits(rest))
	}
	if !allNine {
		alts = append(alts, string(y[0])+downTo0(y[1:]))
	}
	if len(alts) == 1 {
		return prefix + alts[0]
	}
	return prefix + "(" + strings.Join(alts, "|") + ")"
}

// upTo9 matches the digit strings of len(x) from x to 99...9.
func upTo9(x string) string { return sameLength(x, strings.Repeat("9", len(x))) }

// downTo0 matches the digit strings of len(y) from 00...0 to y.
func downTo0(y string) string { return sameLength(strings.Repeat("0", len(y)), y) }

func digitClass(a, b byte) string {
	if a == b {
		return string(a)
	}
	if a == '0' && b == '9' {
		return "[0-9]"
	}
	return "[" + string(a) + "-" + string(b) + "]"
}

func anyDigits(n int) string {
	if n == 1 {
		return "[0-9]"
	}
	return "[0-9]{" + strconv.Itoa(n) + "}"
}
