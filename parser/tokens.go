// Package parser holds the plumbing the participle-based query parsers
// share: replaying pre-scanned tokens and locating participle's errors.
// Positions and positioned errors live in package source; the languages in
// the sub-packages (parser/kql, parser/eql, ...).
package parser

import (
	"errors"
	"sort"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// TokenLexer replays pre-scanned tokens to participle. The last token must
// be the EOF token: it repeats at the end.
type TokenLexer struct {
	toks []lexer.Token
	i    int
	// class, when not nil, gives the type participle sees of a token.
	class func(lexer.Token) lexer.TokenType
}

// NewTokenLexer returns a lexer that replays toks, which end with an EOF
// token.
func NewTokenLexer(toks []lexer.Token) *TokenLexer { return &TokenLexer{toks: toks} }

// Next returns the next token; EOF repeats at the end.
func (l *TokenLexer) Next() (lexer.Token, error) {
	if l.i >= len(l.toks) {
		return l.toks[len(l.toks)-1], nil
	}
	t := l.toks[l.i]
	l.i++
	if l.class != nil {
		t.Type = l.class(t)
	}
	return t, nil
}

// NewClassLexer returns a lexer that replays toks, which end with an EOF
// token, with each token's type replaced by class(token): a grammar can
// then match a class of tokens (the binary operators, say) with one
// reference, where a disjunction of literals makes participle try each in
// a branch of its own. The tokens a grammar captures have the class types.
func NewClassLexer(toks []lexer.Token, class func(lexer.Token) lexer.TokenType) *TokenLexer {
	return &TokenLexer{toks: toks, class: class}
}

// ParseTokens parses pre-scanned tokens (ending with an EOF token) with a
// participle grammar.
func ParseTokens[G any](p *participle.Parser[G], toks []lexer.Token) (*G, error) {
	return parseFrom(p, NewTokenLexer(toks))
}

// ParseClassTokens parses pre-scanned tokens (ending with an EOF token)
// with a participle grammar over their classes (see NewClassLexer).
func ParseClassTokens[G any](p *participle.Parser[G], toks []lexer.Token, class func(lexer.Token) lexer.TokenType) (*G, error) {
	return parseFrom(p, NewClassLexer(toks, class))
}

func parseFrom[G any](p *participle.Parser[G], l *TokenLexer) (*G, error) {
	pl, err := lexer.Upgrade(l)
	if err != nil {
		return nil, err
	}
	return p.ParseFromLexer(pl)
}

// ErrorToken returns the index in toks (which end with an EOF token) of the
// token a participle error points at: the first token at or after the
// error's offset, or the last token. ok is false when err is not a
// participle error.
func ErrorToken(toks []lexer.Token, err error) (k int, ok bool) {
	var perr participle.Error
	if !errors.As(err, &perr) {
		return 0, false
	}
	off := perr.Position().Offset
	k = sort.Search(len(toks), func(i int) bool { return toks[i].Pos.Offset >= off })
	if k >= len(toks) {
		k = len(toks) - 1
	}
	return k, true
}
