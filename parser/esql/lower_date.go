package esql

import (
	"math"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/internal/interval"
)

// dateCmp lowers "e op d" for a date constant d (date math or a date)
// where e is not a plain field.
func (a *docAlg) dateCmp(e Expr, op CmpOp, v cval, loc Loc) (constraint.Expr, error) {
	switch x := e.(type) {
	case *Call:
		switch x.Name {
		case "date_trunc":
			// DATE_TRUNC(span, ts) op d, for a d on the span's grid
			// (NOW() rounded to the unit, or a date of the grid).
			f, ok := x.Args[1].(*Field)
			if !ok {
				break
			}
			span, ok := fold(x.Args[0])
			if !ok || hasRefs(x.Args[0]) {
				break
			}
			next, ok := dateMath(span, false)
			if !ok {
				break
			}
			after := cval{k: cDate, s: joinMath(v.s, next)}
			switch op {
			case Eq:
				return a.and(loc, a.pred(f.Name, constraint.Ge, constraint.String(v.s), loc), a.pred(f.Name, constraint.Lt, constraint.String(after.s), loc)), nil
			case Lt, Ge:
				return a.fieldCmp(f.Name, op, v, loc)
			case Le:
				return a.fieldCmp(f.Name, Lt, after, loc)
			case Gt:
				return a.fieldCmp(f.Name, Ge, after, loc)
			}
		case "to_datetime", "to_date_nanos":
			return a.cmp(x.Args[0], op, v, loc)
		}
	}
	return nil, a.unsupported(loc, "%s compared to a date", describe2(e))
}

// dateDiffIn lowers "DATE_DIFF(unit, a, b) is in s" where one of a and b
// is a constant date (NOW()) and the other a field.
func (a *docAlg) dateDiffIn(x *Call, s reals, loc Loc) (constraint.Expr, error) {
	unit, ok := strArg(x, 0)
	if !ok {
		return nil, a.unsupported(x.Loc, "DATE_DIFF() with a unit that is not a constant")
	}
	d, ok := diffUnit(unit)
	if !ok {
		return nil, a.unsupported(x.Args[0].Location(), "DATE_DIFF() in %s", unit)
	}
	diff := diffPre(interval.Ints(s), d)
	start, end := x.Args[1], x.Args[2]
	var field *Field
	var base cval
	sign := 1.0
	switch {
	case !hasRefs(start):
		// end - base in diff: end in base + diff.
		f, ok := plainField(end)
		v, ok2 := fold(start)
		if !ok || !ok2 || v.k != cDate {
			return nil, a.unsupported(x.Loc, "DATE_DIFF() of %s", describe2(end))
		}
		field, base = f, v
	case !hasRefs(end):
		// base - start in diff: start in base - diff.
		f, ok := plainField(start)
		v, ok2 := fold(end)
		if !ok || !ok2 || v.k != cDate {
			return nil, a.unsupported(x.Loc, "DATE_DIFF() of %s", describe2(start))
		}
		field, base, sign = f, v, -1
	default:
		return nil, a.unsupported(x.Loc, "DATE_DIFF() of two columns compared to a number")
	}
	// Offsets from base, rounded inward to whole seconds (date math).
	var alts []constraint.Expr
	for _, r := range interval.Affine(diff, sign, 0).R {
		var and []constraint.Expr
		if lo := float64(r.Lo); !math.IsInf(lo, -1) {
			sec := math.Ceil(lo / 1000)
			m, ok := dateMath(cval{k: cDuration, d: time.Duration(sec) * time.Second}, false)
			if !ok {
				return nil, a.unsupported(loc, "DATE_DIFF() bound")
			}
			and = append(and, a.pred(field.Name, constraint.Ge, constraint.String(joinMath(base.s, m)), loc))
		}
		if hi := float64(r.Hi); !math.IsInf(hi, 1) {
			sec := math.Floor(hi / 1000)
			m, ok := dateMath(cval{k: cDuration, d: time.Duration(sec) * time.Second}, false)
			if !ok {
				return nil, a.unsupported(loc, "DATE_DIFF() bound")
			}
			and = append(and, a.pred(field.Name, constraint.Le, constraint.String(joinMath(base.s, m)), loc))
		}
		if len(and) == 0 {
			and = append(and, a.pred(field.Name, constraint.Exists, constraint.Value{}, loc))
		}
		alts = append(alts, a.and(loc, and...))
	}
	if len(alts) == 0 {
		return a.konst(loc, false), nil
	}
	out := a.or(loc, alts...)
	// Whole seconds: a sliver at each end is left out.
	a.inexact[out] = true
	return out, nil
}
