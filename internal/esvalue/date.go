package esvalue

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseISO reads Elasticsearch's strict_date_optional_time:
// yyyy[-MM[-dd[Thh[:mm[:ss[.fraction]]][zone]]]], with an upper-case "T"
// and "Z" and a zone ("Z", ±hh, ±hhmm, ±hh:mm) only after a time. Missing
// fields take their minimum, or with roundUp the values Elasticsearch's
// round-up parser gives them (month and day 1, time 23:59:59.999999999).
// The result is in UTC.
func ParseISO(s string, roundUp bool) (time.Time, bool) {
	i := 0
	digits := func(n int) (int, bool) {
		if i+n > len(s) {
			return 0, false
		}
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		i += n
		return v, true
	}
	year, ok := digits(4)
	if !ok {
		return time.Time{}, false
	}
	month, day := 1, 1
	hour, minute, sec, nsec := 0, 0, 0, 0
	if roundUp {
		hour, minute, sec, nsec = 23, 59, 59, 999999999
	}
	loc := time.UTC
	if i < len(s) && s[i] == '-' {
		i++
		if month, ok = digits(2); !ok {
			return time.Time{}, false
		}
		if i < len(s) && s[i] == '-' {
			i++
			if day, ok = digits(2); !ok {
				return time.Time{}, false
			}
			if i < len(s) && s[i] == 'T' {
				i++
				if hour, ok = digits(2); !ok {
					return time.Time{}, false
				}
				if roundUp {
					minute, sec, nsec = 59, 59, 999999999
				}
				if i < len(s) && s[i] == ':' {
					i++
					if minute, ok = digits(2); !ok {
						return time.Time{}, false
					}
					if roundUp {
						sec, nsec = 59, 999999999
					}
					if i < len(s) && s[i] == ':' {
						i++
						if sec, ok = digits(2); !ok {
							return time.Time{}, false
						}
						if roundUp {
							nsec = 999999999
						}
						if i < len(s) && (s[i] == '.' || s[i] == ',') {
							i++
							start := i
							frac := 0
							for i < len(s) && s[i] >= '0' && s[i] <= '9' && i-start < 9 {
								frac = frac*10 + int(s[i]-'0')
								i++
							}
							n := i - start
							if n == 0 {
								return time.Time{}, false
							}
							for ; n < 9; n++ {
								frac *= 10
							}
							nsec = frac
						}
					}
				}
				if i < len(s) {
					switch s[i] {
					case 'Z':
						i++
					case '+', '-':
						sign := 1
						if s[i] == '-' {
							sign = -1
						}
						i++
						zh, ok := digits(2)
						if !ok {
							return time.Time{}, false
						}
						zm := 0
						if i < len(s) && s[i] == ':' {
							i++
							if zm, ok = digits(2); !ok {
								return time.Time{}, false
							}
						} else if i < len(s) {
							if zm, ok = digits(2); !ok {
								return time.Time{}, false
							}
						}
						if zh > 18 || zm > 59 {
							return time.Time{}, false
						}
						loc = time.FixedZone("", sign*(zh*3600+zm*60))
					}
				}
			}
		}
	}
	if i != len(s) || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	if day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc).UTC(), true
}

// ParseEpochMillis reads epoch_millis: an optionally signed integer of at
// most 18 digits with an optional fraction ("5." included) of which the
// first six digits count (sub-millisecond precision for date_nanos).
func ParseEpochMillis(s string) (time.Time, bool) {
	neg := strings.HasPrefix(s, "-")
	body := strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(body, ".")
	if whole == "" || len(whole) > 18 {
		return time.Time{}, false
	}
	ms := int64(0)
	for _, c := range []byte(whole) {
		if c < '0' || c > '9' {
			return time.Time{}, false
		}
		ms = ms*10 + int64(c-'0')
	}
	ns := int64(0)
	for k, c := range []byte(frac) {
		if c < '0' || c > '9' {
			return time.Time{}, false
		}
		if k < 6 {
			ns = ns*10 + int64(c-'0')
		}
	}
	for k := len(frac); k < 6; k++ {
		ns *= 10
	}
	if neg {
		ms, ns = -ms, -ns
	}
	// UnixMilli, not a Duration: a Duration overflows after 292 years.
	return time.UnixMilli(ms).UTC().Add(time.Duration(ns)), true
}

// ParseDate reads a date in the default format
// strict_date_optional_time||epoch_millis.
func ParseDate(s string, roundUp bool) (time.Time, bool) {
	if t, ok := ParseISO(s, roundUp); ok {
		return t, true
	}
	return ParseEpochMillis(s)
}

// maxDocMillis bounds a numeric date document value (about three million
// years either side of the epoch).
const maxDocMillis = 1e17

// DocDate reads a date document value: a string in the default format, or
// a number of milliseconds since the epoch.
func DocDate(v any) (time.Time, bool) {
	switch x := v.(type) {
	case string:
		return ParseDate(x, false)
	case json.Number:
		return ParseEpochMillis(string(x))
	}
	r, ok := DocNumber(v)
	if !ok {
		return time.Time{}, false
	}
	f, _ := r.Float64()
	if math.Abs(f) > maxDocMillis {
		return time.Time{}, false
	}
	ms := math.Trunc(f)
	ns := math.Round((f - ms) * 1e6)
	return time.UnixMilli(int64(ms)).UTC().Add(time.Duration(ns)), true
}

// DateMath reads a date or a date math expression ("now-1d/d",
// "2024-01-01||+1M"), in UTC. With roundUp, missing date fields round up
// and "/unit" rounds to the last millisecond of the unit, as Elasticsearch
// does for gt and lte bounds.
func DateMath(s string, now time.Time, roundUp bool) (time.Time, bool) {
	var t time.Time
	var expr string
	if rest, ok := strings.CutPrefix(s, "now"); ok {
		t, expr = now.UTC(), rest
	} else {
		anchor, rest, found := strings.Cut(s, "||")
		if !found {
			return ParseDate(s, roundUp)
		}
		var ok bool
		if t, ok = ParseDate(anchor, false); !ok {
			return time.Time{}, false
		}
		expr = rest
	}
	for i := 0; i < len(expr); {
		op := expr[i]
		i++
		if op != '+' && op != '-' && op != '/' {
			return time.Time{}, false
		}
		n := 1
		if op != '/' {
			start := i
			for i < len(expr) && expr[i] >= '0' && expr[i] <= '9' {
				i++
			}
			if i > start {
				v, err := strconv.Atoi(expr[start:i])
				if err != nil || v > 1_000_000 {
					return time.Time{}, false
				}
				n = v
			}
			if op == '-' {
				n = -n
			}
		}
		if i >= len(expr) {
			return time.Time{}, false
		}
		unit := expr[i]
		i++
		if op == '/' {
			var ok bool
			if t, ok = RoundDate(t, unit, roundUp); !ok {
				return time.Time{}, false
			}
			continue
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
			return time.Time{}, false
		}
	}
	return t, true
}

// RoundDate rounds t (in UTC) down to the start of unit (y M w d h H m s;
// weeks start on Monday), or with up to the last millisecond of the unit.
func RoundDate(t time.Time, unit byte, up bool) (time.Time, bool) {
	t = t.UTC()
	var start, next time.Time
	switch unit {
	case 'y':
		start = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		next = start.AddDate(1, 0, 0)
	case 'M':
		start = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		next = start.AddDate(0, 1, 0)
	case 'w':
		back := (int(t.Weekday()) + 6) % 7
		start = time.Date(t.Year(), t.Month(), t.Day()-back, 0, 0, 0, 0, time.UTC)
		next = start.AddDate(0, 0, 7)
	case 'd':
		start = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		next = start.AddDate(0, 0, 1)
	case 'h', 'H':
		start = t.Truncate(time.Hour)
		next = start.Add(time.Hour)
	case 'm':
		start = t.Truncate(time.Minute)
		next = start.Add(time.Minute)
	case 's':
		start = t.Truncate(time.Second)
		next = start.Add(time.Second)
	default:
		return time.Time{}, false
	}
	if up {
		return next.Add(-time.Millisecond), true
	}
	return start, true
}
