package automaton

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/emit-sec/emit/es/regexp"
	"github.com/emit-sec/emit/es/regexp/regexptest"
	"github.com/emit-sec/emit/es/wildcard"
)

// TestDeterminizeClasses: determinize, whose byte classes are the bytes
// every move takes together, makes the automaton the subset construction
// over classes cut at every move's bounds makes (determinizeBounds, the
// construction before), state for state and class for class: the walks
// of a Walker, which read both, stay the same. Over random regular
// expressions (plain, case-insensitive, minimized), wildcard patterns,
// length bounds and byte orders.
func TestDeterminizeClasses(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	compared := 0
	check := func(what string, build func(n *nfa) (frag, error)) {
		t.Helper()
		var n1, n2 nfa
		f1, err1 := build(&n1)
		f2, err2 := build(&n2)
		if err1 != nil || err2 != nil {
			return
		}
		got, gerr := determinize(&n1, f1)
		want, werr := determinizeBounds(&n2, f2)
		if (gerr != nil) != (werr != nil) {
			t.Fatalf("%s: errors %v and %v", what, gerr, werr)
		}
		if gerr == nil && !sameDFA(got, want) {
			t.Fatalf("%s: determinize differs from the subset construction over bounded classes", what)
		}
		if gerr == nil {
			compared++
		}
	}
	for i := 0; i < 3000; i++ {
		src := regexptest.Pattern(r)
		flags := regexp.All
		if r.IntN(3) == 0 {
			flags |= regexp.CaseInsensitive
		}
		re, err := regexp.Parse(src, flags)
		if err != nil {
			continue
		}
		minimal := r.IntN(2) == 0
		check("regex "+src, func(n *nfa) (frag, error) {
			n.minimal = minimal
			return n.regex(re.Root)
		})
	}
	lits := []string{"a", "cmd.exe", "PowerShell", "\\", "é", "日本", "-enc", "?:\\Windows\\", "aAa", " "}
	for i := 0; i < 2000; i++ {
		var p wildcard.Pattern
		for k := r.IntN(5); k >= 0; k-- {
			switch r.IntN(4) {
			case 0:
				p = append(p, wildcard.Elem{Kind: wildcard.AnyString})
			case 1:
				p = append(p, wildcard.Elem{Kind: wildcard.AnyChar})
			default:
				p = append(p, wildcard.Elem{Kind: wildcard.Lit, Lit: lits[r.IntN(len(lits))]})
			}
		}
		ci := r.IntN(2) == 0
		check("wildcard "+p.String(), func(n *nfa) (frag, error) {
			var fs []frag
			for _, e := range p {
				switch e.Kind {
				case wildcard.AnyString:
					fs = append(fs, n.anyByteStar())
				case wildcard.AnyChar:
					fs = append(fs, n.anyChar())
				default:
					fs = append(fs, n.literal(e.Lit, ci))
				}
			}
			return n.concat(fs...), nil
		})
	}
	for lo := 0; lo < 6; lo++ {
		for hi := -1; hi < 8; hi++ {
			check("length", func(n *nfa) (frag, error) {
				var fs []frag
				for i := 0; i < lo; i++ {
					fs = append(fs, n.anyChar())
				}
				if hi < 0 {
					fs = append(fs, n.star(n.anyChar()))
				}
				for i := lo; i < hi; i++ {
					fs = append(fs, n.optional(n.anyChar()))
				}
				return n.concat(fs...), nil
			})
		}
	}
	for _, v := range []string{"", "a", "m", "zz", "10.0.0.1", "é"} {
		check("less "+v, func(n *nfa) (frag, error) {
			var alts []frag
			for i := 0; i < len(v); i++ {
				alts = append(alts, n.literal(v[:i], false))
				if v[i] > 0 {
					alts = append(alts, n.concat(n.literal(v[:i], false), n.bytes(0, v[i]-1), n.anyByteStar()))
				}
			}
			return n.union(alts...), nil
		})
	}
	if compared < 4000 {
		t.Errorf("%d automata compared", compared)
	}
}

// determinizeBounds, the construction before byteClasses, builds the DFA of the nfa fragment f by subset construction,
// then trims it.
func determinizeBounds(n *nfa, f frag) (*DFA, error) {
	// Byte classes: boundaries of every move.
	var bound [257]bool
	bound[0], bound[256] = true, true
	for _, st := range n.states {
		for _, m := range st.moves {
			bound[m.lo] = true
			bound[int(m.hi)+1] = true
		}
	}
	d := &DFA{}
	d.setClasses(&bound)

	// Epsilon closures with a generation-stamped visited array into a
	// reused buffer, state sets kept in one flat slice and keyed by their
	// bytes: a set is copied only when it is new.
	stamp := make([]uint32, len(n.states))
	gen := uint32(0)
	var stack, cur []int32
	closure := func(set []int32) []int32 {
		gen++
		cur = cur[:0]
		stack = append(stack[:0], set...)
		for len(stack) > 0 {
			s := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if stamp[s] == gen {
				continue
			}
			stamp[s] = gen
			cur = append(cur, s)
			stack = append(stack, n.states[s].eps...)
		}
		slices.Sort(cur)
		return cur
	}
	// About one state per two of the nfa's (a literal's byte is two),
	// more where a "*" runs beside a literal: room for one per state of
	// the nfa from the start (what is left unused is given back below).
	guess := len(n.states) + 1
	d.trans = make([]int32, 0, guess*d.nclass)
	d.accept = make([]bool, 0, guess)
	var flat []int32 // the states of every set, set after set
	var bounds []int // set i is flat[bounds[i]:bounds[i+1]]
	bounds = append(bounds, 0)
	// Sets by a hash of their states: the first set of each hash, and for
	// each set the next one of the same hash (-1: none).
	index := make(map[uint64]int32, guess)
	var sameHash []int32
	noMoves := make([]int32, d.nclass)
	for i := range noMoves {
		noMoves[i] = -1
	}
	addSet := func(set []int32) (int32, error) {
		h := uint64(14695981039346656037)
		for _, s := range set {
			h = (h ^ uint64(uint32(s))) * 1099511628211
		}
		first, ok := index[h]
		if ok {
			for i := first; i >= 0; i = sameHash[i] {
				if slices.Equal(flat[bounds[i]:bounds[i+1]], set) {
					return i, nil
				}
			}
		}
		if len(bounds)-1 >= MaxStates {
			return 0, ErrTooComplex
		}
		i := int32(len(bounds) - 1)
		if ok {
			sameHash = append(sameHash, first) // i heads the chain now
		} else {
			sameHash = append(sameHash, -1)
		}
		index[h] = i
		flat = append(flat, set...)
		bounds = append(bounds, len(flat))
		d.accept = append(d.accept, slices.Contains(set, f.out))
		d.trans = append(d.trans, noMoves...)
		return i, nil
	}
	if _, err := addSet(closure([]int32{f.in})); err != nil {
		return nil, err
	}
	// A move covers whole classes (its bounds are class bounds): the
	// targets on each class gather in one pass over the set's moves.
	next := make([][]int32, d.nclass)
	type target struct {
		class int
		to    int32
	}
	var known []target
	for i := 0; i < len(bounds)-1; i++ {
		for c := range next {
			next[c] = next[c][:0]
		}
		for _, s := range flat[bounds[i]:bounds[i+1]] {
			for _, m := range n.states[s].moves {
				for c := int(d.classOf[m.lo]); c <= int(d.classOf[m.hi]); c++ {
					next[c] = append(next[c], m.to)
				}
			}
		}
		// Most classes of a set lead to the same few targets (every byte
		// but a literal's next one): each distinct one is closed once.
		known = known[:0]
	classes:
		for c := range next {
			if len(next[c]) == 0 {
				continue
			}
			for _, k := range known {
				if slices.Equal(next[k.class], next[c]) {
					d.trans[i*d.nclass+c] = k.to
					continue classes
				}
			}
			t, err := addSet(closure(next[c]))
			if err != nil {
				return nil, err
			}
			d.trans[i*d.nclass+c] = t
			known = append(known, target{c, t})
		}
	}
	d.start = 0
	if cap(d.trans) >= 2*len(d.trans) {
		// Kept by the automaton (and caches of it): without the room.
		d.trans = slices.Clone(d.trans)
	}
	return d.trimBFS(), nil
}

// TestDeterminizeBits: the subset construction over bit sets makes the
// automaton of the one over sorted lists, state for state and class for
// class, and fails where it fails: random regular expressions (plain,
// case-insensitive, minimized parts), wildcard patterns with literals of
// several bytes, length bounds; nfas of any size (determinize hands only
// small ones to determinizeBits).
func TestDeterminizeBits(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	compared, large := 0, 0
	check := func(what string, build func(n *nfa) (frag, error)) {
		t.Helper()
		var n1, n2 nfa
		f1, err1 := build(&n1)
		f2, err2 := build(&n2)
		if err1 != nil || err2 != nil {
			return
		}
		got, gerr := determinizeBits(&n1, f1)
		want, werr := determinizeLists(&n2, f2)
		if (gerr != nil) != (werr != nil) {
			t.Fatalf("%s: errors %v and %v", what, gerr, werr)
		}
		if gerr == nil && !sameDFA(got, want) {
			t.Fatalf("%s: the bit sets' automaton differs from the lists'", what)
		}
		compared++
		if len(n1.states) > maxBitStates {
			large++
		}
	}
	for i := 0; i < 3000; i++ {
		src := regexptest.Pattern(r)
		flags := regexp.All
		if r.IntN(3) == 0 {
			flags |= regexp.CaseInsensitive
		}
		re, err := regexp.Parse(src, flags)
		if err != nil {
			continue
		}
		minimal := r.IntN(2) == 0
		check("regex "+src, func(n *nfa) (frag, error) {
			n.minimal = minimal
			return n.regex(re.Root)
		})
	}
	lits := []string{"a", "cmd.exe", "PowerShell", "\\", "é", "日本", "-enc", "?:\\Windows\\", "aAa", " ", "ǅ", "K", "ſ"}
	for i := 0; i < 3000; i++ {
		var p wildcard.Pattern
		for k := r.IntN(12); k >= 0; k-- {
			switch r.IntN(4) {
			case 0:
				p = append(p, wildcard.Elem{Kind: wildcard.AnyString})
			case 1:
				p = append(p, wildcard.Elem{Kind: wildcard.AnyChar})
			default:
				p = append(p, wildcard.Elem{Kind: wildcard.Lit, Lit: lits[r.IntN(len(lits))]})
			}
		}
		ci := r.IntN(2) == 0
		check("wildcard "+p.String(), func(n *nfa) (frag, error) {
			var fs []frag
			for _, e := range p {
				switch e.Kind {
				case wildcard.AnyString:
					fs = append(fs, n.anyByteStar())
				case wildcard.AnyChar:
					fs = append(fs, n.anyChar())
				default:
					fs = append(fs, n.literal(e.Lit, ci))
				}
			}
			return n.concat(fs...), nil
		})
	}
	for _, lo := range []int{0, 1, 3, 30, 45} {
		for _, hi := range []int{-1, 0, 2, 5, 40, 60} {
			check("length", func(n *nfa) (frag, error) {
				var fs []frag
				for i := 0; i < lo; i++ {
					fs = append(fs, n.anyChar())
				}
				if hi < 0 {
					fs = append(fs, n.star(n.anyChar()))
				}
				for i := lo; i < hi; i++ {
					fs = append(fs, n.optional(n.anyChar()))
				}
				return n.concat(fs...), nil
			})
		}
	}
	if compared < 5000 || large < 10 {
		t.Errorf("%d automata compared, %d of nfas over %d states", compared, large, maxBitStates)
	}
}
