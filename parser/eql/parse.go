package eql

import (
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/emit-sec/emit/es/ipaddr"
	"github.com/emit-sec/emit/parser"
	"github.com/emit-sec/emit/source"
)

// maxDepth bounds the nesting of brackets and of prefix operators, so that a
// hostile query cannot exhaust the stack.
const maxDepth = 500

// Parse parses an EQL query in the Elasticsearch dialect: an event query
// ("process where ..."), a sequence or a sample, with optional "| head N"
// and "| tail N" pipes.
//
// Syntax errors, and queries Elasticsearch rejects when it builds them
// (an unknown function, a wrong number of arguments, a bad maxspan, a
// sequence of one query, ...), are *source.Error values (Lang "eql") that
// point at the offending spot.
func Parse(src string) (*Query, error) {
	toks, perr := scan(src)
	if perr != nil {
		return nil, perr
	}
	if perr := precheck(src, toks); perr != nil {
		return nil, perr
	}
	g, err := parser.ParseClassTokens(grammar, toks, class)
	if err != nil {
		return nil, syntaxError(src, toks, err)
	}
	if k := chainedComparison(toks); k >= 0 {
		return nil, syntaxErrorAt(src, toks, k)
	}
	b := newBuilder(src, toks)
	q, err := b.statement(g)
	if err != nil {
		return nil, err
	}
	return q, nil
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

// precheck reports what the grammar cannot say well: unbalanced brackets,
// nesting deeper than maxDepth, "join" and process relationships, which
// Elasticsearch does not support.
func precheck(src string, toks []lexer.Token) *source.Error {
	var stack []lexer.Token
	prefixRun := 0
	for i, t := range toks {
		if t.Type == tokKeyword && t.Value == "not" || t.Type == tokPunct && (t.Value == "-" || t.Value == "+") {
			prefixRun++
			if prefixRun > maxDepth {
				return source.Errorf("eql", src, t.Pos.Offset, "more than %d consecutive prefix operators", maxDepth)
			}
		} else {
			prefixRun = 0
		}
		switch {
		case t.Type == tokKeyword && t.Value == "join" && i == 0:
			return source.Errorf("eql", src, t.Pos.Offset, "join queries are not supported by Elasticsearch EQL; use a sequence")
		case t.Type == tokKeyword && t.Value == "of" && i > 0 && toks[i-1].Type == tokIdent:
			return source.Errorf("eql", src, toks[i-1].Pos.Offset, "process relationships (%s of [...]) are not supported by Elasticsearch EQL", toks[i-1].Value)
		case t.Type == tokPunct && (t.Value == "(" || t.Value == "[" || t.Value == "!["):
			stack = append(stack, t)
			if len(stack) > maxDepth {
				return source.Errorf("eql", src, t.Pos.Offset, "brackets nested deeper than %d levels", maxDepth)
			}
		case t.Type == tokPunct && (t.Value == ")" || t.Value == "]"):
			want := "("
			if t.Value == "]" {
				want = "["
			}
			if len(stack) == 0 {
				return source.Errorf("eql", src, t.Pos.Offset, "unbalanced %q: there is no matching %q", t.Value, want)
			}
			top := stack[len(stack)-1]
			open := top.Value
			if open == "![" {
				open = "["
			}
			if open != want {
				return source.Errorf("eql", src, t.Pos.Offset, "expected %q to close the %q at %s, found %q", closer(top.Value), top.Value, posOf(src, top), t.Value)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) > 0 {
		top := stack[len(stack)-1]
		return source.Errorf("eql", src, top.Pos.Offset, "this %q is never closed", top.Value)
	}
	return nil
}

func closer(open string) string {
	if open == "(" {
		return ")"
	}
	return "]"
}

func posOf(src string, t lexer.Token) source.Pos { return source.PosAt(src, t.Pos.Offset) }

// describe names a token for an error message.
func describe(t lexer.Token) string {
	switch t.Type {
	case lexer.EOF:
		return "the end of the query"
	case tokString, tokRawString:
		v := t.Value
		if utf8.RuneCountInString(v) > 40 {
			v = string([]rune(v)[:37]) + "..."
		}
		return "string " + v
	}
	return fmt.Sprintf("%q", t.Value)
}

// endsOperand reports whether t can end an operand, so that an operator
// may follow it.
func endsOperand(t lexer.Token) bool {
	switch t.Type {
	case tokIdent, tokQuoted, tokString, tokRawString, tokInt, tokFloat:
		return true
	case tokKeyword:
		return t.Value == "true" || t.Value == "false" || t.Value == "null"
	case tokPunct:
		return t.Value == ")" || t.Value == "]"
	}
	return false
}

// syntaxError turns a participle error into a *source.Error with a message
// that says what was expected where.
func syntaxError(src string, toks []lexer.Token, err error) *source.Error {
	k, ok := parser.ErrorToken(toks, err)
	if !ok {
		return source.Errorf("eql", src, 0, "%v", err)
	}
	if j := chainedComparison(toks[:k]); j >= 0 {
		k = j // where the grammar, which takes one comparison, stops first
	}
	return syntaxErrorAt(src, toks, k)
}

// chainedComparison returns the index of the first comparison operator in
// toks that follows another in the same condition ("a < b < c"), or -1.
// The grammar reads a chain of operators and the builder rejects a second
// comparison; a syntax error after it is reported at the comparison.
func chainedComparison(toks []lexer.Token) int {
	// seen[d] says whether the condition at bracket depth d has had a
	// comparison.
	seen := []bool{false}
	for i, t := range toks {
		top := len(seen) - 1
		switch t.Type {
		case tokKeyword:
			if t.Value == "and" || t.Value == "or" || t.Value == "where" {
				seen[top] = false
			}
		case tokPunct:
			switch t.Value {
			case "(", "[", "![":
				seen = append(seen, false)
			case ")", "]":
				if top > 0 {
					seen = seen[:top]
				}
			case ",", "|":
				seen[top] = false
			case "==", "!=", "<", "<=", ">", ">=":
				if seen[top] {
					return i
				}
				seen[top] = true
			}
		}
	}
	return -1
}

// syntaxErrorAt says what was expected at toks[k], where the grammar stops.
func syntaxErrorAt(src string, toks []lexer.Token, k int) *source.Error {
	tok := toks[k]
	found := describe(tok)
	at := func(format string, args ...any) *source.Error {
		return source.Errorf("eql", src, tok.Pos.Offset, format, args...)
	}
	if tok.Type == tokIdent && keywords[strings.ToLower(tok.Value)] {
		return at("EQL keywords are lower-case: write %q instead of %q", strings.ToLower(tok.Value), tok.Value)
	}
	if tok.Type == tokPunct && tok.Value == "=" {
		return at(`"=" is not a comparison operator: use "==" (case-sensitive) or ":" (case-insensitive)`)
	}
	if k == 0 {
		return at(`expected an event category, "any", "sequence" or "sample", found %s`, found)
	}
	prev := toks[k-1]
	if prev.Type == tokIdent && keywords[strings.ToLower(prev.Value)] {
		return source.Errorf("eql", src, prev.Pos.Offset, "EQL keywords are lower-case: write %q instead of %q", strings.ToLower(prev.Value), prev.Value)
	}
	if tok.Type == tokKeyword && tok.Value == "by" && k+1 < len(toks) {
		if next := toks[k+1]; next.Type != tokIdent && next.Type != tokQuoted && next.Value != "?" {
			return source.Errorf("eql", src, next.Pos.Offset, `expected a field name after "by", found %s`, describe(next))
		}
	}
	if tok.Type == tokKeyword && tok.Value == "with" && toks[0].Value == "sample" {
		return at("a sample does not take [with maxspan] or [with runs]")
	}
	if tok.Type == tokFloat && strings.HasPrefix(tok.Value, ".") && (prev.Type == tokIdent || prev.Type == tokQuoted) {
		return at("a field name part that starts with a digit must be quoted with backticks, as in a.`0`.b")
	}
	switch {
	case prev.Type == tokKeyword && prev.Value == "where":
		return at(`expected a condition after "where", found %s`, found)
	case prev.Type == tokKeyword && (prev.Value == "and" || prev.Value == "or" || prev.Value == "not"):
		return at("expected a condition after %q, found %s", prev.Value, found)
	case prev.Type == tokKeyword && (prev.Value == "sequence" || prev.Value == "sample"):
		return at(`expected "by", "with" or "[" after %q, found %s`, prev.Value, found)
	case prev.Type == tokKeyword && prev.Value == "by":
		return at(`expected a field name after "by", found %s`, found)
	case prev.Type == tokKeyword && prev.Value == "until":
		return at(`expected "[" after "until", found %s`, found)
	case prev.Type == tokKeyword && (prev.Value == "in" || prev.Value == "in~"):
		return at("expected \"(\" and a list of values after %q, found %s", prev.Value, found)
	case prev.Type == tokKeyword && (prev.Value == "like" || prev.Value == "like~" || prev.Value == "regex" || prev.Value == "regex~"):
		return at("expected a string or a parenthesized list of strings after %q, found %s", prev.Value, found)
	case prev.Type == tokKeyword && prev.Value == "with":
		return at(`expected "maxspan" or "runs" after "with", found %s`, found)
	case prev.Type == tokPunct && prev.Value == ":":
		return at(`expected a string or a parenthesized list of strings after ":", found %s`, found)
	case prev.Type == tokPunct && prev.Value == "|":
		return at(`expected a pipe name ("head" or "tail") after "|", found %s`, found)
	case prev.Type == tokPunct && (prev.Value == "[" || prev.Value == "!["):
		return at(`expected an event category or "any" after %q, found %s`, prev.Value, found)
	case prev.Type == tokPunct && prev.Value == "=":
		return at(`expected a number after "=", found %s`, found)
	case prev.Type == tokPunct && prev.Value == ".":
		return at(`expected a field name part after ".", found %s (quote parts that start with a digit or hold special characters with backticks)`, found)
	case prev.Type == tokPunct && prev.Value == "?":
		return at(`expected a field name after "?", found %s`, found)
	case prev.Type == tokPunct && strings.Contains("== != < <= > >= + - * / % ( ,", prev.Value):
		return at("expected an expression after %q, found %s", prev.Value, found)
	}
	if k == 1 && (prev.Type == tokIdent || prev.Type == tokString || prev.Type == tokRawString || prev.Type == tokKeyword && prev.Value == "any") {
		return at(`expected "where" after the event category, found %s`, found)
	}
	if prev.Type == tokTildeIdent {
		return at("expected \"(\" after the function name %s, found %s", prev.Value, found)
	}
	if tok.Type == lexer.EOF && (toks[0].Value == "sequence" || toks[0].Value == "sample") && toks[0].Type == tokKeyword {
		open := false
		for _, t := range toks[:k] {
			open = open || t.Type == tokPunct && (t.Value == "[" || t.Value == "![")
		}
		if !open {
			return at("expected a query in brackets, such as [process where true], found the end of the query")
		}
	}
	if endsOperand(prev) {
		if tok.Type == lexer.EOF {
			return at("unexpected end of the query")
		}
		if tok.Type == tokPunct && tok.Value == "[" && (prev.Type == tokIdent || prev.Type == tokQuoted) {
			return at("unexpected \"[\": array indexes are not supported")
		}
		return at(`expected an operator, "and", "or", or the end of the condition, found %s`, found)
	}
	return at("unexpected %s", found)
}

// builder turns the participle tree into the syntax tree and checks what
// Elasticsearch checks when it builds its plan.
type builder struct {
	src  string
	toks []lexer.Token
}

func newBuilder(src string, toks []lexer.Token) *builder {
	return &builder{src: src, toks: toks}
}

// pos converts a token position.
func pos(p lexer.Position) source.Pos {
	return source.Pos{Offset: p.Offset, Line: p.Line, Col: p.Column}
}

// tokenEnd returns the position just after a token (tokens do not span
// lines).
func tokenEnd(t lexer.Token) source.Pos {
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
func (b *builder) tokLoc(t lexer.Token) Loc {
	return Loc{Start: pos(t.Pos), End: tokenEnd(t)}
}

func (b *builder) errorf(off int, format string, args ...any) *source.Error {
	return source.Errorf("eql", b.src, off, format, args...)
}

func (b *builder) statement(g *gStatement) (*Query, error) {
	q := &Query{Src: b.src, Loc: b.loc(g.Pos, g.EndPos)}
	var err error
	switch {
	case g.Sequence != nil:
		err = b.sequence(q, g.Sequence)
	case g.Sample != nil:
		err = b.sample(q, g.Sample)
	default:
		q.Kind = EventQuery
		var st *Step
		st, err = b.filter(g.Event)
		if err == nil {
			st.Loc = q.Loc
			if len(g.Pipes) > 0 {
				st.Loc = b.loc(g.Event.Pos, g.Event.EndPos)
			}
			q.Steps = []*Step{st}
		}
	}
	if err != nil {
		return nil, err
	}
	for _, p := range g.Pipes {
		pipe, err := b.pipe(p)
		if err != nil {
			return nil, err
		}
		q.Pipes = append(q.Pipes, pipe)
	}
	return q, nil
}

var unsupportedPipes = map[string]bool{"count": true, "filter": true, "sort": true, "unique": true, "unique_count": true}

func (b *builder) pipe(g *gPipe) (*Pipe, error) {
	name := g.Name.Value
	switch {
	case unsupportedPipes[name]:
		return nil, b.errorf(g.Name.Pos.Offset, "pipe [%s] is not supported by Elasticsearch EQL; only head and tail are", name)
	case name != "head" && name != "tail":
		return nil, b.errorf(g.Name.Pos.Offset, "unrecognized pipe [%s]; EQL supports [head] and [tail]", name)
	}
	if len(g.Args) != 1 {
		return nil, b.errorf(g.Name.Pos.Offset, "pipe [%s] expects exactly one argument but found [%d]", name, len(g.Args))
	}
	arg, err := b.or(g.Args[0])
	if err != nil {
		return nil, err
	}
	lit, ok := arg.(*Literal)
	if !ok || lit.Kind != LitInt || lit.Int < 0 || lit.Int > math.MaxInt32 {
		return nil, b.errorf(arg.Location().Start.Offset, "pipe [%s] expects a positive integer but found [%s]", name, arg.Location().Text(b.src))
	}
	return &Pipe{Name: name, N: int(lit.Int), Loc: b.loc(g.Pos, g.EndPos)}, nil
}

func (b *builder) fields(gs []*gField) ([]*Field, error) {
	out := make([]*Field, 0, len(gs))
	for _, g := range gs {
		f, err := b.field(g)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func (b *builder) sequence(q *Query, g *gSequence) error {
	q.Kind = Sequence
	if g.WithFirst != nil && len(g.ByAfter) > 0 {
		return b.errorf(g.ByAfter[0].Pos.Offset, "specify the sequence [by] keys before [with maxspan], not after")
	}
	by, err := b.fields(g.By)
	if err != nil {
		return err
	}
	q.By = by
	ms := g.MaxSpan
	if ms == nil {
		ms = g.WithFirst
	}
	if ms != nil {
		if q.MaxSpan, err = b.maxSpan(ms); err != nil {
			return err
		}
	}
	positive, total := 0, 0
	for _, t := range g.Terms {
		st, err := b.term(t)
		if err != nil {
			return err
		}
		runs := max(st.Runs, 1)
		total += runs
		if !st.Missing {
			positive += runs
		}
		q.Steps = append(q.Steps, st)
	}
	if total < 2 {
		return b.errorf(g.Terms[0].Pos.Offset, "a sequence requires a minimum of 2 queries, found [%d]", total)
	}
	if positive == 0 {
		return b.errorf(g.Terms[0].Pos.Offset, "a sequence requires at least one positive event query (not ![...])")
	}
	if positive < total && q.MaxSpan == nil {
		for _, t := range g.Terms {
			if t.Missing {
				return b.errorf(t.Pos.Offset, "a sequence with missing events (![...]) requires [with maxspan]")
			}
		}
	}
	if g.Until != nil {
		st, err := b.term(g.Until)
		if err != nil {
			return err
		}
		if st.Missing {
			return b.errorf(g.Until.Pos.Offset, "the [until] query cannot be a missing event")
		}
		if g.Until.With != nil {
			return b.errorf(g.Until.With.Pos.Offset, "the [until] query does not take [with runs]")
		}
		q.Until = st
	}
	return b.checkKeys(q, g.Terms, g.Until)
}

// checkKeys checks that every step has as many join keys as the first.
func (b *builder) checkKeys(q *Query, terms []*gTerm, until *gTerm) error {
	steps := q.Steps
	gts := terms
	if q.Until != nil {
		steps = append(steps[:len(steps):len(steps)], q.Until)
		gts = append(gts[:len(gts):len(gts)], until)
	}
	want := len(steps[0].By)
	for i, st := range steps[1:] {
		if len(st.By) != want {
			t := gts[i+1]
			off := t.Pos.Offset
			if len(t.By) > 0 {
				off = t.By[0].Pos.Offset
			}
			return b.errorf(off, "inconsistent number of join keys specified; expected [%d] but found [%d]", want, len(st.By))
		}
	}
	return nil
}

func (b *builder) sample(q *Query, g *gSample) error {
	q.Kind = Sample
	by, err := b.fields(g.By)
	if err != nil {
		return err
	}
	q.By = by
	for _, t := range g.Terms {
		if t.Missing {
			return b.errorf(t.Pos.Offset, "missing events (![...]) are not supported in a sample")
		}
		if t.With != nil {
			return b.errorf(t.With.Pos.Offset, "[with runs] is not supported in a sample")
		}
		st, err := b.term(t)
		if err != nil {
			return err
		}
		q.Steps = append(q.Steps, st)
	}
	if len(q.Steps) < 2 {
		return b.errorf(g.Terms[0].Pos.Offset, "a sample requires a minimum of 2 queries, found [%d]", len(q.Steps))
	}
	return b.checkKeys(q, g.Terms, nil)
}

func (b *builder) maxSpan(g *gMaxSpan) (*MaxSpan, error) {
	text := g.Value.Value + g.Unit.Value
	if g.Value.Type != tokInt {
		return nil, b.errorf(g.Value.Pos.Offset, "decimal time interval [%s] not supported; use a positive integer", text)
	}
	n, err := strconv.ParseInt(g.Value.Value, 10, 64)
	if err != nil || n <= 0 {
		return nil, b.errorf(g.Value.Pos.Offset, "a positive maxspan value is required; found [%s]", g.Value.Value)
	}
	if g.Unit.Value == "" {
		return nil, b.errorf(g.Value.Pos.Offset, "no time unit specified, did you mean [s] as in [%ss]?", g.Value.Value)
	}
	if _, ok := unitDuration[g.Unit.Value]; !ok {
		return nil, b.errorf(g.Unit.Pos.Offset, "unrecognized time unit [%s] in [%s], please specify one of [ms, s, m, h, d]", g.Unit.Value, text)
	}
	if n > int64(math.MaxInt64/unitDuration[g.Unit.Value]) {
		return nil, b.errorf(g.Value.Pos.Offset, "maxspan [%s] is too large", text)
	}
	return &MaxSpan{N: n, Unit: g.Unit.Value, Loc: b.loc(g.Pos, g.EndPos)}, nil
}

func (b *builder) term(g *gTerm) (*Step, error) {
	st, err := b.filter(g.Filter)
	if err != nil {
		return nil, err
	}
	st.Missing = g.Missing
	st.Loc = b.loc(g.Pos, g.EndPos)
	if st.By, err = b.fields(g.By); err != nil {
		return nil, err
	}
	if w := g.With; w != nil {
		if w.Key.Value != "runs" {
			return nil, b.errorf(w.Key.Pos.Offset, "unknown parameter [%s] of a sequence query; expected [runs]", w.Key.Value)
		}
		n, err := strconv.ParseInt(w.Value.Value, 10, 64)
		if w.Value.Type != tokInt || err != nil || n < 1 || n > 100 {
			return nil, b.errorf(w.Value.Pos.Offset, "the [runs] value must be an integer between 1 and 100, found [%s]", w.Value.Value)
		}
		st.Runs = int(n)
	}
	return st, nil
}

func (b *builder) filter(g *gFilter) (*Step, error) {
	st := &Step{Loc: b.loc(g.Pos, g.EndPos)}
	if g.Any {
		st.Any = true
		st.CategoryLoc = Loc{Start: pos(g.Pos), End: source.Pos{Offset: g.Pos.Offset + 3, Line: g.Pos.Line, Col: g.Pos.Column + 3}}
	} else {
		st.CategoryLoc = b.tokLoc(g.Category)
		if g.Category.Type == tokIdent {
			st.Category = g.Category.Value
		} else {
			st.Category = unquoteString(b.fine(g.Category))
		}
	}
	cond, err := b.or(g.Cond)
	if err != nil {
		return nil, err
	}
	st.Cond = cond
	return st, nil
}

func (b *builder) or(g *gOr) (Expr, error) {
	if len(g.Rest) == 0 {
		return b.value(g.X)
	}
	// Runs of "and" bind first: ors holds the operands of "or", each a run.
	var ors []Expr
	runStart := 0 // the index (0 is g.X, i+1 is g.Rest[i]) where the run begins
	operand := func(i int) *gValue {
		if i == 0 {
			return g.X
		}
		return g.Rest[i-1].X
	}
	n := len(g.Rest) + 1
	for i := 1; i <= n; i++ {
		if i < n && g.Rest[i-1].Op == "and" {
			continue
		}
		e, err := b.and(operand, runStart, i)
		if err != nil {
			return nil, err
		}
		ors = append(ors, e)
		runStart = i
	}
	if len(ors) == 1 {
		return ors[0], nil
	}
	out := &Or{Loc: b.loc(g.Pos, g.EndPos), X: make([]Expr, 0, len(ors))}
	for _, e := range ors {
		if o, ok := e.(*Or); ok {
			out.X = append(out.X, o.X...)
		} else {
			out.X = append(out.X, e)
		}
	}
	return out, nil
}

// and builds the run of conditions operand(from) ... operand(to-1) joined
// by "and".
func (b *builder) and(operand func(int) *gValue, from, to int) (Expr, error) {
	if to-from == 1 {
		return b.value(operand(from))
	}
	out := &And{Loc: b.loc(operand(from).Pos, operand(to-1).EndPos), X: make([]Expr, 0, to-from)}
	for i := from; i < to; i++ {
		e, err := b.value(operand(i))
		if err != nil {
			return nil, err
		}
		if a, ok := e.(*And); ok {
			out.X = append(out.X, a.X...)
		} else {
			out.X = append(out.X, e)
		}
	}
	return out, nil
}

// tokenAt returns the index of the token at offset off.
func (b *builder) tokenAt(off int) int {
	return sort.Search(len(b.toks), func(i int) bool { return b.toks[i].Pos.Offset >= off })
}

// value builds a condition.
func (b *builder) value(g *gValue) (Expr, error) {
	if g.Not == nil {
		return b.cmp(g)
	}
	x, err := b.value(g.Not)
	if err != nil {
		return nil, err
	}
	return &Not{X: x, Loc: b.loc(g.Pos, g.EndPos)}, nil
}

var cmpOps = map[string]CmpOp{"==": Eq, "!=": Ne, "<": Lt, "<=": Le, ">": Gt, ">=": Ge}

// cmp builds the chain of operands of g: at most one comparison, of two
// arithmetic expressions.
func (b *builder) cmp(g *gValue) (Expr, error) {
	at := -1 // the index in g.Rest of the comparison
	for i, r := range g.Rest {
		if _, ok := cmpOps[r.Op]; !ok {
			continue
		}
		if at >= 0 {
			// The grammar takes one comparison: the second is where
			// the condition should have ended.
			return nil, syntaxErrorAt(b.src, b.toks, b.tokenAt(r.X.Pos.Offset)-1)
		}
		at = i
	}
	if at < 0 {
		return b.add(g.X, g.Rest)
	}
	l, err := b.add(g.X, g.Rest[:at])
	if err != nil {
		return nil, err
	}
	rest := g.Rest[at+1:]
	r, err := b.add(g.Rest[at].X, rest)
	if err != nil {
		return nil, err
	}
	end := g.Rest[at].X.EndPos
	if len(rest) > 0 {
		end = rest[len(rest)-1].X.EndPos
	}
	return &Compare{Op: cmpOps[g.Rest[at].Op], L: l, R: r, Loc: b.loc(g.X.Pos, end)}, nil
}

var arithOps = map[string]ArithOp{"+": Add, "-": Sub, "*": Mul, "/": Div, "%": Mod}

// add builds x followed by rest, operands joined by + - * / %: the
// products first, then the sums, each from left to right.
func (b *builder) add(x *gUnary, rest []*gBinOp) (Expr, error) {
	e, err := b.unary(x)
	if err != nil {
		return nil, err
	}
	var sum Expr     // the sum so far, nil before the first + or -
	var sumOp string // the operator between sum and e
	for _, r := range rest {
		y, err := b.unary(r.X)
		if err != nil {
			return nil, err
		}
		if r.Op == "*" || r.Op == "/" || r.Op == "%" {
			e = &Arith{Op: arithOps[r.Op], L: e, R: y, Loc: Loc{Start: e.Location().Start, End: y.Location().End}}
			continue
		}
		if sum == nil {
			sum = e
		} else {
			sum = &Arith{Op: arithOps[sumOp], L: sum, R: e, Loc: Loc{Start: sum.Location().Start, End: e.Location().End}}
		}
		sumOp, e = r.Op, y
	}
	if sum == nil {
		return e, nil
	}
	return &Arith{Op: arithOps[sumOp], L: sum, R: e, Loc: Loc{Start: sum.Location().Start, End: e.Location().End}}, nil
}

// unary builds an operand.
func (b *builder) unary(g *gUnary) (Expr, error) {
	if g.X == nil {
		return b.postfix(g)
	}
	x, err := b.unary(g.X)
	if err != nil {
		return nil, err
	}
	if g.Sign == "+" {
		return x, nil
	}
	loc := b.loc(g.Pos, g.EndPos)
	if lit, ok := x.(*Literal); ok {
		switch {
		case lit.Kind == LitInt && lit.Int != math.MinInt64:
			return &Literal{Kind: LitInt, Int: -lit.Int, Loc: loc}, nil
		case lit.Kind == LitFloat:
			return &Literal{Kind: LitFloat, Float: -lit.Float, Loc: loc}, nil
		}
	}
	return &Neg{X: x, Loc: loc}, nil
}

// postfix builds the primary expression of g and the pattern or list
// operator that applies to it.
func (b *builder) postfix(g *gUnary) (Expr, error) {
	x, err := b.primary(g)
	if err != nil || g.In == "" && g.Op == "" {
		return x, err
	}
	loc := b.loc(g.Pos, g.EndPos)
	if g.In != "" {
		in := &In{X: x, Not: g.PredNot, CI: g.In == "in~", Loc: loc, List: make([]Expr, 0, len(g.List))}
		for _, e := range g.List {
			y, err := b.or(e)
			if err != nil {
				return nil, err
			}
			in.List = append(in.List, y)
		}
		return in, nil
	}
	m := &PatternMatch{X: x, Loc: loc, Patterns: make([]*Literal, 0, (len(g.Pats)+1)/2)}
	switch g.Op {
	case ":":
		m.Op = Colon
	case "like":
		m.Op = Like
	case "like~":
		m.Op = LikeCI
	case "regex":
		m.Op = Regex
	case "regex~":
		m.Op = RegexCI
	}
	for i := 0; i < len(g.Pats); i += 2 { // the constants and their commas
		lit, err := b.constant(g.Pats[i])
		if err != nil {
			return nil, err
		}
		m.Patterns = append(m.Patterns, lit)
	}
	return m, nil
}

func (b *builder) primary(g *gUnary) (Expr, error) {
	switch {
	case g.Const.Type != 0:
		return b.constant(g.Const)
	case g.CallName.Type != 0:
		return b.call(g)
	case len(g.Field) > 0:
		return b.fieldName(g.Field, g.Index)
	}
	return b.or(g.Paren)
}

// fine returns the scanned token of a token the grammar captured (with the
// type of its class).
func (b *builder) fine(t lexer.Token) lexer.Token { return b.toks[b.tokenAt(t.Pos.Offset)] }

func (b *builder) constant(t lexer.Token) (*Literal, error) {
	t = b.fine(t)
	lit := &Literal{Loc: b.tokLoc(t)}
	switch t.Type {
	case tokString, tokRawString:
		lit.Kind, lit.Str = LitString, unquoteString(t)
	case tokInt:
		n, err := strconv.ParseInt(t.Value, 10, 64)
		if err != nil {
			return nil, b.errorf(t.Pos.Offset, "number [%s] is too large", t.Value)
		}
		lit.Kind, lit.Int = LitInt, n
	case tokFloat:
		f, err := strconv.ParseFloat(t.Value, 64)
		if err != nil {
			return nil, b.errorf(t.Pos.Offset, "number [%s] is out of range", t.Value)
		}
		lit.Kind, lit.Float = LitFloat, f
	default:
		switch t.Value {
		case "true", "false":
			lit.Kind, lit.Bool = LitBool, t.Value == "true"
		default:
			lit.Kind = LitNull
		}
	}
	return lit, nil
}

func (b *builder) field(g *gField) (*Field, error) { return b.fieldName(g.Name, g.Index) }

// fieldName builds a field from its tokens: an optional "?", then name
// parts between dots.
func (b *builder) fieldName(toks, index []lexer.Token) (*Field, error) {
	if len(index) > 0 {
		return nil, b.errorf(index[0].Pos.Offset, "array indexes are not supported")
	}
	loc := Loc{Start: pos(toks[0].Pos), End: tokenEnd(toks[len(toks)-1])}
	optional := toks[0].Type == tokPunct // "?"
	if optional {
		toks = toks[1:]
	}
	var name string
	if len(toks) == 1 && toks[0].Type != tokQuoted {
		name = toks[0].Value
	} else {
		var sb strings.Builder
		for i := 0; i < len(toks); i += 2 { // the parts and their dots
			if i > 0 {
				sb.WriteByte('.')
			}
			if p := toks[i]; p.Type == tokQuoted {
				sb.WriteString(unquoteIdent(p.Value))
			} else {
				sb.WriteString(p.Value)
			}
		}
		name = sb.String()
	}
	return &Field{Name: name, Optional: optional, Loc: loc}, nil
}

// call builds the call of g.
func (b *builder) call(g *gUnary) (Expr, error) {
	// The call ends with its ")": after its last argument, or after "(".
	closing := b.tokenAt(g.CallName.Pos.Offset) + 2
	if len(g.Args) > 0 {
		closing = b.tokenAt(g.Args[len(g.Args)-1].EndPos.Offset)
	}
	name := g.CallName.Value
	ci := strings.HasSuffix(name, "~")
	name = strings.TrimSuffix(name, "~")
	spec := lookupFunc(name)
	if spec == nil {
		return nil, b.errorf(g.CallName.Pos.Offset, "unknown function [%s]", name)
	}
	if ci && !spec.ci {
		return nil, b.errorf(g.CallName.Pos.Offset, "function [%s] does not support case-insensitive matching (~)", spec.name)
	}
	c := &Call{Name: spec.name, CI: ci, Loc: Loc{Start: pos(g.Pos), End: tokenEnd(b.toks[closing])}}
	if len(g.Args) > 0 {
		c.Args = make([]Expr, 0, len(g.Args))
	}
	for _, a := range g.Args {
		e, err := b.or(a)
		if err != nil {
			return nil, err
		}
		c.Args = append(c.Args, e)
	}
	n := len(c.Args)
	switch {
	case spec.max < 0 && n < spec.min:
		return nil, b.errorf(g.CallName.Pos.Offset, "function [%s] expects at least %s, found %d", spec.name, plural(spec.min, "argument"), n)
	case spec.max >= 0 && (n < spec.min || n > spec.max):
		want := plural(spec.min, "argument")
		if spec.max > spec.min {
			want = fmt.Sprintf("%d to %d arguments", spec.min, spec.max)
		}
		return nil, b.errorf(g.CallName.Pos.Offset, "function [%s] expects %s, found %d", spec.name, want, n)
	}
	if err := b.checkArgs(c); err != nil {
		return nil, err
	}
	return c, nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// checkArgs checks the constant arguments of a call where Elasticsearch
// requires them to be of a type (the CIDR blocks of cidrMatch, the
// positions of substring, ...).
func (b *builder) checkArgs(c *Call) error {
	bad := func(a Expr, want string) error {
		return b.errorf(a.Location().Start.Offset, "argument %s of [%s] must be %s", a.Location().Text(b.src), c.Name, want)
	}
	switch c.Name {
	case "cidrMatch":
		for _, a := range c.Args[1:] {
			lit, ok := a.(*Literal)
			if !ok {
				return bad(a, "a constant CIDR block such as \"10.0.0.0/8\"")
			}
			if lit.Kind == LitNull {
				continue
			}
			if lit.Kind != LitString {
				return bad(a, "a CIDR block string such as \"10.0.0.0/8\"")
			}
			if _, ok := parseCIDR(lit.Str); !ok {
				return b.errorf(a.Location().Start.Offset, "invalid CIDR block %s in [cidrMatch]", a.Location().Text(b.src))
			}
		}
	case "substring":
		for _, a := range c.Args[1:] {
			if lit, ok := a.(*Literal); ok && lit.Kind != LitInt && lit.Kind != LitNull {
				return bad(a, "an integer")
			}
		}
	case "indexOf":
		if len(c.Args) == 3 {
			if lit, ok := c.Args[2].(*Literal); ok && lit.Kind != LitInt && lit.Kind != LitNull {
				return bad(c.Args[2], "an integer")
			}
		}
	case "between":
		if len(c.Args) == 4 {
			if lit, ok := c.Args[3].(*Literal); !ok || lit.Kind != LitBool {
				return bad(c.Args[3], "true or false")
			}
		}
	case "number":
		if len(c.Args) == 2 {
			lit, ok := c.Args[1].(*Literal)
			if !ok || lit.Kind != LitInt && lit.Kind != LitNull || lit.Kind == LitInt && (lit.Int < 2 || lit.Int > 36) {
				return bad(c.Args[1], "a constant base between 2 and 36")
			}
		}
	}
	return nil
}

// parseCIDR parses a CIDR block or a single address (a one-address block)
// as Elasticsearch reads them (es/ipaddr).
func parseCIDR(s string) (netip.Prefix, bool) { return ipaddr.ParseBlock(s) }
