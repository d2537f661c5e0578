package date

import (
	"strconv"
	"strings"
	"time"
)

// Unit is a unit of date math: y (years), M (months), w (weeks), d (days),
// h or H (hours), m (minutes), s (seconds).
type Unit byte

const (
	Year   Unit = 'y'
	Month  Unit = 'M'
	Week   Unit = 'w'
	Day    Unit = 'd'
	Hour   Unit = 'h'
	Minute Unit = 'm'
	Second Unit = 's'
)

// unitOf reads a unit letter; "H" is another spelling of "h".
func unitOf(c byte) (Unit, bool) {
	switch Unit(c) {
	case Year, Month, Week, Day, Hour, Minute, Second:
		return Unit(c), true
	case 'H':
		return Hour, true
	}
	return 0, false
}

// maxYear is the largest year (and its negation the smallest) of
// java.time's dates; date math beyond it is an error.
const maxYear = 999_999_999

// Math reads a date query value as Elasticsearch's JavaDateMathParser
// does, in UTC: "now" (the current time, in whole milliseconds) or an
// anchor date in the default format followed by "||", then operations
// applied in order: +n or -n of a unit (n is 1 when omitted, at most the
// largest int), or "/unit" rounding down to the start of the unit (weeks
// start on Monday). Without "now" or "||" the value is a plain date
// (Parse). With RoundUp, a plain date's missing fields round up and a
// rounding goes to the last millisecond of its unit (the start of the
// next unit less one millisecond); an anchor is always read rounded down.
// Adding months or years keeps the day of the month when the new month has
// it, else takes its last day ("2024-01-31||+1M" is 2024-02-29).
//
// Unlike Java's Character.isDigit, only ASCII digits count in n.
func Math(s string, now time.Time, r Rounding) (time.Time, error) {
	var t time.Time
	var expr string
	if rest, ok := strings.CutPrefix(s, "now"); ok {
		t, expr = now.UTC().Truncate(time.Millisecond), rest
	} else {
		anchor, rest, found := strings.Cut(s, "||")
		if !found {
			return Parse(s, r)
		}
		var err error
		if t, err = Parse(anchor, RoundDown); err != nil {
			if anchor == "" {
				return time.Time{}, &Error{Input: s, Reason: "no date before ||"}
			}
			return time.Time{}, &Error{Input: s, Reason: strconv.Quote(anchor) + " is not " + DefaultFormat}
		}
		expr = rest
	}
	fail := func(reason string) (time.Time, error) {
		return time.Time{}, &Error{Input: s, Reason: reason}
	}
	for i := 0; i < len(expr); {
		op := expr[i]
		i++
		if op != '+' && op != '-' && op != '/' {
			return fail("operator " + strconv.QuoteRune(rune(op)) + " not supported for date math")
		}
		if i >= len(expr) {
			return fail("truncated date math")
		}
		n := 1
		if isDigit(expr[i]) {
			from := i
			for i < len(expr) && isDigit(expr[i]) {
				i++
			}
			if i >= len(expr) {
				return fail("truncated date math")
			}
			v, err := strconv.ParseInt(expr[from:i], 10, 32) // Integer.parseInt
			if err != nil {
				return fail("number " + expr[from:i] + " out of range for date math")
			}
			n = int(v)
		}
		if op == '/' && n != 1 {
			return fail("rounding / can only be used on single unit types")
		}
		u, ok := unitOf(expr[i])
		if !ok {
			return fail("unit " + strconv.QuoteRune(rune(expr[i])) + " not supported for date math")
		}
		i++
		var err error
		if op == '/' {
			t, err = Round(t, u, r)
		} else {
			if op == '-' {
				n = -n
			}
			t, err = Add(t, n, u)
		}
		if err != nil {
			return fail(err.Error())
		}
	}
	return t, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Add adds n units to t in UTC as java.time's ZonedDateTime.plus does:
// years and months keep the day of the month or take the month's last
// day, weeks and days keep the time of day. A result beyond java.time's
// years (±999999999) is an error.
func Add(t time.Time, n int, u Unit) (time.Time, error) {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	ns := t.Nanosecond()
	switch u {
	case Year, Month:
		months := int64(y)*12 + int64(mo-1)
		if u == Year {
			months += int64(n) * 12
		} else {
			months += int64(n)
		}
		ny := floorDiv(months, 12)
		nm := time.Month(months-ny*12) + 1
		if ny > maxYear || ny < -maxYear {
			return time.Time{}, errRange
		}
		d = min(d, daysIn(int(ny), int(nm)))
		return time.Date(int(ny), nm, d, h, mi, s, ns, time.UTC), nil
	case Week, Day:
		days := int64(n)
		if u == Week {
			days *= 7
		}
		t = time.Date(y, mo, d+int(days), h, mi, s, ns, time.UTC)
	case Hour:
		t = time.Unix(t.Unix()+int64(n)*3600, int64(ns)).UTC()
	case Minute:
		t = time.Unix(t.Unix()+int64(n)*60, int64(ns)).UTC()
	case Second:
		t = time.Unix(t.Unix()+int64(n), int64(ns)).UTC()
	default:
		return time.Time{}, &Error{Input: string(rune(u)), Reason: "not a unit of date math"}
	}
	if y := t.Year(); y > maxYear || y < -maxYear {
		return time.Time{}, errRange
	}
	return t, nil
}

var errRange = &rangeError{}

type rangeError struct{}

func (*rangeError) Error() string { return "date math beyond year ±999999999" }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// Round rounds t (in UTC) down to the start of unit u (weeks start on
// Monday), or with RoundUp to the start of the next unit less one
// millisecond, as date math's "/unit" does.
func Round(t time.Time, u Unit, r Rounding) (time.Time, error) {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, _ := t.Clock()
	var start time.Time
	switch u {
	case Year:
		start = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	case Month:
		start = time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC)
	case Week:
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		start = time.Date(y, mo, d-back, 0, 0, 0, 0, time.UTC)
	case Day:
		start = time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	case Hour:
		start = time.Date(y, mo, d, h, 0, 0, 0, time.UTC)
	case Minute:
		start = time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
	case Second:
		start = t.Add(-time.Duration(t.Nanosecond()))
	default:
		return time.Time{}, &Error{Input: string(rune(u)), Reason: "not a unit of date math"}
	}
	if r == RoundDown {
		return start, nil
	}
	next, err := Add(start, 1, u)
	if err != nil {
		return time.Time{}, err
	}
	return next.Add(-time.Millisecond), nil
}
