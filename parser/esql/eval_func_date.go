package esql

import (
	"math"
	"strings"
	"time"

	"github.com/emit-sec/emit/es/date"
)

// Date functions, in UTC (ES|QL's default time zone).

func init() {
	regScalar(fnNow, "now")
	regScalar(fnDateTrunc, "date_trunc")
	regScalar(fnDateDiff, "date_diff")
	regScalar(fnDateExtract, "date_extract")
	regScalar(fnDateFormat, "date_format")
	regScalar(fnDateParse, "date_parse")
	regScalar(fnDatePart, "day_name", "month_name", "year", "month", "day", "hour")
}

// fnNow is the run's now, to the millisecond.
func fnNow(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	now := c.ev.now.Truncate(time.Millisecond)
	return func(*evalRow) any { return now }, nil
}

// fnDateTrunc is DATE_TRUNC(interval, date): the date rounded down to a
// multiple of the interval, as Elasticsearch's Rounding does in UTC: one
// day, week (from Monday), month, quarter or year to its calendar start;
// several days or a time_duration to a multiple of that length since the
// epoch; several months or years to a multiple of that many since year 1.
func fnDateTrunc(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	iv, ok := c.constArg(call, 0)
	if !ok {
		return nil, c.ev.errorf(call.Args[0].Location(), "the interval of DATE_TRUNC must be a constant")
	}
	if iv == nil {
		return nil, c.ev.errorf(call.Args[0].Location(), "the interval of DATE_TRUNC cannot be null")
	}
	round, err := truncRounding(iv)
	if err != "" {
		return nil, c.ev.errorf(call.Args[0].Location(), "Function [%s] has invalid interval [%s]. %s", c.ev.text(call.Loc), c.ev.text(call.Args[0].Location()), err)
	}
	loc := call.Loc
	return c.strict(call, args, func(v []any) any {
		t, ok := v[1].(time.Time)
		if !ok {
			c.typeError(call, 1, "datetime", v[1])
			return nil
		}
		out, rerr := round(t)
		if rerr != nil {
			c.ev.warn(loc, "ArithmeticException: %v", rerr)
			return nil
		}
		return out
	}), nil
}

// truncRounding builds the rounding of an interval; the string says why an
// interval is refused.
func truncRounding(iv any) (func(time.Time) (time.Time, error), string) {
	switch x := iv.(type) {
	case spanDuration:
		ms := time.Duration(x).Milliseconds()
		if ms <= 0 {
			return nil, "Zero or negative time interval is not supported"
		}
		return func(t time.Time) (time.Time, error) {
			m := t.UnixMilli()
			return time.UnixMilli(floorDivInt(m, ms) * ms).UTC(), nil
		}, ""
	case spanPeriod:
		if x.years < 0 || x.months < 0 || x.days < 0 || x == (spanPeriod{}) {
			return nil, "Zero or negative time interval is not supported"
		}
		units := 0
		for _, n := range []int{x.years, x.months, x.days} {
			if n != 0 {
				units++
			}
		}
		if units != 1 {
			return nil, "Time interval with multiple periods is not supported"
		}
		switch {
		case x.days == 1:
			return func(t time.Time) (time.Time, error) { return date.Round(t, date.Day, date.RoundDown) }, ""
		case x.days == 7:
			return func(t time.Time) (time.Time, error) { return date.Round(t, date.Week, date.RoundDown) }, ""
		case x.days > 1:
			ms := int64(x.days) * 86400000
			return func(t time.Time) (time.Time, error) {
				return time.UnixMilli(floorDivInt(t.UnixMilli(), ms) * ms).UTC(), nil
			}, ""
		case x.months == 1:
			return func(t time.Time) (time.Time, error) { return date.Round(t, date.Month, date.RoundDown) }, ""
		case x.months > 0:
			return monthsRounding(x.months), ""
		case x.years == 1:
			return func(t time.Time) (time.Time, error) { return date.Round(t, date.Year, date.RoundDown) }, ""
		}
		return monthsRounding(12 * x.years), ""
	}
	return nil, "the interval must be a time span (1 hour, 1 day, ...)"
}

// monthsRounding rounds down to a multiple of n months counted from
// January of year 1, as Elasticsearch's DateUtils.roundIntervalMonthOfYear
// does (so 5-year intervals start in 1966, 1971, ...).
func monthsRounding(n int) func(time.Time) (time.Time, error) {
	return func(t time.Time) (time.Time, error) {
		t = t.UTC()
		months := int64(t.Year()-1)*12 + int64(t.Month()-1)
		m := floorDivInt(months, int64(n)) * int64(n)
		y := floorDivInt(m, 12) + 1
		return time.Date(int(y), time.Month(m-12*floorDivInt(m, 12)+1), 1, 0, 0, 0, 0, time.UTC), nil
	}
}

func floorDivInt(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// dateDiffUnits are DATE_DIFF's units and their abbreviations.
var dateDiffUnits = map[string]string{
	"year": "year", "years": "year", "yy": "year", "yyyy": "year",
	"quarter": "quarter", "quarters": "quarter", "qq": "quarter", "q": "quarter",
	"month": "month", "months": "month", "mm": "month", "m": "month",
	"dayofyear": "day", "dy": "day", "y": "day",
	"day": "day", "days": "day", "dd": "day", "d": "day",
	"week": "week", "weeks": "week", "wk": "week", "ww": "week",
	"weekday": "day", "weekdays": "day", "dw": "day",
	"hour": "hour", "hours": "hour", "hh": "hour",
	"minute": "minute", "minutes": "minute", "mi": "minute", "n": "minute",
	"second": "second", "seconds": "second", "ss": "second", "s": "second",
	"millisecond": "millisecond", "milliseconds": "millisecond", "ms": "millisecond",
	"microsecond": "microsecond", "microseconds": "microsecond", "mcs": "microsecond",
	"nanosecond": "nanosecond", "nanoseconds": "nanosecond", "ns": "nanosecond",
}

// fnDateDiff is DATE_DIFF(unit, start, end): the number of whole units
// from start to end, as java.time's ChronoUnit.between counts them in
// UTC; null with a warning when it does not fit an integer.
func fnDateDiff(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	loc := call.Loc
	return c.strict(call, args, func(v []any) any {
		u, ok := c.str(call, v, 0)
		if !ok {
			return nil
		}
		unit, known := dateDiffUnits[strings.ToLower(u)]
		if !known {
			c.ev.warn(loc, "IllegalArgumentException: A value of [YEAR, QUARTER, MONTH, DAYOFYEAR, DAY, WEEK, WEEKDAY, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND, NANOSECOND] or their aliases is required; received [%s]", u)
			return nil
		}
		start, ok1 := v[1].(time.Time)
		end, ok2 := v[2].(time.Time)
		if !ok1 || !ok2 {
			c.ev.fail(loc, "arguments 2 and 3 of [%s] must be dates", c.ev.text(loc))
			return nil
		}
		n, exact := chronoBetween(unit, start.UTC(), end.UTC())
		if !exact || n < math.MinInt32 || n > math.MaxInt32 {
			c.ev.warn(loc, "InvalidArgumentException: [%d] out of [integer] range", n)
			return nil
		}
		return int32(n)
	}), nil
}

// chronoBetween counts whole units between two instants as
// ChronoUnit.between does for ZonedDateTime: calendar units on the local
// dates (one less when the end's time of day is before the start's), time
// units on the exact difference, truncated toward zero.
func chronoBetween(unit string, start, end time.Time) (int64, bool) {
	switch unit {
	case "year", "quarter", "month", "week", "day":
		months, days := calendarBetween(start, end)
		switch unit {
		case "year":
			return months / 12, true
		case "quarter":
			return months / 3, true
		case "month":
			return months, true
		case "week":
			return days / 7, true
		}
		return days, true
	}
	// Time units: the exact difference, with seconds and nanoseconds of
	// one sign, truncated toward zero.
	secs := end.Unix() - start.Unix()
	nanos := int64(end.Nanosecond() - start.Nanosecond())
	if secs > 0 && nanos < 0 {
		secs--
		nanos += 1e9
	} else if secs < 0 && nanos > 0 {
		secs++
		nanos -= 1e9
	}
	switch unit {
	case "hour":
		return secs / 3600, true
	case "minute":
		return secs / 60, true
	case "second":
		return secs, true
	}
	per := map[string]int64{"millisecond": 1e6, "microsecond": 1e3, "nanosecond": 1}[unit]
	if secs > math.MaxInt64/int64(1e9)-1 || secs < math.MinInt64/int64(1e9)+1 {
		return 0, false
	}
	return (secs*1e9 + nanos) / per, true
}

// calendarBetween is the whole months and the days between two instants,
// as LocalDateTime.until computes them for date-based units.
func calendarBetween(start, end time.Time) (months, days int64) {
	sd := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
	ed := time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC)
	st := start.Sub(sd)
	et := end.Sub(ed)
	if ed.After(sd) && et < st {
		ed = ed.AddDate(0, 0, -1)
	} else if ed.Before(sd) && et > st {
		ed = ed.AddDate(0, 0, 1)
	}
	days = (ed.Unix() - sd.Unix()) / 86400
	months = int64(ed.Year()-sd.Year())*12 + int64(ed.Month()-sd.Month())
	dd := ed.Day() - sd.Day()
	if months > 0 && dd < 0 {
		months--
	} else if months < 0 && dd > 0 {
		months++
	}
	return months, days
}

// chronoFields are the parts DATE_EXTRACT reads (java.time ChronoField
// names, case-insensitively).
var chronoFields = map[string]func(t time.Time) int64{
	"year": func(t time.Time) int64 { return int64(t.Year()) },
	"year_of_era": func(t time.Time) int64 {
		y := t.Year()
		if y <= 0 {
			return int64(1 - y)
		}
		return int64(y)
	},
	"month_of_year": func(t time.Time) int64 { return int64(t.Month()) },
	"day_of_month":  func(t time.Time) int64 { return int64(t.Day()) },
	"day_of_year":   func(t time.Time) int64 { return int64(t.YearDay()) },
	"day_of_week":   func(t time.Time) int64 { return int64((int(t.Weekday())+6)%7 + 1) },
	"hour_of_day":   func(t time.Time) int64 { return int64(t.Hour()) },
	"clock_hour_of_day": func(t time.Time) int64 {
		h := t.Hour()
		if h == 0 {
			return 24
		}
		return int64(h)
	},
	"hour_of_ampm": func(t time.Time) int64 { return int64(t.Hour() % 12) },
	"clock_hour_of_ampm": func(t time.Time) int64 {
		h := t.Hour() % 12
		if h == 0 {
			return 12
		}
		return int64(h)
	},
	"ampm_of_day":      func(t time.Time) int64 { return int64(t.Hour() / 12) },
	"minute_of_hour":   func(t time.Time) int64 { return int64(t.Minute()) },
	"minute_of_day":    func(t time.Time) int64 { return int64(t.Hour()*60 + t.Minute()) },
	"second_of_minute": func(t time.Time) int64 { return int64(t.Second()) },
	"second_of_day":    func(t time.Time) int64 { return int64(t.Hour()*3600 + t.Minute()*60 + t.Second()) },
	"milli_of_second":  func(t time.Time) int64 { return int64(t.Nanosecond() / 1e6) },
	"milli_of_day": func(t time.Time) int64 {
		return int64((t.Hour()*3600+t.Minute()*60+t.Second())*1000 + t.Nanosecond()/1e6)
	},
	"micro_of_second": func(t time.Time) int64 { return int64(t.Nanosecond() / 1e3) },
	"micro_of_day": func(t time.Time) int64 {
		return int64(t.Hour()*3600+t.Minute()*60+t.Second())*1e6 + int64(t.Nanosecond()/1e3)
	},
	"nano_of_second": func(t time.Time) int64 { return int64(t.Nanosecond()) },
	"nano_of_day": func(t time.Time) int64 {
		return int64(t.Hour()*3600+t.Minute()*60+t.Second())*1e9 + int64(t.Nanosecond())
	},
	"epoch_day":       func(t time.Time) int64 { return floorDivInt(t.Unix(), 86400) },
	"proleptic_month": func(t time.Time) int64 { return int64(t.Year())*12 + int64(t.Month()) - 1 },
	"era": func(t time.Time) int64 {
		if t.Year() <= 0 {
			return 0
		}
		return 1
	},
	"aligned_week_of_year":         func(t time.Time) int64 { return int64((t.YearDay()-1)/7 + 1) },
	"aligned_week_of_month":        func(t time.Time) int64 { return int64((t.Day()-1)/7 + 1) },
	"aligned_day_of_week_in_month": func(t time.Time) int64 { return int64((t.Day()-1)%7 + 1) },
	"aligned_day_of_week_in_year":  func(t time.Time) int64 { return int64((t.YearDay()-1)%7 + 1) },
	"instant_seconds":              func(t time.Time) int64 { return t.Unix() },
	"offset_seconds":               func(time.Time) int64 { return 0 },
}

// fnDateExtract is DATE_EXTRACT(part, date): a ChronoField of the date in
// UTC, as a long.
func fnDateExtract(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	loc := call.Loc
	return c.strict(call, args, func(v []any) any {
		p, ok := c.str(call, v, 0)
		if !ok {
			return nil
		}
		f, known := chronoFields[strings.ToLower(p)]
		if !known {
			c.ev.warn(loc, "IllegalArgumentException: No enum constant java.time.temporal.ChronoField.%s", strings.ToUpper(p))
			return nil
		}
		t, ok := v[1].(time.Time)
		if !ok {
			c.typeError(call, 1, "datetime", v[1])
			return nil
		}
		return f(t.UTC())
	}), nil
}

// defaultDateFormat is DATE_FORMAT's and DATE_PARSE's default pattern,
// which writes what strict_date_optional_time writes in UTC.
const defaultDateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"

// fnDateFormat is DATE_FORMAT([format,] date) with the default format
// (custom Java patterns are not read: see notEvaluated).
func fnDateFormat(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	if len(call.Args) == 2 {
		f, ok := c.constArg(call, 0)
		if s, isStr := f.(string); !ok || !isStr || s != defaultDateFormat && s != "strict_date_optional_time" {
			return nil, c.ev.unsupported(call.Args[0].Location(), "DATE_FORMAT with the pattern %s: %s", c.ev.text(call.Args[0].Location()), notEvaluated["date_format"])
		}
		args = args[1:]
	}
	return c.strict(call, args, func(v []any) any {
		t, ok := v[0].(time.Time)
		if !ok {
			c.typeError(call, len(call.Args)-1, "datetime", v[0])
			return nil
		}
		return formatTime(t)
	}), nil
}

// fnDateParse is DATE_PARSE([format,] string) with the default format.
func fnDateParse(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	if len(call.Args) >= 2 {
		f, ok := c.constArg(call, 0)
		if s, isStr := f.(string); !ok || !isStr || s != defaultDateFormat && s != "strict_date_optional_time" {
			return nil, c.ev.unsupported(call.Args[0].Location(), "DATE_PARSE with the pattern %s: %s", c.ev.text(call.Args[0].Location()), notEvaluated["date_parse"])
		}
		args = args[1:2]
	}
	loc := call.Loc
	return c.strict(call, args, func(v []any) any {
		s, ok := v[0].(string)
		if !ok {
			c.typeError(call, len(call.Args)-1, "string", v[0])
			return nil
		}
		t, err := date.ParseISO(s, date.RoundDown)
		if err != nil {
			c.ev.warn(loc, "IllegalArgumentException: failed to parse date field [%s] with format [%s]", s, defaultDateFormat)
			return nil
		}
		return t.UTC()
	}), nil
}

// fnDatePart is DAY_NAME, MONTH_NAME and the part functions.
func fnDatePart(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	name := call.Name
	return c.strict(call, args, func(v []any) any {
		t, ok := v[0].(time.Time)
		if !ok {
			c.typeError(call, 0, "datetime", v[0])
			return nil
		}
		t = t.UTC()
		switch name {
		case "day_name":
			return t.Weekday().String()
		case "month_name":
			return t.Month().String()
		case "year":
			return int32(t.Year())
		case "month":
			return int32(t.Month())
		case "day":
			return int32(t.Day())
		}
		return int32(t.Hour())
	}), nil
}
