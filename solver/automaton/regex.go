package automaton

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/emit-sec/emit/es/regexp"
)

// RegexError is a syntax error in a Lucene regular expression.
type RegexError struct {
	Expr   string
	Offset int // byte offset in Expr
	Msg    string
	err    *regexp.Error
}

func (e *RegexError) Error() string {
	return fmt.Sprintf("regex %q at offset %d: %s", e.Expr, e.Offset, e.Msg)
}

// Unwrap returns the parser's error.
func (e *RegexError) Unwrap() error { return e.err }

// Regex compiles a Lucene regular expression (the syntax of Elasticsearch's
// regexp query and EQL's regex, read by package es/regexp with every
// optional operator on), anchored at both ends, into a DFA. With ci it
// matches as Elasticsearch's case_insensitive does (ASCII letters, not
// ranges: regexp.CaseInsensitive).
func Regex(expr string, ci bool) (*DFA, error) { return compileRegex(expr, ci, false) }

// MinimalRegex is Regex's automaton minimized, and the automata of its
// intersections, complements and counted repetitions minimized as they are
// built: a subset construction keeps apart states no string tells apart
// (".*(a|b|c).*" goes on following partial matches after one has matched:
// 11k states where 2k do), which every automaton built from them then
// carries. The language is Regex's; the states, and so the walks of a
// Walker, are not.
func MinimalRegex(expr string, ci bool) (*DFA, error) { return compileRegex(expr, ci, true) }

func compileRegex(expr string, ci, minimal bool) (*DFA, error) {
	flags := regexp.All
	if ci {
		flags |= regexp.CaseInsensitive
	}
	re, err := regexp.Parse(expr, flags)
	if err != nil {
		var pe *regexp.Error
		if errors.As(err, &pe) {
			return nil, &RegexError{Expr: expr, Offset: pe.Offset, Msg: pe.Msg, err: pe}
		}
		return nil, err
	}
	return nodeDFA(re.Root, minimal)
}

// FromRegexp compiles a parsed regular expression into a DFA.
func FromRegexp(re *regexp.Regexp) (*DFA, error) { return nodeDFA(re.Root, false) }

// nodeDFA builds the DFA of one subtree in an automaton of its own, so
// that determinizing it looks at its states only; with minimal, the DFA
// and those of its parts are minimized (MinimalRegex).
func nodeDFA(x *regexp.Node, minimal bool) (*DFA, error) {
	n := newNFA(minimal)
	defer freeNFA(n)
	f, err := n.regex(x)
	if err != nil {
		return nil, err
	}
	d, err := determinize(n, f)
	if err != nil || !minimal {
		return d, err
	}
	return Minimize(d), nil
}

// regex adds the fragment of subtree x. Intersection and complement work
// on DFAs of their operands, embedded back into the nfa.
func (n *nfa) regex(x *regexp.Node) (frag, error) {
	switch x.Kind {
	case regexp.KindLiteral:
		return n.literal(x.Text, false), nil
	case regexp.KindChar:
		rs := make([]runeRange, len(x.Ranges))
		for i, r := range x.Ranges {
			rs[i] = runeRange{r.Lo, r.Hi}
		}
		return n.runeRanges(rs), nil
	case regexp.KindNothing:
		return n.nothing(), nil
	case regexp.KindAnyString:
		return n.anyByteStar(), nil
	case regexp.KindConcat, regexp.KindUnion:
		fs := make([]frag, len(x.Subs))
		for i, s := range x.Subs {
			f, err := n.regex(s)
			if err != nil {
				return frag{}, err
			}
			fs[i] = f
		}
		if x.Kind == regexp.KindConcat {
			return n.concat(fs...), nil
		}
		return n.union(fs...), nil
	case regexp.KindIntersection:
		var acc *DFA
		for _, s := range x.Subs {
			d, err := nodeDFA(s, n.minimal)
			if err != nil {
				return frag{}, err
			}
			if acc == nil {
				acc = d
			} else if acc, err = Intersect(acc, d); err != nil {
				return frag{}, err
			}
			if acc.IsEmpty() {
				break
			}
		}
		return n.fromDFA(acc), nil
	case regexp.KindComplement:
		// The complement of the valid strings: a byte-wise complement
		// would hold pieces of characters, which repetition and
		// concatenation could join into characters the operand matches.
		d, err := nodeDFA(x.Subs[0], n.minimal)
		if err != nil {
			return frag{}, err
		}
		if d, err = Intersect(Complement(d), ValidUTF8()); err != nil {
			return frag{}, err
		}
		return n.fromDFA(d), nil
	case regexp.KindRepeat:
		return n.repeat(x)
	case regexp.KindInterval:
		return n.decimalInterval(x.Min, x.Max, x.Digits), nil
	}
	return frag{}, fmt.Errorf("automaton: unknown regexp node kind %v", x.Kind)
}

// repeat adds x.Subs[0] repeated x.Min to x.Max times.
func (n *nfa) repeat(x *regexp.Node) (frag, error) {
	min, max := x.Min, x.Max
	switch {
	case max >= 0 && min > max:
		return n.nothing(), nil // Lucene's Operations.repeat
	case min == 0 && max < 0, min == 1 && max < 0, min == 0 && max == 1:
		f, err := n.regex(x.Subs[0])
		if err != nil {
			return frag{}, err
		}
		switch {
		case max == 1:
			return n.optional(f), nil
		case min == 0:
			return n.star(f), nil
		}
		return n.plus(f), nil
	}
	// Counted: copies of the operand's DFA (nfa fragments cannot be
	// cloned), bounded before they are built.
	d, err := nodeDFA(x.Subs[0], n.minimal)
	if err != nil {
		return frag{}, err
	}
	copies := max
	if max < 0 {
		copies = min + 1
	}
	if copies*(d.States()+1) > 4*MaxStates {
		return frag{}, ErrTooComplex
	}
	var fs []frag
	for i := 0; i < min; i++ {
		fs = append(fs, n.fromDFA(d))
	}
	if max < 0 {
		fs = append(fs, n.star(n.fromDFA(d)))
	} else {
		for i := min; i < max; i++ {
			fs = append(fs, n.optional(n.fromDFA(d)))
		}
	}
	return n.concat(fs...), nil
}

// decimalInterval adds the decimal numbers min to max (ASCII digits): with
// exactly digits digits when digits > 0, else with any number of leading
// zeros. It is Lucene's Automata.makeDecimalInterval: both bounds padded
// with zeros to one width, then digit by digit the strings between them
// (between, atLeast, atMost, anyOfRightLength); without a fixed width, a
// start state that loops on "0" and jumps to every state reached through
// leading zeros only.
func (n *nfa) decimalInterval(min, max, digits int) frag {
	x, y := strconv.Itoa(min), strconv.Itoa(max)
	d := digits
	if d <= 0 {
		d = len(y)
	}
	for len(x) < d {
		x = "0" + x
	}
	for len(y) < d {
		y = "0" + y
	}
	out := n.add()
	var initials []int32
	// anyOfRightLength(k): any len(x)-k digits. Memoized: its states are
	// the same whoever asks.
	anyLen := make([]int32, len(x)+1)
	for k := range anyLen {
		anyLen[k] = -1
	}
	var anyOfRightLength func(k int) int32
	anyOfRightLength = func(k int) int32 {
		if k == len(x) {
			return out
		}
		if anyLen[k] < 0 {
			s := n.add()
			n.move(s, '0', '9', anyOfRightLength(k+1))
			anyLen[k] = s
		}
		return anyLen[k]
	}
	var atLeast func(k int, zeros bool) int32
	atLeast = func(k int, zeros bool) int32 {
		if k == len(x) {
			return out
		}
		s := n.add()
		if zeros {
			initials = append(initials, s)
		}
		c := x[k]
		n.move(s, c, c, atLeast(k+1, zeros && c == '0'))
		if c < '9' {
			n.move(s, c+1, '9', anyOfRightLength(k+1))
		}
		return s
	}
	var atMost func(k int) int32
	atMost = func(k int) int32 {
		if k == len(y) {
			return out
		}
		s := n.add()
		c := y[k]
		n.move(s, c, c, atMost(k+1))
		if c > '0' {
			n.move(s, '0', c-1, anyOfRightLength(k+1))
		}
		return s
	}
	var between func(k int, zeros bool) int32
	between = func(k int, zeros bool) int32 {
		if k == len(x) {
			return out
		}
		s := n.add()
		if zeros {
			initials = append(initials, s)
		}
		cx, cy := x[k], y[k]
		if cx == cy {
			n.move(s, cx, cx, between(k+1, zeros && cx == '0'))
			return s
		}
		n.move(s, cx, cx, atLeast(k+1, zeros && cx == '0'))
		n.move(s, cy, cy, atMost(k+1))
		if cx+1 < cy {
			n.move(s, cx+1, cy-1, anyOfRightLength(k+1))
		}
		return s
	}
	root := between(0, digits <= 0)
	if digits > 0 {
		return frag{root, out}
	}
	start := n.add()
	n.move(start, '0', '0', start)
	for _, s := range initials {
		n.eps(start, s)
	}
	return frag{start, out}
}
