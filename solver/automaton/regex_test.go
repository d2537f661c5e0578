package automaton_test

import (
	"errors"
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"github.com/emit-sec/emit/es/regexp"
	"github.com/emit-sec/emit/es/regexp/regexptest"
	"github.com/emit-sec/emit/internal/esvalue"
	"github.com/emit-sec/emit/solver/automaton"
)

// compile is what the solver does with a pattern: Regex for the default
// flags (every operator on), the tree otherwise.
func compile(src string, flags regexp.Flags) (*automaton.DFA, error) {
	if flags&regexp.All == regexp.All {
		return automaton.Regex(src, flags&regexp.CaseInsensitive != 0)
	}
	re, err := regexp.Parse(src, flags)
	if err != nil {
		return nil, err
	}
	return automaton.FromRegexp(re)
}

// TestRegexConformance runs the whole conformance table through the
// solver's automata, and checks that random walks of each automaton give
// strings it accepts.
func TestRegexConformance(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, c := range regexptest.Cases(t) {
		d, err := compile(c.Pattern, c.Flags)
		if c.Err {
			var pe *regexp.Error
			if !errors.As(err, &pe) {
				t.Errorf("%v: %v, want the parse error %q", c, err, c.ErrMsg)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", c, err)
			continue
		}
		for _, s := range c.Match {
			if !d.Match(s) {
				t.Errorf("%v does not match %q", c, s)
			}
		}
		for _, s := range c.NoMatch {
			if d.Match(s) {
				t.Errorf("%v matches %q", c, s)
			}
		}
		if d.IsEmpty() {
			continue
		}
		w := automaton.NewWalker(d)
		for i := 0; i < 20; i++ {
			if s := string(w.Walk(r, nil, r.IntN(8))); !d.Match(s) {
				t.Errorf("%v: walk gave %q, which it does not match", c, s)
			}
		}
	}
}

// TestRegexDifferential compares the solver's automata with the
// evaluators' matcher (internal/esvalue) on random patterns: both read the
// same syntax tree, but compute independently, so they must agree on
// every string, random or drawn from the automaton's walks, and on which
// patterns are invalid.
func TestRegexDifferential(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	const patterns = 3000
	var valid, tooComplex, strs int
	for i := 0; i < patterns; i++ {
		src := regexptest.Pattern(r)
		flags := regexp.All
		switch r.IntN(6) {
		case 0, 1:
			flags |= regexp.CaseInsensitive
		case 2:
			flags = regexp.Flags(r.IntN(0x40))
			if r.IntN(2) == 0 {
				flags |= regexp.CaseInsensitive
			}
		}
		d, errS := compile(src, flags)
		m, errE := esvalue.ParseRegexp(src, flags)
		if errors.Is(errS, automaton.ErrTooComplex) {
			tooComplex++
			continue
		}
		if (errS == nil) != (errE == nil) {
			t.Errorf("%#q (%s, %#x): solver error %v, evaluator error %v", src, flags, uint32(flags), errS, errE)
			continue
		}
		if errS != nil {
			var ps, pe *regexp.Error
			if !errors.As(errS, &ps) || !errors.As(errE, &pe) || *ps != *pe {
				t.Errorf("%#q: solver error %v, evaluator error %v", src, errS, errE)
			}
			continue
		}
		valid++
		var ss []string
		for k := 0; k < 30; k++ {
			ss = append(ss, regexptest.String(r, 8))
		}
		if !d.IsEmpty() {
			w := automaton.NewWalker(d)
			for k := 0; k < 15; k++ {
				s := string(w.Walk(r, nil, r.IntN(6)))
				ss = append(ss, s, regexptest.Mutate(r, s))
			}
		}
		for _, s := range ss {
			if !utf8.ValidString(s) {
				continue // a walk may cut a character: the evaluator sees only valid text
			}
			strs++
			if got, want := d.Match(s), m.Match(s); got != want {
				re, _ := regexp.Parse(src, flags)
				t.Errorf("%#q (%s, ci %v, canonical %#q) on %q: solver %v, evaluator %v",
					src, flags, flags&regexp.CaseInsensitive != 0, re.String(), s, got, want)
				break
			}
		}
	}
	t.Logf("%d patterns: %d valid, %d too complex for the solver; %d strings compared", patterns, valid, tooComplex, strs)
	if valid < patterns/2 {
		t.Errorf("only %d valid patterns", valid)
	}
}

func BenchmarkRegexCompile(b *testing.B) {
	srcs := []string{`.*\.exe`, `[a-z]{8}\.exe`, `.*(curl|wget) http://[0-9.]+/.*`,
		`.*[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}.*`, `~(.*cmd.*)&[a-z]{1,12}`}
	for i := 0; i < b.N; i++ {
		for _, s := range srcs {
			if _, err := automaton.Regex(s, false); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkRegexCompileInterval(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := automaton.Regex(`<1-65535>`, false); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzRegexDifferential checks that the solver's automaton and the
// evaluators' matcher agree on any pattern and input.
func FuzzRegexDifferential(f *testing.F) {
	for _, s := range []struct{ re, in string }{
		{"ab+c", "abbc"}, {"~(a.*)&.{2,3}", "bcd"}, {"<1-20>x", "07x"}, {`[^\d\s]"x|y"`, "ax|y"},
		{"(a|b){2,}@#", "ab"}, {"~é*", "é"}, {"((a|b)*)*c", "abac"}, {"<007-10>", "0010"},
	} {
		f.Add(s.re, s.in, true)
		f.Add(s.re, s.in, false)
	}
	f.Fuzz(func(t *testing.T, src, in string, ci bool) {
		if len(src) > 100 || len(in) > 100 || !utf8.ValidString(in) {
			return
		}
		flags := regexp.All
		if ci {
			flags |= regexp.CaseInsensitive
		}
		re, err := regexp.Parse(src, flags)
		if err != nil {
			return
		}
		d, err := automaton.FromRegexp(re)
		if err != nil {
			return // too complex for the solver
		}
		if got, want := d.Match(in), esvalue.NewRegexp(re).Match(in); got != want {
			t.Fatalf("%q (ci %v) on %q: solver %v, evaluator %v", src, ci, in, got, want)
		}
	})
}
