package eql

import (
	"time"

	"github.com/emit-sec/emit/source"
)

// Loc is where a node was written: the position of its first byte and the
// position just after its last byte.
type Loc = source.Loc

// Kind tells an event query from a sequence or a sample.
type Kind uint8

// Query kinds.
const (
	EventQuery Kind = iota // process where ...
	Sequence               // sequence [...] [...]
	Sample                 // sample by f [...] [...]
)

// String names the kind: "event", "sequence" or "sample".
func (k Kind) String() string {
	switch k {
	case Sequence:
		return "sequence"
	case Sample:
		return "sample"
	}
	return "event"
}

// Query is a parsed EQL query.
type Query struct {
	// Src is the query text as given to Parse.
	Src  string
	Kind Kind
	// By holds the join keys of "sequence by ..." or "sample by ...",
	// which apply to every step.
	By []*Field
	// MaxSpan is the "with maxspan=..." of a sequence; nil when absent.
	MaxSpan *MaxSpan
	// Steps holds the event query of an EventQuery (one step, without By),
	// or the bracketed queries of a sequence or sample, in order.
	Steps []*Step
	// Until is the "until [...]" step of a sequence; nil when absent.
	Until *Step
	// Pipes are the "| head N" and "| tail N" pipes, in order.
	Pipes []*Pipe
	Loc   Loc
}

// MaxSpan is "with maxspan=N<unit>".
type MaxSpan struct {
	N    int64
	Unit string // ms, s, m, h or d
	Loc  Loc
}

// Duration returns the time span.
func (m *MaxSpan) Duration() time.Duration {
	return time.Duration(m.N) * unitDuration[m.Unit]
}

var unitDuration = map[string]time.Duration{
	"ms": time.Millisecond,
	"s":  time.Second,
	"m":  time.Minute,
	"h":  time.Hour,
	"d":  24 * time.Hour,
}

// Step is one event filter: the whole of an event query, or one bracketed
// query of a sequence or sample with its per-step join keys.
type Step struct {
	// Any is set for "any where": the step matches events of every category.
	Any bool
	// Category is the event category ("process"); "" with Any.
	Category string
	// CategoryLoc is where the category (or "any") was written.
	CategoryLoc Loc
	Cond        Expr
	// Missing marks a missing event "![...]" of a sequence.
	Missing bool
	// By holds the per-step join keys ("[...] by f, g").
	By []*Field
	// Runs is the N of "with runs=N"; 0 when not given.
	Runs int
	Loc  Loc
}

// Pipe is "| head N" or "| tail N".
type Pipe struct {
	Name string // "head" or "tail"
	N    int
	Loc  Loc
}

// Expr is a node of a condition: *Or, *And, *Not, *Compare, *In, *PatternMatch,
// *Arith, *Neg, *Call, *Field or *Literal.
type Expr interface {
	// Location is where the node was written (without redundant parentheses).
	Location() Loc
	// String renders the node in canonical EQL.
	String() string
	exprNode()
}

// Or holds when any of X holds: "a or b or c".
type Or struct {
	X   []Expr
	Loc Loc
}

// And holds when all of X hold: "a and b and c".
type And struct {
	X   []Expr
	Loc Loc
}

// Not holds when X does not: "not a".
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

// String returns the operator as written in EQL.
func (o CmpOp) String() string {
	if int(o) < len(cmpNames) {
		return cmpNames[o]
	}
	return "?"
}

// flip returns the operator with its operands swapped: a < b is b > a.
func (o CmpOp) flip() CmpOp {
	switch o {
	case Lt:
		return Gt
	case Le:
		return Ge
	case Gt:
		return Lt
	case Ge:
		return Le
	}
	return o
}

// Compare is "L op R" with ==, !=, <, <=, > or >=.
type Compare struct {
	Op   CmpOp
	L, R Expr
	Loc  Loc
}

// In is "X in (list)", "X in~ (list)", "X not in (list)" or
// "X not in~ (list)".
type In struct {
	X    Expr
	List []Expr
	Not  bool
	CI   bool // in~
	Loc  Loc
}

// PatternOp is a pattern operator.
type PatternOp uint8

// Pattern operators.
const (
	Colon   PatternOp = iota // :  case-insensitive equality with * and ? wildcards
	Like                     // like
	LikeCI                   // like~
	Regex                    // regex
	RegexCI                  // regex~
)

var patternNames = [...]string{":", "like", "like~", "regex", "regex~"}

// String returns the operator as written in EQL.
func (o PatternOp) String() string {
	if int(o) < len(patternNames) {
		return patternNames[o]
	}
	return "?"
}

// CI reports whether the operator matches case-insensitively.
func (o PatternOp) CI() bool { return o == Colon || o == LikeCI || o == RegexCI }

// IsRegex reports whether the patterns are regular expressions.
func (o PatternOp) IsRegex() bool { return o == Regex || o == RegexCI }

// PatternMatch is "X : pattern", "X like pattern", "X regex pattern" (and the ~
// variants), with one pattern or a parenthesized list of them. Patterns are
// literals (strings in valid queries).
type PatternMatch struct {
	X        Expr
	Op       PatternOp
	Patterns []*Literal
	Loc      Loc
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

// String returns the operator as written in EQL.
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

// Neg is "-X" (a minus before a number literal is folded into the literal).
type Neg struct {
	X   Expr
	Loc Loc
}

// Call is a function call. Name is the canonical spelling ("startsWith"
// for startswith, STARTSWITH, ...); CI is set for the "~" variant.
type Call struct {
	Name string
	CI   bool
	Args []Expr
	Loc  Loc
}

// Field is a field reference. Name is the dotted field name with the
// backticks of escaped parts removed: `a`.b and a.b are both "a.b".
type Field struct {
	Name string
	// Optional is set for "?field": the field may be absent from the
	// mapping, and as a join key it may be null.
	Optional bool
	Loc      Loc
}

// LitKind is the kind of a Literal.
type LitKind uint8

// Literal kinds.
const (
	LitString LitKind = iota
	LitInt
	LitFloat
	LitBool
	LitNull
)

// Literal is a constant: a string, an integer, a floating-point number,
// true, false or null.
type Literal struct {
	Kind  LitKind
	Str   string  // LitString: the value, escapes resolved
	Int   int64   // LitInt
	Float float64 // LitFloat
	Bool  bool    // LitBool
	Loc   Loc
}

func (*Or) exprNode()           {}
func (*And) exprNode()          {}
func (*Not) exprNode()          {}
func (*Compare) exprNode()      {}
func (*In) exprNode()           {}
func (*PatternMatch) exprNode() {}
func (*Arith) exprNode()        {}
func (*Neg) exprNode()          {}
func (*Call) exprNode()         {}
func (*Field) exprNode()        {}
func (*Literal) exprNode()      {}

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
func (e *PatternMatch) Location() Loc { return e.Loc }

// Location implements Expr.
func (e *Arith) Location() Loc { return e.Loc }

// Location implements Expr.
func (e *Neg) Location() Loc { return e.Loc }

// Location implements Expr.
func (e *Call) Location() Loc { return e.Loc }

// Location implements Expr.
func (e *Field) Location() Loc { return e.Loc }

// Location implements Expr.
func (e *Literal) Location() Loc { return e.Loc }

// Walk calls fn for e and, while fn returns true, for its children,
// depth-first.
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
	case *PatternMatch:
		Walk(x.X, fn)
		for _, y := range x.Patterns {
			Walk(y, fn)
		}
	case *Arith:
		Walk(x.L, fn)
		Walk(x.R, fn)
	case *Neg:
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
