package kql

import (
	"strings"

	"github.com/emit-sec/emit/source"
)

// Loc is where a node was written: the position of its first byte and the
// position just after its last byte.
type Loc = source.Loc

// Query is a parsed KQL query.
type Query struct {
	// Src is the query text as given to Parse.
	Src string
	// Root is the query's expression; nil for an empty query, which matches
	// every document (as in Kibana).
	Root Expr
}

// String renders the query in canonical KQL, which parses back to an equal
// syntax tree.
func (q *Query) String() string {
	if q == nil || q.Root == nil {
		return ""
	}
	var b strings.Builder
	q.Root.print(&b, false)
	return b.String()
}

// Expr is a boolean node of a query: *Or, *And, *Not, *Is, *Range,
// *Nested or *FreeText.
type Expr interface {
	// Location is where the node was written (without redundant parentheses).
	Location() Loc
	// String renders the node in canonical KQL.
	String() string
	print(b *strings.Builder, open bool)
	exprNode()
}

// Or holds when any of X holds: "a or b or c".
type Or struct {
	X   []Expr
	Loc Loc
}

// And holds when all of X hold: "a and b and c".
type And struct {
	X   []Expr
	Loc Loc
}

// Not holds when X does not: "not a".
type Not struct {
	X   Expr
	Loc Loc
}

// Is is "field : value" or "field : (value list)". An unquoted "*" value
// means "the field exists".
type Is struct {
	Field *Literal
	Value ValueExpr
	Loc   Loc
}

// RangeOp is a range comparison operator.
type RangeOp uint8

// Range operators.
const (
	Lt RangeOp = iota // <
	Le                // <=
	Gt                // >
	Ge                // >=
)

var rangeOpNames = [...]string{"<", "<=", ">", ">="}

func (o RangeOp) String() string {
	if int(o) < len(rangeOpNames) {
		return rangeOpNames[o]
	}
	return "?"
}

// Range is "field < value" (or <=, >, >=).
type Range struct {
	Field *Literal
	Op    RangeOp
	Value *Literal
	Loc   Loc
}

// Nested is "parent : { query }": the query's fields are relative to parent,
// and the query must hold within one object under parent.
type Nested struct {
	Field *Literal
	Query Expr
	Loc   Loc
}

// FreeText is a value without a field (a search of all fields).
type FreeText struct {
	Value *Literal
	Loc   Loc
}

// ValueExpr is a value or a boolean combination of values in a list:
// *Literal, *ValueOr, *ValueAnd or *ValueNot.
type ValueExpr interface {
	Location() Loc
	String() string
	print(b *strings.Builder, open bool)
	valueNode()
}

// ValueOr holds when the field matches any of X: "f : (a or b)".
type ValueOr struct {
	X   []ValueExpr
	Loc Loc
}

// ValueAnd holds when the field matches all of X: "f : (a and b)".
type ValueAnd struct {
	X   []ValueExpr
	Loc Loc
}

// ValueNot holds when the field does not match X: "f : (not a)".
type ValueNot struct {
	X   ValueExpr
	Loc Loc
}

func (*Or) exprNode()       {}
func (*And) exprNode()      {}
func (*Not) exprNode()      {}
func (*Is) exprNode()       {}
func (*Range) exprNode()    {}
func (*Nested) exprNode()   {}
func (*FreeText) exprNode() {}

func (*ValueOr) valueNode()  {}
func (*ValueAnd) valueNode() {}
func (*ValueNot) valueNode() {}

// Location returns where the node was written.
func (e *Or) Location() Loc { return e.Loc }

// Location returns where the node was written.
func (e *And) Location() Loc { return e.Loc }

// Location returns where the node was written.
func (e *Not) Location() Loc { return e.Loc }

// Location returns where the node was written.
func (e *Is) Location() Loc { return e.Loc }

// Location returns where the node was written.
func (e *Range) Location() Loc { return e.Loc }

// Location returns where the node was written.
func (e *Nested) Location() Loc { return e.Loc }

// Location returns where the node was written.
func (e *FreeText) Location() Loc { return e.Loc }

// Location returns where the node was written.
func (e *ValueOr) Location() Loc { return e.Loc }

// Location returns where the node was written.
func (e *ValueAnd) Location() Loc { return e.Loc }

// Location returns where the node was written.
func (e *ValueNot) Location() Loc { return e.Loc }

// In the printers below, open tells whether the text that follows the node
// may start with whitespace (" or ", " : ", the end of a nested query...),
// in which case a trailing "not" of an unquoted literal must be escaped.
// String() assumes it may; Query.String knows the end of the query is not.

// String renders the node in canonical KQL.
func (e *Or) String() string { return render(e.print) }

// String renders the node in canonical KQL.
func (e *And) String() string { return render(e.print) }

// String renders the node in canonical KQL.
func (e *Not) String() string { return render(e.print) }

// String renders the node in canonical KQL.
func (e *Is) String() string { return render(e.print) }

// String renders the node in canonical KQL.
func (e *Range) String() string { return render(e.print) }

// String renders the node in canonical KQL.
func (e *Nested) String() string { return render(e.print) }

// String renders the node in canonical KQL.
func (e *FreeText) String() string { return render(e.print) }

// String renders the value list in canonical KQL (without the enclosing
// parentheses that an Is adds).
func (e *ValueOr) String() string { return render(e.print) }

// String renders the value list in canonical KQL.
func (e *ValueAnd) String() string { return render(e.print) }

// String renders the value list in canonical KQL.
func (e *ValueNot) String() string { return render(e.print) }

func render(print func(*strings.Builder, bool)) string {
	var b strings.Builder
	print(&b, true)
	return b.String()
}

func (e *Or) print(b *strings.Builder, open bool) {
	printList(b, e.X, " or ", func(x Expr) bool { _, or := x.(*Or); return or }, open)
}

func (e *And) print(b *strings.Builder, open bool) {
	printList(b, e.X, " and ", func(x Expr) bool {
		switch x.(type) {
		case *Or, *And:
			return true
		}
		return false
	}, open)
}

func (e *Not) print(b *strings.Builder, open bool) {
	b.WriteString("not ")
	paren := false
	switch e.X.(type) {
	case *Or, *And, *Not:
		// Kibana's grammar takes one "not" before a sub-query: "not not a"
		// must be written "not (not a)".
		paren = true
	}
	printPart(b, e.X, paren, open)
}

// printer is a node that prints itself; open tells whether more query
// text may follow it (see writeUnquoted).
type printer interface {
	print(b *strings.Builder, open bool)
}

// printList prints xs joined by sep, each in parentheses where paren says.
func printList[T printer](b *strings.Builder, xs []T, sep string, paren func(T) bool, open bool) {
	for i, x := range xs {
		if i > 0 {
			b.WriteString(sep)
		}
		printPart(b, x, paren(x), open || i < len(xs)-1)
	}
}

func printPart(b *strings.Builder, x printer, paren, open bool) {
	if paren {
		b.WriteByte('(')
		x.print(b, false)
		b.WriteByte(')')
		return
	}
	x.print(b, open)
}

func (e *Is) print(b *strings.Builder, open bool) {
	e.Field.print(b, true)
	b.WriteString(" : ")
	if lit, ok := e.Value.(*Literal); ok {
		lit.print(b, open)
		return
	}
	b.WriteByte('(')
	e.Value.print(b, false)
	b.WriteByte(')')
}

func (e *Range) print(b *strings.Builder, open bool) {
	e.Field.print(b, true)
	b.WriteString(" " + e.Op.String() + " ")
	e.Value.print(b, open)
}

func (e *Nested) print(b *strings.Builder, _ bool) {
	e.Field.print(b, true)
	b.WriteString(" : { ")
	e.Query.print(b, true)
	b.WriteString(" }")
}

func (e *FreeText) print(b *strings.Builder, open bool) { e.Value.print(b, open) }

func (e *ValueOr) print(b *strings.Builder, open bool) {
	printList(b, e.X, " or ", func(x ValueExpr) bool { _, or := x.(*ValueOr); return or }, open)
}

func (e *ValueAnd) print(b *strings.Builder, open bool) {
	printList(b, e.X, " and ", func(x ValueExpr) bool {
		switch x.(type) {
		case *ValueOr, *ValueAnd:
			return true
		}
		return false
	}, open)
}

func (e *ValueNot) print(b *strings.Builder, open bool) {
	b.WriteString("not ")
	_, lit := e.X.(*Literal)
	printPart(b, e.X, !lit, open)
}

// Walk calls fn for every boolean node of e, parents before children. If fn
// returns false, Walk does not descend into that node.
func Walk(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch x := e.(type) {
	case *Or:
		for _, y := range x.X {
			Walk(y, fn)
		}
	case *And:
		for _, y := range x.X {
			Walk(y, fn)
		}
	case *Not:
		Walk(x.X, fn)
	case *Nested:
		Walk(x.Query, fn)
	}
}
