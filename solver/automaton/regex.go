package automaton

import (
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// RegexError is a syntax error in a Lucene regular expression.
type RegexError struct {
	Expr   string
	Offset int // byte offset in Expr
	Msg    string
}

func (e *RegexError) Error() string {
	return fmt.Sprintf("regex %q at offset %d: %s", e.Expr, e.Offset, e.Msg)
}

// Regex compiles a Lucene regular expression (the syntax Elasticsearch's
// regexp query and EQL's regex use), anchored at both ends, into a DFA. With
// ci the letters match in any case.
//
// Supported: literals and "\"-escapes; "."; character classes "[a-z]",
// "[^...]"; "\d \D \s \S \w \W"; grouping "( )"; alternation "|";
// repetition "* + ?" and "{n}" "{n,}" "{n,m}"; and the Lucene operators
// "&" (intersection), "~" (complement), "@" (any string), "#" (the empty
// language), "<n-m>" (numeric interval) and "\"...\"" (literal string).
// Anchors "^" and "$" are ordinary characters, as in Lucene.
func Regex(expr string, ci bool) (*DFA, error) {
	p := &reParser{src: expr, ci: ci}
	f, err := p.parse()
	if err != nil {
		return nil, err
	}
	return determinize(&p.n, f)
}

type reParser struct {
	src string
	pos int
	ci  bool
	n   nfa
	// depth guards against pathological nesting.
	depth int
}

func (p *reParser) errf(format string, args ...any) error {
	return &RegexError{Expr: p.src, Offset: p.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *reParser) more() bool { return p.pos < len(p.src) }

func (p *reParser) peek() rune {
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return r
}

func (p *reParser) next() rune {
	r, size := utf8.DecodeRuneInString(p.src[p.pos:])
	p.pos += size
	return r
}

func (p *reParser) eat(r rune) bool {
	if p.more() && p.peek() == r {
		p.pos += utf8.RuneLen(r)
		return true
	}
	return false
}

func (p *reParser) parse() (frag, error) {
	f, err := p.union()
	if err != nil {
		return frag{}, err
	}
	if p.more() {
		return frag{}, p.errf("unexpected %q", p.peek())
	}
	return f, nil
}

func (p *reParser) union() (frag, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 200 {
		return frag{}, p.errf("nesting too deep")
	}
	var alts []frag
	for {
		f, err := p.inter()
		if err != nil {
			return frag{}, err
		}
		alts = append(alts, f)
		if !p.eat('|') {
			break
		}
	}
	return p.n.union(alts...), nil
}

func (p *reParser) inter() (frag, error) {
	f, err := p.concat()
	if err != nil {
		return frag{}, err
	}
	if !p.more() || p.peek() != '&' {
		return f, nil
	}
	acc, err := determinize(&p.n, f)
	if err != nil {
		return frag{}, err
	}
	for p.eat('&') {
		g, err := p.concat()
		if err != nil {
			return frag{}, err
		}
		d, err := determinize(&p.n, g)
		if err != nil {
			return frag{}, err
		}
		if acc, err = Intersect(acc, d); err != nil {
			return frag{}, err
		}
	}
	return p.n.fromDFA(acc), nil
}

func (p *reParser) concat() (frag, error) {
	var fs []frag
	for p.more() {
		switch p.peek() {
		case '|', ')', '&':
			return p.n.concat(fs...), nil
		}
		f, err := p.repeat()
		if err != nil {
			return frag{}, err
		}
		fs = append(fs, f)
	}
	return p.n.concat(fs...), nil
}

func (p *reParser) repeat() (frag, error) {
	f, err := p.complement()
	if err != nil {
		return frag{}, err
	}
	for p.more() {
		switch p.peek() {
		case '*':
			p.next()
			f = p.n.star(f)
		case '+':
			p.next()
			f = p.n.plus(f)
		case '?':
			p.next()
			f = p.n.optional(f)
		case '{':
			start := p.pos
			p.next()
			min, max, err := p.bounds()
			if err != nil {
				p.pos = start
				return frag{}, err
			}
			if f, err = p.repeatN(f, min, max); err != nil {
				return frag{}, err
			}
		default:
			return f, nil
		}
	}
	return f, nil
}

// bounds reads "n}", "n,}" or "n,m}" after "{".
func (p *reParser) bounds() (int, int, error) {
	min, ok := p.number()
	if !ok {
		return 0, 0, p.errf("expected a number in {n,m}")
	}
	max := min
	if p.eat(',') {
		if p.more() && p.peek() == '}' {
			max = -1
		} else if max, ok = p.number(); !ok {
			return 0, 0, p.errf("expected a number in {n,m}")
		}
	}
	if !p.eat('}') {
		return 0, 0, p.errf("expected '}'")
	}
	if max >= 0 && max < min {
		return 0, 0, p.errf("bad repetition {%d,%d}", min, max)
	}
	if min > 1000 || max > 1000 {
		return 0, 0, p.errf("repetition count over 1000")
	}
	return min, max, nil
}

func (p *reParser) number() (int, bool) {
	start := p.pos
	for p.more() && p.peek() >= '0' && p.peek() <= '9' {
		p.next()
	}
	if start == p.pos {
		return 0, false
	}
	n, err := strconv.Atoi(p.src[start:p.pos])
	return n, err == nil
}

// repeatN repeats f min to max times. The fragment is converted to a DFA
// and re-embedded for every copy, since nfa fragments cannot be cloned.
func (p *reParser) repeatN(f frag, min, max int) (frag, error) {
	d, err := determinize(&p.n, f)
	if err != nil {
		return frag{}, err
	}
	var fs []frag
	for i := 0; i < min; i++ {
		fs = append(fs, p.n.fromDFA(d))
	}
	if max < 0 {
		fs = append(fs, p.n.star(p.n.fromDFA(d)))
	} else {
		for i := min; i < max; i++ {
			fs = append(fs, p.n.optional(p.n.fromDFA(d)))
		}
	}
	if len(p.n.states) > 4*MaxStates {
		return frag{}, ErrTooComplex
	}
	return p.n.concat(fs...), nil
}

func (p *reParser) complement() (frag, error) {
	if p.eat('~') {
		f, err := p.complement()
		if err != nil {
			return frag{}, err
		}
		d, err := determinize(&p.n, f)
		if err != nil {
			return frag{}, err
		}
		return p.n.fromDFA(Complement(d)), nil
	}
	return p.simple()
}

func (p *reParser) simple() (frag, error) {
	if !p.more() {
		return frag{}, p.errf("unexpected end of expression")
	}
	start := p.pos
	switch c := p.next(); c {
	case '.':
		return p.class([]runeRange{{0, unicode.MaxRune}}), nil
	case '@':
		return p.n.anyByteStar(), nil
	case '#':
		return p.n.nothing(), nil
	case '(':
		if p.eat(')') {
			return p.n.empty(), nil
		}
		f, err := p.union()
		if err != nil {
			return frag{}, err
		}
		if !p.eat(')') {
			return frag{}, p.errf("missing ')' for '(' at offset %d", start)
		}
		return f, nil
	case '[':
		return p.bracket()
	case '"':
		end := p.pos
		for end < len(p.src) && p.src[end] != '"' {
			end++
		}
		if end >= len(p.src) {
			return frag{}, p.errf("unterminated string starting at offset %d", start)
		}
		s := p.src[p.pos:end]
		p.pos = end + 1
		return p.n.literal(s, p.ci), nil
	case '<':
		return p.interval(start)
	case '\\':
		if !p.more() {
			return frag{}, p.errf("trailing backslash")
		}
		e := p.next()
		if rs, ok := escapeClass(e); ok {
			return p.class(rs), nil
		}
		return p.char(e), nil
	case '*', '+', '?', '{':
		p.pos = start
		return frag{}, p.errf("missing operand before %q", c)
	case ')':
		p.pos = start
		return frag{}, p.errf("unbalanced ')'")
	default:
		return p.char(c), nil
	}
}

func (p *reParser) char(c rune) frag {
	return p.class([]runeRange{{c, c}})
}

func (p *reParser) class(rs []runeRange) frag {
	rs = normalizeRanges(rs)
	if p.ci {
		rs = foldRanges(rs)
	}
	return p.n.runeRanges(rs)
}

// escapeClass maps \d \D \s \S \w \W to code point ranges.
func escapeClass(c rune) ([]runeRange, bool) {
	digit := []runeRange{{'0', '9'}}
	space := []runeRange{{'\t', '\r'}, {' ', ' '}}
	word := []runeRange{{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}
	switch c {
	case 'd':
		return digit, true
	case 'D':
		return negateRanges(digit), true
	case 's':
		return space, true
	case 'S':
		return negateRanges(space), true
	case 'w':
		return word, true
	case 'W':
		return negateRanges(word), true
	}
	return nil, false
}

func (p *reParser) bracket() (frag, error) {
	start := p.pos - 1
	neg := p.eat('^')
	var rs []runeRange
	first := true
	for {
		if !p.more() {
			p.pos = start
			return frag{}, p.errf("unterminated character class")
		}
		c := p.next()
		if c == ']' && !first {
			break
		}
		first = false
		if c == '\\' {
			if !p.more() {
				return frag{}, p.errf("trailing backslash")
			}
			c = p.next()
			if cls, ok := escapeClass(c); ok {
				rs = append(rs, cls...)
				continue
			}
		}
		lo := c
		hi := c
		if p.more() && p.peek() == '-' && p.pos+1 < len(p.src) && p.src[p.pos+1] != ']' {
			p.next()
			hi = p.next()
			if hi == '\\' {
				if !p.more() {
					return frag{}, p.errf("trailing backslash")
				}
				hi = p.next()
			}
			if hi < lo {
				return frag{}, p.errf("bad character range %q-%q", lo, hi)
			}
		}
		rs = append(rs, runeRange{lo, hi})
	}
	rs = normalizeRanges(rs)
	if p.ci {
		rs = foldRanges(rs)
	}
	if neg {
		rs = negateRanges(rs)
	}
	return p.n.runeRanges(rs), nil
}

// interval reads "<n-m>" after "<": the decimal numbers n..m.
func (p *reParser) interval(start int) (frag, error) {
	loStart := p.pos
	lo, ok := p.number()
	loText := p.src[loStart:p.pos]
	if !ok || !p.eat('-') {
		p.pos = start
		return frag{}, p.errf("expected <n-m> numeric interval (named automata are not supported)")
	}
	hiStart := p.pos
	hi, ok := p.number()
	hiText := p.src[hiStart:p.pos]
	if !ok || !p.eat('>') {
		p.pos = start
		return frag{}, p.errf("expected <n-m> numeric interval")
	}
	if hi < lo {
		lo, hi = hi, lo
	}
	if hi-lo > 100000 {
		return frag{}, p.errf("numeric interval <%d-%d> too wide", lo, hi)
	}
	// As in Lucene, bounds written with the same number of digits and a
	// leading zero ("<01-12>") mean fixed-width numbers.
	width := 0
	if len(loText) == len(hiText) && len(loText) > 1 && loText[0] == '0' {
		width = len(loText)
	}
	alts := make([]frag, 0, hi-lo+1)
	for i := lo; i <= hi; i++ {
		alts = append(alts, p.n.literal(fmt.Sprintf("%0*d", width, i), false))
	}
	return p.n.union(alts...), nil
}
