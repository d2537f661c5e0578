package esql

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/esindex"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/es/regexp"
	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/internal/interval"
)

// docAlg lowers conditions on one document to a constraint formula.
//
// Every lowering of a value comparison is exact (the formula holds for
// exactly the documents where the comparison is true), except where it
// says it under-approximates (a REPLACE inverted by drawing values without
// a match): such a formula may stand where the lowering needs "true", but
// never under a complement, which would then over-approximate.
type docAlg struct {
	l       *lowerer
	inexact map[constraint.Expr]bool
	err     error
	// virt names the virtual fields the lowering makes (values decoded
	// from an encoded field, see derive).
	derived *derivations
	// index: a condition reads METADATA _index, which the document's
	// concrete index meets (see document).
	index bool
}

func newDocAlg(l *lowerer) *docAlg {
	return &docAlg{l: l, inexact: map[constraint.Expr]bool{}, derived: l.derived}
}

type reals = interval.Set[interval.Float]

func (a *docAlg) span(loc Loc) constraint.Span { return a.l.span(loc) }

func (a *docAlg) unsupported(loc Loc, format string, args ...any) error {
	return a.l.unsupported(loc, format, args...)
}

func (a *docAlg) markIf(out constraint.Expr, xs ...constraint.Expr) constraint.Expr {
	for _, x := range xs {
		if a.inexact[x] {
			a.inexact[out] = true
			break
		}
	}
	return out
}

func (a *docAlg) and(loc Loc, xs ...constraint.Expr) constraint.Expr {
	if len(xs) == 1 {
		return xs[0]
	}
	return a.markIf(&constraint.And{X: xs, Span: a.span(loc)}, xs...)
}

func (a *docAlg) or(loc Loc, xs ...constraint.Expr) constraint.Expr {
	if len(xs) == 1 {
		return xs[0]
	}
	return a.markIf(&constraint.Or{X: xs, Span: a.span(loc)}, xs...)
}

func (a *docAlg) not(loc Loc, x constraint.Expr) constraint.Expr {
	if a.inexact[x] && a.err == nil {
		a.err = a.unsupported(loc, "the negation of a condition emit can only satisfy in part (%s)", x.Source().Text)
	}
	return &constraint.Not{X: x, Span: a.span(loc)}
}

func (a *docAlg) konst(loc Loc, v bool) constraint.Expr {
	return &constraint.Bool{V: v, Span: a.span(loc)}
}

func (a *docAlg) pred(field string, op constraint.Op, v constraint.Value, loc Loc) *constraint.Pred {
	a.document(field, loc)
	return &constraint.Pred{Field: field, Op: op, Value: v, Whole: true, Span: a.span(loc)}
}

// document checks that a field is the document's: a metadata field
// (_id, _ignored, _source) is what Elasticsearch sets, which the documents
// cannot constrain. _index is the concrete index the document lands in,
// which emit chooses: the solver draws it as a field of the names
// concreteIndexRegex describes, and the generator writes the document
// where it lands there (esindex.Target).
func (a *docAlg) document(field string, loc Loc) {
	if field == "_index" {
		a.index = true
		return
	}
	if isMetadata(field) && a.err == nil {
		a.err = a.unsupported(loc, "metadata field %s in a condition: Elasticsearch sets it, not the document", field)
	}
}

// condTruth is truth(c, true). The lowering of a WHERE condition of the
// documents (level 0: the same in every realization of the query) that
// added nothing to the lowerer but type hints, read no METADATA _index and
// set no error is kept: another lowering of the conditions of a document
// gets it again, with its hints replayed in order.
func (a *docAlg) condTruth(c Expr) (constraint.Expr, error) {
	l := a.l
	i := slices.Index(l.levels[0].conds, c)
	if i < 0 {
		return truth[constraint.Expr](a, c, true)
	}
	if l.truths == nil {
		l.truths = make([]*cachedCond, len(l.levels[0].conds))
	}
	if t := l.truths[i]; t != nil {
		for _, h := range t.hints {
			l.hint(h.field, h.t)
		}
		return t.cond, nil
	}
	before, errBefore, indexBefore := l.effects(), a.err, a.index
	outer := l.hints
	var hints []typeHint
	l.hints = &hints
	f, err := truth[constraint.Expr](a, c, true)
	l.hints = outer
	if outer != nil {
		*outer = append(*outer, hints...)
	}
	if err != nil {
		return nil, err
	}
	if errBefore == nil && a.err == nil && !indexBefore && !a.index && l.effects() == before {
		l.truths[i] = &cachedCond{cond: f, hints: hints}
	}
	return f, nil
}

// lowerConds lowers the conditions that must all be true of a document.
func (a *docAlg) lowerConds(conds []Expr) (constraint.Expr, error) {
	var xs []constraint.Expr
	for _, c := range conds {
		f, err := a.condTruth(c)
		if err != nil {
			return nil, err
		}
		xs = append(xs, f)
	}
	if a.err != nil {
		return nil, a.err
	}
	if len(xs) == 0 {
		return &constraint.Bool{V: true}, nil
	}
	if a.index {
		xs = append(xs, &constraint.Pred{Field: "_index", Op: constraint.Regex, Regex: concreteIndexRegex(a.l.plan_.Indices), Whole: true, Span: xs[0].Source()})
	}
	// The guards of a CASE's branches (the conditions before, not true)
	// are shared by the branches after them: the normal form shares them
	// too instead of copying each guard into every branch (a CASE of n
	// branches is n guards, not n*n/2). The solver solves a tree of its
	// own (constraint.NNF).
	return constraint.NNFShared(&constraint.And{X: xs, Span: xs[0].Source()}), nil
}

func (a *docAlg) atom(e Expr, want bool) (constraint.Expr, error) {
	switch x := e.(type) {
	case *Compare:
		return a.compare(x.L, x.Op, x.R, want, x.Loc)
	case *In:
		return a.in(x, want)
	case *Like:
		return a.like(x, want)
	case *IsNull:
		if x.Not != want {
			return a.null(x.X)
		}
		return a.nonNull(x.X)
	case *Match:
		return a.fullText(x.Field, x.Query, want, x.Loc)
	case *matchOn:
		return a.fullText(x.X, x.M.Query, want, x.M.Loc)
	case *Call:
		return a.boolCall(x, want)
	case *Field, *extractRef, *Cast:
		return a.compare(e, Eq, &Literal{Kind: LitBool, Bool: true, Loc: e.Location()}, want, e.Location())
	}
	return nil, a.unsupported(e.Location(), "%s as a condition", describe2(e))
}

// cmp operators.
func (o CmpOp) flip() CmpOp {
	switch o {
	case Lt:
		return Gt
	case Le:
		return Ge
	case Gt:
		return Lt
	case Ge:
		return Le
	}
	return o
}

func (o CmpOp) negated() CmpOp {
	return [...]CmpOp{Eq: Ne, Ne: Eq, Lt: Ge, Le: Gt, Gt: Le, Ge: Lt}[o]
}

func (o CmpOp) interval() interval.Op {
	return [...]interval.Op{Eq: interval.Eq, Lt: interval.Lt, Le: interval.Le, Gt: interval.Gt, Ge: interval.Ge}[o]
}

var predOps = [...]constraint.Op{Eq: constraint.Eq, Lt: constraint.Lt, Le: constraint.Le, Gt: constraint.Gt, Ge: constraint.Ge}

// compareConsts decides a comparison of two constants.
func compareConsts(op CmpOp, x, y cval) (bool, bool) {
	if x.k == cNull || y.k == cNull {
		return false, true
	}
	var c int
	switch {
	case x.isNumber() && y.isNumber():
		xf, yf := x.float(), y.float()
		if x.k == cInt && y.k == cInt {
			xf, yf = 0, 0
			switch {
			case x.i < y.i:
				c = -1
			case x.i > y.i:
				c = 1
			}
		} else {
			switch {
			case xf < yf:
				c = -1
			case xf > yf:
				c = 1
			}
		}
	case x.k == cStr && y.k == cStr:
		c = strings.Compare(x.s, y.s)
	case x.k == cBool && y.k == cBool:
		if op != Eq && op != Ne {
			return false, false
		}
		if x.b != y.b {
			c = 1
		}
	default:
		return false, false
	}
	switch op {
	case Eq:
		return c == 0, true
	case Ne:
		return c != 0, true
	case Lt:
		return c < 0, true
	case Le:
		return c <= 0, true
	case Gt:
		return c > 0, true
	}
	return c >= 0, true
}

// compare lowers "l op r is want".
func (a *docAlg) compare(l Expr, op CmpOp, r Expr, want bool, loc Loc) (constraint.Expr, error) {
	if readsDistance(l) || readsDistance(r) {
		return a.geoAtom(l, op, r, want, loc)
	}
	lr, rr := hasRefs(l), hasRefs(r)
	if !lr && !rr {
		x, ok1 := fold(l)
		y, ok2 := fold(r)
		if !ok1 || !ok2 {
			return nil, a.unsupported(loc, "a comparison of constants emit does not evaluate")
		}
		if x.k == cNull || y.k == cNull {
			return a.konst(loc, false), nil
		}
		v, ok := compareConsts(op, x, y)
		if !ok {
			return nil, a.unsupported(loc, "a comparison of constants of different types")
		}
		return a.konst(loc, v == want), nil
	}
	if !lr {
		l, r, op = r, l, op.flip()
		lr, rr = rr, lr
	}
	if rr {
		return a.relation(l, op, r, want, loc)
	}
	v, ok := fold(r)
	if !ok {
		return nil, a.unsupported(r.Location(), "%s: a constant emit does not evaluate", r.Location().Text(a.l.src))
	}
	if v.k == cNull {
		return a.konst(loc, false), nil
	}
	if !want {
		op = op.negated()
	}
	return a.cmp(l, op, v, loc)
}

// cmp lowers "e op v is true" for a constant v that is not null.
func (a *docAlg) cmp(e Expr, op CmpOp, v cval, loc Loc) (constraint.Expr, error) {
	if f, ok := e.(*Field); ok && f.Name == "_ignored" {
		return a.ignored(op, v, loc)
	}
	if op == Ne && v.k == cStr {
		if _, ok := plainField(e); !ok && isStringExpr(e) {
			return a.strIn(e, regexp.Complemented(regexp.Literal(v.s)), loc)
		}
	}
	if x, ok := e.(*Call); ok && op == Ne && (x.Name == "case" || x.Name == "coalesce") {
		// Branch by branch: a branch's value differs (no complement of a
		// branch's condition that emit satisfies only in part).
		return a.branchCmp(x, op, v, loc)
	}
	if op == Ne {
		nn, err := a.nonNull(e)
		if err != nil {
			return nil, err
		}
		eq, err := a.cmp(e, Eq, v, loc)
		if err != nil {
			return nil, err
		}
		return a.and(loc, nn, a.not(loc, eq)), nil
	}
	switch x := e.(type) {
	case *Field:
		return a.fieldCmp(x.Name, op, v, loc)
	case *Cast:
		return a.castCmp(x.X, x.Type, op, v, loc)
	case *Call:
		if typ, ok := convFuncs[x.Name]; ok && len(x.Args) == 1 {
			return a.castCmp(x.Args[0], typ, op, v, loc)
		}
		switch x.Name {
		case "case", "coalesce":
			return a.branchCmp(x, op, v, loc)
		case "mv_first", "mv_last", "mv_min", "mv_max", "mv_dedupe", "mv_sort", "mv_median", "mv_avg", "mv_sum":
			// One value: the function returns it.
			if len(x.Args) >= 1 {
				return a.cmp(x.Args[0], op, v, loc)
			}
		}
	case *extractRef:
		if x.Type != "" && v.isNumber() {
			return a.numIn(x, a.cmpSet(op, v), loc)
		}
	case *Literal:
		c, _ := fold(x)
		res, ok := compareConsts(op, c, v)
		return a.konst(loc, ok && res), nil
	}
	switch v.k {
	case cStr:
		if op != Eq {
			if x, ok := e.(*extractRef); ok {
				// An extracted string ordered against a string.
				return a.strIn(x, orderSet(op, v.s), loc)
			}
			return nil, a.unsupported(loc, "%s ordered against a string", describe2(e))
		}
		return a.strIn(e, regexp.Literal(v.s), loc)
	case cInt, cFloat:
		return a.numIn(e, a.cmpSet(op, v), loc)
	case cBool:
		if op != Eq {
			return nil, a.unsupported(loc, "a boolean ordered")
		}
		return a.boolIs(e, v.b, loc)
	case cDate:
		return a.dateCmp(e, op, v, loc)
	}
	return nil, a.unsupported(loc, "%s compared to a %s", describe2(e), kindName(v.k))
}

func kindName(k ckind) string {
	return [...]string{"null", "boolean", "integer", "double", "string", "date", "time duration", "date period"}[k]
}

func (a *docAlg) cmpSet(op CmpOp, v cval) reals {
	return interval.Compare(op.interval(), v.float())
}

// orderSet is the strings that order against s as op says (Unicode code
// point order, as keyword values compare).
func orderSet(op CmpOp, s string) *regexp.Node {
	less := lessThan(s)
	switch op {
	case Lt:
		return less
	case Le:
		return regexp.Union(less, regexp.Literal(s))
	case Gt:
		return regexp.Complemented(regexp.Union(less, regexp.Literal(s)))
	}
	return regexp.Complemented(less)
}

// lessThan is the strings before s in code point order: a proper prefix of
// s, or a prefix of s followed by a smaller character.
func lessThan(s string) *regexp.Node {
	var alts []*regexp.Node
	rs := []rune(s)
	for i, c := range rs {
		prefix := string(rs[:i])
		alts = append(alts, regexp.Literal(prefix))
		if c > 0 {
			alts = append(alts, regexp.Concat(regexp.Literal(prefix), regexp.Chars(regexp.Range{Lo: 0, Hi: c - 1}), anyStr()))
		}
	}
	return regexp.Union(alts...)
}

// fieldCmp is a predicate on a document field.
func (a *docAlg) fieldCmp(field string, op CmpOp, v cval, loc Loc) (constraint.Expr, error) {
	var val constraint.Value
	switch v.k {
	case cStr:
		val = constraint.String(v.s)
	case cDate:
		val = constraint.String(v.s)
		a.l.hint(field, estype.Date)
	case cInt:
		val = constraint.Number(float64(v.i))
		val.Str = strconv.FormatInt(v.i, 10)
		a.l.hint(field, estype.Long)
	case cFloat:
		val = constraint.Number(v.f)
		a.l.hint(field, estype.Double)
	case cBool:
		if op != Eq {
			return nil, a.unsupported(loc, "a boolean ordered")
		}
		val = constraint.Boolean(v.b)
		a.l.hint(field, estype.Boolean)
	default:
		return nil, a.unsupported(loc, "a field compared to a %s", kindName(v.k))
	}
	return a.pred(field, predOps[op], val, loc), nil
}

// castCmp lowers "e converted to typ, op v".
func (a *docAlg) castCmp(e Expr, typ string, op CmpOp, v cval, loc Loc) (constraint.Expr, error) {
	switch typ {
	case "keyword", "text":
		if v.k != cStr {
			break
		}
		if _, ok := e.(*Field); ok && op == Eq {
			// TO_STRING of a field: its value printed; the solver reads
			// the string by the field's type.
			return a.strIn(e, regexp.Literal(v.s), loc)
		}
		if op == Eq {
			return a.strIn(e, regexp.Literal(v.s), loc)
		}
	case "integer", "long", "double", "unsigned_long":
		if !v.isNumber() {
			break
		}
		s := a.cmpSet(op, v)
		if typ != "double" {
			// A conversion to an integer rounds: the numbers that round
			// into s.
			s = roundPre(interval.Ints(s), 0)
		}
		return a.numIn(e, s, loc)
	case "ip", "datetime", "date_nanos", "version", "boolean":
		return a.cmp(e, op, v, loc)
	}
	return nil, a.unsupported(loc, "a conversion to %s compared to a %s", typ, kindName(v.k))
}

// branchCmp lowers "CASE(...) op v" and "COALESCE(...) op v": one of the
// exclusive branches holds and its value compares.
func (a *docAlg) branchCmp(x *Call, op CmpOp, v cval, loc Loc) (constraint.Expr, error) {
	bs, err := branchesFor[constraint.Expr](a, x, func(b Expr) bool {
		if hasRefs(b) {
			return false
		}
		c, ok := fold(b)
		res, ok2 := compareConsts(op, c, v)
		return ok && ok2 && res
	})
	if err != nil {
		return nil, err
	}
	var alts []constraint.Expr
	for _, b := range bs {
		c, err := a.cmp(b.v, op, v, loc)
		if err != nil {
			return nil, err
		}
		alts = append(alts, a.and(loc, b.cond, c))
	}
	return a.or(loc, alts...), nil
}

// boolIs lowers "e is the boolean b" for a boolean column or field.
func (a *docAlg) boolIs(e Expr, b bool, loc Loc) (constraint.Expr, error) {
	switch x := e.(type) {
	case *Field:
		a.l.hint(x.Name, estype.Boolean)
		return a.pred(x.Name, constraint.Eq, constraint.Boolean(b), loc), nil
	}
	if isBoolExpr(e) {
		return truth[constraint.Expr](a, e, b)
	}
	return nil, a.unsupported(loc, "%s compared to a boolean", describe2(e))
}

// relation lowers a comparison of two columns.
func (a *docAlg) relation(l Expr, op CmpOp, r Expr, want bool, loc Loc) (constraint.Expr, error) {
	// A conditional side: one of its branches holds, and its value
	// compares.
	l, r = stripIdentity(l), stripIdentity(r)
	for swap := 0; swap < 2; swap++ {
		x, y, o := l, r, op
		if swap == 1 {
			x, y, o = r, l, op.flip()
		}
		if c, ok := x.(*Call); ok && (c.Name == "case" || c.Name == "coalesce") {
			bs, err := branches[constraint.Expr](a, c)
			if err != nil {
				return nil, err
			}
			var alts []constraint.Expr
			for _, b := range bs {
				var f constraint.Expr
				if !hasRefs(b.v) {
					v, ok := fold(b.v)
					if !ok {
						return nil, a.unsupported(b.v.Location(), "a constant emit does not evaluate")
					}
					if v.k == cNull {
						continue
					}
					f, err = a.compare(y, o.flip(), b.v, want, loc)
				} else {
					f, err = a.relation(b.v, o, y, want, loc)
				}
				if err != nil {
					return nil, err
				}
				alts = append(alts, a.and(loc, b.cond, f))
			}
			if len(alts) == 0 {
				return a.konst(loc, false), nil
			}
			return a.or(loc, alts...), nil
		}
	}
	ci := false
	lf, ok1 := plainField(l)
	rf, ok2 := plainField(r)
	if !ok1 || !ok2 {
		// to_lower(a) == to_lower(b): equal in any case.
		lc, lok := l.(*Call)
		rc, rok := r.(*Call)
		if lok && rok && lc.Name == rc.Name && (lc.Name == "to_lower" || lc.Name == "to_upper") && op == Eq {
			lf, ok1 = plainField(lc.Args[0])
			rf, ok2 = plainField(rc.Args[0])
			ci = true
		}
	}
	if !want {
		op = op.negated()
	}
	if (!ok1 || !ok2) && op == Ne && isStringSide(l) && isStringSide(r) {
		return a.apart(l, r, loc)
	}
	if (!ok1 || !ok2) && op == Eq && isStringSide(l) && isStringSide(r) {
		// A GROK key equal to a field: the key's value is the field's,
		// written into the parsed string.
		for swap := 0; swap < 2; swap++ {
			x, y := l, r
			if swap == 1 {
				x, y = r, l
			}
			if k, ok := x.(*extractRef); ok {
				if f, ok := plainField(y); ok {
					if out, ok, err := a.extractEq(k, f, loc); ok || err != nil {
						return out, err
					}
				}
			}
		}
		return a.together(l, r, loc)
	}
	if !ok1 || !ok2 {
		return nil, a.unsupported(loc, "%s compared to %s", describe2(l), describe2(r))
	}
	rel := func(op CmpOp) constraint.Expr {
		kinds := map[CmpOp]constraint.RelKind{Eq: constraint.RelEq, Lt: constraint.RelLt, Le: constraint.RelLe, Gt: constraint.RelGt, Ge: constraint.RelGe}
		a.document(lf.Name, loc)
		a.document(rf.Name, loc)
		return &constraint.Pred{Field: lf.Name, Op: constraint.Rel, Rel: kinds[op], Other: rf.Name, CI: ci, Whole: true, Span: a.span(loc)}
	}
	if op == Ne {
		both := a.and(loc, a.pred(lf.Name, constraint.Exists, constraint.Value{}, loc), a.pred(rf.Name, constraint.Exists, constraint.Value{}, loc))
		return a.and(loc, both, a.not(loc, rel(Eq))), nil
	}
	return rel(op), nil
}

// plainField returns the field e reads as it is (through casts to its own
// kind of value).
func plainField(e Expr) (*Field, bool) {
	switch x := e.(type) {
	case *Field:
		return x, true
	case *Cast:
		return plainField(x.X)
	case *Call:
		switch x.Name {
		case "to_string", "to_ip", "mv_first", "mv_last", "mv_min", "mv_max", "mv_dedupe":
			if len(x.Args) == 1 {
				return plainField(x.Args[0])
			}
		}
	}
	return nil, false
}

func (a *docAlg) in(x *In, want bool) (constraint.Expr, error) {
	w := want != x.Not
	var items []constraint.Expr
	hasNull := false
	for _, y := range x.List {
		if v, ok := fold(y); ok && !hasRefs(y) && v.k == cNull {
			hasNull = true
			continue
		}
		c, err := a.compare(x.X, Eq, y, w, y.Location())
		if err != nil {
			return nil, err
		}
		items = append(items, c)
	}
	if w {
		// In the list: equal to one of the items.
		return a.or(x.Loc, items...), nil
	}
	// Not in the list: different from every item; a null item makes the
	// answer null instead of true.
	if hasNull {
		return a.konst(x.Loc, false), nil
	}
	if len(items) == 0 {
		return a.konst(x.Loc, false), nil
	}
	return a.and(x.Loc, items...), nil
}

func (a *docAlg) like(x *Like, want bool) (constraint.Expr, error) {
	var sets []*regexp.Node
	for _, p := range x.Patterns {
		if p.Kind != LitString {
			return nil, a.unsupported(p.Loc, "a %s pattern that is not a string", likeName(x))
		}
		if x.RLike {
			n, err := rlikeSet(p.Str)
			if err != nil {
				return nil, a.unsupported(p.Loc, "RLIKE pattern %s: %v", p.String(), err)
			}
			sets = append(sets, n)
		} else {
			sets = append(sets, likeSet(p.Str))
		}
	}
	set := regexp.Union(sets...)
	if want == x.Not {
		// Not matching: a value in the complement (an expression's
		// inversion may be partial, and the complement of a partial set is
		// not the set of the rest).
		if _, ok := plainField(x.X); !ok {
			return a.strIn(x.X, regexp.Complemented(set), x.Loc)
		}
	}
	match, err := a.strIn(x.X, set, x.Loc)
	if err != nil {
		return nil, err
	}
	if want != x.Not {
		return match, nil
	}
	nn, err := a.nonNull(x.X)
	if err != nil {
		return nil, err
	}
	return a.and(x.Loc, nn, a.not(x.Loc, match)), nil
}

func likeName(x *Like) string {
	if x.RLike {
		return "RLIKE"
	}
	return "LIKE"
}

// fullText lowers the match operator and MATCH(): a full-text match on the
// field, true or false (never null).
func (a *docAlg) fullText(field Expr, q Expr, want bool, loc Loc) (constraint.Expr, error) {
	// A field cast to a string matches as a keyword: the whole value.
	whole := false
	for {
		c, ok := field.(*Cast)
		if !ok {
			break
		}
		whole = whole || c.Type == "keyword"
		field = c.X
	}
	f, ok := field.(*Field)
	if !ok {
		return nil, a.unsupported(loc, "a full-text match on %s", describe2(field))
	}
	v, ok := fold(q)
	if !ok || hasRefs(q) {
		return nil, a.unsupported(q.Location(), "a full-text query that is not a constant")
	}
	var val constraint.Value
	switch v.k {
	case cStr:
		val = constraint.String(v.s)
	case cInt:
		val = constraint.Number(float64(v.i))
		val.Str = strconv.FormatInt(v.i, 10)
	case cFloat:
		val = constraint.Number(v.f)
	case cBool:
		val = constraint.Boolean(v.b)
	default:
		return nil, a.unsupported(q.Location(), "a full-text query of a %s", kindName(v.k))
	}
	a.document(f.Name, loc)
	p := &constraint.Pred{Field: f.Name, Op: constraint.Eq, Value: val, Whole: whole, Span: a.span(loc)}
	if want {
		return p, nil
	}
	return a.not(loc, p), nil
}

func (a *docAlg) boolCall(x *Call, want bool) (constraint.Expr, error) {
	// Full-text functions are true or false, never null.
	switch x.Name {
	case "kql", "qstr":
		s, ok := fold(x.Args[0])
		if !ok || s.k != cStr || hasRefs(x.Args[0]) {
			return nil, a.unsupported(x.Loc, "%s() of a query that is not a constant string", strings.ToUpper(x.Name))
		}
		if len(x.Args) > 1 {
			return nil, a.unsupported(x.Loc, "%s() with options", strings.ToUpper(x.Name))
		}
		lower := a.l.opts.KQL
		if x.Name == "qstr" {
			lower = a.l.opts.QueryString
		}
		if lower == nil {
			return nil, a.unsupported(x.Loc, "%s(): no lowering of its query language was given", strings.ToUpper(x.Name))
		}
		cond, err := lower(s.s)
		if err != nil {
			return nil, a.unsupported(x.Args[0].Location(), "%s(): %v", strings.ToUpper(x.Name), err)
		}
		if want {
			return cond, nil
		}
		return a.not(x.Loc, cond), nil
	case "match", "match_phrase":
		if len(x.Args) > 2 {
			return nil, a.unsupported(x.Loc, "%s() with options", strings.ToUpper(x.Name))
		}
		return a.fullText(x.Args[0], x.Args[1], want, x.Loc)
	}
	var pos constraint.Expr
	var err error
	switch x.Name {
	case "starts_with", "ends_with", "contains":
		s, ok := fold(x.Args[1])
		if !ok || hasRefs(x.Args[1]) {
			if f1, ok1 := plainField(x.Args[0]); ok1 {
				if f2, ok2 := plainField(x.Args[1]); ok2 {
					rel := map[string]constraint.RelKind{"starts_with": constraint.RelPrefix, "ends_with": constraint.RelSuffix, "contains": constraint.RelContains}[x.Name]
					pos = &constraint.Pred{Field: f1.Name, Op: constraint.Rel, Rel: rel, Other: f2.Name, Whole: true, Span: a.span(x.Loc)}
					break
				}
			}
			return nil, a.unsupported(x.Loc, "%s() with a second argument that is not a constant", strings.ToUpper(x.Name))
		}
		if s.k == cNull {
			return a.konst(x.Loc, false), nil
		}
		if s.k != cStr {
			return nil, a.unsupported(x.Args[1].Location(), "%s() of a %s", strings.ToUpper(x.Name), kindName(s.k))
		}
		lit := regexp.Literal(s.s)
		var set *regexp.Node
		switch x.Name {
		case "starts_with":
			set = regexp.Concat(lit, anyStr())
		case "ends_with":
			set = regexp.Concat(anyStr(), lit)
		default:
			set = contains(lit)
		}
		pos, err = a.strIn(x.Args[0], set, x.Loc)
	case "cidr_match":
		f, ok := plainField(x.Args[0])
		if !ok {
			return nil, a.unsupported(x.Loc, "CIDR_MATCH() of %s", describe2(x.Args[0]))
		}
		a.l.hint(f.Name, estype.IP)
		var alts []constraint.Expr
		for _, b := range x.Args[1:] {
			v, ok := fold(b)
			if !ok || hasRefs(b) {
				return nil, a.unsupported(b.Location(), "CIDR_MATCH() with a block that is not a constant")
			}
			if v.k == cNull {
				continue
			}
			alts = append(alts, a.pred(f.Name, constraint.CIDR, constraint.String(v.s), b.Location()))
		}
		pos = a.or(x.Loc, alts...)
	case "mv_contains":
		// Single values: the first contains the second when they are equal.
		return a.compare(x.Args[0], Eq, x.Args[1], want, x.Loc)
	case "to_boolean":
		return a.compare(x.Args[0], Eq, &Literal{Kind: LitBool, Bool: true}, want, x.Loc)
	default:
		return nil, a.unsupported(x.Loc, "%s() as a condition", strings.ToUpper(x.Name))
	}
	if err != nil {
		return nil, err
	}
	if want {
		return pos, nil
	}
	var args []Expr
	for _, arg := range x.Args {
		if hasRefs(arg) {
			args = append(args, arg)
		}
	}
	nn, err := a.allNonNull(x.Loc, args)
	if err != nil {
		return nil, err
	}
	return a.and(x.Loc, nn, a.not(x.Loc, pos)), nil
}

func (a *docAlg) allNonNull(loc Loc, args []Expr) (constraint.Expr, error) {
	var xs []constraint.Expr
	for _, arg := range args {
		if !hasRefs(arg) {
			v, ok := fold(arg)
			if ok && v.k == cNull {
				return a.konst(loc, false), nil
			}
			continue
		}
		nn, err := a.nonNull(arg)
		if err != nil {
			return nil, err
		}
		xs = append(xs, nn)
	}
	if len(xs) == 0 {
		return a.konst(loc, true), nil
	}
	return a.and(loc, xs...), nil
}

// strictFuncs are null exactly when an argument is null (given
// well-formed values).
var strictFuncs = map[string]bool{
	"to_lower": true, "to_upper": true, "concat": true, "substring": true, "length": true, "locate": true,
	"starts_with": true, "ends_with": true, "contains": true, "replace": true, "trim": true, "ltrim": true,
	"rtrim": true, "left": true, "right": true, "reverse": true, "split": true, "to_string": true,
	"to_ip": true, "to_long": true, "to_integer": true, "to_double": true, "to_datetime": true,
	"to_version": true, "to_unsigned_long": true, "abs": true, "round": true, "mv_first": true, "mv_last": true,
	"mv_min": true, "mv_max": true, "mv_dedupe": true, "mv_sort": true, "mv_concat": true, "mv_count": true,
	"mv_sum": true, "mv_avg": true, "mv_median": true, "date_trunc": true, "date_diff": true, "byte_length": true,
	"bit_length": true, "md5": true, "sha1": true, "sha256": true, "to_base64": true, "url_encode": true,
	"cidr_match": true, "ceil": true, "floor": true, "repeat": true, "space": true, "hash": true,
	"date_extract": true, "hour": true, "day": true, "month": true, "year": true,
}

// nonNull lowers "e is not null".
func (a *docAlg) nonNull(e Expr) (constraint.Expr, error) {
	switch x := e.(type) {
	case *Field:
		return a.pred(x.Name, constraint.Exists, constraint.Value{}, x.Loc), nil
	case *Literal:
		return a.konst(x.Loc, x.Kind != LitNull), nil
	case *extractRef:
		return a.extractNonNull(x)
	case *Cast:
		return a.nonNull(x.X)
	case *Neg:
		return a.nonNull(x.X)
	case *Arith:
		if x.Op == Div || x.Op == Mod {
			if d, ok := fold(x.R); ok && !hasRefs(x.R) && d.isNumber() && d.float() != 0 {
				return a.nonNull(x.L)
			}
			return nil, a.unsupported(x.Loc, "%s compared to null", describe2(x))
		}
		return a.allNonNull(x.Loc, []Expr{x.L, x.R})
	case *Call:
		if !hasRefs(x) {
			v, ok := fold(x)
			return a.konst(x.Loc, ok && v.k != cNull), nil
		}
		switch x.Name {
		case "case", "coalesce":
			bs, err := branches[constraint.Expr](a, x)
			if err != nil {
				return nil, err
			}
			var alts []constraint.Expr
			for _, b := range bs {
				nn, err := a.nonNull(b.v)
				if err != nil {
					return nil, err
				}
				alts = append(alts, a.and(x.Loc, b.cond, nn))
			}
			return a.or(x.Loc, alts...), nil
		case "mv_slice":
			if start, ok := intArg(x, 1); ok && start == 0 {
				return a.nonNull(x.Args[0])
			}
		case "json_extract":
			if f, ok := sourcePath(x); ok {
				return a.nonNull(f)
			}
		case "url_decode", "from_base64":
			return a.encodedNonNull(x)
		case "mv_intersection":
			// Single values: the intersection is the value both hold.
			return a.compare(x.Args[0], Eq, x.Args[1], true, x.Loc)
		case "mv_append":
			nn := make([]constraint.Expr, 0, 2)
			for _, arg := range x.Args {
				c, err := a.nonNull(arg)
				if err != nil {
					return nil, err
				}
				nn = append(nn, c)
			}
			return a.or(x.Loc, nn...), nil
		}
		if strictFuncs[x.Name] {
			return a.allNonNull(x.Loc, x.Args)
		}
		if isBoolExpr(x) {
			return nonNull[constraint.Expr](a, x)
		}
	}
	if isBoolExpr(e) {
		t, err := truth[constraint.Expr](a, e, true)
		if err != nil {
			return nil, err
		}
		f, err := truth[constraint.Expr](a, e, false)
		if err != nil {
			return nil, err
		}
		return a.or(e.Location(), t, f), nil
	}
	return nil, a.unsupported(e.Location(), "%s compared to null", describe2(e))
}

// intArg is a constant integer argument.
func intArg(x *Call, i int) (int64, bool) {
	if i >= len(x.Args) || hasRefs(x.Args[i]) {
		return 0, false
	}
	v, ok := fold(x.Args[i])
	return v.i, ok && v.k == cInt
}

// strArg is a constant string argument.
func strArg(x *Call, i int) (string, bool) {
	if i >= len(x.Args) || hasRefs(x.Args[i]) {
		return "", false
	}
	v, ok := fold(x.Args[i])
	return v.s, ok && v.k == cStr
}

// sourcePath reads JSON_EXTRACT(_source, "path"): the document field at
// the path.
func sourcePath(x *Call) (*Field, bool) {
	if len(x.Args) != 2 {
		return nil, false
	}
	src, ok := x.Args[0].(*Field)
	if !ok || src.Name != "_source" {
		return nil, false
	}
	p, ok := strArg(x, 1)
	p = strings.TrimPrefix(strings.TrimPrefix(p, "$"), ".")
	if !ok || p == "" || strings.ContainsAny(p, "[]*") {
		return nil, false
	}
	return &Field{Name: p, Loc: x.Loc}, true
}

// strIn lowers "e is not null and its value is in the set".
func (a *docAlg) strIn(e Expr, set *regexp.Node, loc Loc) (constraint.Expr, error) {
	if set.Kind == regexp.KindNothing {
		return a.konst(loc, false), nil
	}
	switch x := e.(type) {
	case *Field:
		if s, ok := isLiteral(set); ok {
			return a.pred(x.Name, constraint.Eq, constraint.String(s), loc), nil
		}
		if treeSize(set) > maxTree {
			return nil, a.unsupported(loc, "a pattern too large to invert")
		}
		a.document(x.Name, loc)
		return &constraint.Pred{Field: x.Name, Op: constraint.Regex, Regex: set.String(), Whole: true, Span: a.span(loc)}, nil
	case *Literal:
		v, _ := fold(x)
		s, ok := constString(v)
		return a.konst(loc, ok && v.k != cNull && matchesConst(set, s)), nil
	case *extractRef:
		return a.extractIn(x, set, loc)
	case *Cast:
		if x.Type == "keyword" || x.Type == "text" || x.Type == "ip" || x.Type == "version" {
			return a.strIn(x.X, set, loc)
		}
	case *Call:
		if !hasRefs(x) {
			v, ok := fold(x)
			if !ok {
				return nil, a.unsupported(x.Loc, "%s of constants emit does not evaluate", describe2(x))
			}
			s, ok := constString(v)
			return a.konst(loc, ok && v.k != cNull && matchesConst(set, s)), nil
		}
		return a.strCall(x, set, loc)
	}
	return nil, a.unsupported(loc, "%s compared to a string", describe2(e))
}

// strCall inverts a string function.
func (a *docAlg) strCall(x *Call, set *regexp.Node, loc Loc) (constraint.Expr, error) {
	arg0 := func() Expr { return x.Args[0] }
	switch x.Name {
	case "to_lower", "to_upper":
		pre := preLower
		if x.Name == "to_upper" {
			pre = preUpper
		}
		p, ok := pre(set)
		if !ok {
			return nil, a.unsupported(x.Loc, "%s() of a pattern emit cannot invert", strings.ToUpper(x.Name))
		}
		return a.strIn(arg0(), p, loc)
	case "to_string", "to_ip", "to_version", "mv_first", "mv_last", "mv_min", "mv_max", "mv_dedupe", "mv_sort":
		return a.strIn(arg0(), set, loc)
	case "mv_concat":
		// One value: the separator does not appear.
		return a.strIn(arg0(), set, loc)
	case "mv_slice":
		if start, ok := intArg(x, 1); ok && start == 0 {
			end := int64(0)
			if len(x.Args) == 3 {
				e, ok := intArg(x, 2)
				if !ok {
					break
				}
				end = e
			}
			if end >= 0 {
				return a.strIn(arg0(), set, loc)
			}
		}
	case "case", "coalesce":
		bs, err := branchesFor[constraint.Expr](a, x, func(b Expr) bool {
			if hasRefs(b) {
				return false
			}
			c, ok := fold(b)
			str, ok2 := constString(c)
			return ok && ok2 && c.k != cNull && matchesConst(set, str)
		})
		if err != nil {
			return nil, err
		}
		var alts []constraint.Expr
		for _, b := range bs {
			c, err := a.strIn(b.v, set, loc)
			if err != nil {
				return nil, err
			}
			alts = append(alts, a.and(loc, b.cond, c))
		}
		return a.or(loc, alts...), nil
	case "concat":
		return a.concatIn(x, set, loc)
	case "substring":
		return a.substringIn(x, set, loc)
	case "left", "right":
		n, ok := intArg(x, 1)
		if !ok || n < 0 || n > 1<<16 {
			break
		}
		// LEFT(s, n): the first n characters (all of a shorter string).
		full := regexp.Intersect(set, lengthSet(int(n), int(n)))
		short := regexp.Intersect(set, lengthSet(0, int(n)-1))
		var whole *regexp.Node
		if x.Name == "left" {
			whole = regexp.Union(regexp.Concat(full, anyStr()), short)
		} else {
			whole = regexp.Union(regexp.Concat(anyStr(), full), short)
		}
		return a.strIn(arg0(), whole, loc)
	case "trim", "ltrim", "rtrim":
		// Whitespace as Java's String.strip sees it, for the ASCII part.
		ws := regexp.Chars(regexp.Range{Lo: '\t', Hi: '\r'}, regexp.Range{Lo: ' ', Hi: ' '})
		edge := regexp.Repeat(ws, 0, -1)
		core := set
		if x.Name != "rtrim" {
			core = regexp.Intersect(core, regexp.Complemented(regexp.Concat(ws, anyStr())))
		}
		if x.Name != "ltrim" {
			core = regexp.Intersect(core, regexp.Complemented(regexp.Concat(anyStr(), ws)))
		}
		var whole *regexp.Node
		switch x.Name {
		case "trim":
			whole = regexp.Concat(edge, core, edge)
		case "ltrim":
			whole = regexp.Concat(edge, core)
		default:
			whole = regexp.Concat(core, edge)
		}
		return a.strIn(arg0(), whole, loc)
	case "reverse":
		r, ok := reverseSet(set)
		if ok {
			return a.strIn(arg0(), r, loc)
		}
	case "json_extract":
		if f, ok := sourcePath(x); ok {
			return a.strIn(f, set, loc)
		}
		return a.encodedIn(x, set, loc)
	case "url_decode", "from_base64":
		return a.encodedIn(x, set, loc)
	case "replace":
		return a.replaceIn(x, set, loc)
	}
	if inner, ok := x.Args[0].(*Call); ok && len(x.Args) >= 1 && inner.Name == "split" && (x.Name == "mv_first" || x.Name == "mv_last") {
		return a.splitIn(x.Name, inner, set, loc)
	}
	return nil, a.unsupported(x.Loc, "%s compared to a string", describe2(x))
}

// concatIn inverts CONCAT: with one argument that is not a constant, that
// argument is in the quotient of the set by the constants around it; with
// several, the set must be one string, split among them in every way.
func (a *docAlg) concatIn(x *Call, set *regexp.Node, loc Loc) (constraint.Expr, error) {
	type part struct {
		lit  string
		expr Expr
	}
	var parts []part
	nexpr := 0
	for _, arg := range x.Args {
		if hasRefs(arg) {
			parts = append(parts, part{expr: arg})
			nexpr++
			continue
		}
		v, ok := fold(arg)
		if !ok {
			return nil, a.unsupported(arg.Location(), "a CONCAT() argument emit does not evaluate")
		}
		if v.k == cNull {
			return a.konst(loc, false), nil
		}
		s, ok := constString(v)
		if !ok {
			return nil, a.unsupported(arg.Location(), "a CONCAT() of a %s", kindName(v.k))
		}
		parts = append(parts, part{lit: s})
	}
	if nexpr == 1 {
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
		q, ok := leftQuotient(set, prefix.String())
		if ok {
			q, ok = rightQuotient(q, suffix.String())
		}
		if !ok {
			return nil, a.unsupported(x.Loc, "CONCAT() compared to a pattern emit cannot split")
		}
		return a.strIn(e, q, loc)
	}
	target, ok := isLiteral(set)
	if !ok {
		return nil, a.unsupported(x.Loc, "CONCAT() of several columns compared to a pattern")
	}
	const maxSplits = 64
	lits := make([]*string, len(parts))
	for k := range parts {
		if parts[k].expr == nil {
			lits[k] = &parts[k].lit
		}
	}
	alts, ok := constraint.SplitConcat(target, lits, false, maxSplits)
	if !ok {
		return nil, a.unsupported(x.Loc, "CONCAT() of several columns splitting a string in more than %d ways", maxSplits)
	}
	var out []constraint.Expr
	for _, alt := range alts {
		var and []constraint.Expr
		i := 0
		for _, pt := range parts {
			if pt.expr == nil {
				continue
			}
			c, err := a.strIn(pt.expr, regexp.Literal(alt[i]), loc)
			if err != nil {
				return nil, err
			}
			and = append(and, c)
			i++
		}
		out = append(out, a.and(loc, and...))
	}
	if len(out) == 0 {
		return a.konst(loc, false), nil
	}
	return a.or(loc, out...), nil
}

// substringIn inverts SUBSTRING(s, start[, length]) with constant
// positions: start counts from 1 (a negative start from the end, not
// inverted); a string shorter than the start gives "".
func (a *docAlg) substringIn(x *Call, set *regexp.Node, loc Loc) (constraint.Expr, error) {
	start, ok := intArg(x, 1)
	if !ok || start < 1 || start > 1<<16 {
		return nil, a.unsupported(x.Loc, "SUBSTRING() with a start that is not a constant from 1")
	}
	skip := int(start - 1)
	var whole *regexp.Node
	if len(x.Args) == 3 {
		n, ok := intArg(x, 2)
		if !ok || n < 0 || n > 1<<16 {
			return nil, a.unsupported(x.Loc, "SUBSTRING() with a length that is not a constant")
		}
		full := regexp.Concat(lengthSet(skip, skip), regexp.Intersect(set, lengthSet(int(n), int(n))), anyStr())
		short := regexp.Concat(lengthSet(skip, skip), regexp.Intersect(set, lengthSet(0, int(n)-1)))
		whole = regexp.Union(full, short)
	} else {
		whole = regexp.Concat(lengthSet(skip, skip), set)
	}
	if nullable(set) && skip > 0 {
		whole = regexp.Union(whole, lengthSet(0, skip-1))
	}
	return a.strIn(x.Args[0], whole, loc)
}

// splitIn inverts MV_FIRST(SPLIT(s, sep)) and MV_LAST(SPLIT(s, sep)) on a
// single value: the first (last) part of s between separators.
func (a *docAlg) splitIn(fn string, split *Call, set *regexp.Node, loc Loc) (constraint.Expr, error) {
	sep, ok := strArg(split, 1)
	if !ok || sep == "" {
		return nil, a.unsupported(split.Loc, "SPLIT() by a separator that is not a constant string")
	}
	lit := regexp.Literal(sep)
	part := regexp.Intersect(set, regexp.Complemented(contains(lit)))
	var whole *regexp.Node
	if fn == "mv_first" {
		whole = regexp.Concat(part, regexp.Repeat(regexp.Concat(lit, anyStr()), 0, 1))
	} else {
		whole = regexp.Concat(regexp.Repeat(regexp.Concat(anyStr(), lit), 0, 1), part)
	}
	return a.strIn(split.Args[0], whole, loc)
}

// replaceIn inverts REPLACE(s, regex, replacement) by drawing a value the
// regex does not match anywhere, which REPLACE leaves as it is: an
// under-approximation (a value with matches may also qualify).
func (a *docAlg) replaceIn(x *Call, set *regexp.Node, loc Loc) (constraint.Expr, error) {
	re, ok := strArg(x, 1)
	if !ok {
		return nil, a.unsupported(x.Loc, "REPLACE() with a pattern that is not a constant string")
	}
	j, err := parseJava(re)
	if err != nil {
		return nil, a.unsupported(x.Args[1].Location(), "REPLACE() pattern: %v", err)
	}
	// No match anywhere: an anchored pattern ("\\.$") only rules out
	// the values it finds a match in at its anchor.
	none := regexp.Complemented(j.findSet())
	out, err := a.strIn(x.Args[0], regexp.Intersect(set, none), loc)
	if err != nil {
		return nil, err
	}
	a.inexact[out] = true
	return out, nil
}

// numIn lowers "e is not null and its value is in s".
func (a *docAlg) numIn(e Expr, s reals, loc Loc) (constraint.Expr, error) {
	if s.IsEmpty() {
		return a.konst(loc, false), nil
	}
	if op, l, r, ok := arithParts(e); ok {
		return a.arithIn(e, op, l, r, s, loc)
	}
	switch x := e.(type) {
	case *Field:
		a.l.hint(x.Name, estype.Long)
		if !s.IsEmpty() && (float64(s.Min()) != math.Trunc(float64(s.Min())) && !math.IsInf(float64(s.Min()), 0) || float64(s.Max()) != math.Trunc(float64(s.Max())) && !math.IsInf(float64(s.Max()), 0)) {
			a.l.hint(x.Name, estype.Double)
		}
		return a.intervals(x.Name, s, loc, false), nil
	case *Neg:
		return a.numIn(x.X, interval.Affine(s, -1, 0), loc)
	case *Literal:
		v, _ := fold(x)
		return a.konst(loc, v.isNumber() && s.Contains(interval.Float(v.float()))), nil
	case *Cast:
		switch x.Type {
		case "integer", "long", "unsigned_long":
			return a.numIn(x.X, roundPre(interval.Ints(s), 0), loc)
		case "double":
			return a.numIn(x.X, s, loc)
		}
	case *extractRef:
		return a.extractNum(x, s, loc)
	case *Call:
		if !hasRefs(x) {
			v, ok := fold(x)
			return a.konst(loc, ok && v.isNumber() && s.Contains(interval.Float(v.float()))), nil
		}
		return a.numCall(x, s, loc)
	}
	return nil, a.unsupported(loc, "%s compared to a number", describe2(e))
}

func (a *docAlg) numCall(x *Call, s reals, loc Loc) (constraint.Expr, error) {
	switch x.Name {
	case "to_integer", "to_long", "to_unsigned_long":
		return a.toNumberIn(x.Args[0], roundPre(interval.Ints(s), 0), loc)
	case "to_double":
		return a.toNumberIn(x.Args[0], s, loc)
	case "mv_first", "mv_last", "mv_min", "mv_max", "mv_sum", "mv_avg", "mv_median", "mv_dedupe":
		return a.numIn(x.Args[0], s, loc)
	case "mv_count":
		if s.Contains(1) {
			return a.nonNull(x.Args[0])
		}
		return a.mvCount(x, s, loc)
	case "case", "coalesce":
		bs, err := branches[constraint.Expr](a, x)
		if err != nil {
			return nil, err
		}
		var alts []constraint.Expr
		for _, b := range bs {
			c, err := a.numIn(b.v, s, loc)
			if err != nil {
				return nil, err
			}
			alts = append(alts, a.and(loc, b.cond, c))
		}
		return a.or(loc, alts...), nil
	case "length":
		ints := interval.Ints(s.Clamp(0, interval.Float(math.Inf(1))))
		arg := x.Args[0]
		for {
			// TO_LOWER and TO_UPPER keep the length of the values emit
			// draws (the evaluator judges the rest), and a length bound on
			// the field itself spares the solver a length automaton.
			c, ok := arg.(*Call)
			if !ok || c.Name != "to_lower" && c.Name != "to_upper" || len(c.Args) != 1 {
				break
			}
			arg = c.Args[0]
		}
		if f, ok := arg.(*Field); ok {
			return a.intervals(f.Name, ints, loc, true), nil
		}
		var alts []*regexp.Node
		for _, r := range ints.R {
			lo, hi := int(r.Lo), -1
			if !math.IsInf(float64(r.Hi), 1) {
				hi = int(r.Hi)
			}
			if lo > 1<<16 {
				return nil, a.unsupported(loc, "LENGTH() beyond %d", 1<<16)
			}
			alts = append(alts, lengthSet(lo, hi))
		}
		return a.strIn(x.Args[0], regexp.Union(alts...), loc)
	case "locate":
		return a.locateIn(x, s, loc)
	case "abs":
		return a.numIn(x.Args[0], s.Union(interval.Affine(s, -1, 0)).Intersect(s.Union(interval.Affine(s, -1, 0))), loc)
	case "round":
		digits := int64(0)
		if len(x.Args) == 2 {
			d, ok := intArg(x, 1)
			if !ok || d < 0 || d > 15 {
				return nil, a.unsupported(x.Loc, "ROUND() to a number of digits that is not a constant")
			}
			digits = d
		}
		return a.numIn(x.Args[0], roundPre(s, int(digits)), loc)
	case "date_diff":
		return a.dateDiffIn(x, s, loc)
	}
	if f, ok := x.Func(), true; ok && f != nil && f.Kind == ScalarFunc {
		return nil, a.unsupported(x.Loc, "%s compared to a number", describe2(x))
	}
	return nil, a.unsupported(x.Loc, "%s compared to a number", describe2(x))
}

// toNumberIn lowers "TO_DOUBLE(e) (or TO_INTEGER) is in s": for a string
// column, its value spells a number of s.
func (a *docAlg) toNumberIn(e Expr, s reals, loc Loc) (constraint.Expr, error) {
	if x, ok := e.(*extractRef); ok && x.Type == "" {
		re, ok := numberSpellings(s)
		if !ok {
			return nil, a.unsupported(loc, "a conversion to a number emit cannot invert")
		}
		return a.strIn(x, re, loc)
	}
	return a.numIn(e, s, loc)
}

// roundPre is the set of numbers that ROUND(x, digits) maps into s: each
// range widened by half a unit of the last digit, half-way values rounding
// away from zero.
func roundPre(s reals, digits int) reals {
	unit := math.Pow(10, -float64(digits))
	var out reals
	for _, r := range s.R {
		lo, hi := float64(r.Lo), float64(r.Hi)
		// The rounded values in [lo, hi] are the multiples of unit there.
		klo, khi := math.Ceil(lo/unit-1e-9), math.Floor(hi/unit+1e-9)
		if math.IsInf(lo, -1) {
			klo = math.Inf(-1)
		}
		if math.IsInf(hi, 1) {
			khi = math.Inf(1)
		}
		if klo > khi {
			continue
		}
		// x rounds to k*unit when x is in [k-0.5, k+0.5) units (for k >= 0;
		// mirrored below zero). Keep a margin from the half-way points.
		eps := unit * 1e-6
		a, b := klo*unit-unit/2+eps, khi*unit+unit/2-eps
		out = out.Union(interval.Of(interval.Float(a), interval.Float(b)))
	}
	return out
}

// numberSpellings is the set of strings TO_DOUBLE reads as a number of s:
// the canonical spellings of the integers of s (a single non-integer
// spelled as formatted).
func numberSpellings(s reals) (*regexp.Node, bool) {
	ints := interval.Ints(s)
	var alts []*regexp.Node
	for _, r := range ints.R {
		lo, hi := float64(r.Lo), float64(r.Hi)
		if math.IsInf(lo, -1) || math.IsInf(hi, 1) || hi-lo > 1000 {
			if lo >= 0 && math.IsInf(hi, 1) && lo < 1e15 {
				// [lo, +inf): numbers with more digits, or as many and
				// at least lo.
				alts = append(alts, atLeast(int64(lo)))
				continue
			}
			return nil, false
		}
		for v := lo; v <= hi; v++ {
			alts = append(alts, regexp.Literal(strconv.FormatInt(int64(v), 10)))
		}
	}
	if len(s.R) == 1 && s.R[0].IsPoint() && float64(s.R[0].Lo) != math.Trunc(float64(s.R[0].Lo)) {
		alts = append(alts, regexp.Literal(strconv.FormatFloat(float64(s.R[0].Lo), 'f', -1, 64)))
	}
	return regexp.Union(alts...), len(alts) > 0
}

// atLeast is the decimal spellings (no leading zeros) of the integers from
// lo on.
func atLeast(lo int64) *regexp.Node {
	digit := regexp.Chars(regexp.Range{Lo: '0', Hi: '9'})
	nz := regexp.Chars(regexp.Range{Lo: '1', Hi: '9'})
	s := strconv.FormatInt(lo, 10)
	n := len(s)
	// More digits than lo.
	alts := []*regexp.Node{regexp.Concat(nz, regexp.Repeat(digit, n, -1))}
	if lo == 0 {
		alts = append(alts, regexp.Literal("0"), nz)
		return regexp.Union(alts...)
	}
	// As many digits, and not less than lo: equal to a prefix of lo, then
	// a greater digit, then anything; or lo itself.
	alts = append(alts, regexp.Literal(s))
	for i := 0; i < n; i++ {
		d := rune(s[i])
		if d == '9' {
			continue
		}
		alts = append(alts, regexp.Concat(regexp.Literal(s[:i]), regexp.Chars(regexp.Range{Lo: d + 1, Hi: '9'}), regexp.Repeat(digit, n-i-1, n-i-1)))
	}
	return regexp.Union(alts...)
}

// locateIn inverts LOCATE(s, sub[, start]): the 1-based position of the
// first occurrence of sub at or after start, 0 when there is none.
func (a *docAlg) locateIn(x *Call, s reals, loc Loc) (constraint.Expr, error) {
	sub, ok := strArg(x, 1)
	if !ok {
		if !hasRefs(x.Args[1]) {
			if v, ok := fold(x.Args[1]); ok && v.k == cNull {
				return a.konst(loc, false), nil
			}
		}
		return nil, a.unsupported(x.Loc, "LOCATE() of a substring that is not a constant string")
	}
	from := int64(1)
	if len(x.Args) == 3 {
		f, ok := intArg(x, 2)
		if !ok {
			return nil, a.unsupported(x.Loc, "LOCATE() from a position that is not a constant")
		}
		from = max(f, 1)
	}
	if sub == "" {
		return nil, a.unsupported(x.Loc, "LOCATE() of an empty string")
	}
	lit := regexp.Literal(sub)
	skip := int(from - 1)
	// From the start position on, no occurrence / an occurrence.
	noneAfter := regexp.Union(lengthSet(0, skip), regexp.Concat(lengthSet(skip, skip), regexp.Complemented(contains(lit))))
	var alts []*regexp.Node
	ints := interval.Ints(s)
	if ints.Contains(0) {
		alts = append(alts, noneAfter)
	}
	pos := ints.Clamp(interval.Float(from), interval.Float(math.Inf(1)))
	if !pos.IsEmpty() {
		if pos.Min() == interval.Float(from) && math.IsInf(float64(pos.Max()), 1) && len(pos.R) == 1 {
			alts = append(alts, regexp.Concat(lengthSet(skip, skip), contains(lit)))
		} else {
			for _, r := range pos.R {
				if math.IsInf(float64(r.Hi), 1) || r.Hi-r.Lo > 256 || r.Hi > 1<<16 {
					return nil, a.unsupported(x.Loc, "LOCATE() compared to a wide range of positions")
				}
				for p := int(r.Lo); p <= int(r.Hi); p++ {
					// The first occurrence from start is at p.
					at := regexp.Concat(lengthSet(p-1, p-1), lit, anyStr())
					earlier := regexp.Concat(lengthSet(skip, skip), regexp.Intersect(regexp.Concat(contains(lit)), lengthSet(0, p-1-skip+len([]rune(sub))-1)), anyStr())
					alts = append(alts, regexp.Intersect(at, regexp.Complemented(earlier)))
				}
			}
		}
	}
	return a.strIn(x.Args[0], regexp.Union(alts...), loc)
}

// arithParts returns the operator and operands of arithmetic.
func arithParts(e Expr) (ArithOp, Expr, Expr, bool) {
	if x, ok := e.(*Arith); ok {
		return x.Op, x.L, x.R, true
	}
	return 0, nil, nil, false
}

// arithIn inverts arithmetic with one side constant, through interval
// arithmetic; the count of a character (LENGTH(s) - LENGTH(REPLACE(s,
// "c", ""))) is a pattern on s.
func (a *docAlg) arithIn(e Expr, op ArithOp, l, r Expr, s reals, loc Loc) (constraint.Expr, error) {
	if hasRefs(l) && hasRefs(r) {
		if op == Sub {
			if out, ok, err := a.countIn(l, r, s, loc); ok || err != nil {
				return out, err
			}
		}
		if op == Div {
			if out, ok, err := a.ratioIn(l, r, s, loc); ok || err != nil {
				return out, err
			}
		}
		return nil, a.unsupported(loc, "arithmetic on two columns (%s) compared to a constant", e.Location().Text(a.l.src))
	}
	fieldLeft := hasRefs(l)
	x, c := l, r
	if !fieldLeft {
		x, c = r, l
	}
	cv, ok := fold(c)
	if !ok {
		return nil, a.unsupported(c.Location(), "a constant emit does not evaluate")
	}
	if !cv.isNumber() {
		if cv.k == cNull {
			return a.konst(loc, false), nil
		}
		return nil, a.unsupported(loc, "arithmetic with a %s", kindName(cv.k))
	}
	k := cv.float()
	switch op {
	case Add:
		return a.numIn(x, interval.Affine(s, 1, -k), loc)
	case Sub:
		if fieldLeft {
			return a.numIn(x, interval.Affine(s, 1, k), loc)
		}
		return a.numIn(x, interval.Affine(s, -1, k), loc)
	case Mul:
		if k == 0 {
			if s.Contains(0) {
				return a.nonNull(x)
			}
			return a.konst(loc, false), nil
		}
		return a.numIn(x, interval.Div(s, k), loc)
	case Div:
		if !fieldLeft {
			return nil, a.unsupported(loc, "a constant divided by a column (%s)", e.Location().Text(a.l.src))
		}
		if k == 0 {
			return a.konst(loc, false), nil // null
		}
		real := interval.Affine(s, k, 0)
		if cv.k == cFloat {
			return a.numIn(x, real, loc)
		}
		// An integer divided by an integer truncates toward zero; the
		// column's type (integer or double) decides. Values right either
		// way: both sets.
		q := s
		if k < 0 {
			q = interval.Affine(s, -1, 0)
		}
		integer := truncDivInverse(q, math.Abs(k))
		return a.numIn(x, integer.Intersect(real), loc)
	}
	return nil, a.unsupported(loc, "%s compared to a constant", describe2(e))
}

// truncDivInverse is the set of integers x with trunc(x / k) in s (k > 0).
func truncDivInverse(s reals, k float64) reals {
	var out reals
	for _, r := range interval.Ints(s).R {
		lo, hi := float64(r.Lo), float64(r.Hi)
		var a, b float64
		switch {
		case lo > 0:
			a = lo * k
		case math.IsInf(lo, -1):
			a = math.Inf(-1)
		default:
			a = lo*k - (k - 1)
		}
		switch {
		case hi < 0:
			b = hi * k
		case math.IsInf(hi, 1):
			b = math.Inf(1)
		default:
			b = hi*k + (k - 1)
		}
		out = out.Union(interval.Ints(interval.Of(interval.Float(a), interval.Float(b))))
	}
	return out
}

// countIn reads LENGTH(s) - LENGTH(REPLACE(s, "c", "")) as the number of
// occurrences of the character c in s (for s REPLACE(t, regex, "c"): the
// matches of regex in t), compared to s.
func (a *docAlg) countIn(l, r Expr, s reals, loc Loc) (constraint.Expr, bool, error) {
	ll, ok1 := l.(*Call)
	rl, ok2 := r.(*Call)
	if !ok1 || !ok2 || ll.Name != "length" || rl.Name != "length" {
		return nil, false, nil
	}
	rep, ok := rl.Args[0].(*Call)
	if !ok || rep.Name != "replace" || !sameExpr(rep.Args[0], ll.Args[0]) {
		return nil, false, nil
	}
	c, ok1 := strArg(rep, 1)
	repl, ok2 := strArg(rep, 2)
	if !ok1 || !ok2 || repl != "" || utf8.RuneCountInString(c) != 1 || strings.ContainsAny(c, `\.[]{}()*+?^$|`) {
		return nil, false, nil
	}
	ints := interval.Ints(s.Clamp(0, interval.Float(math.Inf(1))))
	if ints.IsEmpty() {
		return a.konst(loc, false), true, nil
	}
	if len(ints.R) != 1 || !math.IsInf(float64(ints.R[0].Hi), 1) {
		return nil, true, a.unsupported(loc, "a count of matches bounded above")
	}
	n := int(ints.R[0].Lo)
	if n > 1000 {
		return nil, true, a.unsupported(loc, "more than 1000 matches")
	}
	lit := regexp.Literal(c)
	src := ll.Args[0]
	// s = REPLACE(t, regex, "c"): t holds n matches of regex and no c.
	if inner, ok := src.(*Call); ok && inner.Name == "replace" {
		if ic, ok := strArg(inner, 2); ok && ic == c {
			re, ok := strArg(inner, 1)
			if !ok {
				return nil, true, a.unsupported(inner.Loc, "REPLACE() with a pattern that is not a constant string")
			}
			m, err := javaSetSome(re)
			if err != nil {
				return nil, true, a.unsupported(inner.Args[1].Location(), "REPLACE() pattern: %v", err)
			}
			// Matches apart, each with something between, none holding c.
			sep := regexp.Concat(anyStr())
			set := regexp.Intersect(
				regexp.Concat(regexp.Repeat(regexp.Concat(sep, m), n, n), sep),
				regexp.Complemented(contains(lit)))
			out, err := a.strIn(inner.Args[0], set, loc)
			if err != nil {
				return nil, true, err
			}
			a.inexact[out] = true
			return out, true, nil
		}
	}
	set := regexp.Concat(regexp.Repeat(regexp.Concat(anyStr(), lit), n, n), anyStr())
	out, err := a.strIn(src, set, loc)
	return out, true, err
}

// classCount reads the count of the characters of a class in t:
// LENGTH(t) - LENGTH(REPLACE(REPLACE(t, class, c), c, "")), or with
// LENGTH(REPLACE(t, class, c)) first (the same length: each match is one
// character and becomes one). It returns t, the class's set and c.
func classCount(e Expr) (t Expr, class *regexp.Node, c string, ok bool) {
	x, isArith := stripCasts(e).(*Arith)
	if !isArith || x.Op != Sub {
		return nil, nil, "", false
	}
	ll, ok1 := x.L.(*Call)
	rl, ok2 := x.R.(*Call)
	if !ok1 || !ok2 || ll.Name != "length" || rl.Name != "length" {
		return nil, nil, "", false
	}
	del, ok := rl.Args[0].(*Call)
	if !ok || del.Name != "replace" {
		return nil, nil, "", false
	}
	mark, ok1 := strArg(del, 1)
	empty, ok2 := strArg(del, 2)
	if !ok1 || !ok2 || empty != "" || utf8.RuneCountInString(mark) != 1 || strings.ContainsAny(mark, `\.[]{}()*+?^$|`) {
		return nil, nil, "", false
	}
	sub, ok := del.Args[0].(*Call)
	if !ok || sub.Name != "replace" {
		return nil, nil, "", false
	}
	re, ok1 := strArg(sub, 1)
	with, ok2 := strArg(sub, 2)
	if !ok1 || !ok2 || with != mark {
		return nil, nil, "", false
	}
	n, err := javaSet(re)
	if err != nil || !oneChar(n) {
		return nil, nil, "", false
	}
	src := ll.Args[0]
	if !sameExpr(src, sub.Args[0]) && !sameExpr(src, sub) {
		return nil, nil, "", false
	}
	return sub.Args[0], n, mark, true
}

// oneChar reports whether every string of the set is one character long
// (a character class, or a union of them).
func oneChar(n *regexp.Node) bool {
	switch n.Kind {
	case regexp.KindChar:
		return true
	case regexp.KindUnion:
		for _, x := range n.Subs {
			if !oneChar(x) {
				return false
			}
		}
		return true
	case regexp.KindLiteral:
		return utf8.RuneCountInString(n.Text) == 1
	}
	return false
}

// stripCasts removes conversions between numeric types.
func stripCasts(e Expr) Expr {
	for {
		switch x := e.(type) {
		case *Cast:
			e = x.X
		case *Call:
			if (x.Name == "to_double" || x.Name == "to_long" || x.Name == "to_integer") && len(x.Args) == 1 {
				e = x.Args[0]
				continue
			}
			return e
		default:
			return e
		}
	}
}

// ratioIn lowers "the share of the characters of t in a class is in s"
// (a count of the class over LENGTH(t)) for a share bounded below: t is
// made of blocks of k characters, the first m of each in the class, m/k
// in s. (Other strings have such shares; these are the ones drawn.)
func (a *docAlg) ratioIn(l, r Expr, s reals, loc Loc) (constraint.Expr, bool, error) {
	t, class, mark, ok := classCount(l)
	if !ok {
		return nil, false, nil
	}
	length, ok := stripCasts(r).(*Call)
	if !ok || length.Name != "length" || !sameExpr(length.Args[0], t) {
		return nil, false, nil
	}
	if s.IsEmpty() || !math.IsInf(float64(s.Max()), 1) {
		return nil, true, a.unsupported(loc, "a share of characters bounded above")
	}
	for k := 1; k <= 20; k++ {
		for m := 1; m <= k; m++ {
			if !s.Contains(interval.Float(float64(m) / float64(k))) {
				continue
			}
			block := regexp.Concat(regexp.Repeat(class, m, m), lengthSet(k-m, k-m))
			set := regexp.Intersect(regexp.Repeat(block, 1, -1), regexp.Complemented(contains(regexp.Literal(mark))))
			out, err := a.strIn(t, set, loc)
			if err != nil {
				return nil, true, err
			}
			a.inexact[out] = true
			return out, true, nil
		}
	}
	return nil, true, a.unsupported(loc, "a share of characters no block of at most 20 characters gives")
}

// sameExpr reports whether two expressions print the same.
func sameExpr(x, y Expr) bool { return x == y || exprKey(x) == exprKey(y) }

// intervals lowers "field is in s": Eq for a point, bounds otherwise; with
// length, Len predicates on the field's length.
func (a *docAlg) intervals(field string, s reals, loc Loc, length bool) constraint.Expr {
	span := a.span(loc)
	a.document(field, loc)
	pred := func(op constraint.Op, k float64) constraint.Expr {
		if length {
			return &constraint.Pred{Field: field, Op: constraint.Len, Cmp: op, Value: constraint.Number(k), Whole: true, Span: span}
		}
		return &constraint.Pred{Field: field, Op: op, Value: constraint.Number(k), Span: span}
	}
	var alts []constraint.Expr
	for _, v := range s.R {
		switch {
		case v.IsPoint():
			alts = append(alts, pred(constraint.Eq, float64(v.Lo)))
		case math.IsInf(float64(v.Lo), -1) && math.IsInf(float64(v.Hi), 1):
			if length {
				alts = append(alts, pred(constraint.Ge, 0))
			} else {
				// Any number.
				lowest := constraint.Value{Kind: constraint.KindNumber, Num: -math.MaxFloat64, Str: "-1.7976931348623157e+308"}
				alts = append(alts, &constraint.Pred{Field: field, Op: constraint.Ge, Value: lowest, Span: span})
			}
		default:
			var and []constraint.Expr
			if !math.IsInf(float64(v.Lo), -1) {
				op, k := interval.Bound(v.Lo, interval.LowerEnd)
				and = append(and, pred(constraintOp(op), k))
			}
			if !math.IsInf(float64(v.Hi), 1) {
				op, k := interval.Bound(v.Hi, interval.UpperEnd)
				and = append(and, pred(constraintOp(op), k))
			}
			alts = append(alts, a.and(loc, and...))
		}
	}
	if len(alts) == 0 {
		return a.konst(loc, false)
	}
	return a.or(loc, alts...)
}

func constraintOp(op interval.Op) constraint.Op {
	return [...]constraint.Op{interval.Lt: constraint.Lt, interval.Le: constraint.Le, interval.Eq: constraint.Eq, interval.Ge: constraint.Ge, interval.Gt: constraint.Gt}[op]
}

// isStringExpr reports whether e is a string function's result (or a
// column a DISSECT or GROK extracts as a string).
func isStringExpr(e Expr) bool {
	switch x := e.(type) {
	case *extractRef:
		return x.Type == ""
	case *Call:
		switch x.Name {
		case "to_lower", "to_upper", "concat", "substring", "left", "right", "trim", "ltrim", "rtrim",
			"replace", "url_decode", "from_base64", "reverse", "to_string":
			return true
		case "case", "coalesce", "mv_first", "mv_last", "mv_min", "mv_max", "mv_concat", "mv_dedupe":
			for _, a := range x.Args {
				if isStringExpr(a) {
					return true
				}
			}
		}
	}
	return false
}

// stripIdentity removes the functions that return their single argument
// as it is (TO_STRING of a string or an IP compared as text, MV_FIRST of
// one value, ...).
func stripIdentity(e Expr) Expr {
	for {
		c, ok := e.(*Call)
		if !ok || len(c.Args) != 1 {
			return e
		}
		switch c.Name {
		case "to_string", "to_ip", "mv_first", "mv_last", "mv_min", "mv_max", "mv_dedupe":
			e = c.Args[0]
		default:
			return e
		}
	}
}

// isStringSide reports whether a side of a comparison is a string the
// string lowering inverts (a field, an extracted key, a string function).
func isStringSide(e Expr) bool {
	if _, ok := e.(*Field); ok {
		return true
	}
	return isStringExpr(e)
}

// apart lowers "l != r" for two strings that are not both fields: values
// that differ by construction, one with a character of even code point
// where the other has an odd one, at the end or one or two characters
// before it (ASCII characters). It is a part of the pairs that differ.
func (a *docAlg) apart(l, r Expr, loc Loc) (constraint.Expr, error) {
	var even, odd []regexp.Range
	for c := rune(0); c < utf8.RuneSelf; c++ {
		if c%2 == 0 {
			even = append(even, regexp.Range{Lo: c, Hi: c})
		} else {
			odd = append(odd, regexp.Range{Lo: c, Hi: c})
		}
	}
	var alts []constraint.Expr
	for back := 0; back < 3; back++ {
		tail := lengthSet(back, back)
		for _, pair := range [][2][]regexp.Range{{even, odd}, {odd, even}} {
			x, err := a.strIn(l, regexp.Concat(anyStr(), regexp.Chars(pair[0]...), tail), loc)
			if err != nil {
				return nil, err
			}
			y, err := a.strIn(r, regexp.Concat(anyStr(), regexp.Chars(pair[1]...), tail), loc)
			if err != nil {
				return nil, err
			}
			alts = append(alts, a.and(loc, x, y))
		}
	}
	out := a.or(loc, alts...)
	a.inexact[out] = true
	return out, nil
}

// extractEq lowers "the GROK key k equals the field f": f holds a value
// of the key's group, and the generator writes it over the key's value in
// the string the pattern parses.
func (a *docAlg) extractEq(k *extractRef, f *Field, loc Loc) (constraint.Expr, bool, error) {
	g, ok := a.l.extracts[k.X].(*grokPattern)
	src, isField := plainSource(k.Src)
	if !ok || !isField || k.Type != "" {
		return nil, false, nil
	}
	set, ok := g.keySet(k.Key)
	if !ok {
		return nil, false, nil
	}
	parsed, err := a.extractNonNull(k)
	if err != nil {
		return nil, true, err
	}
	val, err := a.strIn(f, set, loc)
	if err != nil {
		return nil, true, err
	}
	a.derived.add(Derivation{Field: src.Name, Fn: "grok", From: f.Name, Pattern: k.X.(*Grok).Patterns[0].Str, Key: k.Key})
	out := a.and(loc, parsed, val)
	a.inexact[out] = true
	return out, true, nil
}

// together lowers "l == r" for two strings that are not both fields: both
// one of a few values (a name, an address, a word) that functions such as
// TO_LOWER or TRIM leave as they are. It is a part of the pairs that are
// equal.
func (a *docAlg) together(l, r Expr, loc Loc) (constraint.Expr, error) {
	var alts []constraint.Expr
	for _, c := range []string{"host01", "10.1.2.3", "x"} {
		lit := regexp.Literal(c)
		x, err := a.strIn(l, lit, loc)
		if err != nil {
			return nil, err
		}
		y, err := a.strIn(r, lit, loc)
		if err != nil {
			return nil, err
		}
		alts = append(alts, a.and(loc, x, y))
	}
	out := a.or(loc, alts...)
	a.inexact[out] = true
	return out, nil
}

// notTrue lowers "e is false or null" without complementing "e is true",
// which may be a part of the rows where e is true: false or null of each
// part.
func (a *docAlg) notTrue(e Expr) (constraint.Expr, error) { return a.not2(e, true) }

// not2 lowers "e is not true" (of true) or "e is not false".
func (a *docAlg) not2(e Expr, of bool) (constraint.Expr, error) {
	loc := e.Location()
	switch x := e.(type) {
	case *Or, *And:
		var xs []Expr
		if o, ok := x.(*Or); ok {
			xs = o.X
		} else {
			xs = x.(*And).X
		}
		parts := make([]constraint.Expr, 0, len(xs))
		for _, y := range xs {
			f, err := a.not2(y, of)
			if err != nil {
				return nil, err
			}
			parts = append(parts, f)
		}
		// Not true of an OR: none true; of an AND: one not true (and the
		// other way round for not false).
		if _, isOr := x.(*Or); isOr == of {
			return a.and(loc, parts...), nil
		}
		return a.or(loc, parts...), nil
	case *Not:
		return a.not2(x.X, !of)
	case *Like, *Compare, *In:
		// A strict comparison: the other truth value, or an operand null.
		other, err := truth[constraint.Expr](a, e, !of)
		if err != nil {
			return nil, err
		}
		var operands []Expr
		switch y := x.(type) {
		case *Like:
			operands = []Expr{y.X}
		case *Compare:
			operands = []Expr{y.L, y.R}
		case *In:
			operands = []Expr{y.X}
		}
		alts := []constraint.Expr{other}
		for _, o := range operands {
			if !hasRefs(o) {
				continue
			}
			n, err := a.null(o)
			if err != nil {
				return nil, err
			}
			alts = append(alts, n)
		}
		return a.or(loc, alts...), nil
	case *IsNull:
		return truth[constraint.Expr](a, e, !of)
	}
	t, err := truth[constraint.Expr](a, e, of)
	if err != nil {
		return nil, err
	}
	return a.not(loc, t), nil
}

// concreteIndexRegex is a Lucene regular expression of the concrete index
// names (esindex.Concrete) that FROM's patterns select: a plain index a
// pattern matches, the first backing index of a data stream a pattern
// matches, the concrete alerts index of an alias a pattern matches. An
// exclusion (-pattern) is left to the evaluator, which judges the group.
func concreteIndexRegex(patterns []string) string {
	backing, day := mustRegex(esindex.BackingRegex), mustRegex(esindex.DayRegex)
	alerts, plain := mustRegex(esindex.AlertsRegex), mustRegex(esindex.PlainRegex)
	var alts []*regexp.Node
	var parts []string
	for _, p := range patterns {
		parts = append(parts, strings.Split(p, ",")...) // a quoted "a,b"
	}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" || strings.HasPrefix(p, "-") {
			continue
		}
		if _, local, ok := strings.Cut(p, ":"); ok && !strings.HasPrefix(local, ":") {
			p = local // remote:pattern
		}
		p, _, _ = strings.Cut(p, "::") // a selector
		pat := regexp.FromWildcard(wildcard.Parse(p, wildcard.NoEscape), false)
		if strings.HasPrefix(p, ".") {
			// A hidden index only by a pattern that starts with ".".
			alts = append(alts, regexp.Intersect(pat, alerts))
		}
		alts = append(alts,
			regexp.Intersect(pat, plain),
			regexp.Intersect(backing, regexp.Concat(regexp.Literal(".ds-"), pat, day)),
			regexp.Intersect(alerts, regexp.Concat(regexp.Literal(esindex.AlertsConcretePrefix), pat, regexp.Literal("-"+esindex.FirstGeneration))))
	}
	return regexp.Union(alts...).String()
}

func mustRegex(s string) *regexp.Node {
	r, err := regexp.Parse(s, regexp.All)
	if err != nil {
		panic(err) // the forms are constants
	}
	return r.Root
}

// mvCount lowers "MV_COUNT(field) is in s", s without 1: the field holds
// the least count of s above 1 of different values (an "mv" derivation
// makes them from the value drawn; a keyword's doc values, which ES|QL
// reads, drop repeated values).
func (a *docAlg) mvCount(x *Call, s reals, loc Loc) (constraint.Expr, error) {
	f, ok := x.Args[0].(*Field)
	if !ok {
		return nil, a.unsupported(x.Loc, "MV_COUNT() other than 1 of %s: emit makes multiple values of a field", describe2(x.Args[0]))
	}
	ints := interval.Ints(s)
	n := int64(0)
	for _, iv := range ints.R {
		lo := max(float64(iv.Lo), 2)
		if lo <= float64(iv.Hi) {
			n = int64(min(lo, MaxMultiValues+1))
			break
		}
	}
	if n == 0 {
		return a.konst(loc, false), nil // a count of a value is at least 1
	}
	if n > MaxMultiValues {
		return nil, a.unsupported(x.Loc, "MV_COUNT() of %d values: emit makes at most %d values of a field", n, MaxMultiValues)
	}
	a.derived.add(Derivation{Field: f.Name, Fn: "mv", From: f.Name, Count: int(n)})
	return a.nonNull(f)
}

// ignored lowers "_ignored == name": Elasticsearch ignored a value of the
// field name, which emit meets with a value longer than the field's
// ignore_above: the lowering asks for one longer than
// estype.ECSIgnoreAbove, and the generator maps the field with that
// ignore_above (Plan.Ignored).
func (a *docAlg) ignored(op CmpOp, v cval, loc Loc) (constraint.Expr, error) {
	if op != Eq || v.k != cStr {
		return nil, a.unsupported(loc, "a condition on _ignored other than _ignored == \"field\"")
	}
	if !a.l.ignoredExpanded {
		// _ignored lists every ignored field: == holds only of a document
		// where name is the one, and emit cannot keep every other field
		// within its ignore_above.
		return nil, a.unsupported(loc, "_ignored == \"field\" before MV_EXPAND _ignored (a document may have other ignored fields, and a multi-valued _ignored compares as null)")
	}
	name := v.s
	if name == "" || isMetadata(name) {
		return a.konst(loc, false), nil
	}
	if !slices.Contains(a.l.plan_.Ignored, name) {
		a.l.plan_.Ignored = append(a.l.plan_.Ignored, name)
	}
	return a.intervals(name, interval.Of(interval.Float(estype.ECSIgnoreAbove+1), interval.Float(math.Inf(1))), loc, true), nil
}
