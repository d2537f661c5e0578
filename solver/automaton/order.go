package automaton

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
	return d
}

// Greater accepts the strings that sort after v byte-wise (with orEqual, v too).
func Greater(v string, orEqual bool) *DFA {
	return Complement(Less(v, !orEqual))
}
