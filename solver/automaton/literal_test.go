package automaton

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/emit-sec/emit/es/wildcard"
)

// sameDFA reports whether a and b are the same automaton, state for state
// and class for class.
func sameDFA(a, b *DFA) bool {
	return a.classOf == b.classOf && a.nclass == b.nclass && a.start == b.start &&
		slices.Equal(a.trans, b.trans) && slices.Equal(a.accept, b.accept)
}

// TestASCIILiteralIsDeterminized: the automaton asciiLiteral makes
// directly is the one determinize makes of the literal's nfa, for ASCII
// strings with and without case-insensitivity: repeated characters,
// letters of both cases, digits and punctuation, the empty string.
func TestASCIILiteralIsDeterminized(t *testing.T) {
	strs := []string{"", "a", "A", "aA", "aaa", "cmd.exe", "CMD.EXE", "?:\\Windows\\System32\\", "Microsoft Windows", "0", "\x00\x7f", "zZ[]`{}~"}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 2000; i++ {
		b := make([]byte, r.IntN(12))
		for j := range b {
			if r.IntN(3) == 0 {
				b[j] = "aAbBzZ09._-\\"[r.IntN(12)]
			} else {
				b[j] = byte(r.IntN(128))
			}
		}
		strs = append(strs, string(b))
	}
	for _, s := range strs {
		for _, ci := range []bool{false, true} {
			var n nfa
			want, err := determinize(&n, n.literal(s, ci))
			if err != nil {
				t.Fatal(err)
			}
			got, ok := asciiLiteral(s, ci)
			if !ok {
				t.Fatalf("%q: not taken as ASCII", s)
			}
			if !sameDFA(got, want) {
				t.Errorf("asciiLiteral(%q, %v) differs from the determinized nfa", s, ci)
			}
			if !sameDFA(Literal(s, ci), want) {
				t.Errorf("Literal(%q, %v) differs from the determinized nfa", s, ci)
			}
		}
	}
	if _, ok := asciiLiteral("café", true); ok {
		t.Error("a non-ASCII literal taken as ASCII")
	}
}

// TestWildcardWithoutWildcards: a pattern of literals only (split in
// several elements, empty ones included) is the automaton determinize
// makes of its nfa.
func TestWildcardWithoutWildcards(t *testing.T) {
	for _, p := range []wildcard.Pattern{
		{},
		{{Kind: wildcard.Lit, Lit: ""}},
		{{Kind: wildcard.Lit, Lit: "cmd"}, {Kind: wildcard.Lit, Lit: ""}, {Kind: wildcard.Lit, Lit: ".Exe"}},
		{{Kind: wildcard.Lit, Lit: "a*b?"}},
	} {
		for _, ci := range []bool{false, true} {
			var n nfa
			fs := []frag{}
			for _, e := range p {
				fs = append(fs, n.literal(e.Lit, ci))
			}
			want, err := determinize(&n, n.concat(fs...))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Wildcard(p, ci)
			if err != nil || !sameDFA(got, want) {
				t.Errorf("Wildcard(%v, %v) differs from the determinized nfa (%v)", p, ci, err)
			}
		}
	}
}
