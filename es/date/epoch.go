package date

import (
	"math"
	"time"
)

// ParseEpochMillis reads s as epoch_millis (EpochTime.MILLIS_FORMATTER): an
// optional "-", one to nineteen ASCII digits of milliseconds since the
// epoch (at most the largest long, 9223372036854775807), and an optional
// "." with at most six digits of fraction ("5." included): "1.5" is 1.5
// milliseconds, "-1.5" 1.5 milliseconds before the epoch. A "+" sign, an
// exponent or a seventh digit of fraction is not read. With RoundUp a
// value without a fraction ("5", but not "5.") takes the fraction .999999,
// as the round-up parser defaults NANOS_OF_MILLI; the fraction extends a
// negative value away from the epoch, so that "-1" rounds up to
// -1.999999 milliseconds, as Elasticsearch computes it.
func ParseEpochMillis(s string, r Rounding) (time.Time, error) {
	if t, ok := parseEpochMillis(s, r); ok {
		return t, nil
	}
	return time.Time{}, &Error{Input: s, Reason: "epoch_millis"}
}

func parseEpochMillis(s string, r Rounding) (time.Time, bool) {
	i := 0
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		i++
	}
	start := i
	var ms uint64
	for i < len(s) && i-start < 19 && s[i] >= '0' && s[i] <= '9' {
		ms = ms*10 + uint64(s[i]-'0')
		i++
	}
	if i == start || ms > math.MaxInt64 {
		return time.Time{}, false
	}
	fracGiven := false
	nanosOfMilli := int64(0)
	if i < len(s) && s[i] == '.' {
		i++
		fracGiven = true
		fs := i
		for i < len(s) && i-fs < 6 && s[i] >= '0' && s[i] <= '9' {
			nanosOfMilli = nanosOfMilli*10 + int64(s[i]-'0')
			i++
		}
		for k := i - fs; k < 6; k++ {
			nanosOfMilli *= 10
		}
	}
	if i != len(s) {
		return time.Time{}, false
	}
	if !fracGiven && r == RoundUp {
		nanosOfMilli = 999999
	}
	sec := int64(ms / 1000)
	nsec := int64(ms%1000)*1e6 + nanosOfMilli
	if neg {
		sec, nsec = -sec, -nsec
	}
	return time.Unix(sec, nsec).UTC(), true
}
