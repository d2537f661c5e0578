package regexp

import (
	"slices"
	"strings"
	"unicode"

	"github.com/emit-sec/emit/es/wildcard"
)

// Kind is the kind of a syntax tree node.
type Kind uint8

const (
	// KindLiteral matches exactly Text; an empty Text is the empty string
	// ("()" or an empty pattern).
	KindLiteral Kind = iota
	// KindChar matches one character out of Ranges: ".", a character class
	// ("[a-z]", "[^...]"), a predefined class ("\d"), or a character matched
	// case-insensitively.
	KindChar
	// KindNothing is the empty language: "#", or a character class no
	// character belongs to.
	KindNothing
	// KindAnyString matches every string: "@".
	KindAnyString
	// KindConcat matches its Subs one after the other.
	KindConcat
	// KindUnion matches what any of its Subs matches: "|".
	KindUnion
	// KindIntersection matches what all of its Subs match: "&".
	KindIntersection
	// KindComplement matches every string Subs[0] does not: "~".
	KindComplement
	// KindRepeat matches Subs[0] from Min to Max times (Max < 0: no upper
	// bound): "?" is {0,1}, "*" {0,}, "+" {1,}. Min > Max >= 0 matches
	// nothing (Lucene's Operations.repeat returns the empty automaton).
	KindRepeat
	// KindInterval matches a decimal number from Min to Max written with
	// the ASCII digits: with exactly Digits digits (leading zeros to fill)
	// when Digits > 0, otherwise with any number of leading zeros
	// (Lucene's Automata.makeDecimalInterval).
	KindInterval
)

var kindNames = [...]string{"literal", "char", "nothing", "anystring", "concat", "union", "intersection", "complement", "repeat", "interval"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind?"
}

// Range is the code points Lo to Hi, both included.
type Range struct{ Lo, Hi rune }

// Node is a node of the syntax tree. Trees are normalized, so that
// patterns reading the same have equal trees and String reparses to an
// equal tree: concatenations, unions and intersections are flat (no
// operand of the same kind); adjacent literals of a concatenation are
// merged and empty ones dropped; a character set is never empty (that is
// KindNothing) nor a single code point (that is a one-character literal);
// case-insensitivity is already applied (a character that matches in
// either case is a KindChar of both).
type Node struct {
	Kind Kind
	// Text is a KindLiteral's string.
	Text string
	// Ranges are a KindChar's code points: sorted, disjoint, not adjacent,
	// and without the surrogates U+D800..U+DFFF, which no UTF-8 string
	// holds.
	Ranges []Range
	// Subs are the operands of KindConcat, KindUnion, KindIntersection
	// (two or more), KindComplement and KindRepeat (one).
	Subs []*Node
	// Min and Max bound a KindRepeat's count (Max < 0: unbounded) and a
	// KindInterval's numbers.
	Min, Max int
	// Digits is a KindInterval's fixed width, 0 for any.
	Digits int

	depth int // height of the subtree, for the nesting limit
}

// The code points a string can hold: every Unicode scalar value.
const (
	surrogateLo = 0xD800
	surrogateHi = 0xDFFF
)

// anyChar is the set of every character (Lucene's "." and
// Automata.makeAnyChar, less the surrogates).
var anyChar = []Range{{0, surrogateLo - 1}, {surrogateHi + 1, unicode.MaxRune}}

// Predefined classes, as Lucene's RegExp.expandPredefined writes them:
// \d is [0-9], \s [ \t\n\r], \w [a-zA-Z_0-9]; \D, \S and \W their
// complements. They are ASCII only and not affected by case-insensitivity.
var (
	digitRanges = []Range{{'0', '9'}}
	spaceRanges = []Range{{'\t', '\n'}, {'\r', '\r'}, {' ', ' '}}
	wordRanges  = []Range{{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}
)

// normalizeRanges sorts rs, merges overlapping and adjacent ranges and
// removes the surrogates. It does not modify rs.
func normalizeRanges(rs []Range) []Range {
	out := make([]Range, 0, len(rs)+1)
	for _, r := range rs {
		if r.Lo > r.Hi {
			continue
		}
		// Cut the surrogates out.
		if r.Lo < surrogateLo && r.Hi > surrogateHi {
			out = append(out, Range{r.Lo, surrogateLo - 1}, Range{surrogateHi + 1, r.Hi})
			continue
		}
		if r.Lo >= surrogateLo && r.Lo <= surrogateHi {
			r.Lo = surrogateHi + 1
		}
		if r.Hi >= surrogateLo && r.Hi <= surrogateHi {
			r.Hi = surrogateLo - 1
		}
		if r.Lo <= r.Hi {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Range) int { return int(a.Lo - b.Lo) })
	// Ranges on either side of the surrogates stay apart: a range never
	// covers a surrogate.
	merged := out[:0]
	for _, r := range out {
		if n := len(merged); n > 0 && r.Lo <= merged[n-1].Hi+1 {
			merged[n-1].Hi = max(merged[n-1].Hi, r.Hi)
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

// negateRanges returns the characters not in rs (normalized).
func negateRanges(rs []Range) []Range {
	var out []Range
	next := rune(0)
	for _, r := range rs {
		if r.Lo > next {
			out = append(out, Range{next, r.Lo - 1})
		}
		next = r.Hi + 1
	}
	if next <= unicode.MaxRune {
		out = append(out, Range{next, unicode.MaxRune})
	}
	return normalizeRanges(out)
}

// isAnyChar reports whether normalized rs holds every character.
func isAnyChar(rs []Range) bool { return slices.Equal(rs, anyChar) }

// AltCase is the other case a character matches with CaseInsensitive, as
// Lucene's RegExp.toCaseInsensitiveChar gives it: for code points up to
// 128 the upper case of a lower-case letter and the lower case of anything
// else; a code point above 128 has none (it is returned unchanged).
// "For now we only work with ASCII characters" (RegExp.java).
// Below 128 this is the rule of Elasticsearch's other case-insensitive
// queries, wildcard.AltCase.
func AltCase(r rune) rune {
	if r > 128 {
		return r
	}
	return wildcard.AltCase(r)
}

// ---- constructors; each returns a normalized node ----

func withDepth(n *Node) *Node {
	d := 0
	for _, s := range n.Subs {
		d = max(d, s.depth)
	}
	n.depth = d + 1
	return n
}

func literal(s string) *Node { return withDepth(&Node{Kind: KindLiteral, Text: s}) }

func nothing() *Node { return withDepth(&Node{Kind: KindNothing}) }

func anyString() *Node { return withDepth(&Node{Kind: KindAnyString}) }

// charSet is one character of normalized rs.
func charSet(rs []Range) *Node {
	switch {
	case len(rs) == 0:
		return nothing()
	case len(rs) == 1 && rs[0].Lo == rs[0].Hi:
		return literal(string(rs[0].Lo))
	}
	return withDepth(&Node{Kind: KindChar, Ranges: rs})
}

// concat concatenates subs, flattening nested concatenations, merging
// adjacent literals and dropping empty ones.
func concat(subs ...*Node) *Node {
	var out []*Node
	var text strings.Builder // the literal being merged
	lits := 0                // how many literals it holds
	var last *Node           // the one literal, when lits == 1
	flush := func() {
		switch lits {
		case 0:
			return
		case 1:
			out = append(out, last)
		default:
			out = append(out, literal(text.String()))
		}
		text.Reset()
		lits = 0
	}
	var add func(n *Node)
	add = func(n *Node) {
		switch {
		case n.Kind == KindConcat:
			for _, s := range n.Subs {
				add(s)
			}
		case n.Kind == KindLiteral && n.Text == "":
		case n.Kind == KindLiteral:
			text.WriteString(n.Text)
			lits++
			last = n
		default:
			flush()
			out = append(out, n)
		}
	}
	for _, s := range subs {
		add(s)
	}
	flush()
	switch len(out) {
	case 0:
		return literal("")
	case 1:
		return out[0]
	}
	return withDepth(&Node{Kind: KindConcat, Subs: out})
}

// flat builds a union or intersection of subs, flattening nested ones of
// the same kind.
func flat(kind Kind, subs ...*Node) *Node {
	var out []*Node
	for _, s := range subs {
		if s.Kind == kind {
			out = append(out, s.Subs...)
		} else {
			out = append(out, s)
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	return withDepth(&Node{Kind: kind, Subs: out})
}

func complement(sub *Node) *Node {
	return withDepth(&Node{Kind: KindComplement, Subs: []*Node{sub}})
}

func repeat(sub *Node, min, max int) *Node {
	return withDepth(&Node{Kind: KindRepeat, Subs: []*Node{sub}, Min: min, Max: max})
}

func interval(min, max, digits int) *Node {
	return withDepth(&Node{Kind: KindInterval, Min: min, Max: max, Digits: digits})
}
