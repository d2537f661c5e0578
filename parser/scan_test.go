package parser

import "testing"

func TestNumberEnd(t *testing.T) {
	for _, c := range []struct {
		src   string
		end   int
		float bool
	}{
		{"12", 2, false},
		{"12.5)", 4, true},
		{"1.", 2, true},
		{"1e5", 3, true},
		{"1E-5 ", 4, true},
		{"1e", 1, false},   // 1, then the identifier e
		{"1e+x", 1, false}, // no digits after the sign
		{"3.2e1x", 5, true},
	} {
		end, float := NumberEnd(c.src, 0)
		if end != c.end || float != c.float {
			t.Errorf("NumberEnd(%q) = %d, %v; want %d, %v", c.src, end, float, c.end, c.float)
		}
	}
}

func TestQuotedEnd(t *testing.T) {
	for _, c := range []struct {
		src string
		end int
		ok  bool
	}{
		{"`a.b` x", 5, true},
		{"`a``b`", 6, true},
		{"`a\nb`", 5, true},
		{"``", 2, false}, // empty
		{"`abc", 0, false},
		{"`a``", 0, false}, // the doubled backquote is inside: unterminated
	} {
		end, ok := QuotedEnd(c.src, 0)
		if end != c.end || ok != c.ok {
			t.Errorf("QuotedEnd(%q) = %d, %v; want %d, %v", c.src, end, ok, c.end, c.ok)
		}
	}
}

func TestTripleQuotedEnd(t *testing.T) {
	for _, c := range []struct {
		src string
		end int
		ok  bool
	}{
		{`"""a"b""" x`, 9, true},
		{`"""a"""""`, 9, true},         // up to two more quotes belong to the value
		{`""""""""x`, 8, true},         // empty value, then two quotes
		{"\"\"\"a\nb\"\"\"", 4, false}, // a line ends first
		{`"""abc`, 6, false},
	} {
		end, ok := TripleQuotedEnd(c.src, 0)
		if end != c.end || ok != c.ok {
			t.Errorf("TripleQuotedEnd(%q) = %d, %v; want %d, %v", c.src, end, ok, c.end, c.ok)
		}
	}
}
