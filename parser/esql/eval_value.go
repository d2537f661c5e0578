package esql

import (
	"bytes"
	"encoding/json"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/es/ipaddr"
	"github.com/emit-sec/emit/es/number"
)

// This file is the evaluator's values: ES|QL's types, the Go values that
// stand for them, how they compare and how TO_STRING writes them.

// Type is an ES|QL data type as the _query API names it in its columns.
type Type string

// ES|QL types.
const (
	TypeNull           Type = "null"
	TypeBoolean        Type = "boolean"
	TypeInteger        Type = "integer"
	TypeLong           Type = "long"
	TypeUnsignedLong   Type = "unsigned_long"
	TypeDouble         Type = "double"
	TypeKeyword        Type = "keyword"
	TypeText           Type = "text"
	TypeDate           Type = "date"
	TypeDateNanos      Type = "date_nanos"
	TypeIP             Type = "ip"
	TypeVersion        Type = "version"
	TypeGeoPoint       Type = "geo_point"
	TypeCartesianPoint Type = "cartesian_point"
	TypeSource         Type = "_source"
	TypeDatePeriod     Type = "date_period"
	TypeTimeDuration   Type = "time_duration"
	// TypeUnsupported is a field of a type ES|QL does not read (binary,
	// histogram, ranges, ...): its values are null.
	TypeUnsupported Type = "unsupported"
)

// Version is a value of a version field (semantic versions compare by
// their numeric parts).
type Version string

// GeoPoint is a geo_point value: longitude and latitude in degrees.
type GeoPoint struct{ Lon, Lat float64 }

// CartesianPoint is a cartesian_point value.
type CartesianPoint struct{ X, Y float64 }

// multiValue is a multi-valued value: two or more single values of one type.
type multiValue []any

// spanDuration is a time_duration constant (1 hour, 15 minutes).
type spanDuration time.Duration

// spanPeriod is a date_period constant (1 day, 2 months, 1 year).
type spanPeriod struct{ years, months, days int }

// sourceDoc is the value of METADATA _source: the document.
type sourceDoc struct{ doc map[string]any }

// valueType returns the type of a single value or of a multi-value's values.
func valueType(v any) Type {
	switch x := v.(type) {
	case nil:
		return TypeNull
	case multiValue:
		return valueType(x[0])
	case bool:
		return TypeBoolean
	case int32:
		return TypeInteger
	case int64:
		return TypeLong
	case uint64:
		return TypeUnsignedLong
	case float64:
		return TypeDouble
	case string:
		return TypeKeyword
	case time.Time:
		if x.Nanosecond()%1e6 != 0 {
			return TypeDateNanos
		}
		return TypeDate
	case netip.Addr:
		return TypeIP
	case Version:
		return TypeVersion
	case GeoPoint:
		return TypeGeoPoint
	case CartesianPoint:
		return TypeCartesianPoint
	case sourceDoc:
		return TypeSource
	case spanDuration:
		return TypeTimeDuration
	case spanPeriod:
		return TypeDatePeriod
	}
	return TypeUnsupported
}

// typeName names the type of a value for an error message.
func typeName(v any) string { return string(valueType(v)) }

// mvOf turns a list of single values into a value: null when empty, the
// value itself when alone, a multi-value otherwise.
func mvOf(vals []any) any {
	switch len(vals) {
	case 0:
		return nil
	case 1:
		return vals[0]
	}
	return multiValue(vals)
}

// valuesOf returns the single values of a value (none for null).
func valuesOf(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case multiValue:
		return x
	}
	return []any{v}
}

// countOf is the number of values of a value.
func countOf(v any) int {
	switch x := v.(type) {
	case nil:
		return 0
	case multiValue:
		return len(x)
	}
	return 1
}

// isNumeric reports whether v is a single numeric value.
func isNumeric(v any) bool {
	switch v.(type) {
	case int32, int64, uint64, float64:
		return true
	}
	return false
}

// numberFloat reads a single numeric value as a float64.
func numberFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// numberInt64 reads a single whole number as an int64; ok is false for other
// values and for unsigned longs beyond int64.
func numberInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint64:
		if x > math.MaxInt64 {
			return 0, false
		}
		return int64(x), true
	}
	return 0, false
}

// compareValues orders two single values of compatible types: numbers
// with numbers, strings with strings, dates with dates, and so on. ok is
// false when the types do not compare (ES|QL rejects such a comparison).
// A string compared with a date, an ip, a version or a boolean is read as
// one, as ES|QL converts a string literal to the type of the other side.
func compareValues(a, b any) (c int, ok bool) {
	switch x := a.(type) {
	case string:
		switch y := b.(type) {
		case string:
			return strings.Compare(x, y), true
		case time.Time, netip.Addr, Version, bool:
			if conv, ok := convertString(x, b); ok {
				return compareValues(conv, b)
			}
			return 0, false
		}
		return 0, false
	case int32, int64, uint64, float64:
		return compareNumbers(a, b)
	case time.Time:
		switch y := b.(type) {
		case time.Time:
			return x.Compare(y), true
		case string:
			c, ok := compareValues(b, a)
			return -c, ok
		}
	case netip.Addr:
		switch y := b.(type) {
		case netip.Addr:
			return x.Compare(y), true
		case string:
			c, ok := compareValues(b, a)
			return -c, ok
		}
	case bool:
		switch y := b.(type) {
		case bool:
			switch {
			case x == y:
				return 0, true
			case !x:
				return -1, true
			}
			return 1, true
		case string:
			c, ok := compareValues(b, a)
			return -c, ok
		}
	case Version:
		switch y := b.(type) {
		case Version:
			return compareVersions(string(x), string(y)), true
		case string:
			c, ok := compareValues(b, a)
			return -c, ok
		}
	case GeoPoint:
		if y, ok := b.(GeoPoint); ok {
			return comparePoints(x.Lon, x.Lat, y.Lon, y.Lat), true
		}
	case CartesianPoint:
		if y, ok := b.(CartesianPoint); ok {
			return comparePoints(x.X, x.Y, y.X, y.Y), true
		}
	case spanDuration:
		if y, ok := b.(spanDuration); ok {
			return cmpOrdered(x, y), true
		}
	}
	return 0, false
}

// convertString reads a string as a value of the type of like: a date
// (strict_date_optional_time), an ip, a version or a boolean.
func convertString(s string, like any) (any, bool) {
	switch like.(type) {
	case time.Time:
		t, err := date.ParseISO(s, date.RoundDown)
		return t, err == nil
	case netip.Addr:
		a, ok := ipaddr.Parse(s)
		return a, ok
	case Version:
		return Version(s), true
	case bool:
		switch strings.ToLower(s) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return nil, false
}

func cmpOrdered[T int64 | uint64 | float64 | spanDuration](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareNumbers orders two numbers of any numeric types: whole numbers
// exactly, a double with anything as doubles.
func compareNumbers(a, b any) (int, bool) {
	if !isNumeric(a) || !isNumeric(b) {
		return 0, false
	}
	_, af := a.(float64)
	_, bf := b.(float64)
	if af || bf {
		x, _ := numberFloat(a)
		y, _ := numberFloat(b)
		return cmpOrdered(x, y), true
	}
	ua, aIsU := a.(uint64)
	ub, bIsU := b.(uint64)
	switch {
	case aIsU && bIsU:
		return cmpOrdered(ua, ub), true
	case aIsU:
		y, _ := numberInt64(b)
		if y < 0 {
			return 1, true
		}
		return cmpOrdered(ua, uint64(y)), true
	case bIsU:
		x, _ := numberInt64(a)
		if x < 0 {
			return -1, true
		}
		return cmpOrdered(uint64(x), ub), true
	}
	x, _ := numberInt64(a)
	y, _ := numberInt64(b)
	return cmpOrdered(x, y), true
}

func comparePoints(x1, y1, x2, y2 float64) int {
	if c := cmpOrdered(x1, x2); c != 0 {
		return c
	}
	return cmpOrdered(y1, y2)
}

// compareVersions orders versions as Elasticsearch's version type does
// for semantic versions: numeric parts numerically, a version with a
// pre-release part before the same version without one, other parts as
// strings.
func compareVersions(a, b string) int {
	mainA, preA, _ := strings.Cut(a, "-")
	mainB, preB, _ := strings.Cut(b, "-")
	pa, pb := strings.Split(mainA, "."), strings.Split(mainB, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		if i >= len(pa) {
			return -1
		}
		if i >= len(pb) {
			return 1
		}
		if c := compareVersionPart(pa[i], pb[i]); c != 0 {
			return c
		}
	}
	switch {
	case preA == preB:
		return 0
	case preA == "":
		return 1
	case preB == "":
		return -1
	}
	qa, qb := strings.Split(preA, "."), strings.Split(preB, ".")
	for i := 0; i < len(qa) || i < len(qb); i++ {
		if i >= len(qa) {
			return -1
		}
		if i >= len(qb) {
			return 1
		}
		if c := compareVersionPart(qa[i], qb[i]); c != 0 {
			return c
		}
	}
	return 0
}

func compareVersionPart(a, b string) int {
	na, errA := strconv.ParseUint(a, 10, 64)
	nb, errB := strconv.ParseUint(b, 10, 64)
	switch {
	case errA == nil && errB == nil:
		return cmpOrdered(na, nb)
	case errA == nil:
		return -1 // numeric identifiers sort before alphanumeric ones
	case errB == nil:
		return 1
	}
	return strings.Compare(a, b)
}

// equalValues reports whether two single values are equal, as == compares
// them; ok is false when they do not compare.
func equalValues(a, b any) (eq, ok bool) {
	c, ok := compareValues(a, b)
	return ok && c == 0, ok
}

// sortValues sorts single values of one type in ascending order.
func sortValues(vals []any) {
	sort.SliceStable(vals, func(i, j int) bool {
		c, _ := compareValues(vals[i], vals[j])
		return c < 0
	})
}

// dedupeValues removes repeated values, keeping the first of each.
func dedupeValues(vals []any) []any {
	out := vals[:0:0]
	seen := map[any]bool{}
	for _, v := range vals {
		k := hashKey(v)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, v)
	}
	return out
}

// hashKey is a comparable key of a single value for maps: values that
// are equal as ES|QL compares values of one type have the same key.
func hashKey(v any) any {
	switch x := v.(type) {
	case time.Time:
		return [2]int64{x.Unix(), int64(x.Nanosecond())}
	case float64:
		if x == 0 {
			return float64(0) // -0.0 and 0.0 are one value
		}
	case sourceDoc:
		b, _ := json.Marshal(x.doc)
		return "_source:" + string(b)
	}
	return v
}

// toStringValue writes a single value as TO_STRING does.
func toStringValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return number.FormatJava(x)
	case time.Time:
		return formatTime(x)
	case netip.Addr:
		return ipaddr.Display(x)
	case Version:
		return string(x)
	case GeoPoint:
		return "POINT (" + number.FormatJava(x.Lon) + " " + number.FormatJava(x.Lat) + ")"
	case CartesianPoint:
		return "POINT (" + number.FormatJava(x.X) + " " + number.FormatJava(x.Y) + ")"
	case sourceDoc:
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(x.doc)
		return strings.TrimSuffix(b.String(), "\n")
	case spanDuration:
		return formatDuration(time.Duration(x))
	case spanPeriod:
		return formatPeriod(x)
	case multiValue:
		return FormatValue(exportValue(x))
	}
	return ""
}

// formatTime writes an instant as ES|QL writes dates: milliseconds
// (strict_date_optional_time), or nanoseconds when the instant has a
// finer part (date_nanos).
func formatTime(t time.Time) string {
	if t.Nanosecond()%1e6 == 0 {
		return date.Format(t)
	}
	s := date.Format(t)
	// Replace ".SSSZ" by nine digits of fraction.
	frac := strconv.Itoa(1e9 + t.Nanosecond())[1:]
	return s[:len(s)-4] + frac + "Z"
}

// formatDuration writes a time_duration as Java's Duration.toString.
func formatDuration(d time.Duration) string {
	if d == 0 {
		return "PT0S"
	}
	var b strings.Builder
	b.WriteString("PT")
	h := d / time.Hour
	d -= h * time.Hour
	m := d / time.Minute
	d -= m * time.Minute
	if h != 0 {
		b.WriteString(strconv.FormatInt(int64(h), 10) + "H")
	}
	if m != 0 {
		b.WriteString(strconv.FormatInt(int64(m), 10) + "M")
	}
	if d != 0 {
		b.WriteString(strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "S")
	}
	return b.String()
}

// formatPeriod writes a date_period as Java's Period.toString.
func formatPeriod(p spanPeriod) string {
	if p == (spanPeriod{}) {
		return "P0D"
	}
	var b strings.Builder
	b.WriteByte('P')
	if p.years != 0 {
		b.WriteString(strconv.Itoa(p.years) + "Y")
	}
	if p.months != 0 {
		b.WriteString(strconv.Itoa(p.months) + "M")
	}
	if p.days != 0 {
		b.WriteString(strconv.Itoa(p.days) + "D")
	}
	return b.String()
}

// literalOf is the value of a literal.
func literalOf(l *Literal) any {
	switch l.Kind {
	case LitBool:
		return l.Bool
	case LitInt:
		if l.Int >= math.MinInt32 && l.Int <= math.MaxInt32 {
			return int32(l.Int)
		}
		return l.Int
	case LitUnsignedLong:
		return l.Uint
	case LitDouble:
		return l.Float
	case LitString:
		return l.Str
	case LitDuration:
		return spanDuration(l.Duration())
	case LitPeriod:
		y, m, d := l.Period()
		return spanPeriod{years: y, months: m, days: d}
	case LitList:
		vals := make([]any, 0, len(l.List))
		wide := false
		for _, e := range l.List {
			v := literalOf(e)
			if _, ok := v.(int64); ok {
				wide = true
			}
			vals = append(vals, v)
		}
		if wide { // a list of integers with one long is a list of longs
			for i, v := range vals {
				if n, ok := v.(int32); ok {
					vals[i] = int64(n)
				}
			}
		}
		return mvOf(vals)
	}
	return nil
}
