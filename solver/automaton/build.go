package automaton

import (
	"strings"
	"unicode/utf8"

	"github.com/emit-sec/emit/es/wildcard"
)

// AnyBytes accepts every string.
func AnyBytes() *DFA {
	var n nfa
	d, _ := determinize(&n, n.anyByteStar())
	return d
}

// Empty accepts no string.
func Empty() *DFA { return &DFA{} }

// Literal accepts exactly s (with ci, in any letter case).
func Literal(s string, ci bool) *DFA {
	if d, ok := asciiLiteral(s, ci); ok {
		return d
	}
	n := newNFA(false)
	defer freeNFA(n)
	d, err := determinize(n, n.literal(s, ci))
	if err != nil {
		return &DFA{}
	}
	return d
}

// Wildcard accepts the strings the pattern matches ("*" any run of
// characters, "?" one character), with ci in any letter case.
func Wildcard(p wildcard.Pattern, ci bool) (*DFA, error) {
	if !p.HasWildcard() {
		var lit strings.Builder
		for _, e := range p {
			lit.WriteString(e.Lit)
		}
		if d, ok := asciiLiteral(lit.String(), ci); ok {
			return d, nil
		}
	}
	n := newNFA(false)
	defer freeNFA(n)
	var buf [16]frag
	fs := buf[:0]
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
	return determinize(n, n.concat(fs...))
}

// Length accepts strings of min to max characters (max < 0: no upper bound).
func Length(min, max int) (*DFA, error) {
	if min < 0 {
		min = 0
	}
	if max >= 0 && max < min {
		return &DFA{}, nil
	}
	if lengthStates(min, max) > MaxStates {
		// Known before the subset construction finds it, state after
		// state (TestLengthStates).
		return nil, ErrTooComplex
	}
	return lengthDFA(min, max)
}

// lengthStates is the number of states of Length(min, max) (max < 0: no
// upper bound, max >= min otherwise): every character is a state and the
// 18 of the UTF-8 sequences in it; the states of a character more loop
// back without an upper bound.
func lengthStates(min, max int) int {
	if min > MaxStates || max > MaxStates {
		return MaxStates + 1
	}
	if max < 0 {
		return 19*min + 20
	}
	return 19*max + 1
}

// lengthDFA is Length's automaton (min <= max, or max < 0), made
// directly: the automaton the subset construction makes of characters
// one after the other (optional from the min-th on, with an upper bound;
// any number more after min, without), state for state and class for
// class (TestLengthDFA, against that construction). Each character is a
// block: the state before it and one state per byte still to come of each
// UTF-8 sequence of a character (anyCharSequences, as runeRanges chains
// them), leading to the state before the next character. The states
// before characters are distinct sets of the nfa's states, each the end of
// one character; without an upper bound, the state after the min-th
// character and the one after any later character are two sets that
// share one block. Built in block order, the automaton is numbered and
// its classes merged as the construction does: breadth first, classes
// in the order of their least byte (trim).
func lengthDFA(min, max int) (*DFA, error) {
	seqs := anyCharSequences()
	var bound [257]bool
	bound[0], bound[256] = true, true
	inter := 0 // the states inside a character
	for _, seq := range seqs {
		for _, br := range seq {
			bound[br.lo], bound[int(br.hi)+1] = true, true
		}
		inter += len(seq) - 1
	}
	d := &DFA{}
	d.setClasses(&bound)
	nc := d.nclass
	per := 1 + inter
	blocks, n := max, max*per+1
	if max < 0 {
		blocks, n = min, min*per+2+inter
	}
	d.trans = make([]int32, n*nc)
	for i := range d.trans {
		d.trans[i] = -1
	}
	d.accept = make([]bool, n)
	// block adds the moves of a character from state start through the
	// states from x on to state end.
	block := func(start, x, end int32) {
		for _, seq := range seqs {
			cur := start
			for i, br := range seq {
				next := end
				if i < len(seq)-1 {
					next = x
					x++
				}
				for c := d.classOf[br.lo]; c <= d.classOf[br.hi]; c++ {
					d.trans[int(cur)*nc+int(c)] = next
				}
				cur = next
			}
		}
	}
	for k := 0; k < blocks; k++ {
		start := int32(k * per)
		block(start, start+1, start+int32(per))
		d.accept[start] = max >= 0 && k >= min
	}
	if max >= 0 {
		d.accept[n-1] = true
	} else {
		// After the min-th character, and after any later one.
		after, again := int32(min*per), int32(min*per+1)
		block(after, again+1, again)
		block(again, again+1, again)
		d.accept[after], d.accept[again] = true, true
	}
	return d.trim(), nil
}

// IntersectAll intersects the automata in order, stopping early when the
// result becomes empty.
func IntersectAll(ds ...*DFA) (*DFA, error) {
	if len(ds) == 0 {
		return AnyBytes(), nil
	}
	acc := ds[0]
	for _, d := range ds[1:] {
		var err error
		if acc, err = Intersect(acc, d); err != nil {
			return nil, err
		}
		if acc.IsEmpty() {
			return acc, nil
		}
	}
	return acc, nil
}

// asciiLiteral is the automaton of an ASCII literal (with ci, in any
// letter case), made directly: the automaton determinize makes of the
// literal's nfa, state for state and class for class (one state per
// character, in order; bytes in one class when the same characters take
// them, numbered by their least byte, as compactClasses leaves them),
// without the subset construction. ok is false for a string that is not
// ASCII.
func asciiLiteral(s string, ci bool) (*DFA, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return nil, false
		}
	}
	// The bytes each character accepts: itself and, with ci, its other
	// case (wildcard.AltCase keeps ASCII in ASCII).
	alt := func(c byte) byte {
		if !ci {
			return c
		}
		return byte(wildcard.AltCase(rune(c)))
	}
	// A byte's column lists the characters that take it: the bytes of one
	// character (both its cases) have one, the bytes of none another.
	var key [256]int16 // the least byte taken with b (by the same characters), -1 for none
	for b := range key {
		key[b] = -1
	}
	for i := 0; i < len(s); i++ {
		c, a := s[i], alt(s[i])
		key[c], key[a] = int16(min(c, a)), int16(min(c, a))
	}
	d := &DFA{}
	var classOfKey [256]int16 // class+1 of each key byte
	none := -1                // the class of the bytes no character takes
	for b := 0; b < 256; b++ {
		k := key[b]
		switch {
		case k < 0 && none < 0:
			none = d.nclass
			d.nclass++
		case k >= 0 && classOfKey[k] == 0:
			d.nclass++
			classOfKey[k] = int16(d.nclass)
		}
		if k < 0 {
			d.classOf[b] = uint8(none)
		} else {
			d.classOf[b] = uint8(classOfKey[k] - 1)
		}
	}
	n := len(s) + 1
	nc := d.nclass
	d.trans = make([]int32, n*nc)
	for i := range d.trans {
		d.trans[i] = -1
	}
	d.accept = make([]bool, n)
	d.accept[n-1] = true
	for i := 0; i < len(s); i++ {
		d.trans[i*nc+int(d.classOf[s[i]])] = int32(i + 1)
	}
	return d, true
}
