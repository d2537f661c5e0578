package solver

import (
	"math"
	"strconv"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/internal/interval"
)

// Dates are read by es/date, as Elasticsearch reads them for a field with
// the default format; a date domain holds epoch milliseconds.

// dateText is the text Elasticsearch reads for a date predicate value: a
// string as written, a number as its source text ("2024" is a year,
// "1700000000000" epoch milliseconds).
func dateText(v constraint.Value) (string, bool) {
	switch v.Kind {
	case constraint.KindString:
		return v.Str, true
	case constraint.KindNumber:
		if v.Str != "" {
			return v.Str, true
		}
		if math.IsNaN(v.Num) || math.IsInf(v.Num, 0) {
			return "", false
		}
		return strconv.FormatFloat(v.Num, 'f', -1, 64), true
	}
	return "", false
}

// dateSet is the set of epoch milliseconds a date predicate op (Eq for a
// term, or an order) with value v admits on a field of resolution res, as
// Elasticsearch's range and term queries read the value
// (DateFieldMapper.dateRangeQuery): gt and lte read it rounded up, gte and
// lt rounded down (date.BoundRounding), a term is the range from the
// value rounded down to it rounded up ("2024-03-14" is the whole day). On
// a date_nanos field the limits are nanoseconds, of which the domain's
// milliseconds take those inside.
func dateSet(v constraint.Value, op constraint.Op, now time.Time, res date.Resolution) (interval.Set[interval.Int], error) {
	s, ok := dateText(v)
	if !ok {
		return interval.Set[interval.Int]{}, &date.Error{Input: v.String()}
	}
	read := func(upper, inclusive bool) (floor int64, exact bool, err error) {
		t, err := date.Query(s, now, date.BoundRounding(upper, inclusive), res)
		if err != nil {
			return 0, false, err
		}
		ms, err := date.Millis.Convert(t)
		return ms, t.Nanosecond()%1e6 == 0, err
	}
	ceil := func(floor int64, exact bool) int64 {
		if exact {
			return floor
		}
		return floor + 1
	}
	all := interval.Set[interval.Int]{}
	switch op {
	case constraint.Eq:
		lo, loExact, err := read(false, true)
		if err != nil {
			return all, err
		}
		hi, _, err := read(true, true)
		if err != nil {
			return all, err
		}
		if lo = ceil(lo, loExact); lo > hi {
			return all, nil
		}
		return interval.Of(interval.Int(lo), interval.Int(hi)), nil
	case constraint.Lt:
		x, exact, err := read(true, false)
		if err != nil || ceil(x, exact) == math.MinInt64 {
			return all, err
		}
		return interval.Of(interval.MinInt, interval.Int(ceil(x, exact)-1)), nil
	case constraint.Le:
		x, _, err := read(true, true)
		if err != nil {
			return all, err
		}
		return interval.Of(interval.MinInt, interval.Int(x)), nil
	case constraint.Gt:
		x, _, err := read(false, false)
		if err != nil || x == math.MaxInt64 {
			return all, err
		}
		return interval.Of(interval.Int(x+1), interval.MaxInt), nil
	case constraint.Ge:
		x, exact, err := read(false, true)
		if err != nil || !exact && x == math.MaxInt64 {
			return all, err
		}
		return interval.Of(interval.Int(ceil(x, exact)), interval.MaxInt), nil
	}
	return all, &date.Error{Input: s, Reason: "not an order or an equality"}
}

// dateDomainMax is the last millisecond a date domain holds: emit writes
// strict_date_optional_time, whose years have four digits, and a
// date_nanos field holds no date after 2262.
func dateDomainMax(res date.Resolution) int64 {
	hi := date.MaxISO.UnixMilli()
	if m := res.Max().UnixMilli(); m < hi {
		hi = m
	}
	return hi
}

// appendDate appends epoch milliseconds as emit writes dates.
func appendDate(dst []byte, ms int64) []byte { return date.AppendFormat(dst, time.UnixMilli(ms)) }

func formatDate(ms int64) string { return string(appendDate(nil, ms)) }
