package esql

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Constants the lowering folds: the literal side of a comparison, the
// arguments of a function it inverts. Dates stay symbolic, as date math
// ("now-1h") that the solver and the evaluator read against their own
// "now".

type ckind uint8

const (
	cNull ckind = iota
	cBool
	cInt
	cFloat
	cStr
	cDate     // s: date math or a date string
	cDuration // d
	cPeriod   // y, m, days in i (years*10000 + months*100 + days is not used; see period)
)

type cval struct {
	k ckind
	b bool
	i int64
	f float64
	s string
	d time.Duration
	// period
	years, months, days int
}

func (v cval) isNumber() bool { return v.k == cInt || v.k == cFloat }

func (v cval) float() float64 {
	if v.k == cInt {
		return float64(v.i)
	}
	return v.f
}

// hasRefs reports whether e reads a column of a row (a field, a key, an
// aggregate, an extracted key): whether it is not a constant.
func hasRefs(e Expr) bool {
	found := false
	walkAll(e, func(x Expr) bool {
		switch y := x.(type) {
		case *Field, *keyRef, *aggRef, *extractRef, *matchOn, *Param:
			found = true
		case *Call:
			if y.Name == "now" {
				// now() is a constant of the query's run.
				return true
			}
		}
		return !found
	})
	return found
}

// fold evaluates a constant expression; ok is false for what the lowering
// does not fold.
func fold(e Expr) (cval, bool) {
	switch x := e.(type) {
	case *constExpr:
		return x.v, true
	case *Literal:
		switch x.Kind {
		case LitNull:
			return cval{}, true
		case LitBool:
			return cval{k: cBool, b: x.Bool}, true
		case LitInt:
			return cval{k: cInt, i: x.Int}, true
		case LitUnsignedLong:
			if x.Uint <= math.MaxInt64 {
				return cval{k: cInt, i: int64(x.Uint)}, true
			}
			return cval{k: cFloat, f: float64(x.Uint)}, true
		case LitDouble:
			return cval{k: cFloat, f: x.Float}, true
		case LitString:
			return cval{k: cStr, s: x.Str}, true
		case LitDuration:
			return cval{k: cDuration, d: x.Duration()}, true
		case LitPeriod:
			y, m, d := x.Period()
			return cval{k: cPeriod, years: y, months: m, days: d}, true
		}
	case *Neg:
		v, ok := fold(x.X)
		switch {
		case !ok:
		case v.k == cInt && v.i != math.MinInt64:
			return cval{k: cInt, i: -v.i}, true
		case v.k == cFloat:
			return cval{k: cFloat, f: -v.f}, true
		case v.k == cDuration:
			return cval{k: cDuration, d: -v.d}, true
		case v.k == cNull:
			return v, true
		}
	case *Arith:
		a, ok1 := fold(x.L)
		b, ok2 := fold(x.R)
		if ok1 && ok2 {
			return arith(x.Op, a, b)
		}
	case *Cast:
		v, ok := fold(x.X)
		if ok {
			return convert(v, x.Type)
		}
	case *Call:
		return foldCall(x)
	}
	return cval{}, false
}

// arith folds "a op b" on numbers, and a date plus or minus a time span.
func arith(op ArithOp, a, b cval) (cval, bool) {
	if a.k == cNull || b.k == cNull {
		return cval{}, true
	}
	if a.k == cDate && (b.k == cDuration || b.k == cPeriod) && (op == Add || op == Sub) {
		m, ok := dateMath(b, op == Sub)
		if !ok {
			return cval{}, false
		}
		return cval{k: cDate, s: joinMath(a.s, m)}, true
	}
	if b.k == cDate && (a.k == cDuration || a.k == cPeriod) && op == Add {
		return arith(op, b, a)
	}
	if !a.isNumber() || !b.isNumber() {
		return cval{}, false
	}
	if a.k == cInt && b.k == cInt {
		x, y := a.i, b.i
		switch op {
		case Add:
			if r := x + y; (r > x) == (y > 0) {
				return cval{k: cInt, i: r}, true
			}
		case Sub:
			if r := x - y; (r < x) == (y > 0) {
				return cval{k: cInt, i: r}, true
			}
		case Mul:
			if x == 0 || y == 0 {
				return cval{k: cInt}, true
			}
			if r := x * y; r/y == x && !(x == -1 && y == math.MinInt64) && !(y == -1 && x == math.MinInt64) {
				return cval{k: cInt, i: r}, true
			}
		case Div:
			if y == 0 {
				return cval{}, true // null, with a warning
			}
			if !(x == math.MinInt64 && y == -1) {
				return cval{k: cInt, i: x / y}, true
			}
		case Mod:
			if y == 0 {
				return cval{}, true
			}
			if y == -1 {
				return cval{k: cInt}, true
			}
			return cval{k: cInt, i: x % y}, true
		}
		return cval{}, false // overflow: null in ES|QL, not folded here
	}
	x, y := a.float(), b.float()
	var r float64
	switch op {
	case Add:
		r = x + y
	case Sub:
		r = x - y
	case Mul:
		r = x * y
	case Div:
		if y == 0 {
			return cval{}, true
		}
		r = x / y
	case Mod:
		if y == 0 {
			return cval{}, true
		}
		r = math.Mod(x, y)
	}
	if math.IsInf(r, 0) || math.IsNaN(r) {
		return cval{}, true
	}
	return cval{k: cFloat, f: r}, true
}

// dateMath writes a time span as Elasticsearch date math ("-1h", "+15m"):
// whole units of seconds and above.
func dateMath(v cval, minus bool) (string, bool) {
	sign := "+"
	if minus {
		sign = "-"
	}
	if v.k == cPeriod {
		var b strings.Builder
		if v.years != 0 {
			b.WriteString(signed(sign, v.years) + "y")
		}
		if v.months != 0 {
			b.WriteString(signed(sign, v.months) + "M")
		}
		if v.days != 0 {
			b.WriteString(signed(sign, v.days) + "d")
		}
		return b.String(), true
	}
	d := v.d
	if d%time.Second != 0 {
		return "", false
	}
	n := int64(d / time.Second)
	unit := "s"
	switch {
	case n%3600 == 0:
		n, unit = n/3600, "h"
	case n%60 == 0:
		n, unit = n/60, "m"
	}
	if n < 0 {
		n = -n
		if sign == "-" {
			sign = "+"
		} else {
			sign = "-"
		}
	}
	return sign + strconv.FormatInt(n, 10) + unit, true
}

func signed(sign string, n int) string {
	if n < 0 {
		if sign == "-" {
			return "+" + strconv.Itoa(-n)
		}
		return "-" + strconv.Itoa(-n)
	}
	return sign + strconv.Itoa(n)
}

// joinMath appends date math to a date: "now" and "-1h" make "now-1h"; an
// absolute date gets the "||" separator.
func joinMath(base, m string) string {
	if m == "" {
		return base
	}
	if strings.HasPrefix(base, "now") || strings.Contains(base, "||") {
		return base + m
	}
	return base + "||" + m
}

// convert folds a cast of a constant.
func convert(v cval, typ string) (cval, bool) {
	if v.k == cNull {
		return v, true
	}
	switch typ {
	case "keyword", "text":
		s, ok := constString(v)
		return cval{k: cStr, s: s}, ok
	case "integer", "long":
		switch v.k {
		case cInt:
			return v, true
		case cFloat:
			if math.IsNaN(v.f) || math.Abs(v.f) > 9.2e18 {
				return cval{}, true
			}
			return cval{k: cInt, i: int64(math.Round(v.f))}, true
		case cStr:
			if i, err := strconv.ParseInt(strings.TrimSpace(v.s), 10, 64); err == nil {
				return cval{k: cInt, i: i}, true
			}
			if f, err := strconv.ParseFloat(strings.TrimSpace(v.s), 64); err == nil {
				return convert(cval{k: cFloat, f: f}, typ)
			}
			return cval{}, true
		case cBool:
			if v.b {
				return cval{k: cInt, i: 1}, true
			}
			return cval{k: cInt}, true
		}
	case "double":
		switch v.k {
		case cInt, cFloat:
			return cval{k: cFloat, f: v.float()}, true
		case cStr:
			if f, err := strconv.ParseFloat(strings.TrimSpace(v.s), 64); err == nil {
				return cval{k: cFloat, f: f}, true
			}
			return cval{}, true
		case cBool:
			if v.b {
				return cval{k: cFloat, f: 1}, true
			}
			return cval{k: cFloat}, true
		}
	case "boolean":
		switch v.k {
		case cBool:
			return v, true
		case cStr:
			return cval{k: cBool, b: strings.EqualFold(v.s, "true")}, true
		case cInt, cFloat:
			return cval{k: cBool, b: v.float() != 0}, true
		}
	case "datetime", "date_nanos":
		switch v.k {
		case cDate:
			return v, true
		case cStr:
			return cval{k: cDate, s: v.s}, true
		}
	case "ip", "version":
		if v.k == cStr {
			return v, true
		}
	case "time_duration":
		if v.k == cDuration {
			return v, true
		}
	case "date_period":
		if v.k == cPeriod {
			return v, true
		}
	}
	return cval{}, false
}

// constString is a constant's value as a string, as TO_STRING prints it.
func constString(v cval) (string, bool) {
	switch v.k {
	case cStr:
		return v.s, true
	case cInt:
		return strconv.FormatInt(v.i, 10), true
	case cFloat:
		return strconv.FormatFloat(v.f, 'f', -1, 64), !math.IsInf(v.f, 0)
	case cBool:
		return strconv.FormatBool(v.b), true
	}
	return "", false
}

var convFuncs = map[string]string{
	"to_string": "keyword", "to_integer": "integer", "to_long": "long", "to_double": "double",
	"to_boolean": "boolean", "to_datetime": "datetime", "to_date_nanos": "date_nanos", "to_ip": "ip",
	"to_version": "version", "to_timeduration": "time_duration", "to_dateperiod": "date_period",
	"to_unsigned_long": "long",
}

func foldCall(x *Call) (cval, bool) {
	args := make([]cval, len(x.Args))
	for i, a := range x.Args {
		if x.Name == "case" || x.Name == "coalesce" {
			break
		}
		v, ok := fold(a)
		if !ok {
			return cval{}, false
		}
		args[i] = v
	}
	anyNull := func() bool {
		for _, a := range args {
			if a.k == cNull {
				return true
			}
		}
		return false
	}
	if typ, ok := convFuncs[x.Name]; ok && len(args) >= 1 {
		return convert(args[0], typ)
	}
	switch x.Name {
	case "now":
		return cval{k: cDate, s: "now"}, true
	case "case":
		n := len(x.Args)
		for i := 0; i+1 < n; i += 2 {
			c, ok := fold(x.Args[i])
			if !ok {
				return cval{}, false
			}
			if c.k == cBool && c.b {
				return fold(x.Args[i+1])
			}
		}
		if n%2 == 1 {
			return fold(x.Args[n-1])
		}
		return cval{}, true
	case "coalesce":
		for _, a := range x.Args {
			v, ok := fold(a)
			if !ok {
				return cval{}, false
			}
			if v.k != cNull {
				return v, true
			}
		}
		return cval{}, true
	}
	if anyNull() {
		return cval{}, true
	}
	switch x.Name {
	case "to_lower", "to_upper":
		if args[0].k != cStr {
			return cval{}, false
		}
		if x.Name == "to_lower" {
			return cval{k: cStr, s: strings.ToLower(args[0].s)}, true
		}
		return cval{k: cStr, s: strings.ToUpper(args[0].s)}, true
	case "concat":
		var b strings.Builder
		for _, a := range args {
			s, ok := constString(a)
			if !ok || a.k != cStr {
				return cval{}, false
			}
			b.WriteString(s)
		}
		return cval{k: cStr, s: b.String()}, true
	case "space":
		if args[0].k != cInt || args[0].i < 0 || args[0].i > 1<<20 {
			return cval{}, false
		}
		return cval{k: cStr, s: strings.Repeat(" ", int(args[0].i))}, true
	case "length":
		if args[0].k != cStr {
			return cval{}, false
		}
		return cval{k: cInt, i: int64(len([]rune(args[0].s)))}, true
	case "abs":
		switch args[0].k {
		case cInt:
			if args[0].i != math.MinInt64 {
				return cval{k: cInt, i: max(args[0].i, -args[0].i)}, true
			}
		case cFloat:
			return cval{k: cFloat, f: math.Abs(args[0].f)}, true
		}
	case "pi":
		return cval{k: cFloat, f: math.Pi}, true
	case "e":
		return cval{k: cFloat, f: math.E}, true
	case "mv_first", "mv_last", "mv_min", "mv_max", "mv_dedupe", "mv_sort":
		return args[0], true
	case "date_trunc":
		if args[1].k == cDate && strings.HasPrefix(args[1].s, "now") {
			if r, ok := roundingOf(args[0]); ok {
				return cval{k: cDate, s: args[1].s + "/" + r}, true
			}
		}
	}
	return cval{}, false
}

// roundingOf is the date math rounding ("/h") of a date_trunc interval of
// one calendar unit.
func roundingOf(v cval) (string, bool) {
	switch v.k {
	case cDuration:
		switch v.d {
		case time.Second:
			return "s", true
		case time.Minute:
			return "m", true
		case time.Hour:
			return "h", true
		}
	case cPeriod:
		switch {
		case v.years == 1 && v.months == 0 && v.days == 0:
			return "y", true
		case v.years == 0 && v.months == 1 && v.days == 0:
			return "M", true
		case v.years == 0 && v.months == 0 && v.days == 1:
			return "d", true
		case v.years == 0 && v.months == 0 && v.days == 7:
			return "w", true
		}
	}
	return "", false
}
