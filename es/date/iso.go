package date

import (
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // zone regions ("Europe/Paris") without the system's database
)

// strict_date_optional_time is read by two parsers in turn, as
// Elasticsearch's DateFormatters.STRICT_DATE_OPTIONAL_TIME does since 8.14:
// the fast Iso8601Parser, then, for what it rejects, the java.time
// formatter STRICT_DATE_OPTIONAL_TIME_FORMATTER. A string either accepts
// is a date:
//
//	fast:      [-]yyyy[-MM[-dd[T[HH[:mm[:ss[(.|,)f{1,9}]]][zone]]]]]
//	java.time: [-]yyyy[-MM[-dd]][T[HH[:mm[:ss[.f{1,9}][,f{1,9}]]][zone-or-offset-id][+HHmm|Z]]]
//
// so that "2024", "2024-03", "2024-03-14", "2024-03-14T", "2024-03-14T10",
// "2024-03-14T10:15", "2024-03-14T10:15:30.123456789+01:00" and, through
// the java.time formatter only, "2024-03T10:15" (a missing day is 1) and
// "2024T10" (without a month, 1970-01-01T10:00 rounded down, as
// DateFormatters.from resolves a time without a date, and
// 2024-01-01T10:59:59.999999999 rounded up) are dates, and "2024-03-14 10:15:30" (a space), a
// lower-case "t" or "z", a zone without a time ("2024-03-14Z"), a year of
// other than four digits, 24:00 and leap seconds are not. A zone is "Z",
// an offset (±hh, ±hhmm, ±hh:mm, ±hh:mm:ss, at most 18 hours), UTC, GMT or
// UT with or without an offset, or a region of the time-zone database
// ("Europe/Paris"); without a zone a date is in UTC. Sources:
// Iso8601Parser.parse and DateFormatters.STRICT_YEAR_MONTH_DAY_FORMATTER
// and STRICT_DATE_OPTIONAL_TIME_FORMATTER (elastic/elasticsearch,
// server/src/main/java/org/elasticsearch/common/time/), java.time's
// ResolverStyle.STRICT, and DateFormatters.from for the missing fields.

// fields are the parts of a date as a parser read them; has marks the
// ones the text gave.
type fields struct {
	year, month, day, hour, minute, second, nano int
	has                                          uint8
	zone                                         zone // the zero zone (UTC) when the text gives none
}

// zone is a fixed offset or a region of the time-zone database.
type zone struct {
	offset int            // seconds east of UTC, when region is nil
	region *time.Location // a region ("Europe/Paris")
}

var utc = zone{}

const (
	hasMonth uint8 = 1 << iota
	hasDay
	hasHour
	hasMinute
	hasSecond
	hasNano
)

// ParseISO reads s as strict_date_optional_time, in UTC. Missing fields
// take their minimum, or with RoundUp the values of Elasticsearch's
// round-up parser (JavaDateFormatter.ROUND_UP_BASE_FIELDS: month and day
// 1, time 23:59:59.999999999).
func ParseISO(s string, r Rounding) (time.Time, error) {
	if t, ok := parseISO(s, r); ok {
		return t, nil
	}
	return time.Time{}, &Error{Input: s, Reason: "strict_date_optional_time"}
}

func parseISO(s string, r Rounding) (time.Time, bool) {
	var f fields
	if !parseFast(s, &f) {
		f = fields{}
		if !parseJavaTime(s, &f) {
			return time.Time{}, false
		}
	}
	return f.resolve(r)
}

// digitsAt reads the n ASCII digits of s at i.
func digitsAt(s string, i, n int) (int, bool) {
	if i < 0 || i+n > len(s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// parseFast is Elasticsearch's Iso8601Parser for strict_date_optional_time
// (no mandatory field but the year, either decimal separator, an optional
// zone): fixed positions, a zone right after the hour, the minute, the
// second or the fraction.
func parseFast(s string, f *fields) bool {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:] // a negative year: the rest is read as if positive
	}
	y, ok := digitsAt(s, 0, 4)
	if !ok {
		return false
	}
	f.year = y
	if neg {
		f.year = -y
	}
	if len(s) == 4 {
		return true
	}
	if s[4] != '-' {
		return false
	}
	if f.month, ok = digitsAt(s, 5, 2); !ok || f.month > 12 {
		return false
	}
	f.has |= hasMonth
	if len(s) == 7 {
		return true
	}
	if s[7] != '-' {
		return false
	}
	if f.day, ok = digitsAt(s, 8, 2); !ok || f.day > 31 {
		return false
	}
	f.has |= hasDay
	if len(s) == 10 {
		return true
	}
	if s[10] != 'T' {
		return false
	}
	if len(s) == 11 {
		return true
	}
	if f.hour, ok = digitsAt(s, 11, 2); !ok || f.hour > 23 {
		return false
	}
	f.has |= hasHour
	zone := func(i int) bool {
		z, ok := fastZone(s[i:])
		f.zone = z
		return ok
	}
	if len(s) == 13 {
		return true
	}
	if isZoneStart(s[13]) {
		return zone(13)
	}
	if s[13] != ':' {
		return false
	}
	if f.minute, ok = digitsAt(s, 14, 2); !ok || f.minute > 59 {
		return false
	}
	f.has |= hasMinute
	if len(s) == 16 {
		return true
	}
	if isZoneStart(s[16]) {
		return zone(16)
	}
	if s[16] != ':' {
		return false
	}
	if f.second, ok = digitsAt(s, 17, 2); !ok || f.second > 59 {
		return false
	}
	f.has |= hasSecond
	if len(s) == 19 {
		return true
	}
	if isZoneStart(s[19]) {
		return zone(19)
	}
	if s[19] != '.' && s[19] != ',' {
		return false
	}
	i := 20
	for ; i < len(s) && i < 29 && s[i] >= '0' && s[i] <= '9'; i++ {
		f.nano = f.nano*10 + int(s[i]-'0')
	}
	if i == 20 {
		return false
	}
	for k := i; k < 29; k++ {
		f.nano *= 10
	}
	f.has |= hasNano
	if i == len(s) {
		return true
	}
	if isZoneStart(s[i]) {
		return zone(i)
	}
	return false
}

// isZoneStart: a zone starts with a sign or a letter (Iso8601Parser.isZoneId).
func isZoneStart(c byte) bool {
	return c == '+' || c == '-' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// fastZone reads the whole rest of a date as Iso8601Parser.parseZoneId
// does: "Z", a signed offset with two-digit fields and colons either
// everywhere or nowhere, or what java.time's ZoneId.of reads.
func fastZone(z string) (zone, bool) {
	if z == "Z" {
		return utc, true
	}
	if z[0] != '+' && z[0] != '-' {
		return zoneIDOf(z)
	}
	neg := z[0] == '-'
	h, ok := digitsAt(z, 1, 2)
	if !ok || h > 23 {
		return utc, false
	}
	i := 3
	m, sec := 0, 0
	if i < len(z) {
		colon := z[i] == ':'
		if colon {
			i++
		}
		if m, ok = digitsAt(z, i, 2); !ok || m > 59 {
			return utc, false
		}
		i += 2
		if i < len(z) {
			if (z[i] == ':') != colon {
				return utc, false
			}
			if colon {
				i++
			}
			if sec, ok = digitsAt(z, i, 2); !ok || sec > 59 {
				return utc, false
			}
			i += 2
		}
	}
	if i != len(z) {
		return utc, false
	}
	return offsetZone(neg, h, m, sec)
}

// offsetZone is a fixed offset within ZoneOffset's ±18:00.
func offsetZone(neg bool, h, m, s int) (zone, bool) {
	total := h*3600 + m*60 + s
	if total > 18*3600 {
		return utc, false
	}
	if neg {
		total = -total
	}
	return zone{offset: total}, true
}

// zoneIDOf reads a zone as java.time's ZoneId.of does: "Z" and the
// ZoneOffset.of forms (±h, ±hh, ±hhmm, ±hh:mm, ±hhmmss, ±hh:mm:ss), UTC,
// GMT and UT alone or followed by such an offset, or a region ID of the
// time-zone database.
func zoneIDOf(z string) (zone, bool) {
	if len(z) <= 1 || z[0] == '+' || z[0] == '-' {
		return zoneOffsetOf(z)
	}
	for _, prefix := range []string{"UTC", "GMT", "UT"} {
		if len(z) >= len(prefix) && z[:len(prefix)] == prefix {
			rest := z[len(prefix):]
			if rest == "" {
				return utc, true
			}
			if rest[0] != '+' && rest[0] != '-' {
				return region(z) // "GMT0", "UTC0"...
			}
			return zoneOffsetOf(rest)
		}
	}
	return region(z)
}

// zoneOffsetOf reads java.time's ZoneOffset.of forms.
func zoneOffsetOf(z string) (zone, bool) {
	if z == "Z" {
		return utc, true
	}
	if len(z) < 2 || z[0] != '+' && z[0] != '-' {
		return utc, false
	}
	neg := z[0] == '-'
	var h, m, s int
	ok := true
	switch len(z) {
	case 2:
		h, ok = digitsAt(z, 1, 1)
	case 3:
		h, ok = digitsAt(z, 1, 2)
	case 5:
		h, ok = digitsAt(z, 1, 2)
		m, ok = both(ok, z, 3)
	case 6:
		h, ok = digitsAt(z, 1, 2)
		ok = ok && z[3] == ':'
		m, ok = both(ok, z, 4)
	case 7:
		h, ok = digitsAt(z, 1, 2)
		m, ok = both(ok, z, 3)
		s, ok = both(ok, z, 5)
	case 9:
		h, ok = digitsAt(z, 1, 2)
		ok = ok && z[3] == ':' && z[6] == ':'
		m, ok = both(ok, z, 4)
		s, ok = both(ok, z, 7)
	default:
		return utc, false
	}
	if !ok || h > 18 || m > 59 || s > 59 {
		return utc, false
	}
	return offsetZone(neg, h, m, s)
}

func both(ok bool, s string, i int) (int, bool) {
	if !ok {
		return 0, false
	}
	return digitsAt(s, i, 2)
}

var (
	regions     sync.Map     // name -> *time.Location (nil: not a region)
	regionCount atomic.Int64 // entries of regions, bounded against arbitrary input
)

// maxRegionID bounds the length of a region ID (the longest are about 30
// characters).
const maxRegionID = 64

// region loads a region of the time-zone database by its ID, which
// java.time's ZoneRegion.checkName restricts to [A-Za-z][A-Za-z0-9~/._+-]+.
// The database is the system's, or Go's embedded copy: Elasticsearch's
// (the JDK's) may be of another release, which changes only the offsets
// of the few regions whose rules changed between the two.
func region(id string) (zone, bool) {
	if len(id) < 2 || len(id) > maxRegionID || id == "Local" {
		return utc, false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		letter := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
		if i == 0 && !letter {
			return utc, false
		}
		if !letter && !(c >= '0' && c <= '9') && c != '~' && c != '/' && c != '.' && c != '_' && c != '+' && c != '-' {
			return utc, false
		}
	}
	if v, ok := regions.Load(id); ok {
		loc := v.(*time.Location)
		return zone{region: loc}, loc != nil
	}
	loc, err := time.LoadLocation(id)
	if err != nil {
		loc = nil
	}
	if regionCount.Add(1) <= 4096 {
		regions.Store(id, loc)
	}
	return zone{region: loc}, loc != nil
}

// parseJavaTime is DateFormatters.STRICT_DATE_OPTIONAL_TIME_FORMATTER, a
// java.time formatter parsed strictly: each optional section is kept when
// it reads completely and skipped otherwise, and the whole text must be
// read.
func parseJavaTime(s string, f *fields) bool {
	i := 0
	// Year: four digits, SignStyle.EXCEEDS_PAD read strictly: a minus
	// sign but not "-0000", and a plus sign only for more digits than
	// the four the year may have.
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		i++
	}
	y, ok := digitsAt(s, i, 4)
	if !ok || neg && y == 0 {
		return false
	}
	i += 4
	f.year = y
	if neg {
		f.year = -y
	}
	if at(s, i, '-') {
		if m, ok := digitsAt(s, i+1, 2); ok {
			f.month, f.has, i = m, f.has|hasMonth, i+3
			if at(s, i, '-') {
				if d, ok := digitsAt(s, i+1, 2); ok {
					f.day, f.has, i = d, f.has|hasDay, i+3
				}
			}
		}
	}
	if at(s, i, 'T') {
		i++
		if h, ok := digitsAt(s, i, 2); ok {
			f.hour, f.has, i = h, f.has|hasHour, i+2
			if at(s, i, ':') {
				if m, ok := digitsAt(s, i+1, 2); ok {
					f.minute, f.has, i = m, f.has|hasMinute, i+3
					if at(s, i, ':') {
						if sec, ok := digitsAt(s, i+1, 2); ok {
							f.second, f.has, i = sec, f.has|hasSecond, i+3
							if at(s, i, '.') {
								if n, end := fraction(s, i+1); end > i+1 {
									f.nano, f.has, i = n, f.has|hasNano, end
								}
							}
							if at(s, i, ',') {
								if n, end := fraction(s, i+1); end > i+1 {
									// A second fraction must agree with the first.
									if f.has&hasNano != 0 && n != f.nano {
										return false
									}
									f.nano, f.has, i = n, f.has|hasNano, end
								}
							}
						}
					}
				}
			}
			// appendZoneOrOffsetId, then appendOffset("+HHmm", "Z"); the
			// zone ID, when both are there, is the one DateFormatters.from
			// uses.
			zoneID := false
			if z, end, ok := zoneOrOffsetID(s, i); ok {
				f.zone, i, zoneID = z, end, true
			}
			if i < len(s) {
				if z, end, ok := offsetHHmm(s, i); ok {
					if !zoneID {
						f.zone = z
					}
					i = end
				}
			}
		}
	}
	return i == len(s)
}

func at(s string, i int, c byte) bool { return i < len(s) && s[i] == c }

// fraction reads one to nine digits at i as nanoseconds; end == i when
// there is none.
func fraction(s string, i int) (nano, end int) {
	end = i
	for end < len(s) && end-i < 9 && s[end] >= '0' && s[end] <= '9' {
		nano = nano*10 + int(s[end]-'0')
		end++
	}
	for k := end - i; k < 9; k++ {
		nano *= 10
	}
	return nano, end
}

// zoneOrOffsetID is java.time's appendZoneOrOffsetId read strictly at i:
// an offset "+HH:MM[:ss]", UTC, GMT or UT optionally followed by one,
// GMT0, the longest region ID there, or "Z".
func zoneOrOffsetID(s string, i int) (zone, int, bool) {
	if i >= len(s) {
		return utc, i, false
	}
	rest := s[i:]
	if rest[0] == '+' || rest[0] == '-' {
		loc, n, ok := offsetColon(rest)
		return loc, i + n, ok
	}
	prefix := ""
	switch {
	case len(rest) >= 3 && rest[:3] == "UTC":
		prefix = "UTC"
	case len(rest) >= 4 && rest[:4] == "GMT0":
		return utc, i + 4, true
	case len(rest) >= 3 && rest[:3] == "GMT":
		prefix = "GMT"
	case len(rest) >= 2 && rest[:2] == "UT":
		prefix = "UT"
	}
	if prefix != "" {
		after := rest[len(prefix):]
		if after == "" || after[0] == '0' || after[0] == 'Z' || (after[0] != '+' && after[0] != '-') {
			return utc, i + len(prefix), true
		}
		z, n, ok := offsetColon(after)
		if !ok {
			if n < 0 { // an offset beyond 18 hours
				return utc, i, false
			}
			return utc, i + len(prefix), true
		}
		return z, i + len(prefix) + n, true
	}
	// The longest region ID at i.
	end := 0
	for end < len(rest) && end < maxRegionID && idChar(rest[end]) {
		end++
	}
	for ; end >= 2; end-- {
		if z, ok := region(rest[:end]); ok {
			return z, i + end, true
		}
	}
	if rest[0] == 'Z' {
		return utc, i + 1, true
	}
	return utc, i, false
}

func idChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
		c == '~' || c == '/' || c == '.' || c == '_' || c == '+' || c == '-'
}

// offsetColon reads "+HH:MM" or "+HH:MM:ss" (OffsetIdPrinterParser
// "+HH:MM:ss") at the start of z; n is what it read, or -1 when the offset
// is beyond 18 hours.
func offsetColon(z string) (zone, int, bool) {
	neg := z[0] == '-'
	h, ok := digitsAt(z, 1, 2)
	if !ok || !at(z, 3, ':') {
		return utc, 0, false
	}
	m, ok := digitsAt(z, 4, 2)
	if !ok {
		return utc, 0, false
	}
	n, sec := 6, 0
	if at(z, 6, ':') {
		if v, ok := digitsAt(z, 7, 2); ok {
			sec, n = v, 9
		}
	}
	if h > 23 || m > 59 || sec > 59 {
		return utc, -1, false
	}
	zo, ok := offsetZone(neg, h, m, sec)
	if !ok {
		return utc, -1, false
	}
	return zo, n, true
}

// offsetHHmm is appendOffset("+HHmm", "Z") read strictly at i: "Z", or a
// sign, two digits of hours and optionally two of minutes.
func offsetHHmm(s string, i int) (zone, int, bool) {
	if s[i] == 'Z' {
		return utc, i + 1, true
	}
	if s[i] != '+' && s[i] != '-' {
		return utc, i, false
	}
	h, ok := digitsAt(s, i+1, 2)
	if !ok {
		return utc, i, false
	}
	end, m := i+3, 0
	if v, ok := digitsAt(s, end, 2); ok {
		m, end = v, end+2
	}
	z, ok := offsetZone(s[i] == '-', h, m, 0)
	if !ok || h > 23 || m > 59 {
		return utc, i, false
	}
	return z, end, true
}

// resolve fills the missing fields (with r's defaults) and checks the
// fields as java.time's strict resolver does.
func (f *fields) resolve(r Rounding) (time.Time, bool) {
	month, day, hour, minute, second, nano := 1, 1, 0, 0, 0, 0
	if r == RoundUp {
		hour, minute, second, nano = 23, 59, 59, 999999999
	}
	if f.has&hasMonth != 0 {
		month = f.month
	}
	if f.has&hasDay != 0 {
		day = f.day
	}
	if f.has&hasHour != 0 {
		hour = f.hour
	}
	if f.has&hasMinute != 0 {
		minute = f.minute
	}
	if f.has&hasSecond != 0 {
		second = f.second
	}
	if f.has&hasNano != 0 {
		nano = f.nano
	}
	year := int64(f.year)
	if r == RoundDown && f.has&hasHour != 0 && f.has&hasMonth == 0 {
		// A time without a month: DateFormatters.from puts it on
		// getLocalDate's default, the epoch's day (the round-up parser has
		// defaulted the month and the day before).
		year = 1970
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59 {
		return time.Time{}, false
	}
	days := daysFromCivil(year, month, day)
	sec := int64(hour*3600 + minute*60 + second)
	if f.zone.region != nil {
		return localToInstant(days, sec, nano, f.zone.region), true
	}
	return join(days, sec-int64(f.zone.offset), nano), true
}

// localToInstant is a local date and time in loc as java.time's
// ZonedDateTime.of resolves it: in a gap or an overlap of the zone's
// offsets, the offset in force before the transition.
func localToInstant(days, sec int64, nano int, loc *time.Location) time.Time {
	wall := join(days, sec, nano)
	offsetAt := func(t time.Time) int {
		_, off := t.In(loc).Zone()
		return off
	}
	// Offsets are within 18 hours: the offsets in force 18 hours either
	// side of the wall time read as UTC are the two candidates.
	before := offsetAt(wall.Add(-18 * time.Hour))
	after := offsetAt(wall.Add(18 * time.Hour))
	valid := func(off int) bool { return offsetAt(wall.Add(-time.Duration(off)*time.Second)) == off }
	off := before
	if !valid(before) && valid(after) {
		off = after
	}
	return wall.Add(-time.Duration(off) * time.Second).UTC()
}
