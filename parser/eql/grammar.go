package eql

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The participle grammar, a transcription of Elasticsearch's EqlBase.g4:
//
//	statement = (sequence | sample | filter) pipe*
//	sequence  = "sequence" ("by" keys maxspan? | maxspan ("by" keys)?)? term+ ("until" term)?
//	sample    = "sample" ("by" keys)? term+
//	maxspan   = "with" "maxspan" "=" number Ident?
//	term      = ("[" | "![") filter "]" ("by" keys)? ("with" Ident "=" number)?
//	filter    = ("any" | Ident | String) "where" or
//	pipe      = "|" Ident (or ("," or)*)?
//	or        = and ("or" and)*
//	and       = not ("and" not)*
//	not       = "not" not | cmp
//	cmp       = add (("==" | "!=" | "<" | "<=" | ">" | ">=") add)?
//	add       = mul (("+" | "-") mul)*
//	mul       = unary (("*" | "/" | "%") unary)*
//	unary     = ("-" | "+") unary | postfix
//	postfix   = primary pred?
//	pred      = "not"? ("in" | "in~") "(" or ("," or)* ")"
//	          | (":" | "like" | "like~" | "regex" | "regex~") (const | "(" const ("," const)* ")")
//	primary   = const | call | field | "(" or ")"
//	call      = (Ident | TildeIdent) "(" (or ("," or)*)? ")"
//	field     = "?"? (Ident | Quoted) ("." (Ident | Quoted))* ("[" Int+ "]")?
//
// As in Elasticsearch, "not" binds tighter than "and" and "or", and a
// pattern or list operator applies to the primary expression just before
// it: "a + b in (1, 2)" is "a + (b in (1, 2))".
type gStatement struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	Sequence *gSequence `parser:"(   @@"`
	Sample   *gSample   `parser:"  | @@"`
	Event    *gFilter   `parser:"  | @@ )"`
	Pipes    []*gPipe   `parser:"@@*"`
}

type gSequence struct {
	Pos       lexer.Position
	EndPos    lexer.Position
	By        []*gField `parser:"'sequence' ( 'by' @@ ( ',' @@ )*"`
	MaxSpan   *gMaxSpan `parser:"            @@?"`
	WithFirst *gMaxSpan `parser:"          | @@"`
	ByAfter   []*gField `parser:"            ( 'by' @@ ( ',' @@ )* )? )?"`
	Terms     []*gTerm  `parser:"@@+"`
	Until     *gTerm    `parser:"( 'until' @@ )?"`
}

type gSample struct {
	Pos    lexer.Position
	EndPos lexer.Position
	By     []*gField `parser:"'sample' ( 'by' @@ ( ',' @@ )* )?"`
	Terms  []*gTerm  `parser:"@@+"`
}

type gMaxSpan struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Value  lexer.Token `parser:"'with' 'maxspan' '=' @(Int | Float)"`
	Unit   lexer.Token `parser:"@Ident?"`
}

type gTerm struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Missing bool      `parser:"( @'!['"`
	Open    bool      `parser:"| @'[' )"`
	Filter  *gFilter  `parser:"@@ ']'"`
	By      []*gField `parser:"( 'by' @@ ( ',' @@ )* )?"`
	With    *gWith    `parser:"@@?"`
}

type gWith struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Key    lexer.Token `parser:"'with' @Ident"`
	Value  lexer.Token `parser:"'=' @(Int | Float)"`
}

type gFilter struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	Any      bool        `parser:"( @'any'"`
	Category lexer.Token `parser:"| @( Ident | Str ) )"`
	Cond     *gOr        `parser:"'where' @@"`
}

type gPipe struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   lexer.Token `parser:"'|' @Ident"`
	Args   []*gOr      `parser:"( @@ ( ',' @@ )* )?"`
}

// gOr is a chain of conditions joined by "and" and "or"; the builder
// gives "and" its higher precedence. One flat chain costs participle far
// less than a struct per precedence level.
type gOr struct {
	Pos    lexer.Position
	EndPos lexer.Position
	X      *gValue  `parser:"@@"`
	Rest   []*gBool `parser:"@@*"`
}

type gBool struct {
	Op string  `parser:"@Bool"`
	X  *gValue `parser:"@@"`
}

// gValue is a condition: "not" and a condition, or a chain of operands
// joined by comparison and arithmetic operators; the builder applies their
// precedences (* / % over + - over one comparison) and rejects a chained
// comparison where the grammar above does.
type gValue struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Not    *gValue   `parser:"(   'not' @@"`
	X      *gUnary   `parser:"  | @@"`
	Rest   []*gBinOp `parser:"    @@* )"`
}

type gBinOp struct {
	Op string  `parser:"@BinOp"`
	X  *gUnary `parser:"@@"`
}

// gUnary is an operand: a primary expression and the pattern or list
// operator that applies to it, or a sign and an operand. The alternatives
// begin with different tokens: they are in the order of their frequency.
type gUnary struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	CallName lexer.Token   `parser:"(   (   @( Ident | TildeIdent ) '('"`
	Args     []*gOr        `parser:"        ( @@ ( ',' @@ )* )? ')'"`
	Field    []lexer.Token `parser:"      | @( '?'? ( Ident | Quoted ) ( '.' ( Ident | Quoted ) )* )"`
	Index    []lexer.Token `parser:"        ( '[' @Int+ ']' )?"`
	Const    lexer.Token   `parser:"      | @( Str | Int | Float | 'true' | 'false' | 'null' )"`
	Paren    *gOr          `parser:"      | '(' @@ ')' )"`
	PredNot  bool          `parser:"    (   @'not'?"`
	In       string        `parser:"        @InOp"`
	List     []*gOr        `parser:"        '(' @@ ( ',' @@ )* ')'"`
	Op       string        `parser:"      | @PatternOp"`
	Pats     []lexer.Token `parser:"        ( @( Str | Int | Float | 'true' | 'false' | 'null' ) | '(' @( ( Str | Int | Float | 'true' | 'false' | 'null' ) ( ',' ( Str | Int | Float | 'true' | 'false' | 'null' ) )* ) ')' ) )?"`
	Sign     string        `parser:"  | @( '-' | '+' )"`
	X        *gUnary       `parser:"    @@ )"`
}

// gField is a field name outside expressions (the join keys after "by").
type gField struct {
	Pos   lexer.Position
	Name  []lexer.Token `parser:"@( '?'? ( Ident | Quoted ) ( '.' ( Ident | Quoted ) )* )"`
	Index []lexer.Token `parser:"( '[' @Int+ ']' )?"`
}

var grammar = participle.MustBuild[gStatement](
	participle.Lexer(lexDef{}),
	// "name (" decides a call over a field, "field [ 0 ]" an (unsupported)
	// array index over the "[" of the next sequence step.
	participle.UseLookahead(3),
)
