package esvalue

import (
	"errors"
	"testing"
)

func TestSloppyPhrase(t *testing.T) {
	for _, tc := range []struct {
		vals   []any
		phrase []string
		slop   int
		want   bool
	}{
		{[]any{"a b c"}, []string{"a", "b"}, 0, true},
		{[]any{"a b c"}, []string{"a", "c"}, 0, false},
		{[]any{"a b c"}, []string{"a", "c"}, 1, true},
		{[]any{"b a"}, []string{"a", "b"}, 1, false},
		{[]any{"b a"}, []string{"a", "b"}, 2, true},
		{[]any{"c b a"}, []string{"a", "b", "c"}, 3, false},
		{[]any{"c b a"}, []string{"a", "b", "c"}, 4, true},
		{[]any{"a x"}, []string{"a", "a"}, 5, false},
		{[]any{"a x a"}, []string{"a", "a"}, 1, true},
		{[]any{"a", "b"}, []string{"a", "b"}, 100, true},
		{[]any{"a", "b"}, []string{"a", "b"}, 99, false},
		{[]any{"a", 5, "b"}, []string{"a", "5"}, 0, false},
		{[]any{"A-B"}, []string{"a", "b"}, 0, true},
		{[]any{"a b"}, nil, 3, false},
		{[]any{"a b"}, []string{"a", "b"}, -1, false},
	} {
		if got := SloppyPhrase(tc.vals, tc.phrase, tc.slop); got != tc.want {
			t.Errorf("SloppyPhrase(%v, %q, %d) = %v, want %v", tc.vals, tc.phrase, tc.slop, got, tc.want)
		}
	}
}

func TestFuzzy(t *testing.T) {
	for _, tc := range []struct {
		f           Fuzzy
		term, value string
		want        bool
	}{
		{Fuzzy{Edits: 0}, "abc", "abc", true},
		{Fuzzy{Edits: 0}, "abc", "abd", false},
		{Fuzzy{Edits: 1}, "abc", "abd", true},
		{Fuzzy{Edits: 1}, "abc", "ab", true},
		{Fuzzy{Edits: 1}, "abc", "abcd", true},
		{Fuzzy{Edits: 1}, "abc", "a", false},
		{Fuzzy{Edits: 1, Transpositions: true}, "abc", "bac", true},
		{Fuzzy{Edits: 1}, "abc", "bac", false},
		{Fuzzy{Edits: 2}, "abc", "bac", true},
		{Fuzzy{Edits: 1, Transpositions: true}, "ca", "abc", false}, // optimal string alignment: 3
		{Fuzzy{Edits: 2, Prefix: 1}, "abc", "xbc", false},
		{Fuzzy{Edits: 2, Prefix: 1}, "abc", "axy", true},
		{Fuzzy{Edits: 1, Prefix: 5}, "ab", "ab", true},
		{Fuzzy{Edits: 1, Prefix: 5}, "ab", "abc", true},
		{Fuzzy{Edits: 1}, "héllo", "hello", true},
		{Fuzzy{Edits: 2}, "", "ab", true},
		{Fuzzy{Edits: 2}, "", "abc", false},
	} {
		if got := tc.f.Match(tc.term, tc.value); got != tc.want {
			t.Errorf("%+v.Match(%q, %q) = %v, want %v", tc.f, tc.term, tc.value, got, tc.want)
		}
	}
}

func TestParseFuzziness(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Fuzziness
	}{
		{"AUTO", Fuzziness{Auto: true, Low: 3, High: 6}},
		{"auto", Fuzziness{Auto: true, Low: 3, High: 6}},
		{"AUTO:2,4", Fuzziness{Auto: true, Low: 2, High: 4}},
		{"0", Fuzziness{}}, {"1", Fuzziness{Edits: 1}}, {"2.0", Fuzziness{Edits: 2}}, {"1f", Fuzziness{Edits: 1}},
	} {
		if got, err := ParseFuzziness(tc.in); err != nil || got != tc.want {
			t.Errorf("ParseFuzziness(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "3", "-1", "1.5", "x", "AUTO:", "AUTO:4,2", "AUTO:1", "AUTO: 1,2"} {
		if _, err := ParseFuzziness(in); !errors.Is(err, ErrFuzziness) {
			t.Errorf("ParseFuzziness(%q): %v, want ErrFuzziness", in, err)
		}
	}
	auto, _ := ParseFuzziness("AUTO")
	for term, want := range map[string]int{"ab": 0, "abc": 1, "abcde": 1, "abcdef": 2, "héllo!": 2} {
		if got := auto.Distance(term); got != want {
			t.Errorf("AUTO.Distance(%q) = %d, want %d", term, got, want)
		}
	}
}
