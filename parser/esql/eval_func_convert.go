package esql

import (
	"errors"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/es/geo"
	"github.com/emit-sec/emit/es/ipaddr"
	"github.com/emit-sec/emit/es/number"
)

// Type conversion functions (TO_STRING, TO_INTEGER, ...), which the "::"
// casts call too. They convert each value of a multi-value; a value they
// cannot convert is left out with a warning. Conversions follow
// Elasticsearch's EsqlDataTypeConverter: a double becomes a whole number
// by Java's Math.round, a string is read as Java reads numbers, dates are
// strict_date_optional_time or epoch milliseconds.

func init() {
	for name, f := range converters {
		conv := f
		regScalar(func(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
			if call.Name == "to_ip" && call.Options != nil {
				return c.toIPWithOptions(call, args)
			}
			if len(args) != 1 {
				return nil, c.ev.errorf(call.Loc, "[%s] takes one argument", call.Name)
			}
			text := c.ev.text(call.Loc)
			return c.perValue(call, args, func(v any) (any, string) { return conv(v, text) }), nil
		}, name)
	}
}

// converter converts one value; the string is a warning (or, starting
// with typeProblem, a type error) when it cannot.
type converter func(v any, text string) (any, string)

var converters = map[string]converter{
	"to_string":         toStringConv,
	"to_boolean":        toBooleanConv,
	"to_integer":        toIntegerConv,
	"to_long":           toLongConv,
	"to_unsigned_long":  toUnsignedLongConv,
	"to_double":         toDoubleConv,
	"to_datetime":       toDatetimeConv,
	"to_date_nanos":     toDatetimeConv,
	"to_ip":             toIPConv,
	"to_version":        toVersionConv,
	"to_geopoint":       toPointConv(false),
	"to_cartesianpoint": toPointConv(true),
	"to_dateperiod":     toSpanConv(true),
	"to_timeduration":   toSpanConv(false),
}

func badType(text string, v any) string {
	return typeProblem + "argument of [" + text + "] has a value of type [" + typeName(v) + "], which it does not convert"
}

func cannot(v any, typ string) string {
	return "InvalidArgumentException: Cannot convert [" + toStringValue(v) + "] to [" + typ + "]"
}

func toStringConv(v any, text string) (any, string) {
	switch v.(type) {
	case spanDuration, spanPeriod:
		return nil, badType(text, v)
	}
	return toStringValue(v), ""
}

func toBooleanConv(v any, text string) (any, string) {
	switch x := v.(type) {
	case bool:
		return x, ""
	case string:
		return strings.EqualFold(x, "true"), ""
	case int32, int64, uint64, float64:
		f, _ := numberFloat(x)
		return f != 0, ""
	}
	return nil, badType(text, v)
}

// parseJavaDouble reads a number as Java's Double.parseDouble does, which
// Elasticsearch's string conversions call: a decimal (es/number) with
// surrounding whitespace and an optional d or f suffix; what is not finite
// is refused.
func parseJavaDouble(s string) (float64, error) {
	f, ok := number.ParseJava(s)
	if !ok {
		return 0, errors.New("not a number")
	}
	return f, nil
}

// javaRound is Java's Math.round: the closest long, halves up.
func javaRound(f float64) float64 { return math.Floor(f + 0.5) }

func toLongValue(v any, typ string) (int64, string) {
	switch x := v.(type) {
	case int32:
		return int64(x), ""
	case int64:
		return x, ""
	case uint64:
		if x > math.MaxInt64 {
			return 0, "InvalidArgumentException: [" + toStringValue(v) + "] out of [long] range"
		}
		return int64(x), ""
	case float64:
		if x > math.MaxInt64 || x < math.MinInt64 {
			return 0, "InvalidArgumentException: [" + toStringValue(v) + "] out of [long] range"
		}
		return int64(javaRound(x)), ""
	case bool:
		if x {
			return 1, ""
		}
		return 0, ""
	case time.Time:
		return x.UnixMilli(), ""
	case string:
		if n, err := strconv.ParseInt(x, 10, 64); err == nil {
			return n, ""
		}
		f, err := parseJavaDouble(x)
		if err != nil || f > math.MaxInt64 || f < math.MinInt64 {
			return 0, cannot(v, typ)
		}
		return int64(javaRound(f)), ""
	}
	return 0, typeProblem
}

func toLongConv(v any, text string) (any, string) {
	n, problem := toLongValue(v, "long")
	if problem == typeProblem {
		return nil, badType(text, v)
	}
	if problem != "" {
		return nil, problem
	}
	return n, ""
}

func toIntegerConv(v any, text string) (any, string) {
	if s, ok := v.(string); ok {
		if n, err := strconv.ParseInt(s, 10, 32); err == nil {
			return int32(n), ""
		}
	}
	n, problem := toLongValue(v, "integer")
	if problem == typeProblem {
		return nil, badType(text, v)
	}
	if problem != "" {
		return nil, problem
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return nil, "InvalidArgumentException: [" + toStringValue(v) + "] out of [integer] range"
	}
	return int32(n), ""
}

func toUnsignedLongConv(v any, text string) (any, string) {
	switch x := v.(type) {
	case uint64:
		return x, ""
	case string:
		if n, err := strconv.ParseUint(x, 10, 64); err == nil {
			return n, ""
		}
		f, err := parseJavaDouble(x)
		if err != nil || f < 0 || f >= 1<<64 {
			return nil, cannot(v, "unsigned_long")
		}
		return uint64(f), ""
	case float64:
		if x < 0 || x >= 1<<64 {
			return nil, "InvalidArgumentException: [" + toStringValue(v) + "] out of [unsigned_long] range"
		}
		return uint64(javaRound(x)), ""
	}
	n, problem := toLongValue(v, "unsigned_long")
	if problem == typeProblem {
		return nil, badType(text, v)
	}
	if problem != "" {
		return nil, problem
	}
	if n < 0 {
		return nil, "InvalidArgumentException: [" + toStringValue(v) + "] out of [unsigned_long] range"
	}
	return uint64(n), ""
}

func toDoubleConv(v any, text string) (any, string) {
	switch x := v.(type) {
	case float64:
		return x, ""
	case int32, int64, uint64:
		f, _ := numberFloat(x)
		return f, ""
	case bool:
		if x {
			return float64(1), ""
		}
		return float64(0), ""
	case time.Time:
		return float64(x.UnixMilli()), ""
	case string:
		f, err := parseJavaDouble(x)
		if err != nil {
			return nil, cannot(v, "double")
		}
		return f, ""
	}
	return nil, badType(text, v)
}

func toDatetimeConv(v any, text string) (any, string) {
	switch x := v.(type) {
	case time.Time:
		return x, ""
	case string:
		t, err := date.ParseISO(x, date.RoundDown)
		if err != nil {
			return nil, "IllegalArgumentException: failed to parse date field [" + x + "] with format [strict_date_optional_time]"
		}
		return t.UTC(), ""
	case int32, int64:
		n, _ := numberInt64(x)
		return time.UnixMilli(n).UTC(), ""
	case uint64:
		if x > math.MaxInt64 {
			return nil, "InvalidArgumentException: [" + toStringValue(v) + "] out of [long] range"
		}
		return time.UnixMilli(int64(x)).UTC(), ""
	case float64:
		if x > math.MaxInt64 || x < math.MinInt64 {
			return nil, "InvalidArgumentException: [" + toStringValue(v) + "] out of [long] range"
		}
		return time.UnixMilli(int64(x)).UTC(), ""
	}
	return nil, badType(text, v)
}

func toIPConv(v any, text string) (any, string) {
	switch x := v.(type) {
	case netip.Addr:
		return x, ""
	case string:
		a, ok := ipaddr.Parse(x)
		if !ok {
			return nil, "IllegalArgumentException: '" + x + "' is not an IP string literal."
		}
		return a, ""
	}
	return nil, badType(text, v)
}

// toIPWithOptions is TO_IP(x, {"leading_zeros": "reject" | "octal" |
// "decimal"}): how an IPv4 part with leading zeros reads.
func (c *exprCompiler) toIPWithOptions(call *Call, args []evalFn) (evalFn, error) {
	opts, err := c.options(call)
	if err != nil {
		return nil, err
	}
	mode := "reject"
	for k, v := range opts {
		if k != "leading_zeros" {
			return nil, c.ev.errorf(call.Options.Loc, "unknown option [%s] of TO_IP", k)
		}
		mode, _ = v.(string)
	}
	if mode != "reject" && mode != "octal" && mode != "decimal" {
		return nil, c.ev.errorf(call.Options.Loc, "leading_zeros of TO_IP must be reject, octal or decimal")
	}
	text := c.ev.text(call.Loc)
	return c.perValue(call, args[:1], func(v any) (any, string) {
		if s, ok := v.(string); ok && mode != "reject" {
			if fixed, ok := ipv4LeadingZeros(s, mode == "octal"); ok {
				v = fixed
			}
		}
		return toIPConv(v, text)
	}), nil
}

// ipv4LeadingZeros rewrites a dotted quad whose parts have leading zeros,
// reading them as octal or decimal numbers.
func ipv4LeadingZeros(s string, octal bool) (string, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return "", false
	}
	for i, p := range parts {
		base := 10
		if octal && len(p) > 1 && p[0] == '0' {
			base = 8
		}
		n, err := strconv.ParseUint(p, base, 8)
		if err != nil {
			return "", false
		}
		parts[i] = strconv.FormatUint(n, 10)
	}
	return strings.Join(parts, "."), true
}

func toVersionConv(v any, text string) (any, string) {
	switch x := v.(type) {
	case Version:
		return x, ""
	case string:
		return Version(x), ""
	}
	return nil, badType(text, v)
}

func toPointConv(cartesian bool) converter {
	return func(v any, text string) (any, string) {
		switch x := v.(type) {
		case GeoPoint:
			if !cartesian {
				return x, ""
			}
		case CartesianPoint:
			if cartesian {
				return x, ""
			}
		case string:
			px, py, ok := parseWKTPoint(x)
			if !ok {
				return nil, "IllegalArgumentException: Failed to parse WKT: " + x
			}
			if cartesian {
				return CartesianPoint{X: px, Y: py}, ""
			}
			if !geo.Valid(py, px) {
				return nil, "IllegalArgumentException: invalid latitude or longitude in " + x
			}
			return GeoPoint{Lon: px, Lat: py}, ""
		}
		return nil, badType(text, v)
	}
}

// toSpanConv reads a time span from a string ("1 day", "3 hours").
func toSpanConv(period bool) converter {
	return func(v any, text string) (any, string) {
		switch x := v.(type) {
		case spanPeriod:
			if period {
				return x, ""
			}
		case spanDuration:
			if !period {
				return x, ""
			}
		case string:
			num, unit, ok := strings.Cut(strings.TrimSpace(x), " ")
			if !ok {
				i := strings.IndexFunc(x, func(r rune) bool { return r < '0' || r > '9' })
				if i <= 0 {
					return nil, cannot(v, "time span")
				}
				num, unit = x[:i], x[i:]
			}
			n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 32)
			u, known := timeUnits[strings.ToLower(strings.TrimSpace(unit))]
			if err != nil || !known || u.IsPeriod() != period {
				return nil, cannot(v, map[bool]string{true: "date_period", false: "time_duration"}[period])
			}
			l := &Literal{Int: n, Unit: u}
			if period {
				y, m, d := l.Period()
				return spanPeriod{y, m, d}, ""
			}
			return spanDuration(l.Duration()), ""
		}
		return nil, badType(text, v)
	}
}
