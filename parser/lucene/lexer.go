package lucene

import (
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/emit-sec/emit/parser"
	"github.com/emit-sec/emit/source"
)

// Token types. They follow the token definitions of Lucene's classic query
// parser (QueryParser.jj), which Elasticsearch's query_string query uses;
// the names in the comments are Lucene's.
const (
	tokTerm        lexer.TokenType = iota + 1 // TERM
	tokMultiFirst                             // a TERM that starts a multi-term (see markMultiTerms)
	tokMultiNext                              // a TERM that continues a multi-term
	tokStar                                   // STAR: a lone "*"
	tokPrefix                                 // PREFIXTERM: term chars then one "*"
	tokWild                                   // WILDTERM: term chars, "*" and "?"
	tokRegex                                  // REGEXPTERM: /.../
	tokQuoted                                 // QUOTED: "..."
	tokBareOper                               // BAREOPER: "+", "-" or "!" and whitespace: a term
	tokAnd                                    // AND, &&
	tokOr                                     // OR, ||
	tokNot                                    // NOT, !
	tokPlus                                   // +
	tokMinus                                  // -
	tokLParen                                 // (
	tokRParen                                 // )
	tokColon                                  // :
	tokCaret                                  // ^
	tokNumber                                 // NUMBER: the boost after ^
	tokFuzzy                                  // FUZZY_SLOP: ~ and term chars
	tokRangeStart                             // RANGEIN_START "[", RANGEEX_START "{"
	tokRangeEnd                               // RANGEIN_END "]", RANGEEX_END "}"
	tokTo                                     // RANGE_TO
	tokGoop                                   // RANGE_GOOP: a range bound
	tokRangeQuoted                            // RANGE_QUOTED: a quoted range bound
	tokField                                  // a TERM or STAR before ":" that starts a clause
)

var symbols = map[string]lexer.TokenType{
	"EOF":         lexer.EOF,
	"Term":        tokTerm,
	"MultiFirst":  tokMultiFirst,
	"MultiNext":   tokMultiNext,
	"Star":        tokStar,
	"Prefix":      tokPrefix,
	"Wild":        tokWild,
	"Regex":       tokRegex,
	"Quoted":      tokQuoted,
	"BareOper":    tokBareOper,
	"And":         tokAnd,
	"Or":          tokOr,
	"Not":         tokNot,
	"Plus":        tokPlus,
	"Minus":       tokMinus,
	"LParen":      tokLParen,
	"RParen":      tokRParen,
	"Colon":       tokColon,
	"Caret":       tokCaret,
	"Number":      tokNumber,
	"Fuzzy":       tokFuzzy,
	"RangeStart":  tokRangeStart,
	"RangeEnd":    tokRangeEnd,
	"To":          tokTo,
	"Goop":        tokGoop,
	"RangeQuoted": tokRangeQuoted,
	"Field":       tokField,
}

// isTermStart reports whether r may start a term unescaped (Lucene's
// _TERM_START_CHAR without the escapes).
func isTermStart(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\u3000', '+', '-', '!', '(', ')', ':', '^',
		'[', ']', '"', '{', '}', '~', '*', '?', '\\', '/':
		return false
	}
	return true
}

// isTermChar reports whether r may continue a term unescaped (_TERM_CHAR).
func isTermChar(r rune) bool { return r == '+' || r == '-' || isTermStart(r) }

// decode returns the rune at src[i:] and its size (an invalid byte is a
// one-byte rune, as everywhere in the project's positions).
func decode(src string, i int) (rune, int) {
	c := src[i]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(src[i:])
}

// scanner turns a query into tokens, as Lucene's token manager does: the
// longest match wins, and among matches of equal length the token defined
// first in QueryParser.jj.
type scanner struct {
	parser.Scanner
}

func (s *scanner) errorf(off int, format string, args ...any) *source.Error {
	return source.Errorf("lucene", s.Src, off, format, args...)
}

// scan tokenizes src; the last token is EOF.
func scan(src string) ([]lexer.Token, *source.Error) {
	s := &scanner{parser.NewScanner(src, 8+len(src)/5)}
	i := 0
	for i < len(src) {
		r, size := decode(src, i)
		if parser.IsQueryStringSpace(r) {
			i += size
			continue
		}
		var err *source.Error
		switch r {
		case '(':
			s.Emit(tokLParen, i, i+1)
			i++
		case ')':
			s.Emit(tokRParen, i, i+1)
			i++
		case ':':
			s.Emit(tokColon, i, i+1)
			i++
		case '+', '-', '!':
			i = s.operator(r, i)
		case '^':
			i, err = s.boost(i)
		case '"':
			i, err = s.quoted(i)
		case '~':
			end := s.termChars(i + 1)
			s.Emit(tokFuzzy, i, end)
			i = end
		case '/':
			i, err = s.regex(i)
		case '[', '{':
			i, err = s.rangeTokens(i)
		case ']', '}':
			err = s.errorf(i, `unexpected %q outside a range: a range is written [a TO b] or {a TO b}; escape it inside a value as \%c`, string(r), r)
		case '\\':
			if i+1 >= len(src) {
				err = s.errorf(i, `"\" at the end of the query escapes nothing`)
				break
			}
			i = s.term(i)
		default:
			i = s.term(i)
		}
		if err != nil {
			return nil, err
		}
	}
	toks := s.Finish()
	markMultiTerms(toks)
	markFields(toks)
	return toks, nil
}

// operator scans "+", "-" or "!" at src[i]: followed by whitespace it is a
// BAREOPER (a term of that one character), else the PLUS, MINUS or NOT
// operator.
func (s *scanner) operator(r rune, i int) int {
	if i+1 < len(s.Src) {
		if w, size := decode(s.Src, i+1); parser.IsQueryStringSpace(w) {
			// The token's text leaves the whitespace out.
			s.Emit(tokBareOper, i, i+1)
			return i + 1 + size
		}
	}
	switch r {
	case '+':
		s.Emit(tokPlus, i, i+1)
	case '-':
		s.Emit(tokMinus, i, i+1)
	default:
		s.Emit(tokNot, i, i+1)
	}
	return i + 1
}

// boost scans "^" and the number that must follow it at once (Lucene's
// Boost state skips no whitespace).
func (s *scanner) boost(i int) (int, *source.Error) {
	s.Emit(tokCaret, i, i+1)
	j := i + 1
	k := digits(s.Src, j)
	if k == j {
		return 0, s.errorf(j, `a boost "^" must be followed at once by a number, as in ^2 or ^0.5`)
	}
	if k+1 < len(s.Src) && s.Src[k] == '.' {
		if m := digits(s.Src, k+1); m > k+1 {
			k = m
		}
	}
	s.Emit(tokNumber, j, k)
	return k, nil
}

func digits(src string, i int) int {
	for i < len(src) && src[i] >= '0' && src[i] <= '9' {
		i++
	}
	return i
}

// quoted scans a quoted phrase: a backslash escapes any character.
func (s *scanner) quoted(i int) (int, *source.Error) {
	j := i + 1
	for {
		if j >= len(s.Src) {
			return 0, s.errorf(i, `unterminated quoted phrase: add the closing "`)
		}
		switch s.Src[j] {
		case '"':
			s.Emit(tokQuoted, i, j+1)
			return j + 1, nil
		case '\\':
			if j+1 >= len(s.Src) {
				return 0, s.errorf(i, `unterminated quoted phrase: add the closing "`)
			}
			_, size := decode(s.Src, j+1)
			j += 1 + size
		default:
			_, size := decode(s.Src, j)
			j += size
		}
	}
}

// termChars returns the end of the run of term characters (escapes
// included) that starts at i.
func (s *scanner) termChars(i int) int {
	for i < len(s.Src) {
		r, size := decode(s.Src, i)
		switch {
		case r == '\\':
			if i+1 >= len(s.Src) {
				return i
			}
			_, n := decode(s.Src, i+1)
			i += 1 + n
		case isTermChar(r):
			i += size
		default:
			return i
		}
	}
	return i
}

// term scans a TERM, STAR, PREFIXTERM or WILDTERM, or the keywords AND,
// OR, NOT, && and || (which win over a TERM of the same length). src[i] is
// a term start character, an escape, "*" or "?".
func (s *scanner) term(i int) int {
	src := s.Src
	j := i
	wilds, lastStar := 0, false
scan:
	for j < len(src) {
		r, size := decode(src, j)
		switch {
		case r == '\\':
			if j+1 >= len(src) {
				break scan
			}
			_, n := decode(src, j+1)
			j += 1 + n
			lastStar = false
		case r == '*' || r == '?':
			wilds++
			lastStar = r == '*'
			j += size
		case isTermChar(r) && (j > i || isTermStart(r)):
			j += size
			lastStar = false
		default:
			break scan
		}
	}
	raw := src[i:j]
	switch {
	case raw == "*":
		s.Emit(tokStar, i, j)
	case wilds == 0:
		switch raw {
		case "AND", "&&":
			s.Emit(tokAnd, i, j)
		case "OR", "||":
			s.Emit(tokOr, i, j)
		case "NOT":
			s.Emit(tokNot, i, j)
		default:
			s.Emit(tokTerm, i, j)
		}
	case wilds == 1 && lastStar && src[i] != '*' && src[i] != '?':
		s.Emit(tokPrefix, i, j)
	default:
		s.Emit(tokWild, i, j)
	}
	return j
}

// delimitedEnd returns the end of the longest token that starts with the
// delimiter d at src[i] and ends with d, where inside "\" followed by d does
// not end it (Lucene's REGEXPTERM "/" (~["/"] | "\\/")* "/" and RANGE_QUOTED
// "\"" (~["\""] | "\\\"")+ "\""); minLen is the least number of bytes
// between the delimiters. It returns -1 when there is no such token.
//
// Since "\" may also stand for itself, "\d" can both end the token and
// continue it: the token manager takes the longest match, which extends up
// to the first delimiter that no backslash precedes.
func delimitedEnd(src string, i int, d byte, minLen int) int {
	end := -1
	for j := i + 1; j < len(src); j++ {
		if src[j] != d {
			continue
		}
		if j-(i+1) >= minLen {
			end = j + 1
		}
		if !(src[j-1] == '\\' && j-1 > i) {
			break
		}
	}
	return end
}

// regex scans a regular expression /.../.
func (s *scanner) regex(i int) (int, *source.Error) {
	end := delimitedEnd(s.Src, i, '/', 0)
	if end < 0 {
		return 0, s.errorf(i, `unterminated regular expression: add the closing "/" (a "/" inside a value is escaped as \/)`)
	}
	s.Emit(tokRegex, i, end)
	return end, nil
}

// rangeTokens scans a range from its "[" or "{" to its "]" or "}" (Lucene's
// Range state: bounds are runs of anything but space, "]" and "}", or
// quoted; "TO" separates them).
func (s *scanner) rangeTokens(i int) (int, *source.Error) {
	src := s.Src
	s.Emit(tokRangeStart, i, i+1)
	j := i + 1
	for j < len(src) {
		r, size := decode(src, j)
		goop := goopEnd(src, j)
		switch {
		case r == ']' || r == '}':
			s.Emit(tokRangeEnd, j, j+1)
			return j + 1, nil
		case r == ' ':
			j++
			continue
		case parser.IsQueryStringSpace(r) && goop == j+size:
			// Whitespace other than a space is a bound character too; alone
			// it is skipped (the skip rule comes first in Lucene's grammar).
			j += size
			continue
		case r == '"':
			if q := delimitedEnd(src, j, '"', 1); q >= 0 && q >= goop {
				s.Emit(tokRangeQuoted, j, q)
				j = q
				continue
			}
		case goop == j+2 && src[j:goop] == "TO":
			s.Emit(tokTo, j, goop)
			j = goop
			continue
		}
		s.Emit(tokGoop, j, goop)
		j = goop
	}
	return 0, s.errorf(i, `unterminated range: expected "]" or "}" to close this %q`, src[i:i+1])
}

// goopEnd returns the end of the run of bytes at i that are not a space,
// "]" or "}" (Lucene's RANGE_GOOP).
func goopEnd(src string, i int) int {
	for i < len(src) {
		switch src[i] {
		case ' ', ']', '}':
			return i
		}
		i++
	}
	return i
}

// markMultiTerms marks the runs of terms that Lucene reads as one
// multi-term: where a clause may start without an operator, a modifier or
// a field (not after ":", "+", "-", NOT, AND or OR), a TERM followed by
// TERMs, each of which is not followed by ":", "*", "~", "^", AND or OR.
// Elasticsearch sends the whole text ("new york city") to the field's
// analyzer (query_string does not split on whitespace).
func markMultiTerms(toks []lexer.Token) {
	for k := 0; k+2 < len(toks); k++ {
		if toks[k].Type != tokTerm || toks[k+1].Type != tokTerm || !allowedAfterMulti(toks[k+2].Type) {
			continue
		}
		if k > 0 {
			switch toks[k-1].Type {
			case tokColon, tokPlus, tokMinus, tokNot, tokAnd, tokOr:
				continue
			}
		}
		toks[k].Type = tokMultiFirst
		j := k + 1
		for toks[j].Type == tokTerm && allowedAfterMulti(toks[j+1].Type) {
			toks[j].Type = tokMultiNext
			j++
		}
		k = j - 1
	}
}

// markFields marks the field names: a TERM or a STAR followed by ":",
// except right after another ":" (where no clause starts, so the second
// ":" is an error). This keeps the grammar LL(1).
func markFields(toks []lexer.Token) {
	for k := 0; k+1 < len(toks); k++ {
		if (toks[k].Type == tokTerm || toks[k].Type == tokStar) && toks[k+1].Type == tokColon && (k == 0 || toks[k-1].Type != tokColon) {
			toks[k].Type = tokField
		}
	}
}

func allowedAfterMulti(t lexer.TokenType) bool {
	switch t {
	case tokColon, tokStar, tokFuzzy, tokCaret, tokAnd, tokOr:
		return false
	}
	return true
}

// lexDef is the participle lexer definition: Parse scans with scan itself
// (to report lexical errors with positions); lexDef lets participle know
// the token types and can lex on its own too.
var lexDef = parser.LexerDef{Syms: symbols, Scan: scan}
