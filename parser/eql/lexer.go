package eql

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/emit-sec/emit/parser"
	"github.com/emit-sec/emit/source"
)

// Token types of the EQL lexer, after Elasticsearch's EqlBase.g4.
const (
	tokKeyword    lexer.TokenType = iota + 1 // and, any, by, ..., in~, like~, regex~
	tokIdent                                 // process, @timestamp, head
	tokTildeIdent                            // startsWith~ (only a function name)
	tokQuoted                                // `my-field`, raw text with the backticks
	tokString                                // "...", raw text with the quotes
	tokRawString                             // """...""", raw text with the quotes
	tokInt                                   // 42
	tokFloat                                 // 4.2, .5, 1e3
	tokPunct                                 // == != <= >= < > : = ![ [ ] ( ) , . | + - * / % ?
)

// The classes of tokens the grammar matches as one (see class).
const (
	clsString  lexer.TokenType = iota + tokPunct + 1 // String, RawString
	clsBinOp                                         // == != <= >= < > + - * / %
	clsBool                                          // and, or
	clsPattern                                       // : like like~ regex regex~
	clsIn                                            // in in~
)

// class is the type the grammar sees of a token: its class, or its type.
// The tokens the grammar captures have these types; fine returns the
// scanned token.
func class(t lexer.Token) lexer.TokenType {
	switch t.Type {
	case tokString, tokRawString:
		return clsString
	case tokKeyword:
		switch t.Value {
		case "and", "or":
			return clsBool
		case "like", "like~", "regex", "regex~":
			return clsPattern
		case "in", "in~":
			return clsIn
		}
	case tokPunct:
		switch t.Value {
		case "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%":
			return clsBinOp
		case ":":
			return clsPattern
		}
	}
	return t.Type
}

// keywords are EQL's reserved words. Elasticsearch matches them
// case-sensitively: "AND" is an identifier, not the operator.
var keywords = map[string]bool{
	"and": true, "any": true, "by": true, "false": true, "in": true, "in~": true,
	"join": true, "like": true, "like~": true, "maxspan": true, "not": true,
	"null": true, "of": true, "or": true, "regex": true, "regex~": true,
	"sample": true, "sequence": true, "true": true, "until": true, "where": true,
	"with": true,
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isHex(c byte) bool    { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// isIdentifier reports whether s lexes as one plain identifier (not a
// keyword), so that it can be printed without backticks or quotes.
func isIdentifier(s string) bool {
	if s == "" || keywords[s] {
		return false
	}
	if c := s[0]; !isLetter(c) && c != '_' && c != '@' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isLetter(c) && !isDigit(c) && c != '_' {
			return false
		}
	}
	return true
}

type scanner struct {
	// Scanner holds the tokens and computes their positions.
	parser.Scanner
	src string // Scanner.Src
}

// position computes the participle position of byte offset off, which must
// not be before the last position computed.
func (s *scanner) position(off int) lexer.Position { return s.Position(off) }

func (s *scanner) emit(t lexer.TokenType, start, end int) { s.Emit(t, start, end) }

func (s *scanner) errorf(off int, format string, args ...any) *source.Error {
	return source.Errorf("eql", s.src, off, format, args...)
}

// scan splits src into tokens, dropping whitespace and comments. The last
// token is EOF. Lexical errors (an unterminated string, a bad escape, a
// character EQL does not know) are returned at their position.
func scan(src string) ([]lexer.Token, *source.Error) {
	s := &scanner{Scanner: parser.NewScanner(src, len(src)/4+1), src: src}
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end, err := s.blockComment(i)
			if err != nil {
				return nil, err
			}
			i = end
		case isLetter(c) || c == '_' || c == '@':
			j := i + 1
			for j < len(src) && (isLetter(src[j]) || isDigit(src[j]) || src[j] == '_') {
				j++
			}
			word := src[i:j]
			switch {
			case j < len(src) && src[j] == '~' && isLetter(c):
				if keywords[word+"~"] {
					s.emit(tokKeyword, i, j+1)
				} else {
					s.emit(tokTildeIdent, i, j+1)
				}
				j++
			case keywords[word]:
				s.emit(tokKeyword, i, j)
			default:
				s.emit(tokIdent, i, j)
			}
			i = j
		case isDigit(c) || c == '.' && i+1 < len(src) && isDigit(src[i+1]):
			i = s.number(i)
		case c == '`':
			end, err := s.quotedIdent(i)
			if err != nil {
				return nil, err
			}
			i = end
		case c == '"':
			end, err := s.str(i)
			if err != nil {
				return nil, err
			}
			i = end
		case c == '\'':
			return nil, s.errorf(i, `use double quotes ["] to define string literals, not single quotes [']`)
		case c == '?' && i+1 < len(src) && (src[i+1] == '"' || src[i+1] == '\''):
			return nil, s.errorf(i, `use triple double quotes ["""] to define unescaped string literals, not [?%c]`, src[i+1])
		default:
			n := punctLen(src, i)
			if n == 0 {
				r, _ := utf8.DecodeRuneInString(src[i:])
				if c == '!' {
					return nil, s.errorf(i, `unexpected "!": use "!=" to compare, "not" to negate a condition, or "![" for a missing event`)
				}
				if c == '~' {
					return nil, s.errorf(i, `unexpected "~": it must directly follow a function name or "in", "like", "regex"`)
				}
				return nil, s.errorf(i, "unexpected character %q", r)
			}
			s.emit(tokPunct, i, i+n)
			i += n
		}
	}
	return s.Finish(), nil
}

// punctLen returns the length of the operator or punctuation at src[i:], or 0.
func punctLen(src string, i int) int {
	if i+1 < len(src) {
		switch src[i : i+2] {
		case "==", "!=", "<=", ">=", "![":
			return 2
		}
	}
	switch src[i] {
	case '<', '>', ':', '=', '[', ']', '(', ')', ',', '.', '|', '+', '-', '*', '/', '%', '?':
		return 1
	}
	return 0
}

// blockComment skips a "/* */" comment, which may nest as in
// Elasticsearch's grammar, and returns the offset after it.
func (s *scanner) blockComment(start int) (int, *source.Error) {
	depth := 0
	i := start
	for i < len(s.src) {
		switch {
		case strings.HasPrefix(s.src[i:], "/*"):
			depth++
			i += 2
		case strings.HasPrefix(s.src[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i, nil
			}
		default:
			i++
		}
	}
	return 0, s.errorf(start, `unterminated comment: "/*" has no matching "*/"`)
}

// number lexes an INTEGER_VALUE or DECIMAL_VALUE.
func (s *scanner) number(start int) int {
	end, float := parser.NumberEnd(s.src, start)
	if float {
		s.emit(tokFloat, start, end)
	} else {
		s.emit(tokInt, start, end)
	}
	return end
}

// quotedIdent lexes a backtick-quoted identifier; "“" stands for a backtick.
func (s *scanner) quotedIdent(start int) (int, *source.Error) {
	end, ok := parser.QuotedEnd(s.src, start)
	switch {
	case !ok && end > 0:
		return 0, s.errorf(start, "empty field name ``")
	case !ok:
		return 0, s.errorf(start, "unterminated field name: \"`\" has no matching \"`\"")
	}
	s.emit(tokQuoted, start, end)
	return end, nil
}

// str lexes a string: "..." with escapes, or a raw """...""" string, which
// ends at the first """ and takes up to two more quotes into its value, as
// in Elasticsearch. Neither may span lines.
func (s *scanner) str(start int) (int, *source.Error) {
	src := s.src
	if strings.HasPrefix(src[start:], `"""`) {
		end, ok := parser.TripleQuotedEnd(src, start)
		switch {
		case ok:
			s.emit(tokRawString, start, end)
			return end, nil
		case end < len(src):
			return 0, s.errorf(start, `unterminated raw string: """ strings cannot span lines`)
		}
		return 0, s.errorf(start, `unterminated raw string: """ has no matching """`)
	}
	i := start + 1
	for i < len(src) {
		switch src[i] {
		case '"':
			s.emit(tokString, start, i+1)
			return i + 1, nil
		case '\r', '\n':
			return 0, s.errorf(start, `unterminated string: strings cannot span lines (use \n for a newline)`)
		case '\\':
			n, err := s.escapeLen(i)
			if err != nil {
				return 0, err
			}
			i += n
		default:
			i++
		}
	}
	return 0, s.errorf(start, `unterminated string: '"' has no matching '"'`)
}

// escapeLen validates the escape sequence at src[i:] (src[i] == '\\') and
// returns its length.
func (s *scanner) escapeLen(i int) (int, *source.Error) {
	src := s.src
	if i+1 >= len(src) {
		return 0, s.errorf(i, "incomplete escape sequence at the end of the string")
	}
	switch src[i+1] {
	case 'b', 't', 'n', 'f', 'r', '"', '\'', '\\':
		return 2, nil
	case 'u':
		if i+2 >= len(src) || src[i+2] != '{' {
			return 0, s.errorf(i, `invalid unicode escape: use \u{XXXX} with 2 to 8 hex digits`)
		}
		j := i + 3
		for j < len(src) && isHex(src[j]) {
			j++
		}
		if j >= len(src) || src[j] != '}' {
			return 0, s.errorf(i, `invalid unicode escape: use \u{XXXX} with 2 to 8 hex digits`)
		}
		if _, ok := unicodeEscape(src[i+3 : j]); !ok {
			return 0, s.errorf(i, "invalid unicode escape %s: use 2 to 8 hex digits naming a valid code point", src[i:j+1])
		}
		return j + 1 - i, nil
	}
	r, _ := utf8.DecodeRuneInString(src[i+1:])
	return 0, s.errorf(i, `invalid escape sequence \%c: use \\ for a backslash, or a """raw string"""`, r)
}

// unicodeEscape decodes the hex digits of a \u{...} escape.
func unicodeEscape(hex string) (rune, bool) {
	if len(hex) < 2 || len(hex) > 8 {
		return 0, false
	}
	var v uint32
	for i := 0; i < len(hex); i++ {
		c := hex[i]
		var d byte
		switch {
		case isDigit(c):
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		default:
			d = c - 'A' + 10
		}
		v = v<<4 | uint32(d)
	}
	if v > utf8.MaxRune || v >= 0xD800 && v <= 0xDFFF {
		return 0, false
	}
	return rune(v), true
}

// unquoteString returns the value of a tokString or tokRawString token,
// whose escapes the scanner validated.
func unquoteString(tok lexer.Token) string {
	v := tok.Value
	if tok.Type == tokRawString {
		return v[3 : len(v)-3]
	}
	v = v[1 : len(v)-1]
	if strings.IndexByte(v, '\\') < 0 {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\\' || i+1 >= len(v) {
			b.WriteByte(c)
			continue
		}
		i++
		switch v[i] {
		case 'b':
			b.WriteByte('\b')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'f':
			b.WriteByte('\f')
		case 'r':
			b.WriteByte('\r')
		case 'u':
			end := strings.IndexByte(v[i:], '}')
			r, _ := unicodeEscape(v[i+2 : i+end])
			b.WriteRune(r)
			i += end
		default: // " ' \
			b.WriteByte(v[i])
		}
	}
	return b.String()
}

// unquoteIdent returns the name of a tokQuoted token.
func unquoteIdent(v string) string {
	return strings.ReplaceAll(v[1:len(v)-1], "``", "`")
}

// lexDef is the participle lexer definition. Parse feeds participle
// pre-scanned tokens; Lex exists to satisfy the interface (participle uses
// Symbols to build the grammar).
type lexDef struct{}

// Symbols names the token types for the grammar.
func (lexDef) Symbols() map[string]lexer.TokenType {
	// A fresh map: the grammar is built during package initialization,
	// possibly before package-level maps are.
	return map[string]lexer.TokenType{
		"EOF":        lexer.EOF,
		"Keyword":    tokKeyword,
		"Ident":      tokIdent,
		"TildeIdent": tokTildeIdent,
		"Quoted":     tokQuoted,
		"String":     tokString,
		"RawString":  tokRawString,
		"Int":        tokInt,
		"Float":      tokFloat,
		"Punct":      tokPunct,
		"Str":        clsString,
		"BinOp":      clsBinOp,
		"Bool":       clsBool,
		"PatternOp":  clsPattern,
		"InOp":       clsIn,
	}
}

// Lex scans a whole query.
func (lexDef) Lex(_ string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	toks, perr := scan(string(b))
	if perr != nil {
		return nil, &lexer.Error{Msg: perr.Msg, Pos: lexer.Position{Offset: perr.Pos.Offset, Line: perr.Pos.Line, Column: perr.Pos.Col}}
	}
	return parser.NewClassLexer(toks, class), nil
}
