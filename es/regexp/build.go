package regexp

import "github.com/emit-sec/emit/es/wildcard"

// Building trees: for the lowerings that compose a regular expression out
// of the conditions of a query (a pattern under a function, the parts a
// DISSECT pattern joins) and print it with String. Each constructor
// returns a normalized node; none modifies its operands.

// Literal matches exactly s.
func Literal(s string) *Node { return literal(s) }

// Chars matches one character of rs (in any order, overlapping allowed).
func Chars(rs ...Range) *Node { return charSet(normalizeRanges(rs)) }

// AnyChar matches any one character: ".".
func AnyChar() *Node { return charSet(anyChar) }

// AllStrings matches every string: "@".
func AllStrings() *Node { return anyString() }

// Nothing matches no string: "#".
func Nothing() *Node { return nothing() }

// Concat matches its operands one after the other.
func Concat(subs ...*Node) *Node { return concat(subs...) }

// Union matches what any operand matches; no operand is Nothing.
func Union(subs ...*Node) *Node {
	var keep []*Node
	for _, s := range subs {
		if s.Kind != KindNothing {
			keep = append(keep, s)
		}
	}
	if len(keep) == 0 {
		return nothing()
	}
	return flat(KindUnion, keep...)
}

// Intersect matches what every operand matches.
func Intersect(subs ...*Node) *Node {
	if len(subs) == 0 {
		return anyString()
	}
	return flat(KindIntersection, subs...)
}

// Complemented matches every string sub does not.
func Complemented(sub *Node) *Node { return complement(sub) }

// Repeat matches sub from min to max times (max < 0: no upper bound).
func Repeat(sub *Node, min, max int) *Node { return repeat(sub, min, max) }

// CaseFold returns the characters that match c under CaseInsensitive: c
// and AltCase(c).
func CaseFold(c rune) []Range {
	if a := AltCase(c); a != c {
		return []Range{{c, c}, {a, a}}
	}
	return []Range{{c, c}}
}

// LiteralCI matches s with every character in either case, as a literal
// matches under CaseInsensitive.
func LiteralCI(s string) *Node {
	var parts []*Node
	for _, c := range s {
		parts = append(parts, Chars(CaseFold(c)...))
	}
	return concat(parts...)
}

// FromWildcard is the expression of a wildcard pattern: "*" any string,
// "?" any character, literals as written (in either case with ci, as the
// wildcard query's case_insensitive matches them).
func FromWildcard(p wildcard.Pattern, ci bool) *Node {
	parts := make([]*Node, 0, len(p))
	for _, e := range p {
		switch e.Kind {
		case wildcard.AnyString:
			parts = append(parts, repeat(AnyChar(), 0, -1))
		case wildcard.AnyChar:
			parts = append(parts, AnyChar())
		default:
			if ci {
				parts = append(parts, LiteralCI(e.Lit))
			} else {
				parts = append(parts, literal(e.Lit))
			}
		}
	}
	return concat(parts...)
}

// Rebuild makes a node of n's kind over new sub-expressions: a
// concatenation, union, intersection or complement of subs, or subs[0]
// repeated as n is. It returns false for a kind without sub-expressions.
// Rewrites of a tree map the leaves and rebuild the rest with it.
func Rebuild(n *Node, subs []*Node) (*Node, bool) {
	switch n.Kind {
	case KindConcat:
		return Concat(subs...), true
	case KindUnion:
		return Union(subs...), true
	case KindIntersection:
		return Intersect(subs...), true
	case KindComplement:
		return Complemented(subs[0]), true
	case KindRepeat:
		return Repeat(subs[0], n.Min, n.Max), true
	}
	return nil, false
}
