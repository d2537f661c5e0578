package number

import (
	"math"
	"testing"
)

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" for not a decimal
	}{
		{"42", "42"}, {"-1.5", "-3/2"}, {"+7", "7"}, {".5", "1/2"}, {"5.", "5"},
		{"1e3", "1000"}, {"1E-2", "1/100"}, {"2.5e+1", "25"}, {"0e99999", "0"},
		{"1e0001", "10"}, // leading zeros of an exponent are free
		{"0x10", ""}, {"1_000", ""}, {"Infinity", ""}, {"NaN", ""}, {"", ""}, {"-", ""}, {".", ""},
		{"1e", ""}, {"1e+", ""}, {" 1", ""}, {"1 ", ""}, {"1e99999", ""},
	}
	for _, tt := range tests {
		r, ok := ParseDecimal(tt.in)
		switch {
		case tt.want == "" && ok:
			t.Errorf("ParseDecimal(%q) = %v, want no number", tt.in, r)
		case tt.want != "" && (!ok || r.RatString() != tt.want):
			t.Errorf("ParseDecimal(%q) = %v, %v; want %s", tt.in, r, ok, tt.want)
		}
	}
	if f, ok := Float("1e400"); ok {
		t.Errorf("Float(1e400) = %v, beyond float64", f)
	}
	if f, ok := Float("0.1"); !ok || f != 0.1 {
		t.Errorf("Float(0.1) = %v, %v", f, ok)
	}
}

func TestFormatJava(t *testing.T) {
	for f, want := range map[float64]string{
		1: "1.0", 0.5: "0.5", 1234567: "1234567.0", 12345678: "1.2345678E7", 0.001: "0.001",
		0.0001: "1.0E-4", -2.5e-10: "-2.5E-10", 1e100: "1.0E100", 100: "100.0", 0.0123: "0.0123",
		0: "0.0",
	} {
		if got := FormatJava(f); got != want {
			t.Errorf("FormatJava(%v) = %s, want %s", f, got, want)
		}
	}
}

func TestParseJava(t *testing.T) {
	for s, want := range map[string]float64{"1": 1, " 2.5 ": 2.5, "3f": 3, "1e2D": 100, "-0.5d": -0.5} {
		if got, ok := ParseJava(s); !ok || got != want {
			t.Errorf("ParseJava(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "d", "0x10", "1_000", "NaN", "abc"} {
		if _, ok := ParseJava(s); ok {
			t.Errorf("ParseJava(%q) accepted", s)
		}
	}
}

func TestFormatJavaNegativeZero(t *testing.T) {
	if got := FormatJava(math.Copysign(0, -1)); got != "-0.0" {
		t.Errorf("FormatJava(-0) = %s", got)
	}
}
