package source

import "testing"

func TestLocText(t *testing.T) {
	src := "a : b"
	tests := []struct {
		loc  Loc
		want string
	}{
		{Loc{Start: PosAt(src, 0), End: PosAt(src, 1)}, "a"},
		{Loc{Start: PosAt(src, 4), End: PosAt(src, 5)}, "b"},
		{Loc{Start: PosAt(src, 0), End: PosAt(src, 5)}, src},
		{Loc{Start: Pos{Offset: 3}, End: Pos{Offset: 2}}, ""},
		{Loc{Start: Pos{Offset: -1}, End: Pos{Offset: 2}}, ""},
		{Loc{Start: Pos{Offset: 0}, End: Pos{Offset: 6}}, ""},
	}
	for _, tt := range tests {
		if got := tt.loc.Text(src); got != tt.want {
			t.Errorf("%+v.Text(%q) = %q, want %q", tt.loc, src, got, tt.want)
		}
	}
}

func TestPosAt(t *testing.T) {
	src := "ab\n\tcé d\n"
	tests := []struct {
		off  int
		want Pos
	}{
		{0, Pos{Offset: 0, Line: 1, Col: 1}},
		{2, Pos{Offset: 2, Line: 1, Col: 3}},
		{3, Pos{Offset: 3, Line: 2, Col: 1}},
		{7, Pos{Offset: 7, Line: 2, Col: 4}}, // after "\tcé": é is two bytes, one column
		{-5, Pos{Offset: 0, Line: 1, Col: 1}},
		{99, Pos{Offset: len(src), Line: 3, Col: 1}},
	}
	for _, tt := range tests {
		if got := PosAt(src, tt.off); got != tt.want {
			t.Errorf("PosAt(%d) = %+v, want %+v", tt.off, got, tt.want)
		}
	}
}

func TestErrorDetail(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{Errorf("kql", "a : (b", 4, "unbalanced parenthesis"),
			"kql: 1:5: unbalanced parenthesis\n  a : (b\n      ^"},
		{Errorf("", "x\n\ty = 1", 5, "bad"),
			"2:4: bad\n      y = 1\n        ^"},
		{&Error{Msg: "no position"}, "0:0: no position"},
		{&Error{Pos: Pos{Line: 9, Col: 1}, Src: "short", Msg: "past the end"}, "9:1: past the end"},
	}
	for _, tt := range tests {
		if got := tt.err.Detail(); got != tt.want {
			t.Errorf("Detail() =\n%s\nwant\n%s", got, tt.want)
		}
	}
}
