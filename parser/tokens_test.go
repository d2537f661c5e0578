package parser

import (
	"errors"
	"strings"
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

func TestScannerPositions(t *testing.T) {
	src := "ab\ncé\xffd\n\nx"
	s := NewScanner(src, 4)
	for off := 0; off <= len(src); off++ {
		if off == 5 {
			continue // inside "é": not a token start
		}
		p := s.Position(off)
		want := source.PosAt(src, off)
		if p.Offset != off || p.Line != want.Line || p.Column != want.Col {
			t.Errorf("Position(%d) = %d:%d, want %s", off, p.Line, p.Column, want)
		}
	}
	s = NewScanner("a b", 2)
	s.Emit(-2, 0, 1)
	s.Emit(-2, 2, 3)
	toks := s.Finish()
	if len(toks) != 3 || toks[1].Value != "b" || toks[1].Pos.Column != 3 || toks[2].Type != lexer.EOF || toks[2].Pos.Offset != 3 {
		t.Errorf("tokens %+v", toks)
	}
}

func TestLexerDef(t *testing.T) {
	def := LexerDef{
		Syms: map[string]lexer.TokenType{"EOF": lexer.EOF, "Word": -2},
		Scan: func(src string) ([]lexer.Token, *source.Error) {
			if src == "" {
				return nil, source.Errorf("test", src, 0, "empty")
			}
			s := NewScanner(src, 1)
			s.Emit(-2, 0, len(src))
			return s.Finish(), nil
		},
	}
	if len(def.Symbols()) != 2 {
		t.Errorf("Symbols() = %v", def.Symbols())
	}
	l, err := def.Lex("", strings.NewReader("word"))
	if err != nil {
		t.Fatal(err)
	}
	if tok, _ := l.Next(); tok.Value != "word" {
		t.Errorf("first token %+v", tok)
	}
	if _, err := def.LexString("", ""); err == nil {
		t.Error("LexString(\"\"): no error")
	} else if _, ok := err.(*source.Error); !ok {
		t.Errorf("LexString(\"\"): %T, want *source.Error", err)
	}
	for _, r := range " \t\n\r\u3000" {
		if !IsQueryStringSpace(r) {
			t.Errorf("IsQueryStringSpace(%q) = false", r)
		}
	}
	for _, r := range "a\u00a0\v\f" {
		if IsQueryStringSpace(r) {
			t.Errorf("IsQueryStringSpace(%q) = true", r)
		}
	}
}
