package eql

import (
	"cmp"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/es/ipaddr"
	"github.com/emit-sec/emit/es/number"
	"github.com/emit-sec/emit/internal/esvalue"
)

// Types tells the mapping of a field. An empty type is keyword; a nil Types
// treats every field as keyword.
type Types = estype.Lookup

// vkind is the kind of an evaluated value.
type vkind uint8

const (
	vNull vkind = iota
	vStr
	vInt
	vFloat
	vBool
	vIP   // s holds the text, ip the address
	vDate // s holds the text, i the time in Unix nanoseconds
)

// value is a value during evaluation: a field value typed by its mapping,
// a literal, or the result of an operator or function.
type value struct {
	k  vkind
	s  string
	i  int64
	f  float64
	b  bool
	ip netip.Addr
}

var null = value{}

func strVal(s string) value    { return value{k: vStr, s: s} }
func intVal(i int64) value     { return value{k: vInt, i: i} }
func floatVal(f float64) value { return value{k: vFloat, f: f} }
func boolVal(b bool) value     { return value{k: vBool, b: b} }

func (v value) isNumber() bool { return v.k == vInt || v.k == vFloat }

func (v value) float() float64 {
	if v.k == vInt {
		return float64(v.i)
	}
	return v.f
}

// fieldValues returns the values of a dotted field in a document: it walks
// nested objects, arrays of objects and keys that themselves contain dots
// ({"process.name": ...} as well as {"process": {"name": ...}}), and
// flattens arrays of values. Null values are dropped.
func fieldValues(doc map[string]any, field string) []any {
	return document.Scalars(doc, field)
}

// rawNumber returns a document value that is a number (not a numeric
// string) as a number, read as esvalue.DocNumber reads it.
func rawNumber(v any) (value, bool) {
	if _, isStr := v.(string); isStr {
		return null, false
	}
	r, ok := esvalue.DocNumber(v)
	if !ok {
		return null, false
	}
	if r.IsInt() && r.Num().IsInt64() {
		return intVal(r.Num().Int64()), true
	}
	f, _ := r.Float64()
	return numVal(f), true
}

// numVal returns an integral float as an integer value.
func numVal(f float64) value {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return intVal(int64(f))
	}
	return floatVal(f)
}

// parseNumber parses a decimal integer or floating-point number
// (es/number's syntax).
func parseNumber(s string) (value, bool) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return intVal(i), true
	}
	f, ok := number.Float(s)
	if !ok {
		return null, false
	}
	return floatVal(f), true
}

// rawString renders a document value as the text Elasticsearch would index
// for a keyword field.
func rawString(v any) (string, bool) { return esvalue.KeywordString(v) }

// typed converts a document value to a value of the field's type, as
// Elasticsearch coerces it when indexing. ok is false for a value the
// mapping would reject.
func typed(v any, t estype.Type) (value, bool) {
	if t == estype.TokenCount {
		// The field indexes the number of words of its string.
		n, ok := esvalue.TokenCount(v)
		if !ok {
			return null, false
		}
		return intVal(n.Num().Int64()), true
	}
	switch t.Family() {
	case estype.IntegerFamily:
		n, ok := rawNumber(v)
		if !ok {
			s, isStr := v.(string)
			if !isStr {
				return null, false
			}
			if n, ok = parseNumber(strings.TrimSpace(s)); !ok {
				return null, false
			}
		}
		if n.k == vFloat {
			if math.IsNaN(n.f) || math.Abs(n.f) >= 1<<63 {
				return null, false
			}
			n = intVal(int64(n.f))
		}
		return n, true
	case estype.FloatFamily:
		n, ok := rawNumber(v)
		if !ok {
			s, isStr := v.(string)
			if !isStr {
				return null, false
			}
			if n, ok = parseNumber(strings.TrimSpace(s)); !ok {
				return null, false
			}
		}
		return floatVal(n.float()), true
	case estype.BooleanFamily:
		b, ok := esvalue.DocBool(v)
		if !ok {
			return null, false
		}
		return boolVal(b), true
	case estype.IPFamily:
		s, ok := v.(string)
		if !ok {
			return null, false
		}
		a, ok := ipaddr.Parse(s)
		if !ok {
			return null, false
		}
		return value{k: vIP, s: s, ip: a}, true
	case estype.DateFamily:
		if n, ok := rawNumber(v); ok {
			return value{k: vDate, s: strconv.FormatFloat(n.float(), 'f', -1, 64), i: int64(n.float() * 1e6)}, true
		}
		s, ok := v.(string)
		if !ok {
			return null, false
		}
		t, ok := parseDate(s)
		if !ok {
			return null, false
		}
		return value{k: vDate, s: s, i: t.UnixNano()}, true
	}
	s, ok := rawString(v)
	if !ok {
		return null, false
	}
	return strVal(s), true
}

// parseDate parses a date as Elasticsearch's default date format does:
// strict_date_optional_time or epoch_millis.
func parseDate(s string) (time.Time, bool) {
	t, err := date.Parse(s, date.RoundDown)
	return t, err == nil
}

// toString converts a value as EQL's string() does.
func toString(v value) (string, bool) {
	switch v.k {
	case vStr, vIP, vDate:
		return v.s, true
	case vInt:
		return strconv.FormatInt(v.i, 10), true
	case vFloat:
		return number.FormatJava(v.f), true
	case vBool:
		return strconv.FormatBool(v.b), true
	}
	return "", false
}

// compare orders two values: numbers numerically, strings by code point,
// IP addresses and dates by value; a string meets a number, an address or
// a date by parsing it. ok is false when they do not compare.
func compare(a, b value) (int, bool) {
	if a.k == vNull || b.k == vNull {
		return 0, false
	}
	if a.k == vStr && b.k != vStr {
		c, ok := compare(b, a)
		return -c, ok
	}
	switch a.k {
	case vInt, vFloat:
		if b.k == vStr {
			n, ok := parseNumber(strings.TrimSpace(b.s))
			if !ok {
				return 0, false
			}
			b = n
		}
		if !b.isNumber() {
			return 0, false
		}
		if a.k == vInt && b.k == vInt {
			return cmp.Compare(a.i, b.i), true
		}
		x, y := a.float(), b.float()
		if math.IsNaN(x) || math.IsNaN(y) {
			return 0, false
		}
		return cmp.Compare(x, y), true
	case vStr:
		return strings.Compare(a.s, b.s), true
	case vBool:
		if b.k == vStr {
			switch b.s {
			case "true":
				b = boolVal(true)
			case "false":
				b = boolVal(false)
			}
		}
		if b.k != vBool {
			return 0, false
		}
		return cmp.Compare(b2i(a.b), b2i(b.b)), true
	case vIP:
		if b.k == vStr {
			ip, ok := ipaddr.Parse(b.s)
			if !ok {
				return 0, false
			}
			b = value{k: vIP, ip: ip}
		}
		if b.k != vIP {
			return 0, false
		}
		x, y := a.ip.As16(), b.ip.As16()
		return strings.Compare(string(x[:]), string(y[:])), true
	case vDate:
		switch b.k {
		case vStr:
			t, ok := parseDate(b.s)
			if !ok {
				return 0, false
			}
			return cmp.Compare(a.i, t.UnixNano()), true
		case vInt, vFloat:
			return cmp.Compare(a.i, int64(b.float()*1e6)), true
		case vDate:
			return cmp.Compare(a.i, b.i), true
		}
	}
	return 0, false
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// equal reports whether two values are equal, case-insensitively for
// strings with ci.
func equal(a, b value, ci bool) bool {
	if ci && a.k == vStr && b.k == vStr {
		return strings.EqualFold(a.s, b.s)
	}
	c, ok := compare(a, b)
	return ok && c == 0
}

// keyString renders a join key value so that equal keys render equally.
func keyString(v value) string {
	switch v.k {
	case vStr:
		return "s" + v.s
	case vInt:
		return "n" + strconv.FormatInt(v.i, 10)
	case vFloat:
		if v.f == math.Trunc(v.f) && math.Abs(v.f) < 1<<53 {
			return "n" + strconv.FormatInt(int64(v.f), 10)
		}
		return "n" + strconv.FormatFloat(v.f, 'g', -1, 64)
	case vBool:
		return "b" + strconv.FormatBool(v.b)
	case vIP:
		return "i" + v.ip.String()
	case vDate:
		return "d" + strconv.FormatInt(v.i, 10)
	}
	return "null"
}
