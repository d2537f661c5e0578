package esql

import (
	"math"
	"strings"
	"time"

	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/es/analysis"
	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/internal/esvalue"
)

// This file compiles expressions into functions of a row: three-valued
// logic, comparisons, arithmetic, IN, LIKE, RLIKE, IS NULL, casts, the
// match operator, and function calls (eval_func*.go).

// evalFn computes an expression's value for a row.
type evalFn func(r *evalRow) any

// exprCompiler compiles the expressions of one command against the columns
// of its input.
type exprCompiler struct {
	ev *queryRunner
	t  *evalTable
	// agg compiles a call to an aggregate function (in the aggregates of
	// STATS); nil elsewhere, where such a call is an error.
	agg func(*Call) (evalFn, error)
}

// multiValueWarning is Elasticsearch's warning for a multi-valued value
// where a function or operator takes one value.
const multiValueWarning = "single-value function encountered multi-value"

// compile compiles an expression against the columns of t.
func (ev *queryRunner) compile(t *evalTable, e Expr) (evalFn, error) {
	c := &exprCompiler{ev: ev, t: t}
	return c.expr(e)
}

func (c *exprCompiler) expr(e Expr) (evalFn, error) {
	switch x := e.(type) {
	case *Literal:
		v := literalOf(x)
		return func(*evalRow) any { return v }, nil
	case *Field:
		i := c.t.colIndex(x.Name)
		if i < 0 {
			return nil, c.unknownColumn(x.Name, x.Loc)
		}
		return func(r *evalRow) any { return r.vals[i] }, nil
	case *Param:
		return nil, c.ev.unsupported(x.Loc, "query parameter %s: no parameter values are given", x)
	case *Or:
		return c.logic(x.X, true)
	case *And:
		return c.logic(x.X, false)
	case *Not:
		inner, err := c.expr(x.X)
		if err != nil {
			return nil, err
		}
		loc := x.X.Location()
		return func(r *evalRow) any {
			b, ok := c.boolean(inner(r), loc)
			if !ok {
				return nil
			}
			return !b
		}, nil
	case *Compare:
		return c.compare(x)
	case *In:
		return c.in(x)
	case *Like:
		return c.like(x)
	case *IsNull:
		inner, err := c.expr(x.X)
		if err != nil {
			return nil, err
		}
		not := x.Not
		return func(r *evalRow) any { return (inner(r) == nil) != not }, nil
	case *Match:
		return c.matchOperator(x)
	case *Arith:
		return c.arith(x)
	case *Neg:
		inner, err := c.expr(x.X)
		if err != nil {
			return nil, err
		}
		loc := x.Loc
		return func(r *evalRow) any { return c.negate(inner(r), loc) }, nil
	case *Cast:
		return c.cast(x)
	case *Call:
		return c.call(x)
	}
	return nil, c.ev.unsupported(e.Location(), "expression %s", e)
}

// unknownColumn is Elasticsearch's error for a name that is no column.
func (c *exprCompiler) unknownColumn(name string, loc Loc) error {
	if metadataFields[name] {
		return c.ev.errorf(loc, "Unknown column [%s], did you mean to read it with FROM ... METADATA %s?", name, name)
	}
	return c.ev.errorf(loc, "Unknown column [%s]", name)
}

// boolean reads a condition: ok is false for null (and for a multi-value,
// with a warning).
func (c *exprCompiler) boolean(v any, loc Loc) (b, ok bool) {
	switch x := v.(type) {
	case nil:
		return false, false
	case bool:
		return x, true
	case multiValue:
		c.ev.warn(loc, multiValueWarning)
		return false, false
	}
	c.ev.fail(loc, "condition [%s] must be [boolean], found value of type [%s]", c.ev.text(loc), typeName(v))
	return false, false
}

// logic compiles AND (or, with or, OR) with three-valued logic: false
// (true) wins over null.
func (c *exprCompiler) logic(xs []Expr, or bool) (evalFn, error) {
	fns := make([]evalFn, len(xs))
	locs := make([]Loc, len(xs))
	for i, x := range xs {
		fn, err := c.expr(x)
		if err != nil {
			return nil, err
		}
		fns[i], locs[i] = fn, x.Location()
	}
	return func(r *evalRow) any {
		null := false
		for i, fn := range fns {
			b, ok := c.boolean(fn(r), locs[i])
			switch {
			case !ok:
				null = true
			case b == or:
				return or
			}
		}
		if null {
			return nil
		}
		return !or
	}, nil
}

// single returns the one value of v; ok is false for null and for a
// multi-value (with a warning at loc).
func (c *exprCompiler) single(v any, loc Loc) (any, bool) {
	switch v.(type) {
	case nil:
		return nil, false
	case multiValue:
		c.ev.warn(loc, multiValueWarning)
		return nil, false
	}
	return v, true
}

// compare compiles ==, !=, <, <=, >, >=.
func (c *exprCompiler) compare(x *Compare) (evalFn, error) {
	op, loc := x.Op, x.Loc
	return c.binary(x.L, x.R, loc, func(a, b any) any {
		cmp, ok := compareValues(a, b)
		if !ok {
			c.ev.fail(loc, "cannot compare [%s] with [%s] in [%s]", typeName(a), typeName(b), c.ev.text(loc))
			return nil
		}
		switch op {
		case Eq:
			return cmp == 0
		case Ne:
			return cmp != 0
		case Lt:
			return cmp < 0
		case Le:
			return cmp <= 0
		case Gt:
			return cmp > 0
		}
		return cmp >= 0
	})
}

// binary compiles an operator of two operands, each a single value (a
// null or multi-valued operand makes it null, with the warning for the
// latter).
func (c *exprCompiler) binary(left, right Expr, loc Loc, op func(a, b any) any) (evalFn, error) {
	l, err := c.expr(left)
	if err != nil {
		return nil, err
	}
	r, err := c.expr(right)
	if err != nil {
		return nil, err
	}
	return func(row *evalRow) any {
		a, ok := c.single(l(row), loc)
		if !ok {
			return nil
		}
		b, ok := c.single(r(row), loc)
		if !ok {
			return nil
		}
		return op(a, b)
	}, nil
}

// in compiles "x [NOT] IN (list)": true when x equals a value of the
// list, else null when the list holds a null, else false.
func (c *exprCompiler) in(x *In) (evalFn, error) {
	v, err := c.expr(x.X)
	if err != nil {
		return nil, err
	}
	list := make([]evalFn, len(x.List))
	for i, e := range x.List {
		if list[i], err = c.expr(e); err != nil {
			return nil, err
		}
	}
	not, loc := x.Not, x.Loc
	return func(r *evalRow) any {
		a, ok := c.single(v(r), loc)
		if !ok {
			return nil
		}
		null := false
		for _, fn := range list {
			b, ok := c.single(fn(r), loc)
			if !ok {
				null = true
				continue
			}
			eq, ok := equalValues(a, b)
			if !ok {
				c.ev.fail(loc, "cannot compare [%s] with [%s] in [%s]", typeName(a), typeName(b), c.ev.text(loc))
				return nil
			}
			if eq {
				return !not
			}
		}
		if null {
			return nil
		}
		return not
	}, nil
}

// stringMatcher matches a whole string.
type stringMatcher interface{ Match(s string) bool }

// wildcardMatcher is a LIKE pattern.
type wildcardMatcher struct{ p wildcard.Pattern }

func (m wildcardMatcher) Match(s string) bool { return m.p.Match(s, false) }

// like compiles [NOT] LIKE and [NOT] RLIKE: the whole string matches one
// of the patterns, case-sensitively. LIKE's wildcards are * and ?, a
// backslash escapes; RLIKE's patterns are Lucene regular expressions.
func (c *exprCompiler) like(x *Like) (evalFn, error) {
	v, err := c.expr(x.X)
	if err != nil {
		return nil, err
	}
	ms := make([]stringMatcher, len(x.Patterns))
	for i, p := range x.Patterns {
		if x.RLike {
			m, err := c.ev.rlikeMatcher(p)
			if err != nil {
				return nil, err
			}
			ms[i] = m
		} else {
			ms[i] = wildcardMatcher{wildcard.Parse(p.Str, wildcard.StarAndQuestion)}
		}
	}
	not, loc := x.Not, x.Loc
	return func(r *evalRow) any {
		a, ok := c.single(v(r), loc)
		if !ok {
			return nil
		}
		s, ok := a.(string)
		if !ok {
			c.ev.fail(loc, "argument of [%s] must be [string], found value of type [%s]", c.ev.text(loc), typeName(a))
			return nil
		}
		for _, m := range ms {
			if m.Match(s) {
				return !not
			}
		}
		return not
	}, nil
}

// rlikeMatcher compiles an RLIKE pattern with the Lucene regular
// expression matcher (see eval_rlike.go).
func (ev *queryRunner) rlikeMatcher(p *Literal) (stringMatcher, error) {
	m, err := cachedCompile("rlike:"+p.Str, func() (stringMatcher, error) { return compileRLike(p.Str) })
	if err != nil {
		if isUnsupported(err) {
			return nil, ev.unsupported(p.Loc, "%v", err)
		}
		return nil, ev.errorf(p.Loc, "invalid RLIKE pattern %q: %v", p.Str, err)
	}
	return m, nil
}

// arith compiles +, -, *, / and %.
func (c *exprCompiler) arith(x *Arith) (evalFn, error) {
	op, loc := x.Op, x.Loc
	return c.binary(x.L, x.R, loc, func(a, b any) any {
		return c.arithValues(op, a, b, loc)
	})
}

// arithValues applies an arithmetic operator to two single values:
// numbers (integer arithmetic overflows to null with a warning, a
// division by zero is null), and dates plus or minus time spans.
func (c *exprCompiler) arithValues(op ArithOp, a, b any, loc Loc) any {
	switch x := a.(type) {
	case time.Time:
		switch op {
		case Add:
			return c.addSpan(x, b, 1, loc)
		case Sub:
			return c.addSpan(x, b, -1, loc)
		}
	case spanDuration:
		switch y := b.(type) {
		case time.Time:
			if op == Add {
				return c.addSpan(y, a, 1, loc)
			}
		case spanDuration:
			switch op {
			case Add:
				return x + y
			case Sub:
				return x - y
			}
		}
	case spanPeriod:
		switch y := b.(type) {
		case time.Time:
			if op == Add {
				return c.addSpan(y, a, 1, loc)
			}
		case spanPeriod:
			switch op {
			case Add:
				return spanPeriod{x.years + y.years, x.months + y.months, x.days + y.days}
			case Sub:
				return spanPeriod{x.years - y.years, x.months - y.months, x.days - y.days}
			}
		}
	}
	if !isNumeric(a) || !isNumeric(b) {
		c.ev.fail(loc, "[%s] has arguments of types [%s] and [%s], which %s does not take", c.ev.text(loc), typeName(a), typeName(b), op)
		return nil
	}
	_, af := a.(float64)
	_, bf := b.(float64)
	if af || bf {
		x, _ := numberFloat(a)
		y, _ := numberFloat(b)
		var z float64
		switch op {
		case Add:
			z = x + y
		case Sub:
			z = x - y
		case Mul:
			z = x * y
		case Div:
			if y == 0 {
				c.ev.warn(loc, "ArithmeticException: / by zero")
				return nil
			}
			z = x / y
		case Mod:
			if y == 0 {
				c.ev.warn(loc, "ArithmeticException: / by zero")
				return nil
			}
			z = math.Mod(x, y)
		}
		if math.IsInf(z, 0) || math.IsNaN(z) {
			c.ev.warn(loc, "ArithmeticException: not a finite double number: %v", z)
			return nil
		}
		return z
	}
	ua, aU := a.(uint64)
	ub, bU := b.(uint64)
	if aU || bU {
		if !aU {
			n, _ := numberInt64(a)
			if n < 0 {
				c.ev.warn(loc, "ArithmeticException: unsigned_long overflow")
				return nil
			}
			ua = uint64(n)
		}
		if !bU {
			n, _ := numberInt64(b)
			if n < 0 {
				c.ev.warn(loc, "ArithmeticException: unsigned_long overflow")
				return nil
			}
			ub = uint64(n)
		}
		z, ok := uintArith(op, ua, ub)
		if !ok {
			c.ev.warn(loc, "ArithmeticException: unsigned_long overflow or / by zero")
			return nil
		}
		return z
	}
	x, _ := numberInt64(a)
	y, _ := numberInt64(b)
	_, a32 := a.(int32)
	_, b32 := b.(int32)
	z, ok := intArith(op, x, y)
	if !ok {
		if (op == Div || op == Mod) && y == 0 {
			c.ev.warn(loc, "ArithmeticException: / by zero")
		} else if a32 && b32 {
			c.ev.warn(loc, "ArithmeticException: integer overflow")
		} else {
			c.ev.warn(loc, "ArithmeticException: long overflow")
		}
		return nil
	}
	if a32 && b32 {
		if z < math.MinInt32 || z > math.MaxInt32 {
			c.ev.warn(loc, "ArithmeticException: integer overflow")
			return nil
		}
		return int32(z)
	}
	return z
}

// intArith is long arithmetic with Java's semantics (truncating division,
// remainder with the sign of the dividend); ok is false on overflow or a
// division by zero.
func intArith(op ArithOp, x, y int64) (int64, bool) {
	switch op {
	case Add:
		z := x + y
		return z, (x >= 0) != (y >= 0) || (z >= 0) == (x >= 0)
	case Sub:
		z := x - y
		return z, (x >= 0) == (y >= 0) || (z >= 0) == (x >= 0)
	case Mul:
		if x == 0 || y == 0 {
			return 0, true
		}
		z := x * y
		if z/y != x || (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) {
			return 0, false
		}
		return z, true
	case Div:
		if y == 0 || x == math.MinInt64 && y == -1 {
			return 0, false
		}
		return x / y, true
	case Mod:
		if y == 0 {
			return 0, false
		}
		if y == -1 {
			return 0, true
		}
		return x % y, true
	}
	return 0, false
}

func uintArith(op ArithOp, x, y uint64) (uint64, bool) {
	switch op {
	case Add:
		z := x + y
		return z, z >= x
	case Sub:
		return x - y, x >= y
	case Mul:
		if x == 0 || y == 0 {
			return 0, true
		}
		z := x * y
		return z, z/y == x
	case Div:
		if y == 0 {
			return 0, false
		}
		return x / y, true
	case Mod:
		if y == 0 {
			return 0, false
		}
		return x % y, true
	}
	return 0, false
}

// addSpan adds sign times a time span to a date: a time_duration exactly,
// a date_period in calendar units (years and months first, then days, as
// java.time adds a Period).
func (c *exprCompiler) addSpan(t time.Time, span any, sign int, loc Loc) any {
	switch s := span.(type) {
	case spanDuration:
		return t.Add(time.Duration(sign) * time.Duration(s))
	case spanPeriod:
		out, err := date.Add(t, sign*(12*s.years+s.months), date.Month)
		if err == nil {
			out, err = date.Add(out, sign*s.days, date.Day)
		}
		if err != nil {
			c.ev.warn(loc, "ArithmeticException: %v", err)
			return nil
		}
		return out
	}
	c.ev.fail(loc, "[%s]: a date can only be added a time span, found [%s]", c.ev.text(loc), typeName(span))
	return nil
}

// negate is unary minus.
func (c *exprCompiler) negate(v any, loc Loc) any {
	v, ok := c.single(v, loc)
	if !ok {
		return nil
	}
	switch x := v.(type) {
	case int32:
		if x == math.MinInt32 {
			c.ev.warn(loc, "ArithmeticException: integer overflow")
			return nil
		}
		return -x
	case int64:
		if x == math.MinInt64 {
			c.ev.warn(loc, "ArithmeticException: long overflow")
			return nil
		}
		return -x
	case float64:
		return -x
	case spanDuration:
		return -x
	case spanPeriod:
		return spanPeriod{-x.years, -x.months, -x.days}
	}
	c.ev.fail(loc, "[%s]: cannot negate a value of type [%s]", c.ev.text(loc), typeName(v))
	return nil
}

// castFuncs are the conversion functions of the "::" casts.
var castFuncs = map[string]string{
	"boolean": "to_boolean", "integer": "to_integer", "long": "to_long", "unsigned_long": "to_unsigned_long",
	"double": "to_double", "keyword": "to_string", "text": "to_string", "datetime": "to_datetime",
	"date_nanos": "to_date_nanos", "ip": "to_ip", "version": "to_version", "geo_point": "to_geopoint",
	"cartesian_point": "to_cartesianpoint", "date_period": "to_dateperiod", "time_duration": "to_timeduration",
}

// cast compiles "x::type" as the conversion function of the type.
func (c *exprCompiler) cast(x *Cast) (evalFn, error) {
	name, ok := castFuncs[x.Type]
	if !ok {
		return nil, c.ev.unsupported(x.Loc, "cast to %s", x.Type)
	}
	return c.call(&Call{Name: name, Args: []Expr{x.X}, Loc: x.Loc})
}

// matchOperator compiles "field : query", the full-text match query.
func (c *exprCompiler) matchOperator(x *Match) (evalFn, error) {
	var field Expr = x.Field
	if x.Type != "" {
		field = &Cast{X: x.Field, Type: x.Type, Loc: x.Field.Loc}
	}
	return c.fullText(&Call{Name: "match", Args: []Expr{field, x.Query}, Loc: x.Loc}, false)
}

// fullText compiles MATCH, MATCH_PHRASE and the match operator: whether
// the field's value matches the query as Elasticsearch's match query
// does. A text field's value and the query are analyzed and any word of
// the query matches (with phrase, the query's words in a row); other
// fields match the whole value as a term query. Options: "operator"
// ("and": every word), "fuzziness" (an edit distance, or "AUTO"),
// "minimum_should_match" (a count). A missing or null field does not
// match: the result is never null.
func (c *exprCompiler) fullText(call *Call, phrase bool) (evalFn, error) {
	if len(call.Args) < 2 {
		return nil, c.ev.errorf(call.Loc, "%s takes a field and a query", strings.ToUpper(call.Name))
	}
	field, err := c.expr(call.Args[0])
	if err != nil {
		return nil, err
	}
	qv, ok := c.constant(call.Args[1])
	if !ok {
		return nil, c.ev.errorf(call.Args[1].Location(), "the query of %s must be a constant", strings.ToUpper(call.Name))
	}
	opts, err := c.options(call)
	if err != nil {
		return nil, err
	}
	fieldType := TypeKeyword
	var mapping estype.Mapping
	if f, ok := call.Args[0].(*Field); ok {
		if i := c.t.colIndex(f.Name); i >= 0 {
			fieldType = c.t.cols[i].Type
			mapping = c.ev.mapping(f.Name)
		}
	}
	andOp := strings.EqualFold(toStringValue(opts["operator"]), "and")
	minShould := 1
	if n, ok := numberInt64(opts["minimum_should_match"]); ok && n > 0 {
		minShould = int(n)
	}
	fuzz := opts["fuzziness"]
	loc := call.Loc
	return func(r *evalRow) any {
		v := field(r)
		if v == nil {
			return false
		}
		q := qv
		if fieldType == TypeText {
			words := analysis.Analyze(toStringValue(q))
			if len(words) == 0 {
				return false
			}
			var toks []string
			for _, s := range valuesOf(v) {
				toks = append(toks, analysis.Analyze(toStringValue(s))...)
			}
			if phrase {
				for _, s := range valuesOf(v) {
					if analysis.ContainsPhrase(analysis.Analyze(toStringValue(s)), words) {
						return true
					}
				}
				return false
			}
			found := 0
			for _, w := range words {
				for _, t := range toks {
					if fuzzyEqual(t, w, fuzz) {
						found++
						break
					}
				}
			}
			if andOp {
				return found == len(words)
			}
			return found >= minShould
		}
		for _, s := range valuesOf(v) {
			if str, ok := s.(string); ok {
				qs := toStringValue(q)
				if mapping.Lowercase() {
					qs = strings.ToLower(qs)
				}
				if fuzzyEqual(str, qs, fuzz) {
					return true
				}
				continue
			}
			qq := q
			if qs, ok := q.(string); ok {
				conv, ok := convertString(qs, s)
				if !ok && isNumeric(s) {
					f, err := parseJavaDouble(qs)
					ok, conv = err == nil, f
				}
				if !ok {
					c.ev.fail(loc, "cannot match a value of type [%s] with query [%s]", typeName(s), qs)
					return false
				}
				qq = conv
			}
			if eq, _ := equalValues(s, qq); eq {
				return true
			}
		}
		return false
	}, nil
}

// fuzzyEqual compares a term of a document with a term of a query,
// allowing the edits of the fuzziness option (esvalue.Fuzziness; Lucene's
// fuzzy query with transpositions).
func fuzzyEqual(doc, query string, fuzziness any) bool {
	if doc == query {
		return true
	}
	var f esvalue.Fuzziness
	switch x := fuzziness.(type) {
	case nil:
		return false
	case string:
		var err error
		if f, err = esvalue.ParseFuzziness(x); err != nil {
			return false
		}
	default:
		n, ok := numberInt64(x) // Fuzziness.fromEdits
		if !ok || n < 0 || n > 2 {
			return false
		}
		f.Edits = int(n)
	}
	edits := f.Distance(query)
	return edits > 0 && esvalue.Fuzzy{Edits: edits, Transpositions: true}.Match(query, doc)
}

// constant evaluates an expression without columns: a literal, or a
// foldable expression of literals.
func (c *exprCompiler) constant(e Expr) (any, bool) {
	ok := true
	Walk(e, func(x Expr) bool {
		switch x.(type) {
		case *Field, *Param:
			ok = false
		case *Call:
			if x.(*Call).Name == "now" || x.(*Call).IsAggregate() {
				ok = ok && x.(*Call).Name == "now"
			}
		}
		return ok
	})
	if !ok {
		return nil, false
	}
	fn, err := c.ev.compile(&evalTable{}, e)
	if err != nil {
		return nil, false
	}
	return fn(&evalRow{doc: -1}), true
}

// options reads the named-parameter map of a call.
func (c *exprCompiler) options(call *Call) (map[string]any, error) {
	out := map[string]any{}
	if call.Options == nil {
		return out, nil
	}
	for _, e := range call.Options.Entries {
		switch v := e.Value.(type) {
		case *Literal:
			out[e.Key] = literalOf(v)
		default:
			return nil, c.ev.unsupported(e.Loc, "option %q of %s: only constant values are read", e.Key, strings.ToUpper(call.Name))
		}
	}
	return out, nil
}

// kqlCall compiles KQL("query"): whether the row's document matches the
// KQL query, as RunOptions.KQL judges it.
func (c *exprCompiler) kqlCall(call *Call) (evalFn, error) {
	if len(call.Args) != 1 {
		return nil, c.ev.errorf(call.Loc, "KQL takes one query string")
	}
	qv, ok := c.constant(call.Args[0])
	s, isStr := qv.(string)
	if !ok || !isStr {
		return nil, c.ev.errorf(call.Args[0].Location(), "the query of KQL must be a constant string")
	}
	if call.Options != nil {
		for _, e := range call.Options.Entries {
			if e.Key == "case_insensitive" {
				if l, ok := e.Value.(*Literal); ok && l.Kind == LitBool && !l.Bool {
					continue
				}
			}
			return nil, c.ev.unsupported(e.Loc, "KQL option %q", e.Key)
		}
	}
	if c.ev.opts.KQL == nil {
		return nil, c.ev.unsupported(call.Loc, "KQL(): no KQL evaluator was given (RunOptions.KQL)")
	}
	match, err := c.ev.opts.KQL(s)
	if err != nil {
		return nil, c.ev.errorf(call.Args[0].Location(), "invalid KQL query: %v", err)
	}
	loc := call.Loc
	return func(r *evalRow) any {
		if r.doc < 0 {
			c.ev.fail(loc, "[KQL] can only filter the rows FROM reads, before STATS")
			return nil
		}
		return match(c.ev.docs[r.doc])
	}, nil
}

// termCall compiles TERM(field, value): a term query on the field.
func (c *exprCompiler) termCall(call *Call) (evalFn, error) {
	f, ok := call.Args[0].(*Field)
	if !ok {
		return nil, c.ev.errorf(call.Args[0].Location(), "the first argument of TERM must be a field")
	}
	qv, ok := c.constant(call.Args[1])
	if !ok {
		return nil, c.ev.errorf(call.Args[1].Location(), "the value of TERM must be a constant")
	}
	m := c.ev.mapping(f.Name)
	if m.Type == estype.Empty {
		m.Type = estype.Keyword
	}
	if i := c.t.colIndex(f.Name); i < 0 {
		return nil, c.unknownColumn(f.Name, f.Loc)
	}
	loc := call.Loc
	name := f.Name
	return func(r *evalRow) any {
		if r.doc < 0 {
			c.ev.fail(loc, "[TERM] can only filter the rows FROM reads, before STATS")
			return nil
		}
		return esvalue.Term(m, document.Scalars(c.ev.docs[r.doc], name), qv, false, c.ev.now) == esvalue.Yes
	}, nil
}
