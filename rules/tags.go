package rules

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/source"
)

// TagOp is the operator of a TagExpr node.
type TagOp int

// Tag expression operators.
const (
	TagMatch TagOp = iota // the rule has a tag matching Tag (case-insensitive; * and ? are wildcards)
	TagAnd                // all Args hold
	TagOr                 // at least one of Args holds
	TagNot                // Args[0] does not hold
)

// TagExpr is a boolean expression over a rule's tags, as ParseTagExpr reads
// it.
type TagExpr struct {
	Op   TagOp
	Tag  string     // TagMatch: the tag or tag pattern, as written (unquoted)
	Args []*TagExpr // TagAnd, TagOr: two or more; TagNot: one
	Pos  source.Pos // where the node starts in the expression

	pat wildcard.Pattern // TagMatch: Tag as a wildcard pattern
}

// ParseTagExpr reads a boolean expression over tags:
//
//	AWS or Azure
//	"Domain: Endpoint" and not "OS: Linux"
//	Tactic: Persistence and (OS: Windows or OS: macOS)
//	"Data Source: *" and not Deprecated
//
// The operators are and, or and not (any letter case), with not binding
// tighter than and, and and tighter than or; parentheses group. A tag is
// either quoted ("..." or '...', with \" \' and \\ escapes) or a run of
// bare words: consecutive words that are not operators make one tag, joined
// by single spaces, so that Domain: Endpoint is the tag "Domain: Endpoint".
// Quote tags that contain and, or, not, parentheses or quotes. In a tag, *
// matches any run of characters, ? any one character, and a backslash makes
// the next character literal (in quoted tags, write it \\). Tags compare
// case-insensitively.
//
// Syntax errors are *source.Error values (Lang "tags") with the position of
// the offending token.
func ParseTagExpr(s string) (*TagExpr, error) {
	p := &tagParser{src: s}
	if err := p.lex(); err != nil {
		return nil, err
	}
	if p.peek().kind == tokEOF {
		return nil, p.errAt(0, "empty tag expression")
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		if t.kind == tokRParen {
			return nil, p.errAt(t.off, "unbalanced \")\"")
		}
		return nil, p.errAt(t.off, "expected \"and\" or \"or\" before %s", t.describe())
	}
	return e, nil
}

// Match tells whether tags satisfy the expression.
func (e *TagExpr) Match(tags []string) bool {
	switch e.Op {
	case TagMatch:
		for _, t := range tags {
			if e.pat.Match(strings.TrimSpace(t), true) {
				return true
			}
		}
		return false
	case TagAnd:
		for _, a := range e.Args {
			if !a.Match(tags) {
				return false
			}
		}
		return true
	case TagOr:
		for _, a := range e.Args {
			if a.Match(tags) {
				return true
			}
		}
		return false
	case TagNot:
		return !e.Args[0].Match(tags)
	}
	return false
}

// String renders the expression in the syntax ParseTagExpr reads, with
// every tag quoted and every compound operand parenthesised.
func (e *TagExpr) String() string {
	switch e.Op {
	case TagMatch:
		return quoteTag(e.Tag)
	case TagNot:
		return "not " + e.Args[0].operand()
	case TagAnd, TagOr:
		op := " and "
		if e.Op == TagOr {
			op = " or "
		}
		parts := make([]string, len(e.Args))
		for i, a := range e.Args {
			parts[i] = a.operand()
		}
		return strings.Join(parts, op)
	}
	return ""
}

func (e *TagExpr) operand() string {
	if e.Op == TagAnd || e.Op == TagOr {
		return "(" + e.String() + ")"
	}
	return e.String()
}

func quoteTag(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokWord
	tokQuoted
	tokAnd
	tokOr
	tokNot
	tokLParen
	tokRParen
)

type tagToken struct {
	kind tokKind
	text string // word or unquoted tag
	off  int
	end  int
}

func (t tagToken) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of expression"
	case tokWord:
		return fmt.Sprintf("tag %q", t.text)
	case tokQuoted:
		return fmt.Sprintf("tag %s", quoteTag(t.text))
	case tokAnd:
		return `"and"`
	case tokOr:
		return `"or"`
	case tokNot:
		return `"not"`
	case tokLParen:
		return `"("`
	case tokRParen:
		return `")"`
	}
	return "token"
}

type tagParser struct {
	src  string
	toks []tagToken
	i    int
}

func (p *tagParser) errAt(off int, format string, args ...any) *source.Error {
	return source.Errorf("tags", p.src, off, format, args...)
}

func (p *tagParser) lex() error {
	s := p.src
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += w
		case r == '(':
			p.toks = append(p.toks, tagToken{kind: tokLParen, off: i, end: i + 1})
			i++
		case r == ')':
			p.toks = append(p.toks, tagToken{kind: tokRParen, off: i, end: i + 1})
			i++
		case r == '"' || r == '\'':
			var b strings.Builder
			j := i + 1
			closed := false
			for j < len(s) {
				c := s[j]
				if c == '\\' && j+1 < len(s) {
					b.WriteByte(s[j+1])
					j += 2
					continue
				}
				if c == byte(r) {
					closed = true
					j++
					break
				}
				b.WriteByte(c)
				j++
			}
			if !closed {
				return p.errAt(i, "unterminated quoted tag")
			}
			if strings.TrimSpace(b.String()) == "" {
				return p.errAt(i, "empty tag")
			}
			p.toks = append(p.toks, tagToken{kind: tokQuoted, text: b.String(), off: i, end: j})
			i = j
		default:
			j := i
			for j < len(s) {
				r, w := utf8.DecodeRuneInString(s[j:])
				if unicode.IsSpace(r) || r == '(' || r == ')' || r == '"' || r == '\'' {
					break
				}
				j += w
			}
			word := s[i:j]
			kind := tokWord
			switch strings.ToLower(word) {
			case "and":
				kind = tokAnd
			case "or":
				kind = tokOr
			case "not":
				kind = tokNot
			}
			p.toks = append(p.toks, tagToken{kind: kind, text: word, off: i, end: j})
			i = j
		}
	}
	p.toks = append(p.toks, tagToken{kind: tokEOF, off: len(s), end: len(s)})
	return nil
}

func (p *tagParser) peek() tagToken { return p.toks[p.i] }

func (p *tagParser) next() tagToken {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *tagParser) pos(off int) source.Pos { return source.PosAt(p.src, off) }

// or := and ("or" and)*
func (p *tagParser) or() (*TagExpr, error) {
	return p.binary(tokOr, TagOr, p.and)
}

// and := not ("and" not)*
func (p *tagParser) and() (*TagExpr, error) {
	return p.binary(tokAnd, TagAnd, p.not)
}

func (p *tagParser) binary(tok tokKind, op TagOp, operand func() (*TagExpr, error)) (*TagExpr, error) {
	first, err := operand()
	if err != nil {
		return nil, err
	}
	args := []*TagExpr{first}
	for p.peek().kind == tok {
		p.next()
		e, err := operand()
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	if len(args) == 1 {
		return first, nil
	}
	return &TagExpr{Op: op, Args: args, Pos: first.Pos}, nil
}

// not := "not" not | primary
func (p *tagParser) not() (*TagExpr, error) {
	if t := p.peek(); t.kind == tokNot {
		p.next()
		e, err := p.not()
		if err != nil {
			return nil, err
		}
		return &TagExpr{Op: TagNot, Args: []*TagExpr{e}, Pos: p.pos(t.off)}, nil
	}
	return p.primary()
}

// primary := "(" or ")" | quoted | word+
func (p *tagParser) primary() (*TagExpr, error) {
	t := p.next()
	switch t.kind {
	case tokLParen:
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if c := p.peek(); c.kind != tokRParen {
			if c.kind == tokEOF {
				return nil, p.errAt(t.off, "unclosed \"(\"")
			}
			return nil, p.errAt(c.off, "expected \")\" or an operator, found %s", c.describe())
		}
		p.next()
		return e, nil
	case tokQuoted:
		return newTagMatch(t.text, p.pos(t.off)), nil
	case tokWord:
		words := []string{t.text}
		for p.peek().kind == tokWord {
			words = append(words, p.next().text)
		}
		return newTagMatch(strings.Join(words, " "), p.pos(t.off)), nil
	case tokEOF:
		return nil, p.errAt(t.off, "expected a tag, \"not\" or \"(\" at the end of the expression")
	}
	return nil, p.errAt(t.off, "expected a tag, \"not\" or \"(\", found %s", t.describe())
}

func newTagMatch(tag string, pos source.Pos) *TagExpr {
	tag = strings.TrimSpace(tag)
	return &TagExpr{Op: TagMatch, Tag: tag, Pos: pos, pat: wildcard.Parse(tag, wildcard.StarAndQuestion)}
}
