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

// NNFShared is NNF for a result that may share nodes: a node that e holds
// several times (under the same number of negations) is rewritten once,
// and the result holds it as many times, so that an input whose nodes are
// shared (a lowering's conditions repeated across alternatives) does not
// grow into a tree of copies. The result reads the same as NNF's (String,
// EachPred); it is for where nothing tells nodes apart: the solver makes
// a tree of its own of what it solves (NNF).
func NNFShared(e Expr) Expr {
	a := nnfAlloc{memo: map[nnfKey]Expr{}, chunk: 32}
	return a.nnf(e, false)
}

// nnfKey is a node of NNF's input under a polarity.
type nnfKey struct {
	e   Expr
	neg bool
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
// allocates. With memo (NNFShared) it rewrites each node once per
// polarity.
type nnfAlloc struct {
	memo  map[nnfKey]Expr
	preds []Pred
	ands  []And
	ors   []Or
	slots []Expr
	// chunk, when not 0, is the size of the blocks to allocate as blocks
	// run out (NNFShared, whose result has no size known in advance).
	chunk int
}

// take returns the next node of buf, refilled with a block of chunk nodes
// (or the node allocated alone when chunk is 0) when empty.
func take[T any](buf *[]T, chunk int) *T {
	if len(*buf) == 0 {
		if chunk == 0 {
			return new(T)
		}
		*buf = make([]T, chunk)
	}
	x := &(*buf)[0]
	*buf = (*buf)[1:]
	return x
}

func (a *nnfAlloc) pred(p *Pred) *Pred {
	q := take(&a.preds, a.chunk)
	*q = *p
	return q
}

func (a *nnfAlloc) and(xs []Expr, span Span) *And {
	x := take(&a.ands, a.chunk)
	x.X, x.Span = xs, span
	return x
}

func (a *nnfAlloc) or(xs []Expr, authored bool, span Span) *Or {
	x := take(&a.ors, a.chunk)
	x.X, x.Authored, x.Span = xs, authored, span
	return x
}

// operands returns an empty slice with room for n operands; appending
// past them allocates (a flattened operand's own operands).
func (a *nnfAlloc) operands(n int) []Expr {
	if len(a.slots) < n {
		if a.chunk == 0 || n > 4*a.chunk {
			return make([]Expr, 0, n)
		}
		a.slots = make([]Expr, 4*a.chunk)
	}
	s := a.slots[:0:n]
	a.slots = a.slots[n:]
	return s
}

func (a *nnfAlloc) nnf(e Expr, neg bool) Expr {
	if a.memo == nil {
		return a.rewrite(e, neg)
	}
	switch e.(type) {
	case *Pred, *Bool:
		// Leaves: copied where they occur, which costs less than
		// remembering them.
		return a.rewrite(e, neg)
	}
	k := nnfKey{e, neg}
	if y, ok := a.memo[k]; ok {
		return y
	}
	y := a.rewrite(e, neg)
	a.memo[k] = y
	return y
}

func (a *nnfAlloc) rewrite(e Expr, neg bool) Expr {
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
