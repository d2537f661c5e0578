package regexp_test

import (
	"reflect"
	"testing"

	"github.com/emit-sec/emit/es/regexp"
)

// FuzzParse checks that no pattern or flags make Parse panic, and that the
// canonical form of a valid pattern reparses to the same tree and prints
// the same.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"ab+c", "~(a.*)&.{2,3}", "<1-20>x", `[^\d\s]"x|y"`, "(a|b){2,}@#", `\\\.[]-]`, "a{3,2}|()",
		"*a~", "<007-10>", "<+1-+9>", "<١-٩>", `[\\-a]`, "[a-\\d]", "a|", "(a|)", "[é-ë]", "<abc>", "\xff",
	} {
		f.Add(s, uint16(regexp.All))
		f.Add(s, uint16(regexp.All|regexp.CaseInsensitive))
		f.Add(s, uint16(regexp.None))
	}
	f.Fuzz(func(t *testing.T, src string, flags uint16) {
		if len(src) > 1000 {
			return
		}
		re, err := regexp.Parse(src, regexp.Flags(flags)&(regexp.All|regexp.CaseInsensitive))
		if err != nil {
			if _, ok := err.(*regexp.Error); !ok {
				t.Fatalf("%q: error %v is not a *regexp.Error", src, err)
			}
			return
		}
		s := re.String()
		back, err := regexp.Parse(s, regexp.All)
		if err != nil {
			t.Fatalf("%q: canonical form %q does not parse: %v", src, s, err)
		}
		if back.String() != s {
			t.Fatalf("%q: canonical form %q prints back as %q", src, s, back.String())
		}
		if !reflect.DeepEqual(back.Root, re.Root) {
			t.Fatalf("%q: canonical form %q reparses to another tree", src, s)
		}
	})
}
