package lucene

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/source"
)

// dump renders a syntax tree structurally, without positions, so that two
// trees can be compared ("equal AST").
func dump(b *Bool) string {
	var s strings.Builder
	dumpBool(&s, b)
	return s.String()
}

func dumpBool(s *strings.Builder, b *Bool) {
	if b == nil {
		s.WriteString("<empty>")
		return
	}
	s.WriteString("Bool(")
	for i, c := range b.Clauses {
		if i > 0 {
			s.WriteString(", ")
		}
		s.WriteString([...]string{"", "AND ", "OR "}[c.Conj])
		s.WriteString([...]string{"", "+", "-", "NOT "}[c.Mod])
		dumpNode(s, c.Node)
	}
	s.WriteString(")")
}

func dumpField(s *strings.Builder, f *Field) {
	if f == nil {
		s.WriteString("_")
		return
	}
	fmt.Fprintf(s, "%q", f.Name)
}

func dumpSuffix(s *strings.Builder, tilde, boost string) {
	if tilde != "" {
		fmt.Fprintf(s, " %s", tilde)
	}
	if boost != "" {
		fmt.Fprintf(s, " ^%s", boost)
	}
}

func dumpNode(s *strings.Builder, n Node) {
	switch x := n.(type) {
	case *Group:
		s.WriteString("Group(")
		dumpField(s, x.Field)
		s.WriteString(", ")
		dumpBool(s, x.Query)
		dumpSuffix(s, "", x.Boost)
	case *Term:
		s.WriteString("Term(")
		dumpField(s, x.Field)
		for _, w := range x.Words {
			fmt.Fprintf(s, " %q", w)
		}
		dumpSuffix(s, x.Fuzzy, x.Boost)
	case *Phrase:
		s.WriteString("Phrase(")
		dumpField(s, x.Field)
		fmt.Fprintf(s, " %q", x.Text)
		dumpSuffix(s, x.Slop, x.Boost)
	case *Wildcard:
		s.WriteString("Wild(")
		dumpField(s, x.Field)
		s.WriteString(" ")
		dumpPattern(s, x.Pattern)
		dumpSuffix(s, x.Fuzzy, x.Boost)
	case *Regexp:
		s.WriteString("Regexp(")
		dumpField(s, x.Field)
		fmt.Fprintf(s, " %q", x.Regex)
		dumpSuffix(s, x.Fuzzy, x.Boost)
	case *Range:
		s.WriteString("Range(")
		dumpField(s, x.Field)
		fmt.Fprintf(s, " %s%q %q%s", map[bool]string{true: "[", false: "{"}[x.IncludeLower], x.Lower.Text, x.Upper.Text, map[bool]string{true: "]", false: "}"}[x.IncludeUpper])
		dumpSuffix(s, "", x.Boost)
	case *Compare:
		s.WriteString("Cmp(")
		dumpField(s, x.Field)
		fmt.Fprintf(s, " %s %q", x.Op, x.Value)
		dumpSuffix(s, "", x.Boost)
	default:
		fmt.Fprintf(s, "?%T", n)
	}
	s.WriteString(")")
}

// dumpPattern renders a pattern as [ "lit" * ? ].
func dumpPattern(s *strings.Builder, p wildcard.Pattern) {
	s.WriteString("[")
	for i, e := range p {
		if i > 0 {
			s.WriteString(" ")
		}
		switch e.Kind {
		case wildcard.AnyString:
			s.WriteString("*")
		case wildcard.AnyChar:
			s.WriteString("?")
		default:
			fmt.Fprintf(s, "%q", e.Lit)
		}
	}
	s.WriteString("]")
}

// locs returns the locations of every clause, node, field and bound.
func locs(b *Bool) []Loc {
	var out []Loc
	var walk func(b *Bool)
	walk = func(b *Bool) {
		out = append(out, b.Loc)
		for _, c := range b.Clauses {
			out = append(out, c.Loc, c.Node.Location())
			if f := c.Node.FieldName(); f != nil {
				out = append(out, f.Loc)
			}
			switch x := c.Node.(type) {
			case *Group:
				walk(x.Query)
			case *Range:
				out = append(out, x.Lower.Loc, x.Upper.Loc)
			}
		}
	}
	if b != nil {
		walk(b)
	}
	return out
}

// checkLocs reports locations that are not positions of src as
// source.PosAt computes them, or that are empty or reversed, or clause and
// node locations that do not nest.
func checkLocs(src string, q *Query) string {
	for _, l := range locs(q.Root) {
		if l.Start != source.PosAt(src, l.Start.Offset) || l.End != source.PosAt(src, l.End.Offset) {
			return fmt.Sprintf("location %+v of %q is not consistent with source.PosAt", l, l.Text(src))
		}
		if l.End.Offset <= l.Start.Offset {
			return fmt.Sprintf("empty location %+v", l)
		}
	}
	var walk func(b *Bool) string
	walk = func(b *Bool) string {
		for _, c := range b.Clauses {
			n := c.Node.Location()
			if n.Start.Offset < c.Loc.Start.Offset || n.End.Offset != c.Loc.End.Offset ||
				c.Loc.Start.Offset < b.Loc.Start.Offset || c.Loc.End.Offset > b.Loc.End.Offset {
				return fmt.Sprintf("clause %q does not nest: node %q in %q", c.Loc.Text(src), n.Text(src), b.Loc.Text(src))
			}
			if g, ok := c.Node.(*Group); ok {
				if msg := walk(g.Query); msg != "" {
					return msg
				}
			}
		}
		return ""
	}
	if q.Root != nil {
		return walk(q.Root)
	}
	return ""
}

// detail renders an error with its caret display when it has one.
func detail(err error) string {
	var se *source.Error
	if errors.As(err, &se) {
		return se.Detail()
	}
	return err.Error()
}

// mustParse parses src or fails the test.
func mustParse(t testing.TB, src string) *Query {
	t.Helper()
	q, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %s", src, detail(err))
	}
	return q
}

// roundTrip checks that the canonical form of a parsed query parses back to
// an equal tree and is stable, and that the locations are sound. It
// returns a message, or "".
func roundTrip(src string, q *Query) string {
	if msg := checkLocs(src, q); msg != "" {
		return msg
	}
	s := q.String()
	q2, err := Parse(s)
	if err != nil {
		return fmt.Sprintf("canonical form %q does not parse: %s", s, detail(err))
	}
	if d1, d2 := dump(q.Root), dump(q2.Root); d1 != d2 {
		return fmt.Sprintf("canonical form %q parses to another tree:\n%s\n%s", s, d1, d2)
	}
	if s2 := q2.String(); s2 != s {
		return fmt.Sprintf("canonical form unstable: %q -> %q", s, s2)
	}
	return ""
}
