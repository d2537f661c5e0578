// Package date is Elasticsearch's reading of dates for a date or date_nanos
// field with the default format, strict_date_optional_time||epoch_millis:
// the two formats (ParseISO, ParseEpochMillis, Parse), date math (Math:
// "now-1d/d", "2024-01-01||+1M"), the rounding of range query bounds
// (gt and lte read a date rounded up, gte and lt rounded down), the
// precision of the two field types (Resolution) and the way emit writes
// an instant (AppendFormat). The solver and the evaluators both read dates
// here, so that they cannot read them differently.
//
// Only the default format is read: a mapping's or a query's own "format"
// (named formats such as basic_date, custom patterns such as
// "yyyy/MM/dd HH:mm") is not interpreted by this package.
//
// The sources followed are Elasticsearch's (8.x/9.x) DateFormatters.java
// (STRICT_DATE_OPTIONAL_TIME: the fast Iso8601Parser first, then the
// java.time formatter), Iso8601Parser.java, EpochTime.java,
// JavaDateFormatter.java (ROUND_UP_BASE_FIELDS), JavaDateMathParser.java,
// DateUtils.java (the date_nanos range) and DateFieldMapper.java
// (dateRangeQuery), and the reference pages "Date field type", "Date
// nanoseconds field type", "format" and "Range query" (date math and
// rounding: https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-range-query.html#range-query-date-math-rounding).
package date

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/emit-sec/emit/es/estype"
)

// DefaultFormat is the format of a date or date_nanos field whose mapping
// gives none, the only one this package reads.
const DefaultFormat = "strict_date_optional_time||epoch_millis"

// Rounding says how a date with missing fields, or rounded with "/unit",
// becomes an instant.
type Rounding uint8

const (
	// RoundDown reads missing fields as their minimum (month and day 1,
	// time 00:00:00) and "/d" as the start of the day: document values,
	// and the gte and lt bounds of range queries.
	RoundDown Rounding = iota
	// RoundUp reads missing fields as Elasticsearch's round-up parser
	// does (month 1, day 1, 23:59:59.999999999, an epoch_millis value's
	// missing fraction .999999) and "/d" as the last millisecond of the
	// day: the gt and lte bounds of range queries.
	RoundUp
)

// BoundRounding is the rounding of a range query bound: a lower bound
// rounds up when it is exclusive (gt), an upper bound when it is inclusive
// (lte), so that gt excludes and lte includes the whole period a partial
// date or a rounding names.
func BoundRounding(upper, inclusive bool) Rounding {
	if upper == inclusive {
		return RoundUp
	}
	return RoundDown
}

// Error is a value that is not a date Elasticsearch reads.
type Error struct {
	Input  string
	Reason string // why, when more specific than "not a date"
}

func (e *Error) Error() string {
	if e.Reason != "" {
		return strconv.Quote(e.Input) + " is not a date Elasticsearch reads (" + e.Reason + ")"
	}
	return strconv.Quote(e.Input) + " is not a date Elasticsearch reads (" + DefaultFormat + ")"
}

func notDate(s string) error { return &Error{Input: s} }

// Parse reads a date in the default format, strict_date_optional_time then
// epoch_millis, as a date field reads a document value (RoundDown) or a
// range bound. The result is in UTC.
func Parse(s string, r Rounding) (time.Time, error) {
	if t, ok := parseISO(s, r); ok {
		return t, nil
	}
	if t, ok := parseEpochMillis(s, r); ok {
		return t, nil
	}
	return time.Time{}, notDate(s)
}

// Resolution is the precision a field stores: milliseconds (date) or
// nanoseconds (date_nanos).
type Resolution uint8

const (
	Millis Resolution = iota
	Nanos
)

// ResolutionOf is the resolution of a field type: Nanos for date_nanos,
// Millis for every other type.
func ResolutionOf(t estype.Type) Resolution {
	if t.Nanos() {
		return Nanos
	}
	return Millis
}

// maxNanos is the last instant a date_nanos field holds
// (DateUtils.MAX_NANOSECOND_INSTANT): the epoch plus the largest long of
// nanoseconds.
var maxNanos = time.Unix(0, math.MaxInt64).UTC()

// Convert is the long a field of resolution r indexes for t, as
// Elasticsearch's DateFieldMapper.Resolution.convert computes it:
// milliseconds since the epoch rounded towards the past (an error when
// they overflow a long), or nanoseconds since the epoch (an error before
// 1970 or after 2262-04-11T23:47:16.854775807Z).
func (r Resolution) Convert(t time.Time) (int64, error) {
	sec, ns := t.Unix(), int64(t.Nanosecond())
	if r == Nanos {
		if t.Before(time.Unix(0, 0)) || t.After(maxNanos) {
			return 0, &Error{Input: Format(t), Reason: "outside the range of date_nanos, 1970-01-01T00:00:00Z to 2262-04-11T23:47:16.854775807Z"}
		}
		return sec*1e9 + ns, nil
	}
	// Instant.toEpochMilli: exact arithmetic on the seconds and the
	// milliseconds of the (always positive) nanoseconds.
	msPart := ns / 1e6
	if sec < 0 && ns > 0 {
		sec, msPart = sec+1, msPart-1000
	}
	overflow := &Error{Input: Format(t), Reason: "milliseconds since the epoch overflow a long"}
	if sec > math.MaxInt64/1000 || sec < math.MinInt64/1000 {
		return 0, overflow
	}
	ms := sec * 1000
	if (msPart > 0 && ms > math.MaxInt64-msPart) || (msPart < 0 && ms < math.MinInt64-msPart) {
		return 0, overflow
	}
	return ms + msPart, nil
}

// Max is the last instant a field of resolution r holds.
func (r Resolution) Max() time.Time {
	if r == Nanos {
		return maxNanos
	}
	return time.UnixMilli(math.MaxInt64).Add(999999).UTC()
}

// Truncate is t at the precision of resolution r (milliseconds towards the
// past for Millis).
func (r Resolution) Truncate(t time.Time) time.Time {
	if r == Nanos {
		return t
	}
	return t.Truncate(time.Millisecond) // Truncate rounds towards the zero time, in the past of every date
}

// Query reads a date query value (a date or date math, see Math) for a
// field of resolution res, as a range or term query bound: rounded with r,
// checked to convert to the field's long (Resolution.Convert), at the
// field's precision.
func Query(s string, now time.Time, r Rounding, res Resolution) (time.Time, error) {
	t, err := Math(s, now, r)
	if err != nil {
		return time.Time{}, err
	}
	if _, err := res.Convert(t); err != nil {
		return time.Time{}, &Error{Input: s, Reason: err.(*Error).Reason}
	}
	return res.Truncate(t), nil
}

// MaxISO is the last instant strict_date_optional_time can write: its year
// has four digits (a larger year needs a sign its parser rejects).
var MaxISO = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)

// AppendFormat appends t in UTC as emit writes dates, which is
// Elasticsearch's strict_date_optional_time printer:
// yyyy-MM-ddTHH:mm:ss.SSSZ, milliseconds truncated. A year beyond 9999
// takes a "+" sign and a year before 0 a "-", as the printer writes them
// (the parser reads years of four digits only).
func AppendFormat(dst []byte, t time.Time) []byte {
	t = t.UTC()
	y := t.Year()
	switch {
	case y < 0:
		dst = append(dst, '-')
		dst = appendPadded(dst, -y, 4)
	case y > 9999:
		dst = append(dst, '+')
		dst = strconv.AppendInt(dst, int64(y), 10)
	default:
		dst = appendPadded(dst, y, 4)
	}
	_, mo, d := t.Date()
	h, mi, s := t.Clock()
	dst = append(dst, '-')
	dst = appendPadded(dst, int(mo), 2)
	dst = append(dst, '-')
	dst = appendPadded(dst, d, 2)
	dst = append(dst, 'T')
	dst = appendPadded(dst, h, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, mi, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, s, 2)
	dst = append(dst, '.')
	dst = appendPadded(dst, t.Nanosecond()/1e6, 3)
	return append(dst, 'Z')
}

// Format is AppendFormat as a string.
func Format(t time.Time) string { return string(AppendFormat(nil, t)) }

func appendPadded(dst []byte, v, width int) []byte {
	s := strconv.Itoa(v)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// readFormats are the named formats this package reads as Elasticsearch
// does: the default format's parts, and their lenient twins, which read
// the same dates in emit's range.
var readFormats = map[string]bool{
	"strict_date_optional_time": true, "date_optional_time": true,
	"strict_date_optional_time_nanos": true, "epoch_millis": true,
}

// ReadsFormat reports whether a date format name (one part of a
// "||"-separated format) is one this package reads.
func ReadsFormat(name string) bool { return readFormats[strings.TrimSpace(name)] }
