package esql

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/emit-sec/emit/es/regexp"
	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/internal/esvalue"
)

// String sets are Lucene regular expression trees (package es/regexp):
// every string function the lowering inverts maps a set of results to
// the set of arguments that give them, as a tree the solver compiles.

// maxTree bounds the trees the lowering builds (derivatives of
// intersections and complements grow).
const maxTree = 20000

func treeSize(n *regexp.Node) int {
	s := 1
	for _, c := range n.Subs {
		s += treeSize(c)
	}
	return s
}

// anyStr is ".*".
func anyStr() *regexp.Node { return regexp.Repeat(regexp.AnyChar(), 0, -1) }

// contains is ".*(n).*".
func contains(n *regexp.Node) *regexp.Node { return regexp.Concat(anyStr(), n, anyStr()) }

// lengthSet is the strings of lo to hi characters (hi < 0: no bound).
func lengthSet(lo, hi int) *regexp.Node { return regexp.Repeat(regexp.AnyChar(), lo, hi) }

// matchesConst reports whether s is in the set.
func matchesConst(n *regexp.Node, s string) bool {
	return esvalue.NewRegexp(&regexp.Regexp{Root: n}).Match(s)
}

// isLiteral returns the string of a set of one string.
func isLiteral(n *regexp.Node) (string, bool) {
	if n.Kind == regexp.KindLiteral {
		return n.Text, true
	}
	return "", false
}

// nullable reports whether the set holds the empty string.
func nullable(n *regexp.Node) bool {
	switch n.Kind {
	case regexp.KindLiteral:
		return n.Text == ""
	case regexp.KindAnyString:
		return true
	case regexp.KindConcat, regexp.KindIntersection:
		for _, s := range n.Subs {
			if !nullable(s) {
				return false
			}
		}
		return true
	case regexp.KindUnion:
		return slices.ContainsFunc(n.Subs, nullable)
	case regexp.KindComplement:
		return !nullable(n.Subs[0])
	case regexp.KindRepeat:
		return n.Min == 0 || nullable(n.Subs[0])
	}
	return false
}

// derive is the Brzozowski derivative of the set by c: the strings s with
// c+s in the set. ok is false for a tree the lowering does not derive
// (a numeric interval).
func derive(n *regexp.Node, c rune) (*regexp.Node, bool) {
	switch n.Kind {
	case regexp.KindLiteral:
		r, size := utf8.DecodeRuneInString(n.Text)
		if n.Text == "" || r != c {
			return regexp.Nothing(), true
		}
		return regexp.Literal(n.Text[size:]), true
	case regexp.KindChar:
		for _, r := range n.Ranges {
			if r.Lo <= c && c <= r.Hi {
				return regexp.Literal(""), true
			}
		}
		return regexp.Nothing(), true
	case regexp.KindNothing:
		return n, true
	case regexp.KindAnyString:
		return n, true
	case regexp.KindConcat:
		head, rest := n.Subs[0], regexp.Concat(n.Subs[1:]...)
		d, ok := derive(head, c)
		if !ok {
			return nil, false
		}
		out := regexp.Concat(d, rest)
		if d.Kind == regexp.KindNothing {
			out = regexp.Nothing()
		}
		if nullable(head) {
			d2, ok := derive(rest, c)
			if !ok {
				return nil, false
			}
			out = regexp.Union(out, d2)
		}
		return out, true
	case regexp.KindUnion, regexp.KindIntersection:
		subs := make([]*regexp.Node, 0, len(n.Subs))
		for _, s := range n.Subs {
			d, ok := derive(s, c)
			if !ok {
				return nil, false
			}
			if n.Kind == regexp.KindIntersection && d.Kind == regexp.KindNothing {
				return d, true
			}
			subs = append(subs, d)
		}
		if n.Kind == regexp.KindUnion {
			return regexp.Union(subs...), true
		}
		return regexp.Intersect(subs...), true
	case regexp.KindComplement:
		d, ok := derive(n.Subs[0], c)
		if !ok {
			return nil, false
		}
		return regexp.Complemented(d), true
	case regexp.KindRepeat:
		if n.Max == 0 {
			return regexp.Nothing(), true
		}
		d, ok := derive(n.Subs[0], c)
		if !ok {
			return nil, false
		}
		if d.Kind == regexp.KindNothing {
			return d, true
		}
		lo, hi := max(n.Min-1, 0), n.Max-1
		if n.Max < 0 {
			hi = -1
		}
		return regexp.Concat(d, regexp.Repeat(n.Subs[0], lo, hi)), true
	}
	return nil, false
}

// leftQuotient is the strings s with prefix+s in the set.
func leftQuotient(n *regexp.Node, prefix string) (*regexp.Node, bool) {
	for _, c := range prefix {
		var ok bool
		if n, ok = derive(n, c); !ok || treeSize(n) > maxTree {
			return nil, false
		}
	}
	return n, true
}

// rightQuotient is the strings s with s+suffix in the set.
func rightQuotient(n *regexp.Node, suffix string) (*regexp.Node, bool) {
	if suffix == "" {
		return n, true
	}
	r, ok := reverseSet(n)
	if !ok {
		return nil, false
	}
	q, ok := leftQuotient(r, reverseString(suffix))
	if !ok {
		return nil, false
	}
	return reverseSet(q)
}

func reverseString(s string) string {
	rs := []rune(s)
	slices.Reverse(rs)
	return string(rs)
}

// reverseSet is the set of the reversed strings.
func reverseSet(n *regexp.Node) (*regexp.Node, bool) {
	switch n.Kind {
	case regexp.KindLiteral:
		return regexp.Literal(reverseString(n.Text)), true
	case regexp.KindChar, regexp.KindNothing, regexp.KindAnyString:
		return n, true
	case regexp.KindConcat:
		subs := make([]*regexp.Node, len(n.Subs))
		for i, s := range n.Subs {
			r, ok := reverseSet(s)
			if !ok {
				return nil, false
			}
			subs[len(n.Subs)-1-i] = r
		}
		return regexp.Concat(subs...), true
	case regexp.KindUnion, regexp.KindIntersection, regexp.KindComplement, regexp.KindRepeat:
		subs := make([]*regexp.Node, len(n.Subs))
		for i, s := range n.Subs {
			r, ok := reverseSet(s)
			if !ok {
				return nil, false
			}
			subs[i] = r
		}
		switch n.Kind {
		case regexp.KindUnion:
			return regexp.Union(subs...), true
		case regexp.KindIntersection:
			return regexp.Intersect(subs...), true
		case regexp.KindComplement:
			return regexp.Complemented(subs[0]), true
		}
		return regexp.Repeat(subs[0], n.Min, n.Max), true
	}
	return nil, false
}

// mapChars maps every character set of the tree through pre, which
// returns the characters whose image is in a set (the preimage of a
// character-wise function: to_lower, to_upper). Complement and
// intersection commute with such a preimage.
func mapChars(n *regexp.Node, pre func(rs []regexp.Range) []regexp.Range) (*regexp.Node, bool) {
	switch n.Kind {
	case regexp.KindLiteral:
		parts := make([]*regexp.Node, 0, len(n.Text))
		for _, c := range n.Text {
			parts = append(parts, regexp.Chars(pre([]regexp.Range{{Lo: c, Hi: c}})...))
		}
		return regexp.Concat(parts...), true
	case regexp.KindChar:
		return regexp.Chars(pre(n.Ranges)...), true
	case regexp.KindNothing, regexp.KindAnyString:
		return n, true
	case regexp.KindInterval:
		// Digits are their own lower and upper case.
		return n, true
	}
	subs := make([]*regexp.Node, len(n.Subs))
	for i, s := range n.Subs {
		m, ok := mapChars(s, pre)
		if !ok {
			return nil, false
		}
		subs[i] = m
	}
	return regexp.Rebuild(n, subs)
}

// caseMapped is a character set's preimage under a simple case mapping
// (unicode.ToLower or ToUpper): a character is in it when its image is in
// rs. Characters with a case of their own are decided one by one over the
// ranges that hold cased letters; the rest keep their membership.
func caseMapped(rs []regexp.Range, to func(rune) rune) []regexp.Range {
	in := func(c rune) bool {
		for _, r := range rs {
			if r.Lo <= c && c <= r.Hi {
				return true
			}
		}
		return false
	}
	var out []regexp.Range
	add := func(c rune) {
		if n := len(out); n > 0 && out[n-1].Hi+1 == c {
			out[n-1].Hi = c
			return
		}
		out = append(out, regexp.Range{Lo: c, Hi: c})
	}
	// Cased letters live below U+1E944 (Adlam); above, membership is kept.
	const casedEnd = 0x1E944
	for _, r := range rs {
		if r.Lo > casedEnd {
			out = append(out, r)
			continue
		}
		hi := min(r.Hi, casedEnd)
		for c := r.Lo; c <= hi; c++ {
			if to(c) == c {
				add(c)
			}
		}
		if r.Hi > casedEnd {
			out = append(out, regexp.Range{Lo: casedEnd + 1, Hi: r.Hi})
		}
	}
	// Characters whose image differs from them and is in rs.
	for c := rune(0); c <= casedEnd; c++ {
		if m := to(c); m != c && in(m) {
			add(c)
		}
	}
	return out
}

var (
	caseMu     sync.Mutex
	lowerCache = map[string][]regexp.Range{}
	upperCache = map[string][]regexp.Range{}
)

func rangesKey(rs []regexp.Range) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(string(r.Lo))
		b.WriteByte('-')
		b.WriteString(string(r.Hi))
		b.WriteByte(',')
	}
	return b.String()
}

// preLower is the set of strings whose lower case (TO_LOWER) is in n.
func preLower(n *regexp.Node) (*regexp.Node, bool) {
	return mapChars(n, func(rs []regexp.Range) []regexp.Range { return cachedCase(lowerCache, rs, unicode.ToLower) })
}

// preUpper is the set of strings whose upper case (TO_UPPER) is in n.
func preUpper(n *regexp.Node) (*regexp.Node, bool) {
	return mapChars(n, func(rs []regexp.Range) []regexp.Range { return cachedCase(upperCache, rs, unicode.ToUpper) })
}

func cachedCase(cache map[string][]regexp.Range, rs []regexp.Range, to func(rune) rune) []regexp.Range {
	// A single ASCII character, the common case, needs no scan.
	if len(rs) == 1 && rs[0].Lo == rs[0].Hi && rs[0].Lo < utf8.RuneSelf {
		c := rs[0].Lo
		out := []regexp.Range{}
		if to(c) == c {
			out = append(out, regexp.Range{Lo: c, Hi: c})
		}
		for _, o := range []rune{unicode.ToLower(c), unicode.ToUpper(c)} {
			if o != c && to(o) == c {
				out = append(out, regexp.Range{Lo: o, Hi: o})
			}
		}
		// Non-ASCII characters mapping to an ASCII one (the Kelvin sign
		// to k, the long s to S).
		for _, o := range []rune{'\u212A', '\u017F', '\u0130', '\u0131'} {
			if to(o) == c {
				out = append(out, regexp.Range{Lo: o, Hi: o})
			}
		}
		return out
	}
	if slices.Equal(rs, regexp.AnyChar().Ranges) {
		return rs
	}
	key := rangesKey(rs)
	caseMu.Lock()
	out, ok := cache[key]
	caseMu.Unlock()
	if ok {
		return out
	}
	out = caseMapped(rs, to)
	caseMu.Lock()
	if len(cache) < 4096 {
		cache[key] = out
	}
	caseMu.Unlock()
	return out
}

// likeSet is the set of a LIKE pattern: "*" and "?" wildcards, "\"
// escapes.
func likeSet(p string) *regexp.Node {
	return regexp.FromWildcard(wildcard.Parse(p, wildcard.StarAndQuestion), false)
}

// rlikeSet reads an RLIKE pattern: a Lucene regular expression, as
// Elasticsearch parses it for RLIKE (every optional operator on).
func rlikeSet(p string) (*regexp.Node, error) {
	re, err := regexp.Parse(p, regexp.All)
	if err != nil {
		return nil, err
	}
	return re.Root, nil
}

// noneOf is the set of strings without any character of chars.
func noneOf(chars string) *regexp.Node {
	var rs []regexp.Range
	for _, c := range chars {
		rs = append(rs, regexp.Range{Lo: c, Hi: c})
	}
	return regexp.Complemented(contains(regexp.Chars(rs...)))
}
