package parser

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/emit-sec/emit/source"
)

// Scanner is the bookkeeping the hand-written lexers of KQL, EQL, ES|QL
// and the query_string syntax share: the source, the tokens scanned so far, and
// the line and column of byte offsets, computed incrementally (a
// position costs what lies between it and the previous one). Positions
// agree with source.PosAt: a line feed starts a line, and every other
// code point, or invalid byte, is one column.
type Scanner struct {
	Src  string
	Toks []lexer.Token
	// The last position computed.
	off, line, col int
}

// NewScanner returns a scanner of src with room for about capacity
// tokens.
func NewScanner(src string, capacity int) Scanner {
	return Scanner{Src: src, Toks: make([]lexer.Token, 0, capacity), line: 1, col: 1}
}

// Position returns the lexer position of byte offset off; offsets must not
// decrease from one call to the next.
func (s *Scanner) Position(off int) lexer.Position {
	for s.off < off {
		c := s.Src[s.off]
		switch {
		case c == '\n':
			s.line++
			s.col = 1
			s.off++
		case c < utf8.RuneSelf:
			s.col++
			s.off++
		default:
			_, size := utf8.DecodeRuneInString(s.Src[s.off:])
			s.col++
			s.off += size
		}
	}
	return lexer.Position{Offset: off, Line: s.line, Column: s.col}
}

// Emit appends a token of type t for Src[start:end].
func (s *Scanner) Emit(t lexer.TokenType, start, end int) {
	s.Toks = append(s.Toks, lexer.Token{Type: t, Value: s.Src[start:end], Pos: s.Position(start)})
}

// Finish appends the EOF token and returns the tokens.
func (s *Scanner) Finish() []lexer.Token {
	s.Toks = append(s.Toks, lexer.EOFToken(s.Position(len(s.Src))))
	return s.Toks
}

// LexerDef is a participle lexer definition over a hand-written scanner:
// the parsers scan themselves (to report lexical errors with positions and
// carets) and replay the tokens (ParseTokens); the definition tells
// participle the token types and can lex on its own too.
type LexerDef struct {
	Syms map[string]lexer.TokenType
	Scan func(src string) ([]lexer.Token, *source.Error)
}

// Symbols returns the token types by name.
func (d LexerDef) Symbols() map[string]lexer.TokenType { return d.Syms }

// Lex reads all of r and scans it.
func (d LexerDef) Lex(_ string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return d.LexString("", string(b))
}

// LexString scans src.
func (d LexerDef) LexString(_ string, src string) (lexer.Lexer, error) {
	toks, err := d.Scan(src)
	if err != nil {
		return nil, err
	}
	return NewTokenLexer(toks), nil
}

// IsQueryStringSpace reports whether r is whitespace in the query_string
// syntax (Lucene's classic query parser, _WHITESPACE: space, tab, line
// feed, carriage return and the ideographic space U+3000). It separates
// terms in Lucene queries (parser/lucene), and in the query_string query
// Kibana sends for a KQL value with wildcards (parser/kql).
func IsQueryStringSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u3000'
}

// The literals EQL and ES|QL read alike (both follow Elasticsearch's ANTLR
// grammars of the two languages).

// NumberEnd returns the end of the decimal number at src[start:], which
// starts with a digit: digits, an optional fraction, and an exponent only
// when digits follow it ("1e" is 1, then the identifier e); float says
// whether it has a fraction or an exponent.
func NumberEnd(src string, start int) (end int, float bool) {
	i := digitsEnd(src, start)
	if i < len(src) && src[i] == '.' {
		float = true
		i = digitsEnd(src, i+1)
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		j := i + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if k := digitsEnd(src, j); k > j {
			i, float = k, true
		}
	}
	return i, float
}

func digitsEnd(src string, i int) int {
	for i < len(src) && '0' <= src[i] && src[i] <= '9' {
		i++
	}
	return i
}

// QuotedEnd returns the end of the backquoted name at src[start] == '`',
// in which "“" stands for a backquote; it may span lines. It returns
// ok false with end 0 for an unterminated name, and with end > 0 for an
// empty one ("“" alone).
func QuotedEnd(src string, start int) (end int, ok bool) {
	for i := start + 1; i < len(src); i++ {
		if src[i] != '`' {
			continue
		}
		if i+1 < len(src) && src[i+1] == '`' {
			i++
			continue
		}
		return i + 1, i > start+1
	}
	return 0, false
}

// TripleQuotedEnd returns the end of the """...""" string at src[start:]:
// it ends at the first """ and takes up to two more quotes into its value.
// It returns ok false with end at the line break where a line ends first,
// or at len(src) when the source does.
func TripleQuotedEnd(src string, start int) (end int, ok bool) {
	for i := start + 3; i < len(src); i++ {
		switch {
		case src[i] == '\r' || src[i] == '\n':
			return i, false
		case strings.HasPrefix(src[i:], `"""`):
			i += 3
			for k := 0; k < 2 && i < len(src) && src[i] == '"'; k++ {
				i++
			}
			return i, true
		}
	}
	return len(src), false
}
