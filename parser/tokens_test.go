package parser

import (
	"errors"
	"testing"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
	"github.com/emit-sec/emit/source"
)

// A tiny grammar over pre-scanned tokens: words separated by commas.
type list struct {
	Words []string `parser:"@Word (',' @Word)*"`
}

func scanWords(src string) []lexer.Token {
	var toks []lexer.Token
	for i := 0; i < len(src); {
		j := i + 1
		typ := lexer.TokenType(-3)
		if src[i] != ',' {
			typ = -2
			for j < len(src) && src[j] != ',' {
				j++
			}
		}
		p := source.PosAt(src, i)
		toks = append(toks, lexer.Token{Type: typ, Value: src[i:j], Pos: lexer.Position{Offset: i, Line: p.Line, Column: p.Col}})
		i = j
	}
	p := source.PosAt(src, len(src))
	return append(toks, lexer.Token{Type: lexer.EOF, Pos: lexer.Position{Offset: len(src), Line: p.Line, Column: p.Col}})
}

func TestParseTokens(t *testing.T) {
	g := participle.MustBuild[list](participle.Lexer(lexer.MustSimple([]lexer.SimpleRule{
		{Name: "Word", Pattern: `[^,]+`}, {Name: "Punct", Pattern: `,`},
	})))
	toks := scanWords("a,b,c")
	got, err := ParseTokens(g, toks)
	if err != nil || len(got.Words) != 3 || got.Words[2] != "c" {
		t.Fatalf("ParseTokens(a,b,c) = %+v, %v", got, err)
	}
	for _, tt := range []struct {
		src  string
		want int // index of the token the error points at
	}{
		{"a,,b", 2}, // the second comma
		{"a,", 2},   // EOF after the comma
		{",a", 0},   // the leading comma
		{"a,b,", 4}, // EOF
	} {
		toks := scanWords(tt.src)
		_, err := ParseTokens(g, toks)
		if err == nil {
			t.Errorf("ParseTokens(%q): no error", tt.src)
			continue
		}
		k, ok := ErrorToken(toks, err)
		if !ok || k != tt.want {
			t.Errorf("ErrorToken(%q) = %d, %v; want %d (error %v)", tt.src, k, ok, tt.want, err)
		}
	}
	if _, ok := ErrorToken(toks, errors.New("other")); ok {
		t.Error("ErrorToken accepted an error that is not participle's")
	}
}

func TestTokenLexerRepeatsEOF(t *testing.T) {
	l := NewTokenLexer(scanWords("a"))
	for i, want := range []lexer.TokenType{-2, lexer.EOF, lexer.EOF, lexer.EOF} {
		tok, err := l.Next()
		if err != nil || tok.Type != want {
			t.Fatalf("Next #%d = %v, %v; want type %d", i, tok, err, want)
		}
	}
}
