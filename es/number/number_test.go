package number

import "testing"

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
