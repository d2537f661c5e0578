package kql

import (
	"errors"
	"strings"
	"testing"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/wildcard"
)

func lower(t *testing.T, src string) constraint.Expr {
	t.Helper()
	q, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, detail(err))
	}
	cq, err := q.Constraints()
	if err != nil {
		t.Fatalf("Constraints(%q): %v", src, err)
	}
	if cq.Lang != "kql" || cq.Kind != constraint.EventQuery || cq.Source != src || len(cq.Events) != 1 {
		t.Fatalf("Constraints(%q): bad query %+v", src, cq)
	}
	if cq.Events[0].Runs != 1 {
		t.Errorf("Constraints(%q): Runs = %d", src, cq.Events[0].Runs)
	}
	return cq.Events[0].Cond
}

var lowerTests = []struct{ in, want string }{
	{`process.name : cmd.exe`, `process.name == "cmd.exe"`},
	{`process.name : "cmd.exe"`, `process.name == "cmd.exe"`},
	{`process.name : *.exe`, `process.name like "*.exe"`},
	{`process.name : *foo*bar*`, `process.name like "*foo*bar*"`},
	{`process.name : a\*b*`, `process.name like "a\\*b*"`},
	{`process.name : a\*b`, `process.name == "a*b"`},
	{`process.name : "a*b"`, `process.name == "a*b"`},
	{`f : C\:\\Windows\\*`, `f like "C:\\\\Windows\\\\*"`},
	{`process.name : *`, `process.name exists`},
	{`not process.name : *`, `not process.name exists`},
	{`message : hello world`, `message == "hello world"`},
	{`destination.port > 1024`, `destination.port > "1024"`},
	{`destination.port >= 1024`, `destination.port >= "1024"`},
	{`destination.port < 1024`, `destination.port < "1024"`},
	{`destination.port <= 1024`, `destination.port <= "1024"`},
	{`@timestamp > now-1d/d`, `@timestamp > "now-1d/d"`},
	{`@timestamp < "2024-01-01T00:00:00Z"`, `@timestamp < "2024-01-01T00:00:00Z"`},
	{`not destination.port < 1024`, `not destination.port < "1024"`},
	{`a : 1 and b : 2`, `a == "1" and b == "2"`},
	{`a : 1 or b : 2`, `a == "1" or b == "2"`},
	{`a : 1 and b : 2 or c : 3`, `(a == "1" and b == "2") or c == "3"`},
	{`(a : 1 or b : 2) and c : 3`, `(a == "1" or b == "2") and c == "3"`},
	{`a : 1 or (b : 2 or c : 3)`, `a == "1" or b == "2" or c == "3"`},
	{`not (a : 1 or b : 2)`, `not a == "1" and not b == "2"`},
	{`not (a : 1 and b : 2)`, `not a == "1" or not b == "2"`},
	{`not (not a : 1)`, `a == "1"`},
	{`f : (a or b or "c d")`, `f == "a" or f == "b" or f == "c d"`},
	{`f : (a and b)`, `f == "a" and f == "b"`},
	{`f : (a or b and not c)`, `f == "a" or (f == "b" and not f == "c")`},
	{`not f : (a or b)`, `not f == "a" and not f == "b"`},
	{`f : (not (a or *.b))`, `not f == "a" and not f like "*.b"`},
	{`f : (a or *)`, `f == "a" or f exists`},
	{`user : { name : alice and id : 1 }`, `user.name == "alice" and user.id == "1"`},
	{`a : { b : { c : d } }`, `a.b.c == "d"`},
	{`user : { not name : root }`, `user.* exists and not user.name == "root"`},
	{`user : { name : a or not id : 1 }`, `user.* exists and (user.name == "a" or not user.id == "1")`},
	{`not user : { not name : root }`, `not user.* exists or user.name == "root"`},
	{`user : { id > 5 }`, `user.id > "5"`},
	{`process.*.name : cmd.exe`, `process.*.name == "cmd.exe"`},
	{`*.ip : 1.2.3.4`, `*.ip == "1.2.3.4"`},
	{`host.* : *`, `host.* exists`},
	{`* : *`, `true`},
	{`not * : *`, `false`},
	{`* : * or a : 1`, `true`},
	{`* : * and a : 1`, `a == "1"`},
	{``, `true`},
	{`f : true`, `f == "true"`},
	{`f : a \or b`, `f == "a or b"`},
	{`source.ip : 10.0.0.0/8`, `source.ip == "10.0.0.0/8"`},
}

func TestConstraints(t *testing.T) {
	for _, tc := range lowerTests {
		got := lower(t, tc.in).String()
		if got != tc.want {
			t.Errorf("Constraints(%q)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

// preds collects the predicates of an NNF formula.
func preds(e constraint.Expr) []*constraint.Pred {
	var out []*constraint.Pred
	var walk func(constraint.Expr)
	walk = func(e constraint.Expr) {
		switch x := e.(type) {
		case *constraint.Pred:
			out = append(out, x)
		case *constraint.And:
			for _, y := range x.X {
				walk(y)
			}
		case *constraint.Or:
			for _, y := range x.X {
				walk(y)
			}
		case *constraint.Not:
			walk(x.X)
		}
	}
	walk(e)
	return out
}

func TestConstraintsPredicates(t *testing.T) {
	// Phrase only for quoted values; CI never; patterns from the parsed pieces.
	c := lower(t, `a : "x y" and b : x and c : x* and d : \*x*`)
	ps := preds(c)
	if len(ps) != 4 {
		t.Fatalf("got %d predicates", len(ps))
	}
	if !ps[0].Phrase || ps[1].Phrase || ps[0].CI || ps[1].CI || ps[2].CI {
		t.Errorf("Phrase/CI flags wrong: %+v %+v", ps[0], ps[1])
	}
	if ps[0].Value.Kind != constraint.KindString || ps[0].Value.Str != "x y" {
		t.Errorf("quoted value %+v", ps[0].Value)
	}
	want := wildcard.Pattern{{Kind: wildcard.Lit, Lit: "*x"}, {Kind: wildcard.AnyString}}
	if len(ps[3].Pattern) != 2 || ps[3].Pattern[0] != want[0] || ps[3].Pattern[1] != want[1] {
		t.Errorf("pattern %#v, want %#v", ps[3].Pattern, want)
	}
	if !ps[3].Pattern.Match("*x123", false) || ps[3].Pattern.Match("ax123", false) {
		t.Errorf("pattern matching wrong")
	}
}

func TestConstraintsSpans(t *testing.T) {
	src := "destination.port < 1024 and\n  (destination.port > 512 or destination.port > 1024) and f : (a or \"b c\")"
	c := lower(t, src)
	and, ok := c.(*constraint.And)
	if !ok {
		t.Fatalf("got %T", c)
	}
	if and.Span.Text != src || and.Span.Pos.String() != "1:1" {
		t.Errorf("and span %+v", and.Span)
	}
	or, ok := and.X[1].(*constraint.Or)
	if !ok || !or.Authored {
		t.Fatalf("second operand %T %+v", and.X[1], and.X[1])
	}
	if or.Span.Text != "destination.port > 512 or destination.port > 1024" || or.Span.Pos.String() != "2:4" {
		t.Errorf("or span %+v", or.Span)
	}
	dead := or.X[1].(*constraint.Pred)
	if dead.Span.Text != "destination.port > 1024" || dead.Span.Pos.String() != "2:30" || dead.Span.Pos.Offset != 57 {
		t.Errorf("alternative span %+v", dead.Span)
	}
	if src[dead.Span.Pos.Offset:dead.Span.Pos.Offset+len(dead.Span.Text)] != dead.Span.Text {
		t.Errorf("span text does not match the source at its offset")
	}
	list, ok := and.X[2].(*constraint.Or)
	if !ok || !list.Authored {
		t.Fatalf("value list %T", and.X[2])
	}
	if list.Span.Text != `f : (a or "b c")` {
		t.Errorf("list span %q", list.Span.Text)
	}
	if p := list.X[1].(*constraint.Pred); p.Span.Text != `"b c"` || p.Span.Pos.String() != "2:69" {
		t.Errorf("list value span %+v", p.Span)
	}
	// Every span of every predicate is exact source text at its offset.
	for _, tc := range lowerTests {
		if tc.in == "" {
			continue
		}
		for _, p := range preds(lower(t, tc.in)) {
			off := p.Span.Pos.Offset
			if !p.Span.Pos.IsValid() || off+len(p.Span.Text) > len(tc.in) || tc.in[off:off+len(p.Span.Text)] != p.Span.Text {
				t.Errorf("%q: predicate %s has span %+v", tc.in, p, p.Span)
			}
		}
	}
}

func TestConstraintsNotAuthored(t *testing.T) {
	// An Or from pushing a not through an and is not authored.
	c := lower(t, `x : a and not (x : a and y : b)`)
	and := c.(*constraint.And)
	or, ok := and.X[1].(*constraint.Or)
	if !ok || or.Authored {
		t.Errorf("got %T %+v", and.X[1], and.X[1])
	}
}

func TestConstraintsFreeText(t *testing.T) {
	for _, tc := range []struct{ in, text, pos string }{
		{`foo`, `free-text search is not supported: "foo"; name a field, e.g. message : foo`, "1:1"},
		{`a : 1 and "foo bar"`, `free-text search is not supported: "\"foo bar\""; name a field, e.g. message : "foo bar"`, "1:11"},
		{`a : 1 or not win*`, `free-text search is not supported: "win*"; name a field, e.g. message : win*`, "1:14"},
		{`p : { x }`, `free-text search is not supported: "x"; name a field, e.g. message : x`, "1:7"},
	} {
		q, err := Parse(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		_, err = q.Constraints()
		var ue *constraint.UnsupportedError
		if !errors.As(err, &ue) {
			t.Errorf("%q: error %v, want *constraint.UnsupportedError", tc.in, err)
			continue
		}
		if ue.What != tc.text || ue.Span.Pos.String() != tc.pos {
			t.Errorf("%q: got %q at %s, want %q at %s", tc.in, ue.What, ue.Span.Pos, tc.text, tc.pos)
		}
		if !strings.HasPrefix(ue.Error(), tc.pos+": unsupported: ") {
			t.Errorf("%q: Error() = %q", tc.in, ue.Error())
		}
	}
}

func TestConstraintsBadFields(t *testing.T) {
	for _, src := range []string{`"a*b" : x`, `a\*b : x`, `"" : x`, `p : { "" : x }`} {
		q, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		var ue *constraint.UnsupportedError
		if _, err := q.Constraints(); !errors.As(err, &ue) {
			t.Errorf("%q: error %v, want *constraint.UnsupportedError", src, err)
		}
	}
}

func TestConstraintsNNF(t *testing.T) {
	// No *constraint.Not remains, whatever the query.
	for _, tc := range canonicalTests {
		q, err := Parse(tc.in)
		if err != nil {
			continue
		}
		cq, err := q.Constraints()
		if err != nil {
			continue
		}
		var check func(constraint.Expr)
		check = func(e constraint.Expr) {
			switch x := e.(type) {
			case *constraint.Not:
				t.Errorf("%q: Not in NNF", tc.in)
			case *constraint.And:
				for _, y := range x.X {
					check(y)
				}
			case *constraint.Or:
				for _, y := range x.X {
					check(y)
				}
			}
		}
		check(cq.Events[0].Cond)
	}
}
