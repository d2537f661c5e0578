package esql

import (
	"math"

	"github.com/emit-sec/emit/es/estype"
	"strconv"
	"strings"
	"time"

	"github.com/emit-sec/emit/internal/interval"
)

// The rows of a STATS are groups of the rows before it. A condition on
// such a row lowers to requirements on the group: conditions every member
// meets (a condition on a BY key holds for all of them), how many members
// meet a condition (count, filtered counts), how many different values
// they hold (count_distinct), bounds on their values (min, max, avg, sum),
// the order and spread of their times. compose turns one conjunction of
// requirements into members, each a row of the level below with its own
// conditions.

// gform is a formula of group requirements.
type gform interface{ gnode() }

type fAnd struct{ xs []gform }
type fOr struct{ xs []gform }
type fConst struct{ v bool }
type fLeaf struct{ r any }

func (*fAnd) gnode()   {}
func (*fOr) gnode()    {}
func (*fConst) gnode() {}
func (*fLeaf) gnode()  {}

// Requirements (the r of a fLeaf).
type (
	// termIn: an aggregate term's value is in set (or null, with nullOK).
	termIn struct {
		t      *term
		set    reals
		nullOK bool
	}
	// everyMember: every member where phi is true meets cond (phi nil:
	// every member).
	everyMember struct{ phi, cond Expr }
	// someMember: some member meets phi and cond.
	someMember struct{ phi, cond Expr }
	// shareValue: the members where phi is true and e is not null hold one
	// value of e.
	shareValue struct{ phi, e Expr }
	// timeSpan: from the group's first to its last row, between lo and hi
	// (hi < 0: no bound).
	timeSpan struct{ lo, hi time.Duration }
	// timeOrder: members where a is true come before those where b is.
	timeOrder struct{ a, b Expr }
	// valueIn: the value of an aggregate of values (MIN, MAX, AVG, SUM,
	// ...) is in set; other requirements make it so, this one tells a
	// check the values the term may take.
	valueIn struct {
		t   *term
		set reals
	}
	// check: a condition over several terms (a ratio, a sum of counts),
	// decided on the values the terms get.
	check struct {
		e    Expr
		want bool
	}
	// negated: the complement of a requirement that has no exact
	// complement of its own; the composition rejects it.
	negated struct {
		r   any
		loc Loc
	}
)

// termKind is what an aggregate computes over a group.
type termKind uint8

const (
	tCount    termKind = iota // weight times the number of members where phi is true
	tDistinct                 // the number of values of e among members where phi is true
	tMin
	tMax
	tAvg
	tSum
	tValues // the values of e (multi-valued)
	tAny    // one member's value of e (FIRST, LAST, MEDIAN, ...)
)

// term is an aggregate in a canonical form.
type term struct {
	key    string
	kind   termKind
	phi    Expr // the members it reads; nil: every member
	e      Expr
	weight float64
	ref    *aggRef
}

// groupAlg lowers conditions on the rows of a STATS.
type groupAlg struct {
	l     *lowerer
	level int
	terms map[string]*term
	// recomposed counts the compositions redone with raised counts.
	recomposed int
}

func (g *groupAlg) unsupported(loc Loc, format string, args ...any) error {
	return g.l.unsupported(loc, format, args...)
}

func (g *groupAlg) and(_ Loc, xs ...gform) gform { return junction(true, xs) }

func (g *groupAlg) or(_ Loc, xs ...gform) gform { return junction(false, xs) }

// junction is the conjunction (and) or disjunction of xs, flat: a
// constant that decides it is the result, the other constants drop out,
// and nested junctions of the same kind merge.
func junction(and bool, xs []gform) gform {
	var out []gform
	for _, x := range xs {
		switch y := x.(type) {
		case *fConst:
			if y.v != and {
				return y
			}
			continue
		case *fAnd:
			if and {
				out = append(out, y.xs...)
				continue
			}
		case *fOr:
			if !and {
				out = append(out, y.xs...)
				continue
			}
		}
		out = append(out, x)
	}
	switch len(out) {
	case 0:
		return &fConst{and}
	case 1:
		return out[0]
	}
	if and {
		return &fAnd{out}
	}
	return &fOr{out}
}

func (g *groupAlg) konst(_ Loc, v bool) gform { return &fConst{v} }

// not complements a formula: De Morgan down to the requirements, which
// complement exactly where they can.
func (g *groupAlg) not(loc Loc, x gform) gform {
	switch y := x.(type) {
	case *fConst:
		return &fConst{!y.v}
	case *fAnd:
		xs := make([]gform, len(y.xs))
		for i, z := range y.xs {
			xs[i] = g.not(loc, z)
		}
		return g.or(loc, xs...)
	case *fOr:
		xs := make([]gform, len(y.xs))
		for i, z := range y.xs {
			xs[i] = g.not(loc, z)
		}
		return g.and(loc, xs...)
	case *fLeaf:
		switch r := y.r.(type) {
		case termIn:
			return &fLeaf{termIn{t: r.t, set: interval.Complement(r.set), nullOK: !r.nullOK}}
		case everyMember:
			if r.phi == nil {
				// A condition on the keys: the same for every member, so
				// its complement is "not true" for every member.
				return &fLeaf{everyMember{cond: notTrueExpr(r.cond)}}
			}
		case check:
			return &fLeaf{check{e: r.e, want: !r.want}}
		case negated:
			return &fLeaf{r.r}
		}
		return &fLeaf{negated{r: y.r, loc: loc}}
	}
	return &fLeaf{negated{r: x, loc: loc}}
}

// notTrueExpr is "e is not true" as a condition: NOT COALESCE(e, false).
func notTrueExpr(e Expr) Expr {
	return &Not{X: &Call{Name: "coalesce", Args: []Expr{e, &Literal{Kind: LitBool}}, Loc: e.Location()}, Loc: e.Location()}
}

func leaf(r any) gform { return &fLeaf{r} }

// keyOnly reports whether e reads no aggregate: a condition on the BY keys.
func keyOnly(e Expr) bool { return !refersToAgg(e) }

// pushDown is a condition on the keys, as a condition on a member: the
// keys replaced by what they read.
func pushDown(e Expr) Expr {
	return substituteRefs(e, func(x Expr) (Expr, bool) {
		if k, ok := x.(*keyRef); ok {
			return k.X, true
		}
		return nil, false
	})
}

// substituteRefs replaces the lowering's own nodes where fn says.
func substituteRefs(e Expr, fn func(Expr) (Expr, bool)) Expr {
	if y, ok := fn(e); ok {
		return y
	}
	switch x := e.(type) {
	case *Or:
		return &Or{X: substituteAll(x.X, fn), Loc: x.Loc}
	case *And:
		return &And{X: substituteAll(x.X, fn), Loc: x.Loc}
	case *Not:
		return &Not{X: substituteRefs(x.X, fn), Loc: x.Loc}
	case *Compare:
		return &Compare{Op: x.Op, L: substituteRefs(x.L, fn), R: substituteRefs(x.R, fn), Loc: x.Loc}
	case *In:
		return &In{X: substituteRefs(x.X, fn), List: substituteAll(x.List, fn), Not: x.Not, Loc: x.Loc}
	case *Like:
		c := *x
		c.X = substituteRefs(x.X, fn)
		return &c
	case *IsNull:
		return &IsNull{X: substituteRefs(x.X, fn), Not: x.Not, Loc: x.Loc}
	case *Arith:
		return &Arith{Op: x.Op, L: substituteRefs(x.L, fn), R: substituteRefs(x.R, fn), Loc: x.Loc}
	case *Neg:
		return &Neg{X: substituteRefs(x.X, fn), Loc: x.Loc}
	case *Cast:
		return &Cast{X: substituteRefs(x.X, fn), Type: x.Type, Loc: x.Loc}
	case *Call:
		c := *x
		c.Args = substituteAll(x.Args, fn)
		return &c
	case *matchOn:
		return &matchOn{X: substituteRefs(x.X, fn), M: x.M}
	}
	return e
}

func substituteAll(xs []Expr, fn func(Expr) (Expr, bool)) []Expr {
	out := make([]Expr, len(xs))
	for i, x := range xs {
		out[i] = substituteRefs(x, fn)
	}
	return out
}

// termOf puts an aggregate in canonical form.
func (g *groupAlg) termOf(r *aggRef) (*term, error) {
	key := exprKey(r)
	if t, ok := g.terms[key]; ok {
		return t, nil
	}
	t := &term{key: key, ref: r, phi: r.Filter, weight: 1}
	var arg Expr
	if len(r.Args) > 0 {
		arg = r.Args[0]
	}
	and := func(a, b Expr) Expr {
		if a == nil {
			return b
		}
		if b == nil {
			return a
		}
		return &And{X: []Expr{a, b}, Loc: b.Location()}
	}
	switch r.Fn {
	case "count":
		t.kind = tCount
		if !r.Star && arg != nil {
			if v, ok := fold(arg); ok && !hasRefs(arg) {
				// COUNT(1): every row; COUNT(null): none.
				if v.k == cNull {
					t.phi = &Literal{Kind: LitBool, Bool: false}
				}
				break
			}
			// COUNT(CASE(c, k)) for a constant k counts the rows where c
			// holds.
			if c, v, ok := onlyWhere(arg); ok {
				if k, isConst := fold(v); isConst && !hasRefs(v) && k.k != cNull {
					t.phi = and(t.phi, c)
					break
				}
			}
			t.phi = and(t.phi, &IsNull{X: arg, Not: true, Loc: arg.Location()})
		}
	case "count_distinct":
		t.kind, t.e = tDistinct, arg
		if len(r.Args) > 1 {
			// The precision threshold: counts up to it are exact.
			if p, ok := fold(r.Args[1]); !ok || p.k != cInt {
				return nil, g.unsupported(r.Loc, "COUNT_DISTINCT() with a precision that is not a constant")
			}
		}
	case "sum":
		if c, k, ok := indicator(arg); ok {
			t.kind, t.weight = tCount, k
			t.phi = and(t.phi, c)
			break
		}
		t.kind, t.e = tSum, arg
	case "min", "max":
		t.kind, t.e = tMin, arg
		if r.Fn == "max" {
			t.kind = tMax
		}
	case "avg", "median", "median_absolute_deviation", "weighted_avg", "percentile":
		t.kind, t.e = tAvg, arg
		if r.Fn == "median_absolute_deviation" {
			return nil, g.unsupported(r.Loc, "MEDIAN_ABSOLUTE_DEVIATION()")
		}
	case "values", "top":
		t.kind, t.e = tValues, arg
	case "first", "last", "sample":
		t.kind, t.e = tAny, arg
	default:
		return nil, g.unsupported(r.Loc, "%s()", strings.ToUpper(r.Fn))
	}
	// A value only where a condition holds (CASE(c, v) or CASE(c, v,
	// null)): the members the term reads are those where c holds, and
	// it reads v.
	if t.kind != tCount {
		if c, v, ok := onlyWhere(t.e); ok {
			t.phi, t.e = and(t.phi, c), v
		}
	}
	// SUM and AVG read numbers.
	if f, ok := t.e.(*Field); ok && (t.kind == tSum || t.kind == tAvg) && r.Level == 1 {
		g.l.hint(f.Name, estype.Double)
	}
	g.terms[key] = t
	return t, nil
}

// onlyWhere reads CASE(c, v) and CASE(c, v, null): v where c holds, null
// elsewhere.
func onlyWhere(e Expr) (cond, v Expr, ok bool) {
	c, isCall := e.(*Call)
	if !isCall || c.Name != "case" || (len(c.Args) != 2 && len(c.Args) != 3) {
		return nil, nil, false
	}
	if len(c.Args) == 3 {
		if z, ok := fold(c.Args[2]); !ok || z.k != cNull || hasRefs(c.Args[2]) {
			return nil, nil, false
		}
	}
	return c.Args[0], c.Args[1], true
}

// indicator recognizes an argument of SUM that is k where a condition
// holds and 0 (or null) elsewhere: CASE(c, k, 0), CASE(c, k).
func indicator(e Expr) (Expr, float64, bool) {
	c, ok := e.(*Call)
	if !ok || c.Name != "case" || len(c.Args) < 2 || len(c.Args) > 3 {
		return nil, 0, false
	}
	k, ok := fold(c.Args[1])
	if !ok || hasRefs(c.Args[1]) || !k.isNumber() || k.float() <= 0 {
		return nil, 0, false
	}
	if len(c.Args) == 3 {
		z, ok := fold(c.Args[2])
		if !ok || hasRefs(c.Args[2]) || !(z.k == cNull || z.isNumber() && z.float() == 0) {
			return nil, 0, false
		}
	}
	return c.Args[0], k.float(), true
}

func (g *groupAlg) atom(e Expr, want bool) (gform, error) {
	if keyOnly(e) {
		c := pushDown(e)
		if !want {
			c = &Not{X: c, Loc: e.Location()}
		}
		return leaf(everyMember{cond: c}), nil
	}
	switch x := e.(type) {
	case *Compare:
		return g.compare(x.L, x.Op, x.R, want, x.Loc)
	case *In:
		var alts []gform
		for _, y := range x.List {
			c, err := g.compare(x.X, Eq, y, want != x.Not, y.Location())
			if err != nil {
				return nil, err
			}
			alts = append(alts, c)
		}
		if want != x.Not {
			return g.or(x.Loc, alts...), nil
		}
		return g.and(x.Loc, alts...), nil
	case *IsNull:
		return g.isNull(x.X, x.Not != want, x.Loc)
	case *Like:
		return g.valuesLike(x, want)
	case *Call:
		switch x.Name {
		case "mv_contains":
			return g.mvContains(x, want)
		}
	case *aggRef:
		// A boolean aggregate (MAX(bool), VALUES(bool)).
		return g.compare(x, Eq, &Literal{Kind: LitBool, Bool: true, Loc: x.Loc}, want, x.Loc)
	}
	return nil, g.unsupported(e.Location(), "%s as a condition on a group", describe2(e))
}

// compare lowers "l op r is want" where an aggregate is read.
func (g *groupAlg) compare(l Expr, op CmpOp, r Expr, want bool, loc Loc) (gform, error) {
	if readsDistance(l) || readsDistance(r) {
		return g.geoAtom(l, op, r, want, loc)
	}
	if !refersToAgg(l) && !refersToAgg(r) {
		c := pushDown(&Compare{Op: op, L: l, R: r, Loc: loc})
		if !want {
			c = &Not{X: c, Loc: loc}
		}
		return leaf(everyMember{cond: c}), nil
	}
	lc, rc := !hasRefs(l), !hasRefs(r)
	if lc && !rc {
		l, r, op = r, l, op.flip()
		lc, rc = rc, lc
	}
	if rc {
		v, ok := fold(r)
		if !ok {
			return nil, g.unsupported(r.Location(), "a constant emit does not evaluate")
		}
		if v.k == cNull {
			return &fConst{false}, nil
		}
		if !want {
			op = op.negated()
		}
		return g.cmp(l, op, v, loc)
	}
	// Two sides that read the group: times in order, or a check on the
	// terms' values.
	if t, ok := g.timeTerm(l); ok {
		if u, ok := g.timeTerm(r); ok {
			return g.timeCompare(t, op, u, want, loc)
		}
	}
	return g.checkOf(&Compare{Op: op, L: l, R: r, Loc: loc}, want)
}

// checkOf makes a check of a condition over several count terms.
func (g *groupAlg) checkOf(e Expr, want bool) (gform, error) {
	var err error
	walkAll(e, func(x Expr) bool {
		if r, ok := x.(*aggRef); ok {
			t, terr := g.termOf(r)
			if terr != nil {
				err = terr
				return false
			}
			if t.kind != tCount && t.kind != tDistinct {
				err = g.unsupported(r.Loc, "%s in a condition with other aggregates", describe2(r))
				return false
			}
		}
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	return leaf(check{e: e, want: want}), nil
}

// cmp lowers "e op v is true" for an expression e over the group and a
// constant v.
func (g *groupAlg) cmp(e Expr, op CmpOp, v cval, loc Loc) (gform, error) {
	if !hasRefs(e) {
		c, ok := fold(e)
		if !ok {
			return nil, g.unsupported(e.Location(), "a constant emit does not evaluate")
		}
		res, ok := compareConsts(op, c, v)
		return &fConst{ok && res}, nil
	}
	if op == Ne {
		lt, err := g.cmp(e, Lt, v, loc)
		if err != nil {
			return nil, err
		}
		gt, err := g.cmp(e, Gt, v, loc)
		if err != nil {
			return nil, err
		}
		if v.k == cStr || v.k == cBool {
			eq, err := g.cmp(e, Eq, v, loc)
			if err != nil {
				return nil, err
			}
			nn, err := g.isNull(e, false, loc)
			if err != nil {
				return nil, err
			}
			return g.and(loc, nn, g.not(loc, eq)), nil
		}
		return g.or(loc, lt, gt), nil
	}
	switch x := e.(type) {
	case *aggRef:
		return g.aggCmp(x, op, v, loc)
	case *Cast:
		return g.cmp(x.X, op, v, loc)
	case *Neg:
		if v.isNumber() {
			return g.numIn(x.X, interval.Affine(interval.Compare(op.interval(), v.float()), -1, 0), loc)
		}
	case *Arith:
		if v.isNumber() {
			return g.numIn(e, interval.Compare(op.interval(), v.float()), loc)
		}
	case *Call:
		if typ, ok := convFuncs[x.Name]; ok && len(x.Args) == 1 && (typ == "double" || typ == "long" || typ == "integer" || typ == "keyword") {
			if typ == "keyword" && v.k == cStr {
				return g.cmp(x.Args[0], op, cval{k: cStr, s: v.s}, loc)
			}
			return g.cmp(x.Args[0], op, v, loc)
		}
		switch x.Name {
		case "case", "coalesce":
			bs, err := branches[gform](g, x)
			if err != nil {
				return nil, err
			}
			var alts []gform
			for _, b := range bs {
				c, err := g.cmp(b.v, op, v, loc)
				if err != nil {
					return nil, err
				}
				alts = append(alts, g.and(loc, b.cond, c))
			}
			return g.or(loc, alts...), nil
		case "date_diff":
			return g.dateDiff(x, interval.Compare(op.interval(), v.float()), loc)
		case "locate":
			if v.isNumber() {
				return g.locateIn(x, interval.Compare(op.interval(), v.float()), loc)
			}
		case "mv_count":
			if r, ok := x.Args[0].(*aggRef); ok && r.Fn == "values" {
				t, err := g.termOf(&aggRef{Level: r.Level, Fn: "count_distinct", Args: r.Args, Filter: r.Filter, Loc: r.Loc})
				if err != nil {
					return nil, err
				}
				return leaf(termIn{t: t, set: interval.Compare(op.interval(), v.float())}), nil
			}
		case "mv_min", "mv_max", "mv_first", "mv_last", "mv_concat", "mv_dedupe", "mv_sort", "mv_slice", "to_lower", "to_upper":
			if r, ok := x.Args[0].(*aggRef); ok && (r.Fn == "values" || r.Fn == "top") {
				return g.single(r, &Call{Name: x.Name, Args: append([]Expr{r.Args[0]}, x.Args[1:]...), Loc: x.Loc}, op, v, loc)
			}
		case "round":
			if v.isNumber() {
				return g.numIn(e, interval.Compare(op.interval(), v.float()), loc)
			}
		}
		if v.isNumber() && countOnly(g, e) {
			return g.checkOf(&Compare{Op: op, L: e, R: constExprOf(v, loc), Loc: loc}, true)
		}
	}
	return nil, g.unsupported(loc, "%s compared to a constant", describe2(e))
}

// countOnly reports whether e reads only counts and distinct counts.
func countOnly(g *groupAlg, e Expr) bool {
	ok := true
	walkAll(e, func(x Expr) bool {
		if r, isAgg := x.(*aggRef); isAgg {
			t, err := g.termOf(r)
			if err != nil || (t.kind != tCount && t.kind != tDistinct) {
				ok = false
			}
			return false
		}
		if _, isKey := x.(*keyRef); isKey {
			ok = false
		}
		return ok
	})
	return ok
}

// numIn lowers "e is in s" for arithmetic on one aggregate.
func (g *groupAlg) numIn(e Expr, s reals, loc Loc) (gform, error) {
	switch x := e.(type) {
	case *aggRef:
		return g.aggSet(x, s, loc)
	case *Cast:
		return g.numIn(x.X, s, loc)
	case *Neg:
		return g.numIn(x.X, interval.Affine(s, -1, 0), loc)
	case *Call:
		if x.Name == "to_double" || x.Name == "to_long" || x.Name == "to_integer" {
			return g.numIn(x.Args[0], s, loc)
		}
		if x.Name == "round" && len(x.Args) >= 1 {
			digits := int64(0)
			if len(x.Args) == 2 {
				d, ok := intArg(x, 1)
				if !ok {
					break
				}
				digits = d
			}
			return g.numIn(x.Args[0], roundPre(s, int(digits)), loc)
		}
	case *Arith:
		if refersToAgg(x.L) && refersToAgg(x.R) {
			if countOnly(g, x) {
				return g.checkSet(x, s, loc)
			}
			// TO_LONG(time) - TO_LONG(time): milliseconds between two
			// times of the group.
			if x.Op == Sub {
				t2, ok2 := g.timeTerm(stripToLong(x.L))
				t1, ok1 := g.timeTerm(stripToLong(x.R))
				if ok1 && ok2 && isToLong(x.L) && isToLong(x.R) {
					return g.timeSpread(t1, t2, interval.Ints(s), loc), nil
				}
			}
			if pinnable(g, x) && !readsTime(g, x) {
				return g.checkSet(x, s, loc)
			}
			return nil, g.unsupported(loc, "arithmetic on aggregates (%s)", x.Location().Text(g.l.src))
		}
		y, c := x.L, x.R
		left := refersToAgg(x.L)
		if !left {
			y, c = x.R, x.L
		}
		cv, ok := fold(c)
		if !ok || hasRefs(c) || !cv.isNumber() {
			return nil, g.unsupported(loc, "arithmetic on an aggregate with %s", describe2(c))
		}
		k := cv.float()
		switch x.Op {
		case Add:
			return g.numIn(y, interval.Affine(s, 1, -k), loc)
		case Sub:
			if left {
				return g.numIn(y, interval.Affine(s, 1, k), loc)
			}
			return g.numIn(y, interval.Affine(s, -1, k), loc)
		case Mul:
			if k == 0 {
				return nil, g.unsupported(loc, "an aggregate times zero")
			}
			return g.numIn(y, interval.Div(s, k), loc)
		case Div:
			if left && k != 0 {
				if cv.k == cFloat {
					return g.numIn(y, interval.Affine(s, k, 0), loc)
				}
				q := s
				if k < 0 {
					q = interval.Affine(s, -1, 0)
				}
				return g.numIn(y, truncDivInverse(q, math.Abs(k)), loc)
			}
		}
	}
	if countOnly(g, e) {
		return g.checkSet(e, s, loc)
	}
	return nil, g.unsupported(loc, "%s compared to a number", describe2(e))
}

// readsTime reports whether e reads a time aggregate (its value is not
// one a check can pin).
func readsTime(g *groupAlg, e Expr) bool {
	found := false
	walkAll(e, func(x Expr) bool {
		if r, isAgg := x.(*aggRef); isAgg {
			if _, ok := g.timeTerm(r); ok {
				found = true
			}
			return false
		}
		return !found
	})
	return found
}

// stripToLong removes the conversions of a time to its milliseconds.
func stripToLong(e Expr) Expr {
	for {
		switch x := e.(type) {
		case *Cast:
			if x.Type != "long" {
				return e
			}
			e = x.X
		case *Call:
			if x.Name != "to_long" || len(x.Args) != 1 {
				return e
			}
			e = x.Args[0]
		default:
			return e
		}
	}
}

// isToLong reports whether e converts to milliseconds (a time less
// another is a duration in ES|QL otherwise).
func isToLong(e Expr) bool { return stripToLong(e) != e }

// checkSet is a check that e is in s.
func (g *groupAlg) checkSet(e Expr, s reals, loc Loc) (gform, error) {
	var alts []gform
	for _, r := range s.R {
		var conds []Expr
		if !math.IsInf(float64(r.Lo), -1) {
			conds = append(conds, &Compare{Op: Ge, L: e, R: constExprOf(cval{k: cFloat, f: float64(r.Lo)}, loc), Loc: loc})
		}
		if !math.IsInf(float64(r.Hi), 1) {
			conds = append(conds, &Compare{Op: Le, L: e, R: constExprOf(cval{k: cFloat, f: float64(r.Hi)}, loc), Loc: loc})
		}
		var c Expr = &IsNull{X: e, Not: true, Loc: loc}
		if len(conds) == 1 {
			c = conds[0]
		} else if len(conds) == 2 {
			c = &And{X: conds, Loc: loc}
		}
		alts = append(alts, leaf(check{e: c, want: true}))
	}
	return g.or(loc, alts...), nil
}

// aggSet lowers "the aggregate is in s" for a set of numbers.
func (g *groupAlg) aggSet(r *aggRef, s reals, loc Loc) (gform, error) {
	t, err := g.termOf(r)
	if err != nil {
		return nil, err
	}
	if t.kind == tCount || t.kind == tDistinct {
		return leaf(termIn{t: t, set: s}), nil
	}
	var alts []gform
	for _, iv := range s.R {
		c, err := g.valueBounds(t, iv, loc)
		if err != nil {
			return nil, err
		}
		alts = append(alts, c)
	}
	return g.and(loc, leaf(valueIn{t: t, set: s}), g.or(loc, alts...)), nil
}

// pinnable reports whether a check on e can be decided by giving each
// aggregate it reads one value: counts, and aggregates of values that
// the members can all hold (MIN, MAX, AVG, SUM, ...).
func pinnable(g *groupAlg, e Expr) bool {
	ok := true
	walkAll(e, func(x Expr) bool {
		if r, isAgg := x.(*aggRef); isAgg {
			t, err := g.termOf(r)
			if err != nil || t.kind == tValues {
				ok = false
			}
			return false
		}
		if _, isKey := x.(*keyRef); isKey {
			ok = false
		}
		return ok
	})
	return ok
}

// aggCmp lowers "aggregate op v" (op not Ne).
func (g *groupAlg) aggCmp(r *aggRef, op CmpOp, v cval, loc Loc) (gform, error) {
	t, err := g.termOf(r)
	if err != nil {
		return nil, err
	}
	switch {
	case v.isNumber() && (t.kind == tCount || t.kind == tDistinct):
		return leaf(termIn{t: t, set: interval.Compare(op.interval(), v.float())}), nil
	case t.kind == tCount || t.kind == tDistinct:
		return nil, g.unsupported(loc, "a count compared to a %s", kindName(v.k))
	case v.isNumber() && t.kind != tValues:
		return g.aggSet(r, interval.Compare(op.interval(), v.float()), loc)
	}
	// A date, a string, a boolean: conditions on the members' values.
	k := constExprOf(v, loc)
	cmp := func(op CmpOp) Expr { return &Compare{Op: op, L: t.e, R: k, Loc: loc} }
	some := func(c Expr) gform { return leaf(someMember{phi: t.phi, cond: c}) }
	every := func(c Expr) gform { return leaf(everyMember{phi: t.phi, cond: orNull(t.e, c)}) }
	if v.k == cBool && (t.kind == tMax || t.kind == tMin) && (op == Eq || op == Ne) {
		// MAX of booleans is true when one is (MIN false when one is);
		// else every value is the other.
		b := v.b != (op == Ne)
		eq := &Compare{Op: Eq, L: t.e, R: constExprOf(cval{k: cBool, b: b}, loc), Loc: loc}
		if (t.kind == tMax) == b {
			return some(eq), nil
		}
		return g.and(loc, every(eq), some(eq)), nil
	}
	switch t.kind {
	case tMax:
		// The greatest value compares: each value is below an upper bound,
		// and one reaches a lower bound.
		switch op {
		case Lt, Le:
			return g.and(loc, every(cmp(op)), some(&IsNull{X: t.e, Not: true, Loc: loc})), nil
		case Gt, Ge:
			return some(cmp(op)), nil
		case Eq:
			return g.and(loc, every(cmp(Le)), some(cmp(Eq))), nil
		}
	case tMin:
		switch op {
		case Gt, Ge:
			return g.and(loc, every(cmp(op)), some(&IsNull{X: t.e, Not: true, Loc: loc})), nil
		case Lt, Le:
			return some(cmp(op)), nil
		case Eq:
			return g.and(loc, every(cmp(Ge)), some(cmp(Eq))), nil
		}
	case tValues, tAvg, tAny, tSum:
		if t.kind == tSum && v.k != cBool {
			break
		}
		// One value, compared: every member's value compares, and they
		// share it (a multi-valued result compares as null).
		return g.and(loc, every(cmp(op)), some(&IsNull{X: t.e, Not: true, Loc: loc}), leaf(shareValue{phi: t.phi, e: t.e})), nil
	}
	return nil, g.unsupported(loc, "%s compared to a %s", describe2(r), kindName(v.k))
}

// orNull is "e is null or c": the members whose value is null do not
// enter the aggregate.
func orNull(e, c Expr) Expr {
	return &Or{X: []Expr{&IsNull{X: e, Loc: c.Location()}, c}, Loc: c.Location()}
}

// valueBounds lowers "the aggregate's value is in iv" for min, max, avg,
// sum and the like over numbers.
func (g *groupAlg) valueBounds(t *term, iv interval.Range[interval.Float], loc Loc) (gform, error) {
	lo, hi := float64(iv.Lo), float64(iv.Hi)
	bound := func(op CmpOp, k float64) Expr {
		return &Compare{Op: op, L: t.e, R: constExprOf(cval{k: cFloat, f: k}, loc), Loc: loc}
	}
	var every []Expr
	var some []Expr
	present := &IsNull{X: t.e, Not: true, Loc: loc}
	switch t.kind {
	case tMax:
		if !math.IsInf(hi, 1) {
			every = append(every, bound(Le, hi))
		}
		if !math.IsInf(lo, -1) {
			some = append(some, bound(Ge, lo))
		}
	case tMin:
		if !math.IsInf(lo, -1) {
			every = append(every, bound(Ge, lo))
		}
		if !math.IsInf(hi, 1) {
			some = append(some, bound(Le, hi))
		}
	case tAvg, tAny:
		if !math.IsInf(lo, -1) {
			every = append(every, bound(Ge, lo))
		}
		if !math.IsInf(hi, 1) {
			every = append(every, bound(Le, hi))
		}
	case tSum:
		return leaf(sumIn{t: t, lo: lo, hi: hi, loc: loc}), nil
	case tValues:
		if !math.IsInf(lo, -1) {
			every = append(every, bound(Ge, lo))
		}
		if !math.IsInf(hi, 1) {
			every = append(every, bound(Le, hi))
		}
		var xs []gform
		for _, c := range every {
			xs = append(xs, leaf(everyMember{phi: t.phi, cond: orNull(t.e, c)}))
		}
		xs = append(xs, leaf(someMember{phi: t.phi, cond: present}), leaf(shareValue{phi: t.phi, e: t.e}))
		return g.and(loc, xs...), nil
	default:
		return nil, g.unsupported(loc, "%s compared to a number", describe2(t.ref))
	}
	var xs []gform
	for _, c := range every {
		xs = append(xs, leaf(everyMember{phi: t.phi, cond: orNull(t.e, c)}))
	}
	if len(some) == 0 {
		some = append(some, present)
	}
	var sc Expr = some[0]
	if len(some) > 1 {
		sc = &And{X: some, Loc: loc}
	}
	xs = append(xs, leaf(someMember{phi: t.phi, cond: sc}))
	return g.and(loc, xs...), nil
}

// sumIn: the sum of the members' values is in [lo, hi]; resolved once the
// number of members is known (each value within [lo, hi] / n).
type sumIn struct {
	t      *term
	lo, hi float64
	loc    Loc
}

// single lowers a comparison of a function of VALUES(e) that reads one
// value (MV_MIN, MV_CONCAT, ...): the members share e, and it compares.
func (g *groupAlg) single(r *aggRef, f Expr, op CmpOp, v cval, loc Loc) (gform, error) {
	t, err := g.termOf(r)
	if err != nil {
		return nil, err
	}
	c := &Compare{Op: op, L: f, R: constExprOf(v, loc), Loc: loc}
	return g.and(loc,
		leaf(everyMember{phi: t.phi, cond: orNull(t.e, c)}),
		leaf(someMember{phi: t.phi, cond: &IsNull{X: t.e, Not: true, Loc: loc}}),
		leaf(shareValue{phi: t.phi, e: t.e})), nil
}

// valuesLike lowers LIKE and RLIKE of a function of VALUES(e).
func (g *groupAlg) valuesLike(x *Like, want bool) (gform, error) {
	inner := x.X
	var wrap func(Expr) Expr
	if c, ok := inner.(*Call); ok && len(c.Args) >= 1 {
		switch c.Name {
		case "mv_concat", "mv_min", "mv_max", "mv_first", "mv_last", "to_lower", "to_upper", "to_string":
			inner = c.Args[0]
			wrap = func(e Expr) Expr {
				d := *c
				d.Args = append([]Expr{e}, c.Args[1:]...)
				return &d
			}
		}
	}
	r, ok := inner.(*aggRef)
	if !ok || (r.Fn != "values" && r.Fn != "top") {
		return nil, g.unsupported(x.Loc, "%s of %s", likeName(x), describe2(x.X))
	}
	t, err := g.termOf(r)
	if err != nil {
		return nil, err
	}
	var member Expr = t.e
	if wrap != nil {
		member = wrap(t.e)
	}
	if c, ok := x.X.(*Call); ok && c.Name == "mv_concat" && containsShaped(x) {
		// The values joined hold a substring when one of them does; none
		// holds it when no value does (a separator aside).
		like := *x
		like.X = t.e
		like.Not = false
		if want != x.Not {
			return leaf(someMember{phi: t.phi, cond: &like}), nil
		}
		return g.and(x.Loc,
			leaf(everyMember{phi: t.phi, cond: orNull(t.e, &Not{X: &like, Loc: x.Loc})}),
			leaf(someMember{phi: t.phi, cond: &IsNull{X: t.e, Not: true, Loc: x.Loc}})), nil
	}
	like := *x
	like.X = member
	var c Expr = &like
	if !want {
		c = &Not{X: c, Loc: x.Loc}
	}
	return g.and(x.Loc,
		leaf(everyMember{phi: t.phi, cond: orNull(t.e, c)}),
		leaf(someMember{phi: t.phi, cond: &IsNull{X: t.e, Not: true, Loc: x.Loc}}),
		leaf(shareValue{phi: t.phi, e: t.e})), nil
}

// mvContains lowers MV_CONTAINS(VALUES(e), v).
func (g *groupAlg) mvContains(x *Call, want bool) (gform, error) {
	r, ok := x.Args[0].(*aggRef)
	if !ok || r.Fn != "values" || hasRefs(x.Args[1]) {
		return nil, g.unsupported(x.Loc, "MV_CONTAINS() of %s", describe2(x.Args[0]))
	}
	t, err := g.termOf(r)
	if err != nil {
		return nil, err
	}
	eq := &Compare{Op: Eq, L: t.e, R: x.Args[1], Loc: x.Loc}
	if want {
		return leaf(someMember{phi: t.phi, cond: eq}), nil
	}
	return g.and(x.Loc,
		leaf(everyMember{phi: t.phi, cond: notTrueExpr(eq)}),
		leaf(someMember{phi: t.phi, cond: &IsNull{X: t.e, Not: true, Loc: x.Loc}})), nil
}

// isNull lowers "e is null" (isNull true) or "is not null".
func (g *groupAlg) isNull(e Expr, null bool, loc Loc) (gform, error) {
	r, ok := e.(*aggRef)
	if !ok {
		if c, isCall := e.(*Call); isCall && (c.Name == "mv_first" || c.Name == "mv_min" || c.Name == "mv_max" || c.Name == "mv_last" || c.Name == "mv_concat" || c.Name == "mv_dedupe" || c.Name == "mv_slice") {
			return g.isNull(c.Args[0], null, loc)
		}
		if keyOnly(e) {
			c := pushDown(&IsNull{X: e, Not: !null, Loc: loc})
			return leaf(everyMember{cond: c}), nil
		}
		if cs, ok := e.(*Call); ok && (cs.Name == "case" || cs.Name == "coalesce") {
			bs, err := branches[gform](g, cs)
			if err != nil {
				return nil, err
			}
			var alts []gform
			for _, b := range bs {
				c, err := g.isNull(b.v, null, loc)
				if err != nil {
					return nil, err
				}
				alts = append(alts, g.and(loc, b.cond, c))
			}
			return g.or(loc, alts...), nil
		}
		return nil, g.unsupported(loc, "%s compared to null", describe2(e))
	}
	t, err := g.termOf(r)
	if err != nil {
		return nil, err
	}
	switch t.kind {
	case tCount, tDistinct:
		return &fConst{!null}, nil
	}
	present := &IsNull{X: t.e, Not: true, Loc: loc}
	if null {
		return leaf(everyMember{phi: t.phi, cond: &IsNull{X: t.e, Loc: loc}}), nil
	}
	return leaf(someMember{phi: t.phi, cond: present}), nil
}

// timeTerm recognizes the earliest or latest time of (some of) the
// members: MIN or MAX of @timestamp, or of CASE(c, @timestamp, null).
func (g *groupAlg) timeTerm(e Expr) (*term, bool) {
	r, ok := e.(*aggRef)
	if !ok || (r.Fn != "min" && r.Fn != "max") || len(r.Args) != 1 {
		return nil, false
	}
	// MIN of the MINs of the groups below (MAX of MAXs): the first (last)
	// time of all their documents.
	arg := r.Args[0]
	for {
		inner, ok := arg.(*aggRef)
		if !ok {
			break
		}
		if inner.Fn != r.Fn || len(inner.Args) != 1 || inner.Filter != nil || inner.Inline || r.Filter != nil {
			return nil, false
		}
		arg = inner.Args[0]
	}
	if !isTimestamp(arg) {
		return nil, false
	}
	t, err := g.termOf(r)
	return t, err == nil
}

// isTimestamp reports whether e is @timestamp, possibly only where a
// condition holds (CASE(c, @timestamp, null)).
func isTimestamp(e Expr) bool {
	switch x := e.(type) {
	case *Field:
		return x.Name == timestampField
	case *Call:
		if x.Name == "case" && (len(x.Args) == 2 || len(x.Args) == 3) {
			if len(x.Args) == 3 {
				if v, ok := fold(x.Args[2]); !ok || v.k != cNull || hasRefs(x.Args[2]) {
					return false
				}
			}
			return isTimestamp(x.Args[1])
		}
		if x.Name == "to_long" || x.Name == "to_datetime" {
			return isTimestamp(x.Args[0])
		}
	}
	return false
}

// timeCond is the condition under which a time term reads a member.
func timeCond(t *term) Expr { return t.phi }

// timeCompare orders two time terms: the members the first reads come
// before (or after) those the second reads.
func (g *groupAlg) timeCompare(t *term, op CmpOp, u *term, want bool, loc Loc) (gform, error) {
	if !want {
		op = op.negated()
	}
	a, b := timeCond(t), timeCond(u)
	present := g.and(loc, leaf(someMember{phi: t.phi, cond: &IsNull{X: t.e, Not: true, Loc: loc}}),
		leaf(someMember{phi: u.phi, cond: &IsNull{X: u.e, Not: true, Loc: loc}}))
	switch op {
	case Lt, Le:
		return g.and(loc, present, leaf(timeOrder{a: a, b: b})), nil
	case Gt, Ge:
		return g.and(loc, present, leaf(timeOrder{a: b, b: a})), nil
	case Eq:
		if a == nil && b == nil && t.kind != u.kind {
			// The first and the last time of the group are the same: one
			// instant.
			return g.and(loc, present, leaf(timeSpan{lo: 0, hi: 0})), nil
		}
	}
	return nil, g.unsupported(loc, "times of a group compared with %s", op)
}

// timeSpread lowers "t2 - t1 is in diff" (milliseconds) for two time
// terms of the group: the members t1 reads come before those t2 reads
// (after, for a negative difference), and the group spans the
// difference.
func (g *groupAlg) timeSpread(t1, t2 *term, diff interval.Set[interval.Float], loc Loc) gform {
	var alts []gform
	for _, r := range diff.R {
		lo, hi := float64(r.Lo), float64(r.Hi)
		if hi < 0 {
			// b before a: the order flips.
			alts = append(alts, g.and(loc, leaf(timeOrder{a: timeCond(t2), b: timeCond(t1)}), spanOf(-hi, -lo)))
			continue
		}
		lo = math.Max(lo, 0)
		var parts []gform
		if timeCond(t1) != nil || timeCond(t2) != nil || t1.kind == tMin && lo > 0 {
			parts = append(parts, leaf(timeOrder{a: timeCond(t1), b: timeCond(t2)}))
		}
		parts = append(parts, spanOf(lo, hi))
		alts = append(alts, g.and(loc, parts...))
	}
	present := g.and(loc, leaf(someMember{phi: t1.phi, cond: &IsNull{X: t1.e, Not: true, Loc: loc}}),
		leaf(someMember{phi: t2.phi, cond: &IsNull{X: t2.e, Not: true, Loc: loc}}))
	return g.and(loc, present, g.or(loc, alts...))
}

// dateDiff lowers "DATE_DIFF(unit, a, b) is in s" where a and b are time
// terms of the group or NOW().
func (g *groupAlg) dateDiff(x *Call, s reals, loc Loc) (gform, error) {
	unit, ok := strArg(x, 0)
	if !ok {
		return nil, g.unsupported(x.Loc, "DATE_DIFF() with a unit that is not a constant")
	}
	d, ok := diffUnit(unit)
	if !ok {
		return nil, g.unsupported(x.Args[0].Location(), "DATE_DIFF() in %s", unit)
	}
	// DATE_DIFF truncates toward zero: k units when the difference is in
	// [k, k+1) units (k > 0), (-1, 1) for 0.
	diff := diffPre(interval.Ints(s), d)
	t1, ok1 := g.timeTerm(x.Args[1])
	t2, ok2 := g.timeTerm(x.Args[2])
	now1, now2 := isNow(x.Args[1]), isNow(x.Args[2])
	switch {
	case ok1 && ok2:
		return g.timeSpread(t1, t2, diff, loc), nil
	case ok1 && now2, ok2 && now1:
		// The time against now: a bound on @timestamp.
		t := t1
		if ok2 {
			t = t2
			diff = interval.Affine(diff, -1, 0)
		}
		// now - ts in diff: ts in now - diff.
		var alts []gform
		for _, r := range diff.R {
			var conds []CmpOp
			var ks []float64
			if !math.IsInf(float64(r.Hi), 1) {
				conds, ks = append(conds, Ge), append(ks, float64(r.Hi))
			}
			if !math.IsInf(float64(r.Lo), -1) {
				conds, ks = append(conds, Le), append(ks, float64(r.Lo))
			}
			var parts []gform
			for i, op := range conds {
				ago := time.Duration(ks[i]) * time.Millisecond
				v, ok := dateMath(cval{k: cDuration, d: ago.Truncate(time.Second)}, true)
				if !ok {
					return nil, g.unsupported(loc, "DATE_DIFF() against a time that is not whole seconds")
				}
				c, err := g.aggCmp(t.ref, op, cval{k: cDate, s: joinMath("now", v)}, loc)
				if err != nil {
					return nil, err
				}
				parts = append(parts, c)
			}
			alts = append(alts, g.and(loc, parts...))
		}
		return g.or(loc, alts...), nil
	}
	return nil, g.unsupported(x.Loc, "DATE_DIFF() of %s and %s", describe2(x.Args[1]), describe2(x.Args[2]))
}

func spanOf(lo, hi float64) gform {
	h := time.Duration(-1)
	if !math.IsInf(hi, 1) {
		h = time.Duration(hi) * time.Millisecond
	}
	return leaf(timeSpan{lo: time.Duration(math.Max(lo, 0)) * time.Millisecond, hi: h})
}

func isNow(e Expr) bool {
	c, ok := e.(*Call)
	return ok && c.Name == "now"
}

// diffUnit is the length of a DATE_DIFF unit (the fixed ones).
func diffUnit(u string) (time.Duration, bool) {
	switch strings.ToLower(u) {
	case "millisecond", "milliseconds", "ms":
		return time.Millisecond, true
	case "second", "seconds", "ss", "s":
		return time.Second, true
	case "minute", "minutes", "mi", "n":
		return time.Minute, true
	case "hour", "hours", "hh":
		return time.Hour, true
	case "day", "days", "dd", "d":
		return 24 * time.Hour, true
	case "week", "weeks", "wk", "ww":
		return 7 * 24 * time.Hour, true
	}
	return 0, false
}

// diffPre is the set of differences in milliseconds whose truncation to
// whole units of d is in the integers of s.
func diffPre(s reals, d time.Duration) reals {
	u := float64(d / time.Millisecond)
	var out reals
	for _, r := range s.R {
		lo, hi := float64(r.Lo), float64(r.Hi)
		var a, b float64
		switch {
		case math.IsInf(lo, -1):
			a = math.Inf(-1)
		case lo > 0:
			a = lo * u
		default:
			a = lo*u - u + 1
		}
		switch {
		case math.IsInf(hi, 1):
			b = math.Inf(1)
		case hi < 0:
			b = hi * u
		default:
			b = hi*u + u - 1
		}
		out = out.Union(interval.Of(interval.Float(a), interval.Float(b)))
	}
	return out
}

// constExpr is a folded constant in an expression the lowering builds.
type constExpr struct {
	v   cval
	Loc Loc
}

func (*constExpr) exprNode()       {}
func (e *constExpr) Location() Loc { return e.Loc }
func (e *constExpr) String() string {
	switch e.v.k {
	case cStr:
		return quoteString(e.v.s)
	case cDate:
		return quoteString(e.v.s) + "::datetime"
	case cInt:
		return strconv.FormatInt(e.v.i, 10)
	case cFloat:
		return formatDouble(e.v.f)
	case cBool:
		return strconv.FormatBool(e.v.b)
	}
	return "NULL"
}

func constExprOf(v cval, loc Loc) Expr { return &constExpr{v: v, Loc: loc} }

// containsShaped reports whether every pattern of a LIKE or RLIKE asks for
// a substring: "*...*", ".*...*".
func containsShaped(x *Like) bool {
	for _, p := range x.Patterns {
		s := p.Str
		if x.RLike {
			if !strings.HasPrefix(s, ".*") || !strings.HasSuffix(s, ".*") || strings.HasSuffix(s, `\.*`) {
				return false
			}
			continue
		}
		if !strings.HasPrefix(s, "*") || !strings.HasSuffix(s, "*") || strings.HasSuffix(s, `\*`) {
			return false
		}
	}
	return true
}

// locateIn lowers "LOCATE(MV_CONCAT(VALUES(e), sep), key) is in s" for a
// key of the group: the key is among the values (a position from 1), or
// in none of them (0).
func (g *groupAlg) locateIn(x *Call, s reals, loc Loc) (gform, error) {
	if len(x.Args) != 2 || !keyOnly(x.Args[1]) {
		return nil, g.unsupported(x.Loc, "LOCATE() of a group other than a key in its values")
	}
	inner := x.Args[0]
	for {
		c, ok := inner.(*Call)
		if !ok || (c.Name != "mv_concat" && c.Name != "to_string" && c.Name != "mv_dedupe") {
			break
		}
		inner = c.Args[0]
	}
	r, ok := inner.(*aggRef)
	if !ok || r.Fn != "values" {
		return nil, g.unsupported(x.Loc, "LOCATE() of %s", describe2(x.Args[0]))
	}
	t, err := g.termOf(r)
	if err != nil {
		return nil, err
	}
	key := pushDown(x.Args[1])
	ints := interval.Ints(s)
	found := ints.Clamp(1, interval.Float(math.Inf(1)))
	present := leaf(someMember{phi: t.phi, cond: &IsNull{X: t.e, Not: true, Loc: loc}})
	switch {
	case ints.Contains(0) && found.IsEmpty():
		// In no value: no member's value holds the key.
		in := &Call{Name: "contains", Args: []Expr{&Call{Name: "to_string", Args: []Expr{t.e}, Loc: loc}, &Call{Name: "to_string", Args: []Expr{key}, Loc: loc}}, Loc: loc}
		return g.and(loc, present, leaf(everyMember{phi: t.phi, cond: orNull(t.e, &Not{X: in, Loc: loc})})), nil
	case !ints.Contains(0) && len(found.R) == 1 && float64(found.Min()) == 1 && math.IsInf(float64(found.Max()), 1):
		// Among the values: a member whose value is the key.
		eq := &Compare{Op: Eq, L: &Call{Name: "to_string", Args: []Expr{t.e}, Loc: loc}, R: &Call{Name: "to_string", Args: []Expr{key}, Loc: loc}, Loc: loc}
		return leaf(someMember{phi: t.phi, cond: eq}), nil
	}
	return nil, g.unsupported(x.Loc, "LOCATE() compared to a position")
}
