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
func parseDate(v constraint.Value, now time.Time) (int64, bool) {
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
		t, ok := parseAnchor(anchor)
		if !ok {
			return 0, false
		}
		base = t
	}
	t, ok := applyDateMath(base.UTC(), math)
	if !ok {
		return 0, false
	}
	return t.UnixMilli(), true
}

func parseAnchor(s string) (time.Time, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && len(s) > 4 {
		return time.UnixMilli(n), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// applyDateMath applies "+1d", "-2h", "/d" operations in order.
func applyDateMath(t time.Time, m string) (time.Time, bool) {
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
