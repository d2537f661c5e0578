package regexp

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// reserved are the characters escaped in a canonical rendering: Lucene's
// operators with every optional one on. Inside a class "-" and "^" are
// escaped too.
const (
	reserved      = `.?*+{}[]()|&~#@"<>\`
	classReserved = reserved + "-^"
)

// String renders the subtree in canonical Lucene syntax (see
// Regexp.String).
func (n *Node) String() string {
	var b strings.Builder
	n.write(&b)
	return b.String()
}

// prec is how tightly a node's rendering binds: 1 union, 2 intersection,
// 3 concatenation, 4 repetition, 5 complement, 6 an atom.
func (n *Node) prec() int {
	switch n.Kind {
	case KindUnion:
		return 1
	case KindIntersection:
		return 2
	case KindConcat:
		return 3
	case KindLiteral:
		if utf8.RuneCountInString(n.Text) > 1 {
			return 3 // a string renders as a concatenation of characters
		}
	case KindRepeat:
		return 4
	case KindComplement:
		return 5
	}
	return 6
}

// operand renders n where the grammar wants something binding at least as
// tightly as min, in parentheses otherwise.
func (n *Node) operand(b *strings.Builder, min int) {
	if n.prec() < min {
		b.WriteByte('(')
		n.write(b)
		b.WriteByte(')')
		return
	}
	n.write(b)
}

func writeChar(b *strings.Builder, c rune, special string) {
	if c < utf8.RuneSelf && strings.ContainsRune(special, c) {
		b.WriteByte('\\')
	}
	b.WriteRune(c)
}

func (n *Node) write(b *strings.Builder) {
	switch n.Kind {
	case KindLiteral:
		if n.Text == "" {
			b.WriteString("()")
			return
		}
		for _, c := range n.Text {
			writeChar(b, c, reserved)
		}
	case KindChar:
		writeClass(b, n.Ranges)
	case KindNothing:
		b.WriteByte('#')
	case KindAnyString:
		b.WriteByte('@')
	case KindConcat:
		for _, s := range n.Subs {
			s.operand(b, 3)
		}
	case KindUnion:
		for i, s := range n.Subs {
			if i > 0 {
				b.WriteByte('|')
			}
			s.operand(b, 2)
		}
	case KindIntersection:
		for i, s := range n.Subs {
			if i > 0 {
				b.WriteByte('&')
			}
			s.operand(b, 3)
		}
	case KindComplement:
		b.WriteByte('~')
		n.Subs[0].operand(b, 5)
	case KindRepeat:
		n.Subs[0].operand(b, 4)
		switch {
		case n.Min == 0 && n.Max == 1:
			b.WriteByte('?')
		case n.Min == 0 && n.Max < 0:
			b.WriteByte('*')
		case n.Min == 1 && n.Max < 0:
			b.WriteByte('+')
		case n.Max < 0:
			b.WriteString("{" + strconv.Itoa(n.Min) + ",}")
		case n.Min == n.Max:
			b.WriteString("{" + strconv.Itoa(n.Min) + "}")
		default:
			b.WriteString("{" + strconv.Itoa(n.Min) + "," + strconv.Itoa(n.Max) + "}")
		}
	case KindInterval:
		lo, hi := strconv.Itoa(n.Min), strconv.Itoa(n.Max)
		switch {
		case n.Digits > 0:
			lo = strings.Repeat("0", n.Digits-len(lo)) + lo
			hi = strings.Repeat("0", n.Digits-len(hi)) + hi
		case len(lo) == len(hi):
			// Bounds of one width would fix the width: a leading zero
			// keeps "any number of leading zeros".
			lo = "0" + lo
		}
		b.WriteString("<" + lo + "-" + hi + ">")
	}
}

// writeClass renders a character set: "." for every character, "[^...]"
// for a set holding the last code point, "[...]" otherwise.
func writeClass(b *strings.Builder, rs []Range) {
	if isAnyChar(rs) {
		b.WriteByte('.')
		return
	}
	b.WriteByte('[')
	if len(rs) > 0 && rs[len(rs)-1].Hi == unicode.MaxRune {
		b.WriteByte('^')
		rs = negateRanges(rs)
	}
	for _, r := range rs {
		lo := r.Lo
		if lo == '\\' && r.Hi > lo {
			// "\\" is read as a lone backslash, never a range's start.
			b.WriteString(`\\`)
			lo++
		}
		writeChar(b, lo, classReserved)
		if r.Hi != lo {
			b.WriteByte('-')
			writeChar(b, r.Hi, classReserved)
		}
	}
	b.WriteByte(']')
}

// Quote returns a regular expression that matches exactly s: every
// reserved character escaped with a backslash.
func Quote(s string) string {
	var b strings.Builder
	for _, c := range s {
		writeChar(&b, c, reserved)
	}
	return b.String()
}
