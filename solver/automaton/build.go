package automaton

import "github.com/emit-sec/emit/es/wildcard"

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
	var n nfa
	d, err := determinize(&n, n.literal(s, ci))
	if err != nil {
		return &DFA{}
	}
	return d
}

// Wildcard accepts the strings the pattern matches ("*" any run of
// characters, "?" one character), with ci in any letter case.
func Wildcard(p wildcard.Pattern, ci bool) (*DFA, error) {
	// Room for the states: two per byte of a literal (more for a
	// character of several bytes), a dozen for "?".
	est := 1
	for _, e := range p {
		est += 2*len(e.Lit) + 12
	}
	n := nfa{states: make([]nstate, 0, est)}
	fs := make([]frag, 0, len(p))
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
	return determinize(&n, n.concat(fs...))
}

// Length accepts strings of min to max characters (max < 0: no upper bound).
func Length(min, max int) (*DFA, error) {
	if min < 0 {
		min = 0
	}
	if max >= 0 && max < min {
		return &DFA{}, nil
	}
	if min > MaxStates || max > MaxStates {
		return nil, ErrTooComplex
	}
	var n nfa
	var fs []frag
	for i := 0; i < min; i++ {
		fs = append(fs, n.anyChar())
	}
	if max < 0 {
		fs = append(fs, n.star(n.anyChar()))
	} else {
		for i := min; i < max; i++ {
			fs = append(fs, n.optional(n.anyChar()))
		}
	}
	return determinize(&n, n.concat(fs...))
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
