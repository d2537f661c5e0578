package regexp

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits against hostile patterns. The solver and the evaluators share the
// parse, so a pattern over a limit is the same error for both.
const (
	// MaxDepth bounds the height of the syntax tree and the nesting of
	// groups: every group, complement and repetition operator is a level.
	// (Lucene has no such limit but parses recursively, and Java's stack
	// gives out some thousands of levels deep.)
	MaxDepth = 200
	// MaxRepeat bounds n and m in {n}, {n,} and {n,m}. It is the largest
	// count Elasticsearch accepts for any operand that matches a
	// character: with the default max_determinized_states of 10000,
	// Lucene's RegExp.toAutomaton throws TooComplexToDeterminizeException
	// when (states-1)*count exceeds it, and such an operand has at least
	// two states.
	MaxRepeat = 10000
	// MaxIntervalDigits bounds the fixed width of "<n-m>" (its bounds
	// written with as many digits, leading zeros included). An int has at
	// most ten digits, so only leading zeros reach it.
	MaxIntervalDigits = 100
)

// Regexp is a parsed Lucene regular expression.
type Regexp struct {
	// Root is the syntax tree.
	Root *Node
	// Flags are the flags it was parsed with.
	Flags Flags
}

// String renders the expression in a canonical form: every reserved
// character escaped, parentheses only where needed, case-insensitivity
// spelled out as character classes. Parse(r.String(), All) gives a tree
// equal to r.Root, whatever r's flags were.
func (r *Regexp) String() string { return r.Root.String() }

// Error is an invalid regular expression: a message and the byte offset
// in the pattern where the parser found the problem. The messages are
// Lucene's where Lucene has one.
type Error struct {
	Offset int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("%s at position %d", e.Msg, e.Offset) }

// Parse reads a Lucene regular expression with the given flags, following
// Lucene 9's RegExp parser (org.apache.lucene.util.automaton.RegExp, the
// parse* methods) production by production:
//
//	union    ::= inter ( "|" union )?
//	inter    ::= concat ( "&" inter )?                  [INTERSECTION]
//	concat   ::= repeat concat?       (up to ")", "|" or an enabled "&")
//	repeat   ::= compl ( "?" | "*" | "+" | "{n}" | "{n,}" | "{n,m}" )*
//	compl    ::= "~" compl | class                      [COMPLEMENT]
//	class    ::= "[" "^"? item+ "]" | simple
//	item     ::= predefined | char ( "-" char )?
//	simple   ::= "." | "#" [EMPTY] | "@" [ANYSTRING] | "\"" text "\"" | "(" ")"
//	           | "(" union ")" | "<" name ">" [AUTOMATON] | "<n-m>" [INTERVAL]
//	           | predefined | char
//	char     ::= "\"? any character
//
// where predefined is \d \D \s \S \w \W or "\\", and a backslash before
// any other ASCII letter is an error. Some consequences that regular
// expressions elsewhere do not share: a "|" with nothing after it is an
// error ("a|", "(a|)"), while operators with nothing before them are
// ordinary characters ("*a", "|a", "&a"); "^" and "$" are characters;
// "[a-]" is a range up to "]"; "a{3,1}" is the empty language. Matching
// is anchored at both ends.
func Parse(src string, flags Flags) (*Regexp, error) {
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRuneInString(src[i:])
		if r == utf8.RuneError && size == 1 {
			return nil, &Error{Offset: i, Msg: "invalid UTF-8"}
		}
		i += size
	}
	p := &parser{src: src, flags: flags}
	root := literal("")
	if src != "" {
		n, err := p.union()
		if err != nil {
			return nil, err
		}
		if p.more() {
			return nil, p.errorf(p.pos, "end-of-string expected")
		}
		root = n
	}
	return &Regexp{Root: root, Flags: flags}, nil
}

type parser struct {
	src   string
	pos   int
	flags Flags
	nest  int // groups open
}

func (p *parser) errorf(off int, format string, args ...any) error {
	return &Error{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) check(f Flags) bool { return p.flags&f != 0 }
func (p *parser) ci() bool           { return p.flags&CaseInsensitive != 0 }
func (p *parser) more() bool         { return p.pos < len(p.src) }

// peek reports whether the next character is one of set.
func (p *parser) peek(set string) bool {
	if !p.more() {
		return false
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return strings.ContainsRune(set, r)
}

func (p *parser) match(c rune) bool {
	if !p.more() {
		return false
	}
	r, size := utf8.DecodeRuneInString(p.src[p.pos:])
	if r != c {
		return false
	}
	p.pos += size
	return true
}

func (p *parser) next() (rune, error) {
	if !p.more() {
		return 0, p.errorf(p.pos, "unexpected end-of-string")
	}
	r, size := utf8.DecodeRuneInString(p.src[p.pos:])
	p.pos += size
	return r, nil
}

// deep checks the nesting limit for a node built at offset at.
func (p *parser) deep(n *Node, at int) (*Node, error) {
	if n.depth > MaxDepth {
		return nil, p.errorf(at, "expression nested deeper than %d levels", MaxDepth)
	}
	return n, nil
}

func (p *parser) union() (*Node, error) {
	p.nest++
	defer func() { p.nest-- }()
	start := p.pos
	if p.nest > MaxDepth {
		return nil, p.errorf(start, "expression nested deeper than %d levels", MaxDepth)
	}
	first, err := p.inter()
	if err != nil || !p.match('|') {
		return first, err
	}
	alts := []*Node{first}
	for {
		n, err := p.inter()
		if err != nil {
			return nil, err
		}
		alts = append(alts, n)
		if !p.match('|') {
			break
		}
	}
	return p.deep(flat(KindUnion, alts...), start)
}

func (p *parser) inter() (*Node, error) {
	start := p.pos
	first, err := p.concat()
	if err != nil || !p.check(Intersection) || !p.match('&') {
		return first, err
	}
	all := []*Node{first}
	for {
		n, err := p.concat()
		if err != nil {
			return nil, err
		}
		all = append(all, n)
		if !p.check(Intersection) || !p.match('&') {
			break
		}
	}
	return p.deep(flat(KindIntersection, all...), start)
}

func (p *parser) concat() (*Node, error) {
	start := p.pos
	var seq []*Node
	for {
		n, err := p.repeat()
		if err != nil {
			return nil, err
		}
		if !p.more() || p.peek(")|") || p.check(Intersection) && p.peek("&") {
			if seq == nil {
				return n, nil // one operand: nothing to concatenate
			}
			seq = append(seq, n)
			break
		}
		seq = append(seq, n)
	}
	return p.deep(concat(seq...), start)
}

func (p *parser) repeat() (*Node, error) {
	n, err := p.complement()
	if err != nil {
		return nil, err
	}
	for p.peek("?*+{") {
		at := p.pos
		switch {
		case p.match('?'):
			n = repeat(n, 0, 1)
		case p.match('*'):
			n = repeat(n, 0, -1)
		case p.match('+'):
			n = repeat(n, 1, -1)
		case p.match('{'):
			lo, ok, err := p.count()
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, p.errorf(p.pos, "integer expected")
			}
			hi := lo
			if p.match(',') {
				v, ok, err := p.count()
				if err != nil {
					return nil, err
				}
				hi = -1
				if ok {
					hi = v
				}
			}
			if !p.match('}') {
				return nil, p.errorf(p.pos, "expected '}'")
			}
			n = repeat(n, lo, hi)
		}
		if n, err = p.deep(n, at); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// count reads the ASCII digits of a repetition count.
func (p *parser) count() (int, bool, error) {
	start := p.pos
	for p.peek("0123456789") {
		p.pos++
	}
	if p.pos == start {
		return 0, false, nil
	}
	v, err := strconv.Atoi(p.src[start:p.pos])
	if err != nil || v > MaxRepeat {
		return 0, false, p.errorf(start, "repetition count %s over the limit of %d", p.src[start:p.pos], MaxRepeat)
	}
	return v, true, nil
}

func (p *parser) complement() (*Node, error) {
	var at []int
	for p.check(Complement) && p.peek("~") {
		at = append(at, p.pos)
		p.pos++
		if len(at) > MaxDepth {
			return nil, p.errorf(p.pos-1, "expression nested deeper than %d levels", MaxDepth)
		}
	}
	n, err := p.charClass()
	if err != nil {
		return nil, err
	}
	for i := len(at) - 1; i >= 0; i-- {
		if n, err = p.deep(complement(n), at[i]); err != nil {
			return nil, err
		}
	}
	return n, nil
}

func (p *parser) charClass() (*Node, error) {
	if !p.match('[') {
		return p.simple()
	}
	neg := p.match('^')
	var rs []Range
	for {
		part, err := p.classItem()
		if err != nil {
			return nil, err
		}
		rs = append(rs, part...)
		if !p.more() || p.peek("]") {
			break
		}
	}
	if !p.match(']') {
		return nil, p.errorf(p.pos, "expected ']'")
	}
	rs = normalizeRanges(rs)
	if neg {
		// Lucene: the intersection of any character and the complement.
		rs = negateRanges(rs)
	}
	return charSet(rs), nil
}

// classItem reads one item of a character class: a predefined class, a
// character or a range. Case-insensitivity applies to a character, not to
// a range (a range is Lucene's REGEXP_CHAR_RANGE, which ignores the flag).
func (p *parser) classItem() ([]Range, error) {
	if rs, ok, err := p.predefined(); err != nil || ok {
		return rs, err
	}
	at := p.pos
	c, err := p.charExp()
	if err != nil {
		return nil, err
	}
	if p.match('-') {
		d, err := p.charExp()
		if err != nil {
			return nil, err
		}
		if c > d {
			return nil, p.errorf(at, "invalid range: from (%d) cannot be > to (%d)", c, d)
		}
		return []Range{{c, d}}, nil
	}
	return p.charRanges(c), nil
}

// charRanges is a single character, with its other case when matching
// case-insensitively.
func (p *parser) charRanges(c rune) []Range {
	if p.ci() {
		if alt := AltCase(c); alt != c {
			return []Range{{c, c}, {alt, alt}}
		}
	}
	return []Range{{c, c}}
}

// char is a single character outside a class.
func (p *parser) char(c rune) *Node {
	if !p.ci() || AltCase(c) == c {
		return literal(string(c))
	}
	return charSet(normalizeRanges(p.charRanges(c)))
}

// text is a quoted string: with case-insensitivity, each character in
// either case (Lucene's toCaseInsensitiveString).
func (p *parser) text(s string) *Node {
	if !p.ci() {
		return literal(s)
	}
	var seq []*Node
	for _, c := range s {
		seq = append(seq, p.char(c))
	}
	return concat(seq...)
}

// predefined reads a backslash escape at the current position as Lucene's
// matchPredefinedCharacterClass does: \d \D \s \S \w \W, "\\" (a
// backslash, which then cannot start a range), or an error for a
// backslash before another ASCII letter ("it is an error to use a
// backslash prior to any alphabetic character that does not denote an
// escaped construct", java.util.regex.Pattern). Other escapes consume the
// backslash and leave the character to charExp.
func (p *parser) predefined() ([]Range, bool, error) {
	at := p.pos
	if !p.match('\\') {
		return nil, false, nil
	}
	if !p.more() {
		return nil, false, nil
	}
	r, size := utf8.DecodeRuneInString(p.src[p.pos:])
	switch r {
	case 'd', 'D', 's', 'S', 'w', 'W':
		p.pos += size
		var rs []Range
		switch unicode.ToLower(r) {
		case 'd':
			rs = digitRanges
		case 's':
			rs = spaceRanges
		default:
			rs = wordRanges
		}
		if unicode.IsUpper(r) {
			rs = negateRanges(rs)
		}
		return rs, true, nil
	case '\\':
		p.pos += size
		return p.charRanges('\\'), true, nil
	}
	if r < utf8.RuneSelf && unicode.IsLetter(r) {
		return nil, false, p.errorf(at, "invalid character class \\%c", r)
	}
	return nil, false, nil
}

// charExp reads a character, optionally escaped by a backslash.
func (p *parser) charExp() (rune, error) {
	p.match('\\')
	return p.next()
}

func (p *parser) simple() (*Node, error) {
	start := p.pos
	switch {
	case p.match('.'):
		return charSet(slices.Clone(anyChar)), nil
	case p.check(Empty) && p.match('#'):
		return nothing(), nil
	case p.check(AnyString) && p.match('@'):
		return anyString(), nil
	case p.match('"'):
		from := p.pos
		end := strings.IndexByte(p.src[from:], '"')
		if end < 0 {
			p.pos = len(p.src)
			return nil, p.errorf(p.pos, "expected '\"'")
		}
		p.pos = from + end + 1
		return p.text(p.src[from : from+end]), nil
	case p.match('('):
		if p.match(')') {
			return literal(""), nil
		}
		n, err := p.union()
		if err != nil {
			return nil, err
		}
		if !p.match(')') {
			return nil, p.errorf(p.pos, "expected ')'")
		}
		return n, nil
	case p.check(Automaton|Interval) && p.match('<'):
		from := p.pos
		end := strings.IndexByte(p.src[from:], '>')
		if end < 0 {
			p.pos = len(p.src)
			return nil, p.errorf(p.pos, "expected '>'")
		}
		p.pos = from + end + 1
		return p.interval(p.src[from:from+end], start)
	}
	if rs, ok, err := p.predefined(); err != nil || ok {
		if err != nil {
			return nil, err
		}
		return charSet(normalizeRanges(rs)), nil
	}
	c, err := p.charExp()
	if err != nil {
		return nil, err
	}
	return p.char(c), nil
}

// interval reads the inside s of "<...>" (start is the offset of "<"), as
// RegExp.parseSimpleExp does: without a "-" it is a named automaton, with
// one "-" between two numbers (Java's Integer.parseInt) a decimal
// interval. The bounds may come in either order; when both are written
// with as many characters, the numbers must have that many digits.
func (p *parser) interval(s string, start int) (*Node, error) {
	end := p.pos - 1 // the ">"
	i := strings.IndexByte(s, '-')
	if i < 0 {
		if !p.check(Automaton) {
			return nil, p.errorf(end, "interval syntax error")
		}
		// Lucene parses a named automaton and fails when it builds the
		// automaton: a query provides none.
		return nil, p.errorf(start, "'%s' not found", s)
	}
	if !p.check(Interval) {
		return nil, p.errorf(end, "illegal identifier")
	}
	if i == 0 || i == len(s)-1 || i != strings.LastIndexByte(s, '-') {
		return nil, p.errorf(end, "interval syntax error")
	}
	smin, smax := s[:i], s[i+1:]
	lo, ok1 := javaParseInt(smin)
	hi, ok2 := javaParseInt(smax)
	if !ok1 || !ok2 || lo < 0 || hi < 0 {
		return nil, p.errorf(end, "interval syntax error")
	}
	// Java's String.length counts UTF-16 units; the digits parseInt takes
	// are in the Basic Multilingual Plane, one unit each.
	digits := 0
	if n := utf8.RuneCountInString(smin); n == utf8.RuneCountInString(smax) {
		digits = n
	}
	if digits > MaxIntervalDigits {
		return nil, p.errorf(start, "interval width %d over the limit of %d digits", digits, MaxIntervalDigits)
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	return interval(lo, hi, digits), nil
}

// javaParseInt parses s as Java's Integer.parseInt(s) (radix 10) does: an
// optional "+" or "-", then one or more decimal digits, in int range. A
// digit is any character Character.digit accepts: the decimal digits (Nd)
// of every script, one UTF-16 unit each, so of the Basic Multilingual
// Plane.
func javaParseInt(s string) (int, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	v := int64(0)
	for _, r := range s {
		d := digitValue(r)
		if d < 0 {
			return 0, false
		}
		v = v*10 + int64(d)
		if v > 1<<31 {
			return 0, false
		}
	}
	if neg {
		v = -v
	}
	if v > 1<<31-1 || v < -1<<31 {
		return 0, false
	}
	return int(v), true
}

// digitValue is the value of a decimal digit of the Basic Multilingual
// Plane, -1 for anything else. Unicode encodes each script's decimal
// digits as a contiguous run from 0 to 9.
func digitValue(r rune) int {
	if r >= '0' && r <= '9' {
		return int(r - '0')
	}
	if r > 0xFFFF || !unicode.IsDigit(r) {
		return -1
	}
	zero := r
	for zero > 0 && unicode.IsDigit(zero-1) {
		zero--
	}
	return int(r-zero) % 10
}
