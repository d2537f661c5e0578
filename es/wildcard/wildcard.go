// Package wildcard is Elasticsearch's wildcard pattern: literals, "*" (any
// run of characters, possibly empty) and "?" (one character), matched
// against a whole value over code points, optionally case-insensitively
// the way Elasticsearch's case_insensitive option builds its automata.
//
// A Pattern is a sequence of literals and wildcards, so that no escaping
// convention leaks between the languages that write patterns (KQL knows
// only "*", EQL and the Query DSL "*" and "?", index and field-name
// patterns "*"). The solver compiles a Pattern to an automaton; every
// other part of emit matches with Match.
package wildcard

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is the kind of one element of a Pattern.
type Kind uint8

const (
	Lit       Kind = iota // literal text
	AnyString             // "*": any run of characters, possibly empty
	AnyChar               // "?": exactly one character
)

// Elem is one element of a Pattern.
type Elem struct {
	Kind Kind
	Lit  string // Kind == Lit
}

// Pattern is a wildcard pattern.
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

// Syntax says how a pattern is written: which characters are wildcards,
// and whether a backslash escapes the next character.
type Syntax uint8

const (
	// StarOnly: "*" is the only wildcard, "?" a literal, and a backslash
	// escapes (KQL values, index and field-name patterns).
	StarOnly Syntax = 0
	// Question makes "?" a wildcard.
	Question Syntax = 1
	// NoEscape makes a backslash an ordinary character.
	NoEscape Syntax = 2
	// StarAndQuestion: "*" and "?", with backslash escapes
	// (Elasticsearch's wildcard query).
	StarAndQuestion = Question
	// EQL: "*" and "?", backslashes literal (Elasticsearch's EQL escapes
	// them when it builds its wildcard query).
	EQL = Question | NoEscape
)

// Parse reads a pattern written in syntax syn.
func Parse(s string, syn Syntax) Pattern {
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
		case c == '\\' && i+1 < len(s) && syn&NoEscape == 0:
			i++
			lit.WriteByte(s[i])
		case c == '*':
			flush()
			p = append(p, Elem{Kind: AnyString})
		case c == '?' && syn&Question != 0:
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
// and "\" with a backslash (the inverse of Parse with StarAndQuestion).
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

// Lower returns the pattern with its literals lower-cased.
func (p Pattern) Lower() Pattern {
	out := make(Pattern, len(p))
	for i, e := range p {
		out[i] = e
		if e.Kind == Lit {
			out[i].Lit = strings.ToLower(e.Lit)
		}
	}
	return out
}

// AltCase is the other case Elasticsearch's case-insensitive automata
// accept for a character of a query (AutomatonQueries.toCaseInsensitiveChar):
// the upper case of a lower-case letter, the lower case of anything else
// (itself when it has none).
func AltCase(r rune) rune {
	if unicode.IsLower(r) {
		return unicode.ToUpper(r)
	}
	return unicode.ToLower(r)
}

// FoldRune reports whether a value's character matches a query's
// character case-insensitively, as Elasticsearch's term, prefix and
// wildcard queries with case_insensitive compare them.
func FoldRune(value, query rune) bool { return value == query || value == AltCase(query) }

// Match reports whether s matches the whole pattern, comparing code
// points; with ci, case-insensitively as FoldRune says. It runs in
// O(len(s)·len(p)) time: the classic two-pointer matcher that backtracks
// to the last "*".
func (p Pattern) Match(s string, ci bool) bool {
	type tok struct {
		star, any bool
		r         rune
	}
	toks := make([]tok, 0, 16)
	for _, e := range p {
		switch e.Kind {
		case AnyString:
			toks = append(toks, tok{star: true})
		case AnyChar:
			toks = append(toks, tok{any: true})
		default:
			for _, r := range e.Lit {
				toks = append(toks, tok{r: r})
			}
		}
	}
	i, j := 0, 0
	starJ, starI := -1, 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if j < len(toks) && !toks[j].star && (toks[j].any || r == toks[j].r || ci && FoldRune(r, toks[j].r)) {
			i += size
			j++
			continue
		}
		if j < len(toks) && toks[j].star {
			starJ, starI = j, i
			j++
			continue
		}
		if starJ >= 0 {
			_, size := utf8.DecodeRuneInString(s[starI:])
			starI += size
			i, j = starI, starJ+1
			continue
		}
		return false
	}
	for j < len(toks) && toks[j].star {
		j++
	}
	return j == len(toks)
}

// MatchString reports whether s matches pattern, written with "*" as the
// only wildcard and no escapes: the patterns of index names (logs-*) and
// field names (process.*.name).
func MatchString(pattern, s string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == s
	}
	return Parse(strings.ReplaceAll(pattern, `\`, `\\`), StarOnly).Match(s, false)
}
