package automaton

import "github.com/emit-sec/emit/es/wildcard"

// WildcardReference is Wildcard as it was before determinizeBits: the
// pattern's nfa (literals, "*" and "?" glued by epsilon moves) determinized
// with its sets as sorted lists, the reference the faster construction is
// held to.
func WildcardReference(p wildcard.Pattern, ci bool) (*DFA, error) {
	if !p.HasWildcard() {
		var lit string
		for _, e := range p {
			lit += e.Lit
		}
		if d, ok := asciiLiteral(lit, ci); ok {
			return d, nil
		}
	}
	var n nfa
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
	return determinizeLists(&n, n.concat(fs...))
}

// SameDFA reports whether a and b are the same automaton, state for state
// and class for class.
func SameDFA(a, b *DFA) bool { return sameDFA(a, b) }
