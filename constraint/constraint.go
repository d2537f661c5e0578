// Package constraint is the language-neutral form of a query: what the
// parsers lower their syntax trees to and what the solver solves.
//
// A Query is one or more Events (one for a KQL or EQL event query, several
// for an EQL sequence or sample). Each Event has a condition, a boolean
// formula (And, Or, Not, Pred, Bool) over field predicates. NNF rewrites a
// formula so that negation only appears on predicates (Pred.Neg), which is
// the form the solver consumes.
package constraint

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/source"
)

// Span is where a piece of the formula came from: its position and source
// text. Warnings and errors quote it ("1:58: destination.port > 1024 ...").
type Span struct {
	Pos  source.Pos
	Text string
}

// Kind is the kind of a literal Value.
type Kind uint8

const (
	KindString Kind = iota // KQL values are always strings; the solver interprets them by field type
	KindNumber
	KindBool
	KindNull
)

// Value is a literal of a query.
type Value struct {
	Kind Kind
	Str  string  // KindString: the unescaped text; KindNumber: the source text of the number
	Num  float64 // KindNumber
	Bool bool    // KindBool
}

// String returns a literal.
func String(s string) Value { return Value{Kind: KindString, Str: s} }

// Number returns a numeric literal.
func Number(f float64) Value {
	return Value{Kind: KindNumber, Num: f, Str: strconv.FormatFloat(f, 'f', -1, 64)}
}

// Boolean returns a boolean literal.
func Boolean(b bool) Value { return Value{Kind: KindBool, Bool: b} }

// Null is the null literal.
var Null = Value{Kind: KindNull}

func (v Value) String() string {
	switch v.Kind {
	case KindNumber:
		return v.Str
	case KindBool:
		return strconv.FormatBool(v.Bool)
	case KindNull:
		return "null"
	}
	return strconv.Quote(v.Str)
}

// Op is what a predicate asserts of a field.
type Op uint8

const (
	// Exists: the field has a value. Negated: the field is absent.
	Exists Op = iota
	// Eq: a value of the field equals Value (case-insensitively with CI).
	// On text fields (text, match_only_text) it means the field contains
	// the analyzed tokens of Value (Phrase: as a phrase, in order).
	Eq
	// Like: the field matches Pattern (case-insensitively with CI).
	Like
	// Regex: the field matches Regex, a Lucene regular expression anchored
	// at both ends (case-insensitively with CI).
	Regex
	// Lt, Le, Gt, Ge: the field compares to Value (numbers, dates including
	// date math such as "now-1d", IPs, strings).
	Lt
	Le
	Gt
	Ge
	// CIDR: the field (an IP) is in the CIDR block or address Value.Str.
	CIDR
	// Len: the length in characters of the field compares to Value.Num
	// with the comparison Cmp (Eq, Lt, Le, Gt or Ge).
	Len
	// Rel: the field relates to the field Other as Rel says
	// (RelEq, RelContains, RelPrefix, RelSuffix, or an ordering with
	// RelLt...), case-insensitively with CI.
	Rel
)

var opNames = [...]string{"exists", "==", "like", "regex", "<", "<=", ">", ">=", "cidr", "len", "rel"}

func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return fmt.Sprintf("op(%d)", o)
}

// RelKind is how two fields relate in a Rel predicate.
type RelKind uint8

const (
	RelEq       RelKind = iota // field == other
	RelContains                // field contains other
	RelPrefix                  // field starts with other
	RelSuffix                  // field ends with other
	RelLt                      // field < other
	RelLe                      // field <= other
	RelGt                      // field > other
	RelGe                      // field >= other
	// RelCommand: field is a command line that runs other, an executable:
	// it starts with other, in double quotes when other has a space.
	RelCommand
	// RelPathEnd: field is a path whose last element is other (a file
	// name): it ends with a path separator and other.
	RelPathEnd
	// RelArgv0: field is a process's argument vector (an array) whose
	// first element is other, the program it runs.
	RelArgv0
	// RelExtension: field is a file name or path whose extension is
	// other: it ends with a dot and other.
	RelExtension
)

var relNames = [...]string{"==", "contains", "startswith", "endswith", "<", "<=", ">", ">=", "runs", "pathends", "argv0", "hasextension"}

func (r RelKind) String() string {
	if int(r) < len(relNames) {
		return relNames[r]
	}
	return fmt.Sprintf("rel(%d)", r)
}

// Expr is a boolean formula: *And, *Or, *Not, *Pred or *Bool.
type Expr interface {
	exprNode()
	// Source is where the expression was written.
	Source() Span
	String() string
}

// And holds when all of X hold.
type And struct {
	X    []Expr
	Span Span
}

// Or holds when any of X holds. Authored is true when the author wrote the
// alternatives (an "or", a list of values); false when they come from
// pushing a "not" through an "and". Only authored alternatives are reported
// as dead when they can never hold.
type Or struct {
	X        []Expr
	Authored bool
	Span     Span
}

// Not negates X. NNF removes it.
type Not struct {
	X    Expr
	Span Span
}

// Bool is a constant.
type Bool struct {
	V    bool
	Span Span
}

// Pred is a predicate on one field. Field is a dotted ECS-style name and may
// contain "*" wildcards (KQL "process.*.name"); the solver picks a concrete
// field that the pattern matches.
//
// Neg negates the predicate. A negated predicate holds when no value of the
// field satisfies the positive one, including when the field is absent.
type Pred struct {
	Field  string
	Op     Op
	Neg    bool
	CI     bool // case-insensitive (EQL ":", "~" variants)
	Phrase bool // Eq on text fields: a quoted phrase
	// Whole compares the field's whole value even on a text field (ES|QL
	// reads text as a string), not the words an analyzer makes of it.
	Whole   bool
	Value   Value            // Eq, Lt..Ge, CIDR, Len
	Cmp     Op               // Len: the comparison applied to the length
	Pattern wildcard.Pattern // Like
	Regex   string           // Regex, Lucene syntax
	Rel     RelKind          // Rel
	Other   string           // Rel: the other field
	// OtherSlice, when set, relates the field to a part of the other
	// field's value (EQL substring(other, start, end)) instead of all of it.
	OtherSlice *Slice
	Span       Span
}

// Slice is EQL's substring(s, Start, End): positions in characters,
// negative ones counted from the end, End omitted with !HasEnd.
type Slice struct {
	Start, End int
	HasEnd     bool
}

// Apply returns the part of s the slice takes.
func (sl Slice) Apply(s string) string {
	rs := []rune(s)
	n := len(rs)
	start, end := sl.Start, n
	if sl.HasEnd {
		end = sl.End
	}
	if start < 0 {
		start += n
	}
	start = max(start, 0)
	if end < 0 {
		end += n
	}
	end = min(max(end, 0), n)
	if start >= end {
		return ""
	}
	return string(rs[start:end])
}

func (sl Slice) String() string {
	if sl.HasEnd {
		return fmt.Sprintf("[%d:%d]", sl.Start, sl.End)
	}
	return fmt.Sprintf("[%d:]", sl.Start)
}

func (*And) exprNode()  {}
func (*Or) exprNode()   {}
func (*Not) exprNode()  {}
func (*Bool) exprNode() {}
func (*Pred) exprNode() {}

func (e *And) Source() Span  { return e.Span }
func (e *Or) Source() Span   { return e.Span }
func (e *Not) Source() Span  { return e.Span }
func (e *Bool) Source() Span { return e.Span }
func (e *Pred) Source() Span { return e.Span }

func (e *And) String() string  { return join(e.X, " and ") }
func (e *Or) String() string   { return join(e.X, " or ") }
func (e *Not) String() string  { return "not (" + e.X.String() + ")" }
func (e *Bool) String() string { return strconv.FormatBool(e.V) }

func join(xs []Expr, sep string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		switch x.(type) {
		case *And, *Or:
			parts[i] = "(" + x.String() + ")"
		default:
			parts[i] = x.String()
		}
	}
	return strings.Join(parts, sep)
}

// String renders the predicate in a compact, language-neutral notation used
// in messages, e.g. `process.name like "*.exe"`, `not destination.port < 1024`.
func (p *Pred) String() string {
	var b strings.Builder
	if p.Neg {
		b.WriteString("not ")
	}
	b.WriteString(p.Field)
	ci := ""
	if p.CI {
		ci = "~"
	}
	switch p.Op {
	case Exists:
		b.WriteString(" exists")
	case Eq:
		b.WriteString(" ==" + ci + " " + p.Value.String())
	case Like:
		b.WriteString(" like" + ci + " " + strconv.Quote(p.Pattern.String()))
	case Regex:
		b.WriteString(" regex" + ci + " " + strconv.Quote(p.Regex))
	case Lt, Le, Gt, Ge:
		b.WriteString(" " + p.Op.String() + " " + p.Value.String())
	case CIDR:
		b.WriteString(" in " + p.Value.Str)
	case Len:
		b.WriteString(" length " + p.Cmp.String() + " " + p.Value.String())
	case Rel:
		b.WriteString(" " + p.Rel.String() + ci + " " + p.Other)
		if p.OtherSlice != nil {
			b.WriteString(p.OtherSlice.String())
		}
	default:
		b.WriteString(" " + p.Op.String())
	}
	return b.String()
}

// QueryKind tells an event query from a sequence or a sample.
type QueryKind uint8

const (
	EventQuery QueryKind = iota
	Sequence
	Sample
)

// Query is a whole query lowered to constraints.
type Query struct {
	Lang   string // "kql" or "eql"
	Source string
	Kind   QueryKind
	// Events: one for an event query; the steps of a sequence or sample in order.
	Events []Event
	// Joins lists the join keys of a sequence or sample: Joins[k][i] is the
	// field of key k in Events[i] (sequence-level "by" and per-query "by"
	// fields are joined positionally). All fields of one key share a value.
	Joins [][]string
	// MaxSpan bounds the time from the first to the last event (0: none).
	MaxSpan time.Duration
	// Until ends a sequence: no event matching it may occur between the
	// sequence's first and last events.
	Until Expr
	// Head and Tail are the pipes "| head N", "| tail N" (0: none).
	Head, Tail int
	// Distinct lists keys whose fields hold pairwise different values
	// across the events that take part: Distinct[k][i] is the field of
	// key k in Events[i], "" for an event that does not take part (ES|QL's
	// count_distinct). In Joins too, "" leaves an event out of a key.
	Distinct [][]string
	// Scalar makes every field hold one value: ES|QL compares a
	// multi-valued field as null.
	Scalar bool
}

// Event is one step of a query.
type Event struct {
	// Category is the EQL event category ("process"); "" for "any" and KQL.
	// The lowering already put the matching event.category predicate into Cond.
	Category string
	Cond     Expr
	// Runs is how many consecutive events this step matches ("with runs=N"); at least 1.
	Runs int
	// Missing marks "![...]": no such event may occur at this point of the sequence.
	Missing bool
	Span    Span
}

// Where returns q with cond conjoined to the condition of every event (a
// rule's filters), in negation normal form.
func (q *Query) Where(cond Expr) *Query {
	out := *q
	out.Events = make([]Event, len(q.Events))
	for i, ev := range q.Events {
		ev.Cond = NNF(&And{X: []Expr{ev.Cond, cond}, Span: ev.Span})
		out.Events[i] = ev
	}
	return &out
}
