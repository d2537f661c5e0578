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
