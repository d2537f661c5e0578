package esql

import (
	"errors"
	"testing"

	"github.com/emit-sec/emit/source"
)

// FuzzParse checks that Parse never panics, that its errors are
// *source.Error values pointing into the query, and that what parses
// prints to ES|QL that parses back to an equal tree and prints the same.
func FuzzParse(f *testing.F) {
	for _, tc := range canonicalTests {
		f.Add(tc.in)
	}
	for _, tc := range errorTests {
		f.Add(tc.query)
	}
	for _, tc := range structureTests {
		f.Add("ROW x = " + tc.cond)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		if err != nil {
			var perr *source.Error
			if !errors.As(err, &perr) {
				t.Fatalf("Parse(%q): error %T is not a *source.Error: %v", src, err, err)
			}
			if perr.Pos.Offset > len(src) || perr.Pos != source.PosAt(src, perr.Pos.Offset) {
				t.Fatalf("Parse(%q): bad error position %+v", src, perr.Pos)
			}
			_ = perr.Detail()
			return
		}
		printed := q.String()
		q2, err := Parse(printed)
		if err != nil {
			t.Fatalf("Parse(%q) prints %q, which does not parse: %v", src, printed, err)
		}
		if again := q2.String(); again != printed {
			t.Fatalf("unstable printed form: %q -> %q", printed, again)
		}
		if !equalTrees(q, q2) {
			t.Fatalf("Parse(%q) and Parse(%q) differ", src, printed)
		}
	})
}
