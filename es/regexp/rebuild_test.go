package regexp

import "testing"

func TestRebuild(t *testing.T) {
	a, b, x := Literal("a"), AnyChar(), Chars(Range{Lo: '0', Hi: '9'})
	// x is no literal: a concatenation or union with it stays one.
	for _, c := range []struct {
		n    *Node
		subs []*Node
		want string
	}{
		{Concat(a, x), []*Node{a, b}, Concat(a, b).String()},
		{Union(a, x), []*Node{a, b}, Union(a, b).String()},
		{Intersect(a, x), []*Node{a, b}, Intersect(a, b).String()},
		{Complemented(a), []*Node{b}, Complemented(b).String()},
		{Repeat(a, 2, 5), []*Node{b}, Repeat(b, 2, 5).String()},
	} {
		got, ok := Rebuild(c.n, c.subs)
		if !ok || got.String() != c.want {
			t.Errorf("Rebuild(%s) = %v, %v; want %s", c.n, got, ok, c.want)
		}
	}
	if _, ok := Rebuild(a, nil); ok {
		t.Error("a literal rebuilt")
	}
}
