package eql

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Operator precedences, loosest first, after Elasticsearch's grammar.
const (
	precOr = iota + 1
	precAnd
	precNot
	precCmp
	precAdd
	precMul
	precUnary
	precPostfix // in, :, like, regex: their operand is a primary expression
	precPrimary
)

func prec(e Expr) int {
	switch x := e.(type) {
	case *Or:
		return precOr
	case *And:
		return precAnd
	case *Not:
		return precNot
	case *Compare:
		return precCmp
	case *Arith:
		if x.Op == Add || x.Op == Sub {
			return precAdd
		}
		return precMul
	case *Neg:
		return precUnary
	case *In, *PatternMatch:
		return precPostfix
	case *Literal:
		if x.Kind == LitInt && x.Int < 0 || x.Kind == LitFloat && math.Signbit(x.Float) {
			return precUnary
		}
	}
	return precPrimary
}

// writeList writes xs in parentheses, separated by ", ", each with each.
func writeList[T any](b *strings.Builder, xs []T, each func(T)) {
	b.WriteByte('(')
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		each(x)
	}
	b.WriteByte(')')
}

// write renders e, parenthesized when it binds looser than min.
func write(b *strings.Builder, e Expr, min int) {
	if prec(e) < min {
		b.WriteByte('(')
		writeExpr(b, e)
		b.WriteByte(')')
		return
	}
	writeExpr(b, e)
}

func writeExpr(b *strings.Builder, e Expr) {
	switch x := e.(type) {
	case *Or:
		for i, y := range x.X {
			if i > 0 {
				b.WriteString(" or ")
			}
			// "a and b or c" prints as "(a and b) or c", which reads better
			// and parses the same.
			write(b, y, precAnd+1)
		}
	case *And:
		for i, y := range x.X {
			if i > 0 {
				b.WriteString(" and ")
			}
			write(b, y, precAnd+1)
		}
	case *Not:
		b.WriteString("not ")
		write(b, x.X, precNot)
	case *Compare:
		write(b, x.L, precCmp+1)
		b.WriteByte(' ')
		b.WriteString(x.Op.String())
		b.WriteByte(' ')
		write(b, x.R, precCmp+1)
	case *Arith:
		p := prec(x)
		write(b, x.L, p)
		b.WriteByte(' ')
		b.WriteString(x.Op.String())
		b.WriteByte(' ')
		write(b, x.R, p+1)
	case *Neg:
		b.WriteByte('-')
		var inner strings.Builder
		write(&inner, x.X, precUnary)
		if s := inner.String(); strings.HasPrefix(s, "-") {
			b.WriteByte(' ')
		}
		write(b, x.X, precUnary)
	case *In:
		write(b, x.X, precPrimary)
		if x.Not {
			b.WriteString(" not")
		}
		b.WriteString(" in")
		if x.CI {
			b.WriteByte('~')
		}
		b.WriteByte(' ')
		writeList(b, x.List, func(y Expr) { write(b, y, precOr) })
	case *PatternMatch:
		write(b, x.X, precPrimary)
		b.WriteByte(' ')
		b.WriteString(x.Op.String())
		b.WriteByte(' ')
		if len(x.Patterns) == 1 {
			writeExpr(b, x.Patterns[0])
			return
		}
		writeList(b, x.Patterns, func(y *Literal) { writeExpr(b, y) })
	case *Call:
		b.WriteString(x.Name)
		if x.CI {
			b.WriteByte('~')
		}
		writeList(b, x.Args, func(y Expr) { write(b, y, precOr) })
	case *Field:
		b.WriteString(x.String())
	case *Literal:
		b.WriteString(x.String())
	}
}

func exprString(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

// String renders the node in canonical EQL.
func (e *Or) String() string { return exprString(e) }

// String renders the node in canonical EQL.
func (e *And) String() string { return exprString(e) }

// String renders the node in canonical EQL.
func (e *Not) String() string { return exprString(e) }

// String renders the node in canonical EQL.
func (e *Compare) String() string { return exprString(e) }

// String renders the node in canonical EQL.
func (e *In) String() string { return exprString(e) }

// String renders the node in canonical EQL.
func (e *PatternMatch) String() string { return exprString(e) }

// String renders the node in canonical EQL.
func (e *Arith) String() string { return exprString(e) }

// String renders the node in canonical EQL.
func (e *Neg) String() string { return exprString(e) }

// String renders the node in canonical EQL.
func (e *Call) String() string { return exprString(e) }

// String renders the field name, with backticks around the parts that are
// not plain identifiers.
func (e *Field) String() string {
	var b strings.Builder
	if e.Optional {
		b.WriteByte('?')
	}
	b.WriteString(fieldName(e.Name))
	return b.String()
}

// fieldName renders a dotted field name in EQL syntax.
func fieldName(name string) string {
	parts := strings.Split(name, ".")
	for _, p := range parts {
		if p == "" {
			// Only a whole quoted name keeps empty parts.
			return quoteIdent(name)
		}
	}
	for i, p := range parts {
		if !isIdentifier(p) {
			parts[i] = quoteIdent(p)
		}
	}
	return strings.Join(parts, ".")
}

func quoteIdent(s string) string {
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

// String renders the literal in canonical EQL.
func (e *Literal) String() string {
	switch e.Kind {
	case LitInt:
		return strconv.FormatInt(e.Int, 10)
	case LitFloat:
		return formatFloat(e.Float)
	case LitBool:
		return strconv.FormatBool(e.Bool)
	case LitNull:
		return "null"
	}
	return quoteString(e.Str)
}

// formatFloat renders a float so that it lexes back as a decimal number.
func formatFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// quoteString renders s as a double-quoted EQL string.
func quoteString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError && size == 1:
			// Invalid UTF-8 stays as it was written.
			b.WriteByte(s[i])
		case r == ' ' || r >= 0x20 && r < 0x7f || r > 0x7f && unicode.IsPrint(r):
			b.WriteString(s[i : i+size])
		default:
			// Control and invisible characters (format characters such as
			// U+202E, unassigned code points) are escaped.
			b.WriteString(`\u{`)
			h := strconv.FormatInt(int64(r), 16)
			if len(h) < 2 {
				b.WriteByte('0')
			}
			b.WriteString(h)
			b.WriteByte('}')
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}

// categoryString renders an event category: bare when it is a plain
// identifier, quoted otherwise.
func categoryString(s string) string {
	if isIdentifier(s) {
		return s
	}
	return quoteString(s)
}

// String renders the query in canonical EQL, on one line, which parses
// back to an equal syntax tree.
func (q *Query) String() string {
	var b strings.Builder
	switch q.Kind {
	case Sequence, Sample:
		b.WriteString(q.Kind.String())
		writeBy(&b, q.By)
		if q.MaxSpan != nil {
			b.WriteString(" with maxspan=")
			b.WriteString(strconv.FormatInt(q.MaxSpan.N, 10))
			b.WriteString(q.MaxSpan.Unit)
		}
		for _, st := range q.Steps {
			b.WriteByte(' ')
			st.write(&b)
		}
		if q.Until != nil {
			b.WriteString(" until ")
			q.Until.write(&b)
		}
	default:
		if len(q.Steps) > 0 {
			q.Steps[0].writeFilter(&b)
		}
	}
	for _, p := range q.Pipes {
		b.WriteString(" | ")
		b.WriteString(p.Name)
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(p.N))
	}
	return b.String()
}

func writeBy(b *strings.Builder, by []*Field) {
	for i, f := range by {
		if i == 0 {
			b.WriteString(" by ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(f.String())
	}
}

// String renders the step as a step of a sequence or sample, in canonical
// EQL: "[category where condition] by ... with runs=N" ("![...]" for a
// missing event).
func (st *Step) String() string {
	var b strings.Builder
	st.write(&b)
	return b.String()
}

func (st *Step) write(b *strings.Builder) {
	if st.Missing {
		b.WriteString("![")
	} else {
		b.WriteByte('[')
	}
	st.writeFilter(b)
	b.WriteByte(']')
	writeBy(b, st.By)
	if st.Runs > 0 {
		b.WriteString(" with runs=")
		b.WriteString(strconv.Itoa(st.Runs))
	}
}

func (st *Step) writeFilter(b *strings.Builder) {
	if st.Any {
		b.WriteString("any")
	} else {
		b.WriteString(categoryString(st.Category))
	}
	b.WriteString(" where ")
	if st.Cond != nil {
		writeExpr(b, st.Cond)
	}
}
