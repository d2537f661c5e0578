package automaton

import (
	"math/rand/v2"
	"unicode/utf8"
)

// Walker generates strings an automaton accepts by random walks. It is
// built once per automaton and is safe for concurrent use with separate
// random sources.
type Walker struct {
	d    *DFA
	dist []int32 // fewest bytes from a state to acceptance
	// per class: the bytes a walk emits for it, most plausible first tier
	emit  [][]byte
	upper [][]byte // upper-case letters of the class, used now and then
	// per class: how often a walk takes it among the moves of a state
	// (a state's moves are its row of d.trans, in class order)
	weight []int32
	// per state: a letter leaves acceptance as near, a free part of the
	// pattern (a "*")
	free []bool
}

// wmove is a move a walk picks: a class, and the state it leads to
// (class -1: none).
type wmove struct {
	class int
	to    int32
}

// row is state s's targets by class (-1: no move).
func (w *Walker) row(s int32) []int32 {
	n := w.d.nclass
	return w.d.trans[int(s)*n : int(s+1)*n]
}

// NewWalker prepares d for generation. d must not be empty. The walker is
// built once per automaton: later calls return the same one.
func NewWalker(d *DFA) *Walker {
	d.walker.once.Do(func() { d.walker.w = newWalker(d) })
	return d.walker.w
}

func newWalker(d *DFA) *Walker {
	w := &Walker{d: d}
	n := len(d.accept)
	// Bytes per class, by tier.
	// (one array of the 256 bytes, sorted by class)
	var first [257]int
	for b := 0; b < 256; b++ {
		first[int(d.classOf[b])+1]++
	}
	for c := 0; c < d.nclass; c++ {
		first[c+1] += first[c]
	}
	byClass := make([]byte, 256)
	next := first
	for b := 0; b < 256; b++ {
		c := d.classOf[b]
		byClass[next[c]] = byte(b)
		next[c]++
	}
	members := make([][]byte, d.nclass)
	for c := range members {
		members[c] = byClass[first[c]:first[c+1]:first[c+1]]
	}
	w.emit = make([][]byte, d.nclass)
	w.upper = make([][]byte, d.nclass)
	// The tiers of every class are cut from one array: a byte is in one
	// class and one tier.
	tiers := make([]byte, 0, 256)
	tier := func(ms []byte, in func(b byte) bool) []byte {
		start := len(tiers)
		for _, b := range ms {
			if in(b) {
				tiers = append(tiers, b)
			}
		}
		return tiers[start:len(tiers):len(tiers)]
	}
	for c, ms := range members {
		lower := tier(ms, func(b byte) bool { return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' })
		upper := tier(ms, func(b byte) bool { return b >= 'A' && b <= 'Z' })
		punct := tier(ms, func(b byte) bool { return b == '-' || b == '_' || b == '.' })
		other := tier(ms, func(b byte) bool {
			return b >= 0x20 && b < 0x7f && !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b == '-' || b == '_' || b == '.')
		})
		switch {
		case len(lower) > 0:
			w.emit[c] = lower
			w.upper[c] = upper
		case len(upper) > 0:
			w.emit[c] = upper
		case len(punct) > 0:
			w.emit[c] = punct
		case len(other) > 0:
			w.emit[c] = other
		default:
			// Control or non-ASCII bytes: from literals, or UTF-8
			// continuation and lead bytes. Use the first member; the
			// walk avoids these classes unless it must take them.
			w.emit[c] = ms[:1]
		}
	}
	// Distances to acceptance (BFS on reversed edges).
	w.dist = make([]int32, n)
	at, from := d.reverse()
	for s := 0; s < n; s++ {
		w.dist[s] = -1
	}
	var queue []int32
	for s := 0; s < n; s++ {
		if d.accept[s] {
			w.dist[s] = 0
			queue = append(queue, int32(s))
		}
	}
	for i := 0; i < len(queue); i++ {
		s := queue[i]
		for _, p := range from[at[s]:at[s+1]] {
			if w.dist[p] < 0 {
				w.dist[p] = w.dist[s] + 1
				queue = append(queue, p)
			}
		}
	}
	w.free = make([]bool, n)
	for s := 0; s < n; s++ {
		// Rare letters, so that the next literal's first letter does not
		// hide a free part.
		for _, b := range []byte("qzxj") {
			if t := d.trans[s*d.nclass+int(d.classOf[b])]; t >= 0 && w.dist[t] == w.dist[s] {
				w.free[s] = true
				break
			}
		}
	}
	w.weight = make([]int32, d.nclass)
	for c := range w.weight {
		weight := int32(len(w.emit[c]))
		switch b := w.emit[c][0]; {
		case !printable(b):
			weight = 0 // taken only when nothing else leads on
		case b >= 'a' && b <= 'z' || b >= '0' && b <= '9':
			// Lower case and digits dominate real values; upper case
			// (a case-insensitive literal's other spelling) and
			// punctuation come now and then.
			weight *= 8
		}
		w.weight[c] = weight
	}
	return w
}

func printable(b byte) bool { return b >= 0x20 && b < 0x7f }

// MinLen is the length in bytes of the shortest accepted string.
func (w *Walker) MinLen() int { return int(w.dist[w.d.start]) }

// Walk appends to dst a random accepted string about extra bytes longer than
// the shortest one (fewer if the language has no longer strings).
func (w *Walker) Walk(r *rand.Rand, dst []byte, extra int) []byte {
	for try := 0; ; try++ {
		out := w.walk(r, dst, extra)
		if try >= 8 || utf8.Valid(out[len(dst):]) {
			return out
		}
	}
}

// Run follows s from the start state and returns the state reached, or
// false when s leaves the automaton (no accepted string starts with s).
func (w *Walker) Run(s []byte) (int32, bool) {
	st := w.d.start
	for _, b := range s {
		if st = w.d.step(st, b); st < 0 {
			return 0, false
		}
	}
	return st, true
}

// Dist is the length in bytes of the shortest way from state to an
// accepting state.
func (w *Walker) Dist(state int32) int { return int(w.dist[state]) }

// Start is the automaton's start state.
func (w *Walker) Start() int32 { return w.d.start }

// Accepts reports whether state is accepting.
func (w *Walker) Accepts(state int32) bool { return w.d.accept[state] }

// WalkFrom appends a random continuation from state to an accepting state,
// about extra bytes longer than the shortest one.
func (w *Walker) WalkFrom(r *rand.Rand, dst []byte, state int32, extra int) []byte {
	return w.walkFrom(r, dst, state, extra)
}

func (w *Walker) walk(r *rand.Rand, dst []byte, extra int) []byte {
	return w.walkFrom(r, dst, w.d.start, extra)
}

// WalkWords is WalkFrom that fills the free parts of the pattern with
// whole words of a dictionary: each free part ("*") where a word may
// start (at the start, or after a separator, a space or punctuation)
// holds one word that keeps an accepted string in reach, and the walk
// takes the shortest way through the rest. "C:\Windows\Temp\*.exe"
// gives "C:\Windows\Temp\update.exe", and "/Users/*/Library/*.py"
// "/Users/jdoe/Library/report.py", instead of letter soup. Without words
// it is WalkFrom, extra bytes longer than the shortest string.
//
// Like Walk, it retries walks that end in invalid UTF-8 (a literal's
// bytes split by the walk).
func (w *Walker) WalkWords(r *rand.Rand, dst []byte, state int32, extra int, words [][]byte) []byte {
	for try := 0; ; try++ {
		var out []byte
		if len(words) == 0 {
			out = w.walkFrom(r, dst, state, extra)
		} else {
			out = w.walkWords(r, dst, state, words)
		}
		if try >= 8 || utf8.Valid(out[len(dst):]) {
			return out
		}
	}
}

func (w *Walker) walkWords(r *rand.Rand, dst []byte, s int32, words [][]byte) []byte {
	// Each word is placed nearer acceptance than the last (between
	// words the walk only comes closer), so the walk ends.
	lastWord := int32(1 << 30)
	filled := false // the free part the walk is in holds its word
	for {
		if !filled && w.free[s] && w.dist[s] < lastWord && (len(dst) == 0 || !wordByte(dst[len(dst)-1])) {
			if t, word, ok := w.pickWord(r, s, words); ok {
				dst = append(dst, word...)
				lastWord, s, filled = w.dist[s], t, true
				continue
			}
		}
		if w.d.accept[s] {
			return dst
		}
		// Two literals' words meet in an empty free part ("*powershell*
		// enc*"): a space keeps them apart where the pattern allows one.
		if w.free[s] && !filled && len(dst) > 0 && wordByte(dst[len(dst)-1]) {
			if t := w.d.step(s, ' '); t >= 0 && w.dist[t] == w.dist[s] && w.nextIsWord(s) {
				dst, s, filled = append(dst, ' '), t, true
				continue
			}
		}
		var ok bool
		if dst, s, ok = w.shortest(r, dst, s); !ok {
			return dst
		}
		filled = false
	}
}

// nextIsWord reports whether the shortest way on from s starts with a
// letter or digit.
func (w *Walker) nextIsWord(s int32) bool {
	for c, t := range w.row(s) {
		if t >= 0 && w.dist[t] == w.dist[s]-1 && wordByte(w.emit[c][0]) {
			return true
		}
	}
	return false
}

// pickWord tries a few words that the automaton reads from s and that
// keep an accepted string in reach.
func (w *Walker) pickWord(r *rand.Rand, s int32, words [][]byte) (int32, []byte, bool) {
	for try := 0; try < 6; try++ {
		word := words[r.IntN(len(words))]
		if len(word) == 0 {
			continue
		}
		t := s
		for _, b := range word {
			if t = w.d.step(t, b); t < 0 {
				break
			}
		}
		if t >= 0 && w.dist[t] >= 0 {
			return t, word, true
		}
	}
	return 0, nil, false
}

// wordByte tells the bytes inside a word: after one, no new word starts.
func wordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b >= 0x80
}

// shortest takes a move from s that brings acceptance closer, in the
// plainest spelling there is: lower case and digits before other
// printable bytes, and those before the rest.
func (w *Walker) shortest(r *rand.Rand, dst []byte, s int32) ([]byte, int32, bool) {
	pick := wmove{class: -1}
	best, n := -1, 0
	for c, t := range w.row(s) {
		if t < 0 || w.dist[t] != w.dist[s]-1 {
			continue
		}
		tier := 0
		if b := w.emit[c][0]; b >= 'a' && b <= 'z' || b >= '0' && b <= '9' {
			tier = 2
		} else if printable(b) {
			tier = 1
		}
		switch {
		case tier > best:
			pick, best, n = wmove{c, t}, tier, 1
		case tier == best:
			// Reservoir sampling among the plainest.
			n++
			if r.IntN(n) == 0 {
				pick = wmove{c, t}
			}
		}
	}
	if pick.class < 0 {
		return dst, s, false
	}
	bs := w.emit[pick.class]
	return append(dst, bs[r.IntN(len(bs))]), pick.to, true
}

// step takes one random move from s that keeps acceptance within budget;
// ok is false when s is accepting and the walk should stop there.
func (w *Walker) step(r *rand.Rand, dst []byte, s int32, budget int32) ([]byte, int32, bool) {
	row := w.row(s)
	total, forced := w.withinBudget(row, budget)
	if w.d.accept[s] && (budget <= 0 || forced.class < 0) {
		return dst, s, false
	}
	pick := forced
	if total > 0 {
		pick = w.pickWeighted(r, row, budget, total)
	}
	if pick.class < 0 {
		// Past the budget: the shortest way on.
		for c, t := range row {
			if t >= 0 && (pick.class < 0 || w.dist[t] < w.dist[pick.to]) {
				pick = wmove{c, t}
			}
		}
		if pick.class < 0 {
			return dst, s, false
		}
	}
	bs := w.emit[pick.class]
	var b byte
	if up := w.upper[pick.class]; len(up) > 0 && r.IntN(16) == 0 {
		b = up[r.IntN(len(up))]
	} else {
		b = bs[r.IntN(len(bs))]
	}
	return append(dst, b), pick.to, true
}

func (w *Walker) walkFrom(r *rand.Rand, dst []byte, s int32, extra int) []byte {
	d := w.d
	budget := w.dist[s] + int32(extra)
	for {
		row := w.row(s)
		total, forced := w.withinBudget(row, budget)
		if d.accept[s] && (budget <= 0 || forced.class < 0) {
			return dst
		}
		pick := forced // with no weight: only unprintable ways on; take the first
		if total > 0 {
			pick = w.pickWeighted(r, row, budget, total)
		}
		if pick.class < 0 {
			return dst // unreachable for a trimmed automaton
		}
		bs := w.emit[pick.class]
		var b byte
		if up := w.upper[pick.class]; len(up) > 0 && r.IntN(16) == 0 {
			b = up[r.IntN(len(up))]
		} else {
			b = bs[r.IntN(len(bs))]
		}
		dst = append(dst, b)
		s = pick.to
		budget--
	}
}

// withinBudget is the total weight of the moves of row that keep
// acceptance within budget, and the first of them (class -1: none).
func (w *Walker) withinBudget(row []int32, budget int32) (int32, wmove) {
	var total int32
	forced := wmove{class: -1}
	for c, t := range row {
		if t >= 0 && w.dist[t] <= budget-1 {
			total += w.weight[c]
			if forced.class < 0 {
				forced = wmove{c, t}
			}
		}
	}
	return total, forced
}

// pickWeighted draws one of the moves of row that keep acceptance within
// budget, by weight (total, their sum, is positive).
func (w *Walker) pickWeighted(r *rand.Rand, row []int32, budget, total int32) wmove {
	x := r.Int32N(total)
	for c, t := range row {
		if t >= 0 && w.dist[t] <= budget-1 {
			if x < w.weight[c] {
				return wmove{c, t}
			}
			x -= w.weight[c]
		}
	}
	return wmove{class: -1}
}
