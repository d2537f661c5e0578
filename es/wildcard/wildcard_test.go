package wildcard

import "testing"

func TestParseAndString(t *testing.T) {
	tests := []struct {
		in   string
		syn  Syntax
		want Pattern
		str  string
	}{
		{"*.exe", StarOnly, Pattern{{Kind: AnyString}, {Kind: Lit, Lit: ".exe"}}, "*.exe"},
		{"a?c", StarOnly, Pattern{{Kind: Lit, Lit: "a?c"}}, `a\?c`},
		{"a?c", StarAndQuestion, Pattern{{Kind: Lit, Lit: "a"}, {Kind: AnyChar}, {Kind: Lit, Lit: "c"}}, "a?c"},
		{`C:\\Windows\*`, StarOnly, Pattern{{Kind: Lit, Lit: `C:\Windows*`}}, `C:\\Windows\*`},
		{`C:\Windows\*`, EQL, Pattern{{Kind: Lit, Lit: `C:\Windows\`}, {Kind: AnyString}}, `C:\\Windows\\*`},
		{`trailing\`, StarAndQuestion, Pattern{{Kind: Lit, Lit: `trailing\`}}, `trailing\\`},
		{"", StarOnly, nil, ""},
		{"**", StarOnly, Pattern{{Kind: AnyString}, {Kind: AnyString}}, "**"},
	}
	for _, tt := range tests {
		got := Parse(tt.in, tt.syn)
		if len(got) != len(tt.want) {
			t.Errorf("Parse(%q, %d) = %v, want %v", tt.in, tt.syn, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("Parse(%q, %d) = %v, want %v", tt.in, tt.syn, got, tt.want)
				break
			}
		}
		if s := got.String(); s != tt.str {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, s, tt.str)
		}
		if again := Parse(got.String(), StarAndQuestion); again.String() != got.String() {
			t.Errorf("String does not reparse: %q -> %q", got.String(), again.String())
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		pat  string
		s    string
		ci   bool
		want bool
	}{
		{"*.exe", "cmd.exe", false, true},
		{"*.exe", "cmd.EXE", false, false},
		{"*.exe", "cmd.EXE", true, true},
		{"*.EXE", "cmd.exe", true, true},
		{"a?c", "abc", false, true},
		{"a?c", "aéc", false, true}, // "?" is one code point
		{"a?c", "ac", false, false},
		{"*a*b*", "xxaxxbxx", false, true},
		{"*a*b*", "xxbxxaxx", false, false},
		{"", "", false, true},
		{"", "x", false, false},
		{"*", "", false, true},
		{"a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false, false}, // no blow-up
		{"straße", "STRASSE", true, false},                                // one character against one
		{"ǆ", "ǅ", true, false},                                           // ǆ's other case is Ǆ, not the titlecase ǅ
		{"ǆ", "Ǆ", true, true},
	}
	for _, tt := range tests {
		if got := Parse(tt.pat, StarAndQuestion).Match(tt.s, tt.ci); got != tt.want {
			t.Errorf("%q.Match(%q, ci=%v) = %v, want %v", tt.pat, tt.s, tt.ci, got, tt.want)
		}
	}
}

func TestMatchString(t *testing.T) {
	tests := []struct {
		pat, s string
		want   bool
	}{
		{"logs-*", "logs-endpoint.events.process-default", true},
		{"logs-*", "metrics-x", false},
		{"process.*.name", "process.parent.name", true},
		{"*.ip", "source.ip", true},
		{`a\b*`, `a\bc`, true},
		{"winlogbeat-*", "winlogbeat-", true},
		{"exact", "exact", true},
		{"exact?", "exacts", false},
	}
	for _, tt := range tests {
		if got := MatchString(tt.pat, tt.s); got != tt.want {
			t.Errorf("MatchString(%q, %q) = %v, want %v", tt.pat, tt.s, got, tt.want)
		}
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("*a?b*", "xxaybzz", true)
	f.Fuzz(func(t *testing.T, pat, s string, ci bool) {
		p := Parse(pat, StarAndQuestion)
		// A pattern always matches its own literal rendering when it has
		// no wildcards.
		if !p.HasWildcard() && len(p) == 1 && !p.Match(p[0].Lit, ci) {
			t.Fatalf("%q does not match its literal %q", pat, p[0].Lit)
		}
		p.Match(s, ci)
	})
}
