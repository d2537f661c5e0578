package automaton

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/internal/conformance"
)

func mustRegex(t *testing.T, expr string, ci bool) *DFA {
	t.Helper()
	d, err := Regex(expr, ci)
	if err != nil {
		t.Fatalf("Regex(%q): %v", expr, err)
	}
	return d
}

func TestRegexMatch(t *testing.T) {
	tests := []struct {
		expr string
		ci   bool
		yes  []string
		no   []string
	}{
		{`abc`, false, []string{"abc"}, []string{"ab", "abcd", "ABC", ""}},
		{`abc`, true, []string{"abc", "ABC", "aBc"}, []string{"ab"}},
		{`a.c`, false, []string{"abc", "a-c", "aéc"}, []string{"ac", "abbc"}},
		{`a*`, false, []string{"", "a", "aaaa"}, []string{"b"}},
		{`a+b?`, false, []string{"a", "ab", "aaab"}, []string{"", "b", "abb"}},
		{`(ab|cd)+`, false, []string{"ab", "cdab"}, []string{"", "abc"}},
		{`[a-c]{2,3}`, false, []string{"ab", "abc"}, []string{"a", "abca", "ad"}},
		{`[^a-c]x`, false, []string{"dx", "éx"}, []string{"ax", "x"}},
		{`x{3}`, false, []string{"xxx"}, []string{"xx", "xxxx"}},
		{`x{2,}`, false, []string{"xx", "xxxxx"}, []string{"x"}},
		{`\d+\.\d+`, false, []string{"1.5", "10.25"}, []string{"1.", "a.1"}},
		{`\w+\@\w+`, false, []string{"a_1@b"}, []string{"a b@c"}},
		{`\w+@\w+`, false, []string{"a b@c", "ab"}, []string{"a"}}, // "@" is any string
		{`.*\.exe`, true, []string{"cmd.exe", "X.EXE"}, []string{"cmd.exee"}},
		{`"a.b"c`, false, []string{"a.bc"}, []string{"axbc"}},
		{`@`, false, []string{"", "anything"}, nil},
		{`#`, false, nil, []string{"", "a"}},
		// Bounds of different widths: any number of leading zeros (Lucene's
		// makeDecimalInterval with digits 0).
		{`<1-12>`, false, []string{"1", "7", "12", "01", "012"}, []string{"0", "13", "013"}},
		{`<01-12>`, false, []string{"01", "07", "12"}, []string{"1", "13", "7"}},
		{`.*a.*&.*b.*`, false, []string{"ab", "xbya"}, []string{"aa", "bb"}},
		{`~(.*cmd.*)`, false, []string{"", "powershell"}, []string{"cmd", "xcmdx"}},
		{`(.*)\\(.*)`, false, []string{`C:\x`}, []string{"C:x"}},
		{`[\-.]x`, false, []string{"-x", ".x"}, []string{"ax"}},
		// Lucene's case-insensitivity leaves ranges and non-ASCII alone.
		{`[é-ë]`, true, []string{"é", "ë"}, []string{"e", "É"}},
		{`^a$`, false, []string{"^a$"}, []string{"a"}},
		{`*a`, false, []string{"*a"}, []string{"a"}},     // a leading operator is a character
		{`a{3,1}`, false, nil, []string{"", "a", "aaa"}}, // the empty language
	}
	for _, tt := range tests {
		d := mustRegex(t, tt.expr, tt.ci)
		for _, s := range tt.yes {
			if !d.Match(s) {
				t.Errorf("Regex(%q, ci=%v) does not match %q", tt.expr, tt.ci, s)
			}
		}
		for _, s := range tt.no {
			if d.Match(s) {
				t.Errorf("Regex(%q, ci=%v) matches %q", tt.expr, tt.ci, s)
			}
		}
	}
}

func TestRegexErrors(t *testing.T) {
	for _, expr := range []string{`(`, `a)`, `[a`, `a{2`, `"abc`, `\`, `<a>`, `a{99999}`, `a|`, `(a|)`} {
		if _, err := Regex(expr, false); err == nil {
			t.Errorf("Regex(%q): expected an error", expr)
		}
	}
}

func TestWildcardAndOps(t *testing.T) {
	foo, _ := Wildcard(wildcard.Parse("*foo*", wildcard.StarAndQuestion), false)
	bar, _ := Wildcard(wildcard.Parse("*bar*", wildcard.StarAndQuestion), false)
	exe, _ := Wildcard(wildcard.Parse("*.exe", wildcard.StarAndQuestion), true)
	both, err := IntersectAll(foo, bar, exe)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"foobar.exe", "barXfoo.EXE", "xfoobarx.exe"} {
		if !both.Match(s) {
			t.Errorf("intersection should match %q", s)
		}
	}
	for _, s := range []string{"foo.exe", "foobar.dll"} {
		if both.Match(s) {
			t.Errorf("intersection should not match %q", s)
		}
	}
	notCmd := Complement(Literal("cmd.exe", true))
	d, _ := Intersect(exe, notCmd)
	if d.Match("CMD.exe") || !d.Match("a.exe") {
		t.Error("exclusion of cmd.exe (case-insensitive) is wrong")
	}
	l, _ := Length(1, 3)
	d, _ = Intersect(exe, l)
	if !d.IsEmpty() {
		t.Error("*.exe with length 1..3 should be empty")
	}
	l, _ = Length(5, 5)
	d, _ = Intersect(exe, l)
	if !d.Match("a.exe") || d.Match(".exe") {
		t.Error("*.exe with length 5")
	}
}

func TestLengthCountsCharacters(t *testing.T) {
	l, _ := Length(2, 2)
	if !l.Match("éa") || l.Match("a") || l.Match("abc") {
		t.Error("length counts characters, not bytes")
	}
	q, _ := Wildcard(wildcard.Parse("a?c", wildcard.StarAndQuestion), false)
	if !q.Match("aéc") || q.Match("ac") {
		t.Error("? is one character")
	}
}

func TestSingletonAndEmpty(t *testing.T) {
	if s, ok := Literal("abc", false).Singleton(); !ok || s != "abc" {
		t.Errorf("Singleton = %q, %v", s, ok)
	}
	if _, ok := Literal("abc", true).Singleton(); ok {
		t.Error("case-insensitive literal is not a singleton")
	}
	a, b := Literal("a", false), Literal("b", false)
	d, _ := Intersect(a, b)
	if !d.IsEmpty() {
		t.Error("a & b should be empty")
	}
	if !AnyBytes().IsUniversal() || Literal("a", false).IsUniversal() {
		t.Error("IsUniversal")
	}
}

func TestWalkAlwaysAccepted(t *testing.T) {
	exprs := []string{
		`.*\.exe`, `[a-z]{3,8}`, `(cmd|powershell)\.exe`, `.*a.*&.*b.*&.{4,9}`,
		`~(.*cmd.*)&[a-z]{1,5}`, `C:\\Windows\\.*\.dll`, `<1000-1010>`, `é+x`, `.`,
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, expr := range exprs {
		for _, ci := range []bool{false, true} {
			d := mustRegex(t, expr, ci)
			w := NewWalker(d)
			for i := 0; i < 300; i++ {
				s := string(w.Walk(r, nil, r.IntN(12)))
				if !d.Match(s) || !utf8.ValidString(s) {
					t.Fatalf("walk of %q (ci=%v) gave %q, not accepted or not UTF-8", expr, ci, s)
				}
			}
		}
	}
}

func TestWalkLooksPlausible(t *testing.T) {
	d, _ := Wildcard(wildcard.Parse("*.exe", wildcard.StarAndQuestion), false)
	w := NewWalker(d)
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 100; i++ {
		s := string(w.Walk(r, nil, 8))
		if !strings.HasSuffix(s, ".exe") || len(s) > 4+8 {
			t.Fatalf("walk gave %q", s)
		}
		for _, c := range strings.TrimSuffix(s, ".exe") {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.') {
				t.Fatalf("implausible character in %q", s)
			}
		}
	}
}

func TestMinimize(t *testing.T) {
	d := mustRegex(t, `(a|a)(b|b)(c|c)*`, false)
	m := Minimize(d)
	for _, s := range []string{"ab", "abc", "abcc"} {
		if !m.Match(s) {
			t.Errorf("minimized automaton lost %q", s)
		}
	}
	if m.Match("a") || m.States() > d.States() {
		t.Error("minimize is wrong")
	}
}

func TestOrder(t *testing.T) {
	lt := Less("m", false)
	le := Less("m", true)
	gt := Greater("m", false)
	for _, s := range []string{"", "a", "lzzz"} {
		if !lt.Match(s) || gt.Match(s) {
			t.Errorf("%q should be < m", s)
		}
	}
	if lt.Match("m") || !le.Match("m") || gt.Match("m") {
		t.Error("m itself")
	}
	for _, s := range []string{"ma", "n", "zz"} {
		if lt.Match(s) || !gt.Match(s) {
			t.Errorf("%q should be > m", s)
		}
	}
}

func TestWalkWords(t *testing.T) {
	d, err := Wildcard(wildcard.Parse(`C:\Windows\Temp\*.exe`, wildcard.EQL), false)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWalker(d)
	words := [][]byte{[]byte("update"), []byte("setup"), []byte("svchost"), []byte("\x01")}
	r := rand.New(rand.NewPCG(1, 2))
	fromWords := 0
	for i := 0; i < 200; i++ {
		s := string(w.WalkWords(r, nil, d.start, 6, words))
		if !d.Match(s) {
			t.Fatalf("%q is not accepted", s)
		}
		for _, wd := range words[:3] {
			if strings.Contains(s, string(wd)) {
				fromWords++
				break
			}
		}
	}
	// One word fills the free part; three of the four words are real, so
	// about 150 walks hold one (binomial sd about 6).
	if fromWords < 125 {
		t.Errorf("only %d of 200 walks used the dictionary", fromWords)
	}
	// No word fits: bytes as usual.
	d2, _ := Wildcard(wildcard.Parse("[0-9]", wildcard.StarAndQuestion), false)
	if s := string(NewWalker(d2).WalkWords(r, nil, d2.start, 3, words)); !d2.Match(s) {
		t.Errorf("%q", s)
	}
}

// The wildcard conformance table, read by the solver's automata.
func TestWildcardConformance(t *testing.T) {
	syntaxes := map[string]wildcard.Syntax{"star": wildcard.StarOnly, "query": wildcard.StarAndQuestion, "eql": wildcard.EQL}
	for _, l := range conformance.Read(t, "wildcard.txt") {
		head, match, reject := conformance.Lists(l.Fields)
		d, err := Wildcard(wildcard.Parse(head[0], syntaxes[head[1]]), head[2] == "ci")
		if err != nil {
			t.Fatalf("wildcard.txt:%d: %v", l.N, err)
		}
		for _, s := range match {
			if !d.Match(s) {
				t.Errorf("wildcard.txt:%d: %q (%s, %s) does not accept %q", l.N, head[0], head[1], head[2], s)
			}
		}
		for _, s := range reject {
			if d.Match(s) {
				t.Errorf("wildcard.txt:%d: %q (%s, %s) accepts %q", l.N, head[0], head[1], head[2], s)
			}
		}
	}
}

// The solver's wildcard automata and the evaluators' matcher agree on
// random patterns and strings, and on the automata's own random walks.
func TestWildcardDifferential(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	alphabet := []string{"a", "b", "A", ".", "\\", "é", "K", "σ", "Σ", "ς", "ǅ", "*", "?"}
	pick := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	for i := 0; i < 2000; i++ {
		src := pick(1 + r.IntN(6))
		for _, syn := range []wildcard.Syntax{wildcard.StarOnly, wildcard.StarAndQuestion, wildcard.EQL} {
			p := wildcard.Parse(src, syn)
			ci := r.IntN(2) == 0
			d, err := Wildcard(p, ci)
			if err != nil {
				t.Fatal(err)
			}
			var strs []string
			for k := 0; k < 10; k++ {
				strs = append(strs, strings.NewReplacer("*", "", "?", "").Replace(pick(r.IntN(8))))
			}
			if !d.IsEmpty() {
				w := NewWalker(d)
				for k := 0; k < 5; k++ {
					strs = append(strs, string(w.Walk(r, nil, r.IntN(4))))
				}
			}
			for _, s := range strs {
				if !utf8.ValidString(s) {
					continue
				}
				if d.Match(s) != p.Match(s, ci) {
					t.Fatalf("%q (syntax %d, ci %v) on %q: automaton %v, matcher %v", src, syn, ci, s, d.Match(s), p.Match(s, ci))
				}
			}
		}
	}
}

// TestLengthDFA: lengthDFA's automaton is the one of the nfa that chains
// optional characters, state for state and class for class, and the one
// the subset construction made before it was made directly
// (lengthReference); over small bounds and the rules' large ones.
func TestLengthDFA(t *testing.T) {
	bounds := [][2]int{{1001, -1}, {2000, -1}, {501, -1}, {0, 300}, {200, 260}, {299, 300}}
	for min := 0; min < 12; min++ {
		for max := -1; max < 26; max++ {
			if max >= 0 && max < min {
				continue
			}
			bounds = append(bounds, [2]int{min, max})
			var n nfa
			var fs []frag
			for i := 0; i < min; i++ {
				fs = append(fs, n.anyChar())
			}
			if max < 0 {
				fs = append(fs, n.star(n.anyChar()))
			}
			for i := min; i < max; i++ {
				fs = append(fs, n.optional(n.anyChar()))
			}
			want, err := determinize(&n, n.concat(fs...))
			if err != nil {
				t.Fatal(err)
			}
			if got, err := lengthDFA(min, max); err != nil || !sameDFA(got, want) {
				t.Errorf("lengthDFA(%d, %d) is not the automaton of optional characters (%v)", min, max, err)
			}
		}
	}
	for _, b := range bounds {
		want, err := lengthReference(b[0], b[1])
		if err != nil {
			t.Fatal(err)
		}
		if got, err := lengthDFA(b[0], b[1]); err != nil || !sameDFA(got, want) {
			t.Errorf("lengthDFA(%d, %d) is not the subset construction's automaton (%v)", b[0], b[1], err)
		}
	}
}

// lengthReference is lengthDFA by subset construction, as it was made
// before: with an upper bound, an epsilon move from each character's end
// from the min-th on to the one exit.
func lengthReference(min, max int) (*DFA, error) {
	var n nfa
	if max < 0 {
		fs := make([]frag, 0, min+1)
		for i := 0; i < min; i++ {
			fs = append(fs, n.anyChar())
		}
		fs = append(fs, n.star(n.anyChar()))
		return determinize(&n, n.concat(fs...))
	}
	in, out := n.add(), n.add()
	if min == 0 {
		n.eps(in, out)
	}
	at := in
	for i := 1; i <= max; i++ {
		c := n.anyChar()
		n.eps(at, c.in)
		if i >= min {
			n.eps(c.out, out)
		}
		at = c.out
	}
	return determinize(&n, frag{in, out})
}

// TestLengthStates: lengthStates is the number of states the subset
// construction of Length's automaton makes, so that Length fails as the
// construction would, where it would (MaxStates), without it.
func TestLengthStates(t *testing.T) {
	for min := 0; min < 12; min++ {
		for max := -1; max < 14; max++ {
			if max >= 0 && max < min {
				continue
			}
			d, err := lengthReference(min, max)
			if err != nil || d.States() != lengthStates(min, max) {
				t.Errorf("Length(%d, %d): %d states (%v), lengthStates says %d", min, max, d.States(), err, lengthStates(min, max))
			}
		}
	}
	// At the bound, both ways.
	for _, b := range [][2]int{{2630, -1}, {2631, -1}, {0, 2631}, {5, 2632}} {
		_, err := lengthReference(b[0], b[1])
		_, early := Length(b[0], b[1])
		if err != early || (lengthStates(b[0], b[1]) > MaxStates) != (err == ErrTooComplex) {
			t.Errorf("Length(%d, %d): %v, without the construction %v", b[0], b[1], err, early)
		}
	}
}
