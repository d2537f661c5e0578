// Package automaton implements deterministic finite automata over bytes, the
// domain of string fields: wildcard patterns, Lucene regular expressions,
// literals, length bounds and their complements are automata; meeting
// constraints is intersecting automata; a value is a random walk from the
// start state to an accepting state.
//
// Strings are UTF-8. Automata work on bytes, encode characters as UTF-8
// sequences, and never produce or accept partial characters where a pattern
// asks for "one character".
package automaton

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"sync"
)

// MaxStates bounds the size of any automaton built here; past it the
// operation fails with ErrTooComplex rather than exhausting memory.
const MaxStates = 50000

// ErrTooComplex is returned when an automaton would exceed MaxStates.
var ErrTooComplex = errors.New("string constraints too complex (automaton over " + strconv.Itoa(MaxStates) + " states)")

// DFA is a deterministic automaton. Bytes are grouped into classes that
// behave alike; trans[s*nclass+c] is the target of state s on class c, or -1.
// Every state of a DFA returned by this package can reach an accepting
// state (it is trimmed), so a DFA with no states is the empty language.
type DFA struct {
	classOf [256]uint8
	nclass  int
	trans   []int32
	accept  []bool
	start   int32

	// walker is the automaton's Walker, built on first use (DFAs are
	// immutable and shared: a cached predicate's walker serves every
	// domain it is the automaton of).
	walker struct {
		once sync.Once
		w    *Walker
	}
}

// States is the number of states.
func (d *DFA) States() int { return len(d.accept) }

// Size is the number of transitions the automaton's table holds (states
// times byte classes).
func (d *DFA) Size() int { return len(d.trans) }

// IsEmpty reports whether the automaton accepts no string at all.
func (d *DFA) IsEmpty() bool { return len(d.accept) == 0 }

// Match reports whether the automaton accepts s.
func (d *DFA) Match(s string) bool {
	if len(d.accept) == 0 {
		return false
	}
	st := d.start
	for i := 0; i < len(s); i++ {
		st = d.trans[int(st)*d.nclass+int(d.classOf[s[i]])]
		if st < 0 {
			return false
		}
	}
	return d.accept[st]
}

// step returns the target of state s on byte b (-1 if none).
func (d *DFA) step(s int32, b byte) int32 {
	return d.trans[int(s)*d.nclass+int(d.classOf[b])]
}

// IsUniversal reports whether the automaton accepts every byte string.
func (d *DFA) IsUniversal() bool {
	if len(d.accept) == 0 {
		return false
	}
	// Trimmed and complete with all states accepting means universal.
	for s := range d.accept {
		if !d.accept[s] {
			return false
		}
		for c := 0; c < d.nclass; c++ {
			if d.trans[s*d.nclass+c] < 0 {
				return false
			}
		}
	}
	return true
}

// Singleton returns the only string the automaton accepts, if it accepts
// exactly one.
func (d *DFA) Singleton() (string, bool) {
	if len(d.accept) == 0 {
		return "", false
	}
	// A class of several bytes is as many strings.
	var size [256]int
	var member [256]byte // the last byte of each class
	for b := 0; b < 256; b++ {
		size[d.classOf[b]]++
		member[d.classOf[b]] = byte(b)
	}
	var b []byte
	seen := make([]bool, len(d.accept))
	s := d.start
	for {
		if seen[s] {
			return "", false // a cycle: infinitely many strings
		}
		seen[s] = true
		next, by, n := int32(-1), byte(0), 0
		for c, t := range d.trans[int(s)*d.nclass : int(s+1)*d.nclass] {
			if t >= 0 {
				n += size[c]
				next, by = t, member[c]
				if n > 1 {
					return "", false
				}
			}
		}
		if n == 0 {
			return string(b), d.accept[s]
		}
		if d.accept[s] {
			return "", false // s and something longer
		}
		b = append(b, by)
		s = next
	}
}

// determinize builds the DFA of the nfa fragment f by subset construction,
// then trims it. Small nfas (wildcard patterns, literals, most regular
// expressions) keep their sets as bit sets (determinizeBits), larger ones
// as sorted lists (determinizeLists): the same automaton.
func determinize(n *nfa, f frag) (*DFA, error) {
	if len(n.states) <= maxBitStates {
		return determinizeBits(n, f)
	}
	return determinizeLists(n, f)
}

// determinizeLists is determinize with the sets of nfa states kept as
// sorted lists.
func determinizeLists(n *nfa, f frag) (*DFA, error) {
	// The construction works in pooled buffers (automata are many and
	// mostly small) and the automaton keeps copies of what it ends with.
	sc := detPool.Get().(*detScratch)
	defer detPool.Put(sc)
	d := &DFA{}
	// cover[r] lists the classes of byte range r, and rangeOf the range
	// of each move, state after state.
	cover, rangeOf, movesAt := sc.byteClasses(n, d)

	// Epsilon closures with a generation-stamped visited array into a
	// reused buffer.
	if len(sc.stamp) < len(n.states) {
		sc.stamp, sc.gen = make([]uint32, len(n.states)+len(n.states)/2), 0
	}
	stamp := sc.stamp
	stack, cur := sc.stack[:0], sc.cur[:0]
	closure := func(set []int32) []int32 {
		if sc.gen == math.MaxUint32 {
			clear(stamp)
			sc.gen = 0
		}
		sc.gen++
		gen := sc.gen
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
	nc := d.nclass
	trans, accept := sc.trans[:0], sc.accept[:0]
	// The states' sets of nfa states (state i is set i), and the moves'
	// targets before their closure, with the state their closure is: most
	// targets recur from state to state (a "*" leads back to itself), and
	// are closed once.
	sets, raws := &sc.sets, &sc.raws
	sets.reset()
	raws.reset()
	rawTo := sc.rawTo[:0]
	defer func() {
		sets.release()
		raws.release()
		sc.stack, sc.cur, sc.trans, sc.accept, sc.rawTo = stack[:0], cur[:0], trans[:0], accept[:0], rawTo[:0]
		if cap(trans) > maxPooled || cap(sets.flat) > maxPooled || cap(raws.flat) > maxPooled {
			sc.drop() // the buffers of a large automaton go with it
		}
	}()
	addSet := func(set []int32) (int32, error) {
		h := hashInt32s(set)
		if i := sets.find(h, set); i >= 0 {
			return i, nil
		}
		if sets.len() >= MaxStates {
			return 0, ErrTooComplex
		}
		i := sets.add(h, set)
		accept = append(accept, slices.Contains(set, f.out))
		trans = appendNoMoves(trans, nc)
		return i, nil
	}
	if _, err := addSet(closure([]int32{f.in})); err != nil {
		return nil, err
	}
	// The targets on each class gather in one pass over the set's moves.
	if len(sc.next) < nc {
		sc.next = append(sc.next, make([][]int32, nc-len(sc.next))...)
	}
	next := sc.next[:nc]
	known := sc.known[:0]
	defer func() { sc.known = known[:0] }()
	for i := int32(0); i < int32(sets.len()); i++ {
		for c := range next {
			next[c] = next[c][:0]
		}
		for _, s := range sets.get(i) {
			rs := rangeOf[movesAt[s]:]
			for j, m := range n.states[s].moves {
				for _, c := range cover[rs[j]] {
					next[c] = append(next[c], m.to)
				}
			}
		}
		// Most classes of a set lead to the same few targets (every byte
		// but a literal's next one): each distinct one is looked up once.
		known = known[:0]
	classes:
		for c := range next {
			if len(next[c]) == 0 {
				continue
			}
			for _, k := range known {
				if slices.Equal(next[k.class], next[c]) {
					trans[int(i)*nc+c] = k.to
					continue classes
				}
			}
			h := hashInt32s(next[c])
			r := raws.find(h, next[c])
			t := int32(-1)
			if r >= 0 {
				t = rawTo[r]
			} else {
				var err error
				if t, err = addSet(closure(next[c])); err != nil {
					return nil, err
				}
				raws.add(h, next[c])
				rawTo = append(rawTo, t)
			}
			trans[int(i)*nc+c] = t
			known = append(known, detTarget{c, t})
		}
	}
	d.start = 0
	d.trans, d.accept = trans, accept
	res := d.trimBFS()
	// Copies of what is still in the pooled buffers.
	if len(res.trans) > 0 && &res.trans[0] == &trans[0] {
		res.trans = slices.Clone(res.trans)
	}
	if len(res.accept) > 0 && &res.accept[0] == &accept[0] {
		res.accept = slices.Clone(res.accept)
	}
	return res, nil
}

// appendNoMoves appends a row of nc classes without moves (-1) to a
// transition table (a state the subset constructions and Intersect add);
// the table doubles when full (slices.Grow's smaller
// steps copied large tables many times over).
func appendNoMoves(trans []int32, nc int) []int32 {
	if len(trans)+nc > cap(trans) {
		grown := make([]int32, len(trans), 2*cap(trans)+nc)
		copy(grown, trans)
		trans = grown
	}
	row := trans[len(trans) : len(trans)+nc]
	for c := range row {
		row[c] = -1
	}
	return trans[:len(trans)+nc]
}

// hashInt32s is FNV-1a over the values.
func hashInt32s(xs []int32) uint64 {
	h := uint64(14695981039346656037)
	for _, x := range xs {
		h = (h ^ uint64(uint32(x))) * 1099511628211
	}
	return h
}

// setTable numbers distinct lists of Ts (nfa states as sorted lists, or
// bit sets of a fixed number of words): list i is flat[bounds[i]:
// bounds[i+1]], found by its hash in an open-addressing table (i+1; 0 is
// free) kept at most half full. Its buffers are reused: reset before use,
// release after.
type setTable[T int32 | uint64] struct {
	flat   []T
	bounds []int32
	hashes []uint64
	table  []int32 // every entry zero between uses
}

func (t *setTable[T]) reset() {
	t.flat, t.bounds, t.hashes = t.flat[:0], append(t.bounds[:0], 0), t.hashes[:0]
	if cap(t.table) < 64 {
		t.table = make([]int32, 64)
	}
	t.table = t.table[:64]
}

func (t *setTable[T]) release() { clear(t.table) }

func (t *setTable[T]) len() int { return len(t.hashes) }

func (t *setTable[T]) get(i int32) []T { return t.flat[t.bounds[i]:t.bounds[i+1]] }

// find returns the number of list xs of hash h, or -1.
func (t *setTable[T]) find(h uint64, xs []T) int32 {
	mask := len(t.table) - 1
	for at := int(h>>32) & mask; t.table[at] != 0; at = (at + 1) & mask {
		if i := t.table[at] - 1; t.hashes[i] == h && slices.Equal(t.get(i), xs) {
			return i
		}
	}
	return -1
}

// add numbers xs, of hash h, which find does not find.
func (t *setTable[T]) add(h uint64, xs []T) int32 {
	i := int32(len(t.hashes))
	t.hashes = append(t.hashes, h)
	t.flat = append(t.flat, xs...)
	t.bounds = append(t.bounds, int32(len(t.flat)))
	if 2*len(t.hashes) > len(t.table) {
		// Twice the size, every list again.
		clear(t.table)
		t.table = slices.Grow(t.table[:0], 2*len(t.table))[:2*len(t.table)]
		for j, h := range t.hashes {
			t.insert(h, int32(j))
		}
		return i
	}
	t.insert(h, i)
	return i
}

func (t *setTable[T]) insert(h uint64, i int32) {
	mask := len(t.table) - 1
	at := int(h>>32) & mask
	for t.table[at] != 0 {
		at = (at + 1) & mask
	}
	t.table[at] = i + 1
}

// detTarget is a class of a set and the state it leads to.
type detTarget struct {
	class int
	to    int32
}

// detScratch is what determinize works in.
type detScratch struct {
	stamp                  []uint32
	gen                    uint32
	stack, cur             []int32
	sets, raws             setTable[int32]
	rawTo                  []int32
	next                   [][]int32
	known                  []detTarget
	trans                  []int32
	accept                 []bool
	rangeOf, movesAt, seen []int32
	ranges                 []move
	sig                    []uint64
	coverFlat              []uint8
	cover                  [][]uint8
	bits, next64, live     []uint64 // determinizeBits' closures, targets, live states
	bitSets                setTable[uint64]
	rangeIdx               [1 << 16]int32 // range+1 by lo<<8 | hi, zero between uses
}

var detPool = sync.Pool{New: func() any { return new(detScratch) }}

// maxPooled is the largest table (in transitions) whose buffers are kept
// for the next automaton: the few large ones would hold their memory.
const maxPooled = 1 << 18

// drop lets the buffers that grow with an automaton go.
func (sc *detScratch) drop() {
	sc.stamp, sc.gen = nil, 0
	sc.stack, sc.cur, sc.rawTo, sc.trans, sc.accept = nil, nil, nil, nil, nil
	sc.sets, sc.raws = setTable[int32]{}, setTable[int32]{}
	sc.rangeOf, sc.movesAt = nil, nil
	sc.bits, sc.next64, sc.live, sc.bitSets = nil, nil, nil, setTable[uint64]{}
}

// byteClasses sets d's byte classes for the subset construction of n: the
// bytes that every move of n takes together or not at all, numbered by
// their least byte. (Classes cut at every move's bounds would be the same
// automaton with more columns, which trim's compactClasses merges: the
// first byte of each class orders the construction the same way, so the
// states come out in the same order.) It returns the distinct byte ranges'
// classes, the range of each move, state after state, and where each
// state's moves start in that list (in sc's buffers).
func (sc *detScratch) byteClasses(n *nfa, d *DFA) (cover [][]uint8, rangeOf []int32, movesAt []int32) {
	// The distinct ranges of the moves, and the classes between bounds.
	var bound [257]bool
	bound[0], bound[256] = true, true
	movesAt, rangeOf = sc.movesAt[:0], sc.rangeOf[:0]
	ranges := sc.ranges[:0]
	for _, st := range n.states {
		movesAt = append(movesAt, int32(len(rangeOf)))
		for _, m := range st.moves {
			k := uint16(m.lo)<<8 | uint16(m.hi)
			r := sc.rangeIdx[k] - 1
			if r < 0 {
				r = int32(len(ranges))
				sc.rangeIdx[k] = r + 1
				ranges = append(ranges, move{lo: m.lo, hi: m.hi})
				bound[m.lo] = true
				bound[int(m.hi)+1] = true
			}
			rangeOf = append(rangeOf, r)
		}
	}
	movesAt = append(movesAt, int32(len(rangeOf)))
	for _, m := range ranges {
		sc.rangeIdx[uint16(m.lo)<<8|uint16(m.hi)] = 0
	}
	d.setClasses(&bound)
	nb := d.nclass
	// Each bounded class's set of ranges, as a bit set: classes with the
	// same set are one class.
	words := (len(ranges) + 63) / 64
	sig := slices.Grow(sc.sig[:0], nb*words)[:nb*words]
	clear(sig)
	for r, m := range ranges {
		for c := int(d.classOf[m.lo]); c <= int(d.classOf[m.hi]); c++ {
			sig[c*words+r/64] |= 1 << (r % 64)
		}
	}
	var newOf [256]uint8
	var firsts [256]int // the first bounded class of each class
	k := 0
	for c := 0; c < nb; c++ {
		j := 0
		for j < k && !slices.Equal(sig[firsts[j]*words:(firsts[j]+1)*words], sig[c*words:(c+1)*words]) {
			j++
		}
		if j == k {
			firsts[k] = c
			k++
		}
		newOf[c] = uint8(j)
	}
	for b := 0; b < 256; b++ {
		d.classOf[b] = newOf[d.classOf[b]]
	}
	d.nclass = k
	// The classes of each range, each once.
	cover = sc.cover[:0]
	flat := sc.coverFlat[:0]
	seen := slices.Grow(sc.seen[:0], k)[:k]
	clear(seen)
	for r, m := range ranges {
		start := len(flat)
		for b := int(m.lo); b <= int(m.hi); b++ {
			if c := d.classOf[b]; seen[c] != int32(r+1) {
				seen[c] = int32(r + 1)
				flat = append(flat, c)
			}
		}
		cover = append(cover, flat[start:len(flat):len(flat)])
	}
	sc.movesAt, sc.rangeOf, sc.ranges, sc.sig, sc.seen, sc.cover, sc.coverFlat = movesAt, rangeOf, ranges, sig, seen, cover, flat
	return cover, rangeOf, movesAt
}

// reverse is the automaton's moves backwards: the states with a move to
// state t are from[at[t]:at[t+1]].
func (d *DFA) reverse() (at, from []int32) {
	n := len(d.accept)
	at = make([]int32, n+2)
	for _, t := range d.trans {
		if t >= 0 {
			at[t+2]++
		}
	}
	for t := 2; t < len(at); t++ {
		at[t] += at[t-1]
	}
	from = make([]int32, at[n+1])
	for s := 0; s < n; s++ {
		for _, t := range d.trans[s*d.nclass : (s+1)*d.nclass] {
			if t >= 0 {
				from[at[t+1]] = int32(s)
				at[t+1]++
			}
		}
	}
	return at[:n+1], from
}

// alive tells the states that can reach an accepting state. States are
// mostly numbered in the order they are reached from the start: a few
// passes from the last state back settle it; past those, the moves are
// followed backwards from the accepting states.
func (d *DFA) alive() []bool {
	n := len(d.accept)
	alive := slices.Clone(d.accept)
	for pass := 0; pass < 4; pass++ {
		changed := false
		for s := n - 1; s >= 0; s-- {
			if alive[s] {
				continue
			}
			for _, t := range d.trans[s*d.nclass : (s+1)*d.nclass] {
				if t >= 0 && alive[t] {
					alive[s], changed = true, true
					break
				}
			}
		}
		if !changed {
			return alive
		}
	}
	at, from := d.reverse()
	var stack []int32
	for s := 0; s < n; s++ {
		if alive[s] {
			stack = append(stack, int32(s))
		}
	}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, p := range from[at[s]:at[s+1]] {
			if !alive[p] {
				alive[p] = true
				stack = append(stack, p)
			}
		}
	}
	return alive
}

// trim removes states that cannot reach an accepting state and renumbers
// the rest, merging byte classes that became equivalent.
func (d *DFA) trim() *DFA { return d.trimOrdered(false) }

// trimBFS is trim for an automaton d built in breadth-first order from
// its start state 0 (as determinize and Intersect build): when every
// state can reach acceptance, that order is already trim's numbering and
// d itself is the result.
func (d *DFA) trimBFS() *DFA { return d.trimOrdered(true) }

func (d *DFA) trimOrdered(bfs bool) *DFA {
	n := len(d.accept)
	if n == 0 {
		return d
	}
	alive := d.alive()
	if !alive[d.start] {
		return &DFA{}
	}
	if bfs && d.start == 0 && !slices.Contains(alive, false) {
		d.compactClasses()
		return d
	}
	// Forward reachability through alive states, numbering in BFS order
	// so that the result is canonical for equal constructions.
	num := make([]int32, n)
	for i := range num {
		num[i] = -1
	}
	order := []int32{d.start}
	num[d.start] = 0
	for i := 0; i < len(order); i++ {
		s := order[i]
		for c := 0; c < d.nclass; c++ {
			t := d.trans[int(s)*d.nclass+c]
			if t >= 0 && alive[t] && num[t] < 0 {
				num[t] = int32(len(order))
				order = append(order, t)
			}
		}
	}
	out := &DFA{classOf: d.classOf, nclass: d.nclass, start: 0}
	out.accept = make([]bool, len(order))
	out.trans = make([]int32, len(order)*d.nclass)
	for i, s := range order {
		out.accept[i] = d.accept[s]
		for c := 0; c < d.nclass; c++ {
			t := d.trans[int(s)*d.nclass+c]
			if t >= 0 && alive[t] {
				t = num[t]
			} else {
				t = -1
			}
			out.trans[i*d.nclass+c] = t
		}
	}
	out.compactClasses()
	return out
}

// compactClasses merges byte classes whose columns are identical.
func (d *DFA) compactClasses() {
	n := len(d.accept)
	nc := d.nclass
	// Columns by a hash of their targets, compared in full on a match
	// (hashed row after row, as the table lies in memory). A DFA has at
	// most 256 classes: the work arrays live on the stack.
	var hash [256]uint64
	for c := 0; c < nc; c++ {
		hash[c] = 14695981039346656037
	}
	for s := 0; s < n; s++ {
		for c, t := range d.trans[s*nc : (s+1)*nc] {
			hash[c] = (hash[c] ^ uint64(uint32(t))) * 1099511628211
		}
	}
	same := func(a, b int) bool {
		for s := 0; s < n; s++ {
			if d.trans[s*nc+a] != d.trans[s*nc+b] {
				return false
			}
		}
		return true
	}
	var newOf [256]uint8
	var firsts [256]uint8 // the first class of each new class
	k := 0
	for c := 0; c < nc; c++ {
		j := 0
		for j < k && !(hash[firsts[j]] == hash[c] && same(int(firsts[j]), c)) {
			j++
		}
		if j == k {
			firsts[k] = uint8(c)
			k++
		}
		newOf[c] = uint8(j)
	}
	if k == nc {
		return
	}
	trans := make([]int32, n*k)
	for s := 0; s < n; s++ {
		row, out := d.trans[s*nc:(s+1)*nc], trans[s*k:(s+1)*k]
		for c, t := range row {
			out[newOf[c]] = t
		}
	}
	for b := 0; b < 256; b++ {
		d.classOf[b] = newOf[d.classOf[b]]
	}
	d.nclass = k
	d.trans = trans
}

// jointClasses refines the byte classes of a and b into one partition,
// its classes numbered by their least byte.
func jointClasses(a, b *DFA) (classOf [256]uint8, n int, ca, cb []uint8) {
	// The joint classes met so far with a's class x: head[x], then on
	// along next (-1: no more).
	var head, next [256]int16
	for i := range head {
		head[i] = -1
	}
	ca, cb = make([]uint8, 0, 32), make([]uint8, 0, 32)
	for by := 0; by < 256; by++ {
		x, y := a.classOf[by], b.classOf[by]
		if by > 0 && x == a.classOf[by-1] && y == b.classOf[by-1] {
			classOf[by] = classOf[by-1] // runs of bytes share their classes
			continue
		}
		c := head[x]
		for c >= 0 && cb[c] != y {
			c = next[c]
		}
		if c < 0 {
			c = int16(len(ca))
			ca, cb = append(ca, x), append(cb, y)
			next[c], head[x] = head[x], c
		}
		classOf[by] = uint8(c)
	}
	return classOf, len(ca), ca, cb
}

// Intersect returns the automaton of the strings both a and b accept.
func Intersect(a, b *DFA) (*DFA, error) {
	if a.IsEmpty() || b.IsEmpty() {
		return &DFA{}, nil
	}
	classOf, nc, ca, cb := jointClasses(a, b)
	out := &DFA{classOf: classOf, nclass: nc}
	// The product is built in pooled buffers, and what is kept copied
	// out of them: intersections are many, mostly small, and the table's
	// final size is known only at the end.
	sc := productPool.Get().(*productScratch)
	defer productPool.Put(sc)
	// The product's states, in the order they are met (breadth first):
	// xs[i], ys[i] is state i's pair.
	xs, ys, trans := sc.xs[:0], sc.ys[:0], sc.trans[:0]
	defer func() {
		sc.xs, sc.ys, sc.trans = xs[:0], ys[:0], trans[:0]
		if cap(trans) > maxPooled {
			sc.xs, sc.ys, sc.trans = nil, nil, nil // as determinize's
		}
	}()
	// The pair index: a dense table when the product is small, else a
	// hash table.
	nb := int32(len(b.accept))
	var dense []int32
	var index *pairIndex
	if len(a.accept)*len(b.accept) <= denseProduct {
		dense = sc.dense[:len(a.accept)*len(b.accept)]
		defer func() {
			// Left as it was taken: every entry zero.
			for i := range xs {
				dense[xs[i]*nb+ys[i]] = 0
			}
		}()
	} else {
		index = newPairIndex(max(len(a.accept), len(b.accept)))
	}
	out.accept = make([]bool, 0, max(len(a.accept), len(b.accept)))
	// state is the product state of pair (x, y), added when new.
	state := func(x, y int32) (int32, error) {
		if dense != nil {
			// dense holds index+1, 0 for pairs not met yet.
			if i := dense[x*nb+y]; i > 0 {
				return i - 1, nil
			}
		} else if i, ok := index.get(x, y); ok {
			return i, nil
		}
		if len(xs) >= MaxStates {
			return 0, ErrTooComplex
		}
		i := int32(len(xs))
		if dense != nil {
			dense[x*nb+y] = i + 1
		} else {
			index.put(x, y, i)
		}
		xs, ys = append(xs, x), append(ys, y)
		out.accept = append(out.accept, a.accept[x] && b.accept[y])
		trans = appendNoMoves(trans, nc)
		return i, nil
	}
	if _, err := state(a.start, b.start); err != nil {
		return nil, err
	}
	for i := 0; i < len(xs); i++ {
		rowA := a.trans[int(xs[i])*a.nclass : int(xs[i]+1)*a.nclass]
		rowB := b.trans[int(ys[i])*b.nclass : int(ys[i]+1)*b.nclass]
		// Classes of a state often lead where the one before did: the
		// last pair's state is kept.
		lastX, lastY, last := int32(-1), int32(-1), int32(-1)
		for c := 0; c < nc; c++ {
			tx, ty := rowA[ca[c]], rowB[cb[c]]
			if tx < 0 || ty < 0 {
				continue
			}
			if tx != lastX || ty != lastY {
				t, err := state(tx, ty)
				if err != nil {
					return nil, err
				}
				lastX, lastY, last = tx, ty, t
			}
			trans[i*nc+c] = last
		}
	}
	out.trans = trans
	res := out.trimBFS()
	if len(res.trans) > 0 && &res.trans[0] == &trans[0] {
		// Still the pooled table (nothing trimmed nor merged): a copy of
		// its size is kept.
		res.trans = slices.Clone(res.trans)
	}
	return res, nil
}

// denseProduct is the largest product whose pair index is a dense table.
const denseProduct = 1 << 12

// productScratch is what Intersect builds a product in.
type productScratch struct {
	xs, ys, trans []int32
	dense         [denseProduct]int32 // every entry zero between uses
}

var productPool = sync.Pool{New: func() any { return new(productScratch) }}

// pairIndex maps pairs of states to their state in a product automaton:
// open addressing over a power-of-two table of packed pairs, kept at most
// half full (a Go map's hashing dominated large intersections).
type pairIndex struct {
	keys  []uint64 // x<<32 | y, and empty where vals is 0
	vals  []int32  // the pair's state + 1
	n     int
	shift uint // 64 - log2(len(keys))
}

func newPairIndex(hint int) *pairIndex {
	size, shift := 64, uint(58)
	for size < 2*hint {
		size, shift = size*2, shift-1
	}
	return &pairIndex{keys: make([]uint64, size), vals: make([]int32, size), shift: shift}
}

func (t *pairIndex) slot(k uint64) int {
	return int((k * 0x9e3779b97f4a7c15) >> t.shift)
}

func (t *pairIndex) get(x, y int32) (int32, bool) {
	k := uint64(uint32(x))<<32 | uint64(uint32(y))
	mask := len(t.keys) - 1
	for i := t.slot(k); ; i = (i + 1) & mask {
		switch {
		case t.vals[i] == 0:
			return 0, false
		case t.keys[i] == k:
			return t.vals[i] - 1, true
		}
	}
}

// put adds a pair that get does not find.
func (t *pairIndex) put(x, y, v int32) {
	if 2*(t.n+1) > len(t.keys) {
		old := *t
		*t = *newPairIndex(t.n + 1)
		for i, ov := range old.vals {
			if ov != 0 {
				t.insert(old.keys[i], ov)
			}
		}
	}
	t.insert(uint64(uint32(x))<<32|uint64(uint32(y)), v+1)
}

func (t *pairIndex) insert(k uint64, v int32) {
	mask := len(t.keys) - 1
	i := t.slot(k)
	for t.vals[i] != 0 {
		i = (i + 1) & mask
	}
	t.keys[i], t.vals[i] = k, v
	t.n++
}

// Complement returns the automaton of the byte strings d does not accept.
func Complement(d *DFA) *DFA {
	if d.IsEmpty() {
		return AnyBytes()
	}
	n := len(d.accept)
	sink := int32(n)
	out := &DFA{classOf: d.classOf, nclass: d.nclass, start: d.start}
	out.accept = make([]bool, n+1)
	out.trans = make([]int32, (n+1)*d.nclass)
	for s := 0; s <= n; s++ {
		if s < n {
			out.accept[s] = !d.accept[s]
		} else {
			out.accept[s] = true
		}
		for c := 0; c < d.nclass; c++ {
			t := sink
			if s < n {
				if x := d.trans[s*d.nclass+c]; x >= 0 {
					t = x
				}
			}
			out.trans[s*d.nclass+c] = t
		}
	}
	return out.trim()
}

// Union returns the automaton of the strings a or b accepts.
func Union(a, b *DFA) (*DFA, error) {
	var n nfa
	return determinize(&n, n.union(n.fromDFA(a), n.fromDFA(b)))
}

// Minimize returns the minimal automaton for d's language (Hopcroft's
// partition refinement, see minimize), its states numbered breadth first
// from the start. It keeps d's byte classes, which the walks of a Walker
// read: a walk of the result draws what the same walk of d draws.
func Minimize(d *DFA) *DFA {
	n := len(d.accept)
	if n <= 1 {
		return d
	}
	part, k := minimize(d)
	if k == n {
		return d
	}
	if k == 0 || part[d.start] < 0 {
		return &DFA{}
	}
	// A state of each block, and the blocks in breadth-first order.
	rep := make([]int32, k)
	for s := n - 1; s >= 0; s-- {
		if part[s] >= 0 {
			rep[part[s]] = int32(s)
		}
	}
	num := make([]int32, k)
	for i := range num {
		num[i] = -1
	}
	order := []int32{part[d.start]}
	num[part[d.start]] = 0
	for i := 0; i < len(order); i++ {
		s := rep[order[i]]
		for c := 0; c < d.nclass; c++ {
			if t := d.trans[int(s)*d.nclass+c]; t >= 0 && part[t] >= 0 && num[part[t]] < 0 {
				num[part[t]] = int32(len(order))
				order = append(order, part[t])
			}
		}
	}
	out := &DFA{classOf: d.classOf, nclass: d.nclass}
	out.accept = make([]bool, len(order))
	out.trans = make([]int32, len(order)*d.nclass)
	for i, b := range order {
		s := rep[b]
		out.accept[i] = d.accept[s]
		for c := 0; c < d.nclass; c++ {
			t := d.trans[int(s)*d.nclass+c]
			if t >= 0 && part[t] >= 0 {
				t = num[part[t]]
			} else {
				t = -1 // the sink's block: no move
			}
			out.trans[i*d.nclass+c] = t
		}
	}
	return out
}

// setClasses splits the bytes into classes at the bounds: a class starts
// at each byte b with bound[b] (bound[0] set).
func (d *DFA) setClasses(bound *[257]bool) {
	cls := -1
	for b := 0; b < 256; b++ {
		if bound[b] {
			cls++
		}
		d.classOf[b] = uint8(cls)
	}
	d.nclass = cls + 1
}
