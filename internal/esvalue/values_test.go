package esvalue

import (
	"encoding/json"
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/emit-sec/emit/es/analysis"
	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/es/date/datetest"
	"github.com/emit-sec/emit/es/estype"
)

func TestKeywordString(t *testing.T) {
	tests := []struct {
		in   any
		want string
		ok   bool
	}{
		{"x", "x", true}, {json.Number("1.50"), "1.50", true}, {true, "true", true},
		{1.5, "1.5", true}, {float64(1e21), "1000000000000000000000", true}, {float32(0.1), "0.1", true},
		{42, "42", true}, {int64(-7), "-7", true}, {int32(3), "3", true}, {uint64(1 << 63), "9223372036854775808", true},
		{uint32(9), "9", true}, {nil, "", false}, {map[string]any{}, "", false}, {[]any{"a"}, "", false},
	}
	for _, tt := range tests {
		got, ok := KeywordString(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("KeywordString(%#v) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return r
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when invalid
	}{
		{"0", "0"}, {"+5", "5"}, {"-5", "-5"}, {"1.25", "5/4"}, {".5", "1/2"}, {"5.", "5"},
		{"1e3", "1000"}, {"1E-2", "1/100"}, {"1e+2", "100"}, {"2e9999", "2" + zeros(9999)},
		{"1e10000", ""}, {"1e", ""}, {"e5", ""}, {"", ""}, {"-", ""}, {".", ""}, {" 5", ""}, {"5 ", ""},
		{"0x10", ""}, {"1_000", ""}, {"NaN", ""}, {"Infinity", ""}, {"1.2.3", ""},
	}
	for _, tt := range tests {
		got, ok := ParseDecimal(tt.in)
		if tt.want == "" {
			if ok {
				t.Errorf("ParseDecimal(%q) = %v, want invalid", tt.in, got)
			}
			continue
		}
		if !ok || got.Cmp(rat(tt.want)) != 0 {
			t.Errorf("ParseDecimal(%q) = %v, %v; want %s", tt.in, got, ok, tt.want)
		}
	}
}

func zeros(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0'
	}
	return string(b)
}

func TestDocNumber(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{json.Number("12.5"), "25/2"}, {" 7 ", "7"}, {"7x", ""}, {1.5, "3/2"}, {math.NaN(), ""}, {math.Inf(1), ""},
		{float32(0.5), "1/2"}, {float32(math.Inf(-1)), ""}, {3, "3"}, {int64(-3), "-3"}, {int32(4), "4"},
		{uint64(1 << 63), "9223372036854775808"}, {uint32(5), "5"}, {true, ""}, {nil, ""},
	}
	for _, tt := range tests {
		got, ok := DocNumber(tt.in)
		if tt.want == "" {
			if ok {
				t.Errorf("DocNumber(%#v) = %v, want invalid", tt.in, got)
			}
			continue
		}
		if !ok || got.Cmp(rat(tt.want)) != 0 {
			t.Errorf("DocNumber(%#v) = %v, %v; want %s", tt.in, got, ok, tt.want)
		}
	}
}

var (
	keyword   = estype.Mapping{Type: estype.Keyword}
	integer   = estype.Mapping{Type: estype.Long}
	double    = estype.Mapping{Type: estype.Double}
	float     = estype.Mapping{Type: estype.Float}
	halfFloat = estype.Mapping{Type: estype.HalfFloat}
)

func ratOf(f float64) string { return new(big.Rat).SetFloat64(f).String() }

func TestStored(t *testing.T) {
	tests := []struct {
		k    estype.Mapping
		in   string
		want string // "" when the value does not fit
	}{
		{integer, "7/2", "3"}, {integer, "-7/2", "-3"}, {integer, "5", "5"},
		{double, "1/10", "3602879701896397/36028797018963968"},
		{float, "1/10", "13421773/134217728"},
		{halfFloat, "1/10", "819/8192"}, {halfFloat, "65519", "65504"}, {halfFloat, "65520", ""},
		{float, "1e39", ""}, {double, "1e309", ""},
		{keyword, "1/3", "1/3"},
		// round(value × factor) / factor, read back as a double
		{estype.Mapping{Type: estype.ScaledFloat, ScalingFactor: 100}, "12345/1000", ratOf(12.35)},
		{estype.Mapping{Type: estype.ScaledFloat, ScalingFactor: 10}, "-1/4", ratOf(-0.2)}, // half up: -2.5 -> -2
	}
	for _, tt := range tests {
		got, ok := Stored(tt.k, rat(tt.in))
		if tt.want == "" {
			if ok {
				t.Errorf("Stored(%v, %s) = %v, want no fit", tt.k, tt.in, got)
			}
			continue
		}
		if !ok || got.Cmp(rat(tt.want)) != 0 {
			t.Errorf("Stored(%v, %s) = %v, %v; want %s", tt.k, tt.in, got, ok, tt.want)
		}
	}
	if r, ok := DocStored(integer, "9.9"); !ok || r.Cmp(rat("9")) != 0 {
		t.Errorf("DocStored(Integer, 9.9) = %v, %v", r, ok)
	}
	if _, ok := DocStored(float, 1e39); ok {
		t.Error("DocStored(float, 1e39) fits")
	}
}

func TestQueryNumber(t *testing.T) {
	tests := []struct {
		k    estype.Mapping
		in   any
		want string
	}{
		{integer, "2.5", "5/2"}, // exact: matches no stored integer
		{float, "0.1", "13421773/134217728"},
		{float, "1e39", "1000000000000000000000000000000000000000"}, // beyond range: exact
		{double, "x", ""}, {integer, " 1 ", "1"}, {integer, json.Number("7"), "7"}, {integer, true, ""},
	}
	for _, tt := range tests {
		got, ok := QueryNumber(tt.k, tt.in)
		if tt.want == "" {
			if ok {
				t.Errorf("QueryNumber(%v, %v) = %v, want invalid", tt.k, tt.in, got)
			}
			continue
		}
		if !ok || got.Cmp(rat(tt.want)) != 0 {
			t.Errorf("QueryNumber(%v, %v) = %v, %v; want %s", tt.k, tt.in, got, ok, tt.want)
		}
	}
}

func TestBools(t *testing.T) {
	docs := []struct {
		in       any
		want, ok bool
	}{
		{true, true, true}, {false, false, true}, {"true", true, true}, {"false", false, true},
		{"", false, true}, {"TRUE", false, false}, {1, false, false}, {nil, false, false},
	}
	for _, tt := range docs {
		if got, ok := DocBool(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("DocBool(%#v) = %v, %v", tt.in, got, ok)
		}
	}
	for in, want := range map[string][2]bool{"true": {true, true}, "false": {false, true}, "": {false, false}, "True": {false, false}} {
		if got, ok := ParseBool(in); got != want[0] || ok != want[1] {
			t.Errorf("ParseBool(%q) = %v, %v", in, got, ok)
		}
	}
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// TestDateConformance reads the conformance table of dates as the
// evaluators read query values, for a date and a date_nanos field: the
// instant at the field's precision, or an error when Elasticsearch rejects
// the value or the field cannot hold it.
func TestDateConformance(t *testing.T) {
	tab, err := datetest.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range tab.Cases {
		for _, typ := range []estype.Type{estype.Date, estype.DateNanos} {
			res := date.ResolutionOf(typ)
			for _, up := range []bool{false, true} {
				want, wantOK := c.Down, !c.Err
				if up {
					want = c.Up
				}
				if wantOK {
					if _, err := res.Convert(want); err != nil {
						wantOK = false
					}
				}
				got, ok := QueryDate(typ, c.Input, tab.Now, up)
				switch {
				case ok != wantOK:
					t.Errorf("line %d: QueryDate(%s, %q, up %v) = %v, %v; want ok %v", c.Line, typ, c.Input, up, got, ok, wantOK)
				case ok && !got.Equal(res.Truncate(want)):
					t.Errorf("line %d: QueryDate(%s, %q, up %v) = %v, want %v", c.Line, typ, c.Input, up, got, res.Truncate(want))
				}
			}
		}
	}
}

func TestDocDate(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{"2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"},
		{"1700000000000", "2023-11-14T22:13:20Z"},
		{json.Number("1700000000000"), "2023-11-14T22:13:20Z"},
		{float64(1700000000000), "2023-11-14T22:13:20Z"},
		{1.0000005, "1970-01-01T00:00:00.001000001Z"}, // rounded to the nanosecond
		{int64(-1000), "1969-12-31T23:59:59Z"},
		{float64(16725225600000), "2500-01-01T00:00:00Z"},
		{1e18, ""}, {"yesterday", ""}, {true, ""}, {nil, ""},
	}
	for _, tt := range tests {
		got, ok := DocDate(tt.in)
		if tt.want == "" {
			if ok {
				t.Errorf("DocDate(%#v) = %v, want invalid", tt.in, got)
			}
			continue
		}
		if !ok || !got.Equal(utc(tt.want)) {
			t.Errorf("DocDate(%#v) = %v, %v; want %s", tt.in, got, ok, tt.want)
		}
	}
}

func TestPrecision(t *testing.T) {
	d := utc("2024-01-01T00:00:00.123456789Z")
	if got := Precision(estype.Date, d); !got.Equal(utc("2024-01-01T00:00:00.123Z")) {
		t.Errorf("Precision(Date) = %v", got)
	}
	if got := Precision(estype.DateNanos, d); !got.Equal(d) {
		t.Errorf("Precision(DateNanos) = %v", got)
	}
}

func TestIPs(t *testing.T) {
	tests := []struct {
		q, addr   string
		match, ok bool
	}{
		{"10.0.0.1", "10.0.0.1", true, true},
		{"10.0.0.1", "::ffff:10.0.0.1", true, true},
		{"::ffff:10.0.0.1", "10.0.0.1", true, true},
		{"10.0.0.2", "10.0.0.1", false, true},
		{"10.0.0.0/8", "10.1.2.3", true, true},
		{"10.0.0.0/8", "11.1.2.3", false, true},
		{"::ffff:10.0.0.0/104", "10.9.9.9", true, true},
		{"::/0", "10.0.0.1", true, true},
		{"0.0.0.0/0", "2001:db8::1", false, true},
		{"2001:db8::/32", "2001:db8::1", true, true},
		{"10.0.0.1/33", "10.0.0.1", false, false},
		{"fe80::1%eth0", "fe80::1", false, false},
		{"nope", "10.0.0.1", false, false},
	}
	for _, tt := range tests {
		a, ok := ParseIP(tt.addr)
		if !ok {
			t.Fatalf("ParseIP(%q) failed", tt.addr)
		}
		m, ok := MatchIP(tt.q, a)
		if m != tt.match || ok != tt.ok {
			t.Errorf("MatchIP(%q, %s) = %v, %v; want %v, %v", tt.q, tt.addr, m, ok, tt.match, tt.ok)
		}
	}
	if _, ok := ParseIP("fe80::1%eth0"); ok {
		t.Error("ParseIP accepted a zone")
	}
	a, _ := ParseIP("10.0.0.1")
	b, _ := ParseIP("10.0.0.2")
	c, _ := ParseIP("::1")
	if CompareIP(a, b) != -1 || CompareIP(b, a) != 1 || CompareIP(a, a) != 0 || CompareIP(c, a) != -1 {
		t.Error("CompareIP orders addresses wrong")
	}
}

func TestContains(t *testing.T) {
	toks := []string{"a", "b", "c"}
	if !analysis.ContainsPhrase(toks, []string{"b", "c"}) || analysis.ContainsPhrase(toks, []string{"a", "c"}) || analysis.ContainsPhrase(toks, nil) ||
		analysis.ContainsPhrase(toks, []string{"a", "b", "c", "d"}) {
		t.Error("ContainsPhrase")
	}
	if !analysis.ContainsAny(toks, []string{"z", "c"}) || analysis.ContainsAny(toks, []string{"z"}) || analysis.ContainsAny(toks, nil) {
		t.Error("ContainsAny")
	}
}
