package esvalue

import (
	"encoding/json"
	"math"
	"math/big"
	"strings"

	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/es/number"
)

// KeywordString returns the indexed string of a scalar document value for
// a keyword-like or text field (document.ScalarText).
func KeywordString(v any) (string, bool) { return document.ScalarText(v) }

// ParseDecimal reads a decimal number exactly (es/number).
func ParseDecimal(s string) (*big.Rat, bool) { return number.ParseDecimal(s) }

// DocNumber reads a numeric document value exactly: a JSON number
// (json.Number or float64), a Go integer, or a numeric string, which
// Elasticsearch coerces by default (surrounding spaces allowed).
func DocNumber(v any) (*big.Rat, bool) {
	switch x := v.(type) {
	case json.Number:
		return ParseDecimal(string(x))
	case string:
		return ParseDecimal(strings.TrimSpace(x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		return new(big.Rat).SetFloat64(x), true
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, false
		}
		return new(big.Rat).SetFloat64(float64(x)), true
	case int:
		return new(big.Rat).SetInt64(int64(x)), true
	case int64:
		return new(big.Rat).SetInt64(x), true
	case int32:
		return new(big.Rat).SetInt64(int64(x)), true
	case uint64:
		return new(big.Rat).SetInt(new(big.Int).SetUint64(x)), true
	case uint32:
		return new(big.Rat).SetInt64(int64(x)), true
	}
	return nil, false
}

// Stored converts an exact number to what a numeric field holds: integers
// are truncated toward zero (coercion), floating-point types are rounded
// to their precision, a scaled_float to a multiple of 1/scaling_factor.
// ok is false when the value does not fit the type (Elasticsearch rejects
// such a document). Other types return r as it is.
func Stored(m estype.Mapping, r *big.Rat) (*big.Rat, bool) {
	t := m.Type
	switch {
	case t.Family() == estype.IntegerFamily:
		if r.IsInt() {
			return r, true
		}
		return new(big.Rat).SetInt(new(big.Int).Quo(r.Num(), r.Denom())), true
	case t == estype.ScaledFloat && m.ScalingFactor > 0:
		// round(value × scaling_factor) as a long, read back as a double.
		f, _ := r.Float64()
		if math.Abs(f*m.ScalingFactor) >= 1<<63 {
			return nil, false
		}
		return new(big.Rat).SetFloat64(m.Round(f)), true
	case t == estype.Float:
		// Rounded once, from the exact value, to single precision.
		f32, _ := r.Float32()
		if math.IsInf(float64(f32), 0) {
			return nil, false
		}
		return new(big.Rat).SetFloat64(float64(f32)), true
	case t.Family() == estype.FloatFamily:
		f, _ := r.Float64()
		f = m.Round(f)
		if math.IsInf(f, 0) {
			return nil, false
		}
		return new(big.Rat).SetFloat64(f), true
	}
	return r, true
}

// DocStored reads a document value of a numeric field as the field stores
// it (DocNumber, then Stored).
func DocStored(m estype.Mapping, v any) (*big.Rat, bool) {
	r, ok := DocNumber(v)
	if !ok {
		return nil, false
	}
	return Stored(m, r)
}

// DocBool reads a boolean document value: true, false, or the strings
// "true", "false" and "" (false).
func DocBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch x {
		case "true":
			return true, true
		case "false", "":
			return false, true
		}
	}
	return false, false
}

// ParseBool reads a boolean query value: "true" or "false".
func ParseBool(s string) (bool, bool) {
	switch s {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}
