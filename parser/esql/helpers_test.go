package esql

import (
	"reflect"
	"testing"

	"github.com/emit-sec/emit/source"
)

var locType = reflect.TypeOf(source.Loc{})

// stripLocs zeroes every Loc and the Src of the query reachable from v, so
// that trees parsed from different texts compare equal when their
// structure is.
func stripLocs(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			stripLocs(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			switch {
			case f.Type() == locType:
				f.Set(reflect.Zero(locType))
			case v.Type().Field(i).Name == "Src" && f.Kind() == reflect.String:
				f.SetString("")
			default:
				stripLocs(f)
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			stripLocs(v.Index(i))
		}
	}
}

// equalTrees reports whether two queries have the same structure, their
// locations aside. It modifies both.
func equalTrees(a, b *Query) bool {
	stripLocs(reflect.ValueOf(a))
	stripLocs(reflect.ValueOf(b))
	return reflect.DeepEqual(a, b)
}

// roundTrip checks that q prints to ES|QL that parses back to the same tree
// and prints the same, and returns the printed form.
func roundTrip(t testing.TB, src string) string {
	t.Helper()
	q, err := Parse(src)
	if err != nil {
		t.Errorf("Parse(%q): %v", src, err)
		return ""
	}
	printed := q.String()
	q2, err := Parse(printed)
	if err != nil {
		if perr, ok := err.(*source.Error); ok {
			t.Errorf("Parse(%q) prints\n%s\nwhich does not parse:\n%s", src, printed, perr.Detail())
		} else {
			t.Errorf("Parse(%q) prints %q, which does not parse: %v", src, printed, err)
		}
		return printed
	}
	if again := q2.String(); again != printed {
		t.Errorf("unstable printed form:\n%s\n->\n%s", printed, again)
	}
	if !equalTrees(MustParse(src), q2) {
		t.Errorf("Parse(%q) and Parse(%q) differ", src, printed)
	}
	return printed
}
