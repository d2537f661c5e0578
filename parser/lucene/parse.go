package lucene

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/emit-sec/emit/es/regexp"
	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/parser"
	"github.com/emit-sec/emit/source"
)

// The participle grammar, a transcription of Lucene's QueryParser.jj:
//
//	query   = clause+
//	clause  = conj? mod? (FIELD ":")? (term | group) | multi
//	multi   = MULTIFIRST MULTINEXT+
//	group   = "(" query ")" ("^" NUMBER)?
//	term    = (TERM | QUOTED | REGEX | PREFIX | WILD | STAR | BAREOPER)
//	          ("^" NUMBER FUZZY? | FUZZY ("^" NUMBER)?)?
//	        | range
//	range   = ("[" | "{") bound TO bound ("]" | "}") ("^" NUMBER)?
//	bound   = GOOP | RANGEQUOTED | TO
//
// The lexer marks the multi-terms (see markMultiTerms) and the field names
// (FIELD: a TERM or STAR before ":" where a clause starts), so that the
// grammar is LL(1). The first clause may not have a conjunction (checked
// after parsing).
type gQuery struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Clauses []*gClause `parser:"@@+"`
}

type gClause struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Conj   lexer.Token   `parser:"(  @(And | Or)?"`
	Mod    lexer.Token   `parser:"   @(Plus | Minus | Not)?"`
	Field  lexer.Token   `parser:"   ( @Field Colon )?"`
	Term   *gTerm        `parser:"   ( @@"`
	Group  *gGroup       `parser:"   | @@ )"`
	Multi  []lexer.Token `parser:" | @(MultiFirst MultiNext+) )"`
}

type gGroup struct {
	Pos   lexer.Position
	Query *gQuery     `parser:"LParen @@ RParen"`
	Boost lexer.Token `parser:"( Caret @Number )?"`
}

type gTerm struct {
	Pos    lexer.Position
	Tok    lexer.Token `parser:"  ( @(Term | Quoted | Regex | Prefix | Wild | Star | BareOper)"`
	Boost  lexer.Token `parser:"    ( Caret @Number"`
	Fuzzy  lexer.Token `parser:"      @Fuzzy?"`
	Fuzzy2 lexer.Token `parser:"    | @Fuzzy"`
	Boost2 lexer.Token `parser:"      ( Caret @Number )? )? )"`
	Range  *gRange     `parser:"| @@"`
}

type gRange struct {
	Start lexer.Token `parser:"@RangeStart"`
	Lower lexer.Token `parser:"@(Goop | RangeQuoted | To)"`
	Upper lexer.Token `parser:"To @(Goop | RangeQuoted | To)"`
	End   lexer.Token `parser:"@RangeEnd"`
	Boost lexer.Token `parser:"( Caret @Number )?"`
}

var grammar = participle.MustBuild[gQuery](
	participle.Lexer(lexDef),
)

// maxDepth bounds the nesting of parentheses, so that a hostile query
// cannot exhaust the stack.
const maxDepth = 1000

// Parse parses a query_string query. Syntax errors are *source.Error values
// (Lang "lucene") that point at the offending character or token; they
// include what Lucene and Elasticsearch reject when they build the query
// (invalid escapes, invalid fuzziness). An empty query is valid: Kibana
// sends it as match_all.
func Parse(src string) (*Query, error) {
	toks, perr := scan(src)
	if perr != nil {
		return nil, perr
	}
	q := &Query{Src: src}
	if len(toks) == 1 {
		return q, nil
	}
	if perr := checkParens(src, toks); perr != nil {
		return nil, perr
	}
	g, err := parser.ParseTokens(grammar, toks)
	if err != nil {
		return nil, syntaxError(src, toks, err)
	}
	b := &builder{src: src, toks: toks}
	root, err := b.query(g, "")
	if err != nil {
		return nil, err
	}
	q.Root = root
	return q, nil
}

// checkParens reports unbalanced parentheses and nesting deeper than
// maxDepth.
func checkParens(src string, toks []lexer.Token) *source.Error {
	var open []int
	for _, t := range toks {
		switch t.Type {
		case tokLParen:
			open = append(open, t.Pos.Offset)
			if len(open) > maxDepth {
				return source.Errorf("lucene", src, t.Pos.Offset, "parentheses nested deeper than %d levels", maxDepth)
			}
		case tokRParen:
			if len(open) == 0 {
				return source.Errorf("lucene", src, t.Pos.Offset, `unbalanced parenthesis: ")" has no matching "("; escape it inside a value as \)`)
			}
			open = open[:len(open)-1]
		}
	}
	if len(open) > 0 {
		return source.Errorf("lucene", src, open[len(open)-1], `unbalanced parenthesis: this "(" is never closed`)
	}
	return nil
}

// describe names a token for an error message.
func describe(t lexer.Token) string {
	switch t.Type {
	case lexer.EOF:
		return "the end of the query"
	case tokBareOper:
		return fmt.Sprintf("%q followed by whitespace", t.Value)
	case tokField:
		return fmt.Sprintf("%q followed by \":\"", t.Value)
	}
	v := t.Value
	if utf8.RuneCountInString(v) > 40 {
		v = string([]rune(v)[:37]) + "..."
	}
	return fmt.Sprintf("%q", v)
}

// syntaxError turns a participle error into a *source.Error that says what
// was expected where.
func syntaxError(src string, toks []lexer.Token, err error) *source.Error {
	k, ok := parser.ErrorToken(toks, err)
	if !ok {
		return source.Errorf("lucene", src, 0, "%v", err)
	}
	tok := toks[k]
	found := describe(tok)
	at := func(format string, args ...any) *source.Error {
		return source.Errorf("lucene", src, tok.Pos.Offset, format, args...)
	}
	if tok.Type == tokColon && k > 0 {
		switch prev := toks[k-1]; prev.Type {
		case tokPrefix, tokWild:
			return at(`a field name cannot hold unescaped wildcards: write %s:, escaping "*" and "?" with a backslash`, escapeWildcards(prev.Value))
		case tokQuoted:
			return at(`a field name cannot be quoted: write it unquoted, escaping special characters with a backslash`)
		}
	}
	if k == 0 {
		switch tok.Type {
		case tokAnd, tokOr:
			return at(`%s must join two clauses: there is none before it`, found)
		}
		return at("expected a query, found %s", found)
	}
	prev := toks[k-1]
	switch prev.Type {
	case tokColon:
		switch tok.Type {
		case tokPlus, tokMinus, tokNot:
			return at(`expected a value after ":", found %s: escape it as \%s (or quote the value), or write the modifier before the field (%sfield:value)`, found, tok.Value, tok.Value)
		}
		return at(`expected a value after ":", found %s`, found)
	case tokAnd, tokOr, tokNot, tokPlus, tokMinus:
		if (tok.Type == tokNot || tok.Type == tokPlus || tok.Type == tokMinus) && prev.Type != tokAnd && prev.Type != tokOr {
			return at(`expected a clause after %q, found %s: write one modifier (+, - or NOT) before a clause, or group with parentheses`, prev.Value, found)
		}
		return at("expected a clause after %q, found %s", prev.Value, found)
	case tokLParen:
		return at(`expected a query after "(", found %s`, found)
	case tokRangeStart:
		return at(`expected the lower bound of the range after %q, found %s`, prev.Value, found)
	case tokTo:
		if k >= 2 && toks[k-2].Type != tokRangeStart {
			return at(`expected the upper bound of the range after "TO", found %s`, found)
		}
		return at(`expected "TO" between the bounds of the range, found %s`, found)
	case tokGoop, tokRangeQuoted:
		if k >= 2 && toks[k-2].Type == tokRangeStart {
			return at(`expected "TO" between the bounds of the range, found %s`, found)
		}
		return at(`expected "]" or "}" to close the range, found %s`, found)
	}
	switch tok.Type {
	case tokColon:
		return at(`unexpected ":": a field is written field:value; escape a ":" inside a value as \: (or quote the value)`)
	case tokCaret:
		return at(`unexpected "^": a boost follows a term, a phrase, a range or ")"`)
	case tokFuzzy:
		return at(`unexpected %s: a fuzziness or slop "~" follows a term or a phrase`, found)
	case tokTo:
		return at(`expected "]" or "}" to close the range, found %s`, found)
	}
	return at("unexpected %s", found)
}

// escapeWildcards escapes the "*" and "?" of a field name as written.
func escapeWildcards(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteByte(c)
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '*', '?':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// builder turns the participle tree into the syntax tree and checks what
// Lucene and Elasticsearch check when they build the query.
type builder struct {
	src  string
	toks []lexer.Token
}

func (b *builder) errorf(off int, format string, args ...any) *source.Error {
	return source.Errorf("lucene", b.src, off, format, args...)
}

// pos converts a token position.
func pos(p lexer.Position) source.Pos {
	return source.Pos{Offset: p.Offset, Line: p.Line, Col: p.Column}
}

// tokenEnd returns the position just after a token (which may span lines:
// phrases, regular expressions and escaped line feeds do).
func tokenEnd(t lexer.Token) source.Pos {
	v := t.Value
	nl := strings.LastIndexByte(v, '\n')
	if nl < 0 {
		return source.Pos{Offset: t.Pos.Offset + len(v), Line: t.Pos.Line, Col: t.Pos.Column + utf8.RuneCountInString(v)}
	}
	return source.Pos{
		Offset: t.Pos.Offset + len(v),
		Line:   t.Pos.Line + strings.Count(v, "\n"),
		Col:    1 + utf8.RuneCountInString(v[nl+1:]),
	}
}

// tokLoc returns the location of one token.
func tokLoc(t lexer.Token) Loc { return Loc{Start: pos(t.Pos), End: tokenEnd(t)} }

// span returns the location from the start of the token first to the end
// of the last token before next.
func (b *builder) span(first lexer.Position, next lexer.Position) Loc {
	k := sort.Search(len(b.toks), func(i int) bool { return b.toks[i].Pos.Offset >= next.Offset })
	if k > 0 && b.toks[k-1].Pos.Offset >= first.Offset {
		return Loc{Start: pos(first), End: tokenEnd(b.toks[k-1])}
	}
	return Loc{Start: pos(first), End: pos(first)}
}

// unescape unescapes the text of token t from byte off of its value.
func (b *builder) unescape(t lexer.Token, off int, text string) (string, error) {
	s, err := unescape(text)
	if err != nil {
		return "", b.errorf(t.Pos.Offset+off+err.Off, "%s", err.Msg)
	}
	return s, nil
}

// query builds a clause list; field is the field its clauses search
// unless they name one ("" for the default field).
func (b *builder) query(g *gQuery, field string) (*Bool, error) {
	q := &Bool{Clauses: make([]*Clause, 0, len(g.Clauses)), Loc: b.span(g.Pos, g.EndPos)}
	for i, gc := range g.Clauses {
		if i == 0 && gc.Conj.Type != 0 {
			return nil, b.errorf(gc.Conj.Pos.Offset, "%q must join two clauses: there is none before it", gc.Conj.Value)
		}
		c, err := b.clause(gc, field)
		if err != nil {
			return nil, err
		}
		q.Clauses = append(q.Clauses, c)
	}
	return q, nil
}

func (b *builder) clause(g *gClause, field string) (*Clause, error) {
	c := &Clause{}
	switch g.Conj.Type {
	case tokAnd:
		c.Conj = ConjAnd
	case tokOr:
		c.Conj = ConjOr
	}
	switch g.Mod.Type {
	case tokPlus:
		c.Mod = ModRequired
	case tokMinus:
		c.Mod = ModProhibited
	case tokNot:
		c.Mod = ModNot
	}
	if len(g.Multi) > 0 {
		n, err := b.multi(g.Multi, field)
		if err != nil {
			return nil, err
		}
		c.Node = n
		c.Loc = n.Location()
		return c, nil
	}
	var f *Field
	if g.Field.Type != 0 {
		name, err := b.unescape(g.Field, 0, g.Field.Value)
		if err != nil {
			return nil, err
		}
		f = &Field{Name: name, Loc: tokLoc(g.Field)}
		field = name
	}
	nodeStart := g.termPos()
	if f != nil {
		nodeStart = g.Field.Pos
	}
	loc := b.span(nodeStart, g.EndPos)
	c.Loc = loc
	if g.Mod.Type != 0 {
		c.Loc = b.span(g.Mod.Pos, g.EndPos)
	}
	var err error
	if g.Group != nil {
		var inner *Bool
		if inner, err = b.query(g.Group.Query, field); err != nil {
			return nil, err
		}
		c.Node = &Group{Field: f, Query: inner, Boost: g.Group.Boost.Value, Loc: loc}
		return c, nil
	}
	c.Node, err = b.term(g.Term, f, field, loc)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// termPos returns where the group or term of a clause starts.
func (g *gClause) termPos() lexer.Position {
	if g.Group != nil {
		return g.Group.Pos
	}
	return g.Term.Pos
}

// multi builds a multi-term: Elasticsearch analyzes the words together
// (and reads a leading "<" or ">" as a one-sided range).
func (b *builder) multi(toks []lexer.Token, field string) (Node, error) {
	words := make([]string, len(toks))
	for i, t := range toks {
		w, err := b.unescape(t, 0, t.Value)
		if err != nil {
			return nil, err
		}
		words[i] = w
	}
	loc := Loc{Start: pos(toks[0].Pos), End: tokenEnd(toks[len(toks)-1])}
	if field != ExistsField {
		if cmp := compareOf(strings.Join(words, " ")); cmp != nil {
			cmp.Loc = loc
			return cmp, nil
		}
	}
	return &Term{Words: words, Loc: loc}, nil
}

// compareOf reads text as Elasticsearch's query_string reads an unquoted
// term that starts with "<" or ">" (and has more after it): a one-sided
// range. It returns nil for other text.
func compareOf(text string) *Compare {
	if len(text) < 2 || (text[0] != '<' && text[0] != '>') {
		return nil
	}
	c := &Compare{Op: Gt, Value: text[1:]}
	if text[0] == '<' {
		c.Op = Lt
	}
	if len(text) > 2 && text[1] == '=' {
		c.Op++ // Lt -> Le, Gt -> Ge
		c.Value = text[2:]
	}
	return c
}

// term builds the node of a term, a phrase or a range; field is the field
// it searches (its own or the enclosing one).
func (b *builder) term(g *gTerm, f *Field, field string, loc Loc) (Node, error) {
	if g.Range != nil {
		return b.rangeNode(g.Range, f, loc)
	}
	t := g.Tok
	boost, fuzzy := g.Boost, g.Fuzzy
	if g.Fuzzy2.Type != 0 {
		boost, fuzzy = g.Boost2, g.Fuzzy2
	}
	if t.Type == tokQuoted {
		text, err := b.unescape(t, 1, t.Value[1:len(t.Value)-1])
		if err != nil {
			return nil, err
		}
		return &Phrase{Field: f, Text: text, Slop: fuzzy.Value, Boost: boost.Value, Loc: loc}, nil
	}
	// Lucene unescapes every bare token first, whatever it then does with
	// the text, so an invalid escape is an error even in a wildcard or a
	// regular expression.
	text, err := b.unescape(t, 0, t.Value)
	if err != nil {
		return nil, err
	}
	switch t.Type {
	case tokStar:
		return &Wildcard{Field: f, Pattern: wildcard.Pattern{{Kind: wildcard.AnyString}}, Fuzzy: fuzzy.Value, Boost: boost.Value, Loc: loc}, nil
	case tokPrefix:
		body, err := b.unescape(t, 0, t.Value[:len(t.Value)-1])
		if err != nil {
			return nil, err
		}
		return &Wildcard{Field: f, Pattern: wildcard.Prefix(body), Fuzzy: fuzzy.Value, Boost: boost.Value, Loc: loc}, nil
	case tokWild:
		// The wildcard query reads the escapes itself ("\c" is c; there is no
		// \uXXXX).
		return &Wildcard{Field: f, Pattern: normalize(wildcard.Parse(t.Value, wildcard.StarAndQuestion)), Fuzzy: fuzzy.Value, Boost: boost.Value, Loc: loc}, nil
	case tokRegex:
		// Elasticsearch reads the expression with every operator on
		// (RegExp.ALL) when it builds the query, and fails the search on
		// an invalid one.
		src := t.Value[1 : len(t.Value)-1]
		re, err := regexp.Parse(src, regexp.All)
		if err != nil {
			off := 0
			var rerr *regexp.Error
			if errors.As(err, &rerr) {
				off = rerr.Offset
				err = errors.New(rerr.Msg)
			}
			return nil, b.errorf(t.Pos.Offset+1+off, "invalid regular expression: %v", err)
		}
		return &Regexp{Field: f, Regex: src, Fuzzy: fuzzy.Value, Boost: boost.Value, Loc: loc, re: re}, nil
	case tokBareOper:
		text = t.Value
	}
	if fuzzy.Type != 0 {
		if _, err := parseFuzziness(fuzzy.Value[1:]); err != nil {
			return nil, b.errorf(fuzzy.Pos.Offset, "%v", err)
		}
		return &Term{Field: f, Words: []string{text}, Fuzzy: fuzzy.Value, Boost: boost.Value, Loc: loc}, nil
	}
	if field != ExistsField && t.Type == tokTerm {
		if cmp := compareOf(text); cmp != nil {
			cmp.Field, cmp.Boost, cmp.Loc = f, boost.Value, loc
			return cmp, nil
		}
	}
	return &Term{Field: f, Words: []string{text}, Boost: boost.Value, Loc: loc}, nil
}

// normalize merges adjacent literals of a pattern.
func normalize(p wildcard.Pattern) wildcard.Pattern {
	out := p[:0:0]
	for _, e := range p {
		if n := len(out); n > 0 && e.Kind == wildcard.Lit && out[n-1].Kind == wildcard.Lit {
			out[n-1].Lit += e.Lit
			continue
		}
		out = append(out, e)
	}
	return out
}

func (b *builder) rangeNode(g *gRange, f *Field, loc Loc) (Node, error) {
	bound := func(t lexer.Token) (Bound, error) {
		raw, off := t.Value, 0
		if t.Type == tokRangeQuoted {
			raw, off = raw[1:len(raw)-1], 1
		}
		text, err := b.unescape(t, off, raw)
		if err != nil {
			return Bound{}, err
		}
		return Bound{Text: text, Loc: tokLoc(t)}, nil
	}
	lo, err := bound(g.Lower)
	if err != nil {
		return nil, err
	}
	hi, err := bound(g.Upper)
	if err != nil {
		return nil, err
	}
	return &Range{
		Field:        f,
		Lower:        lo,
		Upper:        hi,
		IncludeLower: g.Start.Value == "[",
		IncludeUpper: g.End.Value == "]",
		Boost:        g.Boost.Value,
		Loc:          loc,
	}, nil
}
