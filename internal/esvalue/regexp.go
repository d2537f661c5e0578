package esvalue

import (
	"math/bits"
	"strconv"
	"strings"

	"github.com/emit-sec/emit/es/regexp"
)

// Regexp is a Lucene regular expression ready to match document values as
// Elasticsearch's regexp query (and EQL's regex, ES|QL's RLIKE) does: the
// whole value, over code points. The syntax is read once, by package
// es/regexp, into the tree the solver compiles too; matching the tree is
// this package's own, so that the evaluators still judge the solver's
// documents independently.
//
// The matcher computes, for a node and a start position, the set of end
// positions where the node matches: intersection and complement are then
// set operations, and every pattern runs in polynomial time (no
// backtracking). Results of composite nodes are memoized per match.
type Regexp struct {
	root  *rxNode
	nodes int
}

type rxNode struct {
	kind     regexp.Kind
	id       int // index for memoization
	ranges   []regexp.Range
	ascii    [2]uint64 // KindChar: the ASCII members of ranges
	text     []rune    // KindLiteral
	subs     []*rxNode
	min      int // KindRepeat, KindInterval
	max      int
	nullable bool   // the node matches the empty string
	digits   int    // KindInterval: exact width, 0 for any
	minS     string // KindInterval bounds as decimal strings
	maxS     string
}

// ParseRegexp parses src with flags (regexp.Parse) and compiles it.
func ParseRegexp(src string, flags regexp.Flags) (*Regexp, error) {
	re, err := regexp.Parse(src, flags)
	if err != nil {
		return nil, err
	}
	return NewRegexp(re), nil
}

// NewRegexp compiles a parsed regular expression for matching.
func NewRegexp(re *regexp.Regexp) *Regexp {
	r := &Regexp{}
	r.root = r.compile(re.Root)
	return r
}

func (r *Regexp) compile(x *regexp.Node) *rxNode {
	n := &rxNode{kind: x.Kind, id: r.nodes, min: x.Min, max: x.Max, digits: x.Digits}
	r.nodes++
	switch x.Kind {
	case regexp.KindChar:
		n.ranges = x.Ranges
		for _, rg := range x.Ranges {
			for c := rg.Lo; c <= rg.Hi && c < 128; c++ {
				n.ascii[c/64] |= 1 << (c % 64)
			}
		}
	case regexp.KindLiteral:
		n.text = []rune(x.Text)
	case regexp.KindInterval:
		n.minS, n.maxS = strconv.Itoa(x.Min), strconv.Itoa(x.Max)
	}
	for _, s := range x.Subs {
		n.subs = append(n.subs, r.compile(s))
	}
	n.nullable = nullable(n)
	return n
}

// nullable reports whether n matches the empty string (wherever it
// starts: the languages are regular).
func nullable(n *rxNode) bool {
	switch n.kind {
	case regexp.KindLiteral:
		return len(n.text) == 0
	case regexp.KindAnyString:
		return true
	case regexp.KindConcat, regexp.KindIntersection:
		for _, s := range n.subs {
			if !s.nullable {
				return false
			}
		}
		return true
	case regexp.KindUnion:
		for _, s := range n.subs {
			if s.nullable {
				return true
			}
		}
		return false
	case regexp.KindComplement:
		return !n.subs[0].nullable
	case regexp.KindRepeat:
		return (n.max < 0 || n.min <= n.max) && (n.min == 0 || n.subs[0].nullable)
	}
	return false // KindChar, KindNothing, KindInterval
}

// has reports whether c is one of a KindChar's characters.
func (n *rxNode) has(c rune) bool {
	if c < 128 {
		return n.ascii[c/64]&(1<<(c%64)) != 0
	}
	lo, hi := 0, len(n.ranges)
	for lo < hi {
		m := (lo + hi) / 2
		switch {
		case c < n.ranges[m].Lo:
			hi = m
		case c > n.ranges[m].Hi:
			lo = m + 1
		default:
			return true
		}
	}
	return false
}

// bitset is a set of positions 0..n.
type bitset []uint64

func newBitset(n int) bitset    { return make(bitset, (n+64)/64) }
func (b bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) get(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) or(c bitset) {
	for i := range b {
		b[i] |= c[i]
	}
}
func (b bitset) and(c bitset) {
	for i := range b {
		b[i] &= c[i]
	}
}
func (b bitset) equal(c bitset) bool {
	for i := range b {
		if b[i] != c[i] {
			return false
		}
	}
	return true
}
func (b bitset) empty() bool {
	for _, w := range b {
		if w != 0 {
			return false
		}
	}
	return true
}

// setRange sets the positions lo to hi.
func (b bitset) setRange(lo, hi int) {
	if lo > hi {
		return
	}
	wl, wh := lo/64, hi/64
	ml, mh := ^uint64(0)<<(lo%64), ^uint64(0)>>(63-hi%64)
	if wl == wh {
		b[wl] |= ml & mh
		return
	}
	b[wl] |= ml
	for w := wl + 1; w < wh; w++ {
		b[w] = ^uint64(0)
	}
	b[wh] |= mh
}

// setFrom sets every position from i to n, the last one.
func (b bitset) setFrom(i, n int) {
	for w := i / 64; w < len(b); w++ {
		b[w] = ^uint64(0)
	}
	b.keep(i, n)
}

// keep clears the positions before i and after n, the last one.
func (b bitset) keep(i, n int) {
	for w := 0; w < i/64; w++ {
		b[w] = 0
	}
	b[i/64] &^= 1<<(i%64) - 1
	if (n+1)%64 != 0 {
		b[len(b)-1] &= 1<<((n+1)%64) - 1
	}
}

func (b bitset) each(fn func(i int)) {
	for k, w := range b {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			fn(k*64 + t)
			w &= w - 1
		}
	}
}

// rxMatcher matches one input.
type rxMatcher struct {
	in       []rune
	memo     [][]bitset     // [node id][start]
	closures []*closureRows // [repeat node id]: its operand's Kleene closure
	runEnds  map[*rxNode][]int
}

// Match reports whether the whole of s matches.
func (r *Regexp) Match(s string) bool {
	m := &rxMatcher{in: []rune(s), memo: make([][]bitset, r.nodes)}
	return m.ends(r.root, 0).get(len(m.in))
}

// litAt reports whether literal n matches the input at i.
func (m *rxMatcher) litAt(n *rxNode, i int) bool {
	if i+len(n.text) > len(m.in) {
		return false
	}
	for k, c := range n.text {
		if m.in[i+k] != c {
			return false
		}
	}
	return true
}

// ends returns the end positions of n started at i.
func (m *rxMatcher) ends(n *rxNode, i int) bitset {
	size := len(m.in)
	switch n.kind {
	case regexp.KindChar, regexp.KindLiteral, regexp.KindNothing, regexp.KindAnyString:
		b := newBitset(size)
		b.set(i)
		return m.step(n, b)
	}
	if memo := m.memo[n.id]; memo != nil && memo[i] != nil {
		return memo[i]
	}
	var b bitset
	switch n.kind {
	case regexp.KindConcat:
		b = newBitset(size)
		b.set(i)
		for _, s := range n.subs {
			if b = m.step(s, b); b.empty() {
				break
			}
		}
	case regexp.KindUnion:
		b = newBitset(size)
		for _, s := range n.subs {
			b.or(m.ends(s, i))
		}
	case regexp.KindIntersection:
		b = newBitset(size)
		b.setFrom(i, size)
		for _, s := range n.subs {
			b.and(m.ends(s, i))
		}
	case regexp.KindComplement:
		sub := m.ends(n.subs[0], i)
		b = newBitset(size)
		for w := range b {
			b[w] = ^sub[w]
		}
		b.keep(i, size)
	case regexp.KindRepeat:
		b = m.repeat(n, i)
	case regexp.KindInterval:
		b = newBitset(size)
		for j := i; j < size && m.in[j] >= '0' && m.in[j] <= '9'; j++ {
			if n.inInterval(m.in[i : j+1]) {
				b.set(j + 1)
			}
		}
	}
	if m.memo[n.id] == nil {
		m.memo[n.id] = make([]bitset, size+1)
	}
	m.memo[n.id][i] = b
	return b
}

// step returns the end positions of n started from every position of from.
func (m *rxMatcher) step(n *rxNode, from bitset) bitset {
	size := len(m.in)
	out := newBitset(size)
	switch n.kind {
	case regexp.KindChar:
		from.each(func(j int) {
			if j < size && n.has(m.in[j]) {
				out.set(j + 1)
			}
		})
	case regexp.KindLiteral:
		from.each(func(j int) {
			if m.litAt(n, j) {
				out.set(j + len(n.text))
			}
		})
	case regexp.KindNothing:
	case regexp.KindAnyString:
		first := -1
		from.each(func(j int) {
			if first < 0 {
				first = j
			}
		})
		if first >= 0 {
			out.setRange(first, size)
		}
	case regexp.KindRepeat:
		if n.subs[0].kind == regexp.KindChar {
			// A class repeated: from j, every end from j+min to the end of
			// the run of class characters starting at j (at most j+max).
			// Without a bound, runs end in increasing order, so the union
			// is one pass.
			if n.max >= 0 && n.min > n.max {
				break
			}
			runs := m.runs(n.subs[0])
			hi := -1
			from.each(func(j int) {
				end := runs[j]
				if n.max >= 0 {
					out.setRange(j+n.min, min(end, j+n.max))
					return
				}
				out.setRange(max(j+n.min, hi+1), end)
				hi = max(hi, end)
			})
			break
		}
		fallthrough
	default:
		from.each(func(j int) { out.or(m.ends(n, j)) })
	}
	return out
}

// runs returns, for each position j, the end of the longest run of
// characters of the class set starting at j (j itself when none).
func (m *rxMatcher) runs(set *rxNode) []int {
	if m.runEnds == nil {
		m.runEnds = map[*rxNode][]int{}
	}
	if r, ok := m.runEnds[set]; ok {
		return r
	}
	size := len(m.in)
	r := make([]int, size+1)
	r[size] = size
	for j := size - 1; j >= 0; j-- {
		if set.has(m.in[j]) {
			r[j] = r[j+1]
		} else {
			r[j] = j
		}
	}
	m.runEnds[set] = r
	return r
}

// repeat matches n.subs[0] between n.min and n.max times. Each round is a
// function of the previous set of positions, which either grows (the
// operand matches the empty string) or moves strictly right, so a fixpoint
// or the empty set comes within len(input)+1 rounds whatever the counts.
func (m *rxMatcher) repeat(n *rxNode, i int) bitset {
	size := len(m.in)
	sub := n.subs[0]
	if n.max >= 0 && n.min > n.max {
		return newBitset(size) // the empty language, as in Lucene
	}
	cur := newBitset(size)
	cur.set(i)
	if sub.kind == regexp.KindChar {
		return m.step(n, cur)
	}
	max := n.max
	if max > size {
		// No more than len(input) rounds can add a position (each adds
		// one, or moves every position right): the bound cannot bind, and
		// the closure's rows are shared between starts.
		max = -1
	}
	if sub.nullable && max >= 0 {
		// Each round keeps the positions of the one before (the operand
		// matches the empty string), so the ends are those of the last
		// round, and only the positions a round adds go on to the next.
		acc, frontier := cur, cur
		for k := 0; k < max; k++ {
			next := m.step(sub, frontier)
			fresh := false
			for w := range next {
				next[w] &^= acc[w]
				if next[w] != 0 {
					fresh = true
				}
			}
			if !fresh {
				break
			}
			if k == 0 {
				acc = append(bitset(nil), acc...)
			}
			acc.or(next)
			frontier = next
		}
		return acc
	}
	for k := 0; k < n.min; k++ {
		next := m.step(sub, cur)
		if next.empty() {
			return next
		}
		if next.equal(cur) {
			break
		}
		cur = next
	}
	if max < 0 {
		out := newBitset(size)
		cur.each(func(j int) {
			if !out.get(j) {
				out.or(m.closure(n, j))
			}
		})
		return out
	}
	acc := append(bitset(nil), cur...)
	for k := n.min; k < max; k++ {
		next := m.step(sub, cur)
		if next.empty() || next.equal(cur) {
			break
		}
		acc.or(next)
		cur = next
	}
	return acc
}

// closure returns the end positions of any number of n.subs[0] from i
// (i itself included). Every position reachable from i gets its row once,
// computed from the rows after it (the operand's ends j > k lead on to
// j's row), from the last position down; later calls from other starts
// reuse the rows. Rows are transitively closed, so an end already in the
// row adds nothing and is skipped.
func (m *rxMatcher) closure(n *rxNode, i int) bitset {
	size := len(m.in)
	if m.closures == nil {
		m.closures = make([]*closureRows, len(m.memo))
	}
	c := m.closures[n.id]
	if c == nil {
		c = &closureRows{rows: make([]bitset, size+1), done: newBitset(size)}
		m.closures[n.id] = c
	}
	if c.done.get(i) {
		return c.rows[i]
	}
	// The positions reachable from i that have no row yet.
	todo := newBitset(size)
	todo.set(i)
	stack := []int{i}
	for len(stack) > 0 {
		k := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		x := m.ends(n.subs[0], k)
		eachAfter(x, k, func(w int) uint64 { return x[w] &^ todo[w] &^ c.done[w] }, func(j int) {
			todo.set(j)
			stack = append(stack, j)
		})
	}
	for w := len(todo) - 1; w >= 0; w-- {
		for word := todo[w]; word != 0; {
			t := 63 - bits.LeadingZeros64(word)
			word &^= 1 << t
			k := w*64 + t
			row := newBitset(size)
			row.set(k)
			x := m.ends(n.subs[0], k)
			eachAfter(x, k, func(w int) uint64 { return x[w] &^ row[w] }, func(j int) { row.or(c.rows[j]) })
			c.rows[k] = row
			c.done.set(k)
		}
	}
	return c.rows[i]
}

// closureRows are the rows of a closure computed so far.
type closureRows struct {
	rows []bitset
	done bitset // the positions that have a row
}

// eachAfter calls fn with each position j > k that is set in cand(w), the
// candidates of word w, rereading the word after every call (fn may clear
// candidates).
func eachAfter(b bitset, k int, cand func(w int) uint64, fn func(j int)) {
	for w := k / 64; w < len(b); w++ {
		for {
			c := cand(w)
			if w == k/64 {
				c &^= 2<<(k%64) - 1
			}
			if c == 0 {
				break
			}
			fn(w*64 + bits.TrailingZeros64(c))
		}
	}
}

// inInterval reports whether the ASCII digits s are a number of the
// interval: with exactly n.digits digits when that is set, otherwise with
// any number of leading zeros.
func (n *rxNode) inInterval(s []rune) bool {
	if n.digits > 0 && len(s) != n.digits {
		return false
	}
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	v := string(s)
	return compareDecimal(v, n.minS) >= 0 && compareDecimal(v, n.maxS) <= 0
}

// compareDecimal compares non-negative decimal strings without leading zeros.
func compareDecimal(a, b string) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}
