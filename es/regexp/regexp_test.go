package regexp_test

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/emit-sec/emit/es/regexp"
	"github.com/emit-sec/emit/es/regexp/regexptest"
)

// roundTrip checks that re's canonical form reparses (with every operator
// on, case-sensitively) to an equal tree that prints the same.
func roundTrip(t *testing.T, what string, re *regexp.Regexp) {
	t.Helper()
	s := re.String()
	back, err := regexp.Parse(s, regexp.All)
	if err != nil {
		t.Errorf("%s: canonical form %#q does not parse: %v", what, s, err)
		return
	}
	if !reflect.DeepEqual(back.Root, re.Root) {
		t.Errorf("%s: canonical form %#q reparses to a different tree", what, s)
	}
	if back.String() != s {
		t.Errorf("%s: canonical form %#q prints back as %#q", what, s, back.String())
	}
}

// TestConformanceParse checks the table's parse errors (offset and
// message) and that every valid pattern round-trips.
func TestConformanceParse(t *testing.T) {
	cases := regexptest.Cases(t)
	if len(cases) < 150 {
		t.Errorf("only %d conformance cases", len(cases))
	}
	for _, c := range cases {
		re, err := regexp.Parse(c.Pattern, c.Flags)
		if c.Err {
			var pe *regexp.Error
			switch {
			case err == nil:
				t.Errorf("%v: parses, want an error %q at %d", c, c.ErrMsg, c.ErrOffset)
			case !errors.As(err, &pe):
				t.Errorf("%v: error %v is not a *regexp.Error", c, err)
			case pe.Offset != c.ErrOffset || !strings.Contains(pe.Msg, c.ErrMsg):
				t.Errorf("%v: error %q at %d, want %q at %d", c, pe.Msg, pe.Offset, c.ErrMsg, c.ErrOffset)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", c, err)
			continue
		}
		roundTrip(t, c.String(), re)
	}
}

func TestParseFlags(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want regexp.Flags
		err  bool
	}{
		{"", regexp.All, false},
		{"ALL", regexp.All, false},
		{"all", regexp.All, false},
		{"NONE", regexp.None, false},
		{"INTERSECTION|COMPLEMENT|EMPTY", regexp.Intersection | regexp.Complement | regexp.Empty, false},
		{"anystring|Interval", regexp.AnyString | regexp.Interval, false},
		{"|EMPTY||", regexp.Empty, false},
		{"NONE|EMPTY", regexp.Empty, false},
		{"EMPTY|ALL|BOGUS", regexp.All, false}, // resolveValue returns at ALL
		{"BOGUS|ALL", 0, true},
		{" ALL", 0, true}, // not trimmed
		{"AUTOMATON", 0, true},
		{"ınterval", regexp.Interval, false}, // Java's toUpperCase: dotless i is I
	} {
		got, err := regexp.ParseFlags(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseFlags(%q) = %v (%#x), %v; want %#x, error %v", tt.in, got, uint32(got), err, uint32(tt.want), tt.err)
		}
	}
	if _, err := regexp.ParseFlags("FOO"); err == nil || err.Error() != "unknown regexp flag [FOO]" {
		t.Errorf("unknown flag error = %v", err)
	}
	for _, f := range []regexp.Flags{regexp.All, regexp.None, regexp.Intersection | regexp.Interval, regexp.Complement} {
		back, err := regexp.ParseFlags(f.String())
		if err != nil || back != f {
			t.Errorf("Flags(%#x).String() = %q reads back as %#x, %v", uint32(f), f.String(), uint32(back), err)
		}
	}
}

// TestTree checks the normalized shapes of the tree.
func TestTree(t *testing.T) {
	for _, tt := range []struct {
		src   string
		flags regexp.Flags
		kind  regexp.Kind
		text  string // a literal's text
		canon string
	}{
		{"abc", regexp.All, regexp.KindLiteral, "abc", "abc"},
		{`a()"bc"[d](e)`, regexp.All, regexp.KindLiteral, "abcde", "abcde"},
		{"", regexp.All, regexp.KindLiteral, "", "()"},
		{"()", regexp.All, regexp.KindLiteral, "", "()"},
		{"[a-a]", regexp.All, regexp.KindLiteral, "a", "a"},
		{"[^\x00-\U0010FFFF]", regexp.All, regexp.KindNothing, "", "#"},
		{".", regexp.All, regexp.KindChar, "", "."},
		{"[^a]", regexp.All, regexp.KindChar, "", "[^a]"},
		{`\D`, regexp.All, regexp.KindChar, "", "[^0-9]"},
		{`\w`, regexp.All, regexp.KindChar, "", "[0-9A-Z_a-z]"},
		{"a", regexp.All | regexp.CaseInsensitive, regexp.KindChar, "", "[Aa]"},
		{"1", regexp.All | regexp.CaseInsensitive, regexp.KindLiteral, "1", "1"},
		{`"a1"`, regexp.All | regexp.CaseInsensitive, regexp.KindConcat, "", "[Aa]1"},
		{"(a|b)|(c|d)", regexp.All, regexp.KindUnion, "", "a|b|c|d"},
		{"(ab*)c", regexp.All, regexp.KindConcat, "", "ab*c"},
		{"a&b", regexp.None, regexp.KindLiteral, "a&b", `a\&b`},
		{"<1-12>", regexp.All, regexp.KindInterval, "", "<1-12>"},
		{"<01-12>", regexp.All, regexp.KindInterval, "", "<01-12>"},
		{"<001-5>", regexp.All, regexp.KindInterval, "", "<01-5>"},
		{"<+5-10>", regexp.All, regexp.KindInterval, "", "<05-10>"},
		{"a{0,1}", regexp.All, regexp.KindRepeat, "", "a?"},
		{"(ab){2,}", regexp.All, regexp.KindRepeat, "", "(ab){2,}"},
		{"~(a*)", regexp.All, regexp.KindComplement, "", "~(a*)"},
		{"(~a)*", regexp.All, regexp.KindRepeat, "", "~a*"},
		{"[\\\\-a]", regexp.All, regexp.KindChar, "", `[\-\\a]`},
		{"[\\\\-\\]]", regexp.All, regexp.KindChar, "", `[\-\\\]]`},
		{"[\\]-a]", regexp.All, regexp.KindChar, "", `[\]-a]`},
		{"[\\\\-\\]]|[\\\\-a]", regexp.All, regexp.KindUnion, "", `[\-\\\]]|[\-\\a]`},
	} {
		re, err := regexp.Parse(tt.src, tt.flags)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		if re.Root.Kind != tt.kind {
			t.Errorf("Parse(%q) is a %v, want a %v", tt.src, re.Root.Kind, tt.kind)
		}
		if tt.kind == regexp.KindLiteral && re.Root.Text != tt.text {
			t.Errorf("Parse(%q) is the literal %q, want %q", tt.src, re.Root.Text, tt.text)
		}
		if got := re.String(); got != tt.canon {
			t.Errorf("Parse(%q).String() = %#q, want %#q", tt.src, got, tt.canon)
		}
		roundTrip(t, tt.src, re)
	}
	// A range starting at a backslash cannot be written as one; it prints
	// as the backslash and the rest.
	re := &regexp.Regexp{Root: &regexp.Node{Kind: regexp.KindChar, Ranges: []regexp.Range{{'\\', 'a'}}}}
	if got := re.String(); got != `[\\\]-a]` {
		t.Errorf("range from a backslash prints as %#q", got)
	}
	back, err := regexp.Parse(re.String(), regexp.All)
	if err != nil || !reflect.DeepEqual(back.Root.Ranges, re.Root.Ranges) {
		t.Errorf("range from a backslash reparses as %v, %v", back, err)
	}
}

func TestLimits(t *testing.T) {
	for _, src := range []string{
		strings.Repeat("(", regexp.MaxDepth+1) + "a" + strings.Repeat(")", regexp.MaxDepth+1),
		strings.Repeat("~", regexp.MaxDepth+1) + "a",
		"a" + strings.Repeat("*", regexp.MaxDepth+1),
		strings.Repeat("(a", regexp.MaxDepth/2+1) + strings.Repeat(")*", regexp.MaxDepth/2+1),
		"<" + strings.Repeat("0", regexp.MaxIntervalDigits) + "1-" + strings.Repeat("0", regexp.MaxIntervalDigits) + "2>",
		"a{10001}", "a{0,10001}", "a{99999999999999999999}",
	} {
		_, err := regexp.Parse(src, regexp.All)
		var pe *regexp.Error
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%.40q...): %v, want a limit error", src, err)
		}
	}
	for _, src := range []string{
		strings.Repeat("(", 50) + "a" + strings.Repeat(")", 50),
		strings.Repeat("~", 50) + "a",
		"a{10000}", "a{0,10000}",
		"<" + strings.Repeat("0", regexp.MaxIntervalDigits-2) + "1-" + strings.Repeat("0", regexp.MaxIntervalDigits-2) + "2>",
		strings.Repeat("ab|", 10000) + "c",
	} {
		if _, err := regexp.Parse(src, regexp.All); err != nil {
			t.Errorf("Parse(%.40q...): %v", src, err)
		}
	}
}

func TestFlagErrors(t *testing.T) {
	// AUTOMATON without INTERVAL: "<n-m>" is an illegal identifier.
	if _, err := regexp.Parse("<1-2>", regexp.Automaton); err == nil || !strings.Contains(err.Error(), "illegal identifier at position 4") {
		t.Errorf("<1-2> with AUTOMATON only: %v", err)
	}
	if _, err := regexp.Parse("<ab>", regexp.Automaton); err == nil || !strings.Contains(err.Error(), "'ab' not found") {
		t.Errorf("<ab> with AUTOMATON: %v", err)
	}
	if re, err := regexp.Parse("<ab>", regexp.None); err != nil || re.Root.Text != "<ab>" {
		t.Errorf("<ab> with NONE: %v, %v", re, err)
	}
}

// TestRandomRoundTrip round-trips random patterns.
func TestRandomRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	valid := 0
	for i := 0; i < 5000; i++ {
		src := regexptest.Pattern(r)
		flags := regexp.All
		if r.IntN(3) == 0 {
			flags |= regexp.CaseInsensitive
		}
		if r.IntN(5) == 0 {
			flags = regexp.Flags(r.IntN(0x40)) | flags&regexp.CaseInsensitive
		}
		re, err := regexp.Parse(src, flags)
		if err != nil {
			continue
		}
		valid++
		roundTrip(t, src, re)
	}
	if valid < 4000 {
		t.Errorf("only %d of 5000 random patterns parse", valid)
	}
}

func BenchmarkParse(b *testing.B) {
	srcs := []string{`.*\.exe`, `[a-z]{8}\.exe`, `.*(curl|wget) http://[0-9.]+/.*`,
		`.*[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}.*`, `~(.*cmd.*)&[a-z]{1,12}`, `<1-65535>`}
	for i := 0; i < b.N; i++ {
		for _, s := range srcs {
			if _, err := regexp.Parse(s, regexp.All|regexp.CaseInsensitive); err != nil {
				b.Fatal(err)
			}
		}
	}
}
