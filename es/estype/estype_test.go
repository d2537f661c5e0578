package estype

import (
	"math"
	"testing"
)

func TestFamilies(t *testing.T) {
	tests := []struct {
		typ      Type
		family   Family
		analyzed bool
		numeric  bool
		str      bool
	}{
		{Empty, KeywordFamily, false, false, true},
		{Keyword, KeywordFamily, false, false, true},
		{ConstantKeyword, KeywordFamily, false, false, true},
		{Wildcard, KeywordFamily, false, false, true},
		{Version, KeywordFamily, false, false, true},
		{"something_new", KeywordFamily, false, false, true},
		{Text, TextFamily, true, false, true},
		{MatchOnlyText, TextFamily, true, false, true},
		{AnnotatedText, TextFamily, true, false, true},
		{SearchAsYouType, TextFamily, true, false, true},
		{TokenCount, IntegerFamily, true, true, false},
		{Long, IntegerFamily, false, true, false},
		{UnsignedLong, IntegerFamily, false, true, false},
		{HalfFloat, FloatFamily, false, true, false},
		{ScaledFloat, FloatFamily, false, true, false},
		{Date, DateFamily, false, false, false},
		{DateNanos, DateFamily, false, false, false},
		{IP, IPFamily, false, false, false},
		{Boolean, BooleanFamily, false, false, false},
		{GeoPoint, GeoFamily, false, false, false},
		{Flattened, FlattenedFamily, false, false, false},
		{Object, ObjectFamily, false, false, false},
		{Nested, ObjectFamily, false, false, false},
		{IPRange, RangeFamily, false, false, false},
		{Binary, OtherFamily, false, false, false},
		{Alias, OtherFamily, false, false, false},
	}
	for _, tt := range tests {
		if got := tt.typ.Family(); got != tt.family {
			t.Errorf("%q.Family() = %v, want %v", tt.typ, got, tt.family)
		}
		if got := tt.typ.Analyzed(); got != tt.analyzed {
			t.Errorf("%q.Analyzed() = %v", tt.typ, got)
		}
		if got := tt.typ.Numeric(); got != tt.numeric {
			t.Errorf("%q.Numeric() = %v", tt.typ, got)
		}
		if got := tt.typ.IsString(); got != tt.str {
			t.Errorf("%q.IsString() = %v", tt.typ, got)
		}
	}
	if !Nested.HoldsFields() || Flattened.HoldsFields() || !DateNanos.Nanos() || Date.Nanos() {
		t.Error("HoldsFields/Nanos")
	}
	if Type("something_new").Known() || !Percolator.Known() {
		t.Error("Known")
	}
}

func TestBounds(t *testing.T) {
	tests := []struct {
		typ    Type
		lo, hi int64
	}{
		{Byte, -128, 127},
		{Short, -32768, 32767},
		{Integer, math.MinInt32, math.MaxInt32},
		{Long, math.MinInt64, math.MaxInt64},
		{UnsignedLong, 0, math.MaxInt64}, // what emit draws from
		{TokenCount, 0, math.MaxInt32},
	}
	for _, tt := range tests {
		lo, hi, ok := tt.typ.IntBounds()
		if !ok || lo != tt.lo || hi != tt.hi {
			t.Errorf("%s.IntBounds() = %d, %d, %v", tt.typ, lo, hi, ok)
		}
	}
	if _, hi, _ := UnsignedLong.Bounds(); hi != math.MaxUint64 {
		t.Errorf("unsigned_long upper bound %v", hi)
	}
	if _, hi, _ := HalfFloat.Bounds(); hi != 65504 {
		t.Errorf("half_float upper bound %v", hi)
	}
	if _, _, ok := Keyword.IntBounds(); ok {
		t.Error("keyword has integer bounds")
	}
	if _, _, ok := Double.IntBounds(); ok {
		t.Error("double has integer bounds")
	}
	if HalfFloat.SignificandBits() != 11 || Float.SignificandBits() != 24 || Double.SignificandBits() != 53 || Long.SignificandBits() != 0 {
		t.Error("SignificandBits")
	}
	if (Mapping{Type: Keyword, Normalizer: "lowercase"}).Lowercase() != true || (Mapping{Type: Keyword}).Lowercase() {
		t.Error("Lowercase")
	}
}

func TestPrecision(t *testing.T) {
	half := Mapping{Type: HalfFloat}
	f32 := Mapping{Type: Float}
	scaled := Mapping{Type: ScaledFloat, ScalingFactor: 100}
	dbl := Mapping{Type: Double}
	tests := []struct {
		m                 Mapping
		in                float64
		round, ceil, flor float64
	}{
		{half, 1000.99, 1001, 1001, 1000.5},
		{half, 1000.5, 1000.5, 1000.5, 1000.5},
		{half, 0.1, 0.0999755859375, 0.10003662109375, 0.0999755859375},
		{half, 65519, 65504, math.Inf(1), 65504},
		{half, -1000.99, -1001, -1000.5, -1001},
		{half, 1e-8, 0, math.Ldexp(1, -24), 0},
		{f32, 0.1, float64(float32(0.1)), float64(float32(0.1)), float64(math.Nextafter32(float32(0.1), 0))},
		{scaled, 12.345, 12.35, 12.35, 12.34},
		{scaled, 12.3, 12.3, 12.3, 12.3},
		{dbl, 0.1, 0.1, 0.1, 0.1},
	}
	for _, tt := range tests {
		if got := tt.m.Round(tt.in); got != tt.round {
			t.Errorf("%s Round(%v) = %v, want %v", tt.m.Type, tt.in, got, tt.round)
		}
		if got := tt.m.Ceil(tt.in); got != tt.ceil {
			t.Errorf("%s Ceil(%v) = %v, want %v", tt.m.Type, tt.in, got, tt.ceil)
		}
		if got := tt.m.Floor(tt.in); got != tt.flor {
			t.Errorf("%s Floor(%v) = %v, want %v", tt.m.Type, tt.in, got, tt.flor)
		}
	}
	// Next walks the halves one by one across binades, both ways.
	for _, h := range []float64{1, 2, 1024, 0.5, -1, -2, math.Ldexp(1, -14), 65504, -65504} {
		up, down := half.Next(h, Up), half.Next(h, Down)
		if half.Round(up) != up || half.Round(down) != down || !(down < h && h < up) {
			t.Errorf("Next(%v) = %v, %v", h, down, up)
		}
		if half.Next(up, Down) != h || half.Next(down, Up) != h {
			t.Errorf("Next(%v) is not reversible: %v, %v", h, half.Next(up, Down), half.Next(down, Up))
		}
		// No half lies strictly between h and its neighbours.
		if mid := (h + up) / 2; half.Round(mid) != h && half.Round(mid) != up {
			t.Errorf("a half between %v and %v", h, up)
		}
	}
}

func TestRoundHalf(t *testing.T) {
	tests := []struct{ in, want float64 }{
		{0, 0}, {1, 1}, {0.1, 0.0999755859375}, {-0.1, -0.0999755859375}, {65504, 65504},
		{65519, 65504}, {65520, math.Inf(1)}, {-1e6, math.Inf(-1)},
		{1e-8, 0}, {3e-8, 5.960464477539063e-08}, {2049, 2048}, {2051, 2052},
	}
	for _, tt := range tests {
		if got := roundHalf(tt.in); got != tt.want {
			t.Errorf("roundHalf(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
