package lucene

import (
	"strings"
	"sync"

	"github.com/emit-sec/emit/es/regexp"
	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/internal/esvalue"
	"github.com/emit-sec/emit/source"
)

// Loc is where a node was written: the position of its first byte and the
// position just after its last byte.
type Loc = source.Loc

// ExistsField is the pseudo field of "_exists_:name", which matches the
// documents that have a value for the field name.
const ExistsField = "_exists_"

// Query is a parsed query_string query.
type Query struct {
	// Src is the query text as given to Parse.
	Src string
	// Root is the query's clause list; nil for an empty (or all
	// whitespace) query, which Kibana sends as match_all.
	Root *Bool
}

// String renders the query in canonical form (see Node.String), which
// parses back to an equal syntax tree.
func (q *Query) String() string {
	if q == nil || q.Root == nil {
		return ""
	}
	p := &printer{}
	q.Root.print(p)
	return p.String()
}

// Conj is the conjunction written before a clause.
type Conj uint8

// Conjunctions.
const (
	ConjNone Conj = iota
	ConjAnd       // AND, &&
	ConjOr        // OR, ||
)

// Mod is the modifier written before a clause.
type Mod uint8

// Modifiers.
const (
	ModNone       Mod = iota
	ModRequired       // "+": the clause must hold
	ModProhibited     // "-": the clause must not hold
	ModNot            // NOT or "!": the clause must not hold
)

// Bool is a list of clauses as written: a whole query, or the inside of
// parentheses. Lucene gives each clause an occurrence (must, should or
// must not) from its modifier, its conjunction and the conjunction of the
// next clause (see Occurs): "a AND b OR c" is "+a +b c", which matches
// what a and b match, c being optional.
type Bool struct {
	Clauses []*Clause
	Loc     Loc
}

// Clause is one clause of a Bool.
type Clause struct {
	Conj Conj // the conjunction before the clause; ConjNone for the first
	Mod  Mod
	Node Node
	Loc  Loc // the modifier and the node
}

// Node is what a clause matches: *Group, *Term, *Phrase, *Wildcard,
// *Regexp, *Range or *Compare.
type Node interface {
	// Location is where the node was written, its field included.
	Location() Loc
	// FieldName returns the field written before the node ("field:..."),
	// or nil when the node searches the field of the enclosing group (the
	// default field at the top).
	FieldName() *Field
	// String renders the node in canonical form: fields and terms escaped
	// where they must be, operators spelled AND, OR, NOT, single spaces.
	String() string
	print(p *printer, ctx printCtx)
	node()
}

// Field is a field name as written before ":", unescaped. It may hold
// wildcards ("process.\*" names every field under process), and "*" names
// every field.
type Field struct {
	Name string
	Loc  Loc
}

// Group is "(query)" or "field:(query)": the clauses inside search field
// unless they name their own.
type Group struct {
	Field *Field
	Query *Bool
	Boost string // the number after "^"; "" for none
	Loc   Loc
}

// Term is an unquoted term without wildcards: one word, or a multi-term
// (several words separated by whitespace, which Lucene sends whole to the
// field's analyzer, so that on a keyword field "a b" is the one term
// "a b"). Under "_exists_:" the term is a field name.
type Term struct {
	Field *Field
	Words []string // unescaped; a multi-term has several
	// Fuzzy is the fuzziness as written ("~", "~1", "~AUTO"); "" for an
	// exact term. Elasticsearch then matches the terms within that many
	// edits (see FuzzyEdits).
	Fuzzy string
	Boost string
	Loc   Loc
}

// Text returns the term's text: its words joined by single spaces.
func (t *Term) Text() string {
	if len(t.Words) == 1 {
		return t.Words[0]
	}
	return strings.Join(t.Words, " ")
}

// Fuzziness returns the fuzziness of the term: no edits for an exact term.
// (Parse rejects a fuzziness that Elasticsearch does not read.)
func (t *Term) Fuzziness() Fuzziness {
	if t.Fuzzy == "" {
		return Fuzziness{}
	}
	f, err := parseFuzziness(t.Fuzzy[1:])
	if err != nil {
		return Fuzziness{}
	}
	return f
}

// FuzzyEdits returns how many edits away from the term a value may be and
// still match: 0 for an exact term.
func (t *Term) FuzzyEdits() int { return t.Fuzziness().Distance(t.Text()) }

// Phrase is a quoted phrase: analyzed text whose words must appear in
// order ("a b"), with Slop allowing that many moves ("a b"~2). It has no
// wildcards.
type Phrase struct {
	Field *Field
	Text  string // unescaped
	Slop  string // as written ("~2"); "" for none
	Boost string
	Loc   Loc
}

// SlopValue returns how many moves the phrase allows with Elasticsearch's
// default phrase_slop (0); see SlopWith.
func (p *Phrase) SlopValue() int { return p.SlopWith(0) }

// SlopWith returns how many moves the phrase allows, as Lucene reads the
// text after "~": the number truncated to an integer; def (the
// phrase_slop option) when there is none or it is not a number. A
// negative slop fails the search when the phrase has several words on a
// text field.
func (p *Phrase) SlopWith(def int) int {
	if p.Slop == "" {
		return def
	}
	if s, ok := slopOf(p.Slop[1:]); ok {
		return s
	}
	return def
}

// Wildcard is a term with "*" and "?" wildcards ("cmd*", "*.exe", "?x"),
// or a lone "*": on a field, the field exists; on every field, every
// document.
type Wildcard struct {
	Field   *Field
	Pattern wildcard.Pattern
	Fuzzy   string // accepted and ignored by Lucene
	Boost   string
	Loc     Loc
}

// IsPrefix reports whether the wildcard is a prefix term: characters then
// one "*" (Lucene's PREFIXTERM, "cmd*"), which Elasticsearch reads as a
// prefix query, analyzed on text fields with analyze_wildcard.
func (w *Wildcard) IsPrefix() bool {
	return len(w.Pattern) == 2 && w.Pattern[0].Kind == wildcard.Lit && w.Pattern[1].Kind == wildcard.AnyString
}

// IsStar reports whether the wildcard is a lone "*".
func (w *Wildcard) IsStar() bool {
	return len(w.Pattern) == 1 && w.Pattern[0].Kind == wildcard.AnyString
}

// Regexp is a Lucene regular expression /.../, anchored at both ends.
type Regexp struct {
	Field *Field
	// Regex is the text between the slashes as written (Lucene reads "\/"
	// in it as "/").
	Regex string
	Fuzzy string // accepted and ignored by Lucene
	Boost string
	Loc   Loc
	re    *regexp.Regexp  // Regex parsed (with every operator on)
	once  sync.Once       // computes re (when not set by Parse) and m
	m     *esvalue.Regexp // the evaluator's matcher of re
}

func (n *Regexp) init() {
	n.once.Do(func() {
		if n.re == nil {
			n.re, _ = regexp.Parse(n.Regex, regexp.All)
		}
		if n.re != nil {
			n.m = esvalue.NewRegexp(n.re)
		}
	})
}

// Parsed returns the expression as package es/regexp reads it, with every
// operator on, as Elasticsearch does (Parse rejects an invalid one; nil
// for an invalid expression in a node built by hand).
func (n *Regexp) Parsed() *regexp.Regexp {
	n.init()
	return n.re
}

// matcher returns the evaluator's matcher of the expression, compiled once
// (nil for an invalid expression).
func (n *Regexp) matcher() *esvalue.Regexp {
	n.init()
	return n.m
}

// Range is "[lower TO upper]", with "{" or "}" for an exclusive end and
// "*" for an open one.
type Range struct {
	Field        *Field
	Lower, Upper Bound
	IncludeLower bool // "["
	IncludeUpper bool // "]"
	Boost        string
	Loc          Loc
}

// Bound is an end of a Range.
type Bound struct {
	Text string // unescaped; "*" for an open end
	Loc  Loc
}

// Open reports whether the bound is "*", an open end.
func (b Bound) Open() bool { return b.Text == "*" }

// CompareOp is the operator of a Compare.
type CompareOp uint8

// Comparison operators.
const (
	Lt CompareOp = iota // <
	Le                  // <=
	Gt                  // >
	Ge                  // >=
)

var compareOpNames = [...]string{"<", "<=", ">", ">="}

func (o CompareOp) String() string {
	if int(o) < len(compareOpNames) {
		return compareOpNames[o]
	}
	return "?"
}

// Compare is a one-sided range written "field:>=value" (or <, <=, >):
// Elasticsearch reads an unquoted term that starts with "<" or ">" so.
type Compare struct {
	Field *Field
	Op    CompareOp
	Value string // unescaped
	Boost string
	Loc   Loc
}

func (*Group) node()    {}
func (*Term) node()     {}
func (*Phrase) node()   {}
func (*Wildcard) node() {}
func (*Regexp) node()   {}
func (*Range) node()    {}
func (*Compare) node()  {}

// Location returns where the node was written.
func (n *Group) Location() Loc { return n.Loc }

// Location returns where the node was written.
func (n *Term) Location() Loc { return n.Loc }

// Location returns where the node was written.
func (n *Phrase) Location() Loc { return n.Loc }

// Location returns where the node was written.
func (n *Wildcard) Location() Loc { return n.Loc }

// Location returns where the node was written.
func (n *Regexp) Location() Loc { return n.Loc }

// Location returns where the node was written.
func (n *Range) Location() Loc { return n.Loc }

// Location returns where the node was written.
func (n *Compare) Location() Loc { return n.Loc }

// FieldName returns the field written before the node, or nil.
func (n *Group) FieldName() *Field { return n.Field }

// FieldName returns the field written before the node, or nil.
func (n *Term) FieldName() *Field { return n.Field }

// FieldName returns the field written before the node, or nil.
func (n *Phrase) FieldName() *Field { return n.Field }

// FieldName returns the field written before the node, or nil.
func (n *Wildcard) FieldName() *Field { return n.Field }

// FieldName returns the field written before the node, or nil.
func (n *Regexp) FieldName() *Field { return n.Field }

// FieldName returns the field written before the node, or nil.
func (n *Range) FieldName() *Field { return n.Field }

// FieldName returns the field written before the node, or nil.
func (n *Compare) FieldName() *Field { return n.Field }

// String renders the node in canonical form.
func (n *Group) String() string { return render(n) }

// String renders the node in canonical form.
func (n *Term) String() string { return render(n) }

// String renders the node in canonical form.
func (n *Phrase) String() string { return render(n) }

// String renders the node in canonical form.
func (n *Wildcard) String() string { return render(n) }

// String renders the node in canonical form.
func (n *Regexp) String() string { return render(n) }

// String renders the node in canonical form.
func (n *Range) String() string { return render(n) }

// String renders the node in canonical form.
func (n *Compare) String() string { return render(n) }

// String renders the clause list in canonical form.
func (b *Bool) String() string {
	p := &printer{}
	b.print(p)
	return p.String()
}

func render(n Node) string {
	p := &printer{}
	n.print(p, printCtx{start: true})
	return p.String()
}

// Walk calls fn for every node under b, parents before children, and
// descends into a group when fn returns true for it.
func Walk(b *Bool, fn func(Node) bool) {
	if b == nil {
		return
	}
	for _, c := range b.Clauses {
		if fn(c.Node) {
			if g, ok := c.Node.(*Group); ok {
				Walk(g.Query, fn)
			}
		}
	}
}
