package kql

import (
	"fmt"
	"strings"

	"github.com/emit-sec/emit/source"
)

// dump renders a syntax tree structurally, without positions, so that two
// trees can be compared ("equal AST").
func dump(e Expr) string {
	var b strings.Builder
	dumpExpr(&b, e)
	return b.String()
}

func dumpExpr(b *strings.Builder, e Expr) {
	switch x := e.(type) {
	case nil:
		b.WriteString("<empty>")
	case *Or:
		dumpList(b, "Or", x.X, dumpExpr)
	case *And:
		dumpList(b, "And", x.X, dumpExpr)
	case *Not:
		b.WriteString("Not(")
		dumpExpr(b, x.X)
		b.WriteString(")")
	case *Is:
		b.WriteString("Is(")
		dumpLit(b, x.Field)
		b.WriteString(", ")
		dumpValue(b, x.Value)
		b.WriteString(")")
	case *Range:
		fmt.Fprintf(b, "Range(")
		dumpLit(b, x.Field)
		fmt.Fprintf(b, " %s ", x.Op)
		dumpLit(b, x.Value)
		b.WriteString(")")
	case *Nested:
		b.WriteString("Nested(")
		dumpLit(b, x.Field)
		b.WriteString(", ")
		dumpExpr(b, x.Query)
		b.WriteString(")")
	case *FreeText:
		b.WriteString("Free(")
		dumpLit(b, x.Value)
		b.WriteString(")")
	default:
		fmt.Fprintf(b, "?%T", e)
	}
}

// dumpList renders name(x1, x2, ...).
func dumpList[T any](b *strings.Builder, name string, xs []T, dump func(*strings.Builder, T)) {
	b.WriteString(name + "(")
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		dump(b, x)
	}
	b.WriteString(")")
}

func dumpValue(b *strings.Builder, v ValueExpr) {
	switch x := v.(type) {
	case *ValueOr:
		dumpList(b, "VOr", x.X, dumpValue)
	case *ValueAnd:
		dumpList(b, "VAnd", x.X, dumpValue)
	case *ValueNot:
		b.WriteString("VNot(")
		dumpValue(b, x.X)
		b.WriteString(")")
	case *Literal:
		dumpLit(b, x)
	default:
		fmt.Fprintf(b, "?%T", v)
	}
}

// dumpLit renders a literal as Q"text" (quoted) or U[parts] with * for
// wildcards and %q for text parts.
func dumpLit(b *strings.Builder, l *Literal) {
	if l.Quoted {
		fmt.Fprintf(b, "Q%q", l.Text())
		return
	}
	b.WriteString("U[")
	for i, p := range l.Parts {
		if i > 0 {
			b.WriteString(" ")
		}
		if p.Wildcard {
			b.WriteString("*")
		} else {
			fmt.Fprintf(b, "%q", p.Text)
		}
	}
	b.WriteString("]")
}

// locs returns the locations of every node and literal of a tree.
func locs(e Expr) []Loc {
	var out []Loc
	var value func(v ValueExpr)
	value = func(v ValueExpr) {
		out = append(out, v.Location())
		switch x := v.(type) {
		case *ValueOr:
			for _, y := range x.X {
				value(y)
			}
		case *ValueAnd:
			for _, y := range x.X {
				value(y)
			}
		case *ValueNot:
			value(x.X)
		}
	}
	Walk(e, func(e Expr) bool {
		out = append(out, e.Location())
		switch x := e.(type) {
		case *Is:
			out = append(out, x.Field.Loc)
			value(x.Value)
		case *Range:
			out = append(out, x.Field.Loc, x.Value.Loc)
		case *Nested:
			out = append(out, x.Field.Loc)
		case *FreeText:
			value(x.Value)
		}
		return true
	})
	return out
}

// checkLocs reports locations that are not positions of src as
// source.PosAt computes them, or that are empty or reversed.
func checkLocs(src string, q *Query) string {
	for _, l := range locs(q.Root) {
		if l.Start != source.PosAt(src, l.Start.Offset) || l.End != source.PosAt(src, l.End.Offset) {
			return fmt.Sprintf("location %+v of %q is not consistent with source.PosAt", l, l.Text(src))
		}
		if l.End.Offset <= l.Start.Offset {
			return fmt.Sprintf("empty location %+v", l)
		}
	}
	return ""
}
