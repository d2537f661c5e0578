package esql

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/emit-sec/emit/es/regexp"
)

// Java regular expressions (REPLACE's pattern; GROK's, which Joni reads
// the same way for what rules write) read into the language of one
// match, as a Lucene tree: what a value must hold for the pattern to find
// a match in it. Lookarounds narrow the rest of their sequence (a
// negative lookahead "(?!x)" before "y" is "y" without what starts with
// "x"); a word boundary \b reads as the empty string, which a check of
// the generated value confirms. What has no such reading (backreferences,
// Unicode classes, possessive effects) is an error.

// jregex is a parsed Java pattern: the language of a match, and whether
// the pattern is anchored at the start (^, \A) or end ($, \z).
type jregex struct {
	n                      *regexp.Node
	anchorStart, anchorEnd bool
	// lines: the anchors are line anchors (GROK's Oniguruma syntax), met
	// at the value's ends and at its line breaks.
	lines bool
	// groups are the named groups' languages, by name.
	groups map[string]*regexp.Node
}

// javaRegex reads a Java pattern as the set of strings that contain a
// match (or are one, where the pattern is anchored).
func javaSet(src string) (*regexp.Node, error) {
	j, err := parseJava(src)
	if err != nil {
		return nil, err
	}
	return j.n, nil
}

// findSet is the set of strings in which the pattern finds a match.
func (j *jregex) findSet() *regexp.Node {
	parts := []*regexp.Node{}
	switch {
	case !j.anchorStart:
		parts = append(parts, anyStr())
	case j.lines:
		parts = append(parts, linesBefore())
	}
	parts = append(parts, j.n)
	switch {
	case !j.anchorEnd:
		parts = append(parts, anyStr())
	case j.lines:
		parts = append(parts, linesAfter())
	}
	return regexp.Concat(parts...)
}

// inLines is n where line anchors let other lines come before (a match
// that starts at a line's start) and after (one that ends at a line's
// end): Oniguruma's ^ and $ match after and before a "\n".
func (j *jregex) inLines(n *regexp.Node) *regexp.Node {
	if !j.lines {
		return n
	}
	parts := []*regexp.Node{}
	if j.anchorStart {
		parts = append(parts, linesBefore())
	}
	parts = append(parts, n)
	if j.anchorEnd {
		parts = append(parts, linesAfter())
	}
	return regexp.Concat(parts...)
}

// linesBefore is nothing, or lines ending in "\n"; linesAfter is
// nothing, or "\n" and lines.
func linesBefore() *regexp.Node {
	return regexp.Union(regexp.Literal(""), regexp.Concat(anyStr(), regexp.Literal("\n")))
}

func linesAfter() *regexp.Node {
	return regexp.Union(regexp.Literal(""), regexp.Concat(regexp.Literal("\n"), anyStr()))
}

type jparser struct {
	src string
	pos int
	ci  bool
	// multiline: (?m), ^ and $ match at line ends.
	multiline bool
	// noLazy reads lazy repetitions as greedy ones (the set of strings a
	// pattern finds a match in does not depend on them).
	noLazy bool
	// lastLazy: the item just read is a lazy repetition (x*?, x+?);
	// wasLazyGroup: the group just closed held only one.
	lastLazy, wasLazyGroup bool
	groups                 map[string]*regexp.Node
	// named maps a group name to a language the caller substitutes for
	// the group's own (the conditions on a GROK key).
	named map[string]*regexp.Node
	// lines reads ^ and $ as line anchors, always (Oniguruma's Ruby
	// syntax, which GROK runs).
	lines bool
	// innerAnchorsNever reads an anchor inside the pattern as matching
	// nowhere: "a|b$" as "a", a part of the matches, for a reading that
	// asks for matches and keeps only values the evaluator confirms.
	innerAnchorsNever bool
}

// javaSetSome is javaSet where a part of the matches will do (a least
// count of matches the generated value's check confirms): an anchor
// inside the pattern matches nowhere, so that its alternative drops out.
func javaSetSome(src string) (*regexp.Node, error) {
	p := &jparser{src: src, groups: map[string]*regexp.Node{}, innerAnchorsNever: true}
	j, err := p.parse()
	if err != nil {
		return nil, err
	}
	return j.n, nil
}

func parseJava(src string) (*jregex, error) {
	p := &jparser{src: src, groups: map[string]*regexp.Node{}}
	return p.parse()
}

func (p *jparser) parse() (*jregex, error) {
	j := &jregex{groups: p.groups, lines: p.lines}
	if p.lines {
		p.multiline = true
	}
	// Leading inline flags ("(?im)") apply to the whole pattern.
	if m := leadingFlags(p.src); m != "" {
		for _, f := range m[2 : len(m)-1] {
			switch f {
			case 'i':
				p.ci = true
			case 'm':
				p.multiline = true
			}
		}
		p.src = p.src[len(m):]
	}
	if strings.HasPrefix(p.src, "^") {
		j.anchorStart = true
		p.pos = 1
	} else if strings.HasPrefix(p.src, `\A`) {
		j.anchorStart = true
		p.pos = 2
	}
	end := len(p.src)
	switch {
	case strings.HasSuffix(p.src, `\z`) || strings.HasSuffix(p.src, `\Z`):
		if !strings.HasSuffix(p.src, `\\z`) {
			j.anchorEnd = true
			end -= 2
		}
	case strings.HasSuffix(p.src, "$") && !strings.HasSuffix(p.src, `\$`):
		j.anchorEnd = true
		end--
	}
	full := p.src
	p.src = full[:end]
	n, err := p.alt()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.src) {
		return nil, p.errf("unexpected %q", p.src[p.pos:p.pos+1])
	}
	j.n = n
	return j, nil
}

func (p *jparser) errf(format string, args ...any) error {
	return fmt.Errorf("at %d: %s", p.pos, fmt.Sprintf(format, args...))
}

func (p *jparser) more() bool { return p.pos < len(p.src) }

func (p *jparser) peek() byte { return p.src[p.pos] }

func (p *jparser) alt() (*regexp.Node, error) {
	var alts []*regexp.Node
	for {
		n, err := p.seq()
		if err != nil {
			return nil, err
		}
		alts = append(alts, n)
		if p.more() && p.peek() == '|' {
			p.pos++
			continue
		}
		break
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return regexp.Union(alts...), nil
}

// lookaround is a zero-width assertion on what follows.
type lookaround struct {
	n   *regexp.Node
	neg bool
}

func (p *jparser) seq() (*regexp.Node, error) {
	type item struct {
		n    *regexp.Node
		look *lookaround
		lazy bool
	}
	var items []item
	for p.more() && p.peek() != '|' && p.peek() != ')' {
		n, look, err := p.repeat()
		if err != nil {
			return nil, err
		}
		items = append(items, item{n, look, p.lastLazy})
	}
	// A lazy repetition stops at the first place the rest can match: when
	// the rest starts with text, the repetition does not hold that text.
	for i := 0; i+1 < len(items) && !p.noLazy; i++ {
		if !items[i].lazy || items[i+1].look != nil {
			continue
		}
		if lit := leadingText(items[i+1].n); lit != "" {
			items[i].n = regexp.Intersect(items[i].n, regexp.Complemented(contains(regexp.Literal(lit))))
		}
	}
	// Build from the end: a lookahead narrows everything after it.
	rest := regexp.Literal("")
	for i := len(items) - 1; i >= 0; i-- {
		it := items[i]
		if it.look != nil {
			follow := regexp.Concat(it.look.n, anyStr())
			if it.look.neg {
				rest = regexp.Intersect(rest, regexp.Complemented(follow))
			} else {
				rest = regexp.Intersect(rest, follow)
			}
			continue
		}
		rest = regexp.Concat(it.n, rest)
	}
	return rest, nil
}

func (p *jparser) repeat() (*regexp.Node, *lookaround, error) {
	p.lastLazy = false
	n, look, err := p.atom()
	if err != nil || look != nil {
		return n, look, err
	}
	if n != nil && p.wasLazyGroup {
		// A group whose whole content is a lazy repetition ((?:.*?)).
		p.lastLazy = true
	}
	p.wasLazyGroup = false
	for p.more() {
		min, max := -1, -1
		switch p.peek() {
		case '*':
			min, max = 0, -1
			p.pos++
		case '+':
			min, max = 1, -1
			p.pos++
		case '?':
			min, max = 0, 1
			p.pos++
		case '{':
			end := strings.IndexByte(p.src[p.pos:], '}')
			if end < 0 {
				return nil, nil, p.errf("unclosed {")
			}
			body := p.src[p.pos+1 : p.pos+end]
			lo, hi, ok := strings.Cut(body, ",")
			a, err := strconv.Atoi(lo)
			if err != nil {
				return nil, nil, p.errf("bad repetition {%s}", body)
			}
			min, max = a, a
			if ok {
				max = -1
				if hi != "" {
					b, err := strconv.Atoi(hi)
					if err != nil {
						return nil, nil, p.errf("bad repetition {%s}", body)
					}
					max = b
				}
			}
			if min > regexp.MaxRepeat || max > regexp.MaxRepeat {
				return nil, nil, p.errf("repetition {%s} too large", body)
			}
			p.pos += end + 1
		default:
			return n, nil, nil
		}
		// Lazy and possessive forms match the same strings.
		p.lastLazy = false
		if p.more() && (p.peek() == '?' || p.peek() == '+') {
			p.lastLazy = p.peek() == '?' && max < 0
			p.pos++
		}
		n = regexp.Repeat(n, min, max)
	}
	return n, nil, nil
}

func (p *jparser) atom() (*regexp.Node, *lookaround, error) {
	c := p.peek()
	switch c {
	case '(':
		return p.group()
	case '[':
		rs, err := p.class()
		if err != nil {
			return nil, nil, err
		}
		return regexp.Chars(rs...), nil, nil
	case '.':
		p.pos++
		// Any character but a line terminator.
		return regexp.Chars(negateRanges(lineTermRanges)...), nil, nil
	case '^', '$':
		if !p.multiline && p.innerAnchorsNever {
			p.pos++
			return regexp.Nothing(), nil, nil
		}
		if !p.multiline {
			return nil, nil, p.errf("an anchor inside the pattern")
		}
		// A line anchor: a whole-value match meets it at the start and
		// end (a check of the value confirms the rest).
		p.pos++
		return regexp.Literal(""), nil, nil
	case '\\':
		rs, lit, zero, err := p.escape(false)
		if err != nil {
			return nil, nil, err
		}
		if zero {
			return regexp.Literal(""), nil, nil
		}
		if rs != nil {
			return regexp.Chars(rs...), nil, nil
		}
		return p.lit(lit), nil, nil
	}
	r, size := utf8.DecodeRuneInString(p.src[p.pos:])
	p.pos += size
	return p.lit(r), nil, nil
}

var lineTermRanges = []regexp.Range{{Lo: '\n', Hi: '\n'}, {Lo: '\r', Hi: '\r'}, {Lo: 0x85, Hi: 0x85}, {Lo: 0x2028, Hi: 0x2029}}

// lit is one character, in either case under (?i).
func (p *jparser) lit(r rune) *regexp.Node {
	if p.ci {
		return regexp.Chars(regexp.CaseFold(r)...)
	}
	return regexp.Literal(string(r))
}

func (p *jparser) group() (*regexp.Node, *lookaround, error) {
	p.pos++ // (
	name := ""
	var look *lookaround
	saved := p.ci
	if strings.HasPrefix(p.src[p.pos:], "?") {
		rest := p.src[p.pos+1:]
		switch {
		case strings.HasPrefix(rest, ":"):
			p.pos += 2
		case strings.HasPrefix(rest, "="), strings.HasPrefix(rest, "!"):
			look = &lookaround{neg: rest[0] == '!'}
			p.pos += 2
		case strings.HasPrefix(rest, "<="), strings.HasPrefix(rest, "<!"):
			// A lookbehind looks at what comes before: it reads as the
			// empty string here.
			p.pos += 3
			if _, err := p.alt(); err != nil {
				return nil, nil, err
			}
			if !p.more() || p.peek() != ')' {
				return nil, nil, p.errf("unclosed group")
			}
			p.pos++
			return regexp.Literal(""), nil, nil
		case strings.HasPrefix(rest, "<"):
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				return nil, nil, p.errf("unclosed group name")
			}
			name = rest[1:end]
			p.pos += 1 + end + 1
		case strings.HasPrefix(rest, ">"):
			// Atomic group: the same strings.
			p.pos += 2
		default:
			// Inline flags: (?i) or (?i:...).
			end := strings.IndexAny(rest, ":)")
			if end < 0 {
				return nil, nil, p.errf("bad group")
			}
			flags := rest[:end]
			on := true
			for _, f := range flags {
				switch f {
				case '-':
					on = false
				case 'i':
					p.ci = on
				case 'u', 's', 'm', 'x', 'U', 'd':
					if f == 'x' && on {
						return nil, nil, p.errf("comments mode")
					}
				default:
					return nil, nil, p.errf("flag %c", f)
				}
			}
			p.pos += 1 + end + 1
			if rest[end] == ')' {
				// (?i): for the rest of the enclosing group.
				return regexp.Literal(""), nil, nil
			}
		}
	}
	start := p.pos
	n, err := p.alt()
	if err != nil {
		return nil, nil, err
	}
	if !p.more() || p.peek() != ')' {
		return nil, nil, p.errf("unclosed group")
	}
	body := p.src[start:p.pos]
	p.pos++
	p.ci = saved
	lazy := strings.HasSuffix(body, "*?") || strings.HasSuffix(body, "+?")
	if lazy {
		// Only when the body is one repetition: no "|" at its top.
		depth := 0
		for _, c := range body {
			switch c {
			case '(':
				depth++
			case ')':
				depth--
			case '|':
				if depth == 0 {
					lazy = false
				}
			}
		}
	}
	if name != "" {
		if sub, ok := p.named[name]; ok {
			n = regexp.Intersect(n, sub)
		}
		p.groups[name] = n
	}
	if look != nil {
		look.n = n
		return nil, look, nil
	}
	p.wasLazyGroup = lazy
	return n, nil, nil
}

// leadingText is the text every string of n starts with ("" when none is
// known).
func leadingText(n *regexp.Node) string {
	switch n.Kind {
	case regexp.KindLiteral:
		return n.Text
	case regexp.KindConcat:
		if len(n.Subs) > 0 && n.Subs[0].Kind == regexp.KindLiteral {
			return n.Subs[0].Text
		}
	}
	return ""
}

// class reads a character class "[...]".
func (p *jparser) class() ([]regexp.Range, error) {
	p.pos++ // [
	neg := false
	if p.more() && p.peek() == '^' {
		neg = true
		p.pos++
	}
	var rs []regexp.Range
	first := true
	for {
		if !p.more() {
			return nil, p.errf("unclosed class")
		}
		c := p.peek()
		if c == ']' && !first {
			p.pos++
			break
		}
		first = false
		if c == '[' {
			sub, err := p.class()
			if err != nil {
				return nil, err
			}
			rs = append(rs, sub...)
			continue
		}
		if strings.HasPrefix(p.src[p.pos:], "&&") {
			return nil, p.errf("a class intersection")
		}
		var lo rune
		if c == '\\' {
			set, r, _, err := p.escape(true)
			if err != nil {
				return nil, err
			}
			if set != nil {
				rs = append(rs, set...)
				continue
			}
			lo = r
		} else {
			r, size := utf8.DecodeRuneInString(p.src[p.pos:])
			p.pos += size
			lo = r
		}
		hi := lo
		if p.pos+1 < len(p.src) && p.peek() == '-' && p.src[p.pos+1] != ']' {
			p.pos++
			if p.peek() == '\\' {
				set, r, _, err := p.escape(true)
				if err != nil {
					return nil, err
				}
				if set != nil {
					return nil, p.errf("a range to a class")
				}
				hi = r
			} else {
				r, size := utf8.DecodeRuneInString(p.src[p.pos:])
				p.pos += size
				hi = r
			}
		}
		if p.ci {
			for c := lo; c <= hi && c < lo+512; c++ {
				rs = append(rs, regexp.CaseFold(c)...)
			}
		}
		rs = append(rs, regexp.Range{Lo: lo, Hi: hi})
	}
	if neg {
		return negateRanges(rs), nil
	}
	return rs, nil
}

func negateRanges(rs []regexp.Range) []regexp.Range {
	n := regexp.Chars(rs...)
	if n.Kind == regexp.KindLiteral {
		r, _ := utf8.DecodeRuneInString(n.Text)
		rs = []regexp.Range{{Lo: r, Hi: r}}
	} else {
		rs = n.Ranges
	}
	var out []regexp.Range
	next := rune(0)
	for _, r := range rs {
		if r.Lo > next {
			out = append(out, regexp.Range{Lo: next, Hi: r.Lo - 1})
		}
		next = r.Hi + 1
	}
	if next <= utf8.MaxRune {
		out = append(out, regexp.Range{Lo: next, Hi: utf8.MaxRune})
	}
	return out
}

var (
	jDigit = []regexp.Range{{Lo: '0', Hi: '9'}}
	jWord  = []regexp.Range{{Lo: '0', Hi: '9'}, {Lo: 'A', Hi: 'Z'}, {Lo: '_', Hi: '_'}, {Lo: 'a', Hi: 'z'}}
	jSpace = []regexp.Range{{Lo: '\t', Hi: '\r'}, {Lo: ' ', Hi: ' '}}
)

// escape reads a backslash escape: a class (\d), a character, or a
// zero-width assertion (\b).
func (p *jparser) escape(inClass bool) ([]regexp.Range, rune, bool, error) {
	p.pos++ // backslash
	if !p.more() {
		return nil, 0, false, p.errf("trailing backslash")
	}
	c := p.peek()
	p.pos++
	switch c {
	case 'd':
		return jDigit, 0, false, nil
	case 'D':
		return negateRanges(jDigit), 0, false, nil
	case 'w':
		return jWord, 0, false, nil
	case 'W':
		return negateRanges(jWord), 0, false, nil
	case 's':
		return jSpace, 0, false, nil
	case 'S':
		return negateRanges(jSpace), 0, false, nil
	case 'h':
		return []regexp.Range{{Lo: ' ', Hi: ' '}, {Lo: '\t', Hi: '\t'}, {Lo: 0xA0, Hi: 0xA0}}, 0, false, nil
	case 't':
		return nil, '\t', false, nil
	case 'n':
		return nil, '\n', false, nil
	case 'r':
		return nil, '\r', false, nil
	case 'f':
		return nil, '\f', false, nil
	case 'e':
		return nil, 0x1b, false, nil
	case 'a':
		return nil, 0x07, false, nil
	case 'b', 'B', 'G':
		if inClass {
			if c == 'b' {
				return nil, '\b', false, nil
			}
			return nil, 0, false, p.errf(`\%c in a class`, c)
		}
		return nil, 0, true, nil
	case 'x':
		if p.more() && p.peek() == '{' {
			end := strings.IndexByte(p.src[p.pos:], '}')
			if end < 0 {
				return nil, 0, false, p.errf(`bad \x{}`)
			}
			v, err := strconv.ParseUint(p.src[p.pos+1:p.pos+end], 16, 32)
			if err != nil {
				return nil, 0, false, p.errf(`bad \x{}`)
			}
			p.pos += end + 1
			return nil, rune(v), false, nil
		}
		if p.pos+2 > len(p.src) {
			return nil, 0, false, p.errf(`bad \x`)
		}
		v, err := strconv.ParseUint(p.src[p.pos:p.pos+2], 16, 8)
		if err != nil {
			return nil, 0, false, p.errf(`bad \x`)
		}
		p.pos += 2
		return nil, rune(v), false, nil
	case 'u':
		if p.pos+4 > len(p.src) {
			return nil, 0, false, p.errf(`bad \u`)
		}
		v, err := strconv.ParseUint(p.src[p.pos:p.pos+4], 16, 16)
		if err != nil {
			return nil, 0, false, p.errf(`bad \u`)
		}
		p.pos += 4
		return nil, rune(v), false, nil
	case '0':
		end := p.pos
		for end < len(p.src) && end < p.pos+3 && p.src[end] >= '0' && p.src[end] <= '7' {
			end++
		}
		v, _ := strconv.ParseUint("0"+p.src[p.pos:end], 8, 8)
		p.pos = end
		return nil, rune(v), false, nil
	case 'p', 'P', 'k', 'Q', 'E', 'R', 'X', 'N':
		return nil, 0, false, p.errf(`\%c`, c)
	}
	if c >= '1' && c <= '9' {
		return nil, 0, false, p.errf("a backreference")
	}
	if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
		return nil, 0, false, p.errf(`\%c`, c)
	}
	r, size := utf8.DecodeRuneInString(p.src[p.pos-1:])
	p.pos += size - 1
	return nil, r, false, nil
}

// leadingFlags returns an inline flags group at the start of a pattern
// ("(?im)"), or "".
func leadingFlags(s string) string {
	if !strings.HasPrefix(s, "(?") {
		return ""
	}
	end := strings.IndexByte(s, ')')
	if end < 0 {
		return ""
	}
	for _, c := range s[2:end] {
		if !strings.ContainsRune("imsxuU-", c) {
			return ""
		}
	}
	return s[:end+1]
}
