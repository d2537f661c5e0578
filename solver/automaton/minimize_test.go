package automaton

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// mooreStates is the number of states of d's minimal automaton by Moore's
// refinement, the plain way: the reference for Minimize.
func mooreStates(d *DFA) int {
	n := len(d.accept)
	part := make([]int, n)
	for s := range part {
		if d.accept[s] {
			part[s] = 1
		}
	}
	count := func(p []int) int {
		seen := map[int]bool{}
		for _, x := range p {
			seen[x] = true
		}
		return len(seen)
	}
	for {
		sig := map[string]int{}
		next := make([]int, n)
		for s := 0; s < n; s++ {
			var b strings.Builder
			b.WriteString(strconv.Itoa(part[s]))
			for c := 0; c < d.nclass; c++ {
				t := int(d.trans[s*d.nclass+c])
				if t >= 0 {
					t = part[t]
				}
				b.WriteString("," + strconv.Itoa(t))
			}
			id, ok := sig[b.String()]
			if !ok {
				id = len(sig)
				sig[b.String()] = id
			}
			next[s] = id
		}
		same := len(sig) == count(part)
		part = next
		if same {
			return len(sig)
		}
	}
}

// Minimize's automaton (Hopcroft's refinement) has as many states as
// Moore's, accepts what d accepts and only that, and its walks draw what
// d's draw (it keeps d's byte classes). MinimalRegex builds that
// automaton, minimizing its parts as it goes.
func TestMinimizeHopcroft(t *testing.T) {
	for _, re := range []string{
		`(a|a)(b|b)(c|c)*`,
		`.*(gcloud|config-helper|print-access-token|az account|kubectl get secret).*`,
		`.*(nc[ ]+-e|socat .*exec|bash -i|import socket.*connect).*&~(.*\&.*)`,
		`([^/ ]*&~(.*x.*))/exec\?(.*(tcp|udp).*&~(.*=.*))&(a|b)=.*`,
		`(ab|cd){2,4}[0-9]+`,
		`~(.*secret.*)&.{3,12}`,
		`abc`,
		`.*`,
	} {
		d, err := Regex(re, false)
		if err != nil {
			t.Fatal(err)
		}
		m := Minimize(d)
		if got, want := m.States(), mooreStates(d); got != want {
			t.Errorf("%s: %d states, Moore's %d (from %d)", re, got, want, d.States())
		}
		if mm := Minimize(m); mm.States() != m.States() {
			t.Errorf("%s: minimizing again: %d states, was %d", re, mm.States(), m.States())
		}
		md, err := MinimalRegex(re, false)
		if err != nil {
			t.Fatal(err)
		}
		if md.States() != m.States() {
			t.Errorf("%s: MinimalRegex has %d states, Minimize %d", re, md.States(), m.States())
		}
		r := rand.New(rand.NewPCG(3, 4))
		wd, wm := NewWalker(d), NewWalker(m)
		for i := 0; i < 50; i++ {
			seed := r.Uint64()
			sd := string(wd.Walk(rand.New(rand.NewPCG(seed, 1)), nil, i%7))
			sm := string(wm.Walk(rand.New(rand.NewPCG(seed, 1)), nil, i%7))
			if sd != sm {
				t.Errorf("%s: the walks draw %q and %q", re, sd, sm)
			}
			for _, s := range []string{sd, string(NewWalker(md).Walk(r, nil, i%5)), sd + "x", "x" + sd, sd[:len(sd)/2]} {
				if a, b, c := d.Match(s), m.Match(s), md.Match(s); a != b || a != c {
					t.Errorf("%s: %q: Regex %v, Minimize %v, MinimalRegex %v", re, s, a, b, c)
				}
			}
		}
	}
	if !Minimize(Empty()).IsEmpty() {
		t.Error("the empty automaton minimized is not empty")
	}
}
