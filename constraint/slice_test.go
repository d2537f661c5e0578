package constraint

import "testing"

func TestSliceApply(t *testing.T) {
	tests := []struct {
		sl   Slice
		s    string
		want string
	}{
		{Slice{Start: 0, End: -1, HasEnd: true}, "HOST$", "HOST"},
		{Slice{Start: 2}, "abcdef", "cdef"},
		{Slice{Start: -3}, "abcdef", "def"},
		{Slice{Start: 1, End: 3, HasEnd: true}, "héllo", "él"},
		{Slice{Start: 4, End: 2, HasEnd: true}, "abcdef", ""},
		{Slice{Start: -10, End: 100, HasEnd: true}, "abc", "abc"},
	}
	for _, tt := range tests {
		if got := tt.sl.Apply(tt.s); got != tt.want {
			t.Errorf("%v.Apply(%q) = %q, want %q", tt.sl, tt.s, got, tt.want)
		}
	}
}
