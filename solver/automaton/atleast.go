package automaton

// AtLeast returns automata of strings of d that are at least n characters
// long, built without the product of d with a counter of n (which past a
// few hundred characters exceeds MaxStates for a pattern of a few hundred
// states): the strings of d that end in an accepting state looping on
// ASCII letters, digits or spaces, and reach it through n such characters
// more (u is the only accepting state left). It is a part of that language, not all of it, and ok is false
// when d has no such state or the result would be too large.
func AtLeast(d *DFA, n int) (out *DFA, ok bool) {
	if d.IsEmpty() || n <= 0 {
		return d, !d.IsEmpty()
	}
	if len(d.accept)+n > MaxStates {
		return nil, false
	}
	// Split every byte class into its padding bytes and the others, so
	// that the chain reads only padding.
	pad := func(b int) bool {
		return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == ' '
	}
	type key struct {
		old uint8
		pad bool
	}
	index := map[key]uint8{}
	var classOf [256]uint8
	var oldOf []uint8
	var padClass []bool
	for b := 0; b < 256; b++ {
		k := key{d.classOf[b], pad(b)}
		c, seen := index[k]
		if !seen {
			c = uint8(len(index))
			index[k] = c
			oldOf = append(oldOf, k.old)
			padClass = append(padClass, k.pad)
		}
		classOf[b] = c
	}
	nc := len(oldOf)
	states := len(d.accept)
	// The accepting state with the most padding classes looping on it.
	u, best := int32(-1), 0
	for s := 0; s < states; s++ {
		if !d.accept[s] {
			continue
		}
		loops := 0
		for c := 0; c < nc; c++ {
			if padClass[c] && d.trans[s*d.nclass+int(oldOf[c])] == int32(s) {
				loops++
			}
		}
		if loops > best {
			u, best = int32(s), loops
		}
	}
	if u < 0 {
		return nil, false
	}
	// States: d's, then the chain c_0 .. c_{n-1}; c_n is u. Every way
	// into u from another state goes through the chain; u keeps its own.
	total := states + n
	chain := func(i int) int32 {
		if i == n {
			return u
		}
		return int32(states + i)
	}
	res := &DFA{classOf: classOf, nclass: nc, start: d.start}
	res.accept = make([]bool, total)
	res.trans = make([]int32, total*nc)
	for s := 0; s < states; s++ {
		res.accept[s] = int32(s) == u // every string ends there
		for c := 0; c < nc; c++ {
			t := d.trans[s*d.nclass+int(oldOf[c])]
			if t == u && int32(s) != u {
				t = chain(0)
			}
			res.trans[s*nc+c] = t
		}
	}
	for i := 0; i < n; i++ {
		s := states + i
		for c := 0; c < nc; c++ {
			res.trans[s*nc+c] = -1
			if padClass[c] && d.trans[int(u)*d.nclass+int(oldOf[c])] == u {
				res.trans[s*nc+c] = chain(i + 1)
			}
		}
	}
	if d.start == u {
		res.start = chain(0)
	}
	res = res.trim()
	return res, !res.IsEmpty()
}
