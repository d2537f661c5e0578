package automaton

import "sync"

// Less accepts the strings that sort before v byte-wise (with orEqual, v
// too): the proper prefixes of v and the strings that first differ from v
// with a smaller byte.
func Less(v string, orEqual bool) *DFA {
	var n nfa
	var alts []frag
	for i := 0; i < len(v); i++ {
		// proper prefix v[:i]
		alts = append(alts, n.literal(v[:i], false))
		if v[i] > 0 {
			alts = append(alts, n.concat(n.literal(v[:i], false), n.bytes(0, v[i]-1), n.anyByteStar()))
		}
	}
	if orEqual {
		alts = append(alts, n.literal(v, false))
	}
	d, err := determinize(&n, n.union(alts...))
	if err != nil {
		return &DFA{}
	}
	return validOnly(d)
}

// validOnly keeps the strings of d that are valid UTF-8: byte order
// automata would otherwise accept a lead byte cut from its character.
func validOnly(d *DFA) *DFA {
	v, err := Intersect(d, ValidUTF8())
	if err != nil {
		return d
	}
	return v
}

// ValidUTF8 accepts the valid UTF-8 strings.
func ValidUTF8() *DFA { return validUTF8() }

var validUTF8 = sync.OnceValue(func() *DFA {
	var n nfa
	d, _ := determinize(&n, n.star(n.anyChar()))
	return d
})

// Greater accepts the strings that sort after v byte-wise (with orEqual, v too).
func Greater(v string, orEqual bool) *DFA {
	return validOnly(Complement(Less(v, !orEqual)))
}
