package solver

import (
	"strconv"
	"strings"
	"time"

	"github.com/emit-sec/emit/constraint"
)

var dateLayouts = []string{
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
	"2006-01",
	"2006",
}

// parseDate reads a date value as epoch milliseconds: ISO-8601 (with or
// without time and zone; UTC when no zone), epoch milliseconds, or
// Elasticsearch date math ("now-1d/d", "2024-01-01||+1M") relative to now.
//
// With roundUp (the bounds of gt and lte, as Elasticsearch does for range
// queries) a date missing components takes month 1, day 1 and 23:59:59.999
// ("2024-03-14" is 23:59:59.999 that day, "2024" is 2024-01-01T23:59:59.999),
// and a date rounded with "/unit" the last millisecond of its unit.
func parseDate(v constraint.Value, now time.Time, roundUp bool) (int64, bool) {
	switch v.Kind {
	case constraint.KindNumber:
		return int64(v.Num), true
	case constraint.KindString:
	default:
		return 0, false
	}
	s := strings.TrimSpace(v.Str)
	var base time.Time
	var math string
	switch {
	case strings.HasPrefix(s, "now"):
		base, math = now, s[3:]
	default:
		anchor := s
		if i := strings.Index(s, "||"); i >= 0 {
			anchor, math = s[:i], s[i+2:]
		}
		t, unit, ok := parseAnchor(anchor)
		if !ok {
			return 0, false
		}
		base = t
		if roundUp && math == "" {
			// Elasticsearch fills a partial date's missing components with
			// month 1, day 1 and 23:59:59.999 when rounding up.
			switch unit {
			case 'y', 'M':
				unit = 'd'
			}
			return endOf(t, unit).UnixMilli(), true
		}
	}
	t, ok := applyDateMath(base.UTC(), math, roundUp)
	if !ok {
		return 0, false
	}
	return t.UnixMilli(), true
}

// endOf is the last millisecond of the period of unit that starts at t.
func endOf(t time.Time, unit byte) time.Time {
	var next time.Time
	switch unit {
	case 'y':
		next = t.AddDate(1, 0, 0)
	case 'M':
		next = t.AddDate(0, 1, 0)
	case 'd':
		next = t.AddDate(0, 0, 1)
	case 'w':
		next = t.AddDate(0, 0, 7)
	case 'h', 'H':
		next = t.Add(time.Hour)
	case 'm':
		next = t.Add(time.Minute)
	case 's':
		next = t.Add(time.Second)
	default:
		return t
	}
	return next.Add(-time.Millisecond)
}

// parseAnchor reads a date and the smallest unit it gives (0 when it has
// milliseconds or is epoch milliseconds).
func parseAnchor(s string) (time.Time, byte, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && len(s) > 4 && len(strings.TrimPrefix(s, "-")) <= 18 && s[0] != '+' {
		return time.UnixMilli(n), 0, true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, anchorUnit(l, s), true
		}
	}
	return time.Time{}, 0, false
}

func anchorUnit(layout, s string) byte {
	switch layout {
	case "2006":
		return 'y'
	case "2006-01":
		return 'M'
	case "2006-01-02":
		return 'd'
	case "2006-01-02T15:04Z07:00", "2006-01-02T15:04":
		return 'm'
	}
	if !strings.Contains(s, ".") {
		return 's'
	}
	return 0
}

// applyDateMath applies "+1d", "-2h", "/d" operations in order.
func applyDateMath(t time.Time, m string, roundUp bool) (time.Time, bool) {
	for m != "" {
		op := m[0]
		m = m[1:]
		switch op {
		case '+', '-':
			i := 0
			for i < len(m) && m[i] >= '0' && m[i] <= '9' {
				i++
			}
			n := 1
			if i > 0 {
				n, _ = strconv.Atoi(m[:i])
			}
			if i >= len(m) {
				return t, false
			}
			unit := m[i]
			m = m[i+1:]
			if op == '-' {
				n = -n
			}
			switch unit {
			case 'y':
				t = t.AddDate(n, 0, 0)
			case 'M':
				t = t.AddDate(0, n, 0)
			case 'w':
				t = t.AddDate(0, 0, 7*n)
			case 'd':
				t = t.AddDate(0, 0, n)
			case 'h', 'H':
				t = t.Add(time.Duration(n) * time.Hour)
			case 'm':
				t = t.Add(time.Duration(n) * time.Minute)
			case 's':
				t = t.Add(time.Duration(n) * time.Second)
			default:
				return t, false
			}
		case '/':
			if m == "" {
				return t, false
			}
			unit := m[0]
			m = m[1:]
			y, mo, d := t.Date()
			switch unit {
			case 'y':
				t = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
			case 'M':
				t = time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC)
			case 'w':
				wd := (int(t.Weekday()) + 6) % 7 // weeks start on Monday
				t = time.Date(y, mo, d-wd, 0, 0, 0, 0, time.UTC)
			case 'd':
				t = time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
			case 'h', 'H':
				t = t.Truncate(time.Hour)
			case 'm':
				t = t.Truncate(time.Minute)
			case 's':
				t = t.Truncate(time.Second)
			default:
				return t, false
			}
			if roundUp {
				t = endOf(t, unit)
			}
		default:
			return t, false
		}
	}
	return t, true
}

// appendDate appends epoch milliseconds as ISO-8601 UTC with milliseconds.
func appendDate(dst []byte, ms int64) []byte {
	return time.UnixMilli(ms).UTC().AppendFormat(dst, "2006-01-02T15:04:05.000Z")
}

func formatDate(ms int64) string { return string(appendDate(nil, ms)) }
