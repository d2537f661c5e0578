package source

import (
	"strings"
	"testing"
)

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

// TestErrorDetailLongLine: a long source line is cut around the position,
// and the caret still points at the offending character.
func TestErrorDetailLongLine(t *testing.T) {
	deep := strings.Repeat("(", 10000) + "a:1"
	for _, off := range []int{0, 50, 1000, 5000, len(deep) - 1, len(deep)} {
		e := Errorf("kql", deep, off, "bad")
		lines := strings.Split(e.Detail(), "\n")
		if len(lines) != 3 {
			t.Fatalf("offset %d: %d lines", off, len(lines))
		}
		src, caret := lines[1], lines[2]
		if len(src) > DetailWidth+2+2*len(elision) {
			t.Errorf("offset %d: source line of %d bytes", off, len(src))
		}
		at := strings.IndexByte(caret, '^')
		if at != len(caret)-1 {
			t.Errorf("offset %d: caret line %q", off, caret)
		}
		// The character above the caret is the one at off.
		want := "end"
		if off < len(deep) {
			want = deep[off : off+1]
		}
		got := "end"
		if at < len(src) {
			got = src[at : at+1]
		}
		if got != want {
			t.Errorf("offset %d: caret under %q, want %q\n%s\n%s", off, got, want, src, caret)
		}
		if off > DetailWidth && !strings.HasPrefix(src, "  "+elision) {
			t.Errorf("offset %d: the cut start is not marked: %q", off, src[:10])
		}
	}
	// Tabs and wide characters before the position.
	e := Errorf("eql", strings.Repeat("é\t", 100)+"x"+strings.Repeat("y", 200), 300, "bad")
	lines := strings.Split(e.Detail(), "\n")
	src, caret := []rune(lines[1]), []rune(lines[2])
	if len(caret)-1 >= len(src) || src[len(caret)-1] != 'x' {
		t.Errorf("caret not under x:\n%s\n%s", lines[1], lines[2])
	}
}

func TestClip(t *testing.T) {
	if got := Clip("short", 10); got != "short" {
		t.Errorf("Clip(short) = %q", got)
	}
	if got := Clip(strings.Repeat("a", 100), 10); got != "aaaaaaaaaa... (90 more bytes)" {
		t.Errorf("Clip = %q", got)
	}
	if got := Clip("ééé", 3); got != "é... (4 more bytes)" { // never in the middle of a character
		t.Errorf("Clip = %q", got)
	}
}
