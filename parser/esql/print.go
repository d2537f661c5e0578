package esql

import (
	"math"
	"strconv"
	"strings"
)

// The printer renders the syntax tree as ES|QL that parses back to the
// same tree: commands and keywords in upper case, one command after the
// other on one line, the minimal parentheses (plus those around an AND
// inside an OR, for the reader).

// String renders the query: its commands separated by " | ".
func (q *Query) String() string {
	var b strings.Builder
	writeCommands(&b, q.Commands)
	return b.String()
}

func writeCommands(b *strings.Builder, cmds []Command) {
	for i, c := range cmds {
		if i > 0 {
			b.WriteString(" | ")
		}
		writeCommand(b, c)
	}
}

func commandString(c Command) string {
	var b strings.Builder
	writeCommand(&b, c)
	return b.String()
}

// String implements Command.
func (c *From) String() string { return commandString(c) }

// String implements Command.
func (c *Row) String() string { return commandString(c) }

// String implements Command.
func (c *Show) String() string { return commandString(c) }

// String implements Command.
func (c *Where) String() string { return commandString(c) }

// String implements Command.
func (c *Eval) String() string { return commandString(c) }

// String implements Command.
func (c *Stats) String() string { return commandString(c) }

// String implements Command.
func (c *Keep) String() string { return commandString(c) }

// String implements Command.
func (c *Drop) String() string { return commandString(c) }

// String implements Command.
func (c *Rename) String() string { return commandString(c) }

// String implements Command.
func (c *Sort) String() string { return commandString(c) }

// String implements Command.
func (c *Limit) String() string { return commandString(c) }

// String implements Command.
func (c *MvExpand) String() string { return commandString(c) }

// String implements Command.
func (c *Dissect) String() string { return commandString(c) }

// String implements Command.
func (c *Grok) String() string { return commandString(c) }

// String implements Command.
func (c *Enrich) String() string { return commandString(c) }

// String implements Command.
func (c *LookupJoin) String() string { return commandString(c) }

// String implements Command.
func (c *ChangePoint) String() string { return commandString(c) }

// String implements Command.
func (c *Completion) String() string { return commandString(c) }

// String implements Command.
func (c *Rerank) String() string { return commandString(c) }

// String implements Command.
func (c *Sample) String() string { return commandString(c) }

// String implements Command.
func (c *Fork) String() string { return commandString(c) }

// list writes xs separated by ", ", each with each.
func list[T any](b *strings.Builder, xs []T, each func(T)) {
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		each(x)
	}
}

func writeCommand(b *strings.Builder, c Command) {
	b.WriteString(c.Name())
	switch x := c.(type) {
	case *From:
		b.WriteByte(' ')
		list(b, x.Indices, func(p *IndexPattern) { b.WriteString(p.String()) })
		if len(x.Metadata) > 0 {
			b.WriteString(" METADATA ")
			list(b, x.Metadata, func(m *Ident) { b.WriteString(m.Name) })
		}
	case *Row:
		b.WriteByte(' ')
		writeAssigns(b, x.Fields)
	case *Show:
		b.WriteString(" INFO")
	case *Where:
		b.WriteByte(' ')
		write(b, x.Cond, 0)
	case *Eval:
		b.WriteByte(' ')
		writeAssigns(b, x.Fields)
	case *Stats:
		if len(x.Aggs) > 0 {
			b.WriteByte(' ')
			list(b, x.Aggs, func(a *Agg) {
				if a.Name != nil {
					b.WriteString(a.Name.String())
					b.WriteString(" = ")
				}
				write(b, a.X, 0)
				if a.Filter != nil {
					b.WriteString(" WHERE ")
					write(b, a.Filter, 0)
				}
			})
		}
		if len(x.By) > 0 {
			b.WriteString(" BY ")
			writeAssigns(b, x.By)
		}
	case *Keep:
		b.WriteByte(' ')
		list(b, x.Patterns, func(p *NamePattern) { b.WriteString(p.String()) })
	case *Drop:
		b.WriteByte(' ')
		list(b, x.Patterns, func(p *NamePattern) { b.WriteString(p.String()) })
	case *Rename:
		b.WriteByte(' ')
		list(b, x.Pairs, func(p *RenamePair) {
			b.WriteString(p.Old.String())
			b.WriteString(" AS ")
			b.WriteString(p.New.String())
		})
	case *Sort:
		b.WriteByte(' ')
		list(b, x.Keys, func(k *SortKey) {
			write(b, k.X, 0)
			switch k.Dir {
			case Asc:
				b.WriteString(" ASC")
			case Desc:
				b.WriteString(" DESC")
			}
			switch k.Nulls {
			case NullsFirst:
				b.WriteString(" NULLS FIRST")
			case NullsLast:
				b.WriteString(" NULLS LAST")
			}
		})
	case *Limit:
		b.WriteByte(' ')
		if x.Param != nil {
			b.WriteString(x.Param.String())
		} else {
			b.WriteString(strconv.FormatInt(x.N, 10))
		}
	case *MvExpand:
		b.WriteByte(' ')
		b.WriteString(x.Field.String())
	case *Dissect:
		b.WriteByte(' ')
		write(b, x.X, precPostfix)
		b.WriteByte(' ')
		b.WriteString(x.Pattern.String())
		if x.AppendSeparator != nil {
			b.WriteString(" APPEND_SEPARATOR = ")
			b.WriteString(x.AppendSeparator.String())
		}
	case *Grok:
		b.WriteByte(' ')
		write(b, x.X, precPostfix)
		b.WriteByte(' ')
		list(b, x.Patterns, func(p *Literal) { b.WriteString(p.String()) })
	case *Enrich:
		b.WriteByte(' ')
		name := x.Policy
		if x.Mode != "" {
			name = x.Mode + ":" + name
		}
		if isPolicyName(x.Policy) && (x.Mode == "" || enrichModes[x.Mode]) {
			b.WriteString(name)
		} else {
			b.WriteString(quoteString(name))
		}
		if x.On != nil {
			b.WriteString(" ON ")
			b.WriteString(x.On.String())
		}
		if len(x.With) > 0 {
			b.WriteString(" WITH ")
			list(b, x.With, func(f *EnrichField) {
				if f.Name != nil {
					b.WriteString(f.Name.String())
					b.WriteString(" = ")
				}
				b.WriteString(f.Field.String())
			})
		}
	case *LookupJoin:
		b.WriteByte(' ')
		b.WriteString(x.Index.format(joinKeywords))
		b.WriteString(" ON ")
		list(b, x.On, func(e Expr) { write(b, e, precCmp) })
	case *ChangePoint:
		b.WriteByte(' ')
		b.WriteString(x.Value.String())
		if x.Key != nil {
			b.WriteString(" ON ")
			b.WriteString(x.Key.String())
		}
		if x.Type != nil {
			b.WriteString(" AS ")
			b.WriteString(x.Type.String())
			b.WriteString(", ")
			b.WriteString(x.PValue.String())
		}
	case *Completion:
		b.WriteByte(' ')
		if x.Target != nil {
			b.WriteString(x.Target.String())
			b.WriteString(" = ")
		}
		write(b, x.Prompt, precPostfix)
		if x.Options != nil {
			b.WriteString(" WITH ")
			b.WriteString(x.Options.String())
		}
	case *Rerank:
		b.WriteByte(' ')
		if x.Target != nil {
			b.WriteString(x.Target.String())
			b.WriteString(" = ")
		}
		write(b, x.Query, 0)
		b.WriteString(" ON ")
		writeAssigns(b, x.On)
		if x.Options != nil {
			b.WriteString(" WITH ")
			b.WriteString(x.Options.String())
		}
	case *Sample:
		b.WriteByte(' ')
		b.WriteString(x.Probability.String())
	case *Fork:
		for _, br := range x.Branches {
			b.WriteString(" (")
			writeCommands(b, br.Commands)
			b.WriteByte(')')
		}
	}
}

func writeAssigns(b *strings.Builder, as []*Assign) {
	list(b, as, func(a *Assign) {
		if a.Name != nil {
			b.WriteString(a.Name.String())
			b.WriteString(" = ")
		}
		write(b, a.X, 0)
	})
}

// String renders the index pattern as FROM takes it: quoted when it was
// written quoted or cannot be written unquoted.
func (p *IndexPattern) String() string { return p.format(fromKeywords) }

// The words an unquoted index pattern cannot be, after FROM and after
// LOOKUP JOIN.
var (
	fromKeywords = []string{"metadata"}
	joinKeywords = []string{"join", "as", "on"}
)

func (p *IndexPattern) format(keywords []string) string {
	s := p.Index
	if p.Cluster != "" {
		s = p.Cluster + ":" + s
	}
	if p.Selector != "" {
		s += "::" + p.Selector
	}
	if p.Quoted || !isSource(p.Index, keywords) || p.Cluster != "" && !isSource(p.Cluster, keywords) || p.Selector != "" && !isSource(p.Selector, keywords) {
		return quoteString(s)
	}
	return s
}

// isSource reports whether s lexes as one unquoted index pattern that is
// not one of keywords.
func isSource(s string, keywords []string) bool {
	if s == "" {
		return false
	}
	for _, k := range keywords {
		if strings.EqualFold(s, k) {
			return false
		}
	}
	for i := 0; i < len(s); {
		n := isSourceChar(s, i)
		if n == 0 || strings.HasPrefix(s[i:], "/") && i+1 >= len(s) {
			return false
		}
		i += n
	}
	return !strings.HasSuffix(s, "/")
}

// isPolicyName reports whether s lexes as an unquoted ENRICH policy name.
func isPolicyName(s string) bool {
	if s == "" || strings.EqualFold(s, "on") || strings.EqualFold(s, "with") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isPolicyChar(s[i]) {
			return false
		}
	}
	return true
}

// String renders the name pattern, backquoting what needs it.
func (p *NamePattern) String() string {
	plain := p.Pattern != ""
	for _, part := range strings.Split(p.Pattern, ".") {
		if !isPatternPart(part) {
			plain = false
			break
		}
	}
	if plain {
		return p.Pattern
	}
	// Backquote the runs between wildcards, which stay wildcards.
	var b strings.Builder
	for i, seg := range strings.Split(p.Pattern, "*") {
		if i > 0 {
			b.WriteByte('*')
		}
		if seg != "" {
			b.WriteByte('`')
			b.WriteString(strings.ReplaceAll(seg, "`", "``"))
			b.WriteByte('`')
		}
	}
	return b.String()
}

// isPatternPart reports whether s lexes as one unquoted ID_PATTERN that no
// command takes for a keyword.
func isPatternPart(s string) bool {
	switch strings.ToLower(s) {
	case "", "as", "on", "with":
		return false
	}
	c := s[0]
	switch {
	case isLetter(c) || c == '*':
	case c == '_' || c == '@':
		if len(s) == 1 {
			return false
		}
	default:
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIDBody(s[i]) && s[i] != '*' {
			return false
		}
	}
	return true
}

// Operator precedences, loosest first, after Elasticsearch's grammar.
const (
	precOr = iota + 1
	precAnd
	precNot
	precPred // IN, LIKE, RLIKE, IS NULL, ":" apply to a value expression
	precCmp
	precAdd
	precMul
	precUnary
	precPostfix // ::type
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
	case *In, *Like, *IsNull, *Match:
		return precPred
	case *Compare:
		return precCmp
	case *Arith:
		if x.Op == Add || x.Op == Sub {
			return precAdd
		}
		return precMul
	case *Neg:
		return precUnary
	case *Cast:
		return precPostfix
	case *Literal:
		switch x.Kind {
		case LitInt, LitDuration, LitPeriod:
			if x.Int < 0 {
				return precUnary
			}
		case LitDouble:
			if math.Signbit(x.Float) {
				return precUnary
			}
		}
	}
	return precPrimary
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
				b.WriteString(" OR ")
			}
			// "a AND b OR c" prints as "(a AND b) OR c", which reads
			// better and parses the same.
			write(b, y, precNot)
		}
	case *And:
		for i, y := range x.X {
			if i > 0 {
				b.WriteString(" AND ")
			}
			write(b, y, precNot)
		}
	case *Not:
		b.WriteString("NOT ")
		write(b, x.X, precNot)
	case *Compare:
		write(b, x.L, precAdd)
		b.WriteByte(' ')
		b.WriteString(x.Op.String())
		b.WriteByte(' ')
		write(b, x.R, precAdd)
	case *In:
		write(b, x.X, precCmp)
		if x.Not {
			b.WriteString(" NOT")
		}
		b.WriteString(" IN (")
		list(b, x.List, func(y Expr) { write(b, y, precCmp) })
		b.WriteByte(')')
	case *Like:
		write(b, x.X, precCmp)
		if x.Not {
			b.WriteString(" NOT")
		}
		if x.RLike {
			b.WriteString(" RLIKE ")
		} else {
			b.WriteString(" LIKE ")
		}
		if len(x.Patterns) == 1 {
			b.WriteString(x.Patterns[0].String())
		} else {
			b.WriteByte('(')
			list(b, x.Patterns, func(p *Literal) { b.WriteString(p.String()) })
			b.WriteByte(')')
		}
	case *IsNull:
		write(b, x.X, precCmp)
		if x.Not {
			b.WriteString(" IS NOT NULL")
		} else {
			b.WriteString(" IS NULL")
		}
	case *Match:
		b.WriteString(x.Field.String())
		if x.Type != "" {
			b.WriteString("::")
			b.WriteString(x.Type)
		}
		b.WriteString(" : ")
		write(b, x.Query, precPrimary)
	case *Arith:
		p := prec(x)
		write(b, x.L, p)
		b.WriteByte(' ')
		b.WriteString(x.Op.String())
		b.WriteByte(' ')
		write(b, x.R, p+1)
	case *Neg:
		b.WriteByte('-')
		if s := x.X.String(); strings.HasPrefix(s, "-") && prec(x.X) >= precUnary {
			b.WriteByte(' ')
		}
		write(b, x.X, precUnary)
	case *Cast:
		write(b, x.X, precPostfix)
		b.WriteString("::")
		b.WriteString(x.Type)
	case *Call:
		b.WriteString(strings.ToUpper(x.Name))
		b.WriteByte('(')
		if x.Star {
			b.WriteByte('*')
		}
		list(b, x.Args, func(y Expr) { write(b, y, 0) })
		if x.Options != nil {
			if len(x.Args) > 0 || x.Star {
				b.WriteString(", ")
			}
			b.WriteString(x.Options.String())
		}
		b.WriteByte(')')
	case *Field:
		b.WriteString(fieldName(x.Name))
	case *Literal:
		writeLiteral(b, x)
	case *Param:
		b.WriteByte('?')
		b.WriteString(x.Name)
	}
}

// fieldName renders a field name: plain when every dotted part is an
// unquoted identifier (or, after the first, one of the soft keywords AS,
// ON, WITH, as in source.as.number), else backquoted as a whole
// (`my field`, `a.first`).
func fieldName(name string) string {
	plain := name != ""
	for i, part := range strings.Split(name, ".") {
		if !isIdentifier(part) && (i == 0 || !softKeywords[strings.ToLower(part)] || !isIdentifier("x"+part)) {
			plain = false
			break
		}
	}
	if plain {
		return name
	}
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

func writeLiteral(b *strings.Builder, l *Literal) {
	switch l.Kind {
	case LitNull:
		b.WriteString("NULL")
	case LitBool:
		if l.Bool {
			b.WriteString("TRUE")
		} else {
			b.WriteString("FALSE")
		}
	case LitInt:
		b.WriteString(strconv.FormatInt(l.Int, 10))
	case LitUnsignedLong:
		b.WriteString(strconv.FormatUint(l.Uint, 10))
	case LitDouble:
		b.WriteString(formatDouble(l.Float))
	case LitString:
		b.WriteString(quoteString(l.Str))
	case LitDuration, LitPeriod:
		b.WriteString(strconv.FormatInt(l.Int, 10))
		b.WriteByte(' ')
		b.WriteString(l.Unit.String())
		if l.Int != 1 && l.Int != -1 {
			b.WriteByte('s')
		}
	case LitList:
		b.WriteByte('[')
		list(b, l.List, func(y *Literal) { writeLiteral(b, y) })
		b.WriteByte(']')
	}
}

// formatDouble renders a double so that it lexes as a decimal: with a
// decimal point or an exponent.
func formatDouble(f float64) string {
	var s string
	if a := math.Abs(f); a != 0 && (a >= 1e21 || a < 1e-6) {
		s = strconv.FormatFloat(f, 'e', -1, 64)
	} else {
		s = strconv.FormatFloat(f, 'f', -1, 64)
	}
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// quoteString renders a string literal: """raw""" when that avoids
// escaping backslashes or quotes (and the raw form can hold the value
// readably: no """, no trailing quote, no control characters), else "..."
// with the escapes \" \\ \t \n \r.
func quoteString(s string) string {
	if strings.ContainsAny(s, `\"`) && !strings.Contains(s, `"""`) && !strings.HasSuffix(s, `"`) && !hasControl(s) {
		return `"""` + s + `"""`
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// hasControl reports whether s holds an ASCII control character.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

func exprString(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

// String renders the node as ES|QL.
func (e *Or) String() string { return exprString(e) }

// String renders the node as ES|QL.
func (e *And) String() string { return exprString(e) }

// String renders the node as ES|QL.
func (e *Not) String() string { return exprString(e) }

// String renders the node as ES|QL.
func (e *Compare) String() string { return exprString(e) }

// String renders the node as ES|QL.
func (e *In) String() string { return exprString(e) }

// String renders the node as ES|QL.
func (e *Like) String() string { return exprString(e) }

// String renders the node as ES|QL.
func (e *IsNull) String() string { return exprString(e) }

// String renders the node as ES|QL.
func (e *Match) String() string { return exprString(e) }

// String renders the node as ES|QL.
func (e *Arith) String() string { return exprString(e) }

// String renders the node as ES|QL.
func (e *Neg) String() string { return exprString(e) }

// String renders the node as ES|QL.
func (e *Cast) String() string { return exprString(e) }

// String renders the node as ES|QL.
func (e *Call) String() string { return exprString(e) }

// String renders the node as ES|QL.
func (e *Field) String() string { return exprString(e) }

// String renders the node as ES|QL.
func (e *Literal) String() string { return exprString(e) }

// String renders the node as ES|QL.
func (e *Param) String() string { return exprString(e) }

// String renders the map as ES|QL: {"key": value, ...}.
func (m *Map) String() string {
	var b strings.Builder
	writeMap(&b, m)
	return b.String()
}

func writeMap(b *strings.Builder, m *Map) {
	b.WriteByte('{')
	list(b, m.Entries, func(e *MapEntry) {
		b.WriteString(quoteString(e.Key))
		b.WriteString(": ")
		switch v := e.Value.(type) {
		case *Map:
			writeMap(b, v)
		case Expr:
			writeExpr(b, v)
		}
	})
	b.WriteByte('}')
}
