package automaton

import (
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/emit-sec/emit/es/wildcard"
)

// nfa is a Thompson-style automaton over bytes, the building stage of every
// DFA: fragments are glued with epsilon moves and then determinized.
type nfa struct {
	states  []nstate
	minimal bool // the DFAs of parts are minimized (MinimalRegex)
}

type nstate struct {
	eps   []int32
	moves []move
}

type move struct {
	lo, hi byte
	to     int32
}

// frag is a piece of an nfa with one entry and one exit state.
type frag struct{ in, out int32 }

func (n *nfa) add() int32 {
	if len(n.states) < cap(n.states) {
		// A state of an nfa before (newNFA): its buffers reused.
		n.states = n.states[:len(n.states)+1]
		st := &n.states[len(n.states)-1]
		st.eps, st.moves = st.eps[:0], st.moves[:0]
		return int32(len(n.states) - 1)
	}
	n.states = append(n.states, nstate{})
	return int32(len(n.states) - 1)
}

// newNFA is an empty nfa whose states keep the buffers of an nfa before
// (automata are many, their nfas mostly small, each state a few slices);
// freeNFA gives it back when its automaton is made.
func newNFA(minimal bool) *nfa {
	n := nfaPool.Get().(*nfa)
	n.states, n.minimal = n.states[:0], minimal
	return n
}

func freeNFA(n *nfa) {
	if cap(n.states) > maxPooledStates {
		return // the buffers of a large nfa go with it
	}
	nfaPool.Put(n)
}

var nfaPool = sync.Pool{New: func() any { return new(nfa) }}

// maxPooledStates is the largest nfa whose buffers are kept for the next.
const maxPooledStates = 4096

func (n *nfa) eps(from, to int32) { n.states[from].eps = append(n.states[from].eps, to) }

func (n *nfa) move(from int32, lo, hi byte, to int32) {
	n.states[from].moves = append(n.states[from].moves, move{lo, hi, to})
}

// empty matches the empty string.
func (n *nfa) empty() frag {
	s := n.add()
	return frag{s, s}
}

// nothing matches no string at all.
func (n *nfa) nothing() frag {
	return frag{n.add(), n.add()}
}

func (n *nfa) bytes(lo, hi byte) frag {
	a, b := n.add(), n.add()
	n.move(a, lo, hi, b)
	return frag{a, b}
}

func (n *nfa) concat(fs ...frag) frag {
	if len(fs) == 0 {
		return n.empty()
	}
	for i := 1; i < len(fs); i++ {
		n.eps(fs[i-1].out, fs[i].in)
	}
	return frag{fs[0].in, fs[len(fs)-1].out}
}

func (n *nfa) union(fs ...frag) frag {
	if len(fs) == 0 {
		return n.nothing()
	}
	if len(fs) == 1 {
		return fs[0]
	}
	a, b := n.add(), n.add()
	for _, f := range fs {
		n.eps(a, f.in)
		n.eps(f.out, b)
	}
	return frag{a, b}
}

func (n *nfa) star(f frag) frag {
	a, b := n.add(), n.add()
	n.eps(a, f.in)
	n.eps(a, b)
	n.eps(f.out, f.in)
	n.eps(f.out, b)
	return frag{a, b}
}

func (n *nfa) plus(f frag) frag {
	a, b := n.add(), n.add()
	n.eps(a, f.in)
	n.eps(f.out, f.in)
	n.eps(f.out, b)
	return frag{a, b}
}

func (n *nfa) optional(f frag) frag {
	a, b := n.add(), n.add()
	n.eps(a, f.in)
	n.eps(a, b)
	n.eps(f.out, b)
	return frag{a, b}
}

// anyByteStar matches any byte sequence. On valid UTF-8 input it matches
// exactly what "any sequence of characters" matches, and keeps DFAs small.
func (n *nfa) anyByteStar() frag {
	s := n.add()
	n.move(s, 0, 0xff, s)
	return frag{s, s}
}

// runeRanges matches one character whose code point lies in one of the
// (sorted, non-overlapping) ranges, encoded as UTF-8.
func (n *nfa) runeRanges(rs []runeRange) frag {
	a, b := n.add(), n.add()
	for _, r := range rs {
		if r.hi <= utf8.RuneSelf-1 {
			// ASCII: one byte, as utf8Sequences would say.
			n.move(a, byte(r.lo), byte(r.hi), b)
			continue
		}
		seqs := anyCharSequences()
		if r.lo != 0 || r.hi != unicode.MaxRune {
			seqs = utf8Sequences(r.lo, r.hi)
		}
		for _, seq := range seqs {
			cur := a
			for i, br := range seq {
				next := b
				if i < len(seq)-1 {
					next = n.add()
				}
				n.move(cur, br.lo, br.hi, next)
				cur = next
			}
		}
	}
	return frag{a, b}
}

// anyCharSequences are the UTF-8 sequences of every character, split
// once (read-only).
var anyCharSequences = sync.OnceValue(func() [][]byteRange { return utf8Sequences(0, unicode.MaxRune) })

// anyChar matches one character.
func (n *nfa) anyChar() frag { return n.runeRanges([]runeRange{{0, unicode.MaxRune}}) }

// literal matches s; with ci, each letter matches any of its case variants.
func (n *nfa) literal(s string, ci bool) frag {
	if !ci {
		start := n.add()
		cur := start
		for i := 0; i < len(s); i++ {
			next := n.add()
			n.move(cur, s[i], s[i], next)
			cur = next
		}
		return frag{start, cur}
	}
	// Each character, or its other case as Elasticsearch's
	// case-insensitive term and wildcard queries accept it.
	fs := make([]frag, 0, len(s))
	var pair [2]runeRange
	for _, r := range s {
		alt := wildcard.AltCase(r)
		pair[0], pair[1] = runeRange{r, r}, runeRange{alt, alt}
		fs = append(fs, n.runeRanges(normalizeRanges(pair[:])))
	}
	return n.concat(fs...)
}

// fromDFA embeds a DFA into the nfa.
func (n *nfa) fromDFA(d *DFA) frag {
	base := int32(len(n.states))
	for range d.accept {
		n.add()
	}
	out := n.add()
	for s := range d.accept {
		from := base + int32(s)
		row := d.trans[s*d.nclass : (s+1)*d.nclass]
		// Emit one move per maximal run of bytes with the same target.
		for lo := 0; lo < 256; {
			t := row[d.classOf[lo]]
			hi := lo
			for hi+1 < 256 && row[d.classOf[hi+1]] == t {
				hi++
			}
			if t >= 0 {
				n.move(from, byte(lo), byte(hi), base+t)
			}
			lo = hi + 1
		}
		if d.accept[s] {
			n.eps(from, out)
		}
	}
	if len(d.accept) == 0 {
		return frag{n.add(), out}
	}
	return frag{base + d.start, out}
}

type runeRange struct{ lo, hi rune }

// normalizeRanges sorts and merges overlapping or adjacent ranges.
func normalizeRanges(rs []runeRange) []runeRange {
	if len(rs) < 2 {
		return rs
	}
	sortRanges(rs)
	out := rs[:1]
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if r.lo <= last.hi+1 {
			if r.hi > last.hi {
				last.hi = r.hi
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

func sortRanges(rs []runeRange) {
	// insertion sort: class lists are short
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && (rs[j].lo < rs[j-1].lo || (rs[j].lo == rs[j-1].lo && rs[j].hi < rs[j-1].hi)); j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

type byteRange struct{ lo, hi byte }

// utf8Sequences splits the code points lo..hi into sequences of byte ranges
// whose concatenation matches exactly their UTF-8 encodings (surrogates
// excluded).
func utf8Sequences(lo, hi rune) [][]byteRange {
	var out [][]byteRange
	var split func(lo, hi rune)
	split = func(lo, hi rune) {
		if lo > hi {
			return
		}
		// Surrogates have no UTF-8 encoding.
		if lo <= 0xDFFF && hi >= 0xD800 {
			split(lo, 0xD7FF)
			split(0xE000, hi)
			return
		}
		// Split at encoding-length boundaries.
		for _, max := range []rune{0x7F, 0x7FF, 0xFFFF} {
			if lo <= max && hi > max {
				split(lo, max)
				split(max+1, hi)
				return
			}
		}
		if hi <= 0x7F {
			out = append(out, []byteRange{{byte(lo), byte(hi)}})
			return
		}
		n := utf8.RuneLen(lo)
		// Split so that all but the last byte share a prefix or span
		// whole continuation ranges.
		for i := 1; i < n; i++ {
			m := rune(1)<<(6*i) - 1 // low bits of the last i continuation bytes
			if lo&^m != hi&^m {
				if lo&m != 0 {
					split(lo, lo|m)
					split((lo|m)+1, hi)
					return
				}
				if hi&m != m {
					split(lo, (hi&^m)-1)
					split(hi&^m, hi)
					return
				}
			}
		}
		var a, b [utf8.UTFMax]byte
		utf8.EncodeRune(a[:], lo)
		utf8.EncodeRune(b[:], hi)
		seq := make([]byteRange, n)
		for i := 0; i < n; i++ {
			seq[i] = byteRange{a[i], b[i]}
		}
		out = append(out, seq)
	}
	split(lo, hi)
	return out
}
