package kql

import (
	"strings"

	"github.com/emit-sec/emit/parser"
)

// Loc is where a node was written: the position of its first byte and the
// position just after its last byte.
type Loc struct {
	Start, End parser.Pos
}

// Text returns the source text of the location in src.
func (l Loc) Text(src string) string {
	if l.Start.Offset < 0 || l.End.Offset > len(src) || l.Start.Offset > l.End.Offset {
		return ""
	}
	return src[l.Start.Offset:l.End.Offset]
}

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
	return q.Root.String()
}

// Expr is a boolean node of a query: *Or, *And, *Not, *Match, *Range,
// *Nested or *FreeText.
type Expr interface {
	// Location is where the node was written (without redundant parentheses).
	Location() Loc
	// String renders the node in canonical KQL.
	String() string
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

// Match is "field : value" or "field : (value list)". An unquoted "*" value
// means "the field exists".
type Match struct {
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
func (*Match) exprNode()    {}
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
func (e *Match) Location() Loc { return e.Loc }

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

// String renders the node in canonical KQL.
func (e *Or) String() string {
	var b strings.Builder
	for i, x := range e.X {
		if i > 0 {
			b.WriteString(" or ")
		}
		_, nested := x.(*Or)
		writeExpr(&b, x, nested)
	}
	return b.String()
}

// String renders the node in canonical KQL.
func (e *And) String() string {
	var b strings.Builder
	for i, x := range e.X {
		if i > 0 {
			b.WriteString(" and ")
		}
		paren := false
		switch x.(type) {
		case *Or, *And:
			paren = true
		}
		writeExpr(&b, x, paren)
	}
	return b.String()
}

// String renders the node in canonical KQL.
func (e *Not) String() string {
	var b strings.Builder
	b.WriteString("not ")
	paren := false
	switch e.X.(type) {
	case *Or, *And, *Not:
		// Kibana's grammar takes one "not" before a sub-query: "not not a"
		// must be written "not (not a)".
		paren = true
	}
	writeExpr(&b, e.X, paren)
	return b.String()
}

func writeExpr(b *strings.Builder, x Expr, paren bool) {
	if paren {
		b.WriteByte('(')
	}
	b.WriteString(x.String())
	if paren {
		b.WriteByte(')')
	}
}

// String renders the node in canonical KQL.
func (e *Match) String() string {
	var b strings.Builder
	b.WriteString(e.Field.String())
	b.WriteString(" : ")
	if lit, ok := e.Value.(*Literal); ok {
		b.WriteString(lit.String())
	} else {
		b.WriteByte('(')
		b.WriteString(e.Value.String())
		b.WriteByte(')')
	}
	return b.String()
}

// String renders the node in canonical KQL.
func (e *Range) String() string {
	return e.Field.String() + " " + e.Op.String() + " " + e.Value.String()
}

// String renders the node in canonical KQL.
func (e *Nested) String() string {
	return e.Field.String() + " : { " + e.Query.String() + " }"
}

// String renders the node in canonical KQL.
func (e *FreeText) String() string { return e.Value.String() }

// String renders the value list in canonical KQL (without the enclosing
// parentheses that a Match adds).
func (e *ValueOr) String() string {
	var b strings.Builder
	for i, x := range e.X {
		if i > 0 {
			b.WriteString(" or ")
		}
		_, nested := x.(*ValueOr)
		writeValue(&b, x, nested)
	}
	return b.String()
}

// String renders the value list in canonical KQL.
func (e *ValueAnd) String() string {
	var b strings.Builder
	for i, x := range e.X {
		if i > 0 {
			b.WriteString(" and ")
		}
		paren := false
		switch x.(type) {
		case *ValueOr, *ValueAnd:
			paren = true
		}
		writeValue(&b, x, paren)
	}
	return b.String()
}

// String renders the value list in canonical KQL.
func (e *ValueNot) String() string {
	var b strings.Builder
	b.WriteString("not ")
	_, lit := e.X.(*Literal)
	writeValue(&b, e.X, !lit)
	return b.String()
}

func writeValue(b *strings.Builder, x ValueExpr, paren bool) {
	if paren {
		b.WriteByte('(')
	}
	b.WriteString(x.String())
	if paren {
		b.WriteByte(')')
	}
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
