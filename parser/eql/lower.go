package eql

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/internal/interval"
)

// Constraints lowers the query to constraints (Lang "eql"). Each step
// becomes an Event whose condition, in negation normal form, is the
// condition conjoined with event.category == <category> (not for "any").
// A sequence has one Event per step (Runs keeps "with runs=N", Missing
// marks "![...]"), Joins from the sequence's "by" keys followed by the
// steps' own, MaxSpan and Until; a sample has its Events and Joins; the
// pipes set Head and Tail.
//
// Operators: "==" is Eq, "!=" not Eq, "f == null" not Exists, "f != null"
// Exists; ":" a case-insensitive Like (a literal pattern without
// wildcards), "like"/"like~" Like, "regex"/"regex~" Regex; "in"/"in~" an
// authored Or of Eq, "not in" its negation; <, <=, >, >= compare with a
// typed value. startsWith, endsWith, stringContains and wildcard become
// Like patterns, cidrMatch CIDR predicates, length a Len bound, arithmetic
// with one field a bound on the field, number() a pattern of integer
// spellings; substring, between, indexOf and concat compared to constants
// become Lucene regular expressions on their field. Two fields compared
// (==, <, ..., in, startsWith, endsWith, stringContains, indexOf == null)
// become Rel predicates. string(f) stands for f.
//
// What has no exact inverse (modulo, arithmetic on two fields, functions
// of transformed fields compared to fields, ...) yields a
// *constraint.UnsupportedError naming the construct and its position.
func (q *Query) Constraints() (*constraint.Query, error) {
	l := &lowerer{src: q.Src}
	out := &constraint.Query{Lang: "eql", Source: q.Src}
	switch q.Kind {
	case Sequence:
		out.Kind = constraint.Sequence
	case Sample:
		out.Kind = constraint.Sample
	default:
		out.Kind = constraint.EventQuery
	}
	for _, st := range q.Steps {
		cond, err := l.step(st)
		if err != nil {
			return nil, err
		}
		out.Events = append(out.Events, constraint.Event{
			Category: st.Category,
			Cond:     cond,
			Runs:     max(st.Runs, 1),
			Missing:  st.Missing,
			Span:     l.span(st.Loc),
		})
	}
	if q.Kind != EventQuery && len(q.Steps) > 0 {
		nkeys := len(q.By) + len(q.Steps[0].By)
		for k := 0; k < nkeys; k++ {
			key := make([]string, len(q.Steps))
			for i, st := range q.Steps {
				if k < len(q.By) {
					key[i] = q.By[k].Name
				} else {
					key[i] = st.By[k-len(q.By)].Name
				}
			}
			out.Joins = append(out.Joins, key)
		}
	}
	if q.MaxSpan != nil {
		out.MaxSpan = q.MaxSpan.Duration()
	}
	if q.Until != nil {
		cond, err := l.step(q.Until)
		if err != nil {
			return nil, err
		}
		out.Until = cond
	}
	for _, p := range q.Pipes {
		if p.N == 0 {
			return nil, &constraint.UnsupportedError{Span: l.span(p.Loc), What: fmt.Sprintf("| %s 0 returns no results", p.Name)}
		}
		lim := &out.Head
		if p.Name == "tail" {
			lim = &out.Tail
		}
		if *lim == 0 || p.N < *lim {
			*lim = p.N
		}
	}
	return out, nil
}

type lowerer struct {
	src string
}

func (l *lowerer) span(loc Loc) constraint.Span {
	return constraint.Span{Pos: loc.Start, Text: loc.Text(l.src)}
}

func (l *lowerer) unsupported(loc Loc, format string, args ...any) error {
	return &constraint.UnsupportedError{Span: l.span(loc), What: fmt.Sprintf(format, args...)}
}

// step lowers a step's category and condition, in negation normal form.
func (l *lowerer) step(st *Step) (constraint.Expr, error) {
	cond, err := l.cond(st.Cond, false)
	if err != nil {
		return nil, err
	}
	if !st.Any {
		cat := &constraint.Pred{Field: "event.category", Op: constraint.Eq, Value: constraint.String(st.Category), Span: l.span(st.CategoryLoc)}
		whole := Loc{Start: st.CategoryLoc.Start, End: st.Cond.Location().End}
		cond = &constraint.And{X: []constraint.Expr{cat, cond}, Span: l.span(whole)}
	}
	return constraint.NNF(cond), nil
}

// hasFields reports whether e refers to a field.
func hasFields(e Expr) bool {
	found := false
	Walk(e, func(x Expr) bool {
		if _, ok := x.(*Field); ok {
			found = true
		}
		return !found
	})
	return found
}

// constant evaluates an expression without fields.
func constant(e Expr) value {
	return newEvaluator(nil, nil).eval(e, nil)
}

// conds lowers each of xs with polarity neg.
func (l *lowerer) conds(xs []Expr, neg bool) ([]constraint.Expr, error) {
	var out []constraint.Expr
	for _, x := range xs {
		c, err := l.cond(x, neg)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// cond lowers a condition. neg is its polarity: true under an odd number
// of negations, where an approximation must over-approximate (the
// predicate will be negated) rather than under-approximate.
func (l *lowerer) cond(e Expr, neg bool) (constraint.Expr, error) {
	if !hasFields(e) {
		return &constraint.Bool{V: newEvaluator(nil, nil).cond(e), Span: l.span(e.Location())}, nil
	}
	switch x := e.(type) {
	case *Or:
		xs, err := l.conds(x.X, neg)
		if err != nil {
			return nil, err
		}
		return &constraint.Or{X: xs, Authored: true, Span: l.span(x.Loc)}, nil
	case *And:
		xs, err := l.conds(x.X, neg)
		if err != nil {
			return nil, err
		}
		return &constraint.And{X: xs, Span: l.span(x.Loc)}, nil
	case *Not:
		c, err := l.cond(x.X, !neg)
		if err != nil {
			return nil, err
		}
		return &constraint.Not{X: c, Span: l.span(x.Loc)}, nil
	case *Field:
		return &constraint.Pred{Field: x.Name, Op: constraint.Eq, Value: constraint.Boolean(true), Span: l.span(x.Loc)}, nil
	case *Compare:
		return l.compare(x, neg)
	case *In:
		return l.in(x, neg)
	case *PatternMatch:
		return l.patternMatch(x)
	case *Call:
		return l.boolCall(x, neg)
	}
	return nil, l.unsupported(e.Location(), "%s as a condition", describeExpr(e))
}

// describeExpr names an expression for messages.
func describeExpr(e Expr) string {
	switch x := e.(type) {
	case *Call:
		n := x.Name
		if x.CI {
			n += "~"
		}
		return n + "()"
	case *Arith:
		return "arithmetic (" + x.Op.String() + ")"
	case *Neg:
		return "a negation (-)"
	case *Literal:
		return "a constant"
	case *Field:
		return "a field"
	}
	return "an expression"
}

func (l *lowerer) not(x constraint.Expr, loc Loc) constraint.Expr {
	return &constraint.Not{X: x, Span: l.span(loc)}
}

// stripString removes string() wrappers: string(f) stands for f.
func stripString(e Expr) Expr {
	for {
		c, ok := e.(*Call)
		if !ok || c.Name != "string" {
			return e
		}
		e = c.Args[0]
	}
}

// plainField returns the field of e when e is a field (possibly wrapped in
// string()).
func plainField(e Expr) (*Field, bool) {
	f, ok := stripString(e).(*Field)
	return f, ok
}

func (l *lowerer) compare(x *Compare, neg bool) (constraint.Expr, error) {
	if b, other, ok := boolOperand(x); ok && (x.Op == Eq || x.Op == Ne) {
		if _, isField := other.(*Field); !isField {
			if b.Bool == (x.Op == Eq) {
				return l.cond(other, neg)
			}
			c, err := l.cond(other, !neg)
			if err != nil {
				return nil, err
			}
			return l.not(c, x.Loc), nil
		}
	}
	if isNullLit(x.L) || isNullLit(x.R) {
		other := x.L
		if isNullLit(x.L) {
			other = x.R
		}
		switch x.Op {
		case Eq:
			c, err := l.nonNull(other, !neg, x.Loc)
			if err != nil {
				return nil, err
			}
			return l.not(c, x.Loc), nil
		case Ne:
			return l.nonNull(other, neg, x.Loc)
		}
		return &constraint.Bool{V: false, Span: l.span(x.Loc)}, nil
	}
	if x.Op == Ne {
		c, err := l.relation(x.L, Eq, x.R, caseSensitive, !neg, x.Loc)
		if err != nil {
			return nil, err
		}
		return l.not(c, x.Loc), nil
	}
	return l.relation(x.L, x.Op, x.R, caseSensitive, neg, x.Loc)
}

// relation lowers "a op b" (op not Ne); ci makes string equality
// case-insensitive (in~).
// caseMode is whether a comparison ignores case (in~ and the "~"
// functions) or not.
type caseMode bool

const (
	caseSensitive   caseMode = false
	caseInsensitive caseMode = true
)

func (l *lowerer) relation(a Expr, op CmpOp, b Expr, cm caseMode, neg bool, loc Loc) (constraint.Expr, error) {
	ci := cm == caseInsensitive
	if !hasFields(a) {
		a, b, op = b, a, op.flip()
	}
	if !hasFields(a) {
		return &constraint.Bool{V: truthy(evalCompareCI(op, constant(a), constant(b), ci)), Span: l.span(loc)}, nil
	}
	if hasFields(b) {
		return l.fieldRelation(a, op, b, ci, loc)
	}
	v := constant(b)
	if v.k == vNull {
		return &constraint.Bool{V: false, Span: l.span(loc)}, nil
	}
	if f, ok := a.(*Field); ok {
		p := &constraint.Pred{Field: f.Name, Span: l.span(loc)}
		switch v.k {
		case vStr:
			p.Value = constraint.String(v.s)
			p.CI = ci && op == Eq
		case vInt:
			p.Value = constraint.Number(float64(v.i))
			p.Value.Str = strconv.FormatInt(v.i, 10)
		case vFloat:
			p.Value = constraint.Number(v.f)
		case vBool:
			if op != Eq {
				return nil, l.unsupported(loc, "ordering a field against a boolean")
			}
			p.Value = constraint.Boolean(v.b)
		}
		p.Op = predOps[op]
		return p, nil
	}
	switch kindOf(a) {
	case kindString:
		if v.k != vStr || op != Eq {
			return nil, l.unsupported(loc, "%s compared with %s to a non-string or by order", describeExpr(a), op)
		}
		return l.matchString(a, litPat(v.s, ci, true), loc)
	case kindNumber:
		if !v.isNumber() {
			return nil, l.unsupported(loc, "%s compared to a non-number", describeExpr(a))
		}
		return l.numeric(a, interval.Compare(intervalOp(op), v.float()), neg, loc)
	case kindBool:
		// Only "X in (true, ...)" gets here ("X == true" is folded before):
		// X must hold. "X in (false)" also needs X to be non-null, which
		// has no general form.
		if v.k != vBool || op != Eq || !v.b {
			return nil, l.unsupported(loc, "a condition compared in a list to %s", b.Location().Text(l.src))
		}
		return l.cond(a, neg)
	}
	return nil, l.unsupported(loc, "%s compared to a constant", describeExpr(a))
}

func truthy(v value) bool { return v.k == vBool && v.b }

func evalCompareCI(op CmpOp, a, b value, ci bool) value {
	if ci && op == Eq && a.k == vStr && b.k == vStr {
		return boolVal(strings.EqualFold(a.s, b.s))
	}
	return evalCompare(op, a, b)
}

// predOps maps comparison operators to predicate operators.
var predOps = map[CmpOp]constraint.Op{Eq: constraint.Eq, Lt: constraint.Lt, Le: constraint.Le, Gt: constraint.Gt, Ge: constraint.Ge}

var relKinds = map[CmpOp]constraint.RelKind{Eq: constraint.RelEq, Lt: constraint.RelLt, Le: constraint.RelLe, Gt: constraint.RelGt, Ge: constraint.RelGe}

// fieldRelation lowers a comparison of two fields.
func (l *lowerer) fieldRelation(a Expr, op CmpOp, b Expr, ci bool, loc Loc) (constraint.Expr, error) {
	fa, ok1 := plainField(a)
	fb, ok2 := plainField(b)
	if !ok1 || !ok2 {
		return nil, l.unsupported(loc, "%s compared to %s", describeExpr(stripString(a)), describeExpr(stripString(b)))
	}
	return &constraint.Pred{Field: fa.Name, Op: constraint.Rel, Rel: relKinds[op], Other: fb.Name, CI: ci && op == Eq, Span: l.span(loc)}, nil
}

func (l *lowerer) in(x *In, neg bool) (constraint.Expr, error) {
	inner := neg != x.Not
	out := &constraint.Or{Authored: true, Span: l.span(x.Loc)}
	for _, y := range x.List {
		if isNullLit(y) {
			return nil, l.unsupported(y.Location(), "null in an [in] list")
		}
		c, err := l.relation(x.X, Eq, y, caseMode(x.CI), inner, y.Location())
		if err != nil {
			return nil, err
		}
		out.X = append(out.X, c)
	}
	var c constraint.Expr = out
	if len(out.X) == 1 {
		c = out.X[0]
	}
	if x.Not {
		return l.not(c, x.Loc), nil
	}
	return c, nil
}

func (l *lowerer) patternMatch(x *PatternMatch) (constraint.Expr, error) {
	out := &constraint.Or{Authored: true, Span: l.span(x.Loc)}
	for _, p := range x.Patterns {
		if p.Kind != LitString {
			return nil, l.unsupported(p.Loc, "a %s pattern that is not a string", x.Op)
		}
		var sp strPat
		switch {
		case x.Op.IsRegex():
			sp = regexPat(p.Str, x.Op.CI())
		case x.Op == Colon:
			sp = wildPat(wildcardOf(p.Str), true)
		default:
			sp = wildPat(wildcardOf(p.Str), x.Op.CI())
		}
		loc := x.Loc
		if len(x.Patterns) > 1 {
			loc = p.Loc
		}
		c, err := l.matchString(x.X, sp, loc)
		if err != nil {
			return nil, err
		}
		out.X = append(out.X, c)
	}
	if len(out.X) == 1 {
		return out.X[0], nil
	}
	return out, nil
}

// fieldPred is the predicate that a field's value is in p.
func (l *lowerer) fieldPred(f string, p strPat, loc Loc) constraint.Expr {
	pr := &constraint.Pred{Field: f, CI: p.ci, Span: l.span(loc)}
	switch p.kind {
	case patLit:
		if p.eq {
			pr.Op, pr.Value = constraint.Eq, constraint.String(p.lit)
		} else {
			pr.Op, pr.Pattern = constraint.Like, wildcard.Literal(p.lit)
		}
	case patWild:
		pr.Op, pr.Pattern = constraint.Like, p.wild
	default:
		pr.Op, pr.Regex = constraint.Regex, p.regex
	}
	return pr
}

// matchString lowers "the string expression e is in p".
func (l *lowerer) matchString(e Expr, p strPat, loc Loc) (constraint.Expr, error) {
	switch x := e.(type) {
	case *Field:
		return l.fieldPred(x.Name, p, loc), nil
	case *Literal:
		s, ok := toString(litValue(x))
		return &constraint.Bool{V: ok && x.Kind != LitNull && p.matches(s), Span: l.span(loc)}, nil
	case *Call:
		if !hasFields(x) {
			s, ok := toString(constant(x))
			return &constraint.Bool{V: ok && p.matches(s), Span: l.span(loc)}, nil
		}
		switch x.Name {
		case "string":
			return l.matchString(x.Args[0], p, loc)
		case "substring":
			sl, ok := substringPositions(x)
			if !ok {
				return nil, l.unsupported(x.Loc, "substring() with positions that are not constant integers")
			}
			var end *int64
			if sl.HasEnd {
				e := int64(sl.End)
				end = &e
			}
			re, ok := substringRegex(p, int64(sl.Start), end)
			if !ok {
				return nil, l.unsupported(x.Loc, "substring() with positions beyond %d", maxSliceEnum)
			}
			return l.matchString(x.Args[0], regexPat(re, p.ci), loc)
		case "between":
			return l.between(x, p, loc)
		case "concat":
			return l.concat(x, p, loc)
		}
	}
	return nil, l.unsupported(loc, "%s compared to a string", describeExpr(e))
}

// intConst returns the value of a constant integer expression.
func intConst(e Expr) (int64, bool) {
	if hasFields(e) {
		return 0, false
	}
	v := constant(e)
	return v.i, v.k == vInt
}

// strConst returns the value of a constant expression as a string.
func strConst(e Expr) (string, bool) {
	if hasFields(e) {
		return "", false
	}
	v := constant(e)
	if v.k == vNull {
		return "", false
	}
	return toString(v)
}

func (l *lowerer) between(x *Call, p strPat, loc Loc) (constraint.Expr, error) {
	left, ok1 := strConst(x.Args[1])
	right, ok2 := strConst(x.Args[2])
	greedy := false
	if len(x.Args) == 4 {
		greedy = truthy(constant(x.Args[3]))
	}
	if !ok1 || !ok2 {
		if (!ok1 && !hasFields(x.Args[1])) || (!ok2 && !hasFields(x.Args[2])) {
			return &constraint.Bool{V: false, Span: l.span(loc)}, nil // a null bound
		}
		return nil, l.unsupported(x.Loc, "between() with bounds that are not constant strings")
	}
	if left == "" || right == "" {
		// Elasticsearch returns the whole string.
		return l.matchString(x.Args[0], p, loc)
	}
	re, global, ok := betweenRegex(p, left, right, greedy, x.CI)
	if !ok {
		return nil, l.unsupported(x.Loc, "between() with a case rule other than its regex pattern's")
	}
	return l.matchString(x.Args[0], regexPat(re, global && p.ci), loc)
}

// maxConcatSplits bounds the ways concat() lowering splits a literal.
const maxConcatSplits = 64

func (l *lowerer) concat(x *Call, p strPat, loc Loc) (constraint.Expr, error) {
	// Constant arguments as strings; a null makes the result null.
	type part struct {
		lit  string
		expr Expr
	}
	var parts []part
	nexpr := 0
	for _, a := range x.Args {
		if hasFields(a) {
			parts = append(parts, part{expr: a})
			nexpr++
			continue
		}
		v := constant(a)
		s, ok := toString(v)
		if !ok || v.k == vNull {
			return &constraint.Bool{V: false, Span: l.span(loc)}, nil
		}
		parts = append(parts, part{lit: s})
	}
	if p.kind == patWild && nexpr == 1 {
		var prefix, suffix strings.Builder
		var e Expr
		for _, pt := range parts {
			switch {
			case pt.expr != nil:
				e = pt.expr
			case e == nil:
				prefix.WriteString(pt.lit)
			default:
				suffix.WriteString(pt.lit)
			}
		}
		out := &constraint.Or{Span: l.span(loc)}
		qs := quotient(p.wild, prefix.String(), suffix.String(), p.ci)
		for _, q := range qs {
			if len(q) == 1 && q[0].Kind == wildcard.AnyString {
				// "*" takes every string: the other alternatives add nothing.
				qs = []wildcard.Pattern{q}
				break
			}
		}
		for _, q := range qs {
			c, err := l.matchString(e, wildPat(q, p.ci), loc)
			if err != nil {
				return nil, err
			}
			out.X = append(out.X, c)
		}
		return orOf(out, l.span(loc)), nil
	}
	if p.kind != patLit {
		return nil, l.unsupported(x.Loc, "concat() of several fields compared to a pattern")
	}
	// Every way to split the literal among the arguments.
	lits := make([]*string, len(parts))
	for k := range parts {
		if parts[k].expr == nil {
			lits[k] = &parts[k].lit
		}
	}
	alts, ok := constraint.SplitConcat(p.lit, lits, p.ci, maxConcatSplits)
	if !ok {
		return nil, l.unsupported(x.Loc, "concat() of several fields splitting a string in more than %d ways", maxConcatSplits)
	}
	out := &constraint.Or{Span: l.span(loc)}
	for _, alt := range alts {
		and := &constraint.And{Span: l.span(loc)}
		i := 0
		for _, pt := range parts {
			if pt.expr == nil {
				continue
			}
			c, err := l.matchString(pt.expr, litPat(alt[i], p.ci, p.eq), loc)
			if err != nil {
				return nil, err
			}
			and.X = append(and.X, c)
			i++
		}
		out.X = append(out.X, and)
	}
	return orOf(out, l.span(loc)), nil
}

// orOf simplifies a derived Or of zero or one alternative.
func orOf(o *constraint.Or, span constraint.Span) constraint.Expr {
	switch len(o.X) {
	case 0:
		return &constraint.Bool{V: false, Span: span}
	case 1:
		return o.X[0]
	}
	return o
}

// boolCall lowers a function call used as a condition.
func (l *lowerer) boolCall(x *Call, neg bool) (constraint.Expr, error) {
	switch x.Name {
	case "startsWith", "endsWith", "stringContains":
		return l.affix(x)
	case "wildcard":
		out := &constraint.Or{Authored: true, Span: l.span(x.Loc)}
		for _, a := range x.Args[1:] {
			s, ok := strConst(a)
			if !ok {
				if !hasFields(a) {
					continue // a null pattern matches nothing
				}
				return nil, l.unsupported(a.Location(), "wildcard() with a pattern that is not a constant string")
			}
			loc := x.Loc
			if len(x.Args) > 2 {
				loc = a.Location()
			}
			c, err := l.matchString(x.Args[0], wildPat(wildcardOf(s), x.CI), loc)
			if err != nil {
				return nil, err
			}
			out.X = append(out.X, c)
		}
		return orOf(out, l.span(x.Loc)), nil
	case "cidrMatch":
		f, ok := plainField(x.Args[0])
		if !ok {
			return nil, l.unsupported(x.Loc, "cidrMatch() of %s", describeExpr(x.Args[0]))
		}
		out := &constraint.Or{Authored: true, Span: l.span(x.Loc)}
		for _, a := range x.Args[1:] {
			s, ok := strConst(a)
			if !ok {
				// A null block makes cidrMatch null.
				return &constraint.Bool{V: false, Span: l.span(x.Loc)}, nil
			}
			loc := x.Loc
			if len(x.Args) > 2 {
				loc = a.Location()
			}
			out.X = append(out.X, &constraint.Pred{Field: f.Name, Op: constraint.CIDR, Value: constraint.String(s), Span: l.span(loc)})
		}
		return orOf(out, l.span(x.Loc)), nil
	}
	return nil, l.unsupported(x.Loc, "%s as a condition", describeExpr(x))
}

// fieldSlice is substring(field, start, end) with constant positions.
type fieldSlice struct {
	field *Field
	slice constraint.Slice
}

// substringOfField recognizes substring(field, start[, end]) with constant
// integer positions.
func substringOfField(e Expr) (fieldSlice, bool) {
	c, ok := stripString(e).(*Call)
	if !ok || c.Name != "substring" || len(c.Args) < 2 {
		return fieldSlice{}, false
	}
	f, ok := plainField(c.Args[0])
	if !ok {
		return fieldSlice{}, false
	}
	sl, ok := substringPositions(c)
	return fieldSlice{field: f, slice: sl}, ok
}

// sameField reports whether a and b are the same field.
func sameField(a, b Expr) bool {
	fa, ok1 := plainField(a)
	fb, ok2 := plainField(b)
	return ok1 && ok2 && fa.Name == fb.Name
}

// substringPositions reads the positions of substring(s, start[, end]):
// constant integers, or the length of s itself (length(s): the end of s)
// less one (length(s) - 1: the same as -1, counted from the end; with any
// other difference the two part where s is shorter than it, as a negative
// position counts from the end again).
func substringPositions(c *Call) (constraint.Slice, bool) {
	pos := func(e Expr) (p int, toEnd, ok bool) {
		if n, ok := intConst(e); ok {
			return int(n), false, true
		}
		ln, k := e, int64(0)
		if a, isArith := e.(*Arith); isArith && a.Op == Sub {
			n, ok := intConst(a.R)
			if !ok || n != 1 {
				return 0, false, false
			}
			ln, k = a.L, n
		}
		if l, isCall := ln.(*Call); isCall && l.Name == "length" && len(l.Args) == 1 && sameField(l.Args[0], c.Args[0]) {
			return -int(k), k == 0, true
		}
		return 0, false, false
	}
	start, toEnd, ok := pos(c.Args[1])
	if !ok || toEnd {
		return constraint.Slice{}, false
	}
	sl := constraint.Slice{Start: start}
	if len(c.Args) == 3 && !isNullLit(c.Args[2]) {
		end, toEnd, ok := pos(c.Args[2])
		if !ok {
			return constraint.Slice{}, false
		}
		sl.End, sl.HasEnd = end, !toEnd
	}
	return sl, true
}

// affix lowers startsWith, endsWith and stringContains.
func (l *lowerer) affix(x *Call) (constraint.Expr, error) {
	src, sub := x.Args[0], x.Args[1]
	if isNullLit(src) || isNullLit(sub) {
		return &constraint.Bool{V: false, Span: l.span(x.Loc)}, nil
	}
	switch {
	case !hasFields(sub):
		s, ok := strConst(sub)
		if !ok {
			return nil, l.unsupported(sub.Location(), "%s with a substring that is not a string", describeExpr(x))
		}
		var p wildcard.Pattern
		switch x.Name {
		case "startsWith":
			p = wildcard.Prefix(s)
		case "endsWith":
			p = wildcard.Suffix(s)
		default:
			if s == "" {
				// stringContains is false for an empty substring.
				return &constraint.Bool{V: false, Span: l.span(x.Loc)}, nil
			}
			p = wildcard.Contains(s)
		}
		if s == "" {
			p = wildcard.Pattern{{Kind: wildcard.AnyString}}
		}
		return l.matchString(src, strPat{kind: patWild, wild: p, ci: x.CI}, x.Loc)
	case !hasFields(src):
		s, ok := strConst(src)
		if !ok {
			return nil, l.unsupported(src.Location(), "%s with a source that is not a string", describeExpr(x))
		}
		var re string
		switch x.Name {
		case "startsWith":
			re = prefixesRegex(s)
		case "endsWith":
			re = suffixesRegex(s)
		default:
			re = substringsRegex(s)
		}
		return l.matchString(sub, regexPat(re, x.CI), x.Loc)
	}
	fa, ok1 := plainField(src)
	fb, ok2 := plainField(sub)
	slice, sliced := substringOfField(sub)
	if sliced {
		fb, ok2 = slice.field, true
	}
	if !ok1 || !ok2 || sliced && x.Name == "stringContains" {
		return nil, l.unsupported(x.Loc, "%s of %s and %s", describeExpr(x), describeExpr(stripString(src)), describeExpr(stripString(sub)))
	}
	rel := map[string]constraint.RelKind{"startsWith": constraint.RelPrefix, "endsWith": constraint.RelSuffix, "stringContains": constraint.RelContains}[x.Name]
	p := &constraint.Pred{Field: fa.Name, Op: constraint.Rel, Rel: rel, Other: fb.Name, CI: x.CI, Span: l.span(x.Loc)}
	if sliced {
		p.OtherSlice = &slice.slice
	}
	if rel != constraint.RelContains {
		return p, nil
	}
	// stringContains is false for an empty substring.
	nonEmpty := &constraint.Pred{Field: fb.Name, Op: constraint.Len, Cmp: constraint.Gt, Value: constraint.Number(0), Span: l.span(x.Loc)}
	return &constraint.And{X: []constraint.Expr{p, nonEmpty}, Span: l.span(x.Loc)}, nil
}

// nonNull lowers "e is not null".
func (l *lowerer) nonNull(e Expr, neg bool, loc Loc) (constraint.Expr, error) {
	switch x := e.(type) {
	case *Field:
		return &constraint.Pred{Field: x.Name, Op: constraint.Exists, Span: l.span(loc)}, nil
	case *Literal:
		return &constraint.Bool{V: x.Kind != LitNull, Span: l.span(loc)}, nil
	case *Call:
		if !hasFields(x) {
			return &constraint.Bool{V: constant(x).k != vNull, Span: l.span(loc)}, nil
		}
		switch x.Name {
		case "indexOf":
			return l.indexFound(x, loc)
		case "number", "divide", "modulo":
			return nil, l.unsupported(x.Loc, "%s compared to null", describeExpr(x))
		}
		return l.argsNonNull(x.Args, neg, loc)
	case *Arith:
		if x.Op == Div || x.Op == Mod {
			return nil, l.unsupported(x.Loc, "%s compared to null", describeExpr(x))
		}
		return l.argsNonNull([]Expr{x.L, x.R}, neg, loc)
	case *Neg:
		return l.nonNull(x.X, neg, loc)
	}
	return nil, l.unsupported(loc, "%s compared to null", describeExpr(e))
}

func (l *lowerer) argsNonNull(args []Expr, neg bool, loc Loc) (constraint.Expr, error) {
	and := &constraint.And{Span: l.span(loc)}
	for _, a := range args {
		if !hasFields(a) {
			if constant(a).k == vNull {
				return &constraint.Bool{V: false, Span: l.span(loc)}, nil
			}
			continue
		}
		c, err := l.nonNull(a, neg, loc)
		if err != nil {
			return nil, err
		}
		and.X = append(and.X, c)
	}
	if len(and.X) == 1 {
		return and.X[0], nil
	}
	return and, nil
}

// indexFound lowers "indexOf(s, sub[, from]) != null": sub occurs in s at
// or after from.
func (l *lowerer) indexFound(x *Call, loc Loc) (constraint.Expr, error) {
	from := int64(0)
	if len(x.Args) == 3 {
		f, ok := intConst(x.Args[2])
		if !ok {
			if !hasFields(x.Args[2]) {
				return &constraint.Bool{V: false, Span: l.span(loc)}, nil
			}
			return nil, l.unsupported(x.Loc, "indexOf() with a start that is not a constant integer")
		}
		from = max(f, 0)
	}
	src, sub := x.Args[0], x.Args[1]
	if hasFields(sub) {
		fa, ok1 := plainField(src)
		fb, ok2 := plainField(sub)
		if !ok1 || !ok2 || from != 0 {
			return nil, l.unsupported(x.Loc, "indexOf() of %s in %s compared to null", describeExpr(stripString(sub)), describeExpr(stripString(src)))
		}
		return &constraint.Pred{Field: fa.Name, Op: constraint.Rel, Rel: constraint.RelContains, Other: fb.Name, CI: x.CI, Span: l.span(loc)}, nil
	}
	s, ok := strConst(sub)
	if !ok {
		return &constraint.Bool{V: false, Span: l.span(loc)}, nil
	}
	if s == "" {
		// Found at from when the string is long enough.
		return l.matchString(src, regexPat(reRepeat(int(from), -1), false), loc)
	}
	return l.matchString(src, regexPat(reRepeat(int(from), -1)+reLiteral(s, false)+".*", x.CI), loc)
}

// intness tells whether a numeric expression is integer-valued.
type intness uint8

const (
	unknownInt intness = iota // depends on a field's type
	isInt
	isFloat
)

func intnessOf(e Expr) intness {
	switch x := e.(type) {
	case *Literal:
		if x.Kind == LitInt {
			return isInt
		}
		return isFloat
	case *Call:
		switch x.Name {
		case "length", "indexOf":
			return isInt
		case "add", "subtract", "multiply", "divide":
			return combineInt(intnessOf(x.Args[0]), intnessOf(x.Args[1]))
		}
	case *Arith:
		return combineInt(intnessOf(x.L), intnessOf(x.R))
	case *Neg:
		return intnessOf(x.X)
	}
	return unknownInt
}

func combineInt(a, b intness) intness {
	switch {
	case a == isFloat || b == isFloat:
		return isFloat
	case a == isInt && b == isInt:
		return isInt
	}
	return unknownInt
}

// arithParts returns the operator and operands of an arithmetic expression
// or function.
func arithParts(e Expr) (ArithOp, Expr, Expr, bool) {
	switch x := e.(type) {
	case *Arith:
		return x.Op, x.L, x.R, true
	case *Call:
		op, ok := map[string]ArithOp{"add": Add, "subtract": Sub, "multiply": Mul, "divide": Div, "modulo": Mod}[x.Name]
		if ok {
			return op, x.Args[0], x.Args[1], true
		}
	}
	return 0, nil, nil, false
}

// numeric lowers "the numeric expression e is in s".
func (l *lowerer) numeric(e Expr, s reals, neg bool, loc Loc) (constraint.Expr, error) {
	if op, a, b, ok := arithParts(e); ok {
		if hasFields(a) && hasFields(b) {
			return nil, l.unsupported(loc, "arithmetic on two fields (%s) compared to a constant", e.Location().Text(l.src))
		}
		if op == Mod {
			return nil, l.unsupported(loc, "modulo (%s) compared to a constant", e.Location().Text(l.src))
		}
		fieldLeft := hasFields(a)
		x, c := a, b
		if !fieldLeft {
			x, c = b, a
		}
		cv := constant(c)
		if !cv.isNumber() {
			return &constraint.Bool{V: false, Span: l.span(loc)}, nil // null arithmetic
		}
		k := cv.float()
		switch op {
		case Add:
			return l.numeric(x, interval.Affine(s, 1, -k), neg, loc)
		case Sub:
			if fieldLeft {
				return l.numeric(x, interval.Affine(s, 1, k), neg, loc)
			}
			return l.numeric(x, interval.Affine(s, -1, k), neg, loc)
		case Mul:
			if k == 0 {
				if s.Contains(0) {
					// x * 0 has a value only when x is a number.
					if f, ok := plainField(x); ok && !neg {
						lowest := constraint.Value{Kind: constraint.KindNumber, Num: -math.MaxFloat64, Str: "-1.7976931348623157e+308"}
						return &constraint.Pred{Field: f.Name, Op: constraint.Ge, Value: lowest, Span: l.span(loc)}, nil
					}
					return l.nonNull(x, neg, loc)
				}
				return &constraint.Bool{V: false, Span: l.span(loc)}, nil
			}
			return l.numeric(x, interval.Div(s, k), neg, loc)
		case Div:
			if !fieldLeft {
				return nil, l.unsupported(loc, "a constant divided by a field (%s)", e.Location().Text(l.src))
			}
			if k == 0 {
				return nil, l.unsupported(loc, "division by zero (%s)", e.Location().Text(l.src))
			}
			real := interval.Affine(s, k, 0)
			it := combineInt(intnessOf(x), intnessOf(c))
			if it == isFloat {
				return l.numeric(x, real, neg, loc)
			}
			// Java's integer division truncates toward zero.
			q := s
			if k < 0 {
				q = interval.Affine(s, -1, 0)
			}
			integer := truncDivInverse(q, math.Abs(k))
			if it == isInt {
				return l.numeric(x, integer, neg, loc)
			}
			// The field's type decides between integer and real division:
			// values in both sets are right either way (positive), and
			// values outside both are right either way (negated).
			if neg {
				return l.numeric(x, integer.Union(real), neg, loc)
			}
			return l.numeric(x, integer.Intersect(real), neg, loc)
		}
	}
	switch x := e.(type) {
	case *Neg:
		return l.numeric(x.X, interval.Affine(s, -1, 0), neg, loc)
	case *Field:
		return l.intervals(x.Name, s, loc, false), nil
	case *Call:
		switch x.Name {
		case "length":
			if f, ok := plainField(x.Args[0]); ok {
				return l.intervals(f.Name, interval.Ints(s.Clamp(0, interval.Float(math.Inf(1)))), loc, true), nil
			}
			var alts []string
			for _, v := range interval.Ints(s.Clamp(0, interval.Float(math.Inf(1)))).R {
				if v.Lo > maxSliceEnum*16 {
					return nil, l.unsupported(loc, "length() of %s beyond %d", describeExpr(x.Args[0]), maxSliceEnum*16)
				}
				hi := -1
				if !math.IsInf(float64(v.Hi), 1) {
					hi = int(v.Hi)
				}
				alts = append(alts, reRepeat(int(v.Lo), hi))
			}
			return l.matchString(x.Args[0], regexPat(reAlt(alts), false), loc)
		case "indexOf":
			return l.indexOf(x, s, loc)
		case "number":
			return l.number(x, s, neg, loc)
		}
	}
	return nil, l.unsupported(loc, "%s compared to a number", describeExpr(e))
}

// intervals lowers "field is in s": Eq for a point, bounds otherwise; with
// length, Len predicates on the field's length.
func (l *lowerer) intervals(field string, s reals, loc Loc, length bool) constraint.Expr {
	span := l.span(loc)
	pred := func(op constraint.Op, k float64) constraint.Expr {
		if length {
			return &constraint.Pred{Field: field, Op: constraint.Len, Cmp: op, Value: constraint.Number(k), Span: span}
		}
		return &constraint.Pred{Field: field, Op: op, Value: constraint.Number(k), Span: span}
	}
	out := &constraint.Or{Span: span}
	for _, v := range s.R {
		switch {
		case v.IsPoint():
			out.X = append(out.X, pred(constraint.Eq, float64(v.Lo)))
		case math.IsInf(float64(v.Lo), -1) && math.IsInf(float64(v.Hi), 1):
			if length {
				out.X = append(out.X, pred(constraint.Ge, 0))
			} else {
				out.X = append(out.X, &constraint.Pred{Field: field, Op: constraint.Exists, Span: span})
			}
		default:
			and := &constraint.And{Span: span}
			if !math.IsInf(float64(v.Lo), -1) {
				op, k := interval.Bound(v.Lo, interval.LowerEnd)
				and.X = append(and.X, pred(constraintOp(op), k))
			}
			if !math.IsInf(float64(v.Hi), 1) {
				op, k := interval.Bound(v.Hi, interval.UpperEnd)
				and.X = append(and.X, pred(constraintOp(op), k))
			}
			if len(and.X) == 1 {
				out.X = append(out.X, and.X[0])
			} else {
				out.X = append(out.X, and)
			}
		}
	}
	return orOf(out, span)
}

// indexOf lowers "indexOf(src, sub[, from]) is in s".
func (l *lowerer) indexOf(x *Call, s reals, loc Loc) (constraint.Expr, error) {
	sub, ok := strConst(x.Args[1])
	if !ok {
		if !hasFields(x.Args[1]) {
			return &constraint.Bool{V: false, Span: l.span(loc)}, nil
		}
		return nil, l.unsupported(loc, "indexOf() of a field compared to a number")
	}
	from := int64(0)
	if len(x.Args) == 3 {
		f, ok := intConst(x.Args[2])
		if !ok {
			if !hasFields(x.Args[2]) {
				return &constraint.Bool{V: false, Span: l.span(loc)}, nil
			}
			return nil, l.unsupported(loc, "indexOf() with a start that is not a constant integer")
		}
		from = max(f, 0)
	}
	if sub == "" {
		// indexOf(s, "", from) is min(from, length(s)).
		var alts []string
		for _, v := range interval.Ints(s).R {
			if v.Lo <= interval.Float(from) && interval.Float(from) <= v.Hi {
				alts = append(alts, reRepeat(int(from), -1))
			}
			lo, hi := max(float64(v.Lo), 0), math.Min(float64(v.Hi), float64(from-1))
			if lo <= hi {
				alts = append(alts, reRepeat(int(lo), int(hi)))
			}
		}
		return l.matchString(x.Args[0], regexPat(reAlt(alts), false), loc)
	}
	re, ok := indexOfRegex(s, sub, from)
	if !ok {
		return nil, l.unsupported(loc, "indexOf() compared to positions beyond %d", 1<<20)
	}
	return l.matchString(x.Args[0], regexPat(re, x.CI), loc)
}

// number lowers "number(f) is in s". A document's string converts to many
// numbers in many spellings; the lowering uses canonical integer spellings,
// which convert exactly: in a positive context, the field spells an integer
// of s (or the number itself for a single non-integer); in a negative one,
// the field must not spell an integer outside s.
func (l *lowerer) number(x *Call, s reals, neg bool, loc Loc) (constraint.Expr, error) {
	if len(x.Args) == 2 && !isNullLit(x.Args[1]) {
		if b, ok := intConst(x.Args[1]); !ok || b != 10 {
			return nil, l.unsupported(x.Loc, "number() with a base other than 10 compared to a number")
		}
	}
	f, ok := plainField(x.Args[0])
	if !ok {
		return nil, l.unsupported(x.Loc, "number() of %s compared to a number", describeExpr(stripString(x.Args[0])))
	}
	if neg {
		re := intSetRegex(interval.Complement(s))
		if re == "" {
			return &constraint.Bool{V: true, Span: l.span(loc)}, nil
		}
		return l.not(&constraint.Pred{Field: f.Name, Op: constraint.Regex, Regex: re, Span: l.span(loc)}, x.Loc), nil
	}
	out := &constraint.Or{Span: l.span(loc)}
	if re := intSetRegex(s); re != "" {
		out.X = append(out.X, &constraint.Pred{Field: f.Name, Op: constraint.Regex, Regex: re, Span: l.span(loc)})
	}
	if len(s.R) == 1 && s.R[0].IsPoint() && s.R[0].Lo != interval.Float(math.Trunc(float64(s.R[0].Lo))) {
		out.X = append(out.X, &constraint.Pred{Field: f.Name, Op: constraint.Eq, Value: constraint.String(strconv.FormatFloat(float64(s.R[0].Lo), 'f', -1, 64)), Span: l.span(loc)})
	}
	return orOf(out, l.span(loc)), nil
}

// intSetRegex matches the canonical spellings of the integers in s; "" when
// there are none.
func intSetRegex(s reals) string {
	var alts []string
	for _, v := range interval.Ints(s).R {
		vlo, vhi := float64(v.Lo), float64(v.Hi)
		noLo, noHi := math.IsInf(vlo, -1) || vlo < math.MinInt64, math.IsInf(vhi, 1) || vhi >= math.MaxInt64
		var lo, hi int64
		if !noLo {
			lo = int64(vlo)
		}
		if !noHi {
			hi = int64(vhi)
		}
		if re := intRangeRegex(lo, hi, noLo, noHi); re != "" {
			alts = append(alts, re)
		}
	}
	if len(alts) == 0 {
		return ""
	}
	return reAlt(alts)
}

// reals is a set of numbers an expression must take.
type reals = interval.Set[interval.Float]

// intervalOp is a comparison operator as the interval sets name it.
func intervalOp(op CmpOp) interval.Op {
	switch op {
	case Lt:
		return interval.Lt
	case Le:
		return interval.Le
	case Gt:
		return interval.Gt
	case Ge:
		return interval.Ge
	}
	return interval.Eq
}

// constraintOp is an interval comparison as a constraint operator.
func constraintOp(op interval.Op) constraint.Op {
	return [...]constraint.Op{interval.Lt: constraint.Lt, interval.Le: constraint.Le, interval.Eq: constraint.Eq, interval.Ge: constraint.Ge, interval.Gt: constraint.Gt}[op]
}
