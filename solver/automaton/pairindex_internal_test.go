package automaton

import (
	"math/rand/v2"
	"testing"
)

// The pair index finds what was put, through growth, and nothing else.
func TestPairIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	idx := newPairIndex(4)
	want := map[[2]int32]int32{}
	for i := int32(0); i < 20000; i++ {
		p := [2]int32{r.Int32N(3000), r.Int32N(3000)}
		if i%5 == 0 {
			p = [2]int32{i, 0} // near keys
		}
		if v, ok := idx.get(p[0], p[1]); ok != (want[p] != 0) || ok && v != want[p]-1 {
			t.Fatalf("get %v = %d, %v; want %d", p, v, ok, want[p]-1)
		}
		if want[p] == 0 {
			idx.put(p[0], p[1], i)
			want[p] = i + 1
		}
	}
	for p, v := range want {
		if got, ok := idx.get(p[0], p[1]); !ok || got != v-1 {
			t.Fatalf("get %v = %d, %v; want %d", p, got, ok, v-1)
		}
	}
	if _, ok := idx.get(5000, 5000); ok {
		t.Error("a pair never put is found")
	}
}

// Intersect's product of large automata accepts what both accept, and
// only that.
func TestIntersectLarge(t *testing.T) {
	a, err := Regex(`.*(gcloud|config-helper|print-access-token|az account|kubectl get secret).*`, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Regex(`.*(auth|token|secret)[a-z ]*`, false)
	if err != nil {
		t.Fatal(err)
	}
	if a.States()*b.States() <= 1<<12 {
		t.Fatalf("%d x %d states: the dense index, not the hash table", a.States(), b.States())
	}
	m, err := Intersect(a, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"gcloud auth print", "x kubectl get secret y", "az account get-access-token", "config-helper", "auth only", "print-access-token", ""} {
		if got, want := m.Match(s), a.Match(s) && b.Match(s); got != want {
			t.Errorf("%q: %v, want %v", s, got, want)
		}
	}
	w := NewWalker(m)
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 50; i++ {
		s := string(w.Walk(r, nil, i%20))
		if !a.Match(s) || !b.Match(s) {
			t.Fatalf("walk %q is not in both", s)
		}
	}
}
