package eql

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/es/ipaddr"
	"github.com/emit-sec/emit/es/regexp"
	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/internal/esvalue"
)

// The evaluator decides whether documents match a query, with Elasticsearch
// EQL's semantics:
//
//   - A comparison, list, pattern or function call is an atom. A field with
//     several values (an array) satisfies an atom when one of its values
//     does; a missing field or a null makes the atom false.
//   - "not", "!=" and "not in" negate the positive atom: "f != 1" holds when
//     no value of f is 1, including when f is missing (Elasticsearch runs
//     them as a bool must_not query). "f == null" holds when f is missing,
//     "f != null" when it has a value.
//   - "==", "!=", "in", "like", "regex" compare strings case-sensitively;
//     ":", "in~", "like~", "regex~" and the "~" functions case-insensitively.
//   - Numbers compare numerically (an integer literal with a long field,
//     a string with a number by parsing it), strings by code point, IP
//     addresses and dates by value (the field's type decides).
//   - String functions count characters (Unicode code points; Elasticsearch
//     counts UTF-16 units, which differs only outside the Basic Multilingual
//     Plane).

// regexMatcher matches a whole string against a compiled regular
// expression.
type regexMatcher interface{ Match(string) bool }

// compileRegex compiles a Lucene regular expression (anchored at both
// ends) as Elasticsearch's EQL runs regex and regex~: a regexp query with
// every optional operator on, regex~ its case_insensitive form (Lucene's
// ASCII case-insensitivity). It is a variable so that tests can substitute
// a matcher.
var compileRegex = func(expr string, ci bool) (regexMatcher, error) {
	flags := regexp.All
	if ci {
		flags |= regexp.CaseInsensitive
	}
	return esvalue.ParseRegexp(expr, flags)
}

type regexKey struct {
	expr string
	ci   bool
}

var regexCache struct {
	sync.Mutex
	m map[regexKey]regexMatcher // nil entry: the expression does not compile
}

// regexMatch reports whether s matches the Lucene regular expression expr.
// An expression that does not compile matches nothing.
func regexMatch(expr string, ci bool, s string) bool {
	k := regexKey{expr, ci}
	regexCache.Lock()
	m, ok := regexCache.m[k]
	regexCache.Unlock()
	if !ok {
		c, err := compileRegex(expr, ci)
		if err != nil {
			c = nil
		}
		m = c
		regexCache.Lock()
		if regexCache.m == nil || len(regexCache.m) > 4096 {
			regexCache.m = map[regexKey]regexMatcher{}
		}
		regexCache.m[k] = m
		regexCache.Unlock()
	}
	return m != nil && m.Match(s)
}

// evaluator evaluates conditions against one document.
type evaluator struct {
	doc   map[string]any
	types Types
	vals  map[string][]value
}

func newEvaluator(doc map[string]any, types Types) *evaluator {
	return &evaluator{doc: doc, types: types}
}

// values returns the typed values of a field in the document.
func (ev *evaluator) values(field string) []value {
	if vs, ok := ev.vals[field]; ok {
		return vs
	}
	typ := estype.Keyword
	if ev.types != nil {
		if t := ev.types(field).Type; t != estype.Empty {
			typ = t
		}
	}
	var out []value
	for _, raw := range fieldValues(ev.doc, field) {
		if v, ok := typed(raw, typ); ok {
			out = append(out, v)
		}
	}
	if ev.vals == nil {
		ev.vals = map[string][]value{}
	}
	ev.vals[field] = out
	return out
}

// cond evaluates a condition.
func (ev *evaluator) cond(e Expr) bool {
	switch x := e.(type) {
	case *Or:
		for _, y := range x.X {
			if ev.cond(y) {
				return true
			}
		}
		return false
	case *And:
		for _, y := range x.X {
			if !ev.cond(y) {
				return false
			}
		}
		return true
	case *Not:
		return !ev.cond(x.X)
	case *Compare:
		if b, other, ok := boolOperand(x); ok {
			want := b.Bool == (x.Op == Eq)
			switch x.Op {
			case Eq, Ne:
				return ev.cond(other) == want
			}
		}
		if x.Op == Ne && !isNullLit(x.L) && !isNullLit(x.R) {
			return !ev.atom(&Compare{Op: Eq, L: x.L, R: x.R, Loc: x.Loc})
		}
	case *In:
		if x.Not {
			return !ev.atom(&In{X: x.X, List: x.List, CI: x.CI, Loc: x.Loc})
		}
	}
	return ev.atom(e)
}

// boolOperand recognizes "X == true", "false != X", ... where X is a
// condition (not a field): Elasticsearch folds them to X or "not X".
func boolOperand(c *Compare) (*Literal, Expr, bool) {
	if l, ok := c.R.(*Literal); ok && l.Kind == LitBool && kindOf(c.L) == kindBool {
		return l, c.L, true
	}
	if l, ok := c.L.(*Literal); ok && l.Kind == LitBool && kindOf(c.R) == kindBool {
		return l, c.R, true
	}
	return nil, nil, false
}

func isNullLit(e Expr) bool {
	l, ok := e.(*Literal)
	return ok && l.Kind == LitNull
}

// atom evaluates e for every combination of the values of the fields it
// refers to, and holds when one combination makes it true.
func (ev *evaluator) atom(e Expr) bool {
	fields := Fields(e)
	env := make(map[string]value, len(fields))
	var try func(i int) bool
	try = func(i int) bool {
		if i == len(fields) {
			v := ev.eval(e, env)
			if v.k == vBool {
				return v.b
			}
			// A bare field or value as a condition is compared to true.
			return equal(v, boolVal(true), false)
		}
		vs := ev.values(fields[i])
		if len(vs) == 0 {
			env[fields[i]] = null
			return try(i + 1)
		}
		for _, v := range vs {
			env[fields[i]] = v
			if try(i + 1) {
				return true
			}
		}
		return false
	}
	return try(0)
}

// eval evaluates an expression with the fields bound in env.
func (ev *evaluator) eval(e Expr, env map[string]value) value {
	switch x := e.(type) {
	case *Literal:
		return litValue(x)
	case *Field:
		return env[x.Name]
	case *Or, *And, *Not:
		return boolVal(ev.cond(e))
	case *Compare:
		if isNullLit(x.L) || isNullLit(x.R) {
			// "x == null" is Elasticsearch's IsNull, "x != null" IsNotNull;
			// other comparisons with null are null.
			other := x.L
			if isNullLit(x.L) {
				other = x.R
			}
			isNull := ev.eval(other, env).k == vNull
			switch x.Op {
			case Eq:
				return boolVal(isNull)
			case Ne:
				return boolVal(!isNull)
			}
			return null
		}
		return evalCompare(x.Op, ev.eval(x.L, env), ev.eval(x.R, env))
	case *In:
		v := ev.eval(x.X, env)
		if v.k == vNull {
			return null
		}
		found := false
		for _, y := range x.List {
			if equal(v, ev.eval(y, env), x.CI) {
				found = true
				break
			}
		}
		return boolVal(found != x.Not)
	case *PatternMatch:
		v := ev.eval(x.X, env)
		s, ok := toString(v)
		if !ok {
			return null
		}
		for _, p := range x.Patterns {
			ps, ok := toString(litValue(p))
			if !ok {
				continue
			}
			if x.Op.IsRegex() {
				if regexMatch(ps, x.Op.CI(), s) {
					return boolVal(true)
				}
			} else if wildcardOf(ps).Match(s, x.Op.CI()) {
				return boolVal(true)
			}
		}
		return boolVal(false)
	case *Arith:
		return arith(x.Op, ev.eval(x.L, env), ev.eval(x.R, env))
	case *Neg:
		return arith(Sub, intVal(0), ev.eval(x.X, env))
	case *Call:
		args := make([]value, len(x.Args))
		for i, a := range x.Args {
			args[i] = ev.eval(a, env)
		}
		return call(x, args)
	}
	return null
}

func litValue(l *Literal) value {
	switch l.Kind {
	case LitString:
		return strVal(l.Str)
	case LitInt:
		return intVal(l.Int)
	case LitFloat:
		return floatVal(l.Float)
	case LitBool:
		return boolVal(l.Bool)
	}
	return null
}

func evalCompare(op CmpOp, a, b value) value {
	if a.k == vNull || b.k == vNull {
		return null
	}
	switch op {
	case Eq:
		return boolVal(equal(a, b, false))
	case Ne:
		c, ok := compare(a, b)
		if !ok {
			return null
		}
		return boolVal(c != 0)
	}
	c, ok := compare(a, b)
	if !ok {
		return null
	}
	switch op {
	case Lt:
		return boolVal(c < 0)
	case Le:
		return boolVal(c <= 0)
	case Gt:
		return boolVal(c > 0)
	}
	return boolVal(c >= 0)
}

// wildcardOf parses an EQL wildcard pattern: "*" matches any run of
// characters, "?" one character; everything else, a backslash included, is
// literal.
func wildcardOf(s string) wildcard.Pattern { return wildcard.Parse(s, wildcard.EQL) }

// asNumber returns a value as a number for arithmetic; strings do not
// convert (Elasticsearch rejects them).
func asNumber(v value) (value, bool) {
	switch v.k {
	case vInt, vFloat:
		return v, true
	case vStr:
		return parseNumber(strings.TrimSpace(v.s))
	}
	return null, false
}

// arith applies an arithmetic operator as Java does on longs and doubles.
// Integer overflow and division by zero make the result null
// (Elasticsearch fails the query).
func arith(op ArithOp, a, b value) value {
	a, ok1 := asNumber(a)
	b, ok2 := asNumber(b)
	if !ok1 || !ok2 {
		return null
	}
	if a.k == vInt && b.k == vInt {
		x, y := a.i, b.i
		switch op {
		case Add:
			r := x + y
			if (r > x) != (y > 0) {
				return null
			}
			return intVal(r)
		case Sub:
			r := x - y
			if (r < x) != (y > 0) {
				return null
			}
			return intVal(r)
		case Mul:
			if x != 0 && y != 0 {
				r := x * y
				if r/y != x || x == -1 && y == math.MinInt64 || y == -1 && x == math.MinInt64 {
					return null
				}
				return intVal(r)
			}
			return intVal(0)
		case Div:
			if y == 0 || x == math.MinInt64 && y == -1 {
				return null
			}
			return intVal(x / y)
		default:
			if y == 0 {
				return null
			}
			if y == -1 {
				return intVal(0)
			}
			return intVal(x % y)
		}
	}
	x, y := a.float(), b.float()
	switch op {
	case Add:
		return floatVal(x + y)
	case Sub:
		return floatVal(x - y)
	case Mul:
		return floatVal(x * y)
	case Div:
		return floatVal(x / y)
	}
	return floatVal(math.Mod(x, y))
}

// runes helpers: EQL's string functions work on characters.

func lowerRunes(s string) []rune {
	r := []rune(s)
	for i, c := range r {
		r[i] = unicode.ToLower(c)
	}
	return r
}

// runeIndex returns the index of sub in s at or after from, or -1, as
// Java's String.indexOf(String, int).
func runeIndex(s, sub []rune, from int) int {
	if from < 0 {
		from = 0
	}
	if from > len(s) {
		if len(sub) == 0 {
			return len(s)
		}
		return -1
	}
	for i := from; i+len(sub) <= len(s); i++ {
		if runesEqual(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func runeLastIndex(s, sub []rune) int {
	for i := len(s) - len(sub); i >= 0; i-- {
		if runesEqual(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func runesEqual(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// slice returns s[start:end] with Python's slice semantics on characters,
// as EQL's substring.
func slice(s string, start int64, end *int64) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	lo, hi := sliceBounds(int64(len(r)), start, end)
	return string(r[lo:hi])
}

// between extracts the text between left and right, as EQL's between.
func between(s, left, right string, greedy, ci bool) string {
	if s == "" || left == "" || right == "" {
		return s
	}
	src := []rune(s)
	ms, l, r := src, []rune(left), []rune(right)
	if ci {
		ms, l, r = lowerRunes(s), lowerRunes(left), lowerRunes(right)
	}
	idx := runeIndex(ms, l, 0)
	if idx < 0 {
		return ""
	}
	start := idx + len(l)
	if greedy {
		idx = runeLastIndex(ms, r)
	} else {
		idx = runeIndex(ms, r, start)
	}
	if idx < start {
		return ""
	}
	return string(src[start:idx])
}

func hasPrefixRunes(s, p string, ci bool) bool {
	if !ci {
		return strings.HasPrefix(s, p)
	}
	sr, pr := lowerRunes(s), lowerRunes(p)
	return len(pr) <= len(sr) && runesEqual(sr[:len(pr)], pr)
}

func hasSuffixRunes(s, p string, ci bool) bool {
	if !ci {
		return strings.HasSuffix(s, p)
	}
	sr, pr := lowerRunes(s), lowerRunes(p)
	return len(pr) <= len(sr) && runesEqual(sr[len(sr)-len(pr):], pr)
}

func containsRunes(s, sub string, ci bool) bool {
	if s == "" || sub == "" {
		return false
	}
	if !ci {
		return strings.Contains(s, sub)
	}
	return runeIndex(lowerRunes(s), lowerRunes(sub), 0) >= 0
}

// toNumber converts a string as EQL's number(): "0x" prefixes hexadecimal,
// surrounding whitespace is ignored; null when it does not convert.
func toNumber(v value, base value) value {
	s, ok := toString(v)
	if !ok || v.k != vStr {
		if v.isNumber() {
			return v
		}
		return null
	}
	s = strings.TrimSpace(s)
	b := int64(10)
	if base.k == vInt {
		b = base.i
	} else if base.k != vNull {
		return null
	}
	sign := ""
	body := s
	if strings.HasPrefix(body, "+") || strings.HasPrefix(body, "-") {
		sign, body = body[:1], body[1:]
	}
	if strings.HasPrefix(body, "0x") || strings.HasPrefix(body, "0X") {
		if base.k == vNull || b == 16 {
			body, b = body[2:], 16
		}
	}
	if body == "" {
		return null
	}
	if i, err := strconv.ParseInt(sign+body, int(b), 64); err == nil {
		return intVal(i)
	}
	if b != 10 {
		return null
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return null
	}
	return floatVal(f)
}

// call applies a function to evaluated arguments. Nulls propagate.
func call(c *Call, args []value) value {
	if f, ok := builtins[c.Name]; ok {
		return f(args, c.CI)
	}
	return null
}

// builtin evaluates one EQL function on its arguments; ci is the "~"
// variant's case-insensitivity.
type builtin func(args []value, ci bool) value

// builtins are the functions by their canonical name (see functions.go
// for the spellings and arities the parser accepts).
var builtins = map[string]builtin{
	"add":            arithmetic(Add),
	"subtract":       arithmetic(Sub),
	"multiply":       arithmetic(Mul),
	"divide":         arithmetic(Div),
	"modulo":         arithmetic(Mod),
	"between":        evalBetween,
	"cidrMatch":      evalCIDRMatch,
	"concat":         evalConcat,
	"endsWith":       stringTest(hasSuffixRunes),
	"startsWith":     stringTest(hasPrefixRunes),
	"stringContains": stringTest(containsRunes),
	"indexOf":        evalIndexOf,
	"length":         evalLength,
	"number":         evalNumber,
	"string":         evalString,
	"substring":      evalSubstring,
	"wildcard":       evalWildcard,
}

// str is argument i as a string; ok is false for null and for what has no
// string form.
func str(args []value, i int) (string, bool) {
	if args[i].k == vNull {
		return "", false
	}
	return toString(args[i])
}

func arithmetic(op ArithOp) builtin {
	return func(args []value, _ bool) value { return arith(op, args[0], args[1]) }
}

// stringTest is a function of two strings that answers a boolean.
func stringTest(test func(s, p string, ci bool) bool) builtin {
	return func(args []value, ci bool) value {
		s, ok1 := str(args, 0)
		p, ok2 := str(args, 1)
		if !ok1 || !ok2 {
			return null
		}
		return boolVal(test(s, p, ci))
	}
}

func evalBetween(args []value, ci bool) value {
	s, ok1 := str(args, 0)
	l, ok2 := str(args, 1)
	r, ok3 := str(args, 2)
	if !ok1 || !ok2 || !ok3 {
		return null
	}
	greedy := len(args) == 4 && args[3].k == vBool && args[3].b
	return strVal(between(s, l, r, greedy, ci))
}

func evalCIDRMatch(args []value, _ bool) value {
	var addr netip.Addr
	switch args[0].k {
	case vIP:
		addr = args[0].ip
	case vStr:
		a, ok := ipaddr.Parse(args[0].s)
		if !ok {
			return null
		}
		addr = a
	default:
		return null
	}
	for _, a := range args[1:] {
		s, ok := toString(a)
		if !ok {
			return null
		}
		if p, ok := parseCIDR(s); ok && p.Contains(addr) {
			return boolVal(true)
		}
	}
	return boolVal(false)
}

func evalConcat(args []value, _ bool) value {
	var b strings.Builder
	for i := range args {
		s, ok := str(args, i)
		if !ok {
			return null
		}
		b.WriteString(s)
	}
	return strVal(b.String())
}

func evalIndexOf(args []value, ci bool) value {
	s, ok1 := str(args, 0)
	p, ok2 := str(args, 1)
	if !ok1 || !ok2 {
		return null
	}
	from := int64(0)
	if len(args) == 3 {
		if args[2].k != vInt {
			return null
		}
		from = args[2].i
	}
	sr, pr := []rune(s), []rune(p)
	if ci {
		sr, pr = lowerRunes(s), lowerRunes(p)
	}
	if from > int64(len(sr)) {
		from = int64(len(sr)) + 1
	}
	i := runeIndex(sr, pr, int(from))
	if i < 0 {
		return null
	}
	return intVal(int64(i))
}

func evalLength(args []value, _ bool) value {
	s, ok := str(args, 0)
	if !ok {
		return null
	}
	return intVal(int64(utf8.RuneCountInString(s)))
}

func evalNumber(args []value, _ bool) value {
	if args[0].k == vNull {
		return null
	}
	base := null
	if len(args) == 2 {
		base = args[1]
	}
	return toNumber(args[0], base)
}

func evalString(args []value, _ bool) value {
	s, ok := str(args, 0)
	if !ok {
		return null
	}
	return strVal(s)
}

func evalSubstring(args []value, _ bool) value {
	s, ok := str(args, 0)
	if !ok || args[1].k != vInt {
		return null
	}
	var end *int64
	if len(args) == 3 && args[2].k != vNull {
		if args[2].k != vInt {
			return null
		}
		end = &args[2].i
	}
	return strVal(slice(s, args[1].i, end))
}

func evalWildcard(args []value, ci bool) value {
	s, ok := str(args, 0)
	if !ok {
		return null
	}
	for i := 1; i < len(args); i++ {
		p, ok := str(args, i)
		if ok && wildcardOf(p).Match(s, ci) {
			return boolVal(true)
		}
	}
	return boolVal(false)
}
