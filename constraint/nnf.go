package constraint

// NNF returns e in negation normal form: no *Not nodes remain, negation sits
// on predicates (Pred.Neg), nested Ands and Ors of the same kind are
// flattened, and constant operands are simplified away. The input is not
// modified.
//
// An Or created by pushing a "not" through an "and" is marked not Authored,
// since its alternatives are not something the author wrote.
func NNF(e Expr) Expr { return nnf(e, false) }

func nnf(e Expr, neg bool) Expr {
	switch x := e.(type) {
	case *Not:
		return nnf(x.X, !neg)
	case *Bool:
		return &Bool{V: x.V != neg, Span: x.Span}
	case *Pred:
		p := *x
		p.Neg = p.Neg != neg
		return &p
	case *And:
		if neg {
			return makeOr(x.X, true, false, x.Span)
		}
		return makeAnd(x.X, false, x.Span)
	case *Or:
		if neg {
			return makeAnd(x.X, true, x.Span)
		}
		return makeOr(x.X, false, x.Authored, x.Span)
	}
	return e
}

func makeAnd(xs []Expr, neg bool, span Span) Expr {
	out := make([]Expr, 0, len(xs))
	for _, x := range xs {
		y := nnf(x, neg)
		switch y := y.(type) {
		case *Bool:
			if !y.V {
				return &Bool{V: false, Span: span}
			}
			continue
		case *And:
			out = append(out, y.X...)
			continue
		}
		out = append(out, y)
	}
	switch len(out) {
	case 0:
		return &Bool{V: true, Span: span}
	case 1:
		return out[0]
	}
	return &And{X: out, Span: span}
}

func makeOr(xs []Expr, neg, authored bool, span Span) Expr {
	out := make([]Expr, 0, len(xs))
	for _, x := range xs {
		y := nnf(x, neg)
		switch y := y.(type) {
		case *Bool:
			if y.V {
				return &Bool{V: true, Span: span}
			}
			// A constant false alternative is dropped.
			continue
		case *Or:
			if y.Authored == authored {
				out = append(out, y.X...)
				continue
			}
		}
		out = append(out, y)
	}
	switch len(out) {
	case 0:
		return &Bool{V: false, Span: span}
	case 1:
		return out[0]
	}
	return &Or{X: out, Authored: authored, Span: span}
}

// EachPred calls fn for every predicate of e, in written order.
func EachPred(e Expr, fn func(*Pred)) {
	switch x := e.(type) {
	case *And:
		for _, y := range x.X {
			EachPred(y, fn)
		}
	case *Or:
		for _, y := range x.X {
			EachPred(y, fn)
		}
	case *Not:
		EachPred(x.X, fn)
	case *Pred:
		fn(x)
	}
}
