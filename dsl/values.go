package dsl

import (
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/emit-sec/emit/constraint"
)

// This file holds what the evaluator knows of Elasticsearch field types:
// how query values and document values are read for a type, and how they
// compare. It does not share code with the solver on purpose: Match proves
// the solver's documents right.

// kind groups Elasticsearch field types by how queries match them.
type kind uint8

const (
	kKeyword   kind = iota // keyword, constant_keyword, wildcard, version, unknown
	kText                  // text, match_only_text, ...: analyzed
	kInteger               // long, integer, short, byte, unsigned_long
	kHalfFloat             // half_float
	kFloat                 // float
	kDouble                // double, scaled_float
	kDate                  // date: millisecond precision
	kDateNanos             // date_nanos
	kIP
	kBoolean
	kFlattened
	kObject // object, nested: no value of their own
	kOther  // geo_point, binary, range types, ...: only exists
)

func kindOf(typ string) kind {
	switch typ {
	case "", "keyword", "constant_keyword", "wildcard", "version":
		return kKeyword
	case "text", "match_only_text", "annotated_text", "search_as_you_type":
		return kText
	case "long", "integer", "short", "byte", "unsigned_long":
		return kInteger
	case "half_float":
		return kHalfFloat
	case "float":
		return kFloat
	case "double", "scaled_float":
		return kDouble
	case "date":
		return kDate
	case "date_nanos":
		return kDateNanos
	case "ip":
		return kIP
	case "boolean":
		return kBoolean
	case "flattened":
		return kFlattened
	case "object", "nested":
		return kObject
	case "geo_point", "geo_shape", "point", "shape", "binary", "histogram", "dense_vector",
		"sparse_vector", "rank_feature", "rank_features", "completion", "integer_range",
		"float_range", "long_range", "double_range", "date_range", "ip_range",
		"aggregate_metric_double", "alias", "join", "percolator", "token_count":
		return kOther
	}
	return kKeyword
}

func (k kind) numeric() bool { return k >= kInteger && k <= kDouble }
func (k kind) date() bool    { return k == kDate || k == kDateNanos }

// ---- query values ----

// scalar converts a decoded JSON (or TOML) scalar of a clause to a
// constraint value: strings, booleans, numbers (float64, json.Number, Go
// integers, as go-toml and encoding/json produce them), and values that
// marshal to text (TOML dates and times).
func scalar(v any) (constraint.Value, bool) {
	switch x := v.(type) {
	case string:
		return constraint.String(x), true
	case bool:
		return constraint.Boolean(x), true
	case json.Number:
		f, err := x.Float64()
		if err != nil && !isRange(err) {
			return constraint.Value{}, false
		}
		return constraint.Value{Kind: constraint.KindNumber, Num: f, Str: string(x)}, true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return constraint.Value{}, false
		}
		return constraint.Number(x), true
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return constraint.Value{}, false
		}
		return constraint.Value{Kind: constraint.KindNumber, Num: float64(x), Str: strconv.FormatFloat(float64(x), 'f', -1, 32)}, true
	case int:
		return intValue(int64(x)), true
	case int64:
		return intValue(x), true
	case int32:
		return intValue(int64(x)), true
	case uint64:
		return constraint.Value{Kind: constraint.KindNumber, Num: float64(x), Str: strconv.FormatUint(x, 10)}, true
	case uint32:
		return intValue(int64(x)), true
	case time.Time:
		return constraint.String(x.Format(time.RFC3339Nano)), true
	case encoding.TextMarshaler:
		b, err := x.MarshalText()
		if err != nil {
			return constraint.Value{}, false
		}
		return constraint.String(string(b)), true
	}
	return constraint.Value{}, false
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func intValue(i int64) constraint.Value {
	return constraint.Value{Kind: constraint.KindNumber, Num: float64(i), Str: strconv.FormatInt(i, 10)}
}

// text is a query value as Elasticsearch turns it into a string for
// string fields (numbers keep their source text).
func text(v constraint.Value) string {
	switch v.Kind {
	case constraint.KindBool:
		return strconv.FormatBool(v.Bool)
	case constraint.KindNull:
		return ""
	}
	return v.Str
}

// ---- document values ----

// docString returns the indexed string of a scalar document value for a
// keyword-like or text field: strings as they are, numbers and booleans as
// their JSON text.
func docString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return string(x), true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int32:
		return strconv.FormatInt(int64(x), 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case uint32:
		return strconv.FormatUint(uint64(x), 10), true
	}
	return "", false
}

// ---- numbers ----

// decimal reads a decimal number exactly: optional sign, digits with an
// optional fraction, optional exponent (bounded, so that a hostile
// exponent cannot make big.Rat allocate without end).
func decimal(s string) (*big.Rat, bool) {
	s = strings.TrimSpace(s)
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return nil, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		if n == 0 || n > 3 {
			return nil, false
		}
	}
	if i != len(s) || len(s) > 400 {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(strings.TrimPrefix(s, "+"))
	return r, ok
}

// docRat reads a numeric document value exactly; numeric strings are
// coerced, as Elasticsearch does by default.
func docRat(v any) (*big.Rat, bool) {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		return new(big.Rat).SetFloat64(x), true
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, false
		}
		return new(big.Rat).SetFloat64(float64(x)), true
	case json.Number:
		return decimal(string(x))
	case string:
		return decimal(x)
	case int:
		return new(big.Rat).SetInt64(int64(x)), true
	case int64:
		return new(big.Rat).SetInt64(x), true
	case int32:
		return new(big.Rat).SetInt64(int64(x)), true
	case uint64:
		return new(big.Rat).SetInt(new(big.Int).SetUint64(x)), true
	case uint32:
		return new(big.Rat).SetInt64(int64(x)), true
	}
	return nil, false
}

// stored converts an exact number to what a numeric field of kind k holds:
// integers are truncated toward zero (coercion), floating-point types are
// rounded to their precision. ok is false when the value does not fit.
func stored(k kind, r *big.Rat) (*big.Rat, bool) {
	switch k {
	case kInteger:
		if r.IsInt() {
			return r, true
		}
		return new(big.Rat).SetInt(new(big.Int).Quo(r.Num(), r.Denom())), true
	case kDouble:
		f, _ := r.Float64()
		if math.IsInf(f, 0) {
			return nil, false
		}
		return new(big.Rat).SetFloat64(f), true
	case kFloat:
		f, _ := r.Float32()
		if math.IsInf(float64(f), 0) {
			return nil, false
		}
		return new(big.Rat).SetFloat64(float64(f)), true
	case kHalfFloat:
		f, _ := r.Float64()
		h := roundHalf(f)
		if math.IsInf(h, 0) {
			return nil, false
		}
		return new(big.Rat).SetFloat64(h), true
	}
	return r, true
}

// roundHalf rounds f to the nearest IEEE 754 half-precision value (ties to
// even); values beyond the largest half overflow to infinity.
func roundHalf(f float64) float64 {
	if f == 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return f
	}
	a := math.Abs(f)
	if a >= 65520 {
		return math.Copysign(math.Inf(1), f)
	}
	_, e := math.Frexp(a) // a = frac × 2^e, frac in [0.5, 1)
	q := e - 11           // 11 significant bits
	if q < -24 {          // subnormal halves are multiples of 2^-24
		q = -24
	}
	r := math.RoundToEven(math.Ldexp(a, -q))
	return math.Copysign(math.Ldexp(r, q), f)
}

// queryNumber reads a query value for a numeric field of kind k. For
// integer fields the value stays exact (a fraction matches no stored
// integer); floating-point values are rounded to the field's precision.
func queryNumber(k kind, v constraint.Value) (*big.Rat, bool) {
	var r *big.Rat
	switch v.Kind {
	case constraint.KindNumber, constraint.KindString:
		var ok bool
		if r, ok = decimal(v.Str); !ok {
			return nil, false
		}
	default:
		return nil, false
	}
	if k == kInteger {
		return r, true
	}
	s, ok := stored(k, r)
	if !ok {
		// Beyond the type's range: compares as the exact value.
		return r, true
	}
	return s, true
}

// ---- dates ----

// parseISO reads strict_date_optional_time:
// yyyy[-MM[-dd[Thh[:mm[:ss[.fraction]]][zone]]]]. Missing fields take
// their minimum, or with roundUp the values Elasticsearch's round-up parser
// gives them (month and day 1, time 23:59:59.999999999).
func parseISO(s string, roundUp bool) (time.Time, bool) {
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

// epochMillis reads epoch_millis: an optionally signed integer with an
// optional fraction (sub-millisecond precision for date_nanos).
func epochMillis(s string) (time.Time, bool) {
	neg := strings.HasPrefix(s, "-")
	body := strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(body, ".")
	if whole == "" || len(whole) > 15 || (hasFrac && frac == "") {
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
	d := time.Duration(ms)*time.Millisecond + time.Duration(ns)
	if neg {
		d = -d
	}
	return time.Unix(0, 0).UTC().Add(d), true
}

// parseDate reads a date in the default format
// strict_date_optional_time||epoch_millis.
func parseDate(s string, roundUp bool) (time.Time, bool) {
	if t, ok := parseISO(s, roundUp); ok {
		return t, true
	}
	return epochMillis(s)
}

// docDate reads a date document value: a string in the default format, or
// a number of milliseconds since the epoch.
func docDate(v any) (time.Time, bool) {
	switch x := v.(type) {
	case string:
		return parseDate(x, false)
	case json.Number:
		return epochMillis(string(x))
	}
	if r, ok := docRat(v); ok {
		f, _ := r.Float64()
		if math.Abs(f) > 1e15 {
			return time.Time{}, false
		}
		return time.Unix(0, 0).UTC().Add(time.Duration(math.Round(f * 1e6))), true
	}
	return time.Time{}, false
}

// dateMath reads a date or a date math expression ("now-1d/d",
// "2024-01-01||+1M"). With roundUp, missing date fields round up and
// "/unit" rounds to the last millisecond of the unit, as Elasticsearch does
// for gt and lte bounds.
func dateMath(s string, now time.Time, roundUp bool) (time.Time, bool) {
	var t time.Time
	var expr string
	if rest, ok := strings.CutPrefix(s, "now"); ok {
		t, expr = now.UTC(), rest
	} else {
		anchor, rest, found := strings.Cut(s, "||")
		if !found {
			return parseDate(s, roundUp)
		}
		var ok bool
		if t, ok = parseDate(anchor, false); !ok {
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
			if t, ok = roundTo(t, unit, roundUp); !ok {
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

// roundTo rounds t down to the start of unit, or with up to the last
// millisecond of the unit.
func roundTo(t time.Time, unit byte, up bool) (time.Time, bool) {
	var start, next time.Time
	switch unit {
	case 'y':
		start = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		next = start.AddDate(1, 0, 0)
	case 'M':
		start = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		next = start.AddDate(0, 1, 0)
	case 'w':
		back := (int(t.Weekday()) + 6) % 7 // weeks start on Monday
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

// precision truncates a time to what a date field of kind k stores.
func precision(k kind, t time.Time) time.Time {
	if k == kDate {
		return t.Truncate(time.Millisecond)
	}
	return t
}

// ---- IPs ----

// ip16 reads an address as Elasticsearch stores it: 16 bytes, IPv4 as
// IPv4-mapped IPv6.
func ip16(s string) ([16]byte, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return [16]byte{}, false
	}
	return a.As16(), true
}

// cidr16 reads a CIDR block as a 16-byte prefix (IPv4 blocks as mapped
// IPv6 blocks).
func cidr16(s string) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	bits := p.Bits()
	if p.Addr().Is4() {
		bits += 96
	}
	return netip.PrefixFrom(netip.AddrFrom16(p.Addr().As16()), bits).Masked(), true
}

func compareIP(a, b [16]byte) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// ---- booleans ----

func queryBool(v constraint.Value) (bool, bool) {
	switch v.Kind {
	case constraint.KindBool:
		return v.Bool, true
	case constraint.KindString:
		switch v.Str {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

func docBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch x {
		case "true":
			return true, true
		case "false", "":
			return false, true
		}
	}
	return false, false
}

// describe names a Go value of a clause for error messages.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case float64, float32, json.Number, int, int64, int32, uint64, uint32:
		return "a number"
	case time.Time, encoding.TextMarshaler:
		return "a date"
	}
	return fmt.Sprintf("a value of type %T", v)
}
