package constraint

// NNF returns e in negation normal form: no *Not nodes remain, negation sits
// on predicates (Pred.Neg), nested Ands and Ors of the same kind are
// flattened, and constant operands are simplified away. The input is not
// modified.
//
// An Or created by pushing a "not" through an "and" is marked not Authored,
// since its alternatives are not something the author wrote.
//
// The result is a tree of its own: every node of it is new, even where it
// equals the input's (the solver tells occurrences of a predicate or a
// disjunction apart by their nodes). Its nodes are allocated in a few
// blocks sized by a first walk over e, not one by one.
func NNF(e Expr) Expr {
	var n nnfCounts
	n.count(e, false)
	a := nnfAlloc{
		preds: make([]Pred, n.preds),
		ands:  make([]And, n.ands),
		ors:   make([]Or, n.ors),
		slots: make([]Expr, n.slots),
	}
	return a.nnf(e, false)
}

// nnfCounts bounds what NNF makes of an expression: its predicates (each
// one of the output at most), conjunctions and disjunctions (by their
// polarity), and their operands.
type nnfCounts struct {
	preds, ands, ors, slots int
}

func (n *nnfCounts) count(e Expr, neg bool) {
	switch x := e.(type) {
	case *Not:
		n.count(x.X, !neg)
	case *Pred:
		n.preds++
	case *And:
		if neg {
			n.ors++
		} else {
			n.ands++
		}
		n.slots += len(x.X)
		for _, y := range x.X {
			n.count(y, neg)
		}
	case *Or:
		if neg {
			n.ands++
		} else {
			n.ors++
		}
		n.slots += len(x.X)
		for _, y := range x.X {
			n.count(y, neg)
		}
	}
}

// nnfAlloc hands out the nodes of one NNF result from blocks; when a
// block runs out (it does not, for the counts of the same expression) it
// allocates.
type nnfAlloc struct {
	preds []Pred
	ands  []And
	ors   []Or
	slots []Expr
}

func (a *nnfAlloc) pred(p *Pred) *Pred {
	if len(a.preds) == 0 {
		q := *p
		return &q
	}
	q := &a.preds[0]
	a.preds = a.preds[1:]
	*q = *p
	return q
}

func (a *nnfAlloc) and(xs []Expr, span Span) *And {
	if len(a.ands) == 0 {
		return &And{X: xs, Span: span}
	}
	x := &a.ands[0]
	a.ands = a.ands[1:]
	x.X, x.Span = xs, span
	return x
}

func (a *nnfAlloc) or(xs []Expr, authored bool, span Span) *Or {
	if len(a.ors) == 0 {
		return &Or{X: xs, Authored: authored, Span: span}
	}
	x := &a.ors[0]
	a.ors = a.ors[1:]
	x.X, x.Authored, x.Span = xs, authored, span
	return x
}

// operands returns an empty slice with room for n operands; appending
// past them allocates (a flattened operand's own operands).
func (a *nnfAlloc) operands(n int) []Expr {
	if len(a.slots) < n {
		return make([]Expr, 0, n)
	}
	s := a.slots[:0:n]
	a.slots = a.slots[n:]
	return s
}

func (a *nnfAlloc) nnf(e Expr, neg bool) Expr {
	switch x := e.(type) {
	case *Not:
		return a.nnf(x.X, !neg)
	case *Bool:
		return &Bool{V: x.V != neg, Span: x.Span}
	case *Pred:
		p := a.pred(x)
		p.Neg = p.Neg != neg
		return p
	case *And:
		if neg {
			return a.makeOr(x.X, true, false, x.Span)
		}
		return a.makeAnd(x.X, false, x.Span)
	case *Or:
		if neg {
			return a.makeAnd(x.X, true, x.Span)
		}
		return a.makeOr(x.X, false, x.Authored, x.Span)
	}
	return e
}

func (a *nnfAlloc) makeAnd(xs []Expr, neg bool, span Span) Expr {
	out := a.operands(len(xs))
	for _, x := range xs {
		y := a.nnf(x, neg)
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
	return a.and(out, span)
}

func (a *nnfAlloc) makeOr(xs []Expr, neg, authored bool, span Span) Expr {
	out := a.operands(len(xs))
	for _, x := range xs {
		y := a.nnf(x, neg)
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
	return a.or(out, authored, span)
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
