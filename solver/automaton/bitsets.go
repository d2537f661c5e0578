package automaton

import (
	"math/bits"
	"slices"
)

// maxBitStates is the largest nfa whose subset construction keeps its sets
// as bit sets (determinizeBits); larger ones keep sorted lists.
const maxBitStates = 512

// determinizeBits is determinize for an nfa of at most maxBitStates
// states: the same subset construction, the sets of nfa states kept as bit
// sets instead of sorted lists. Each state's epsilon closure is a bit set
// made once, a move's closed target is its target's closure, and a set's
// targets on a class are the union of its states' closed targets: no set
// is sorted nor closed again, and sets compare word by word. The sets are
// the same, met in the same order (state after state, class after class),
// so the automaton is determinize's, state for state and class for class
// (TestDeterminizeClasses, TestDeterminizeBits, TestWildcardRulePatterns).
func determinizeBits(n *nfa, f frag) (*DFA, error) {
	sc := detPool.Get().(*detScratch)
	defer detPool.Put(sc)
	d := &DFA{}
	cover, rangeOf, movesAt := sc.byteClasses(n, d)
	ns := len(n.states)
	w := (ns + 63) / 64
	nc := d.nclass

	// The closure of each nfa state: clos[s*w:(s+1)*w].
	clos := slices.Grow(sc.bits[:0], ns*w)[:ns*w]
	clear(clos)
	stack := sc.stack[:0]
	for s := 0; s < ns; s++ {
		row := clos[s*w : (s+1)*w]
		row[s/64] |= 1 << (s % 64)
		stack = append(stack[:0], int32(s))
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, e := range n.states[x].eps {
				if row[e/64]&(1<<(e%64)) == 0 {
					row[e/64] |= 1 << (e % 64)
					stack = append(stack, e)
				}
			}
		}
	}
	// The nfa states that reach the exit: a set reaches acceptance when
	// one of its states does (the states of a Thompson nfa mostly lead to
	// later ones: a few passes from the last back settle them).
	live := slices.Grow(sc.live[:0], w)[:w]
	clear(live)
	live[f.out/64] |= 1 << (f.out % 64)
	for changed := true; changed; {
		changed = false
		for s := ns - 1; s >= 0; s-- {
			if live[s/64]&(1<<(s%64)) != 0 {
				continue
			}
			reaches := false
			for _, e := range n.states[s].eps {
				reaches = reaches || live[e/64]&(1<<(e%64)) != 0
			}
			for _, m := range n.states[s].moves {
				reaches = reaches || live[m.to/64]&(1<<(m.to%64)) != 0
			}
			if reaches {
				live[s/64] |= 1 << (s % 64)
				changed = true
			}
		}
	}
	allLive := true
	// The targets of the set at hand on each class: next[c*w:(c+1)*w],
	// and those of the moves on every class (a "*"): all.
	next := slices.Grow(sc.next64[:0], (nc+1)*w)[:(nc+1)*w]
	next, all := next[:nc*w], next[nc*w:]
	sets := &sc.bitSets
	sets.reset()
	trans, accept := sc.trans[:0], sc.accept[:0]
	defer func() {
		sets.release()
		sc.bits, sc.next64, sc.live, sc.stack, sc.trans, sc.accept = clos[:0], next[:0], live[:0], stack[:0], trans[:0], accept[:0]
		if cap(trans) > maxPooled || cap(sets.flat) > maxPooled {
			sc.drop()
		}
	}()
	outWord, outBit := f.out/64, uint64(1)<<(f.out%64)
	addSet := func(set []uint64) (int32, error) {
		h := hashWords(set)
		if i := sets.find(h, set); i >= 0 {
			return i, nil
		}
		if sets.len() >= MaxStates {
			return 0, ErrTooComplex
		}
		i := sets.add(h, set)
		accept = append(accept, set[outWord]&outBit != 0)
		if allLive {
			reaches := false
			for x, v := range set {
				reaches = reaches || v&live[x] != 0
			}
			allLive = reaches
		}
		trans = appendNoMoves(trans, nc)
		return i, nil
	}
	if _, err := addSet(clos[int(f.in)*w : int(f.in+1)*w]); err != nil {
		return nil, err
	}
	for i := int32(0); i < int32(sets.len()); i++ {
		clear(next)
		clear(all)
		anyAll := false
		set := sets.get(i)
		for k, word := range set {
			for word != 0 {
				s := k*64 + bits.TrailingZeros64(word)
				word &= word - 1
				rs := rangeOf[movesAt[s]:]
				for j, m := range n.states[s].moves {
					cl := clos[int(m.to)*w : int(m.to+1)*w]
					if len(cover[rs[j]]) == nc {
						for x, v := range cl {
							all[x] |= v
						}
						anyAll = true
						continue
					}
					for _, c := range cover[rs[j]] {
						dst := next[int(c)*w : int(c+1)*w]
						for x, v := range cl {
							dst[x] |= v
						}
					}
				}
			}
		}
		if anyAll {
			for c := 0; c < nc; c++ {
				for x, v := range all {
					next[c*w+x] |= v
				}
			}
		}
		// Neighbouring classes often lead to the same set: the last
		// one's state is kept.
		last, lastTo := -1, int32(-1)
		for c := 0; c < nc; c++ {
			r := next[c*w : (c+1)*w]
			if isZero(r) {
				continue
			}
			if last >= 0 && slices.Equal(next[last*w:(last+1)*w], r) {
				trans[int(i)*nc+c] = lastTo
				continue
			}
			t, err := addSet(r)
			if err != nil {
				return nil, err
			}
			trans[int(i)*nc+c] = t
			last, lastTo = c, t
		}
	}
	d.start = 0
	d.trans, d.accept = trans, accept
	res := d
	if allLive {
		// Every state reaches acceptance: trim would find so, and keep
		// the automaton as it is numbered.
		d.compactClasses()
	} else {
		res = d.trimBFS()
	}
	// Copies of what is still in the pooled buffers.
	if len(res.trans) > 0 && &res.trans[0] == &trans[0] {
		res.trans = slices.Clone(res.trans)
	}
	if len(res.accept) > 0 && &res.accept[0] == &accept[0] {
		res.accept = slices.Clone(res.accept)
	}
	return res, nil
}

func isZero(ws []uint64) bool {
	for _, v := range ws {
		if v != 0 {
			return false
		}
	}
	return true
}

// hashWords mixes the words of a bit set.
func hashWords(ws []uint64) uint64 {
	h := uint64(14695981039346656037)
	for _, v := range ws {
		h = (h ^ v) * 0x9e3779b97f4a7c15
		h ^= h >> 29
	}
	return h
}
