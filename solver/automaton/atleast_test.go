package automaton

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestAtLeast: the strings of AtLeast(d, n) are strings of d at least n
// characters long, and the automaton stays small where the product with
// a length counter exceeds MaxStates.
func TestAtLeast(t *testing.T) {
	re := `(.*['"][.0-9A-Za-z]+['"]([ ]?\+[ ]?['"][ ,.0-9A-Za-z-]+['"]){2,}){2}.*`
	d, err := Regex(re, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Intersect(d, mustLength(t, 501)); err != ErrTooComplex {
		t.Fatalf("the product: %v, want it too complex (the case AtLeast is for)", err)
	}
	out, ok := AtLeast(d, 501)
	if !ok {
		t.Fatal("no automaton")
	}
	if out.States() > d.States()+501+1 {
		t.Errorf("%d states", out.States())
	}
	w := NewWalker(out)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20; i++ {
		s := string(w.Walk(r, nil, i))
		if !d.Match(s) || utf8.RuneCountInString(s) < 501 {
			t.Fatalf("%q (%d characters) is not a string of d of 501 characters or more", s, utf8.RuneCountInString(s))
		}
	}
	// Nothing loops on padding at the end: no automaton.
	lit := Literal("abc", false)
	if _, ok := AtLeast(lit, 10); ok {
		t.Error("a literal has no strings of 10 characters")
	}
	// Short strings are left out, long ones kept.
	any, _ := Regex("[a-z]*", false)
	out, ok = AtLeast(any, 3)
	if !ok || out.Match("") || out.Match("ab") || !out.Match(strings.Repeat("x", 40)) {
		t.Errorf("[a-z]* with at least 3: %v", ok)
	}
}

func mustLength(t *testing.T, n int) *DFA {
	d, err := Length(n, -1)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
