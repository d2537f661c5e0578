// Package kql parses the Kibana Query Language (KQL, "kuery") into a syntax
// tree, lowers it to constraints (package constraint) and evaluates it
// against JSON documents.
//
// The grammar follows Kibana's kuery grammar (grammar.peggy in
// @kbn/es-query), including its whitespace rules: an unquoted value runs up
// to a special character or a keyword, so "message : foo bar" has the value
// "foo bar"; "or" and "and" are keywords only between whitespace, "not" only
// before whitespace; "\t", "\r", "\n", "\uXXXX", the special characters
// \ ( ) : < > " * { } and the keywords can be escaped with a backslash.
//
// Parse uses github.com/alecthomas/participle/v2 over a lexer of its own.
package kql

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/emit-sec/emit/parser"
	"github.com/emit-sec/emit/source"
)

// The participle grammar, a transcription of Kibana's kuery grammar:
//
//	query      = or?
//	or         = and (OR and)*
//	and        = not (AND not)*
//	not        = NOT? sub
//	sub        = "(" or ")" | field ":" "{" or "}" | field RANGE literal
//	           | field ":" list | literal
//	list       = "(" listOr ")" | literal
//	listOr     = listAnd (OR listAnd)*
//	listAnd    = listNot (AND listNot)*
//	listNot    = NOT? list
type gQuery struct {
	Or *gOr `parser:"@@?"`
}

type gOr struct {
	Tokens []lexer.Token
	X      []*gAnd `parser:"@@ ( Or @@ )*"`
}

type gAnd struct {
	Tokens []lexer.Token
	X      []*gNot `parser:"@@ ( And @@ )*"`
}

type gNot struct {
	Tokens []lexer.Token
	Not    bool  `parser:"@Not?"`
	Sub    *gSub `parser:"@@"`
}

// gSub is a sub-query. The alternatives that begin with a field are tried
// in the order of their frequency (at most one of them can match, and free
// text, a prefix of each, comes last).
type gSub struct {
	Tokens []lexer.Token
	Group  *gOr     `parser:"LParen @@ RParen"`
	Match  *gMatch  `parser:"| @@"`
	Range  *gRange  `parser:"| @@"`
	Nested *gNested `parser:"| @@"`
	Free   gLit     `parser:"| @(Literal | Quoted)"`
}

type gNested struct {
	Tokens []lexer.Token
	Field  gLit `parser:"@(Literal | Quoted) Colon LBrace"`
	Query  *gOr `parser:"@@ RBrace"`
}

type gRange struct {
	Tokens []lexer.Token
	Field  gLit   `parser:"@(Literal | Quoted)"`
	Op     string `parser:"@Range"`
	Value  gLit   `parser:"@(Literal | Quoted)"`
}

type gMatch struct {
	Tokens []lexer.Token
	Field  gLit   `parser:"@(Literal | Quoted) Colon"`
	List   *gList `parser:"@@"`
}

type gList struct {
	Tokens []lexer.Token
	Group  *gListOr `parser:"LParen @@ RParen"`
	Value  gLit     `parser:"| @(Literal | Quoted)"`
}

type gListOr struct {
	Tokens []lexer.Token
	X      []*gListAnd `parser:"@@ ( Or @@ )*"`
}

type gListAnd struct {
	Tokens []lexer.Token
	X      []*gListNot `parser:"@@ ( And @@ )*"`
}

type gListNot struct {
	Tokens []lexer.Token
	Not    bool   `parser:"@Not?"`
	List   *gList `parser:"@@"`
}

// gLit is a literal token, captured as is (a struct per literal costs
// participle an allocation and a deferred capture).
type gLit = lexer.Token

var grammar = participle.MustBuild[gQuery](
	participle.Lexer(lexDef),
	// "field : {" decides a nested query, "field <" a range, "field :" a match.
	participle.UseLookahead(3),
)

// maxDepth bounds the nesting of parentheses and braces, so that a hostile
// query cannot exhaust the stack.
const maxDepth = 1000

// Parse parses a KQL query. Syntax errors are *source.Error values (Lang
// "kql") that point at the offending token. An empty query is valid and
// matches every document.
func Parse(src string) (*Query, error) {
	toks, perr := scan(src)
	if perr != nil {
		return nil, perr
	}
	if perr := checkBrackets(src, toks); perr != nil {
		return nil, perr
	}
	g, err := parser.ParseTokens(grammar, toks)
	if err != nil {
		return nil, syntaxError(src, toks, err)
	}
	c := newConverter(src)
	q := &Query{Src: src}
	if g.Or != nil {
		root, err := c.or(g.Or)
		if err != nil {
			return nil, err
		}
		q.Root = root
	}
	return q, nil
}

// checkBrackets reports unbalanced parentheses and braces, and nesting
// deeper than maxDepth.
func checkBrackets(src string, toks []lexer.Token) *source.Error {
	var stack []lexer.Token
	for _, t := range toks {
		switch t.Type {
		case tokLParen, tokLBrace:
			stack = append(stack, t)
			if len(stack) > maxDepth {
				return source.Errorf("kql", src, t.Pos.Offset, "parentheses nested deeper than %d levels", maxDepth)
			}
		case tokRParen, tokRBrace:
			open, close, what := "(", ")", "parenthesis"
			want := tokLParen
			if t.Type == tokRBrace {
				open, close, what, want = "{", "}", "brace", tokLBrace
			}
			if len(stack) == 0 {
				return source.Errorf("kql", src, t.Pos.Offset, "unbalanced %s: %q has no matching %q", what, close, open)
			}
			top := stack[len(stack)-1]
			if top.Type != want {
				if top.Type == tokLParen {
					return source.Errorf("kql", src, t.Pos.Offset, "unbalanced parenthesis: expected \")\" to close the \"(\" at %s, found %q", posOf(src, top), close)
				}
				return source.Errorf("kql", src, t.Pos.Offset, "unbalanced brace: expected \"}\" to close the \"{\" at %s, found %q", posOf(src, top), close)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) > 0 {
		top := stack[len(stack)-1]
		if top.Type == tokLParen {
			return source.Errorf("kql", src, top.Pos.Offset, "unbalanced parenthesis: this \"(\" is never closed")
		}
		return source.Errorf("kql", src, top.Pos.Offset, "unbalanced brace: this \"{\" is never closed")
	}
	return nil
}

func posOf(src string, t lexer.Token) source.Pos { return source.PosAt(src, t.Pos.Offset) }

// describe names a token for an error message.
func describe(t lexer.Token) string {
	switch t.Type {
	case lexer.EOF:
		return "the end of the query"
	case tokOr:
		return `"or"`
	case tokAnd:
		return `"and"`
	case tokNot:
		return `"not"`
	case tokLiteral, tokQuoted:
		v := t.Value
		if utf8.RuneCountInString(v) > 40 {
			r := []rune(v)
			v = string(r[:37]) + "..."
		}
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%q", t.Value)
}

// inValueList reports whether the token at index k is inside a value list
// ("field : ( ... )").
func inValueList(toks []lexer.Token, k int) bool {
	var stack []bool
	for i := 0; i < k && i < len(toks); i++ {
		switch toks[i].Type {
		case tokLParen:
			list := i > 0 && toks[i-1].Type == tokColon
			if len(stack) > 0 && stack[len(stack)-1] {
				list = true
			}
			stack = append(stack, list)
		case tokLBrace:
			stack = append(stack, false)
		case tokRParen, tokRBrace:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	return len(stack) > 0 && stack[len(stack)-1]
}

// openParen reports whether a parenthesis or brace is open at token k and
// which closing token would be expected.
func openBracket(toks []lexer.Token, k int) string {
	var stack []string
	for i := 0; i < k && i < len(toks); i++ {
		switch toks[i].Type {
		case tokLParen:
			stack = append(stack, `")"`)
		case tokLBrace:
			stack = append(stack, `"}"`)
		case tokRParen, tokRBrace:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if len(stack) == 0 {
		return ""
	}
	return stack[len(stack)-1]
}

// syntaxError turns a participle error into a *source.Error with a message
// that says what was expected where.
func syntaxError(src string, toks []lexer.Token, err error) *source.Error {
	k, ok := parser.ErrorToken(toks, err)
	if !ok {
		return source.Errorf("kql", src, 0, "%v", err)
	}
	tok := toks[k]
	found := describe(tok)
	at := func(format string, args ...any) *source.Error {
		return source.Errorf("kql", src, tok.Pos.Offset, format, args...)
	}
	if k == 0 {
		return at("expected a query, found %s", found)
	}
	prev := toks[k-1]
	list := inValueList(toks, k)
	what := "query"
	if list {
		what = "value"
	}
	switch prev.Type {
	case tokColon:
		if tok.Type == tokNot {
			return at(`"not" before a value must be inside parentheses, as in field : (not value)`)
		}
		if tok.Type == tokLBrace {
			return at("expected a query after \"{\"")
		}
		return at("expected a value after \":\", found %s", found)
	case tokRange:
		return at("expected a value after %q, found %s", prev.Value, found)
	case tokOr, tokAnd, tokNot:
		kw := strings.ToLower(strings.TrimSpace(strings.TrimRight(prev.Value, " \t\r\n\u00a0")))
		if tok.Type == tokNot && prev.Type == tokNot {
			return at(`"not" cannot follow "not"; write not (not ...)`)
		}
		return at("expected a %s after %q, found %s", what, kw, found)
	case tokLParen:
		return at("expected a %s after \"(\", found %s", what, found)
	case tokLBrace:
		return at("expected a query after \"{\", found %s", found)
	}
	// The previous token ends an operand.
	if tok.Type == tokLParen && prev.Type == tokLiteral {
		low := strings.ToLower(prev.Value)
		switch {
		case low == "not":
			return at(`"not" must be followed by whitespace: write "not (" instead of "not("`)
		case strings.HasSuffix(low, " or"), strings.HasSuffix(low, " and"):
			kw := low[strings.LastIndexByte(low, ' ')+1:]
			return at("%q must be followed by whitespace: write %q", kw, kw+" (")
		}
	}
	if tok.Type == tokNot {
		return at(`expected "and", "or" or %s, found "not": join conditions with "and not"; to search for the word "not" inside a value, quote the value`, orEnd(openBracket(toks, k)))
	}
	if tok.Type == tokLiteral && prev.Type != tokLiteral {
		low := strings.ToLower(tok.Value)
		for _, kw := range []string{"or", "and"} {
			if low == kw || strings.HasPrefix(low, kw+"(") || (strings.HasPrefix(low, kw) && len(low) > len(kw) && spaceAt(low, len(kw)) > 0) {
				return at("%q must be surrounded by whitespace to join conditions", kw)
			}
		}
	}
	switch tok.Type {
	case tokColon:
		return at(`unexpected ":": join conditions with "and" or "or", and escape a ":" inside a value as \: (or quote the value)`)
	case tokRange:
		return at(`unexpected %q: escape it inside a value as \%s (or quote the value)`, tok.Value, tok.Value[:1])
	case tokLBrace:
		return at(`unexpected "{": a nested query is written parent : { child : value }`)
	}
	return at(`expected "and", "or" or %s, found %s`, orEnd(openBracket(toks, k)), found)
}

// orEnd names what may close the current group: a closing bracket or the
// end of the query.
func orEnd(closing string) string {
	if closing == "" {
		return "the end of the query"
	}
	return closing
}

// converter builds the syntax tree from the participle grammar.
type converter struct {
	src        string
	lineStarts []int
	// runes[i] is the number of runes in src[:i]; nil when src is ASCII.
	runes []int32
}

func newConverter(src string) *converter {
	c := &converter{src: src, lineStarts: []int{0}}
	ascii := true
	for i := 0; i < len(src); i++ {
		switch b := src[i]; {
		case b == '\n':
			c.lineStarts = append(c.lineStarts, i+1)
		case b >= utf8.RuneSelf:
			ascii = false
		}
	}
	if !ascii {
		// Count runes the way source.PosAt does (an invalid byte is one rune).
		c.runes = make([]int32, len(src)+1)
		n := int32(0)
		for i := 0; i < len(src); {
			_, size := utf8.DecodeRuneInString(src[i:])
			for j := 0; j < size; j++ {
				c.runes[i+j] = n
			}
			n++
			i += size
		}
		c.runes[len(src)] = n
	}
	return c
}

// pos returns the position of byte offset off (column in runes).
func (c *converter) pos(off int) source.Pos {
	line := sort.Search(len(c.lineStarts), func(i int) bool { return c.lineStarts[i] > off }) - 1
	start := c.lineStarts[line]
	col := 1 + off - start
	if c.runes != nil {
		col = 1 + int(c.runes[off]-c.runes[start])
	}
	return source.Pos{Offset: off, Line: line + 1, Col: col}
}

func (c *converter) loc(toks []lexer.Token) Loc {
	if len(toks) == 0 {
		return Loc{}
	}
	first, last := toks[0], toks[len(toks)-1]
	// A node never ends with a keyword token (whose text includes spaces).
	end := last.Pos.Offset + len(last.Value)
	return Loc{Start: c.pos(first.Pos.Offset), End: c.pos(end)}
}

func (c *converter) or(g *gOr) (Expr, error) {
	if len(g.X) == 1 {
		return c.and(g.X[0])
	}
	e := &Or{X: make([]Expr, len(g.X)), Loc: c.loc(g.Tokens)}
	for i, x := range g.X {
		y, err := c.and(x)
		if err != nil {
			return nil, err
		}
		e.X[i] = y
	}
	return e, nil
}

func (c *converter) and(g *gAnd) (Expr, error) {
	if len(g.X) == 1 {
		return c.not(g.X[0])
	}
	e := &And{X: make([]Expr, len(g.X)), Loc: c.loc(g.Tokens)}
	for i, x := range g.X {
		y, err := c.not(x)
		if err != nil {
			return nil, err
		}
		e.X[i] = y
	}
	return e, nil
}

func (c *converter) not(g *gNot) (Expr, error) {
	x, err := c.sub(g.Sub)
	if err != nil {
		return nil, err
	}
	if !g.Not {
		return x, nil
	}
	return &Not{X: x, Loc: c.loc(g.Tokens)}, nil
}

func (c *converter) sub(g *gSub) (Expr, error) {
	switch {
	case g.Group != nil:
		return c.or(g.Group)
	case g.Nested != nil:
		f, err := c.lit(g.Nested.Field, "field name")
		if err != nil {
			return nil, err
		}
		q, err := c.or(g.Nested.Query)
		if err != nil {
			return nil, err
		}
		return &Nested{Field: f, Query: q, Loc: c.loc(g.Nested.Tokens)}, nil
	case g.Range != nil:
		f, err := c.lit(g.Range.Field, "field name")
		if err != nil {
			return nil, err
		}
		v, err := c.lit(g.Range.Value, "value")
		if err != nil {
			return nil, err
		}
		op := Lt
		switch g.Range.Op {
		case "<=":
			op = Le
		case ">":
			op = Gt
		case ">=":
			op = Ge
		}
		return &Range{Field: f, Op: op, Value: v, Loc: c.loc(g.Range.Tokens)}, nil
	case g.Match != nil:
		f, err := c.lit(g.Match.Field, "field name")
		if err != nil {
			return nil, err
		}
		v, err := c.list(g.Match.List)
		if err != nil {
			return nil, err
		}
		return &Is{Field: f, Value: v, Loc: c.loc(g.Match.Tokens)}, nil
	case g.Free.Type != 0:
		v, err := c.lit(g.Free, "value")
		if err != nil {
			return nil, err
		}
		return &FreeText{Value: v, Loc: v.Loc}, nil
	}
	return nil, source.Errorf("kql", c.src, 0, "internal error: empty sub-query")
}

func (c *converter) list(g *gList) (ValueExpr, error) {
	if g.Value.Type != 0 {
		return c.lit(g.Value, "value")
	}
	return c.listOr(g.Group)
}

func (c *converter) listOr(g *gListOr) (ValueExpr, error) {
	if len(g.X) == 1 {
		return c.listAnd(g.X[0])
	}
	e := &ValueOr{X: make([]ValueExpr, len(g.X)), Loc: c.loc(g.Tokens)}
	for i, x := range g.X {
		y, err := c.listAnd(x)
		if err != nil {
			return nil, err
		}
		e.X[i] = y
	}
	return e, nil
}

func (c *converter) listAnd(g *gListAnd) (ValueExpr, error) {
	if len(g.X) == 1 {
		return c.listNot(g.X[0])
	}
	e := &ValueAnd{X: make([]ValueExpr, len(g.X)), Loc: c.loc(g.Tokens)}
	for i, x := range g.X {
		y, err := c.listNot(x)
		if err != nil {
			return nil, err
		}
		e.X[i] = y
	}
	return e, nil
}

func (c *converter) listNot(g *gListNot) (ValueExpr, error) {
	x, err := c.list(g.List)
	if err != nil {
		return nil, err
	}
	if !g.Not {
		return x, nil
	}
	return &ValueNot{X: x, Loc: c.loc(g.Tokens)}, nil
}

func (c *converter) lit(t gLit, what string) (*Literal, error) {
	l := &Literal{Loc: c.loc([]lexer.Token{t})}
	if t.Type == tokQuoted {
		l.Quoted = true
		l.Parts = []Part{{Text: decodeQuoted(t.Value)}}
		return l, nil
	}
	l.Parts = decodeUnquoted(t.Value)
	if len(l.Parts) == 0 {
		return nil, source.Errorf("kql", c.src, t.Pos.Offset, `empty %s: only whitespace escapes; write "" for an empty string`, what)
	}
	return l, nil
}
