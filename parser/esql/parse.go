package esql

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/emit-sec/emit/parser"
	"github.com/emit-sec/emit/source"
)

// Parse parses an ES|QL query: a source command (FROM, ROW, SHOW, TS)
// followed by processing commands separated by "|".
//
// Syntax errors, and what Elasticsearch rejects when it builds a query
// (an unknown function or command, a wrong number of arguments, an unknown
// type in a cast or unit in a time span, an aggregate function outside
// STATS, ...), are *source.Error values (Lang "esql") that point at the
// offending spot.
func Parse(src string) (*Query, error) {
	toks, perr := scan(src)
	if perr != nil {
		return nil, perr
	}
	if perr := precheck(src, toks); perr != nil {
		return nil, perr
	}
	// Each command is parsed on its own, so that a syntax error is reported
	// in the command where it is (participle would otherwise backtrack to
	// the "|" before it).
	segs := splitCommands(toks)
	gs := make([]*gCommand, 0, len(segs))
	for _, seg := range segs {
		g, err := parser.ParseClassTokens(grammar, seg, class)
		if err != nil {
			return nil, syntaxError(src, seg, err)
		}
		gs = append(gs, g)
	}
	b := &builder{src: src, toks: toks}
	cmds, err := b.commands(gs, false)
	if err != nil {
		return nil, err
	}
	return &Query{Src: src, Commands: cmds, Loc: Loc{Start: pos(toks[0].Pos), End: tokenEnd(toks[len(toks)-2])}}, nil
}

// splitCommands splits the tokens of a query (which end with EOF) at the
// "|" between its commands (not those in FORK branches). Each part ends
// with an EOF token at the "|" (or the end) that follows it.
func splitCommands(toks []lexer.Token) [][]lexer.Token {
	var out [][]lexer.Token
	depth, start := 0, 0
	for i, t := range toks {
		switch {
		case t.Type == tokPunct && (t.Value == "(" || t.Value == "[" || t.Value == "{"):
			depth++
		case t.Type == tokPunct && (t.Value == ")" || t.Value == "]" || t.Value == "}"):
			depth--
		case t.Type == lexer.EOF || depth == 0 && t.Type == tokPunct && t.Value == "|":
			seg := make([]lexer.Token, i-start+1)
			copy(seg, toks[start:i])
			seg[len(seg)-1] = lexer.Token{Type: lexer.EOF, Value: t.Value, Pos: t.Pos}
			out = append(out, seg)
			start = i + 1
		}
	}
	return out
}

// MustParse is like Parse but panics on an error. It is meant for queries
// written in Go code and tests.
func MustParse(src string) *Query {
	q, err := Parse(src)
	if err != nil {
		panic(err)
	}
	return q
}

// builder turns the participle tree into the syntax tree and checks what
// Elasticsearch checks when it builds its plan.
type builder struct {
	src  string
	toks []lexer.Token
}

// pos converts a token position.
func pos(p lexer.Position) source.Pos {
	return source.Pos{Offset: p.Offset, Line: p.Line, Col: p.Column}
}

// tokenEnd returns the position just after a token. Only backquoted names
// span lines.
func tokenEnd(t lexer.Token) source.Pos {
	if t.Type == tokQuoted || t.Type == tokPattern {
		if nl := strings.LastIndexByte(t.Value, '\n'); nl >= 0 {
			return source.Pos{Offset: t.Pos.Offset + len(t.Value), Line: t.Pos.Line + strings.Count(t.Value, "\n"), Col: 1 + utf8.RuneCountInString(t.Value[nl+1:])}
		}
	}
	return source.Pos{Offset: t.Pos.Offset + len(t.Value), Line: t.Pos.Line, Col: t.Pos.Column + utf8.RuneCountInString(t.Value)}
}

// loc returns the location of a node that starts at start and whose next
// token starts at next: it ends where its last token ends.
func (b *builder) loc(start, next lexer.Position) Loc {
	k := sort.Search(len(b.toks), func(i int) bool { return b.toks[i].Pos.Offset >= next.Offset })
	if k > 0 && b.toks[k-1].Pos.Offset >= start.Offset {
		return Loc{Start: pos(start), End: tokenEnd(b.toks[k-1])}
	}
	return Loc{Start: pos(start), End: pos(start)}
}

// tokLoc returns the location of one token.
func tokLoc(t lexer.Token) Loc { return Loc{Start: pos(t.Pos), End: tokenEnd(t)} }

// span returns the location from the start of a to the end of z.
func span(a, z Loc) Loc { return Loc{Start: a.Start, End: z.End} }

func (b *builder) errorf(off int, format string, args ...any) *source.Error {
	return source.Errorf("esql", b.src, off, format, args...)
}

func (b *builder) errAt(l Loc, format string, args ...any) *source.Error {
	return b.errorf(l.Start.Offset, format, args...)
}

var oneLine = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

// text returns the source text of a location on one line, shortened for
// a message.
func (b *builder) text(l Loc) string {
	t := oneLine.Replace(l.Text(b.src))
	if utf8.RuneCountInString(t) > 60 {
		t = string([]rune(t)[:57]) + "..."
	}
	return t
}

// tokenAt returns the token that starts at p.
func (b *builder) tokenAt(p lexer.Position) lexer.Token {
	k := sort.Search(len(b.toks), func(i int) bool { return b.toks[i].Pos.Offset >= p.Offset })
	if k >= len(b.toks) {
		k = len(b.toks) - 1
	}
	return b.toks[k]
}

// commands builds a pipeline: the whole query, or a FORK branch (which has
// no source command).
func (b *builder) commands(gs []*gCommand, branch bool) ([]Command, error) {
	out := make([]Command, 0, len(gs))
	for i, g := range gs {
		kw := b.tokenAt(g.Pos)
		isSource := sourceCommands[kw.Value]
		switch {
		case i == 0 && !branch && !isSource:
			return nil, b.errorf(kw.Pos.Offset, "a query starts with a source command (FROM, ROW, SHOW or TS), not %s", strings.ToUpper(kw.Value))
		case (i > 0 || branch) && isSource:
			return nil, b.errorf(kw.Pos.Offset, "%s is a source command: it can only start a query", strings.ToUpper(kw.Value))
		}
		c, err := b.command(g)
		if err != nil {
			return nil, err
		}
		if err := b.checkFuncs(c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func (b *builder) command(g *gCommand) (Command, error) {
	loc := b.loc(g.Pos, g.EndPos)
	switch {
	case g.From != nil:
		return b.from(g.From, loc)
	case g.Row != nil:
		fields, err := b.assigns(g.Row.Fields)
		return &Row{Fields: fields, Loc: loc}, err
	case g.Show != nil:
		if g.Show.Item.Type != tokKeyword {
			return nil, b.errorf(g.Show.Item.Pos.Offset, "unknown SHOW item [%s]: only SHOW INFO is supported", g.Show.Item.Value)
		}
		return &Show{Item: "info", Loc: loc}, nil
	case g.Where != nil:
		cond, err := b.or(g.Where.Cond)
		return &Where{Cond: cond, Loc: loc}, err
	case g.Eval != nil:
		fields, err := b.assigns(g.Eval.Fields)
		return &Eval{Fields: fields, Loc: loc}, err
	case g.Stats != nil:
		return b.stats(g.Stats, loc)
	case g.Keep != nil:
		pats := make([]*NamePattern, len(g.Keep.Patterns))
		for i, p := range g.Keep.Patterns {
			pats[i] = b.namePattern(p)
		}
		if g.Keep.Cmd.Value == "drop" {
			return &Drop{Patterns: pats, Loc: loc}, nil
		}
		return &Keep{Patterns: pats, Loc: loc}, nil
	case g.Rename != nil:
		r := &Rename{Loc: loc}
		for _, c := range g.Rename.Clauses {
			l, rt := b.namePattern(c.Left), b.namePattern(c.Right)
			if c.Assign { // new = old
				l, rt = rt, l
			}
			r.Pairs = append(r.Pairs, &RenamePair{Old: l, New: rt, Loc: b.loc(c.Pos, c.EndPos)})
		}
		return r, nil
	case g.Sort != nil:
		return b.sort(g.Sort, loc)
	case g.Limit != nil:
		return b.limit(g.Limit, loc)
	case g.MvExpand != nil:
		return &MvExpand{Field: b.name(g.MvExpand.Field), Loc: loc}, nil
	case g.Dissect != nil:
		return b.dissect(g.Dissect, loc)
	case g.Grok != nil:
		x, err := b.primary(g.Grok.X)
		if err != nil {
			return nil, err
		}
		c := &Grok{X: x, Loc: loc}
		for _, t := range g.Grok.Patterns {
			c.Patterns = append(c.Patterns, stringLit(t.Tok))
		}
		return c, nil
	case g.Enrich != nil:
		return b.enrich(g.Enrich, loc)
	case g.Lookup != nil:
		return b.lookup(g.Lookup, loc)
	case g.ChangePoint != nil:
		cp := g.ChangePoint
		c := &ChangePoint{Value: b.name(cp.Value), Loc: loc}
		if cp.Key != nil {
			c.Key = b.name(cp.Key)
		}
		if cp.Type != nil {
			c.Type, c.PValue = b.name(cp.Type), b.name(cp.PValue)
		}
		return c, nil
	case g.Completion != nil:
		return b.completion(g.Completion, loc)
	case g.Rerank != nil:
		return b.rerank(g.Rerank, loc)
	case g.Sample != nil:
		return b.sample(g.Sample, loc)
	case g.Fork != nil:
		return b.fork(g.Fork, loc)
	}
	return nil, b.errorf(g.Pos.Offset, "unknown command")
}

func (b *builder) from(g *gFrom, loc Loc) (Command, error) {
	c := &From{TS: g.Cmd.Value == "ts", Loc: loc}
	for _, gi := range g.Indices {
		ip, err := b.index(gi)
		if err != nil {
			return nil, err
		}
		c.Indices = append(c.Indices, ip)
	}
	for _, m := range g.Metadata {
		t := m.Tok
		if !metadataFields[t.Value] {
			return nil, b.errorf(t.Pos.Offset, "unsupported metadata field [%s]: use _id, _ignored, _index, _index_mode, _score, _source or _version", t.Value)
		}
		c.Metadata = append(c.Metadata, &Ident{Name: t.Value, Loc: tokLoc(t)})
	}
	return c, nil
}

func (b *builder) index(g *gIndex) (*IndexPattern, error) {
	ip := &IndexPattern{Loc: b.loc(g.Pos, g.EndPos)}
	if g.Quoted.Value != "" {
		ip.Index, ip.Quoted = unquoteString(g.Quoted.Value), true
		if ip.Index == "" {
			return nil, b.errorf(g.Quoted.Pos.Offset, "empty index pattern")
		}
		return ip, nil
	}
	ip.Index = g.First.Value
	if g.Second.Value != "" {
		ip.Cluster, ip.Index = g.First.Value, g.Second.Value
	}
	if sel := g.Selector; sel.Value != "" {
		if ip.Cluster != "" {
			return nil, b.errorf(sel.Pos.Offset, "an index pattern cannot have both a remote cluster and a selector")
		}
		if sel.Value != "data" && sel.Value != "failures" {
			return nil, b.errorf(sel.Pos.Offset, "invalid selector [%s] after \"::\": use data or failures", sel.Value)
		}
		ip.Selector = sel.Value
	}
	return ip, nil
}

// assigns builds the "[name =] expr" list of ROW, EVAL and BY.
func (b *builder) assigns(gs []*gField) ([]*Assign, error) {
	out := make([]*Assign, 0, len(gs))
	for _, g := range gs {
		a, err := b.assign(g)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func (b *builder) assign(g *gField) (*Assign, error) {
	a := &Assign{Loc: b.loc(g.Pos, g.EndPos)}
	x, err := b.or(g.X)
	if err != nil {
		return nil, err
	}
	if g.Value == nil {
		a.X = x
		return a, nil
	}
	if a.Name, err = b.target(x, g.X.Pos); err != nil {
		return nil, err
	}
	if a.X, err = b.or(g.Value); err != nil {
		return nil, err
	}
	return a, nil
}

// target checks that the left side of "=" (written at p) is a field name.
func (b *builder) target(x Expr, p lexer.Position) (*Field, error) {
	f, ok := x.(*Field)
	if !ok || f.Loc.Start.Offset != p.Offset {
		return nil, b.errorf(p.Offset, "the left side of \"=\" must be a field name, found [%s] (use \"==\" to compare)", b.text(x.Location()))
	}
	return f, nil
}

func (b *builder) stats(g *gStats, loc Loc) (Command, error) {
	c := &Stats{Inline: g.Cmd.Value != "stats", Loc: loc}
	for _, ga := range g.Aggs {
		a, err := b.assign(ga.Field)
		if err != nil {
			return nil, err
		}
		agg := &Agg{Name: a.Name, X: a.X, Loc: b.loc(ga.Pos, ga.EndPos)}
		if ga.Filter != nil {
			if agg.Filter, err = b.or(ga.Filter); err != nil {
				return nil, err
			}
		}
		c.Aggs = append(c.Aggs, agg)
	}
	by, err := b.assigns(g.By)
	if err != nil {
		return nil, err
	}
	c.By = by
	switch {
	case c.Inline && len(c.Aggs) == 0:
		return nil, b.errorf(g.Cmd.Pos.Offset, "INLINE STATS requires at least one aggregate")
	case len(c.Aggs) == 0 && len(c.By) == 0:
		return nil, b.errorf(g.Cmd.Pos.Offset, "STATS requires at least one aggregate or grouping expression")
	}
	return c, nil
}

// namePattern builds a KEEP, DROP, RENAME or ENRICH name pattern.
func (b *builder) namePattern(g *gNamePattern) *NamePattern {
	parts := make([]string, len(g.Parts))
	for i, t := range g.Parts {
		parts[i] = unquotePattern(t.Tok.Value)
	}
	return &NamePattern{Pattern: strings.Join(parts, "."), Loc: b.loc(g.Pos, g.EndPos)}
}

// name builds a field name outside expressions (MV_EXPAND, CHANGE_POINT).
func (b *builder) name(g *gName) *Field {
	return &Field{Name: joinName(g.Head, g.Parts), Loc: b.loc(g.Pos, g.EndPos)}
}

// joinParts joins a name's head and the tokens after it, dots and name
// parts, unquoting backquoted parts.
func joinParts(head lexer.Token, toks []lexer.Token) string {
	if len(toks) == 0 {
		return partName(head)
	}
	var b strings.Builder
	b.WriteString(partName(head))
	for i := 1; i < len(toks); i += 2 {
		b.WriteByte('.')
		b.WriteString(partName(toks[i]))
	}
	return b.String()
}

// joinName joins the parts of a dotted name, unquoting backquoted parts.
func joinName(head lexer.Token, parts []*gNamePart) string {
	if len(parts) == 0 {
		return partName(head)
	}
	var b strings.Builder
	b.WriteString(partName(head))
	for _, p := range parts {
		b.WriteByte('.')
		b.WriteString(partName(p.Tok))
	}
	return b.String()
}

func partName(t lexer.Token) string {
	if t.Type == tokQuoted {
		return unquoteIdent(t.Value)
	}
	return t.Value
}

func (b *builder) sort(g *gSort, loc Loc) (Command, error) {
	c := &Sort{Loc: loc}
	for _, o := range g.Keys {
		x, err := b.or(o.X)
		if err != nil {
			return nil, err
		}
		k := &SortKey{X: x, Loc: b.loc(o.Pos, o.EndPos)}
		switch o.Dir {
		case "asc":
			k.Dir = Asc
		case "desc":
			k.Dir = Desc
		}
		switch o.Nulls {
		case "first":
			k.Nulls = NullsFirst
		case "last":
			k.Nulls = NullsLast
		}
		c.Keys = append(c.Keys, k)
	}
	return c, nil
}

func (b *builder) limit(g *gLimit, loc Loc) (Command, error) {
	x, err := b.or(g.N)
	if err != nil {
		return nil, err
	}
	c := &Limit{Loc: loc}
	switch v := x.(type) {
	case *Param:
		c.Param = v
		return c, nil
	case *Literal:
		if v.Kind == LitInt && v.Int >= 0 && v.Int <= math.MaxInt32 {
			c.N = v.Int
			return c, nil
		}
	}
	return nil, b.errAt(x.Location(), "LIMIT takes a non-negative integer, found [%s]", b.text(x.Location()))
}

func (b *builder) dissect(g *gDissect, loc Loc) (Command, error) {
	x, err := b.primary(g.X)
	if err != nil {
		return nil, err
	}
	c := &Dissect{X: x, Pattern: stringLit(g.Pattern), Loc: loc}
	for _, o := range g.Options {
		name := partName(o.Name)
		if !strings.EqualFold(name, "append_separator") {
			return nil, b.errorf(o.Name.Pos.Offset, "invalid option for DISSECT: [%s] (the only option is append_separator)", name)
		}
		if c.AppendSeparator != nil {
			return nil, b.errorf(o.Name.Pos.Offset, "option [%s] of DISSECT given twice", name)
		}
		v, err := b.unary(o.Value)
		if err != nil {
			return nil, err
		}
		lit, ok := v.(*Literal)
		if !ok || lit.Kind != LitString {
			return nil, b.errAt(v.Location(), "invalid value for DISSECT append_separator: expected a string, found [%s]", b.text(v.Location()))
		}
		c.AppendSeparator = lit
	}
	return c, nil
}

// stringLit builds the literal of a tokString token.
func stringLit(t lexer.Token) *Literal {
	return &Literal{Kind: LitString, Str: unquoteString(t.Value), Loc: tokLoc(t)}
}

// enrichModes are the ENRICH policy qualifiers.
var enrichModes = map[string]bool{"_any": true, "_coordinator": true, "_remote": true}

func (b *builder) enrich(g *gEnrich, loc Loc) (Command, error) {
	c := &Enrich{Loc: loc}
	name := g.Policy.Value
	if g.Policy.Type == tokString {
		name = unquoteString(name)
	}
	if mode, policy, ok := strings.Cut(name, ":"); ok {
		if !enrichModes[strings.ToLower(mode)] {
			return nil, b.errorf(g.Policy.Pos.Offset, "unrecognized ENRICH policy qualifier [%s]: use _any, _coordinator or _remote", mode)
		}
		c.Mode, name = strings.ToLower(mode), policy
	}
	if name == "" {
		return nil, b.errorf(g.Policy.Pos.Offset, "empty ENRICH policy name")
	}
	c.Policy = name
	if g.On != nil {
		c.On = b.namePattern(g.On)
	}
	for _, w := range g.With {
		f := &EnrichField{Field: b.namePattern(w.Left), Loc: b.loc(w.Pos, w.EndPos)}
		if w.Right != nil {
			f.Name, f.Field = f.Field, b.namePattern(w.Right)
		}
		c.With = append(c.With, f)
	}
	return c, nil
}

func (b *builder) lookup(g *gLookup, loc Loc) (Command, error) {
	ip, err := b.index(g.Index)
	if err != nil {
		return nil, err
	}
	if ip.Selector != "" {
		return nil, b.errAt(ip.Loc, "LOOKUP JOIN does not take a selector")
	}
	c := &LookupJoin{Index: ip, Loc: loc}
	for _, v := range g.On {
		x, err := b.value(v)
		if err != nil {
			return nil, err
		}
		c.On = append(c.On, x)
	}
	return c, nil
}

func (b *builder) completion(g *gCompletion, loc Loc) (Command, error) {
	c := &Completion{Loc: loc}
	x, err := b.primary(g.X)
	if err != nil {
		return nil, err
	}
	if g.Prompt != nil {
		if c.Target, err = b.target(x, g.X.Pos); err != nil {
			return nil, err
		}
		if x, err = b.primary(g.Prompt); err != nil {
			return nil, err
		}
	}
	c.Prompt = x
	if g.Options != nil {
		if c.Options, err = b.mapExpr(g.Options); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (b *builder) rerank(g *gRerank, loc Loc) (Command, error) {
	c := &Rerank{Loc: loc}
	x, err := b.or(g.X)
	if err != nil {
		return nil, err
	}
	if g.Query != nil {
		if c.Target, err = b.target(x, g.X.Pos); err != nil {
			return nil, err
		}
		if x, err = b.or(g.Query); err != nil {
			return nil, err
		}
	}
	c.Query = x
	if c.On, err = b.assigns(g.On); err != nil {
		return nil, err
	}
	if g.Options != nil {
		if c.Options, err = b.mapExpr(g.Options); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (b *builder) sample(g *gSample, loc Loc) (Command, error) {
	x, err := b.or(g.P)
	if err != nil {
		return nil, err
	}
	if lit, ok := x.(*Literal); ok && lit.Kind == LitDouble && lit.Float > 0 && lit.Float < 1 {
		return &Sample{Probability: lit, Loc: loc}, nil
	}
	return nil, b.errAt(x.Location(), "SAMPLE takes a probability: a decimal number strictly between 0 and 1, found [%s]", b.text(x.Location()))
}

// maxForkBranches is Elasticsearch's limit on the branches of FORK.
const maxForkBranches = 8

func (b *builder) fork(g *gFork, loc Loc) (Command, error) {
	c := &Fork{Loc: loc}
	if len(g.Branches) < 2 {
		return nil, b.errorf(loc.Start.Offset, "FORK requires at least 2 branches, found %d", len(g.Branches))
	}
	if len(g.Branches) > maxForkBranches {
		return nil, b.errorf(g.Branches[maxForkBranches].Pos.Offset, "FORK supports up to %d branches, found %d", maxForkBranches, len(g.Branches))
	}
	for _, gb := range g.Branches {
		cmds, err := b.commands(gb.Commands, true)
		if err != nil {
			return nil, err
		}
		for _, cmd := range cmds {
			if _, ok := cmd.(*Fork); ok {
				return nil, b.errAt(cmd.Location(), "FORK cannot be nested in a FORK branch")
			}
		}
		c.Branches = append(c.Branches, &Branch{Commands: cmds, Loc: b.loc(gb.Pos, gb.EndPos)})
	}
	return c, nil
}

// checkFuncs checks where the aggregate and grouping functions of a
// command are: aggregate functions only in the aggregates of STATS (not
// nested in one another), grouping functions only in STATS.
func (b *builder) checkFuncs(c Command) error {
	if s, ok := c.(*Stats); ok {
		for _, a := range s.Aggs {
			if err := b.checkCalls(a.X, c, true, true, nil); err != nil {
				return err
			}
			if a.Filter != nil {
				if err := b.checkCalls(a.Filter, c, false, false, nil); err != nil {
					return err
				}
			}
		}
		for _, a := range s.By {
			if err := b.checkCalls(a.X, c, false, true, nil); err != nil {
				return err
			}
		}
		return b.checkGrouped(s)
	}
	for _, e := range Exprs(c) {
		if err := b.checkCalls(e, c, false, false, nil); err != nil {
			return err
		}
	}
	return nil
}

// checkGrouped checks that the aggregates of STATS refer to columns only
// inside aggregate functions or as grouping keys, as Elasticsearch's
// verifier does.
func (b *builder) checkGrouped(s *Stats) error {
	keys := map[string]bool{}
	for _, a := range s.By {
		if a.Name != nil {
			keys[a.Name.Name] = true
		} else if f, ok := a.X.(*Field); ok {
			keys[f.Name] = true
		}
	}
	for _, a := range s.Aggs {
		var err error
		Walk(a.X, func(x Expr) bool {
			switch x := x.(type) {
			case *Call:
				return x.Func().Kind == ScalarFunc && err == nil
			case *Field:
				if !keys[x.Name] && err == nil {
					err = b.errAt(x.Loc, "column [%s] must appear in the BY clause of %s or be used in an aggregate function", x.Name, s.Name())
				}
			}
			return err == nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// checkCalls checks the function calls of e, an expression of command c.
// outer is the aggregate function e is an argument of (nil at the top).
func (b *builder) checkCalls(e Expr, c Command, aggOK, groupOK bool, outer *Func) error {
	var err error
	Walk(e, func(x Expr) bool {
		call, ok := x.(*Call)
		if !ok || err != nil {
			return err == nil
		}
		f := call.Func()
		switch {
		case f.Kind == AggFunc && outer != nil:
			err = b.errAt(call.Loc, "nested aggregations are not allowed: [%s] inside [%s]", strings.ToUpper(f.Name), strings.ToUpper(outer.Name))
		case f.Kind == AggFunc && !aggOK:
			where := "in " + c.Name()
			if _, ok := c.(*Stats); ok {
				where = "in the BY clause or a WHERE filter of " + c.Name()
			}
			err = b.errAt(call.Loc, "aggregate function [%s] is not allowed %s: aggregates belong in STATS", strings.ToUpper(f.Name), where)
		case f.Kind == AggFunc:
			for _, a := range call.Args {
				if err = b.checkCalls(a, c, false, groupOK, f); err != nil {
					break
				}
			}
		case f.Kind == GroupingFunc && !groupOK:
			err = b.errAt(call.Loc, "grouping function [%s] is only allowed in STATS", strings.ToUpper(f.Name))
		default:
			return true
		}
		return false
	})
	return err
}

func (b *builder) or(g *gOr) (Expr, error) {
	first, err := b.not(g.X)
	if err != nil || len(g.Rest) == 0 {
		return first, err
	}
	// Split the chain at OR into AND chains.
	var ors []Expr
	var ands []Expr
	flush := func() {
		if len(ands) == 1 {
			ors = append(ors, ands[0])
		} else {
			a := &And{Loc: span(ands[0].Location(), ands[len(ands)-1].Location())}
			for _, x := range ands {
				if y, ok := x.(*And); ok {
					a.X = append(a.X, y.X...)
				} else {
					a.X = append(a.X, x)
				}
			}
			ors = append(ors, a)
		}
		ands = nil
	}
	ands = append(ands, first)
	for _, r := range g.Rest {
		x, err := b.not(r.X)
		if err != nil {
			return nil, err
		}
		if r.Op == "or" {
			flush()
		}
		ands = append(ands, x)
	}
	flush()
	if len(ors) == 1 {
		return ors[0], nil
	}
	o := &Or{Loc: span(ors[0].Location(), ors[len(ors)-1].Location())}
	for _, x := range ors {
		if y, ok := x.(*Or); ok {
			o.X = append(o.X, y.X...)
		} else {
			o.X = append(o.X, x)
		}
	}
	return o, nil
}

func (b *builder) not(g *gNot) (Expr, error) {
	if g.Not == nil {
		return b.pred(g)
	}
	x, err := b.not(g.Not)
	if err != nil {
		return nil, err
	}
	return &Not{X: x, Loc: b.loc(g.Pos, g.EndPos)}, nil
}

func (b *builder) pred(g *gNot) (Expr, error) {
	x, err := b.value(g.X)
	if err != nil {
		return nil, err
	}
	loc := b.loc(g.Pos, g.EndPos)
	switch {
	case g.In != nil:
		in := &In{X: x, Not: g.PNot, Loc: loc}
		for _, v := range g.In {
			y, err := b.value(v)
			if err != nil {
				return nil, err
			}
			in.List = append(in.List, y)
		}
		return in, nil
	case g.Like != "":
		l := &Like{X: x, RLike: g.Like == "rlike", Not: g.PNot, Loc: loc}
		for _, t := range g.Pats {
			l.Patterns = append(l.Patterns, stringLit(t.Tok))
		}
		return l, nil
	case g.Is:
		return &IsNull{X: x, Not: g.IsNot, Loc: loc}, nil
	case g.Match != nil:
		m := &Match{Loc: loc}
		f := x
		if c, ok := x.(*Cast); ok {
			m.Type, f = c.Type, c.X
		}
		field, ok := f.(*Field)
		if !ok {
			return nil, b.errAt(x.Location(), "the match operator \":\" takes a field name on its left, found [%s]", b.text(x.Location()))
		}
		m.Field = field
		q, err := b.unary(g.Match)
		if err != nil {
			return nil, err
		}
		switch q := q.(type) {
		case *Literal:
			if q.Kind == LitList || q.Kind == LitNull {
				return nil, b.errAt(q.Loc, "the match operator \":\" takes a single constant query, found [%s]", b.text(q.Loc))
			}
		case *Param:
		default:
			return nil, b.errAt(q.Location(), "the match operator \":\" takes a constant query on its right, found [%s]", b.text(q.Location()))
		}
		m.Query = q
		return m, nil
	}
	return x, nil
}

var cmpOps = map[string]CmpOp{"==": Eq, "!=": Ne, "<": Lt, "<=": Le, ">": Gt, ">=": Ge}

var arithOps = map[string]ArithOp{"+": Add, "-": Sub, "*": Mul, "/": Div, "%": Mod}

// binPrec is the precedence of the binary operators of a value expression.
func binPrec(op string) int {
	switch op {
	case "*", "/", "%":
		return precMul
	case "+", "-":
		return precAdd
	}
	return precCmp
}

// value builds a chain of operands and binary operators by precedence
// climbing: * / % over + - over one comparison, left-associative.
func (b *builder) value(g *gValue) (Expr, error) {
	first, err := b.unary(g.X)
	if err != nil || len(g.Rest) == 0 {
		return first, err
	}
	operands := make([]Expr, 1, len(g.Rest)+1)
	operands[0] = first
	for _, r := range g.Rest {
		x, err := b.unary(r.X)
		if err != nil {
			return nil, err
		}
		operands = append(operands, x)
	}
	i := 0
	var climb func(min int) (Expr, error)
	climb = func(min int) (Expr, error) {
		l := operands[i]
		for i < len(g.Rest) {
			op := g.Rest[i].Op
			p := binPrec(op)
			if p < min {
				break
			}
			i++
			r, err := climb(p + 1)
			if err != nil {
				return nil, err
			}
			if p == precCmp {
				if i < len(g.Rest) && binPrec(g.Rest[i].Op) == precCmp {
					next := b.opToken(r.Location().End)
					return nil, b.errorf(next.Pos.Offset, "comparisons cannot be chained: write a %s b AND b %s c", op, g.Rest[i].Op)
				}
				l = &Compare{Op: cmpOps[op], L: l, R: r, Loc: span(l.Location(), r.Location())}
			} else {
				l = &Arith{Op: arithOps[op], L: l, R: r, Loc: span(l.Location(), r.Location())}
			}
		}
		return l, nil
	}
	return climb(precCmp)
}

// prevToken returns the token before the one at p.
func (b *builder) prevToken(p lexer.Position) lexer.Token {
	k := sort.Search(len(b.toks), func(i int) bool { return b.toks[i].Pos.Offset >= p.Offset })
	return b.toks[max(k-1, 0)]
}

// opToken returns the first token at or after p (the operator after an
// operand that ends at p).
func (b *builder) opToken(p source.Pos) lexer.Token {
	k := sort.Search(len(b.toks), func(i int) bool { return b.toks[i].Pos.Offset >= p.Offset })
	if k >= len(b.toks) {
		k = len(b.toks) - 1
	}
	return b.toks[k]
}

func (b *builder) unary(g *gUnary) (Expr, error) {
	if g.X == nil {
		return b.operand(g)
	}
	x, err := b.unary(g.X)
	if err != nil {
		return nil, err
	}
	loc := b.loc(g.Pos, g.EndPos)
	if g.Op == "+" {
		return x, nil
	}
	if lit, ok := x.(*Literal); ok {
		if neg, ok := negate(lit); ok {
			neg.Loc = loc
			return neg, nil
		}
	}
	return &Neg{X: x, Loc: loc}, nil
}

// operand builds the primary expression of g and its casts.
func (b *builder) operand(g *gUnary) (Expr, error) {
	// The primary expression ends where its first cast begins.
	next := g.EndPos
	if len(g.Casts) > 0 {
		next = b.prevToken(g.Casts[0].Tok.Pos).Pos // "::"
	}
	var x Expr
	var err error
	switch {
	case g.Head.Type != 0:
		var args []*gArg
		if g.Call {
			args = g.Args
		}
		x, err = b.refExpr(g.Head, g.Call, g.Star, args, g.Parts, b.loc(g.Pos, next))
	case g.Tok.Type != 0:
		x, err = b.constTok(g.Tok, g.Unit, b.loc(g.Pos, next))
	case g.List != nil:
		x, err = b.list(g.List, b.loc(g.Pos, next))
	default:
		x, err = b.or(g.Paren)
	}
	if err != nil {
		return nil, err
	}
	return b.casts(x, g.Casts)
}

// negate folds a minus into a number or time span literal.
func negate(l *Literal) (*Literal, bool) {
	switch l.Kind {
	case LitInt, LitDuration, LitPeriod:
		if l.Int == math.MinInt64 {
			return nil, false
		}
		n := *l
		n.Int = -l.Int
		return &n, true
	case LitDouble:
		return &Literal{Kind: LitDouble, Float: -l.Float}, true
	case LitUnsignedLong:
		if l.Uint == 1<<63 {
			return &Literal{Kind: LitInt, Int: math.MinInt64}, true
		}
	}
	return nil, false
}

func (b *builder) primary(g *gPrimary) (Expr, error) {
	var x Expr
	var err error
	switch {
	case g.Const != nil:
		x, err = b.constant(g.Const)
	case g.Ref != nil:
		r := g.Ref
		var args []*gArg
		var star bool
		if r.Call != nil {
			args, star = r.Call.Args, r.Call.Star
		}
		x, err = b.refExpr(r.Head, r.Call != nil, star, args, r.Parts, b.loc(r.Pos, r.EndPos))
	default:
		x, err = b.or(g.Paren)
	}
	if err != nil {
		return nil, err
	}
	return b.casts(x, g.Casts)
}

// casts applies casts to x.
func (b *builder) casts(x Expr, casts []*gTypeTok) (Expr, error) {
	for _, c := range casts {
		t := c.Tok
		name := partName(t)
		typ, ok := DataType(name)
		if !ok {
			return nil, b.errorf(t.Pos.Offset, "unknown data type [%s] in a cast: use boolean, integer, long, double, keyword, text, datetime, date_nanos, ip, version, ...", name)
		}
		x = &Cast{X: x, Type: typ, Loc: span(x.Location(), tokLoc(t))}
	}
	return x, nil
}

// refExpr builds a field (head and parts, the tokens after head: dots and
// name parts) or a call (head, then args or "*"), at loc.
func (b *builder) refExpr(h lexer.Token, call, star bool, args []*gArg, parts []lexer.Token, loc Loc) (Expr, error) {
	if !call {
		if h.Type == tokKeyword {
			return nil, b.errorf(h.Pos.Offset, "[%s] is a reserved word: quote the field name with backquotes, as in `%s`", h.Value, h.Value)
		}
		return &Field{Name: joinParts(h, parts), Loc: loc}, nil
	}
	if len(parts) > 0 {
		return nil, b.errorf(parts[0].Pos.Offset, "unexpected \".\" after a function call")
	}
	name := partName(h)
	f := LookupFunc(name)
	if f == nil {
		return nil, b.errorf(h.Pos.Offset, "unknown function [%s]", name)
	}
	c := &Call{Name: f.Name, Star: star, Loc: loc}
	if c.Star && len(args) > 0 {
		return nil, b.errorf(args[0].Pos.Offset, "unexpected argument after [*]")
	}
	if c.Star && f.Name != "count" {
		return nil, b.errorf(h.Pos.Offset, "[*] is only allowed in COUNT(*), not in [%s]", strings.ToUpper(f.Name))
	}
	for i, a := range args {
		if a.Map != nil {
			if i != len(args)-1 || i == 0 {
				return nil, b.errorf(a.Map.Pos.Offset, "a map of options must be the last argument of [%s], after at least one other", strings.ToUpper(f.Name))
			}
			if !f.Options {
				return nil, b.errorf(a.Map.Pos.Offset, "function [%s] does not take a map of options", strings.ToUpper(f.Name))
			}
			m, err := b.mapExpr(a.Map)
			if err != nil {
				return nil, err
			}
			c.Options = m
			continue
		}
		e, err := b.or(a.X)
		if err != nil {
			return nil, err
		}
		c.Args = append(c.Args, e)
	}
	n := len(c.Args)
	if c.Star || c.Options != nil {
		n++
	}
	switch {
	case f.Max < 0 && n < f.Min:
		return nil, b.errorf(h.Pos.Offset, "function [%s] expects at least %s, found %d", strings.ToUpper(f.Name), plural(f.Min, "argument"), n)
	case f.Max >= 0 && (n < f.Min || n > f.Max):
		want := plural(f.Min, "argument")
		switch {
		case f.Max == f.Min+1:
			want = fmt.Sprintf("%d or %d arguments", f.Min, f.Max)
		case f.Max > f.Min:
			want = fmt.Sprintf("%d to %d arguments", f.Min, f.Max)
		case f.Min == 0:
			want = "no arguments"
		}
		return nil, b.errorf(h.Pos.Offset, "function [%s] expects %s, found %d", strings.ToUpper(f.Name), want, n)
	}
	return c, nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

func (b *builder) mapExpr(g *gMap) (*Map, error) {
	m := &Map{Loc: b.loc(g.Pos, g.EndPos)}
	seen := map[string]bool{}
	for _, e := range g.Entries {
		key := unquoteString(e.Key.Value)
		if key == "" {
			return nil, b.errorf(e.Key.Pos.Offset, "empty key in a map")
		}
		if seen[key] {
			return nil, b.errorf(e.Key.Pos.Offset, "duplicate key [%s] in a map", key)
		}
		seen[key] = true
		entry := &MapEntry{Key: key, Loc: b.loc(e.Pos, e.EndPos)}
		if e.Map != nil {
			v, err := b.mapExpr(e.Map)
			if err != nil {
				return nil, err
			}
			entry.Value = v
		} else {
			v, err := b.or(e.Value)
			if err != nil {
				return nil, err
			}
			switch v.(type) {
			case *Literal, *Param:
			default:
				return nil, b.errAt(v.Location(), "map values must be constants, found [%s]", b.text(v.Location()))
			}
			entry.Value = v
		}
		m.Entries = append(m.Entries, entry)
	}
	return m, nil
}

func (b *builder) constant(g *gConst) (Expr, error) {
	loc := b.loc(g.Pos, g.EndPos)
	if g.List != nil {
		return b.list(g.List, loc)
	}
	return b.constTok(g.Tok, g.Unit, loc)
}

// fine returns the scanned token of a token the grammar captured (with the
// type of its class).
func (b *builder) fine(t lexer.Token) lexer.Token { return b.tokenAt(t.Pos) }

// constTok builds the constant of a token and the unit after it, at loc.
func (b *builder) constTok(t, unit lexer.Token, loc Loc) (Expr, error) {
	t = b.fine(t)
	if unit.Value != "" {
		if t.Type != tokInt && t.Type != tokFloat {
			return nil, b.errorf(unit.Pos.Offset, "unexpected %s after %s", describe(unit), describe(t))
		}
		return b.timeSpan(t, unit, loc)
	}
	switch t.Type {
	case tokInt, tokFloat:
		return b.number(t, loc)
	case tokString:
		return &Literal{Kind: LitString, Str: unquoteString(t.Value), Loc: loc}, nil
	case tokParam:
		return &Param{Name: t.Value[1:], Loc: loc}, nil
	}
	switch t.Value {
	case "true", "false":
		return &Literal{Kind: LitBool, Bool: t.Value == "true", Loc: loc}, nil
	}
	return &Literal{Kind: LitNull, Loc: loc}, nil
}

// number builds an integer or decimal literal. As in Elasticsearch, an
// integer is an integer or a long by its size, an unsigned_long above the
// range of long, and a double above that.
func (b *builder) number(t lexer.Token, loc Loc) (Expr, error) {
	if t.Type == tokInt {
		if n, err := strconv.ParseInt(t.Value, 10, 64); err == nil {
			return &Literal{Kind: LitInt, Int: n, Loc: loc}, nil
		}
		if n, err := strconv.ParseUint(t.Value, 10, 64); err == nil {
			return &Literal{Kind: LitUnsignedLong, Uint: n, Loc: loc}, nil
		}
	}
	f, err := strconv.ParseFloat(t.Value, 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, b.errorf(t.Pos.Offset, "number [%s] is too large", t.Value)
	}
	return &Literal{Kind: LitDouble, Float: f, Loc: loc}, nil
}

// timeSpan builds a time_duration or date_period literal: "1 hour", "2d".
func (b *builder) timeSpan(num, unit lexer.Token, loc Loc) (Expr, error) {
	if num.Type != tokInt {
		return nil, b.errorf(num.Pos.Offset, "a time span takes an integer count, found [%s %s]", num.Value, unit.Value)
	}
	u, ok := timeUnits[strings.ToLower(unit.Value)]
	if !ok {
		return nil, b.errorf(unit.Pos.Offset, "unknown time unit [%s] after the number %s: use ms, s, m, h, d, w, mo, q, y or their names (minute, hours, days, ...)", unit.Value, num.Value)
	}
	n, err := strconv.ParseInt(num.Value, 10, 64)
	limit := int64(math.MaxInt64)
	if u.IsPeriod() {
		limit = math.MaxInt32
		if u == Quarter {
			limit = math.MaxInt32 / 3
		}
	} else {
		limit = int64(math.MaxInt64 / unitDurations[u])
	}
	if err != nil || n > limit {
		return nil, b.errorf(num.Pos.Offset, "time span [%s %s] is too large", num.Value, unit.Value)
	}
	kind := LitDuration
	if u.IsPeriod() {
		kind = LitPeriod
	}
	return &Literal{Kind: kind, Int: n, Unit: u, Loc: loc}, nil
}

// list builds a multi-valued constant: numbers, booleans or strings.
func (b *builder) list(items []*gUnary, loc Loc) (Expr, error) {
	out := &Literal{Kind: LitList, Loc: loc}
	class := func(l *Literal) int {
		switch l.Kind {
		case LitInt, LitUnsignedLong, LitDouble:
			return 1
		case LitBool:
			return 2
		case LitString:
			return 3
		}
		return 0
	}
	for _, gu := range items {
		x, err := b.unary(gu)
		if err != nil {
			return nil, err
		}
		lit, ok := x.(*Literal)
		if !ok || class(lit) == 0 {
			return nil, b.errAt(x.Location(), "a list holds numbers, booleans or strings, found [%s]", b.text(x.Location()))
		}
		if len(out.List) > 0 && class(lit) != class(out.List[0]) {
			return nil, b.errAt(x.Location(), "a list holds values of one kind: [%s] does not go with [%s]", b.text(x.Location()), b.text(out.List[0].Loc))
		}
		out.List = append(out.List, lit)
	}
	return out, nil
}
