package kql

import (
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/emit-sec/emit/parser"
	"github.com/emit-sec/emit/source"
)

// Token types of the KQL lexer.
//
// KQL's lexical structure is whitespace-sensitive (Kibana's kuery grammar):
// an unquoted literal may contain spaces ("message : foo bar" has the value
// "foo bar"), and "or"/"and" are keywords only when surrounded by whitespace
// and "not" only when followed by whitespace. The lexer therefore produces
// whole literals and keyword tokens that include their whitespace; the
// remaining whitespace is dropped.
const (
	tokLiteral lexer.TokenType = iota + 1 // unquoted literal, raw text (escapes kept)
	tokQuoted                             // quoted string, raw text with the quotes
	tokLParen
	tokRParen
	tokLBrace
	tokRBrace
	tokColon
	tokRange // <, <=, >, >=
	tokOr    // whitespace, "or", whitespace
	tokAnd   // whitespace, "and", whitespace
	tokNot   // "not", whitespace
)

var symbols = map[string]lexer.TokenType{
	"EOF":     lexer.EOF,
	"Literal": tokLiteral,
	"Quoted":  tokQuoted,
	"LParen":  tokLParen,
	"RParen":  tokRParen,
	"LBrace":  tokLBrace,
	"RBrace":  tokRBrace,
	"Colon":   tokColon,
	"Range":   tokRange,
	"Or":      tokOr,
	"And":     tokAnd,
	"Not":     tokNot,
}

// isSpace reports whether r is whitespace in KQL's grammar (Kibana's Space
// rule: space, tab, CR, LF and no-break space).
func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == '\u00a0'
}

// isSpecial reports whether c is one of KQL's special characters, which end
// an unquoted literal unless escaped with a backslash.
func isSpecial(c byte) bool {
	switch c {
	case '\\', '(', ')', ':', '<', '>', '"', '*', '{', '}':
		return true
	}
	return false
}

// spaceAt returns the byte length of the whitespace rune at src[i:], or 0.
func spaceAt(src string, i int) int {
	if i >= len(src) {
		return 0
	}
	switch src[i] {
	case ' ', '\t', '\r', '\n':
		return 1
	case 0xc2:
		if i+1 < len(src) && src[i+1] == 0xa0 {
			return 2
		}
	}
	return 0
}

// skipSpaces returns the offset of the first non-whitespace byte at or after i.
func skipSpaces(src string, i int) int {
	for {
		n := spaceAt(src, i)
		if n == 0 {
			return i
		}
		i += n
	}
}

// hasFoldPrefix reports whether src[i:] starts with the ASCII word w, ignoring case.
func hasFoldPrefix(src string, i int, w string) bool {
	return len(src)-i >= len(w) && strings.EqualFold(src[i:i+len(w)], w)
}

// binaryKeywordAt reports whether "or" or "and" followed by whitespace starts
// at src[i:] and returns its type and length (without the whitespace).
func binaryKeywordAt(src string, i int) (lexer.TokenType, int) {
	if hasFoldPrefix(src, i, "or") && spaceAt(src, i+2) > 0 {
		return tokOr, 2
	}
	if hasFoldPrefix(src, i, "and") && spaceAt(src, i+3) > 0 {
		return tokAnd, 3
	}
	return 0, 0
}

// notAt reports whether "not" followed by whitespace starts at src[i:].
func notAt(src string, i int) bool {
	return hasFoldPrefix(src, i, "not") && spaceAt(src, i+3) > 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// unquotedEscapeLen returns the length of the escape sequence of an unquoted
// literal at src[i:] (src[i] is a backslash), or 0 if it is not valid. The
// order of the checks follows Kibana: "\n" is a newline before it could be
// the start of an escaped "not".
func unquotedEscapeLen(src string, i int) int {
	if i+1 >= len(src) {
		return 0
	}
	c := src[i+1]
	switch {
	case c == 't' || c == 'r' || c == 'n':
		return 2
	case isSpecial(c):
		return 2
	case c == 'u':
		if i+6 <= len(src) && isHex(src[i+2]) && isHex(src[i+3]) && isHex(src[i+4]) && isHex(src[i+5]) {
			return 6
		}
		return 0
	case hasFoldPrefix(src, i+1, "or"):
		return 3
	case hasFoldPrefix(src, i+1, "and"), hasFoldPrefix(src, i+1, "not"):
		return 4
	}
	return 0
}

// quotedEscapeLen returns the length of the escape sequence of a quoted
// string at src[i:] (src[i] is a backslash); a backslash that starts no
// escape is a literal backslash (length 1).
func quotedEscapeLen(src string, i int) int {
	if i+1 >= len(src) {
		return 1
	}
	switch c := src[i+1]; c {
	case 't', 'r', 'n', '\\', '"':
		return 2
	case 'u':
		if i+6 <= len(src) && isHex(src[i+2]) && isHex(src[i+3]) && isHex(src[i+4]) && isHex(src[i+5]) {
			return 6
		}
	}
	return 1
}

// scanner turns a query into tokens.
type scanner struct {
	parser.Scanner
}

// scan tokenizes src; the last token is EOF.
func scan(src string) ([]lexer.Token, *source.Error) {
	s := &scanner{parser.NewScanner(src, 8+len(src)/6)}
	// afterOperand: the previous token ends an operand (literal, quoted
	// string, ")" or "}"), so whitespace followed by "or"/"and" and
	// whitespace is a keyword. Elsewhere (after ":", "(", "{", a range
	// operator or a keyword) Kibana's grammar has already consumed the
	// whitespace, and "or"/"and" start a literal.
	afterOperand := false
	i := 0
	for i < len(src) {
		if spaceAt(src, i) > 0 {
			j := skipSpaces(src, i)
			if afterOperand {
				if t, n := binaryKeywordAt(src, j); t != 0 {
					k := skipSpaces(src, j+n)
					s.Emit(t, i, k)
					i = k
					afterOperand = false
					continue
				}
			}
			i = j
			continue
		}
		if notAt(src, i) {
			k := skipSpaces(src, i+3)
			s.Emit(tokNot, i, k)
			i = k
			afterOperand = false
			continue
		}
		switch c := src[i]; c {
		case '(':
			s.Emit(tokLParen, i, i+1)
			i++
			afterOperand = false
		case ')':
			s.Emit(tokRParen, i, i+1)
			i++
			afterOperand = true
		case '{':
			s.Emit(tokLBrace, i, i+1)
			i++
			afterOperand = false
		case '}':
			s.Emit(tokRBrace, i, i+1)
			i++
			afterOperand = true
		case ':':
			s.Emit(tokColon, i, i+1)
			i++
			afterOperand = false
		case '<', '>':
			n := 1
			if i+1 < len(src) && src[i+1] == '=' {
				n = 2
			}
			s.Emit(tokRange, i, i+n)
			i += n
			afterOperand = false
		case '"':
			j := i + 1
			for {
				if j >= len(src) {
					return nil, source.Errorf("kql", src, i, "unterminated quoted string: add the closing \"")
				}
				if src[j] == '"' {
					break
				}
				if src[j] == '\\' {
					j += quotedEscapeLen(src, j)
					continue
				}
				j++
			}
			s.Emit(tokQuoted, i, j+1)
			i = j + 1
			afterOperand = true
		default:
			end, err := s.literal(i)
			if err != nil {
				return nil, err
			}
			s.Emit(tokLiteral, i, end)
			i = end
			afterOperand = true
		}
	}
	return s.Finish(), nil
}

// literal scans an unquoted literal starting at i (not whitespace, not a
// special character other than "\" and "*") and returns its end, without
// trailing whitespace.
func (s *scanner) literal(i int) (int, *source.Error) {
	src := s.Src
	j, end := i, i
	for j < len(src) {
		if spaceAt(src, j) > 0 {
			k := skipSpaces(src, j)
			if t, _ := binaryKeywordAt(src, k); t != 0 {
				break
			}
			j = k
			continue
		}
		if notAt(src, j) {
			break
		}
		c := src[j]
		if c == '\\' {
			n := unquotedEscapeLen(src, j)
			if n == 0 {
				return 0, badEscape(src, j)
			}
			j += n
			end = j
			continue
		}
		if c != '*' && isSpecial(c) {
			break
		}
		_, size := utf8.DecodeRuneInString(src[j:])
		j += size
		end = j
	}
	return end, nil
}

func badEscape(src string, i int) *source.Error {
	if i+1 >= len(src) {
		return source.Errorf("kql", src, i, `invalid escape: "\" at the end of the query escapes nothing`)
	}
	r, _ := utf8.DecodeRuneInString(src[i+1:])
	if isSpace(r) {
		return source.Errorf("kql", src, i, `invalid escape of whitespace: unquoted values may contain spaces as they are, or use \t, \r, \n`)
	}
	if r == 'u' {
		return source.Errorf("kql", src, i, `invalid escape: \u must be followed by 4 hexadecimal digits`)
	}
	return source.Errorf("kql", src, i, `invalid escape %q: a backslash escapes \ ( ) : < > " * { }, the keywords and, or, not, \t, \r, \n and \uXXXX`, `\`+string(r))
}

// lexDef is the participle lexer definition: the parser scans with scan
// itself (to report lexical errors with positions); lexDef lets participle
// know the token types and can lex on its own too.
var lexDef = parser.LexerDef{Syms: symbols, Scan: scan}
