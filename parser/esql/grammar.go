package esql

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The participle grammar, a transcription of Elasticsearch's
// EsqlBaseParser.g4 (and its Expression.g4 and Join.g4) over the tokens of
// the stateful lexer:
//
//	query      = command ("|" command)*
//	command    = from | row | show | where | eval | stats | inline | keep | drop | rename
//	           | sort | limit | mv_expand | dissect | grok | enrich | lookup | change_point
//	           | completion | rerank | sample | fork
//	from       = ("FROM" | "TS") index ("," index)* ("METADATA" Source ("," Source)*)?
//	index      = Source (":" Source)? ("::" Source)? | String
//	stats      = ("STATS" | "INLINESTATS" | "INLINE" "STATS") (agg ("," agg)*)? ("BY" field ("," field)*)?
//	agg        = field ("WHERE" or)?
//	field      = or ("=" or)?                  (the left side must be a name)
//	or         = not (("OR" | "AND") not)*          (AND binds tighter than OR)
//	not        = "NOT" not | pred
//	pred       = value ("NOT"? ("IN" "(" value ("," value)* ")"
//	                          | ("LIKE" | "RLIKE") (String | "(" String ("," String)* ")"))
//	                   | "IS" "NOT"? "NULL"
//	                   | ":" const)?
//	value      = unary (("==" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/" | "%") unary)*
//	             (* / % bind tighter than + -, which bind tighter than one comparison)
//	unary      = ("-" | "+") unary | primary
//	primary    = (const | ref | "(" or ")") ("::" (Ident | Quoted))*
//	ref        = (Ident | Quoted | "FIRST" | "LAST") ("(" ("*" | arg ("," arg)*)? ")")? ("." (Ident | Quoted | Keyword))*
//	             (a call has no dotted parts)
//	arg        = map | or
//	map        = "{" (String ":" (map | or) ("," String ":" (map | or))*)? "}"
//	const      = (String | Int | Float | "NULL" | "TRUE" | "FALSE" | Param) Ident? | "[" unary ("," unary)* "]"
//	             (a name only after a number: a time span)
//
// After a dot, a keyword is a name part: the detection rules (and ECS)
// write source.as.number, which Elasticsearch accepts.
//
// As in Elasticsearch, NOT binds tighter than AND and OR but applies to a
// whole predicate ("NOT a IN (1)" is "NOT (a IN (1))"), a comparison
// cannot be chained, and an integer followed by a name is a time span
// ("1 hour", "15 minutes", "1d").
// The commands are tried in the order of their frequency in the rules.
type gCommand struct {
	Pos         lexer.Position
	EndPos      lexer.Position
	Where       *gWhere       `parser:"  @@"`
	Eval        *gEval        `parser:"| @@"`
	Stats       *gStats       `parser:"| @@"`
	Keep        *gKeep        `parser:"| @@"`
	From        *gFrom        `parser:"| @@"`
	Sort        *gSort        `parser:"| @@"`
	Limit       *gLimit       `parser:"| @@"`
	Grok        *gGrok        `parser:"| @@"`
	MvExpand    *gMvExpand    `parser:"| @@"`
	Dissect     *gDissect     `parser:"| @@"`
	Rename      *gRename      `parser:"| @@"`
	Completion  *gCompletion  `parser:"| @@"`
	Row         *gRow         `parser:"| @@"`
	Show        *gShow        `parser:"| @@"`
	Enrich      *gEnrich      `parser:"| @@"`
	Lookup      *gLookup      `parser:"| @@"`
	ChangePoint *gChangePoint `parser:"| @@"`
	Rerank      *gRerank      `parser:"| @@"`
	Sample      *gSample      `parser:"| @@"`
	Fork        *gFork        `parser:"| @@"`
}

type gFrom struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	Cmd      lexer.Token   `parser:"@( 'from':Command | 'ts':Command )"`
	Indices  []*gIndex     `parser:"@@ ( ',' @@ )*"`
	Metadata []*gSourceTok `parser:"( 'metadata':Keyword @@ ( ',' @@ )* )?"`
}

type gIndex struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	First    lexer.Token `parser:"(   @Source"`
	Second   lexer.Token `parser:"    ( ':' @Source )?"`
	Selector lexer.Token `parser:"    ( '::' @Source )?"`
	Quoted   lexer.Token `parser:"  | @String )"`
}

type gRow struct {
	Fields []*gField `parser:"'row':Command @@ ( ',' @@ )*"`
}

type gShow struct {
	Item lexer.Token `parser:"'show':Command @( 'info':Keyword | Ident )"`
}

type gWhere struct {
	Cond *gOr `parser:"'where':Command @@"`
}

type gEval struct {
	Fields []*gField `parser:"'eval':Command @@ ( ',' @@ )*"`
}

type gStats struct {
	Cmd  lexer.Token `parser:"(   @'stats':Command | @'inlinestats':Command | @'inline':Command 'stats':Keyword )"`
	Aggs []*gAgg     `parser:"( @@ ( ',' @@ )* )?"`
	By   []*gField   `parser:"( 'by':Keyword @@ ( ',' @@ )* )?"`
}

type gAgg struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Field  *gField `parser:"@@"`
	Filter *gOr    `parser:"( 'where':Keyword @@ )?"`
}

// gField is "[name =] expr"; the grammar takes any expression on the left
// and the builder checks that it is a name.
type gField struct {
	Pos    lexer.Position
	EndPos lexer.Position
	X      *gOr `parser:"@@"`
	Value  *gOr `parser:"( '=' @@ )?"`
}

type gKeep struct {
	Cmd      lexer.Token     `parser:"@( 'keep':Command | 'drop':Command )"`
	Patterns []*gNamePattern `parser:"@@ ( ',' @@ )*"`
}

type gNamePattern struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Parts  []*gPatternTok `parser:"@@ ( '.' @@ )*"`
}

type gRename struct {
	Clauses []*gRenameClause `parser:"'rename':Command @@ ( ',' @@ )*"`
}

type gRenameClause struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Left   *gNamePattern `parser:"@@"`
	As     bool          `parser:"( @'as':Keyword"`
	Assign bool          `parser:"| @'=' )"`
	Right  *gNamePattern `parser:"@@"`
}

type gSort struct {
	Keys []*gOrder `parser:"'sort':Command @@ ( ',' @@ )*"`
}

type gOrder struct {
	Pos    lexer.Position
	EndPos lexer.Position
	X      *gOr   `parser:"@@"`
	Dir    string `parser:"@( 'asc':Keyword | 'desc':Keyword )?"`
	Nulls  string `parser:"( 'nulls':Keyword @( 'first':Keyword | 'last':Keyword ) )?"`
}

type gLimit struct {
	N *gOr `parser:"'limit':Command @@"`
}

type gMvExpand struct {
	Field *gName `parser:"'mv_expand':Command @@"`
}

// gName is a dotted field name outside expressions (MV_EXPAND,
// CHANGE_POINT).
type gName struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Head   lexer.Token  `parser:"@( Ident | Quoted )"`
	Parts  []*gNamePart `parser:"( '.' @@ )*"`
}

type gDissect struct {
	X       *gPrimary   `parser:"'dissect':Command @@"`
	Pattern lexer.Token `parser:"@String"`
	Options []*gOption  `parser:"( @@ ( ',' @@ )* )?"`
}

type gOption struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   lexer.Token `parser:"@( Ident | Quoted ) '='"`
	Value  *gUnary     `parser:"@@"`
}

type gGrok struct {
	X        *gPrimary     `parser:"'grok':Command @@"`
	Patterns []*gStringTok `parser:"@@ ( ',' @@ )*"`
}

type gEnrich struct {
	Policy lexer.Token     `parser:"'enrich':Command @( Policy | String )"`
	On     *gNamePattern   `parser:"( 'on':Keyword @@ )?"`
	With   []*gEnrichField `parser:"( 'with':Keyword @@ ( ',' @@ )* )?"`
}

type gEnrichField struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Left   *gNamePattern `parser:"@@"`
	Right  *gNamePattern `parser:"( '=' @@ )?"`
}

type gLookup struct {
	Index *gIndex   `parser:"'lookup':Command 'join':Keyword @@"`
	On    []*gValue `parser:"'on':Keyword @@ ( ',' @@ )*"`
}

type gChangePoint struct {
	Value  *gName `parser:"'change_point':Command @@"`
	Key    *gName `parser:"( 'on':Keyword @@ )?"`
	Type   *gName `parser:"( 'as':Keyword @@"`
	PValue *gName `parser:"  ',' @@ )?"`
}

type gCompletion struct {
	X       *gPrimary `parser:"'completion':Command @@"`
	Prompt  *gPrimary `parser:"( '=' @@ )?"`
	Options *gMap     `parser:"( 'with':Keyword @@ )?"`
}

type gRerank struct {
	X       *gOr      `parser:"'rerank':Command @@"`
	Query   *gOr      `parser:"( '=' @@ )?"`
	On      []*gField `parser:"'on':Keyword @@ ( ',' @@ )*"`
	Options *gMap     `parser:"( 'with':Keyword @@ )?"`
}

type gSample struct {
	P *gOr `parser:"'sample':Command @@"`
}

type gFork struct {
	Branches []*gBranch `parser:"'fork':Command @@+"`
}

type gBranch struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	Commands []*gCommand `parser:"'(' @@ ( '|' @@ )* ')'"`
}

// gOr is a chain of conditions joined by AND and OR; the builder gives AND
// its higher precedence.
type gOr struct {
	Pos  lexer.Position
	X    *gNot    `parser:"@@"`
	Rest []*gBool `parser:"@@*"`
}

type gBool struct {
	Op string `parser:"@Bool"`
	X  *gNot  `parser:"@@"`
}

// gNot is a predicate (a value and what is said of it), or NOT and a
// condition.
type gNot struct {
	Pos    lexer.Position
	EndPos lexer.Position
	X      *gValue       `parser:"(   @@"`
	PNot   bool          `parser:"    ( ( @'not':Keyword?"`
	In     []*gValue     `parser:"        ( 'in':Keyword '(' @@ ( ',' @@ )* ')'"`
	Like   string        `parser:"        | @Like"`
	Pats   []*gStringTok `parser:"          ( @@ | '(' @@ ( ',' @@ )* ')' ) ) )"`
	Is     bool          `parser:"      | @'is':Keyword"`
	IsNot  bool          `parser:"        @'not':Keyword? 'null':Lit"`
	Match  *gUnary       `parser:"      | ':' @@ )?"`
	Not    *gNot         `parser:"  | 'not':Keyword @@ )"`
}

// gValue is a chain of operands joined by comparison and arithmetic
// operators; the builder applies their precedences (* / % over + - over
// comparisons) and rejects chained comparisons.
type gValue struct {
	X    *gUnary   `parser:"@@"`
	Rest []*gBinOp `parser:"@@*"`
}

type gBinOp struct {
	Op string  `parser:"@BinOp"`
	X  *gUnary `parser:"@@"`
}

// gUnary is an operand: a primary expression (a name or a call, a
// constant, a list or a parenthesized condition) and its casts, or a sign
// and an operand. One struct for what gPrimary, gRef and gConst say
// apart: participle allocates and branches per struct.
type gUnary struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Head   lexer.Token   `parser:"(   (   @( Ident | Quoted | 'first':Keyword | 'last':Keyword )"`
	Call   bool          `parser:"        ( @'('"`
	Star   bool          `parser:"          @'*'?"`
	Args   []*gArg       `parser:"          ( @@ ( ',' @@ )* )? ')' )?"`
	Parts  []lexer.Token `parser:"        ( @( '.' ( Ident | Quoted | Keyword | Bool | Like | 'null':Lit | 'true':Lit | 'false':Lit ) ( '.' ( Ident | Quoted | Keyword | Bool | Like | 'null':Lit | 'true':Lit | 'false':Lit ) )* ) )?"`
	Tok    lexer.Token   `parser:"      | @( String | Lit )"`
	Unit   lexer.Token   `parser:"        @Ident?"`
	List   []*gUnary     `parser:"      | '[' @@ ( ',' @@ )* ']'"`
	Paren  *gOr          `parser:"      | '(' @@ ')' )"`
	Casts  []*gTypeTok   `parser:"    ( '::' @@ )*"`
	Op     string        `parser:"  | @( '-' | '+' )"`
	X      *gUnary       `parser:"    @@ )"`
}

// gPrimary is a primary expression and its casts, where a command takes
// one (DISSECT, GROK, COMPLETION).
type gPrimary struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Ref    *gRef       `parser:"(   @@"`
	Const  *gConst     `parser:"  | @@"`
	Paren  *gOr        `parser:"  | '(' @@ ')' )"`
	Casts  []*gTypeTok `parser:"( '::' @@ )*"`
}

type gRef struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Head   lexer.Token   `parser:"@( Ident | Quoted | 'first':Keyword | 'last':Keyword )"`
	Call   *gArgs        `parser:"@@?"`
	Parts  []lexer.Token `parser:"( @( '.' ( Ident | Quoted | Keyword | Bool | Like | 'null':Lit | 'true':Lit | 'false':Lit ) ( '.' ( Ident | Quoted | Keyword | Bool | Like | 'null':Lit | 'true':Lit | 'false':Lit ) )* ) )?"`
}

type gArgs struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Star   bool    `parser:"'(' @'*'?"`
	Args   []*gArg `parser:"( @@ ( ',' @@ )* )? ')'"`
}

type gArg struct {
	Pos lexer.Position
	Map *gMap `parser:"  @@"`
	X   *gOr  `parser:"| @@"`
}

type gMap struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Entries []*gEntry `parser:"'{' ( @@ ( ',' @@ )* )? '}'"`
}

type gEntry struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Key    lexer.Token `parser:"@String ':'"`
	Map    *gMap       `parser:"(   @@"`
	Value  *gOr        `parser:"  | @@ )"`
}

type gConst struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Tok    lexer.Token `parser:"(   @( String | Lit )"`
	Unit   lexer.Token `parser:"    @Ident?"`
	List   []*gUnary   `parser:"  | '[' @@ ( ',' @@ )* ']' )"`
}

// Participle sets (does not append to) a []lexer.Token field on each
// capture, so repeated tokens are captured through these structs.
type (
	gSourceTok struct {
		Tok lexer.Token `parser:"@Source"`
	}
	gPatternTok struct {
		Tok lexer.Token `parser:"@Pattern"`
	}
	gStringTok struct {
		Tok lexer.Token `parser:"@String"`
	}
	gTypeTok struct {
		Tok lexer.Token `parser:"@( Ident | Quoted )"`
	}
	// gNamePart is a part of a dotted name after a dot, where keywords
	// (of every class) are names.
	gNamePart struct {
		Tok lexer.Token `parser:"@( Ident | Quoted | Keyword | Bool | Like | 'null':Lit | 'true':Lit | 'false':Lit )"`
	}
)

// grammar parses one command: Parse splits a query at the "|" between its
// commands.
var grammar = participle.MustBuild[gCommand](
	participle.Lexer(lexDef{}),
	participle.UseLookahead(1),
)
