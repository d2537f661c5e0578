package esql

import (
	"time"

	"github.com/emit-sec/emit/source"
)

// Loc is where a node was written: the position of its first byte and the
// position just after its last byte.
type Loc = source.Loc

// Query is a parsed ES|QL query: a source command followed by processing
// commands, separated by "|".
type Query struct {
	// Src is the query text as given to Parse.
	Src string
	// Commands holds the commands in order. Commands[0] is the source
	// command (*From, *Row or *Show); the others are processing commands.
	Commands []Command
	Loc      Loc
}

// Source returns the source command.
func (q *Query) Source() Command { return q.Commands[0] }

// Command is one command of a query: *From, *Row, *Show (source commands)
// or *Where, *Eval, *Stats, *Keep, *Drop, *Rename, *Sort, *Limit,
// *MvExpand, *Dissect, *Grok, *Enrich, *LookupJoin, *ChangePoint,
// *Completion, *Rerank, *Sample or *Fork (processing commands).
type Command interface {
	// Name is the command's keyword in upper case ("FROM", "INLINE STATS").
	Name() string
	// Location is where the command was written, from its keyword on.
	Location() Loc
	// String renders the command as ES|QL.
	String() string
	commandNode()
}

// IndexPattern is one source of FROM, TS or LOOKUP JOIN:
// "logs-*", "remote:logs-*", "logs-*::failures" or a quoted "logs-*,metrics-*".
type IndexPattern struct {
	// Cluster is the remote cluster of "cluster:index" ("" for the local
	// cluster). Always "" when Quoted.
	Cluster string
	// Index is the index name, pattern or alias ("logs-endpoint.*",
	// "-excluded", "<logs-{now/d}>"). A quoted pattern keeps the string's
	// whole value here, which may name several comma-separated patterns
	// and a cluster.
	Index string
	// Selector is the index component of "index::selector" ("data" or
	// "failures"); "" when absent.
	Selector string
	// Quoted is set when the pattern was written as a string literal.
	Quoted bool
	Loc    Loc
}

// From is "FROM patterns [METADATA fields]" or "TS patterns [METADATA
// fields]".
type From struct {
	// TS is set for the time-series source command TS.
	TS       bool
	Indices  []*IndexPattern
	Metadata []*Ident // _id, _index, _version, _ignored, _index_mode, _score, _source
	Loc      Loc
}

// Ident is a name written in a command where it is not an expression (a
// METADATA field, a DISSECT option).
type Ident struct {
	Name string
	Loc  Loc
}

// Row is "ROW a = 1, b = "x"": one row of constants and expressions.
type Row struct {
	Fields []*Assign
	Loc    Loc
}

// Show is "SHOW INFO".
type Show struct {
	Item string // "info"
	Loc  Loc
}

// Assign is "name = expr" or a bare expression (Name nil) in ROW, EVAL,
// STATS ... BY and RERANK. A bare expression is named after its source
// text by Elasticsearch.
type Assign struct {
	Name *Field // nil when the expression is not named
	X    Expr
	Loc  Loc
}

// Where is "WHERE condition".
type Where struct {
	Cond Expr
	Loc  Loc
}

// Eval is "EVAL a = expr, expr, ...".
type Eval struct {
	Fields []*Assign
	Loc    Loc
}

// Stats is "STATS aggs BY groups" or, with Inline, "INLINE STATS aggs BY
// groups" (also written INLINESTATS), which adds the aggregates to every
// row instead of replacing the rows with one row per group.
type Stats struct {
	Inline bool
	Aggs   []*Agg
	By     []*Assign
	Loc    Loc
}

// Agg is one aggregate of STATS: "[name =] expr [WHERE filter]". Only the
// rows for which Filter holds enter the aggregate functions of X.
type Agg struct {
	Name   *Field // nil when not named
	X      Expr
	Filter Expr // nil when absent
	Loc    Loc
}

// NamePattern is a field name or a pattern with "*" wildcards, as KEEP,
// DROP, RENAME and ENRICH take them ("host.*", "Esql.*", "*", "@timestamp").
type NamePattern struct {
	// Pattern is the dotted name with backquotes removed; "*" is a
	// wildcard.
	Pattern string
	Loc     Loc
}

// HasWildcard reports whether the pattern contains "*".
func (p *NamePattern) HasWildcard() bool {
	for i := 0; i < len(p.Pattern); i++ {
		if p.Pattern[i] == '*' {
			return true
		}
	}
	return false
}

// Keep is "KEEP patterns".
type Keep struct {
	Patterns []*NamePattern
	Loc      Loc
}

// Drop is "DROP patterns".
type Drop struct {
	Patterns []*NamePattern
	Loc      Loc
}

// Rename is "RENAME old AS new, ..." (also written "new = old").
type Rename struct {
	Pairs []*RenamePair
	Loc   Loc
}

// RenamePair is one "old AS new" of RENAME.
type RenamePair struct {
	Old, New *NamePattern
	Loc      Loc
}

// Direction is the order of a SORT key.
type Direction uint8

// Sort directions. The default is ascending.
const (
	DirDefault Direction = iota
	Asc
	Desc
)

// NullsOrder is where a SORT key puts nulls.
type NullsOrder uint8

// Null orders. The default puts nulls last in ascending order and first in
// descending order.
const (
	NullsDefault NullsOrder = iota
	NullsFirst
	NullsLast
)

// Sort is "SORT key [ASC|DESC] [NULLS FIRST|LAST], ...".
type Sort struct {
	Keys []*SortKey
	Loc  Loc
}

// SortKey is one key of SORT.
type SortKey struct {
	X     Expr
	Dir   Direction
	Nulls NullsOrder
	Loc   Loc
}

// Descending reports whether the key sorts in descending order.
func (k *SortKey) Descending() bool { return k.Dir == Desc }

// IsNullsFirst reports whether nulls come first: NULLS FIRST, or a
// descending key without a NULLS clause.
func (k *SortKey) IsNullsFirst() bool {
	return k.Nulls == NullsFirst || k.Nulls == NullsDefault && k.Dir == Desc
}

// Limit is "LIMIT n" (or "LIMIT ?param").
type Limit struct {
	N     int64
	Param *Param // set instead of N for a parameter
	Loc   Loc
}

// MvExpand is "MV_EXPAND field": one row per value of a multi-valued field.
type MvExpand struct {
	Field *Field
	Loc   Loc
}

// Dissect is "DISSECT expr "pattern" [APPEND_SEPARATOR = "sep"]".
type Dissect struct {
	X       Expr
	Pattern *Literal // a string
	// AppendSeparator is the append_separator option; nil when absent.
	AppendSeparator *Literal
	Loc             Loc
}

// Grok is "GROK expr "pattern" [, "pattern" ...]".
type Grok struct {
	X        Expr
	Patterns []*Literal // strings
	Loc      Loc
}

// Enrich is "ENRICH [mode:]policy [ON field] [WITH [name =] field, ...]".
type Enrich struct {
	// Mode is the policy qualifier: "", "_any", "_coordinator" or "_remote"
	// (lower case).
	Mode   string
	Policy string
	On     *NamePattern   // nil when absent: the policy's match field
	With   []*EnrichField // empty: all the policy's enrich fields
	Loc    Loc
}

// EnrichField is "[name =] field" of ENRICH ... WITH.
type EnrichField struct {
	Name  *NamePattern // nil: the field keeps its name
	Field *NamePattern
	Loc   Loc
}

// LookupJoin is "LOOKUP JOIN index ON condition, ...". The conditions are
// field names (join on equality of the same-named fields) or comparisons.
type LookupJoin struct {
	Index *IndexPattern
	On    []Expr
	Loc   Loc
}

// ChangePoint is "CHANGE_POINT value [ON key] [AS type, pvalue]".
type ChangePoint struct {
	Value  *Field
	Key    *Field // nil: @timestamp
	Type   *Field // nil: type
	PValue *Field // nil: pvalue
	Loc    Loc
}

// Completion is "COMPLETION [target =] prompt WITH { "inference_id": ... }":
// it sends the prompt to an inference endpoint.
type Completion struct {
	Target  *Field // nil: completion
	Prompt  Expr
	Options *Map // nil when absent
	Loc     Loc
}

// Rerank is "RERANK [target =] query ON fields [WITH {...}]".
type Rerank struct {
	Target  *Field // nil: _score
	Query   Expr
	On      []*Assign
	Options *Map
	Loc     Loc
}

// Sample is "SAMPLE probability".
type Sample struct {
	Probability *Literal // a double strictly between 0 and 1
	Loc         Loc
}

// Fork is "FORK (commands) (commands) ...": each branch runs its processing
// commands on the input rows.
type Fork struct {
	Branches []*Branch
	Loc      Loc
}

// Branch is one parenthesized pipeline of FORK.
type Branch struct {
	Commands []Command
	Loc      Loc
}

func (*From) commandNode()        {}
func (*Row) commandNode()         {}
func (*Show) commandNode()        {}
func (*Where) commandNode()       {}
func (*Eval) commandNode()        {}
func (*Stats) commandNode()       {}
func (*Keep) commandNode()        {}
func (*Drop) commandNode()        {}
func (*Rename) commandNode()      {}
func (*Sort) commandNode()        {}
func (*Limit) commandNode()       {}
func (*MvExpand) commandNode()    {}
func (*Dissect) commandNode()     {}
func (*Grok) commandNode()        {}
func (*Enrich) commandNode()      {}
func (*LookupJoin) commandNode()  {}
func (*ChangePoint) commandNode() {}
func (*Completion) commandNode()  {}
func (*Rerank) commandNode()      {}
func (*Sample) commandNode()      {}
func (*Fork) commandNode()        {}

// Name implements Command.
func (c *From) Name() string {
	if c.TS {
		return "TS"
	}
	return "FROM"
}

// Name implements Command.
func (*Row) Name() string { return "ROW" }

// Name implements Command.
func (*Show) Name() string { return "SHOW" }

// Name implements Command.
func (*Where) Name() string { return "WHERE" }

// Name implements Command.
func (*Eval) Name() string { return "EVAL" }

// Name implements Command.
func (c *Stats) Name() string {
	if c.Inline {
		return "INLINE STATS"
	}
	return "STATS"
}

// Name implements Command.
func (*Keep) Name() string { return "KEEP" }

// Name implements Command.
func (*Drop) Name() string { return "DROP" }

// Name implements Command.
func (*Rename) Name() string { return "RENAME" }

// Name implements Command.
func (*Sort) Name() string { return "SORT" }

// Name implements Command.
func (*Limit) Name() string { return "LIMIT" }

// Name implements Command.
func (*MvExpand) Name() string { return "MV_EXPAND" }

// Name implements Command.
func (*Dissect) Name() string { return "DISSECT" }

// Name implements Command.
func (*Grok) Name() string { return "GROK" }

// Name implements Command.
func (*Enrich) Name() string { return "ENRICH" }

// Name implements Command.
func (*LookupJoin) Name() string { return "LOOKUP JOIN" }

// Name implements Command.
func (*ChangePoint) Name() string { return "CHANGE_POINT" }

// Name implements Command.
func (*Completion) Name() string { return "COMPLETION" }

// Name implements Command.
func (*Rerank) Name() string { return "RERANK" }

// Name implements Command.
func (*Sample) Name() string { return "SAMPLE" }

// Name implements Command.
func (*Fork) Name() string { return "FORK" }

// Location implements Command.
func (c *From) Location() Loc { return c.Loc }

// Location implements Command.
func (c *Row) Location() Loc { return c.Loc }

// Location implements Command.
func (c *Show) Location() Loc { return c.Loc }

// Location implements Command.
func (c *Where) Location() Loc { return c.Loc }

// Location implements Command.
func (c *Eval) Location() Loc { return c.Loc }

// Location implements Command.
func (c *Stats) Location() Loc { return c.Loc }

// Location implements Command.
func (c *Keep) Location() Loc { return c.Loc }

// Location implements Command.
func (c *Drop) Location() Loc { return c.Loc }

// Location implements Command.
func (c *Rename) Location() Loc { return c.Loc }

// Location implements Command.
func (c *Sort) Location() Loc { return c.Loc }

// Location implements Command.
func (c *Limit) Location() Loc { return c.Loc }

// Location implements Command.
func (c *MvExpand) Location() Loc { return c.Loc }

// Location implements Command.
func (c *Dissect) Location() Loc { return c.Loc }

// Location implements Command.
func (c *Grok) Location() Loc { return c.Loc }

// Location implements Command.
func (c *Enrich) Location() Loc { return c.Loc }

// Location implements Command.
func (c *LookupJoin) Location() Loc { return c.Loc }

// Location implements Command.
func (c *ChangePoint) Location() Loc { return c.Loc }

// Location implements Command.
func (c *Completion) Location() Loc { return c.Loc }

// Location implements Command.
func (c *Rerank) Location() Loc { return c.Loc }

// Location implements Command.
func (c *Sample) Location() Loc { return c.Loc }

// Location implements Command.
func (c *Fork) Location() Loc { return c.Loc }

// Expr is a node of an expression: *Or, *And, *Not, *Compare, *In, *Like,
// *IsNull, *Match, *Arith, *Neg, *Cast, *Call, *Field, *Literal or *Param.
type Expr interface {
	// Location is where the node was written (without redundant
	// parentheses).
	Location() Loc
	// String renders the node as ES|QL.
	String() string
	exprNode()
}

// Or holds when any of X holds: "a OR b OR c" (three-valued: null when
// none is true and some is null).
type Or struct {
	X   []Expr
	Loc Loc
}

// And holds when all of X hold: "a AND b AND c".
type And struct {
	X   []Expr
	Loc Loc
}

// Not is "NOT X" (null when X is null).
type Not struct {
	X   Expr
	Loc Loc
}

// CmpOp is a comparison operator.
type CmpOp uint8

// Comparison operators.
const (
	Eq CmpOp = iota // ==
	Ne              // !=
	Lt              // <
	Le              // <=
	Gt              // >
	Ge              // >=
)

var cmpNames = [...]string{"==", "!=", "<", "<=", ">", ">="}

// String returns the operator as written in ES|QL.
func (o CmpOp) String() string {
	if int(o) < len(cmpNames) {
		return cmpNames[o]
	}
	return "?"
}

// Compare is "L op R" with ==, !=, <, <=, > or >=.
type Compare struct {
	Op   CmpOp
	L, R Expr
	Loc  Loc
}

// In is "X IN (list)" or "X NOT IN (list)".
type In struct {
	X    Expr
	List []Expr
	Not  bool
	Loc  Loc
}

// Like is "X LIKE pattern", "X RLIKE pattern", the NOT forms and the list
// forms "X LIKE ("a*", "b?")". LIKE patterns use the wildcards * and ?
// (escaped with \); RLIKE patterns are Lucene regular expressions. Both
// match the whole value, case-sensitively.
type Like struct {
	X        Expr
	RLike    bool
	Not      bool
	Patterns []*Literal // strings
	Loc      Loc
}

// IsNull is "X IS NULL" or "X IS NOT NULL".
type IsNull struct {
	X   Expr
	Not bool
	Loc Loc
}

// Match is the full-text match operator "field : query" (also "field::type
// : query").
type Match struct {
	Field *Field
	Type  string // the cast of the field ("" for none), a canonical type name
	Query Expr   // a *Literal or a *Param
	Loc   Loc
}

// ArithOp is an arithmetic operator.
type ArithOp uint8

// Arithmetic operators.
const (
	Add ArithOp = iota // +
	Sub                // -
	Mul                // *
	Div                // /
	Mod                // %
)

var arithNames = [...]string{"+", "-", "*", "/", "%"}

// String returns the operator as written in ES|QL.
func (o ArithOp) String() string {
	if int(o) < len(arithNames) {
		return arithNames[o]
	}
	return "?"
}

// Arith is "L op R" with +, -, *, / or %.
type Arith struct {
	Op   ArithOp
	L, R Expr
	Loc  Loc
}

// Neg is "-X" (a minus before a number or time span literal is folded into
// the literal).
type Neg struct {
	X   Expr
	Loc Loc
}

// Cast is "X::type". Type is the canonical name of the target type (see
// DataTypes): "x::string" has Type "keyword", "x::int" "integer".
type Cast struct {
	X    Expr
	Type string
	Loc  Loc
}

// Call is a function call. Name is the function's canonical lower-case
// name, its aliases resolved ("to_str" is "to_string"). Star is set for
// COUNT(*). Options holds the trailing named-parameter map
// ("KQL("q", {"case_insensitive": true})"); nil when absent.
type Call struct {
	Name    string
	Args    []Expr
	Star    bool
	Options *Map
	Loc     Loc
}

// Func returns the function's description.
func (c *Call) Func() *Func { return LookupFunc(c.Name) }

// IsAggregate reports whether the call is to an aggregate function.
func (c *Call) IsAggregate() bool {
	f := c.Func()
	return f != nil && f.Kind == AggFunc
}

// Field is a column reference. Name is the dotted name with backquotes
// removed: `host.name`, host.`name` and host.name are all "host.name".
type Field struct {
	Name string
	Loc  Loc
}

// LitKind is the kind of a Literal.
type LitKind uint8

// Literal kinds.
const (
	LitNull         LitKind = iota
	LitBool                 // true, false
	LitInt                  // an integer (a long when it does not fit in 32 bits)
	LitUnsignedLong         // an integer above the range of long
	LitDouble               // 1.5, .5, 1e3, and integers too large for unsigned_long
	LitString               // "...", """..."""
	LitDuration             // a time_duration: 1 hour, 15 minutes, 500 ms
	LitPeriod               // a date_period: 1 day, 2 weeks, 1 month, 1 year
	LitList                 // a multi-valued constant: [1, 2, 3], ["a", "b"]
)

// Literal is a constant.
type Literal struct {
	Kind  LitKind
	Bool  bool    // LitBool
	Int   int64   // LitInt; the count of Unit for LitDuration and LitPeriod
	Uint  uint64  // LitUnsignedLong
	Float float64 // LitDouble
	Str   string  // LitString: the value, escapes resolved
	// Unit is the unit of a LitDuration or LitPeriod.
	Unit TimeUnit
	// List holds the values of a LitList: all numbers, all booleans or all
	// strings.
	List []*Literal
	Loc  Loc
}

// Duration returns the length of a LitDuration.
func (l *Literal) Duration() time.Duration {
	return time.Duration(l.Int) * unitDurations[l.Unit]
}

// Period returns the years, months and days of a LitPeriod.
func (l *Literal) Period() (years, months, days int) {
	n := int(l.Int)
	switch l.Unit {
	case Day:
		return 0, 0, n
	case Week:
		return 0, 0, 7 * n
	case Month:
		return 0, n, 0
	case Quarter:
		return 0, 3 * n, 0
	case Year:
		return n, 0, 0
	}
	return 0, 0, 0
}

// Param is a query parameter: "?" (positional, Name ""), "?1" or "?name".
type Param struct {
	Name string
	Loc  Loc
}

// Map is the named-parameter map of a function or command:
// { "inference_id": "my-endpoint", "boost": 1.5 }.
type Map struct {
	Entries []*MapEntry
	Loc     Loc
}

// MapEntry is one "key": value of a Map. Value is a *Literal, a *Param or
// a *Map.
type MapEntry struct {
	Key   string
	Value any
	Loc   Loc
}

// Get returns the value of key; nil when absent.
func (m *Map) Get(key string) any {
	if m == nil {
		return nil
	}
	for _, e := range m.Entries {
		if e.Key == key {
			return e.Value
		}
	}
	return nil
}

func (*Or) exprNode()      {}
func (*And) exprNode()     {}
func (*Not) exprNode()     {}
func (*Compare) exprNode() {}
func (*In) exprNode()      {}
func (*Like) exprNode()    {}
func (*IsNull) exprNode()  {}
func (*Match) exprNode()   {}
func (*Arith) exprNode()   {}
func (*Neg) exprNode()     {}
func (*Cast) exprNode()    {}
func (*Call) exprNode()    {}
func (*Field) exprNode()   {}
func (*Literal) exprNode() {}
func (*Param) exprNode()   {}

// Location implements Expr.
func (e *Or) Location() Loc { return e.Loc }

// Location implements Expr.
func (e *And) Location() Loc { return e.Loc }

// Location implements Expr.
func (e *Not) Location() Loc { return e.Loc }

// Location implements Expr.
func (e *Compare) Location() Loc { return e.Loc }

// Location implements Expr.
func (e *In) Location() Loc { return e.Loc }

// Location implements Expr.
func (e *Like) Location() Loc { return e.Loc }

// Location implements Expr.
func (e *IsNull) Location() Loc { return e.Loc }

// Location implements Expr.
func (e *Match) Location() Loc { return e.Loc }

// Location implements Expr.
func (e *Arith) Location() Loc { return e.Loc }

// Location implements Expr.
func (e *Neg) Location() Loc { return e.Loc }

// Location implements Expr.
func (e *Cast) Location() Loc { return e.Loc }

// Location implements Expr.
func (e *Call) Location() Loc { return e.Loc }

// Location implements Expr.
func (e *Field) Location() Loc { return e.Loc }

// Location implements Expr.
func (e *Literal) Location() Loc { return e.Loc }

// Location implements Expr.
func (e *Param) Location() Loc { return e.Loc }

// Walk calls fn for e and, while fn returns true, for its children,
// depth-first. Function options (maps) are not walked.
func Walk(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch x := e.(type) {
	case *Or:
		for _, y := range x.X {
			Walk(y, fn)
		}
	case *And:
		for _, y := range x.X {
			Walk(y, fn)
		}
	case *Not:
		Walk(x.X, fn)
	case *Compare:
		Walk(x.L, fn)
		Walk(x.R, fn)
	case *In:
		Walk(x.X, fn)
		for _, y := range x.List {
			Walk(y, fn)
		}
	case *Like:
		Walk(x.X, fn)
	case *IsNull:
		Walk(x.X, fn)
	case *Match:
		Walk(x.Field, fn)
		Walk(x.Query, fn)
	case *Arith:
		Walk(x.L, fn)
		Walk(x.R, fn)
	case *Neg:
		Walk(x.X, fn)
	case *Cast:
		Walk(x.X, fn)
	case *Call:
		for _, y := range x.Args {
			Walk(y, fn)
		}
	}
}

// Fields returns the distinct field names e refers to, in order of first
// appearance.
func Fields(e Expr) []string {
	var out []string
	seen := map[string]bool{}
	Walk(e, func(x Expr) bool {
		if f, ok := x.(*Field); ok && !seen[f.Name] {
			seen[f.Name] = true
			out = append(out, f.Name)
		}
		return true
	})
	return out
}

// Exprs returns the expressions a command holds directly (conditions,
// assigned values, aggregates and their filters, sort keys, ...), in
// source order; assignment targets and name patterns are not expressions.
// A FORK has none of its own: walk its branches.
func Exprs(c Command) []Expr {
	var out []Expr
	assigns := func(as []*Assign) {
		for _, a := range as {
			out = append(out, a.X)
		}
	}
	switch x := c.(type) {
	case *Row:
		assigns(x.Fields)
	case *Where:
		out = append(out, x.Cond)
	case *Eval:
		assigns(x.Fields)
	case *Stats:
		for _, a := range x.Aggs {
			out = append(out, a.X)
			if a.Filter != nil {
				out = append(out, a.Filter)
			}
		}
		assigns(x.By)
	case *Sort:
		for _, k := range x.Keys {
			out = append(out, k.X)
		}
	case *MvExpand:
		out = append(out, x.Field)
	case *Dissect:
		out = append(out, x.X)
	case *Grok:
		out = append(out, x.X)
	case *LookupJoin:
		out = append(out, x.On...)
	case *ChangePoint:
		out = append(out, x.Value)
		if x.Key != nil {
			out = append(out, x.Key)
		}
	case *Completion:
		out = append(out, x.Prompt)
	case *Rerank:
		out = append(out, x.Query)
		assigns(x.On)
	}
	return out
}
