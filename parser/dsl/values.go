package dsl

import (
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/internal/esvalue"
)

// This file reads the values of clauses; what the evaluator knows of
// Elasticsearch field types (how query values and document values are read
// for a type, and how they compare) is in package esvalue, which does not
// share code with the solver on purpose: Match proves the solver's
// documents right.

// ---- query values ----

// scalar converts a decoded JSON (or TOML) scalar of a clause to a
// constraint value: strings, booleans, numbers (float64, json.Number, Go
// integers, as go-toml and encoding/json produce them), and values that
// marshal to text (TOML dates and times).
func scalar(v any) (constraint.Value, bool) {
	switch x := v.(type) {
	case string:
		return constraint.String(x), true
	case bool:
		return constraint.Boolean(x), true
	case json.Number:
		f, err := x.Float64()
		if err != nil && !isRange(err) {
			return constraint.Value{}, false
		}
		return constraint.Value{Kind: constraint.KindNumber, Num: f, Str: string(x)}, true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return constraint.Value{}, false
		}
		return constraint.Number(x), true
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return constraint.Value{}, false
		}
		return constraint.Value{Kind: constraint.KindNumber, Num: float64(x), Str: strconv.FormatFloat(float64(x), 'f', -1, 32)}, true
	case int:
		return intValue(int64(x)), true
	case int64:
		return intValue(x), true
	case int32:
		return intValue(int64(x)), true
	case uint64:
		return constraint.Value{Kind: constraint.KindNumber, Num: float64(x), Str: strconv.FormatUint(x, 10)}, true
	case uint32:
		return intValue(int64(x)), true
	case time.Time:
		return constraint.String(x.Format(time.RFC3339Nano)), true
	case encoding.TextMarshaler:
		b, err := x.MarshalText()
		if err != nil {
			return constraint.Value{}, false
		}
		return constraint.String(string(b)), true
	}
	return constraint.Value{}, false
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func intValue(i int64) constraint.Value {
	return constraint.Value{Kind: constraint.KindNumber, Num: float64(i), Str: strconv.FormatInt(i, 10)}
}

// text is a query value as Elasticsearch turns it into a string for
// string fields (numbers keep their source text).
func text(v constraint.Value) string {
	switch v.Kind {
	case constraint.KindBool:
		return strconv.FormatBool(v.Bool)
	case constraint.KindNull:
		return ""
	}
	return v.Str
}

// ---- numbers ----

// decimal reads a decimal number exactly, surrounding spaces allowed.
func decimal(s string) (*big.Rat, bool) {
	return esvalue.ParseDecimal(strings.TrimSpace(s))
}

// describe names a Go value of a clause for error messages.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case float64, float32, json.Number, int, int64, int32, uint64, uint32:
		return "a number"
	case time.Time, encoding.TextMarshaler:
		return "a date"
	}
	return fmt.Sprintf("a value of type %T", v)
}
