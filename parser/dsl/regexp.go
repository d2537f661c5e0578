package dsl

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file is a Lucene regular expression (RegExp) parser and matcher,
// written for the evaluator: Elasticsearch's regexp query compiles its
// pattern with Lucene's RegExp, anchored at both ends, over code points.
//
// Syntax (Lucene's grammar): union "|", intersection "&" (INTERSECTION),
// concatenation, repetition "? * + {n} {n,} {n,m}", complement "~"
// (COMPLEMENT, binds tighter than repetition), character classes "[a-z]"
// and "[^...]", "." any character, "#" the empty language (EMPTY), "@" any
// string (ANYSTRING), "\"...\"" a literal string, "()" the empty string,
// "<n-m>" a decimal interval (INTERVAL), "\d \D \s \S \w \W", and "\c" for
// a literal c (a backslash before another ASCII letter is an error). An
// operator whose flag is off is an ordinary character. Case-insensitive
// matching (ASCII_CASE_INSENSITIVE) applies to single characters and
// strings, not to ranges, as in Lucene.

// Regexp syntax flags, as Lucene and Elasticsearch's "flags" name them.
const (
	flagIntersection = 0x01
	flagComplement   = 0x02
	flagEmpty        = 0x04
	flagAnyString    = 0x08
	flagAutomaton    = 0x10
	flagInterval     = 0x20
	flagsAll         = 0xff
)

// regexFlags reads Elasticsearch's "flags": names joined by "|".
func regexFlags(s string) (int, error) {
	if strings.TrimSpace(s) == "" {
		return flagsAll, nil
	}
	f := 0
	for _, name := range strings.Split(s, "|") {
		switch strings.ToUpper(strings.TrimSpace(name)) {
		case "ALL":
			f |= flagsAll
		case "NONE":
		case "INTERSECTION":
			f |= flagIntersection
		case "COMPLEMENT":
			f |= flagComplement
		case "EMPTY":
			f |= flagEmpty
		case "ANYSTRING":
			f |= flagAnyString
		case "INTERVAL":
			f |= flagInterval
		default:
			return 0, fmt.Errorf("unknown regexp flag [%s]", strings.TrimSpace(name))
		}
	}
	return f, nil
}

type rxKind uint8

const (
	rxSet      rxKind = iota // one character out of ranges (negated with neg)
	rxStr                    // a literal string
	rxNothing                // "#": the empty language
	rxAnyStr                 // "@"
	rxConcat                 // subs in order; no subs: the empty string
	rxUnion                  // any of subs
	rxInter                  // all of subs
	rxCompl                  // not subs[0]
	rxRepeat                 // subs[0] min..max times (max < 0: unbounded)
	rxInterval               // a decimal number in [min, max]
)

type runeRange struct{ lo, hi rune }

type rxNode struct {
	kind   rxKind
	ranges []runeRange // rxSet
	neg    bool        // rxSet: every character but ranges
	str    []rune      // rxStr
	ci     bool        // rxStr: ASCII letters in either case
	subs   []*rxNode
	min    int // rxRepeat, rxInterval
	max    int
	digits int // rxInterval: exact width, 0 for any (leading zeros allowed)
	minS   string
	maxS   string // rxInterval bounds as decimal strings
	id     int    // index for memoization
}

// regexError is an invalid Lucene regular expression.
type regexError struct {
	Offset int
	Msg    string
}

func (e *regexError) Error() string { return fmt.Sprintf("%s at position %d", e.Msg, e.Offset) }

type rxParser struct {
	src   string
	pos   int
	flags int
	ci    bool
	depth int
	nodes int
}

const maxRegexDepth = 500

func (p *rxParser) node(n *rxNode) *rxNode {
	n.id = p.nodes
	p.nodes++
	return n
}

func (p *rxParser) errf(format string, args ...any) error {
	return &regexError{Offset: p.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *rxParser) check(f int) bool { return p.flags&f != 0 }
func (p *rxParser) more() bool       { return p.pos < len(p.src) }

func (p *rxParser) peek(set string) bool {
	if !p.more() {
		return false
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return strings.ContainsRune(set, r)
}

func (p *rxParser) match(c rune) bool {
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

func (p *rxParser) next() (rune, error) {
	if !p.more() {
		return 0, p.errf("unexpected end-of-string")
	}
	r, size := utf8.DecodeRuneInString(p.src[p.pos:])
	p.pos += size
	return r, nil
}

func (p *rxParser) union() (*rxNode, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxRegexDepth {
		return nil, p.errf("nesting too deep")
	}
	var alts []*rxNode
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
	if len(alts) == 1 {
		return alts[0], nil
	}
	return p.node(&rxNode{kind: rxUnion, subs: alts}), nil
}

func (p *rxParser) inter() (*rxNode, error) {
	var all []*rxNode
	for {
		n, err := p.concat()
		if err != nil {
			return nil, err
		}
		all = append(all, n)
		if !p.check(flagIntersection) || !p.match('&') {
			break
		}
	}
	if len(all) == 1 {
		return all[0], nil
	}
	return p.node(&rxNode{kind: rxInter, subs: all}), nil
}

func (p *rxParser) concat() (*rxNode, error) {
	var seq []*rxNode
	for {
		n, err := p.repeat()
		if err != nil {
			return nil, err
		}
		seq = append(seq, n)
		if !p.more() || p.peek(")|") || (p.check(flagIntersection) && p.peek("&")) {
			break
		}
	}
	if len(seq) == 1 {
		return seq[0], nil
	}
	return p.node(&rxNode{kind: rxConcat, subs: seq}), nil
}

func (p *rxParser) repeat() (*rxNode, error) {
	n, err := p.complement()
	if err != nil {
		return nil, err
	}
	for p.peek("?*+{") {
		switch {
		case p.match('?'):
			n = p.node(&rxNode{kind: rxRepeat, subs: []*rxNode{n}, min: 0, max: 1})
		case p.match('*'):
			n = p.node(&rxNode{kind: rxRepeat, subs: []*rxNode{n}, min: 0, max: -1})
		case p.match('+'):
			n = p.node(&rxNode{kind: rxRepeat, subs: []*rxNode{n}, min: 1, max: -1})
		case p.match('{'):
			lo, ok, err := p.integer()
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, p.errf("integer expected")
			}
			hi := lo
			if p.match(',') {
				v, ok, err := p.integer()
				if err != nil {
					return nil, err
				}
				hi = -1
				if ok {
					hi = v
				}
			}
			if !p.match('}') {
				return nil, p.errf("expected '}'")
			}
			n = p.node(&rxNode{kind: rxRepeat, subs: []*rxNode{n}, min: lo, max: hi})
		}
	}
	return n, nil
}

// integer reads decimal digits as a Java int.
func (p *rxParser) integer() (int, bool, error) {
	start := p.pos
	for p.peek("0123456789") {
		p.pos++
	}
	if p.pos == start {
		return 0, false, nil
	}
	v, err := strconv.ParseInt(p.src[start:p.pos], 10, 32)
	if err != nil {
		return 0, false, p.errf("number out of range")
	}
	return int(v), true, nil
}

func (p *rxParser) complement() (*rxNode, error) {
	count := 0
	for p.check(flagComplement) && p.match('~') {
		count++
	}
	n, err := p.charClass()
	if err != nil {
		return nil, err
	}
	for ; count > 0; count-- {
		n = p.node(&rxNode{kind: rxCompl, subs: []*rxNode{n}})
	}
	return n, nil
}

func (p *rxParser) charClass() (*rxNode, error) {
	if !p.match('[') {
		return p.simple()
	}
	neg := p.match('^')
	var rs []runeRange
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
		return nil, p.errf("expected ']'")
	}
	return p.node(&rxNode{kind: rxSet, ranges: rs, neg: neg}), nil
}

// classItem reads one item of a character class: a predefined class, a
// character or a range.
func (p *rxParser) classItem() ([]runeRange, error) {
	if rs, ok, err := p.predefined(); err != nil || ok {
		return rs, err
	}
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
			return nil, p.errf("invalid range: from (%d) cannot be > to (%d)", c, d)
		}
		return []runeRange{{c, d}}, nil
	}
	return p.charRanges(c), nil
}

// charRanges is a single character, with its other ASCII case when
// matching case-insensitively.
func (p *rxParser) charRanges(c rune) []runeRange {
	rs := []runeRange{{c, c}}
	if p.ci {
		if alt := asciiAltCase(c); alt != c {
			rs = append(rs, runeRange{alt, alt})
		}
	}
	return rs
}

// asciiAltCase is Lucene's case-insensitive alternative of a character
// (code points up to 128 only).
func asciiAltCase(c rune) rune {
	if c > 128 {
		return c
	}
	if unicode.IsLower(c) {
		return unicode.ToUpper(c)
	}
	return unicode.ToLower(c)
}

var (
	digitRanges = []runeRange{{'0', '9'}}
	spaceRanges = []runeRange{{'\t', '\n'}, {'\r', '\r'}, {' ', ' '}}
	wordRanges  = []runeRange{{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}
)

// predefined reads a backslash escape at the current position: \d \D \s \S
// \w \W, "\\", or an error for a backslash before another ASCII letter.
// Other escapes consume the backslash and leave the character to charExp,
// as Lucene does.
func (p *rxParser) predefined() ([]runeRange, bool, error) {
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
		var rs []runeRange
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
	if r < 0x80 && unicode.IsLetter(r) {
		return nil, false, p.errf("invalid character class \\%c", r)
	}
	return nil, false, nil
}

// charExp reads a character, optionally escaped by a backslash.
func (p *rxParser) charExp() (rune, error) {
	p.match('\\')
	return p.next()
}

func (p *rxParser) simple() (*rxNode, error) {
	switch {
	case p.match('.'):
		return p.node(&rxNode{kind: rxSet, neg: true}), nil
	case p.check(flagEmpty) && p.match('#'):
		return p.node(&rxNode{kind: rxNothing}), nil
	case p.check(flagAnyString) && p.match('@'):
		return p.node(&rxNode{kind: rxAnyStr}), nil
	case p.match('"'):
		start := p.pos
		end := strings.IndexByte(p.src[start:], '"')
		if end < 0 {
			p.pos = len(p.src)
			return nil, p.errf("expected '\"'")
		}
		p.pos = start + end + 1
		return p.node(&rxNode{kind: rxStr, str: []rune(p.src[start : start+end]), ci: p.ci}), nil
	case p.match('('):
		if p.match(')') {
			return p.node(&rxNode{kind: rxConcat}), nil
		}
		n, err := p.union()
		if err != nil {
			return nil, err
		}
		if !p.match(')') {
			return nil, p.errf("expected ')'")
		}
		return n, nil
	case (p.check(flagAutomaton) || p.check(flagInterval)) && p.match('<'):
		start := p.pos
		end := strings.IndexByte(p.src[start:], '>')
		if end < 0 {
			p.pos = len(p.src)
			return nil, p.errf("expected '>'")
		}
		p.pos = start + end + 1
		return p.interval(p.src[start : start+end])
	}
	if rs, ok, err := p.predefined(); err != nil || ok {
		if err != nil {
			return nil, err
		}
		return p.node(&rxNode{kind: rxSet, ranges: rs}), nil
	}
	c, err := p.charExp()
	if err != nil {
		return nil, err
	}
	return p.node(&rxNode{kind: rxSet, ranges: p.charRanges(c)}), nil
}

// interval reads the inside of "<n-m>".
func (p *rxParser) interval(s string) (*rxNode, error) {
	i := strings.IndexByte(s, '-')
	if i < 0 {
		if p.check(flagAutomaton) {
			return nil, p.errf("'%s' not found", s)
		}
		return nil, p.errf("interval syntax error")
	}
	if !p.check(flagInterval) {
		return nil, p.errf("illegal identifier")
	}
	if i == 0 || i == len(s)-1 || i != strings.LastIndexByte(s, '-') {
		return nil, p.errf("interval syntax error")
	}
	smin, smax := s[:i], s[i+1:]
	lo, err1 := javaInt(smin)
	hi, err2 := javaInt(smax)
	if err1 != nil || err2 != nil {
		return nil, p.errf("interval syntax error")
	}
	digits := 0
	if len(smin) == len(smax) {
		digits = len(smin)
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	return p.node(&rxNode{kind: rxInterval, min: lo, max: hi, digits: digits,
		minS: strconv.Itoa(lo), maxS: strconv.Itoa(hi)}), nil
}

// javaInt parses like Java's Integer.parseInt (an optional sign, then
// ASCII digits, in int range); negative values are refused, since an
// interval holds non-negative numbers.
func javaInt(s string) (int, error) {
	t := strings.TrimPrefix(s, "+")
	if t == "" || strings.ContainsAny(t[:1], "+-") {
		return 0, strconv.ErrSyntax
	}
	v, err := strconv.ParseInt(t, 10, 32)
	if err != nil || v < 0 {
		return 0, strconv.ErrSyntax
	}
	return int(v), nil
}

func negateRanges(rs []runeRange) []runeRange {
	rs = normalizeRanges(rs)
	var out []runeRange
	next := rune(0)
	for _, r := range rs {
		if r.lo > next {
			out = append(out, runeRange{next, r.lo - 1})
		}
		next = r.hi + 1
	}
	if next <= unicode.MaxRune {
		out = append(out, runeRange{next, unicode.MaxRune})
	}
	return out
}

func normalizeRanges(rs []runeRange) []runeRange {
	out := append([]runeRange(nil), rs...)
	// insertion sort: classes are short
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].lo < out[j-1].lo; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	merged := out[:0]
	for _, r := range out {
		if n := len(merged); n > 0 && r.lo <= merged[n-1].hi+1 {
			if r.hi > merged[n-1].hi {
				merged[n-1].hi = r.hi
			}
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

func (n *rxNode) has(c rune) bool {
	in := false
	for _, r := range n.ranges {
		if c >= r.lo && c <= r.hi {
			in = true
			break
		}
	}
	return in != n.neg
}

// ---- matching ----

// compiledRegex is a parsed regular expression ready to match.
type compiledRegex struct {
	root  *rxNode
	nodes int
}

func compileRegex(src string, flags int, ci bool) (*compiledRegex, error) {
	p := &rxParser{src: src, flags: flags, ci: ci}
	var root *rxNode
	if src == "" {
		root = p.node(&rxNode{kind: rxStr})
	} else {
		if !utf8.ValidString(src) {
			return nil, &regexError{0, "invalid UTF-8"}
		}
		n, err := p.union()
		if err != nil {
			return nil, err
		}
		if p.pos < len(src) {
			return nil, p.errf("end-of-string expected")
		}
		root = n
	}
	return &compiledRegex{root: root, nodes: p.nodes}, nil
}

// bitset is a set of positions 0..n.
type bitset []uint64

func newBitset(n int) bitset    { return make(bitset, (n+64)/64) }
func (b bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) get(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) or(c bitset) {
	for i := range b {
		b[i] |= c[i]
	}
}
func (b bitset) and(c bitset) {
	for i := range b {
		b[i] &= c[i]
	}
}
func (b bitset) equal(c bitset) bool {
	for i := range b {
		if b[i] != c[i] {
			return false
		}
	}
	return true
}
func (b bitset) empty() bool {
	for _, w := range b {
		if w != 0 {
			return false
		}
	}
	return true
}
func (b bitset) each(fn func(i int)) {
	for k, w := range b {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			fn(k*64 + t)
			w &= w - 1
		}
	}
}

// rxMatcher computes, for a node and a start position, the set of end
// positions where the node matches the input: intersection and complement
// are then set operations. Results of composite nodes are memoized.
type rxMatcher struct {
	in      []rune
	memo    [][]bitset // [node id][start]
	runEnds map[*rxNode][]int
}

// Match reports whether the whole of s matches.
func (c *compiledRegex) Match(s string) bool {
	m := &rxMatcher{in: []rune(s), memo: make([][]bitset, c.nodes)}
	return m.ends(c.root, 0).get(len(m.in))
}

func (m *rxMatcher) ends(n *rxNode, i int) bitset {
	size := len(m.in)
	switch n.kind {
	case rxSet:
		b := newBitset(size)
		if i < size && n.has(m.in[i]) {
			b.set(i + 1)
		}
		return b
	case rxStr:
		b := newBitset(size)
		if i+len(n.str) <= size {
			for k, c := range n.str {
				r := m.in[i+k]
				if r != c && !(n.ci && r == asciiAltCase(c)) {
					return b
				}
			}
			b.set(i + len(n.str))
		}
		return b
	case rxNothing:
		return newBitset(size)
	case rxAnyStr:
		b := newBitset(size)
		for j := i; j <= size; j++ {
			b.set(j)
		}
		return b
	}
	if memo := m.memo[n.id]; memo != nil && memo[i] != nil {
		return memo[i]
	}
	var b bitset
	switch n.kind {
	case rxConcat:
		b = newBitset(size)
		b.set(i)
		for _, s := range n.subs {
			b = m.step(s, b)
			if b.empty() {
				break
			}
		}
	case rxUnion:
		b = newBitset(size)
		for _, s := range n.subs {
			b.or(m.ends(s, i))
		}
	case rxInter:
		b = newBitset(size)
		for j := i; j <= size; j++ {
			b.set(j)
		}
		for _, s := range n.subs {
			b.and(m.ends(s, i))
		}
	case rxCompl:
		sub := m.ends(n.subs[0], i)
		b = newBitset(size)
		for j := i; j <= size; j++ {
			if !sub.get(j) {
				b.set(j)
			}
		}
	case rxRepeat:
		b = m.repeat(n, i)
	case rxInterval:
		b = newBitset(size)
		for j := i; j < size && m.in[j] >= '0' && m.in[j] <= '9'; j++ {
			if n.inInterval(string(m.in[i : j+1])) {
				b.set(j + 1)
			}
		}
	}
	if m.memo[n.id] == nil {
		m.memo[n.id] = make([]bitset, size+1)
	}
	m.memo[n.id][i] = b
	return b
}

// step returns the end positions of n started from every position of from.
func (m *rxMatcher) step(n *rxNode, from bitset) bitset {
	size := len(m.in)
	out := newBitset(size)
	switch n.kind {
	case rxSet:
		from.each(func(j int) {
			if j < size && n.has(m.in[j]) {
				out.set(j + 1)
			}
		})
	case rxNothing:
	case rxAnyStr:
		first := -1
		from.each(func(j int) {
			if first < 0 {
				first = j
			}
		})
		if first >= 0 {
			for j := first; j <= size; j++ {
				out.set(j)
			}
		}
	case rxRepeat:
		if n.subs[0].kind == rxSet && n.max < 0 {
			// A class repeated without bound: from j, every end from j+min
			// to the end of the run of class characters starting at j.
			// Runs end in increasing order, so the union is one pass.
			runs := m.runs(n.subs[0])
			hi := -1
			from.each(func(j int) {
				end := runs[j]
				for p := max(j+n.min, hi+1); p <= end; p++ {
					out.set(p)
				}
				hi = max(hi, end)
			})
			break
		}
		fallthrough
	default:
		from.each(func(j int) { out.or(m.ends(n, j)) })
	}
	return out
}

// runs returns, for each position j, the end of the longest run of
// characters of the class set starting at j (j itself when none).
func (m *rxMatcher) runs(set *rxNode) []int {
	if m.runEnds == nil {
		m.runEnds = map[*rxNode][]int{}
	}
	if r, ok := m.runEnds[set]; ok {
		return r
	}
	size := len(m.in)
	r := make([]int, size+1)
	r[size] = size
	for j := size - 1; j >= 0; j-- {
		if set.has(m.in[j]) {
			r[j] = r[j+1]
		} else {
			r[j] = j
		}
	}
	m.runEnds[set] = r
	return r
}

// repeat matches n.subs[0] between n.min and n.max times. Each round is a
// function of the previous set of positions, which either grows (the
// operand matches the empty string) or moves strictly right, so a fixpoint
// or the empty set comes within len(input)+1 rounds whatever the counts.
func (m *rxMatcher) repeat(n *rxNode, i int) bitset {
	size := len(m.in)
	sub := n.subs[0]
	if n.max >= 0 && n.min > n.max {
		return newBitset(size)
	}
	cur := newBitset(size)
	cur.set(i)
	if sub.kind == rxSet && n.max < 0 {
		return m.step(n, cur)
	}
	for k := 0; k < n.min; k++ {
		next := m.step(sub, cur)
		if next.empty() {
			return next
		}
		if next.equal(cur) {
			break
		}
		cur = next
	}
	acc := append(bitset(nil), cur...)
	if n.max < 0 {
		// Closure: only positions reached for the first time go on.
		frontier := cur
		for {
			next := m.step(sub, frontier)
			fresh := false
			for w := range next {
				next[w] &^= acc[w]
				if next[w] != 0 {
					fresh = true
				}
			}
			if !fresh {
				return acc
			}
			acc.or(next)
			frontier = next
		}
	}
	for k := n.min; k < n.max; k++ {
		next := m.step(sub, cur)
		if next.empty() || next.equal(cur) {
			break
		}
		acc.or(next)
		cur = next
	}
	return acc
}

// inInterval reports whether the digits s are a number of the interval.
func (n *rxNode) inInterval(s string) bool {
	if n.digits > 0 && len(s) != n.digits {
		return false
	}
	v := strings.TrimLeft(s, "0")
	if v == "" {
		v = "0"
	}
	return compareDecimal(v, n.minS) >= 0 && compareDecimal(v, n.maxS) <= 0
}

// compareDecimal compares non-negative decimal strings without leading zeros.
func compareDecimal(a, b string) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// ---- rendering for the solver ----

// regexSpecial are the characters that must be escaped to be literal in
// Lucene syntax with every operator enabled; classSpecial those escaped
// inside a character class.
const (
	regexSpecial = `.?*+{}[]()|&~#@"<>\`
	classSpecial = regexSpecial + "^-"
)

// canonical renders the parsed expression in Lucene syntax with every
// operator enabled and case-insensitivity spelled out as character classes,
// so that a consumer assuming the default flags and case-sensitive matching
// reads the same language.
func (n *rxNode) canonical() string {
	var b strings.Builder
	n.render(&b)
	return b.String()
}

func writeRegexChar(b *strings.Builder, c rune, special string) {
	if c < 0x80 && strings.ContainsRune(special, c) {
		b.WriteByte('\\')
	}
	b.WriteRune(c)
}

func (n *rxNode) render(b *strings.Builder) {
	switch n.kind {
	case rxSet:
		if n.neg && len(n.ranges) == 0 {
			b.WriteByte('.')
			return
		}
		if !n.neg && len(n.ranges) == 1 && n.ranges[0].lo == n.ranges[0].hi {
			writeRegexChar(b, n.ranges[0].lo, regexSpecial)
			return
		}
		b.WriteByte('[')
		if n.neg {
			b.WriteByte('^')
		}
		for _, r := range normalizeRanges(n.ranges) {
			writeRegexChar(b, r.lo, classSpecial)
			if r.hi != r.lo {
				b.WriteByte('-')
				writeRegexChar(b, r.hi, classSpecial)
			}
		}
		b.WriteByte(']')
	case rxStr:
		if len(n.str) == 0 {
			b.WriteString("()")
			return
		}
		for _, c := range n.str {
			if alt := asciiAltCase(c); n.ci && alt != c {
				b.WriteByte('[')
				writeRegexChar(b, c, classSpecial)
				writeRegexChar(b, alt, classSpecial)
				b.WriteByte(']')
				continue
			}
			writeRegexChar(b, c, regexSpecial)
		}
	case rxNothing:
		b.WriteByte('#')
	case rxAnyStr:
		b.WriteByte('@')
	case rxConcat:
		if len(n.subs) == 0 {
			b.WriteString("()")
			return
		}
		for _, s := range n.subs {
			s.renderIn(b, rxConcat)
		}
	case rxUnion:
		for i, s := range n.subs {
			if i > 0 {
				b.WriteByte('|')
			}
			s.renderIn(b, rxUnion)
		}
	case rxInter:
		for i, s := range n.subs {
			if i > 0 {
				b.WriteByte('&')
			}
			s.renderIn(b, rxInter)
		}
	case rxCompl:
		b.WriteByte('~')
		n.subs[0].renderIn(b, rxCompl)
	case rxRepeat:
		n.subs[0].renderIn(b, rxRepeat)
		switch {
		case n.min == 0 && n.max == 1:
			b.WriteByte('?')
		case n.min == 0 && n.max < 0:
			b.WriteByte('*')
		case n.min == 1 && n.max < 0:
			b.WriteByte('+')
		case n.max < 0:
			fmt.Fprintf(b, "{%d,}", n.min)
		case n.min == n.max:
			fmt.Fprintf(b, "{%d}", n.min)
		default:
			fmt.Fprintf(b, "{%d,%d}", n.min, n.max)
		}
	case rxInterval:
		lo, hi := n.minS, n.maxS
		if n.digits > 0 {
			lo = strings.Repeat("0", n.digits-len(lo)) + lo
			hi = strings.Repeat("0", n.digits-len(hi)) + hi
		} else if len(lo) == len(hi) {
			// Different widths keep "any number of leading zeros".
			lo = "0" + lo
		}
		b.WriteString("<" + lo + "-" + hi + ">")
	}
}

// renderIn renders n as an operand of an operator of kind parent,
// parenthesized when it binds looser.
func (n *rxNode) renderIn(b *strings.Builder, parent rxKind) {
	prec := func(k rxKind) int {
		switch k {
		case rxUnion:
			return 1
		case rxInter:
			return 2
		case rxConcat:
			return 3
		case rxRepeat:
			return 4
		case rxCompl:
			return 5
		}
		return 6
	}
	p := prec(n.kind)
	if n.kind == rxStr && len(n.str) > 1 {
		p = 3 // a string renders as a concatenation
	}
	if n.kind == rxStr && len(n.str) == 1 && n.ci && asciiAltCase(n.str[0]) != n.str[0] {
		p = 6
	}
	if n.kind == rxConcat && len(n.subs) == 0 {
		p = 6 // "()"
	}
	need := p <= prec(parent)
	if parent == rxUnion || parent == rxInter {
		need = p < prec(parent)
	}
	if parent == rxConcat {
		need = p < prec(parent)
	}
	if parent == rxRepeat && n.kind == rxCompl {
		// "~a*" is (~a)*: complement binds tighter than repetition.
		need = false
	}
	if need {
		b.WriteByte('(')
		n.render(b)
		b.WriteByte(')')
		return
	}
	n.render(b)
}
