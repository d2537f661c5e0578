package solver

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/parser/eql"
	"github.com/emit-sec/emit/parser/kql"
)

// TestShortcutsKeepDeadAlternatives: proving alternatives alive by
// swapping them into a solution, or by a search that decides the way to
// them first, leaves the dead-alternative warnings as the full searches
// alone find them: lists of one field with exclusions, lists whose values
// conflict with the rest, alternatives of several fields, nested and
// repeated disjunctions, a nested list that the exclusions before it
// hide from a search in written order.
func TestShortcutsKeepDeadAlternatives(t *testing.T) {
	queries := []struct{ lang, q string }{
		{"eql", `process where process.name in ("a", "b", "c", "d") and not process.name in ("c", "e")`},
		{"eql", `process where process.name : ("a*", "b", "c") and not (process.name : "b" and process.pid == 1) and process.pid == 1`},
		{"eql", `process where (process.name in ("a", "b") or process.parent.name in ("x", "y")) and not process.parent.name == "y" and process.name != "b"`},
		{"eql", `process where process.name in ("a", "b") and (process.args == "x" or process.name == "a") and process.name != "a"`},
		{"eql", `file where file.path : ("C:\\*", "D:\\x") and not file.path : "C:\\Windows\\*" and file.name in ("a.dll", "b.dll", "c.dll") and file.name != "b.dll"`},
		{"kql", `x : (a or b or c) and not x : b and (y : d or x : c)`},
		{"kql", `(x : a or x : b or y : c) and (x : a or x : b) and not x : b`},
		{"kql", `x : (a or b or c) and not (x : a and y : d) and y : d`},
		{"kql", `((x : a and y : b) or (x : c and y : d) or x : e) and not y : d`},
		{"kql", `((x : a and y : b) or (x : c and z : d) or (y : e and z : f)) and not (x : c and z : d) and z : f`},
		{"eql", `process where (process.name == "a" and process.pid == 1 or process.name == "b" and process.pid == 2 or process.args == "c") and process.pid != 2 and process.name != "a"`},
		{"kql", nestedBehindExclusions(12)},
	}
	dead := 0
	for _, tc := range queries {
		var c *constraint.Query
		var err error
		if tc.lang == "eql" {
			q, perr := eql.Parse(tc.q)
			if perr != nil {
				t.Fatalf("%s: %v", tc.q, perr)
			}
			c, err = q.Constraints()
		} else {
			q, perr := kql.Parse(tc.q)
			if perr != nil {
				t.Fatalf("%s: %v", tc.q, perr)
			}
			c, err = q.Constraints()
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.q, err)
		}
		warnings := func(swap bool) []string {
			aliveShortcuts = swap
			defer func() { aliveShortcuts = true }()
			s, err := New(c, Options{})
			if err != nil {
				t.Fatalf("%s: %v", tc.q, err)
			}
			var out []string
			for _, w := range s.Warnings() {
				out = append(out, w.String())
			}
			return out
		}
		with, without := warnings(true), warnings(false)
		if !slices.Equal(with, without) {
			t.Errorf("%s:\nwarnings with swaps    %q\nwarnings without swaps %q", tc.q, with, without)
		}
		dead += len(with)
	}
	if dead < len(queries)/2 {
		t.Errorf("%d dead alternatives in %d queries: the queries test too little", dead, len(queries))
	}
}

// TestSwapProves: a value of a list, or a conjunction of predicates,
// swapped into the first solution is alive when the rest admits it, and
// left to the search when it does not.
func TestSwapProves(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want []bool
	}{
		{`process where process.name in ("a", "b", "c") and process.name != "b"`, []bool{true, false, true}},
		{`process where (process.name == "a" or process.name == "b" and process.pid == 1 or process.name == "c" and process.pid == 2) and process.pid != 2`, []bool{true, true, false}},
	} {
		q, err := eql.Parse(tc.q)
		if err != nil {
			t.Fatal(err)
		}
		c, err := q.Constraints()
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(c, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ev := s.events[0]
		ctx := &searchCtx{budget: checkBudget, event: ev.src}
		if _, ok := s.dfs([]constraint.Expr{ev.cond}, s.startDoms(ev), nil, ctx); !ok {
			t.Fatal("no solution")
		}
		var list *constraint.Or
		var walk func(e constraint.Expr)
		walk = func(e constraint.Expr) {
			switch x := e.(type) {
			case *constraint.And:
				for _, y := range x.X {
					walk(y)
				}
			case *constraint.Or:
				if len(x.X) == 3 {
					list = x
				}
			}
		}
		walk(ev.cond)
		if list == nil {
			t.Fatalf("no disjunction of three in %v", ev.cond)
		}
		sw := s.newSwapper(ev)
		sw.add(ctx.path, ctx.hard)
		var got []bool
		for i := range list.X {
			got = append(got, sw.alive(list, i))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: alive by swap = %v, want %v", tc.q, got, tc.want)
		}
	}
}

// nestedBehindExclusions is a query whose alternative p : (node or deno)
// a search in written order reaches only after n exclusions, the first
// of which rules node out: that search goes through the exclusions'
// choices before it finds the one to change.
func nestedBehindExclusions(n int) string {
	var b strings.Builder
	b.WriteString(`(p : a or p : b or (p : (node or deno) and c : (x or y))) and not (p : node and q : z)`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, ` and not (r%d : v and s%d : w)`, i, i)
	}
	return b.String()
}
