package esql

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/emit-sec/emit/parser"
	"github.com/emit-sec/emit/source"
)

// describe names a token for an error message.
func describe(t lexer.Token) string {
	switch t.Type {
	case lexer.EOF:
		return "the end of the query"
	case tokString:
		v := t.Value
		if utf8.RuneCountInString(v) > 40 {
			v = string([]rune(v)[:37]) + "..."
		}
		return "string " + v
	case tokCommand, tokKeyword:
		return strings.ToUpper(t.Value)
	}
	return fmt.Sprintf("%q", t.Value)
}

// syntaxError turns a participle error into a *source.Error with a message
// that says what was expected where.
func syntaxError(src string, toks []lexer.Token, err error) *source.Error {
	k, ok := parser.ErrorToken(toks, err)
	if !ok {
		return source.Errorf("esql", src, 0, "%v", err)
	}
	tok := toks[k]
	at := func(format string, args ...any) *source.Error {
		return source.Errorf("esql", src, tok.Pos.Offset, format, args...)
	}
	return at("unexpected %s (%v)", describe(tok), err)
}
