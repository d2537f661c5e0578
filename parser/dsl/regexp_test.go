package dsl

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/emit-sec/emit/solver/automaton"
)

func TestRegexMatch(t *testing.T) {
	tests := []struct {
		re    string
		flags int
		ci    bool
		in    string
		want  bool
	}{
		{"abc", flagsAll, false, "abc", true},
		{"abc", flagsAll, false, "abcd", false},
		{"", flagsAll, false, "", true},
		{"", flagsAll, false, "a", false},
		{"a.c", flagsAll, false, "aXc", true},
		{"a.c", flagsAll, false, "a€c", true},
		{"a.c", flagsAll, false, "ac", false},
		{"ab*", flagsAll, false, "a", true},
		{"ab*", flagsAll, false, "abbb", true},
		{"ab+", flagsAll, false, "a", false},
		{"ab?c", flagsAll, false, "ac", true},
		{"(ab)+", flagsAll, false, "ababab", true},
		{"(ab)+", flagsAll, false, "ababa", false},
		{"a{2}", flagsAll, false, "aa", true},
		{"a{2}", flagsAll, false, "aaa", false},
		{"a{2,}", flagsAll, false, "aaaaa", true},
		{"a{2,3}", flagsAll, false, "aaaa", false},
		{"a{0}", flagsAll, false, "", true},
		{"a{3,2}", flagsAll, false, "aa", false},
		{"a{3,2}", flagsAll, false, "", false},
		{"(a?){5}b", flagsAll, false, "aab", true},
		{"(a|())*b", flagsAll, false, "aaab", true},
		{"|a", flagsAll, false, "|a", true}, // a leading "|" is a character
		{"(|)", flagsAll, false, "|", true},
		{"&a", flagsAll, false, "&a", true},
		{"cat|dog", flagsAll, false, "dog", true},
		{"cat|dog", flagsAll, false, "cow", false},
		{"[a-c]+", flagsAll, false, "abcab", true},
		{"[a-c]+", flagsAll, false, "abd", false},
		{"[^a-c]", flagsAll, false, "d", true},
		{"[^a-c]", flagsAll, false, "b", false},
		{"[]a]", flagsAll, false, "]", true},
		{`[]\-]`, flagsAll, false, "-", true},
		{`\d+`, flagsAll, false, "123", true},
		{`\D`, flagsAll, false, "1", false},
		{`\s`, flagsAll, false, "\t", true},
		{`\s`, flagsAll, false, "\f", false},
		{`\w+`, flagsAll, false, "ab_9", true},
		{`\W`, flagsAll, false, "-", true},
		{`[\d.]+`, flagsAll, false, "1.2", true},
		{`\.`, flagsAll, false, ".", true},
		{`\.`, flagsAll, false, "x", false},
		{`\\`, flagsAll, false, `\`, true},
		{`C:\\Windows`, flagsAll, false, `C:\Windows`, true},
		{`"a.b"`, flagsAll, false, "a.b", true},
		{`"a.b"`, flagsAll, false, "axb", false},
		{`"a\b"`, flagsAll, false, `a\b`, true},
		{"()", flagsAll, false, "", true},
		{"a()b", flagsAll, false, "ab", true},
		{"*a", flagsAll, false, "*a", true}, // a leading operator is a literal in Lucene
		{"^a$", flagsAll, false, "^a$", true},
		// optional operators
		{"@", flagsAll, false, "anything", true},
		{"a@", flagsAll, false, "a", true},
		{"#", flagsAll, false, "", false},
		{"a|#", flagsAll, false, "a", true},
		{"~a", flagsAll, false, "b", true},
		{"~a", flagsAll, false, "a", false},
		{"~a", flagsAll, false, "", true},
		{"~(a.*)", flagsAll, false, "ba", true},
		{"~(a.*)", flagsAll, false, "ab", false},
		{"~a*", flagsAll, false, "aa", true}, // (~a)*: "a" then "a"? no: "aa" is one ~a
		{".*a.*&.*b.*", flagsAll, false, "xbxa", true},
		{".*a.*&.*b.*", flagsAll, false, "xxa", false},
		{"<1-10>", flagsAll, false, "7", true},
		{"<1-10>", flagsAll, false, "007", true},
		{"<1-10>", flagsAll, false, "11", false},
		{"<01-10>", flagsAll, false, "7", false},
		{"<01-10>", flagsAll, false, "07", true},
		{"<10-1>", flagsAll, false, "5", true},
		{"<0-0>", flagsAll, false, "0", true},
		{"x<5-7>y", flagsAll, false, "x6y", true},
		// with operators switched off they are ordinary characters
		{"a&b", 0, false, "a&b", true},
		{"~a", 0, false, "~a", true},
		{"@", 0, false, "@", true},
		{"#", 0, false, "#", true},
		{"<1-2>", 0, false, "<1-2>", true},
		{"a&b", flagComplement, false, "a&b", true},
		{"~a", flagIntersection, false, "~a", true},
		// case-insensitive: ASCII characters and strings, not ranges
		{"abc", flagsAll, true, "AbC", true},
		{`"abc"`, flagsAll, true, "ABC", true},
		{"[a]", flagsAll, true, "A", true},
		{"[a-c]", flagsAll, true, "B", false},
		{"é", flagsAll, true, "É", false},
		{"k", flagsAll, true, "\u212a", false},
		{"[^a]", flagsAll, true, "A", false},
	}
	for _, tt := range tests {
		re, err := compileRegex(tt.re, tt.flags, tt.ci)
		if err != nil {
			t.Errorf("compile %q (flags %#x): %v", tt.re, tt.flags, err)
			continue
		}
		if got := re.Match(tt.in); got != tt.want {
			t.Errorf("%q (flags %#x, ci %v) on %q = %v, want %v", tt.re, tt.flags, tt.ci, tt.in, got, tt.want)
		}
	}
}

func TestRegexErrors(t *testing.T) {
	for _, re := range []string{
		"(", "(a", "a)", "[a", "[", "[]", "a{", "a{x}", "a{2", "a{99999999999}", `\`, `a\`,
		`\n`, `\q`, `[\x]`, "[b-a]", "[a-]", `"abc`, "<1-2", "<abc>", "<1-2-3>", "<-1>", "<1->",
		"<a-b>", "a|", "a&", "~", "(a|)*b", "[]-]",
	} {
		if _, err := compileRegex(re, flagsAll, false); err == nil {
			t.Errorf("%q: no error", re)
		}
	}
	if _, err := compileRegex("a\xffb", flagsAll, false); err == nil {
		t.Error("invalid UTF-8: no error")
	}
	deep := strings.Repeat("(", 1000) + "a" + strings.Repeat(")", 1000)
	if _, err := compileRegex(deep, flagsAll, false); err == nil {
		t.Error("deep nesting: no error")
	}
}

func TestRegexFlags(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", flagsAll}, {"ALL", flagsAll}, {"NONE", 0}, {"complement|intersection", flagComplement | flagIntersection},
		{"EMPTY||ANYSTRING|", flagEmpty | flagAnyString}, {"INTERVAL", flagInterval},
		// Elasticsearch's RegexpFlag.resolveValue returns at ALL without
		// reading further.
		{"ALL|LOOKAHEAD", flagsAll},
	}
	for _, tt := range tests {
		got, err := regexFlags(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("regexFlags(%q) = %#x, %v; want %#x", tt.in, got, err, tt.want)
		}
	}
	// Unknown names are errors; names are not trimmed.
	for _, in := range []string{"LOOKAHEAD|ALL", " EMPTY | ANYSTRING "} {
		if _, err := regexFlags(in); err == nil {
			t.Errorf("regexFlags(%q): no error", in)
		}
	}
}

// TestRegexLong checks that long inputs and large counts stay cheap.
func TestRegexLong(t *testing.T) {
	in := strings.Repeat("ab", 2000) + "c"
	for _, tt := range []struct {
		re   string
		want bool
	}{
		{".*c", true}, {"(ab)*c", true}, {"(ab){2000}c", true}, {"(ab){1999}c", false},
		{"(a|b)*", false}, {"~(.*d.*)", true}, {"(.*b.*)&(.*c)", true}, {"(a*)*b*c", false},
		{"((ab){10000})*c", false}, {"(a?){10000}(ab)*c", true},
	} {
		re, err := compileRegex(tt.re, flagsAll, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := re.Match(in); got != tt.want {
			t.Errorf("%q on a %d-character input = %v, want %v", tt.re, len(in), got, tt.want)
		}
	}
}

// TestRegexCanonical checks that the rendering handed to the solver reads
// the same language, with every operator on and case-sensitively.
func TestRegexCanonical(t *testing.T) {
	cases := []struct {
		re    string
		flags int
		ci    bool
	}{
		{"abc", flagsAll, false}, {"a.c*", flagsAll, false}, {"(ab|c)+d?", flagsAll, false},
		{"~(a.*)&.{2,3}", flagsAll, false}, {"~a*", flagsAll, false}, {"~(a*)", flagsAll, false},
		{"<1-12>x<05-10>", flagsAll, false}, {"a&b~c<1-2>@#", 0, false}, {`"a|b"c`, flagsAll, false},
		{"[^a-c\\d]x[]\\-]", flagsAll, false}, {"ab[c-e]\"fg\"", flagsAll, true}, {"()a()", flagsAll, false},
		{"(a|())*b{0}c{2,}", flagsAll, false}, {"@|#", flagsAll, false}, {"a{3,2}", flagsAll, false},
		{"x(y)", flagsAll, true}, {"(a)(b)*", flagsAll, true}, {"*a{1}", 0, false},
	}
	alphabet := []rune("abcdefgxyABC-]|&~<>@#\"12059 ")
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range cases {
		orig, err := compileRegex(c.re, c.flags, c.ci)
		if err != nil {
			t.Errorf("%q: %v", c.re, err)
			continue
		}
		canon := orig.root.canonical()
		back, err := compileRegex(canon, flagsAll, false)
		if err != nil {
			t.Errorf("%q: canonical %q does not parse: %v", c.re, canon, err)
			continue
		}
		for i := 0; i < 3000; i++ {
			n := r.IntN(7)
			var b strings.Builder
			for j := 0; j < n; j++ {
				b.WriteRune(alphabet[r.IntN(len(alphabet))])
			}
			s := b.String()
			if orig.Match(s) != back.Match(s) {
				t.Errorf("%q (flags %#x, ci %v) and its canonical form %q disagree on %q", c.re, c.flags, c.ci, canon, s)
				break
			}
		}
	}
}

// TestRegexAgainstSolver compares the evaluator's matcher with the
// solver's automata on expressions both read the same way: two independent
// implementations of Lucene's syntax.
func TestRegexAgainstSolver(t *testing.T) {
	exprs := []string{
		"abc", "a.c", "ab*c", "(ab|cd)+", "[a-c]x?", "[^ab]+", `\d{2,3}`, `\w+\.\w+`,
		"~(a.*)", "(.*a.*)&(.*b.*)", "a{2,4}", `"a.b"c`, "@b", "a|#", "(a|b)*c(a|b)",
		"~(.*ab.*)&.{3}", `[\s\d]`, "a+b+|c",
	}
	alphabet := []rune("abcdx.019 \t")
	r := rand.New(rand.NewPCG(3, 4))
	for _, expr := range exprs {
		mine, err := compileRegex(expr, flagsAll, false)
		if err != nil {
			t.Errorf("%q: %v", expr, err)
			continue
		}
		dfa, err := automaton.Regex(expr, false)
		if err != nil {
			t.Errorf("%q: solver: %v", expr, err)
			continue
		}
		for i := 0; i < 3000; i++ {
			n := r.IntN(6)
			var b strings.Builder
			for j := 0; j < n; j++ {
				b.WriteRune(alphabet[r.IntN(len(alphabet))])
			}
			s := b.String()
			if mine.Match(s) != dfa.Match(s) {
				t.Errorf("%q on %q: evaluator %v, solver %v", expr, s, mine.Match(s), dfa.Match(s))
				break
			}
		}
	}
}
