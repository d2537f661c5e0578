package constraint

import (
	"reflect"
	"testing"
)

func TestSplitConcat(t *testing.T) {
	lit := func(s string) *string { return &s }
	for _, c := range []struct {
		target string
		parts  []*string
		ci     bool
		max    int
		want   [][]string
		ok     bool
	}{
		{"a-b", []*string{nil, lit("-"), nil}, false, 64, [][]string{{"a", "b"}}, true},
		{"ab", []*string{nil, nil}, false, 64, [][]string{{"", "ab"}, {"a", "b"}, {"ab", ""}}, true},
		{"X-y", []*string{nil, lit("-Y")}, true, 64, [][]string{{"X"}}, true},
		{"X-y", []*string{nil, lit("-Y")}, false, 64, nil, true},
		{"abcdef", []*string{nil, nil, nil}, false, 3, nil, false}, // 28 ways
	} {
		got, ok := SplitConcat(c.target, c.parts, c.ci, c.max)
		if ok != c.ok || !reflect.DeepEqual(got, c.want) {
			t.Errorf("SplitConcat(%q, ci %v) = %q, %v; want %q, %v", c.target, c.ci, got, ok, c.want, c.ok)
		}
	}
}
