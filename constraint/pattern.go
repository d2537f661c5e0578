package constraint

import (
	"strings"
	"unicode/utf8"
)

// ElemKind is the kind of one element of a wildcard Pattern.
type ElemKind uint8

const (
	Lit       ElemKind = iota // literal text
	AnyString                 // "*": any run of characters, possibly empty
	AnyChar                   // "?": exactly one character
)

// Elem is one element of a Pattern.
type Elem struct {
	Kind ElemKind
	Lit  string // Kind == Lit
}

// Pattern is a wildcard pattern as a sequence of literals and wildcards, so
// that no escaping convention leaks between the languages.
type Pattern []Elem

// Literal returns the pattern that matches exactly s.
func Literal(s string) Pattern {
	if s == "" {
		return Pattern{}
	}
	return Pattern{{Kind: Lit, Lit: s}}
}

// Prefix returns the pattern "s*".
func Prefix(s string) Pattern { return append(Literal(s), Elem{Kind: AnyString}) }

// Suffix returns the pattern "*s".
func Suffix(s string) Pattern { return append(Pattern{{Kind: AnyString}}, Literal(s)...) }

// Contains returns the pattern "*s*".
func Contains(s string) Pattern {
	return append(append(Pattern{{Kind: AnyString}}, Literal(s)...), Elem{Kind: AnyString})
}

// ParseWildcard reads the common "*"/"?" syntax where a backslash escapes the
// next character. With question false, "?" is a literal (KQL knows only "*").
func ParseWildcard(s string, question bool) Pattern {
	var p Pattern
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p = append(p, Elem{Kind: Lit, Lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			lit.WriteByte(s[i])
		case c == '*':
			flush()
			p = append(p, Elem{Kind: AnyString})
		case c == '?' && question:
			flush()
			p = append(p, Elem{Kind: AnyChar})
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return p
}

// HasWildcard reports whether the pattern has any "*" or "?".
func (p Pattern) HasWildcard() bool {
	for _, e := range p {
		if e.Kind != Lit {
			return true
		}
	}
	return false
}

// String renders the pattern with "*" and "?", escaping literal "*", "?"
// and "\" with a backslash (the inverse of ParseWildcard).
func (p Pattern) String() string {
	var b strings.Builder
	for _, e := range p {
		switch e.Kind {
		case AnyString:
			b.WriteByte('*')
		case AnyChar:
			b.WriteByte('?')
		default:
			for i := 0; i < len(e.Lit); i++ {
				if c := e.Lit[i]; c == '*' || c == '?' || c == '\\' {
					b.WriteByte('\\')
				}
				b.WriteByte(e.Lit[i])
			}
		}
	}
	return b.String()
}

// Match reports whether s matches the whole pattern; with ci, letters
// compare case-insensitively (Unicode simple folding).
func (p Pattern) Match(s string, ci bool) bool {
	return matchElems(p, s, ci)
}

func matchElems(p Pattern, s string, ci bool) bool {
	for len(p) > 0 {
		e := p[0]
		switch e.Kind {
		case Lit:
			n, ok := hasPrefix(s, e.Lit, ci)
			if !ok {
				return false
			}
			s = s[n:]
			p = p[1:]
		case AnyChar:
			if s == "" {
				return false
			}
			_, size := utf8.DecodeRuneInString(s)
			s = s[size:]
			p = p[1:]
		case AnyString:
			// Collapse consecutive stars, then try every split point.
			for len(p) > 0 && p[0].Kind == AnyString {
				p = p[1:]
			}
			if len(p) == 0 {
				return true
			}
			for i := 0; i <= len(s); {
				if matchElems(p, s[i:], ci) {
					return true
				}
				if i == len(s) {
					break
				}
				_, size := utf8.DecodeRuneInString(s[i:])
				i += size
			}
			return false
		}
	}
	return s == ""
}

// hasPrefix reports whether s starts with lit and how many bytes of s matched.
func hasPrefix(s, lit string, ci bool) (int, bool) {
	if !ci {
		if strings.HasPrefix(s, lit) {
			return len(lit), true
		}
		return 0, false
	}
	i := 0
	for _, lr := range lit {
		if i >= len(s) {
			return 0, false
		}
		sr, size := utf8.DecodeRuneInString(s[i:])
		if sr != lr && !equalFoldRune(sr, lr) {
			return 0, false
		}
		i += size
	}
	return i, true
}

func equalFoldRune(a, b rune) bool {
	return strings.EqualFold(string(a), string(b))
}
