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
	days, sec, ns := split(t)
	switch u {
	case Year, Month:
		y, m, d := civilFromDays(days)
		months := y*12 + int64(m-1)
		if u == Year {
			months += int64(n) * 12
		} else {
			months += int64(n)
		}
		ny := floorDiv(months, 12)
		nm := int(months-ny*12) + 1
		if ny > maxYear || ny < -maxYear {
			return time.Time{}, errRange
		}
		days = daysFromCivil(ny, nm, min(d, daysIn(ny, nm)))
	case Week:
		days += int64(n) * 7
	case Day:
		days += int64(n)
	case Hour:
		sec += int64(n) * 3600
	case Minute:
		sec += int64(n) * 60
	case Second:
		sec += int64(n)
	default:
		return time.Time{}, &Error{Input: string(rune(u)), Reason: "not a unit of date math"}
	}
	t = join(days, sec, ns)
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
	days, sec, _ := split(t)
	var start time.Time
	switch u {
	case Year:
		y, _, _ := civilFromDays(days)
		start = join(daysFromCivil(y, 1, 1), 0, 0)
	case Month:
		y, m, _ := civilFromDays(days)
		start = join(daysFromCivil(y, m, 1), 0, 0)
	case Week:
		// 1970-01-01 was a Thursday: days since a Monday.
		back := (days%7 + 7 + 3) % 7
		start = join(days-back, 0, 0)
	case Day:
		start = join(days, 0, 0)
	case Hour:
		start = join(days, sec-sec%3600, 0)
	case Minute:
		start = join(days, sec-sec%60, 0)
	case Second:
		start = join(days, sec, 0)
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
